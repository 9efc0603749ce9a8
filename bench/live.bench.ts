// Bench: a recording-only camera (analysis off, nobody watching) vs bare ffmpeg -c copy, and one camera watched by 1/4/16 MJPEG viewers.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { silentLogger } from '../src-main/repositories/logger';
import { IngestBus } from '../src-main/services/ingest-bus';
import { PushBus } from '../src-main/services/push-bus';
import { defaultSettings } from '../src-main/shared/settings';
import type { CameraRuntime } from '../src-main/ports/camera-workers.port';
import { WorkerManager } from '../src-main/workers/worker-manager';
import { h264Fixture, h264Fixture1080p15, startRtspServer } from '../test/support/rtsp-server';
import { stopChildren, tempDir, procCpu, selfCpu, sleep, type BenchRow, runIfMain } from './bench-util';

const SECONDS = Number(process.env.BENCH_LIVE_SECONDS ?? 15);
const VIEWERS = (process.env.BENCH_LIVE_VIEWERS ?? '1,4,16').split(',').map(Number).filter((n) => n > 0);
/**
 * Recording-only cameras measured together (1080p15, 2 s GOP, 3 Mbit/s): one small camera's copy costs a few clock ticks,
 * too few for a ratio; several real-sized ones make the comparison resolve to about 1 %.
 */
const REC_CAMERAS = Number(process.env.BENCH_LIVE_REC_CAMERAS ?? 8);



const rt = (id: number, url: string): CameraRuntime => ({ id, kind: 'rtsp', url, username: null, password: null, rtspTransport: 'tcp', snapshotFps: 1, record: true, analysis: 'off' });

function manager(dataDir: string): { m: WorkerManager; segments: () => number } {
  const ingest = new IngestBus();
  let segments = 0;
  ingest.on('segment', () => segments++);
  const settings = { ...defaultSettings(), segment_seconds: 4, live_mjpeg_fps: 10 };
  const m = new WorkerManager({ dataDir, ffmpeg: () => ({ path: 'ffmpeg', ffprobe: 'ffprobe' }), settings: () => settings, ingest, bus: new PushBus(), log: silentLogger() });
  return { m, segments: () => segments };
}

async function until(fn: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(50);
  }
}

/** CPU seconds of the cameras' ingest ffmpegs, their decoders (if any) and this process over the window. */
async function measure(m: WorkerManager, ids: readonly number[]): Promise<{ cpu: number; ffmpegCpu: number }> {
  const pids = () => ids.flatMap((id) => [m.pid(id), m.decoderPid(id)]);
  const before = pids();
  const f0 = before.reduce<number>((s, p) => s + procCpu(p), 0);
  const s0 = selfCpu();
  await sleep(SECONDS * 1000);
  const after = pids();
  if (after.some((p, i) => p !== before[i])) throw new Error('a process restarted during the measurement');
  const f1 = after.reduce<number>((s, p) => s + procCpu(p), 0);
  return { cpu: f1 - f0 + (selfCpu() - s0), ffmpegCpu: f1 - f0 };
}

/** CPU of n bare ffmpeg -c copy segmenters over the window, and of this (idle) process meanwhile. */
async function bareCopy(url: string, dir: string, n: number): Promise<{ ffmpeg: number; idleSelf: number }> {
  const kids: ChildProcess[] = Array.from({ length: n }, (_x, i) =>
    spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-rtsp_transport', 'tcp', '-i', url, '-map', '0:v:0', '-c:v', 'copy', '-bsf:v', 'setts=pts=if(eq(PTS\\,NOPTS)\\,DTS\\,PTS)', '-f', 'segment', '-segment_time', '4', '-segment_format', 'mpegts', '-reset_timestamps', '1', join(dir, `bare${i}-%06d.ts`)], { stdio: 'ignore' }),
  );
  const cpu = () => kids.reduce((s, c) => s + procCpu(c.pid ?? null), 0);
  try {
    await sleep(3000);
    if (kids.some((c) => c.exitCode !== null)) throw new Error('a baseline ffmpeg exited');
    const c0 = cpu();
    const s0 = selfCpu();
    await sleep(SECONDS * 1000);
    if (kids.some((c) => c.exitCode !== null)) throw new Error('a baseline ffmpeg exited during the measurement');
    return { ffmpeg: cpu() - c0, idleSelf: selfCpu() - s0 };
  } finally {
    await stopChildren(kids);
  }
}

export async function run(): Promise<BenchRow[]> {
  const rtsp = await startRtspServer({ source: h264Fixture() });
  const tmp = tempDir('vigil-bench-live-');
  const rows: BenchRow[] = [];
  try {
    // 1) recording only: analysis off and nobody watching — the cameras should cost what copying costs.
    const big = await startRtspServer({ source: h264Fixture1080p15(30) });
    const rec = manager(join(tmp.dir, 'rec'));
    try {
      const { ffmpeg: bare, idleSelf } = await bareCopy(big.url, tmp.dir, REC_CAMERAS);
      const ids = Array.from({ length: REC_CAMERAS }, (_x, i) => i + 1);
      for (const id of ids) rec.m.start(rt(id, big.url));
      await until(() => rec.segments() >= REC_CAMERAS, 60_000);
      await sleep(2000);
      const r = await measure(rec.m, ids);
      const what = `${REC_CAMERAS} cameras, 1080p15 3 Mbit/s, ${SECONDS} s`;
      rows.push({ name: 'recording-only cameras CPU, their ffmpegs', value: r.ffmpegCpu, unit: 'cpu-s', baseline: bare, ratio: r.ffmpegCpu / Math.max(bare, 0.01), note: `${what}; baseline ${REC_CAMERAS} bare ffmpeg -c copy segmenters of the same stream; goal <= 1.10x` });
      const total = r.cpu - idleSelf;
      rows.push({ name: 'recording-only cameras CPU, ffmpegs + main-process increment', value: total, unit: 'cpu-s', baseline: bare, ratio: total / Math.max(bare, 0.01), note: `adds this process's CPU above its idle ${idleSelf.toFixed(2)} s: live-stream splitting, segment hand-off, heartbeat` });
      if (ids.some((id) => rec.m.decoderPid(id) !== null)) throw new Error('a decoder ran with nobody watching');
    } finally {
      await rec.m.stopAll();
      await big.stop();
    }

    // 2) one camera watched by N MJPEG viewers: one decoder, whatever N.
    let one = 0;
    for (const n of VIEWERS) {
      const w = manager(join(tmp.dir, `view${n}`));
      try {
        w.m.start(rt(1, rtsp.url));
        const frames = new Array<number>(n).fill(0);
        const offs = frames.map((_f, i) => w.m.onFrame(1, () => frames[i]!++));
        await until(() => frames.every((f) => f > 3), 30_000);
        const r = await measure(w.m, [1]);
        offs.forEach((off) => off());
        if (n === VIEWERS[0]) one = r.cpu;
        rows.push({ name: `one camera, ${n} MJPEG viewer(s) CPU`, value: r.cpu, unit: 'cpu-s', baseline: one, ratio: r.cpu / Math.max(one, 0.01), note: `${SECONDS} s; one decoder for all viewers (decoder CPU is in the figure); goal ratio ~1` });
      } finally {
        await w.m.stopAll();
      }
    }
  } finally {
    await rtsp.stop();
    tmp.remove();
  }
  return rows;
}

runIfMain(import.meta.url, run);
