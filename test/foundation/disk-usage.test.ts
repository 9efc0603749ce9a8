// Integration (real: app on 127.0.0.1:0, SQLite file, the temp dir's real filesystem; mock: none): one disk-usage definition everywhere.
import { statfsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startTestApp, type TestApp } from './app-harness';

describe('disk usage', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.stop();
    removeDir(t.dataDir);
  });

  it('reports df-style usage (used / (used + available)) the same way in /api/system and /api/storage', async () => {
    const sys = (await (await t.req('/api/system')).json()) as { disk: { total_bytes: number; used_bytes: number; free_bytes: number; percent: number } };
    const storage = (await (await t.req('/api/storage')).json()) as { total: { used_bytes: number; free_bytes: number; percent: number } };
    const s = statfsSync(t.dataDir);
    const used = (s.blocks - s.bfree) * s.bsize;
    const avail = s.bavail * s.bsize;
    const dfPercent = (used / (used + avail)) * 100;
    // Other processes write to the same disk between the reads, so allow a little drift.
    expect(Math.abs(sys.disk.percent - dfPercent)).toBeLessThan(1);
    expect(Math.abs(storage.total.percent - dfPercent)).toBeLessThan(1);
    expect(Math.abs(sys.disk.total_bytes - (used + avail)) / (used + avail)).toBeLessThan(0.01);
    expect(Math.abs(storage.total.used_bytes - sys.disk.used_bytes) / sys.disk.total_bytes).toBeLessThan(0.01);
  });
});
