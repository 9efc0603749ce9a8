// Integration: the non-RTSP source kinds (MJPEG over HTTP, HTTP snapshots with Basic auth, looped file, test pattern).
// real: ffmpeg, HTTP test cameras on 127.0.0.1 serving JPEGs decoded from the fixture, temp data dir. mock: nothing.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VTEST } from '../support/rtsp-server';
import { startHttpTestCamera, type HttpTestCamera } from '../support/test-cameras';
import { createHarness, ffmpegProcesses, jpegSize, runtime, waitFor, type Harness } from './harness';

const execFileAsync = promisify(execFile);
let cam: HttpTestCamera;
let h: Harness;

beforeAll(async () => {
  cam = await startHttpTestCamera({ fps: 5, username: 'viewer', password: 's3cr:et' });
  h = createHarness({ segment_seconds: 2, analysis_fps: 1, live_mjpeg_fps: 5 });
});

afterAll(async () => {
  await h?.cleanup();
  await cam?.stop();
});

const framesOf = async (id: number, n: number): Promise<number[]> => {
  const seqs: number[] = [];
  await waitFor(`${n} frames of camera ${id}`, () => {
    const f = h.manager.latest(id);
    if (f && !seqs.includes(f.seq)) seqs.push(f.seq);
    return seqs.length >= n;
  }, 25_000, 50);
  return seqs;
};

describe('source kinds', () => {
  it('mjpeg, http snapshot, file and pattern all produce frames, analysis and segments', async () => {
    h.manager.start(runtime(11, 'mjpeg', cam.mjpegUrl, { username: 'viewer', password: 's3cr:et' }));
    h.manager.start(runtime(12, 'http', cam.snapshotUrl.replace('http://', 'http://viewer:s3cr%3Aet@'), { snapshotFps: 4 }));
    h.manager.start(runtime(13, 'file', VTEST));
    h.manager.start(runtime(14, 'pattern', 'pattern:testsrc2', { record: false }));
    // JPEGs are decoded on demand: a viewer of each camera starts its decoder.
    for (const id of [11, 12, 13, 14]) h.manager.onFrame(id, () => undefined);

    await Promise.all([11, 12, 13, 14].map((id) => framesOf(id, 3)));
    expect(jpegSize(h.manager.latest(11)!.jpeg)).toEqual({ width: 320, height: 240 });
    expect(jpegSize(h.manager.latest(12)!.jpeg)).toEqual({ width: 320, height: 240 });
    expect(jpegSize(h.manager.latest(13)!.jpeg)).toEqual({ width: 768, height: 576 });
    expect(jpegSize(h.manager.latest(14)!.jpeg)).toEqual({ width: 640, height: 360 });

    await waitFor('segments of the recording cameras', () => [11, 12, 13].every((id) => h.segments.some((s) => s.camera_id === id)), 25_000);
    await waitFor('analysis frames of every camera', () => [11, 12, 13, 14].every((id) => h.analysis.some((a) => a.camera_id === id)), 10_000);
    const size = (id: number) => h.analysis.filter((a) => a.camera_id === id).map((a) => [a.width, a.height]).at(-1);
    expect(size(13)).toEqual([320, 240]);
    expect(size(14)).toEqual([320, 180]);

    // One source connection each; Basic auth from separate credentials and from userinfo both work.
    expect(cam.streamConnections()).toBe(1);
    // Credentials go out only after the server's challenge, once per client (the MJPEG relay, the snapshot poller); then up front.
    expect(cam.unauthorized()).toBeLessThanOrEqual(2);
    expect(cam.snapshotRequests()).toBeGreaterThan(2);

    // record=false: the live buffer gets the segments, the recording index hears nothing.
    await waitFor('live-buffer segments of the pattern camera', () => existsSync(join(h.dataDir, 'live', '14')) && readdirSync(join(h.dataDir, 'live', '14')).some((n) => /^\d+\.ts$/.test(n)), 15_000);
    expect(h.segments.some((s) => s.camera_id === 14)).toBe(false);
    const hls = await h.manager.startHls(14);
    expect(existsSync(hls.playlist)).toBe(true);

    for (const id of [11, 12, 13, 14]) expect(h.manager.health(id)!.state.state).toBe('running');
    await h.manager.stopAll();
    expect(ffmpegProcesses(h.dataDir)).toEqual([]);
    expect(h.manager.hlsSessionCount()).toBe(0);
  });

  it('an H.264 file with audio is copied and keeps its sound in segments and HLS', async () => {
    const file = join(h.dataDir, 'av.mp4');
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=10', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=16000', '-t', '6', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '10', '-c:a', 'aac', '-shortest', file]);
    h.manager.start(runtime(16, 'file', file));
    const seg = await waitFor('a segment of the A/V file', () => h.segments.find((s) => s.camera_id === 16), 20_000);
    expect(seg.codec).toBe('h264');
    const streams = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name', '-of', 'csv=p=0', seg.path], { encoding: 'utf8' }).split('\n');
    // MPEG-TS lists streams once per program as well; compare the distinct set.
    expect([...new Set(streams.map((l) => l.trim()).filter(Boolean))].sort()).toEqual(['aac,audio', 'h264,video']);
    const hls = await h.manager.startHls(16);
    // Async: ffprobe follows the live playlist, which only advances while this process's event loop runs.
    const probe = (await execFileAsync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type', '-of', 'csv=p=0', hls.playlist], { encoding: 'utf8', timeout: 30_000 })).stdout;
    expect(probe).toContain('audio');
    expect(probe).toContain('video');
    await h.manager.stop(16);
  });

  it('wrong snapshot credentials surface as an auth error', async () => {
    h.manager.start(runtime(15, 'http', cam.snapshotUrl, { username: 'viewer', password: 'wrong', snapshotFps: 4 }));
    await waitFor('an auth error', () => h.states.some((s) => s.camera_id === 15 && (s.last_error ?? '').startsWith('auth:')), 15_000);
    expect(h.manager.latest(15)).toBeNull();
    expect(JSON.stringify(h.states)).not.toContain('wrong');
    await h.manager.stop(15);
    expect(ffmpegProcesses(h.dataDir)).toEqual([]);
  });
});

describe('settings', () => {
  it('an ingest setting change restarts the worker with the new value', async () => {
    h.manager.start(runtime(17, 'pattern', 'pattern:', { record: false }));
    await waitFor('320-wide analysis frames', () => h.analysis.some((a) => a.camera_id === 17 && a.width === 320), 20_000);
    const pid = h.manager.pid(17);
    h.settings.analysis_width = 160;
    try {
      await waitFor('160-wide analysis frames', () => h.analysis.some((a) => a.camera_id === 17 && a.width === 160), 20_000);
      expect(h.manager.pid(17)).not.toBe(pid);
    } finally {
      h.settings.analysis_width = 320;
      await h.manager.stop(17);
    }
  });
});
