// Integration: an RTSP camera through one ffmpeg child gives segments, analysis frames, JPEGs and HLS on ONE connection.
// real: ffmpeg, GStreamer RTSP server on 127.0.0.1, temp data dir, process table. mock: nothing.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LatestFrame } from '../../src-main/ports/camera-workers.port';
import { HLS_FILE_RE } from '../../src-main/shared/hls';
import { startRtspServer, type RtspServer } from '../support/rtsp-server';
import { createHarness, ffmpegProcesses, jpegSize, probeDuration, runtime, waitFor, type Harness } from './harness';

let rtsp: RtspServer;
let h: Harness;
const frames: LatestFrame[] = [];

beforeAll(async () => {
  rtsp = await startRtspServer();
  h = createHarness({ segment_seconds: 2, analysis_fps: 2, analysis_width: 320, live_mjpeg_fps: 5 });
});

afterAll(async () => {
  await h?.cleanup();
  await rtsp?.stop();
});

describe('rtsp camera', () => {
  it('records, analyses and serves JPEG + HLS from exactly one RTSP connection', async () => {
    const started = Date.now();
    h.manager.start(runtime(1, 'rtsp', rtsp.url));
    h.manager.start(runtime(1, 'rtsp', rtsp.url));
    const off = h.manager.onFrame(1, (f) => frames.push(f));

    const first = await waitFor('a JPEG frame', () => h.manager.latest(1), 20_000);
    expect(jpegSize(first.jpeg)).toEqual({ width: 768, height: 576 });

    const session = await h.manager.startHls(1);
    expect(h.manager.hlsSessionCount()).toBe(1);
    await h.manager.startHls(1);
    expect(h.manager.hlsSessionCount()).toBe(1);
    await waitFor('3 closed segments', () => h.segments.length >= 3, 25_000);

    const playlist = readFileSync(session.playlist, 'utf8');
    const names = playlist.split('\n').filter((l) => l.endsWith('.m4s'));
    expect(playlist).toMatch(/#EXT-X-MEDIA-SEQUENCE:\d+/);
    expect(names.length).toBeGreaterThan(0);
    for (const n of names) {
      expect(n).toMatch(HLS_FILE_RE);
      expect(statSync(join(session.dir, n)).size).toBeGreaterThan(1000);
    }

    // The one-connection rule: recording + analysis + MJPEG consumer + HLS share one source session.
    expect(frames.length).toBeGreaterThan(3);
    expect(rtsp.connections()).toBe(1);
    expect(rtsp.openConnections()).toBe(1);
    off();

    const health = h.manager.health(1)!;
    expect(health.state.state).toBe('running');
    expect(health.fps).toBeGreaterThan(0);
    expect(Date.now() - health.lastFrameMs!).toBeLessThan(3000);
    expect(h.states.some((s) => s.camera_id === 1 && s.state === 'running' && s.pid !== null)).toBe(true);

    // Segments: final UTC layout, contiguous wall-clock times matching their media duration.
    const segs = h.segments.slice(0, 3);
    for (const s of segs) {
      const d = new Date(s.start_ms);
      const day = d.toISOString().slice(0, 10);
      const hour = d.toISOString().slice(11, 13);
      expect(relative(h.dataDir, s.path)).toBe(join('segments', '1', day, hour, `${s.start_ms}.ts`));
      expect(existsSync(s.path)).toBe(true);
      expect(s.bytes).toBe(statSync(s.path).size);
      expect(s.codec).toBe('h264');
      expect([s.width, s.height]).toEqual([768, 576]);
      expect(s.start_ms).toBeGreaterThanOrEqual(started - 1000);
      expect(s.end_ms - s.start_ms).toBeGreaterThan(1000);
      expect(s.end_ms - s.start_ms).toBeLessThan(3500);
      expect(Math.abs(probeDuration(s.path) * 1000 - (s.end_ms - s.start_ms))).toBeLessThan(400);
    }
    expect(segs[1]!.start_ms).toBe(segs[0]!.end_ms);
    expect(segs[2]!.start_ms).toBe(segs[1]!.end_ms);

    // Analysis frames: scaled to analysis_width, aspect kept, packed RGB.
    const a = h.analysis.at(-1)!;
    expect([a.width, a.height, a.format, a.data.length]).toEqual([320, 240, 'rgb24', 320 * 240 * 3]);
  });

  it('stops the HLS session and leaves no ffmpeg behind', async () => {
    const pid = h.manager.pid(1);
    expect(pid).not.toBeNull();
    const dir = join(h.dataDir, 'hls', '1');
    await h.manager.stopHls(1);
    expect(h.manager.hlsSessionCount()).toBe(0);
    expect(existsSync(dir)).toBe(false);
    const before = h.segments.length;
    await h.manager.stop(1);
    expect(h.manager.latest(1)).toBeNull();
    expect(h.manager.health(1)).toBeNull();
    expect(h.states.at(-1)).toMatchObject({ camera_id: 1, state: 'stopped', pid: null });
    // The segment open at stop is flushed to the index, not lost.
    expect(h.segments.length).toBeGreaterThan(before);
    const procs = ffmpegProcesses(h.dataDir);
    expect(procs).toEqual([]);
    expect(ffmpegProcesses(rtsp.url).filter((p) => p.pid === pid)).toEqual([]);
    await waitFor('the RTSP session to close', () => rtsp.openConnections() === 0, 10_000);
  });
});

describe('worker files', () => {
  it('removeCameraFiles clears the live buffer, HLS and incoming folders of a stopped camera only', async () => {
    let early = 0;
    const off = h.manager.onFrame(2, () => early++);
    h.manager.start(runtime(2, 'pattern', 'pattern:', { record: false }));
    await waitFor('live segments', () => existsSync(join(h.dataDir, 'live', '2')), 20_000);
    off();
    // A subscription made before start() hears the camera's frames.
    expect(early).toBeGreaterThan(0);
    await expect(h.manager.removeCameraFiles(2)).rejects.toThrow(/stop the camera/);
    await h.manager.stop(2);
    await h.manager.removeCameraFiles(2);
    expect(existsSync(join(h.dataDir, 'live', '2'))).toBe(false);
    expect(existsSync(join(h.dataDir, 'segments', '2', '.incoming'))).toBe(false);
  });
});

describe('rtsp over udp', () => {
  it('receives frames with rtsp_transport udp', async () => {
    h.manager.start(runtime(3, 'rtsp', rtsp.url, { rtspTransport: 'udp' }));
    const off = h.manager.onFrame(3, () => undefined);
    const f = await waitFor('a frame over UDP', () => h.manager.latest(3), 20_000);
    expect(jpegSize(f.jpeg)).toEqual({ width: 768, height: 576 });
    off();
    await h.manager.stop(3);
  });
});
