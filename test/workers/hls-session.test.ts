// Integration: live low-latency HLS session (fMP4 parts cut from the in-memory copy stream): idempotent start, kept
// alive by touches, blocking reloads, readable by ffmpeg's own HLS demuxer, stops itself when idle.
// real: ffmpeg test-pattern camera, ffprobe, temp data dir, the manager's heartbeat. mock: nothing.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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
    const segs = text.split('\n').filter((l) => /^seg\d{5}\.m4s$/.test(l));
    expect(segs).toHaveLength(3);
    expect(text).toMatch(/#EXT-X-MAP:URI="init\d{5}\.mp4"/);
    const parts = [...text.matchAll(/#EXT-X-PART:DURATION=([\d.]+),URI="(seg\d{5}\.\d+\.m4s)"/g)];
    expect(parts.length).toBeGreaterThan(2);
    for (const name of [...segs, ...parts.map((p) => p[2]!)]) expect(existsSync(join(s.dir, name))).toBe(true);
    // ffmpeg's own HLS demuxer (what Flex pipelines read) follows the map and the fMP4 segments.
    const probe = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width', '-of', 'csv=p=0', s.playlist], { timeout: 20_000 }).toString().trim();
    expect(probe).toMatch(/^h264,\d+/);

    // A blocking reload for the next part returns once it is written; one far ahead is refused at once.
    const last = parts.at(-1)![2]!.match(/seg(\d{5})\.(\d+)/)!;
    const [msn, part] = [Number(last[1]), Number(last[2]) + 1];
    const t0 = Date.now();
    expect(await h.manager.waitHls(5, msn, part, 5000)).toBe('ok');
    expect(Date.now() - t0).toBeLessThan(5000);
    const after = readFileSync(s.playlist, 'utf8');
    expect(after.includes(`seg${String(msn).padStart(5, '0')}.${part}.m4s`) || after.includes(`seg${String(msn + 1).padStart(5, '0')}.`)).toBe(true);
    expect(await h.manager.waitHls(5, msn + 10, 0, 5000)).toBe('too-far');
    expect(await h.manager.waitHls(99, 0, 0, 100)).toBe('gone');

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
