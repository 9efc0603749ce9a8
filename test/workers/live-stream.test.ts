// The copy live stream: fragmented MP4 from the camera's one ffmpeg, split into init + fragments, with the last GOP kept.
// real: ffmpeg (encodes the A/V fixture, runs the ingest), temp data dir. mock: nothing.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveChunk } from '../../src-main/ports/live-stream.port';
import { Fmp4Splitter, GopCache } from '../../src-main/workers/fmp4';
import { createHarness, runtime, waitFor, type Harness } from './harness';

let h: Harness;
let av: string;

beforeAll(() => {
  h = createHarness({ segment_seconds: 2, analysis_fps: 1 });
  av = join(h.dataDir, 'av.mp4');
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=10', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=16000', '-t', '6', '-c:v', 'libx264', '-profile:v', 'high', '-preset', 'veryfast', '-g', '10', '-c:a', 'aac', '-shortest', av]);
});

afterAll(async () => {
  await h?.cleanup();
});

describe('Fmp4Splitter', () => {
  it('splits ffmpeg fragmented MP4 fed in odd-sized pieces into one init (codec string with audio) and keyframe-marked fragments', () => {
    const out = join(h.dataDir, 'frag.mp4');
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', av, '-c', 'copy', '-f', 'mp4', '-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-frag_duration', '100000', out]);
    const bytes = readFileSync(out);
    const split = new Fmp4Splitter();
    const chunks = [];
    for (let i = 0; i < bytes.length; i += 777) chunks.push(...split.push(bytes.subarray(i, i + 777)));
    const inits = chunks.filter((c) => c.type === 'init');
    expect(inits).toHaveLength(1);
    const init = inits[0]!.type === 'init' ? inits[0]!.init : null;
    // High profile (0x64), level from the encoder; AAC-LC audio.
    expect(init!.codecs).toMatch(/^avc1\.64[0-9a-f]{4},mp4a\.40\.2$/);
    expect(init!.hasAudio).toBe(true);
    const frags = chunks.flatMap((c) => (c.type === 'fragment' ? [c.fragment] : []));
    // 6 s at 10 fps with a keyframe every 10 frames: 6 keyframe fragments, 60 video samples in all.
    expect(frags.filter((f) => f.key)).toHaveLength(6);
    expect(frags.reduce((n, f) => n + f.videoSamples, 0)).toBe(60);
    // Sample durations (trun or defaults over the mdhd timescale) add up to the clip's 6 s; HLS parts are timed by them.
    expect(frags.reduce((s, f) => s + f.durationSec, 0)).toBeCloseTo(6, 1);
    expect(Math.max(...frags.map((f) => f.durationSec))).toBeLessThanOrEqual(0.2 + 1e-6);
    expect(frags[0]!.key).toBe(true);
    expect(Buffer.concat([init!.data, ...frags.map((f) => f.data)]).length).toBeLessThanOrEqual(bytes.length);
  });

  it('GopCache keeps the fragments since the last keyframe only', () => {
    const g = new GopCache();
    const f = (key: boolean, n: number) => ({ data: Buffer.alloc(n), key, videoSamples: 1, durationSec: 0.1 });
    g.add(f(false, 1));
    expect(g.fragments()).toHaveLength(0);
    g.add(f(true, 2));
    g.add(f(false, 3));
    g.add(f(true, 4));
    g.add(f(false, 5));
    expect(g.fragments().map((x) => x.data.length)).toEqual([4, 5]);
    expect(g.keyframe()!.data.length).toBe(4);
  });
});

describe('camera live stream', () => {
  it('an A/V camera streams its audio too; a late subscriber starts on the init and a keyframe at once', async () => {
    h.manager.start(runtime(21, 'file', av, { analysis: 'off' }));
    const early: LiveChunk[] = [];
    const off = h.manager.subscribeLive(21, (c) => early.push(c));
    await waitFor('a few fragments', () => early.filter((c) => c.type === 'fragment').length >= 20, 20_000);
    off();
    const init = early.find((c) => c.type === 'init');
    expect(init?.type === 'init' && init.init.codecs).toMatch(/^avc1\.[0-9a-f]{6},mp4a\.40\.2$/);
    expect(init?.type === 'init' && init.init.hasAudio).toBe(true);

    const late: LiveChunk[] = [];
    const off2 = h.manager.subscribeLive(21, (c) => late.push(c));
    off2();
    // Delivered synchronously inside subscribeLive: the init, then the cached GOP from its keyframe.
    expect(late[0]?.type).toBe('init');
    expect(late[1]?.type === 'fragment' && late[1].fragment.key).toBe(true);
    expect(late.slice(2).every((c) => c.type === 'fragment' && !c.fragment.key)).toBe(true);
    // Analysis off and nobody watching: no decoder, no JPEG.
    expect(h.manager.decoderPid(21)).toBeNull();
    expect(h.manager.latest(21)).toBeNull();
    expect(h.manager.health(21)!.state.state).toBe('running');
    await h.manager.stop(21);
  });

  it('analysis keyframes: the ingest decodes keyframes only, so analysis frames come at the keyframe rate (1/s here)', async () => {
    h.analysis.length = 0;
    h.settings.analysis_fps = 5;
    h.manager.start(runtime(22, 'file', av, { analysis: 'keyframes' }));
    await waitFor('analysis frames', () => h.analysis.filter((a) => a.camera_id === 22).length >= 4, 20_000);
    const ts = h.analysis.filter((a) => a.camera_id === 22).map((a) => a.ts_ms);
    const gaps = ts.slice(1).map((t, i) => t - ts[i]!);
    // At 5 fps a full decode would deliver a frame every ~200 ms; keyframes come once a second (GOP of 10 at 10 fps).
    expect(Math.min(...gaps)).toBeGreaterThan(500);
    await h.manager.stop(22);
    h.settings.analysis_fps = 1;
  });

  it('a live_mjpeg_fps change reaches a running decoder: it is replaced at the new rate and viewers keep getting frames', async () => {
    h.settings.live_mjpeg_fps = 5;
    h.manager.start(runtime(23, 'file', av, { analysis: 'off' }));
    let frames = 0;
    const off = h.manager.onFrame(23, () => frames++);
    const first = await waitFor('the decoder', () => h.manager.decoderPid(23), 20_000);
    const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    expect(cmdline(first)).toContain('(t-start_t)*5+1');
    // The ingest yields the CPU to the event loop and to viewers (nice 10); the viewers' decoder runs at normal priority.
    const nice = (pid: number | null) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
    expect(nice(h.manager.pid(23))).toBe(10);
    expect(nice(first)).toBe(0);
    h.settings.live_mjpeg_fps = 2;
    const second = await waitFor('a replacement decoder', () => {
      const p = h.manager.decoderPid(23);
      return p !== null && p !== first ? p : null;
    }, 10_000);
    expect(cmdline(second)).toContain('(t-start_t)*2+1');
    const before = frames;
    await waitFor('frames from the new decoder', () => frames > before + 2, 10_000);
    off();
    await h.manager.stop(23);
    h.settings.live_mjpeg_fps = 5;
  });
});
