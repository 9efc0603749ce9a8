// Test harness for the camera workers: a real WorkerManager on a fresh temp data dir with real ffmpeg.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src-main/repositories/logger';
import { IngestBus } from '../../src-main/services/ingest-bus';
import type { AnalysisFrame, ClosedSegment } from '../../src-main/ports/ingest.port';
import { PushBus } from '../../src-main/services/push-bus';
import type { WorkerState } from '../../src-main/shared/contract/system.contract';
import { defaultSettings, type Settings } from '../../src-main/shared/settings';
import type { CameraRuntime } from '../../src-main/ports/camera-workers.port';
import { WorkerManager, type WorkerManagerOptions } from '../../src-main/workers/worker-manager';

export interface Harness {
  dataDir: string;
  manager: WorkerManager;
  settings: Settings;
  segments: ClosedSegment[];
  analysis: AnalysisFrame[];
  states: WorkerState[];
  cleanup(): Promise<void>;
}

export function createHarness(patch: Partial<Settings> = {}, options: Partial<WorkerManagerOptions> = {}): Harness {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-workers-'));
  const settings: Settings = { ...defaultSettings(), analysis_fps: 2, live_mjpeg_fps: 5, segment_seconds: 2, ...patch };
  const ingest = new IngestBus();
  const bus = new PushBus();
  const segments: ClosedSegment[] = [];
  const analysis: AnalysisFrame[] = [];
  const states: WorkerState[] = [];
  ingest.on('segment', (s) => segments.push(s));
  ingest.on('analysis', (f) => {
    analysis.push(f);
    if (analysis.length > 50) analysis.shift();
  });
  bus.subscribe((m) => {
    if (m.name === 'worker.state') states.push(m.payload as WorkerState);
  });
  const manager = new WorkerManager({ dataDir, ffmpeg: () => ({ path: '/usr/bin/ffmpeg', ffprobe: '/usr/bin/ffprobe' }), settings: () => settings, ingest, bus, log: silentLogger(), options });
  return {
    dataDir,
    manager,
    settings,
    segments,
    analysis,
    states,
    async cleanup() {
      await manager.stopAll();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function runtime(id: number, kind: CameraRuntime['kind'], url: string, extra: Partial<CameraRuntime> = {}): CameraRuntime {
  return { id, kind, url, username: null, password: null, rtspTransport: 'tcp', snapshotFps: 2, record: true, ...extra };
}

export async function waitFor<T>(what: string, fn: () => T | null | undefined | false, timeoutMs = 20_000, stepMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** ffmpeg processes whose parent is this test process or that are zombies/orphans referencing `needle`. */
export function ffmpegProcesses(needle: string): { pid: number; ppid: number; stat: string; args: string }[] {
  const out = execFileSync('ps', ['-eo', 'pid,ppid,stat,args'], { encoding: 'utf8' });
  return out
    .split('\n')
    .slice(1)
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), stat: m[3]!, args: m[4]! }))
    .filter((p) => p.args.includes('ffmpeg') && p.args.includes(needle));
}

/** Decode a JPEG with ffmpeg and return its dimensions (proves it is a real image). */
export function jpegSize(jpeg: Buffer): { width: number; height: number } {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', '-f', 'jpeg_pipe', '-i', 'pipe:0'], { input: jpeg, encoding: 'utf8' });
  const [w, h] = out.trim().split(',').map(Number);
  return { width: w ?? 0, height: h ?? 0 };
}

export function probeDuration(file: string): number {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], { encoding: 'utf8' });
  return Number(out.trim());
}
