// Host facts for introspection: disk usage as df reports it.
import { statfsSync } from 'node:fs';

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
}

export class NodeHostRepository implements HostRepository {
  diskUsage(path: string): DiskUsage {
    return diskUsageOf(path);
  }
}
