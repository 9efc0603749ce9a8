// Integration: live HLS session lifetime (idempotent start, kept alive by touches, stops itself when idle).
// real: ffmpeg test-pattern camera, temp data dir, the manager's heartbeat. mock: nothing.
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createHarness, runtime, waitFor } from './harness';

// settings.hls_idle_seconds (minimum 5) wins over the manager's hlsIdleMs fallback.
const h = createHarness({ segment_seconds: 1, hls_idle_seconds: 5 }, { hlsIdleMs: 600_000, hlsWindow: 3 });
const dead = createHarness({}, { hlsWaitMs: 1500 });
afterAll(() => Promise.all([h.cleanup(), dead.cleanup()]));

describe('hls session', () => {
  it('stays up while touched, slides its window, and stops itself when idle', async () => {
    h.manager.start(runtime(5, 'pattern', 'pattern:', { record: false }));
    expect(h.manager.hasHls(5)).toBe(false);
    const s = await h.manager.startHls(5);
    expect(h.manager.hasHls(5)).toBe(true);
    expect((await h.manager.startHls(5)).playlist).toBe(s.playlist);
    expect(h.manager.hlsSessionCount()).toBe(1);

    const touchedUntil = Date.now() + 7000;
    while (Date.now() < touchedUntil) {
      h.manager.touchHls(5);
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(h.manager.hasHls(5)).toBe(true);
    const text = readFileSync(s.playlist, 'utf8');
    expect(Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(text)?.[1])).toBeGreaterThan(0);
    expect(text.split('\n').filter((l) => /^seg\d{5}\.ts$/.test(l))).toHaveLength(3);

    // hasHls() turns false as the stop begins; the folder goes once the segment chain has drained.
    await waitFor('the idle session to stop', () => !h.manager.hasHls(5), 12_000);
    expect(h.manager.hlsSessionCount()).toBe(0);
    await waitFor('the idle session folder to go', () => !existsSync(s.dir), 5_000);
    expect(h.manager.health(5)!.state.state).toBe('running');
  });

  it('a start that times out (camera not delivering) gives its slot back at once instead of holding it until idle', async () => {
    dead.manager.start(runtime(7, 'rtsp', 'rtsp://127.0.0.1:1/none'));
    await expect(dead.manager.startHls(7)).rejects.toMatchObject({ kind: 'hls-timeout' });
    expect(dead.manager.hasHls(7)).toBe(false);
    expect(dead.manager.hlsSessionCount()).toBe(0);
  });

  it('rejects with a kind when the camera is not running', async () => {
    await expect(h.manager.startHls(99)).rejects.toMatchObject({ kind: 'not-running' });
  });
});
