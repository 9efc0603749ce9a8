// Bench: 32 cameras at 1080p15 recording plus keyframe motion, run by the whole app on this machine: CPU, lost segments, event-loop p99.
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseConfig } from '../src-main/app/config';
import { startApp } from '../src-main/app/lifecycle';
import type { ClosedSegment } from '../src-main/ports/ingest.port';
import { defaultSettings } from '../src-main/shared/settings';
import { h264Fixture1080p15, startRtspServer } from '../test/support/rtsp-server';
import { childrenCpu, stopChildren, procCpu, selfCpu, sleep, tempDir, type BenchRow, runIfMain } from './bench-util';

const ROOT = resolve(import.meta.dirname, '..');
const CAMERAS = Number(process.env.BENCH_SCALE_CAMERAS ?? 32);
const SECONDS = Number(process.env.BENCH_SCALE_SECONDS ?? 30);
/** Bare segmenters measured for the baseline; their CPU is scaled to CAMERAS (copying is linear in streams). */
const BARE = Math.min(CAMERAS, Number(process.env.BENCH_SCALE_BARE ?? 8));
const SEGMENT_SECONDS = 4;
/**
 * Keyframe intervals of the camera stream in frames, one full run each: 30 (2 s, a common camera default) and 15 (1 s,
 * twice the keyframes to decode). BENCH_SCALE_GOP=15 runs one.
 */
const GOPS = (process.env.BENCH_SCALE_GOP ?? '30,15').split(',').map(Number).filter((n) => n > 0);
/** The issue's figure is keyframe motion; BENCH_SCALE_ANALYSIS=off (or full) runs the same cameras in another mode for comparison. */
const ANALYSIS = (['off', 'keyframes', 'full'] as const).find((m) => m === process.env.BENCH_SCALE_ANALYSIS) ?? 'keyframes';
const WHAT = ANALYSIS === 'keyframes' ? 'rec + keyframe motion' : `rec + analysis ${ANALYSIS}`;
const CORES = availableParallelism();
/** The app's default analysis width (settings.analysis_width), which the same-work baseline decodes to. */
const ANALYSIS_WIDTH = defaultSettings().analysis_width;


/**
 * An idle Node process at this process's priority measuring its own event-loop delay over the window: what the machine's
 * scheduler alone costs a main loop while everything runs, to tell starvation from work on Vigil's loop.
 */
function sentinel(ms: number): Promise<{ p99: number; max: number; cpu: number }> {
  const code = `const h = require('node:perf_hooks').monitorEventLoopDelay({ resolution: 10 }); h.enable(); setTimeout(() => { h.disable(); const u = process.cpuUsage(); process.stdout.write(JSON.stringify({ p99: h.percentile(99) / 1e6, max: h.max / 1e6, cpu: (u.user + u.system) / 1e6 })); }, ${ms});`;
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.once('exit', () => {
      try {
        resolve(JSON.parse(out) as { p99: number; max: number; cpu: number });
      } catch {
        reject(new Error('the event-loop sentinel printed nothing'));
      }
    });
  });
}

async function until(what: string, fn: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/**
 * CPU of N bare `ffmpeg -c copy` segmenters of the same stream over the window; with `keyframes`, each also decodes the
 * keyframes scaled to the analysis width (what Vigil's ingest does for keyframe motion, minus the live tee).
 */
async function bareCopy(url: string, n: number, dir: string, keyframes = false): Promise<number> {
  const kids: ChildProcess[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const decode = keyframes ? ['-map', '0:v:0', '-vf', `scale=${ANALYSIS_WIDTH}:-2`, '-c:v', 'ppm', '-f', 'null', '-'] : [];
      kids.push(
        spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-rtsp_transport', 'tcp', ...(keyframes ? ['-skip_frame', 'nokey'] : []), '-i', url, '-map', '0:v:0', '-c:v', 'copy', '-bsf:v', 'setts=pts=if(eq(PTS\\,NOPTS)\\,DTS\\,PTS)', '-f', 'segment', '-segment_time', String(SEGMENT_SECONDS), '-segment_format', 'mpegts', '-reset_timestamps', '1', join(dir, `bare${keyframes ? 'k' : ''}${i}-%06d.ts`), ...decode], { stdio: 'ignore' }),
      );
    }
    await sleep(4000);
    if (kids.some((c) => c.exitCode !== null)) throw new Error('a baseline ffmpeg exited');
    const cpu = () => kids.reduce((s, c) => s + procCpu(c.pid ?? null), 0);
    const c0 = cpu();
    await sleep(SECONDS * 1000);
    if (kids.some((c) => c.exitCode !== null)) throw new Error('a baseline ffmpeg exited during the measurement');
    return cpu() - c0;
  } finally {
    await stopChildren(kids);
  }
}

interface Measured {
  /** Ingest restarts while the cameras started (before the window). */
  startRestarts: number;
  ffCpu: number;
  selfInc: number;
  kidsCpu: number;
  idlePerSec: number;
  elapsed: number;
  written: number;
  expected: number;
  holes: number;
  restarts: number;
  decoders: number;
  analysed: number;
  dropped: number;
  delivered: number;
  p99: number;
  max: number;
  /** Event-loop p99 of an idle Node process over the same window. */
  sentinelP99: number;
  /** 1-min load average at the end of the window (the machine may be shared). */
  load: number;
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const gop of GOPS) rows.push(...(await runGop(gop)));
  return rows;
}

