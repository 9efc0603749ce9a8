// The per-camera ingest workers: one supervised ffmpeg per camera, one heartbeat for all, and their live HLS sessions.
import type { FfmpegProcessRepository } from '../repositories/ffmpeg/ffmpeg-process.repository';
import { NodeFfmpegProcessRepository } from '../repositories/ffmpeg/ffmpeg-process.repository';
import type { Logger } from '../repositories/logger';
import type { IngestSink } from '../ports/ingest.port';
import type { PushSink } from '../ports/push.port';
import type { WorkerState } from '../shared/contract/system.contract';
import type { Settings } from '../shared/settings';
import type { CameraHealth, CameraRuntime, HlsSession, LatestFrame, WorkerManagerPort } from '../ports/camera-workers.port';
import { CameraSupervisor } from './camera-supervisor';
import { cameraDirs, removeDir } from './segment-files';

export interface WorkerManagerDeps {
  dataDir: string;
  ffmpeg: () => { path: string | null; ffprobe?: string | null };
  settings: () => Settings;
  ingest: IngestSink;
  bus: PushSink;
  log: Logger;
  /** Defaults to spawning real ffmpeg children. */
  procs?: FfmpegProcessRepository;
  /** Tuning (tests and benches shorten these). */
  options?: Partial<WorkerManagerOptions>;
}

export interface WorkerManagerOptions {
  heartbeatMs: number;
  /** No frame for this long → kill and restart. */
  stallMs: number;
  /** SIGTERM → SIGKILL grace on stop. */
  stopGraceMs: number;
  /** Fallback idle time of an HLS session without touchHls; settings.hls_idle_seconds wins. */
  hlsIdleMs: number;
  /** How long startHls waits for the first playlist. */
  hlsWaitMs: number;
  hlsWindow: number;
  /** Live buffer kept when a camera does not record. */
  liveBufferMs: number;
}

const DEFAULTS: WorkerManagerOptions = { heartbeatMs: 1000, stallMs: 10_000, stopGraceMs: 4000, hlsIdleMs: 60_000, hlsWaitMs: 12_000, hlsWindow: 4, liveBufferMs: 60_000 };

const sameRuntime = (a: CameraRuntime, b: CameraRuntime): boolean => JSON.stringify(a) === JSON.stringify(b);

export class WorkerManager implements WorkerManagerPort {
  private readonly cams = new Map<number, CameraSupervisor>();
  /** Stops in flight, so a quick start after stop waits for the old child to be gone. */
  private readonly stopping = new Map<number, Promise<void>>();
  private readonly frameListeners = new Map<number, Set<(f: LatestFrame) => void>>();
  private readonly opts: WorkerManagerOptions;
  private readonly procs: FfmpegProcessRepository;
  private readonly log: Logger;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly d: WorkerManagerDeps) {
    this.opts = { ...DEFAULTS, ...d.options };
    this.procs = d.procs ?? new NodeFfmpegProcessRepository();
    this.log = d.log.child({ module: 'camera-workers' });
  }

  start(rt: CameraRuntime): void {
    const existing = this.cams.get(rt.id);
    if (existing) {
      if (!sameRuntime(existing.runtime, rt)) void existing.replace(rt);
      return;
    }
    const sup = new CameraSupervisor(rt, {
      dataDir: this.d.dataDir,
      ffmpeg: this.d.ffmpeg,
      settings: this.d.settings,
      ingest: this.d.ingest,
      procs: this.procs,
      log: this.log,
      onState: (s) => this.d.bus.emit('worker.state', s),
      onFrame: (id, f) => this.fanOut(id, f),
      stopGraceMs: this.opts.stopGraceMs,
      stallMs: this.opts.stallMs,
      liveBufferMs: this.opts.liveBufferMs,
      hlsWindow: this.opts.hlsWindow,
    });
    this.cams.set(rt.id, sup);
    this.ensureHeartbeat();
    const pending = this.stopping.get(rt.id);
    if (pending) void pending.then(() => this.cams.get(rt.id) === sup && sup.begin());
    else sup.begin();
  }

  async stop(cameraId: number): Promise<void> {
    const sup = this.cams.get(cameraId);
    if (!sup) return this.stopping.get(cameraId);
    this.cams.delete(cameraId);
    const p = sup.stop().finally(() => {
      if (this.stopping.get(cameraId) === p) this.stopping.delete(cameraId);
    });
    this.stopping.set(cameraId, p);
    if (this.cams.size === 0) this.stopHeartbeat();
    await p;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.cams.keys()].map((id) => this.stop(id)));
    await Promise.all([...this.stopping.values()]);
    this.stopHeartbeat();
  }

  health(cameraId: number): CameraHealth | null {
    return this.cams.get(cameraId)?.health() ?? null;
  }

  states(): WorkerState[] {
    return [...this.cams.values()].map((s) => s.workerState());
  }

  latest(cameraId: number): LatestFrame | null {
    return this.cams.get(cameraId)?.latest() ?? null;
  }

  /** Listeners live here, not on the camera's supervisor, so a viewer keeps its subscription across stop/start. */
  onFrame(cameraId: number, fn: (f: LatestFrame) => void): () => void {
    let set = this.frameListeners.get(cameraId);
    if (!set) this.frameListeners.set(cameraId, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0 && this.frameListeners.get(cameraId) === set) this.frameListeners.delete(cameraId);
    };
  }

  private fanOut(cameraId: number, f: LatestFrame): void {
    const set = this.frameListeners.get(cameraId);
    if (!set) return;
    for (const fn of set) {
      try {
        fn(f);
      } catch (e) {
        this.log.warn({ err: String(e), camera_id: cameraId }, 'frame listener failed');
      }
    }
  }

  async startHls(cameraId: number): Promise<HlsSession> {
    const sup = this.cams.get(cameraId);
    if (!sup) throw Object.assign(new Error('the camera is not running'), { kind: 'not-running' as const });
    return sup.startHls(this.opts.hlsWaitMs);
  }

  async stopHls(cameraId: number): Promise<void> {
    await this.cams.get(cameraId)?.stopHls();
  }

  touchHls(cameraId: number): void {
    this.cams.get(cameraId)?.touchHls();
  }

  hasHls(cameraId: number): boolean {
    return this.cams.get(cameraId)?.hasHls() ?? false;
  }

  hlsSessionCount(): number {
    let n = 0;
    for (const s of this.cams.values()) if (s.hasHls()) n++;
    return n;
  }

  async removeCameraFiles(cameraId: number): Promise<void> {
    await this.stopping.get(cameraId);
    if (this.cams.has(cameraId)) throw new Error('stop the camera before removing its worker files');
    const dirs = cameraDirs(this.d.dataDir, cameraId);
    await Promise.all([removeDir(dirs.live), removeDir(dirs.hls), removeDir(dirs.incoming)]);
  }

  /** The current ffmpeg child pid of a camera (diagnostics, tests). */
  pid(cameraId: number): number | null {
    return this.cams.get(cameraId)?.pid() ?? null;
  }

  private hlsIdleMs(): number {
    const idle = this.d.settings().hls_idle_seconds;
    return typeof idle === 'number' ? idle * 1000 : this.opts.hlsIdleMs;
  }

  private ensureHeartbeat(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      const now = Date.now();
      const idle = this.hlsIdleMs();
      for (const s of this.cams.values()) s.tick(now, idle);
    }, this.opts.heartbeatMs);
    this.timer.unref?.();
  }

  private stopHeartbeat(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
