// Health alerts: the reference's thresholds as pure levels, transitions pushed once per change, and the real host
// readers (disk usage of a real directory; CPU temperature and SD wear null or plausible on this machine).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alertState, transitions } from '../../src-main/services/health-alerts';
import { HealthAlertsService } from '../../src-main/services/health-alerts.service';
import { NodeHostRepository } from '../../src-main/repositories/host.repository';
import { silentLogger } from '../../src-main/repositories/logger';
import { PushBus } from '../../src-main/services/push-bus';
import type { PushMessage } from '../../src-main/shared/push-events';

describe('health alert levels', () => {
  it('applies the documented thresholds and marks what the host cannot measure as unavailable', () => {
    expect(alertState({ cpu_temp: 64.9, throttle: [], storage: 84.9, sd_health: 2 })).toMatchObject({ overall: 'ok', alerts: { cpu_temp: 'ok', throttle: 'ok', storage: 'ok', sd_health: 'ok' } });
    expect(alertState({ cpu_temp: 65, throttle: null, storage: 85, sd_health: 3 })).toMatchObject({ overall: 'warn', alerts: { cpu_temp: 'warn', throttle: 'unavailable', storage: 'warn', sd_health: 'warn' } });
    expect(alertState({ cpu_temp: 80, throttle: ['under-voltage'], storage: 95, sd_health: 11 }).alerts).toEqual({ cpu_temp: 'critical', throttle: 'critical', storage: 'critical', sd_health: 'critical' });
    expect(alertState({ cpu_temp: null, throttle: null, storage: 96, sd_health: null }).overall).toBe('critical');
  });

  it('reports transitions: the first sample only when not ok, then each change', () => {
    const ok = alertState({ cpu_temp: 50, throttle: null, storage: 40, sd_health: null });
    const hot = alertState({ cpu_temp: 70, throttle: null, storage: 40, sd_health: null });
    expect(transitions(null, ok)).toEqual([]);
    expect(transitions(null, hot)).toEqual(['cpu_temp']);
    expect(transitions(ok, hot)).toEqual(['cpu_temp']);
    expect(transitions(hot, hot)).toEqual([]);
  });
});

describe('HealthAlertsService', () => {
  it('samples the real disk, pushes system.alert only when a level changes, and reads plausible host values', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-health-'));
    try {
      const real = new NodeHostRepository();
      let storage = 50;
      const host = { diskUsage: (p: string) => ({ ...real.diskUsage(p), percent: storage }), cpuTempC: () => null, sdLifeTime: () => null };
      const bus = new PushBus();
      const pushes: PushMessage[] = [];
      bus.subscribe((m) => pushes.push(m));
      const svc = new HealthAlertsService({ host, dataDir: dir, bus, log: silentLogger() });
      expect(svc.current()).toMatchObject({ overall: 'ok', alerts: { storage: 'ok', cpu_temp: 'unavailable' } });
      storage = 90;
      svc.sample();
      svc.sample();
      storage = 10;
      svc.sample();
      expect(pushes.map((p) => [p.name, (p.payload as { changed: string[]; overall: string }).overall, (p.payload as { changed: string[] }).changed])).toEqual([
        ['system.alert', 'warn', ['storage']],
        ['system.alert', 'ok', ['storage']],
      ]);
      const disk = real.diskUsage(dir);
      expect(disk.total_bytes).toBeGreaterThan(0);
      expect(disk.percent).toBeGreaterThanOrEqual(0);
      expect(disk.percent).toBeLessThanOrEqual(100);
      const t = real.cpuTempC();
      expect(t === null || (t > 0 && t < 130)).toBe(true);
      const sd = real.sdLifeTime();
      expect(sd === null || (sd >= 1 && sd <= 11)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
