// Integration over a long archive (real: the HTTP server, SQLite in a temp dir holding a week of 4 s segment rows; mock: none).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startTestApp, type TestApp } from '../foundation/app-harness';

let t: TestApp;
let weekCam = 0;

beforeAll(async () => {
  t = await startTestApp();
});

afterAll(async () => {
  await t?.stop();
  if (t) removeDir(t.dataDir);
});

describe('recordings VOD playlist over a long archive', () => {
  it('serves a week of 4 s segments (151 200 entries) as one playlist instead of a 500', async () => {
    const db = t.app.container.db;
    const cam = (weekCam = Number(db.prepare("INSERT INTO cameras (name, source_kind, url_enc, url_host, enabled, config) VALUES ('Week', 'file', x'00', '', 0, '{}')").run().lastInsertRowid));
    const t0 = Date.UTC(2026, 0, 1);
    const n = 7 * 86_400 / 4;
    const ins = db.prepare('INSERT INTO segments (camera_id, path, start_ms, end_ms, bytes) VALUES (?, ?, ?, ?, 1000)');
    db.transaction(() => {
      for (let i = 0; i < n; i++) ins.run(cam, `segments/${cam}/week/${i}.ts`, t0 + i * 4000, t0 + (i + 1) * 4000);
    })();
    const r = await t.req(`/api/recordings/${cam}/vod.m3u8?from=${t0}&to=${t0 + n * 4000}`);
    expect(r.status).toBe(200);
    const text = await r.text();
    expect(text).toContain('#EXT-X-TARGETDURATION:4\n');
    expect(text.split('\n').filter((l) => l.startsWith('#EXTINF:')).length).toBe(n);
  });
});

describe('camera purge over a long archive', () => {
  it('yields to the event loop while removing a week of segment files instead of freezing every stream until done', async () => {
    expect(weekCam).toBeGreaterThan(0);
    let ranDuringPurge = false;
    setImmediate(() => (ranDuringPurge = true));
    await t.app.container.recording.purger.purgeCamera(weekCam);
    expect(ranDuringPurge).toBe(true);
    expect(t.app.container.db.prepare('SELECT COUNT(*) FROM segments WHERE camera_id = ?').pluck().get(weekCam)).toBe(0);
  });
});