async function runGop(gop: number): Promise<BenchRow[]> {
  const source = h264Fixture1080p15(gop);
  const rtsp = await startRtspServer({ source });
  const t = tempDir('vigil-bench-scale-');
  const rows: BenchRow[] = [];
  const pct = (cpu: number) => (100 * cpu) / (CORES * SECONDS);
  try {
    const config = parseConfig(['--data-dir', join(t.dir, 'data'), '--port', '0', '--no-demo'], {}, { resourcesDir: join(ROOT, 'resources'), rendererDir: null, electron: null });
    const app = await startApp(config, { logStdout: false });
    const c = app.container;
    const segments = new Map<number, ClosedSegment[]>();
    const offSeg = c.ingest.on('segment', (s) => {
      let list = segments.get(s.camera_id);
      if (!list) segments.set(s.camera_id, (list = []));
      list.push(s);
    });
    let analysisFrames = 0;
    const offAn = c.ingest.on('analysis', () => analysisFrames++);
    let rtspCpu = 0;
    let rtspFeederCpu = 0;
    let sessions = 0;
    let measured: Measured | null = null;
    try {
      c.settings.update({ segment_seconds: SEGMENT_SECONDS });
      // The app idles a while first: its own background cost is not the cameras' (it is reported, not counted).
      await sleep(3000);
      const idle0 = selfCpu();
      await sleep(5000);
      const idlePerSec = (selfCpu() - idle0) / 5;

      const ids: number[] = [];
      for (let i = 0; i < CAMERAS; i++) {
        const cam = await c.cameras.create({ name: `cam ${i + 1}`, rtsp_url: rtsp.url, enabled: true, analysis_mode: ANALYSIS, motion_enabled: true, detect_enabled: false, faces_enabled: false, recording_mode: 'continuous' });
        ids.push(cam.id);
      }
      await until('a first segment from every camera', () => ids.every((id) => (segments.get(id)?.length ?? 0) >= 1), 150_000).catch((e: unknown) => {
        const states = c.manager.states().map((w) => `${w.camera_id}:${w.state}/${w.restarts}${w.last_error ? ` ${w.last_error}` : ''}`);
        throw new Error(`${String(e)}; ${ids.filter((id) => segments.has(id)).length}/${ids.length} cameras have segments, ${rtsp.openConnections()} RTSP sessions open; workers ${states.join(', ')}`);
      });
      await sleep(3000);

      const pids = ids.map((id) => c.manager.pid(id));
      if (pids.some((p) => p === null)) throw new Error(`a camera has no ingest process: ${c.manager.states().filter((w) => w.pid === null || w.restarts > 0).map((w) => `${w.camera_id}:${w.state}/${w.restarts} ${w.last_error ?? ''}`).join(', ')}`);
      const restarts0 = c.manager.states().reduce((s, w) => s + w.restarts, 0);
      const stats0 = ids.map((id) => c.engine.stats(id));
      const ff = () => pids.reduce<number>((s, p) => s + procCpu(p), 0) + ids.reduce((s, id) => s + procCpu(c.manager.decoderPid(id)), 0);
      const server = rtsp.pids();
      const f0 = ff();
      const s0 = selfCpu();
      const k0 = childrenCpu();
      const r0 = procCpu(server.server);
      const rf0 = procCpu(server.feeder);
      const seg0 = new Map(ids.map((id) => [id, segments.get(id)?.length ?? 0]));
      const an0 = analysisFrames;
      const loop = monitorEventLoopDelay({ resolution: 10 });
      loop.enable();
      const t0 = Date.now();
      const idleLoop = sentinel(SECONDS * 1000);
      await sleep(SECONDS * 1000);
      const sent = await idleLoop;
      const load = loadavg()[0] ?? 0;
      const elapsed = (Date.now() - t0) / 1000;
      loop.disable();
      sessions = rtsp.openConnections();
      const ffCpu = ff() - f0;
      const selfInc = selfCpu() - s0 - idlePerSec * elapsed;
      // The sentinel has exited and been reaped by now: its own CPU is the bench's, not Vigil's.
      const kidsCpu = Math.max(0, childrenCpu() - k0 - sent.cpu);
      rtspCpu = procCpu(server.server) - r0;
      rtspFeederCpu = procCpu(server.feeder) - rf0;
      const pidsAfter = ids.map((id) => c.manager.pid(id));
      const restarts = Math.max(c.manager.states().reduce((s, w) => s + w.restarts, 0) - restarts0, pidsAfter.filter((p, i) => p !== pids[i]).length);
      const decoders = ids.filter((id) => c.manager.decoderPid(id) !== null).length;
      const stats1 = ids.map((id) => c.engine.stats(id));
      const sum = (s: typeof stats0, k: 'frames_analysed' | 'frames_dropped') => s.reduce((a, x) => a + (x?.[k] ?? 0), 0);
      const analysed = sum(stats1, 'frames_analysed') - sum(stats0, 'frames_analysed');
      const dropped = sum(stats1, 'frames_dropped') - sum(stats0, 'frames_dropped');

      // Segments: those closed in the window per camera against the window's length, and any hole between consecutive ones.
      let written = 0;
      let holes = 0;
      for (const id of ids) {
        const list = segments.get(id) ?? [];
        written += list.length - (seg0.get(id) ?? 0);
        for (let i = 1; i < list.length; i++) if (list[i]!.start_ms - list[i - 1]!.end_ms > 1000) holes++;
      }
      const expected = (ids.length * elapsed) / SEGMENT_SECONDS;

      measured = { startRestarts: restarts0, ffCpu, selfInc, kidsCpu, idlePerSec, elapsed, written, expected, holes, restarts, decoders, analysed, dropped, delivered: analysisFrames - an0, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6, sentinelP99: sent.p99, load };
    } finally {
      offSeg();
      offAn();
      await app.stop();
    }
    // The baseline runs after the app stopped, so the two never share the machine.
    const m = measured as Measured | null;
    if (!m) throw new Error('no measurement');
    const bare = ((await bareCopy(rtsp.url, BARE, t.dir)) * CAMERAS) / BARE;
    const sameWork = ANALYSIS === 'keyframes' ? ((await bareCopy(rtsp.url, BARE, t.dir, true)) * CAMERAS) / BARE : null;
    const { ffCpu, selfInc, kidsCpu, idlePerSec, elapsed, written, expected, holes, restarts, decoders, analysed, dropped } = m;
    const total = ffCpu + selfInc + kidsCpu;
    rows.push({
        name: `${CAMERAS} cams 1080p15 ${WHAT}, ${gop / 15} s GOP: Vigil CPU`,
        value: pct(total),
        unit: '% machine',
        baseline: pct(bare),
        ratio: total / Math.max(bare, 0.01),
        note: `${SECONDS} s on ${CORES} cores, gop ${gop} frames; ingest ffmpegs ${pct(ffCpu).toFixed(1)} % + app process increment ${pct(selfInc).toFixed(1)} % (main loop, recording index, motion worker threads; idle ${(idlePerSec * 100).toFixed(1)} % of a core not counted) + short-lived children ${pct(kidsCpu).toFixed(1)} %; baseline ${BARE} bare ffmpeg -c copy segmenters of the same stream scaled to ${CAMERAS}; goal < 50 %`,
      });
      if (sameWork !== null)
        rows.push({
          name: `${CAMERAS} cams, ${gop / 15} s GOP: Vigil CPU vs bare ffmpeg doing the same work`,
          value: pct(total),
          unit: '% machine',
          baseline: pct(sameWork),
          ratio: total / Math.max(sameWork, 0.01),
          note: `baseline ${BARE} bare ffmpegs scaled to ${CAMERAS}, each segmenting the stream (-c copy) and decoding its keyframes (-skip_frame nokey) scaled to ${ANALYSIS_WIDTH} px: the decode motion needs, without Vigil around it`,
        });
      rows.push({ name: `${CAMERAS} cams, ${gop / 15} s GOP: CPU per camera`, value: (100 * total) / SECONDS / CAMERAS, unit: '% core', baseline: (100 * bare) / SECONDS / CAMERAS, ratio: total / Math.max(bare, 0.01), note: 'the same figure per camera, in % of one core' });
      rows.push({ name: `${CAMERAS} cams, ${gop / 15} s GOP: segments written / expected`, value: written, unit: 'segments', baseline: expected, ratio: written / expected, note: `${SEGMENT_SECONDS} s segments closed in ${elapsed.toFixed(1)} s; ${holes} hole(s) > 1 s between consecutive segments; ${restarts} ingest restart(s) in the window (${m.startRestarts} while the ${CAMERAS} cameras started); goal: no segment lost` });
      rows.push({ name: `${CAMERAS} cams, ${gop / 15} s GOP: event-loop p99`, value: m.p99, unit: 'ms', note: `max ${m.max.toFixed(0)} ms; an idle Node process at the same priority saw p99 ${m.sentinelP99.toFixed(0)} ms over the window (scheduling alone); load average ${m.load.toFixed(1)} on ${CORES} cores; goal < 50 ms` });
      rows.push({ name: `${CAMERAS} cams, ${gop / 15} s GOP: keyframes analysed for motion`, value: analysed / elapsed, unit: 'fps', note: `${m.delivered} analysis frames delivered, ${dropped} dropped by the engine; ${decoders} live decoder(s) running (expected 0)` });
      rows.push({ name: `${CAMERAS} cams, ${gop / 15} s GOP: RTSP test server CPU (not Vigil)`, value: pct(rtspCpu), unit: '% machine', note: `GStreamer serving ${sessions} open RTSP sessions of one shared mount; its ffmpeg feeder ${pct(rtspFeederCpu).toFixed(1)} %; for information` });
  } finally {
    await rtsp.stop();
    t.remove();
  }
  return rows;
}

runIfMain(import.meta.url, run);
