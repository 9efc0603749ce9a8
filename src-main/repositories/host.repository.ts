// Host facts for introspection and health alerts: disk usage as df reports it, CPU temperature and SD-card wear where the OS exposes them.
import { readdirSync, readFileSync, statfsSync } from 'node:fs';
import { join } from 'node:path';

export interface DiskUsage {
  total_bytes: number;
  free_bytes: number;
  used_bytes: number;
  percent: number;
}

/**
 * Disk usage as `df` reports it: capacity is what this user can fill (used + available, excluding
 * root-reserved or quota-withheld blocks), so percent matches df's Use% and retention's max_percent.
 */
export function diskUsageOf(path: string): DiskUsage {
  const s = statfsSync(path);
  const used = (s.blocks - s.bfree) * s.bsize;
  const free = s.bavail * s.bsize;
  const total = used + free;
  return { total_bytes: total, free_bytes: free, used_bytes: used, percent: total > 0 ? Math.round((used / total) * 1000) / 10 : 0 };
}

export interface HostRepository {
  diskUsage(path: string): DiskUsage;
  /** The hottest CPU/SoC thermal zone in °C; null where the OS exposes none (most VMs, macOS, Windows). */
  cpuTempC(): number | null;
  /** eMMC/SD wear estimate (JEDEC life_time, 0x01 = 0–10 % used … 0x0B = exceeded); null without such a device. */
  sdLifeTime(): number | null;
}

const THERMAL = '/sys/class/thermal';
const CPU_ZONE = /cpu|soc|x86_pkg|package|core|acpitz/i;

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

export class NodeHostRepository implements HostRepository {
  diskUsage(path: string): DiskUsage {
    return diskUsageOf(path);
  }

  cpuTempC(): number | null {
    let zones: string[];
    try {
      zones = readdirSync(THERMAL).filter((z) => z.startsWith('thermal_zone'));
    } catch {
      return null;
    }
    let best: number | null = null;
    for (const z of zones) {
      const type = readText(join(THERMAL, z, 'type')) ?? '';
      const milli = Number(readText(join(THERMAL, z, 'temp')));
      if (!CPU_ZONE.test(type) || !Number.isFinite(milli) || milli <= 0) continue;
      const c = Math.round(milli / 100) / 10;
      if (best === null || c > best) best = c;
    }
    return best;
  }

  sdLifeTime(): number | null {
    const t = readText('/sys/block/mmcblk0/device/life_time');
    const m = t ? /^0x([0-9a-f]+)\s+0x([0-9a-f]+)$/i.exec(t) : null;
    return m ? Math.max(parseInt(m[1] as string, 16), parseInt(m[2] as string, 16)) : null;
  }
}
