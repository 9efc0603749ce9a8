// Live HLS start and close racing each other never answer a 5xx carrying exception text (issue 8, item 7).
// real: app over HTTP on 127.0.0.1:0, WorkerManager + ffmpeg (pattern source), SQLite in a temp dir. mock: none.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startTestApp, type TestApp } from '../foundation/app-harness';
import { call, until } from '../cameras/helpers';

let t: TestApp;
let cam: number;

beforeAll(async () => {
  t = await startTestApp();
  await call(t, 'PUT', '/api/settings', { segment_seconds: 1, hls_max_sessions: 8 });
  cam = (await call<{ id: number }>(t, 'POST', '/api/cameras', { name: 'Pattern', rtsp_url: 'pattern://testsrc2', enabled: true, motion_enabled: false })).body.id;
  await until('first playlist', async () => (await t.req(`/api/live/${cam}/hls/index.m3u8`)).status === 200, 30_000, 500);
});

afterAll(async () => {
  await t?.stop();
  if (t) removeDir(t.dataDir);
});

const FIXED = [
  'The HLS session was closed while it was starting; request the playlist again to reopen it.',
  'No live segments yet: the camera is not delivering. Retry shortly.',
  'The HLS playlist is not ready yet; retry shortly.',
];

describe('HLS start/close race', () => {
  it('answers a playlist or a documented error, never exception text, over many concurrent start+close pairs', async () => {
    const seen = new Map<number, number>();
    for (let round = 0; round < 40; round++) {
      const [start] = await Promise.all([
        t.req(`/api/live/${cam}/hls/index.m3u8`),
        new Promise((r) => setTimeout(r, round % 5)).then(() => t.req(`/api/live/${cam}/hls/close`, { method: 'POST' })),
      ]);
      const text = await start.text();
      seen.set(start.status, (seen.get(start.status) ?? 0) + 1);
      expect(text).not.toMatch(/Cannot (set|read) properties|TypeError|at .*\.ts:\d+/);
      if (start.status === 200) {
        expect(text).toContain('#EXTM3U');
        continue;
      }
      expect([409, 503], `${start.status} ${text}`).toContain(start.status);
      const body = JSON.parse(text) as { detail: string; request_id?: string };
      expect(FIXED).toContain(body.detail);
      if (start.status >= 500) expect(body.request_id).toMatch(/^[0-9a-f]{16}$/);
    }
    expect(seen.get(200) ?? 0).toBeGreaterThan(0);
    // The camera is still recording and HLS still opens afterwards.
    expect((await t.req(`/api/live/${cam}/hls/index.m3u8`)).status).toBe(200);
  });
});
