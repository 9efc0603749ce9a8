// The per-camera ingest workers: one supervised ffmpeg per camera, one heartbeat for all, their copy live streams,
// on-demand decoders and live HLS sessions.
import type { FfmpegProcessRepository } from '../repositories/ffmpeg/ffmpeg-process.repository';
import { NodeFfmpegProcessRepository } from '../repositories/ffmpeg/ffmpeg-process.repository';
import type { Logger } from '../repositories/logger';
import type { IngestSink } from '../ports/ingest.port';
import type { PushSink } from '../ports/push.port';
import type { WorkerState } from '../shared/contract/system.contract';
import type { Settings } from '../shared/settings';
import type { CameraHealth, CameraRuntime, HlsSession, LatestFrame, WorkerManagerPort } from '../ports/camera-workers.port';
import type { LiveChunk } from '../ports/live-stream.port';
import { CameraSupervisor } from './camera-supervisor';
import { LiveDecoder } from './live-decoder';
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
  /** Complete (about 1 s) segments listed in a live HLS playlist. */
  hlsWindow: number;
  /** Live buffer kept when a camera does not record. */
  liveBufferMs: number;
  /** The on-demand decoder keeps running this long after its last viewer left (a viewer that reconnects reuses it). */
  decoderLingerMs: number;
  /** A snapshot decoded from the latest keyframe is served again for this long. */
  snapshotCacheMs: number;
  /** A frame younger than this is a snapshot as it is. */
  freshFrameMs: number;
  /** Longest width of decoded live JPEGs. */
  liveMaxWidth: number;
}

const DEFAULTS: WorkerManagerOptions = {
  heartbeatMs: 1000,
  stallMs: 10_000,
  stopGraceMs: 4000,
  hlsIdleMs: 60_000,
  hlsWaitMs: 12_000,
  hlsWindow: 6,
  liveBufferMs: 60_000,
  decoderLingerMs: 5000,
  snapshotCacheMs: 2000,
  freshFrameMs: 1500,
  liveMaxWidth: 1280,
};

interface DecoderSlot {
  decoder: LiveDecoder;
  /** The live_mjpeg_fps it was started with: a settings change replaces the decoder on the next heartbeat. */
  fps: number;
  off: () => void;
  linger: NodeJS.Timeout | null;
}

const sameRuntime = (a: CameraRuntime, b: CameraRuntime): boolean => JSON.stringify(a) === JSON.stringify(b);

export class WorkerManager implements WorkerManagerPort {
  private readonly cams = new Map<number, CameraSupervisor>();
  /** Stops in flight, so a quick start after stop waits for the old child to be gone. */
  private readonly stopping = new Map<number, Promise<void>>();
  /** Viewers of decoded frames (they keep the decoder running) and passive watchers of the analysis stills. */
  private readonly frameListeners = new Map<number, Set<(f: LatestFrame) => void>>();
  private readonly stillWatchers = new Map<number, Set<(f: LatestFrame) => void>>();
  private readonly liveListeners = new Map<number, Set<(c: LiveChunk) => void>>();
  private readonly latestFrames = new Map<number, LatestFrame>();
  private readonly decoders = new Map<number, DecoderSlot>();
  private readonly snapshots = new Map<number, Promise<LatestFrame | null>>();
  private frameSeq = 0;
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
      if (existing.runtime.url !== rt.url || existing.runtime.kind !== rt.kind) this.latestFrames.delete(rt.id);
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
      onShot: (id, jpeg, ts) => this.publishStill(id, jpeg, ts),
      onLive: (id, c) => this.fanOutLive(id, c),
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
    this.latestFrames.delete(cameraId);
    const slot = this.decoders.get(cameraId);
    const decoderGone = slot ? this.dropDecoder(cameraId, slot) : Promise.resolve();
    // Both children are reaped before this resolves: no zombie outlives a stop.
    const p = Promise.all([sup.stop(), decoderGone]).then(() => undefined).finally(() => {
      if (this.stopping.get(cameraId) === p) this.stopping.delete(cameraId);
    });
    this.stopping.set(cameraId, p);
    if (this.cams.size === 0) this.stopHeartbeat();
    await p;
  }

  async stopAll(): Promise<void> {
    const decoders = [...this.decoders].map(([id, slot]) => this.dropDecoder(id, slot));
    await Promise.all([...this.cams.keys()].map((id) => this.stop(id)));
    await Promise.all(decoders);
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
    return this.latestFrames.get(cameraId) ?? null;
  }

  /** Listeners live here, not on the camera's supervisor, so a viewer keeps its subscription across stop/start. */
  onFrame(cameraId: number, fn: (f: LatestFrame) => void): () => void {
    const off = this.listen(this.frameListeners, cameraId, fn);
    this.ensureDecoder(cameraId);
    return () => {
      off();
      if (!this.frameListeners.has(cameraId)) this.releaseDecoder(cameraId);
    };
  }

  watchStills(cameraId: number, fn: (f: LatestFrame) => void): () => void {
    return this.listen(this.stillWatchers, cameraId, fn);
  }

  subscribeLive(cameraId: number, fn: (c: LiveChunk) => void): () => void {
    const off = this.listen(this.liveListeners, cameraId, fn);
    const live = this.cams.get(cameraId)?.live();
    if (live?.init) {
      fn({ type: 'init', init: live.init });
      for (const f of live.fragments) fn({ type: 'fragment', fragment: { data: f.data, key: f.key } });
    }
    return off;
  }

  decoderPid(cameraId: number): number | null {
    return this.decoders.get(cameraId)?.decoder.pid ?? null;
  }

  snapshot(cameraId: number): Promise<LatestFrame | null> {
    const f = this.latestFrames.get(cameraId);
    const fresh = f && Date.now() - f.ts_ms < (this.decoders.has(cameraId) ? this.opts.freshFrameMs : this.opts.snapshotCacheMs);
    if (fresh || !this.cams.has(cameraId)) return Promise.resolve(f ?? null);
    let p = this.snapshots.get(cameraId);
    if (!p) {
      p = this.decodeKeyframe(cameraId).finally(() => this.snapshots.delete(cameraId));
      this.snapshots.set(cameraId, p);
    }
    return p;
  }

  /** One ffmpeg decodes the cached GOP's keyframe into a single JPEG and exits. */
  private decodeKeyframe(cameraId: number): Promise<LatestFrame | null> {
    const live = this.cams.get(cameraId)?.live();
    const key = live?.fragments[0];
    const ff = this.d.ffmpeg().path;
    if (!live?.init || !key?.key || !ff) return Promise.resolve(this.latestFrames.get(cameraId) ?? null);
    const init = live.init;
    return new Promise((resolve) => {
      let got: LatestFrame | null = null;
      const dec = new LiveDecoder({
        ffmpegPath: ff,
        procs: this.procs,
        log: this.log.child({ camera_id: cameraId }),
        fps: 1,
        maxWidth: this.opts.liveMaxWidth,
        once: true,
        onFrame: (jpeg, ts) => (got = this.publish(cameraId, jpeg, ts)),
        onExit: () => {
          clearTimeout(timer);
          resolve(got ?? this.latestFrames.get(cameraId) ?? null);
        },
      });
      const timer = setTimeout(() => {
        void dec.stop(200);
        resolve(got ?? this.latestFrames.get(cameraId) ?? null);
      }, 5000);
      dec.feed({ type: 'init', init });
      dec.feed({ type: 'fragment', fragment: { data: key.data, key: true } });
      dec.endInput();
    });
  }

  private ensureDecoder(cameraId: number): void {
    const slot = this.decoders.get(cameraId);
    if (slot) {
      if (slot.linger) clearTimeout(slot.linger);
      slot.linger = null;
      return;
    }
    const ff = this.d.ffmpeg().path;
    if (!ff) return;
    const fps = this.d.settings().live_mjpeg_fps;
    const decoder = new LiveDecoder({
      ffmpegPath: ff,
      procs: this.procs,
      log: this.log.child({ camera_id: cameraId }),
      fps,
      maxWidth: this.opts.liveMaxWidth,
      onFrame: (jpeg, ts) => this.publish(cameraId, jpeg, ts),
    });
    const created: DecoderSlot = { decoder, fps, off: () => undefined, linger: null };
    this.decoders.set(cameraId, created);
    created.off = this.subscribeLive(cameraId, (c) => decoder.feed(c));
  }

  /**
   * A changed live_mjpeg_fps reaches running decoders: each watched one is replaced (the new one starts at once on the
   * cached GOP, viewers stay subscribed); a lingering one is simply left to stop.
   */
  private applyDecoderRate(): void {
    const fps = this.d.settings().live_mjpeg_fps;
    for (const [id, slot] of [...this.decoders]) {
      if (slot.fps === fps || slot.linger) continue;
      this.log.info({ camera_id: id, from: slot.fps, to: fps }, 'live MJPEG rate changed; restarting the decoder');
      void this.dropDecoder(id, slot);
      this.ensureDecoder(id);
    }
  }

  private releaseDecoder(cameraId: number): void {
    const slot = this.decoders.get(cameraId);
    if (!slot || slot.linger) return;
    slot.linger = setTimeout(() => {
      if (this.decoders.get(cameraId) === slot && !this.frameListeners.has(cameraId)) void this.dropDecoder(cameraId, slot);
    }, this.opts.decoderLingerMs);
    slot.linger.unref?.();
  }

  private dropDecoder(cameraId: number, slot: DecoderSlot): Promise<void> {
    if (slot.linger) clearTimeout(slot.linger);
    slot.off();
    this.decoders.delete(cameraId);
    return slot.decoder.stop(this.opts.stopGraceMs);
  }

  private listen<T>(map: Map<number, Set<(v: T) => void>>, cameraId: number, fn: (v: T) => void): () => void {
    let set = map.get(cameraId);
    if (!set) map.set(cameraId, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0 && map.get(cameraId) === set) map.delete(cameraId);
    };
  }

  private publish(cameraId: number, jpeg: Buffer, ts: number): LatestFrame {
    // The same picture twice (a snapshot's keyframe, then the live decoder starting on that keyframe) is not a new frame.
    const prev = this.latestFrames.get(cameraId);
    if (prev && prev.jpeg.length === jpeg.length && prev.jpeg.equals(jpeg)) return prev;
    const f: LatestFrame = { jpeg, ts_ms: ts, seq: ++this.frameSeq };
    if (this.cams.has(cameraId)) this.latestFrames.set(cameraId, f);
    this.fanOut(this.frameListeners.get(cameraId), cameraId, f);
    return f;
  }

  /**
   * An analysis still (stamped with its analysed frame's time): the analysis watchers get it, and it is the snapshot
   * while no decoder runs. Viewers never do: interleaved with the decoder's frames, which come later down a longer
   * path, their picture would jump back and forth in time.
   */
  private publishStill(cameraId: number, jpeg: Buffer, ts: number): void {
    const f: LatestFrame = { jpeg, ts_ms: ts, seq: ++this.frameSeq };
    if (this.cams.has(cameraId) && !this.decoders.has(cameraId)) this.latestFrames.set(cameraId, f);
    this.fanOut(this.stillWatchers.get(cameraId), cameraId, f);
  }

  private fanOutLive(cameraId: number, c: LiveChunk): void {
    this.fanOut(this.liveListeners.get(cameraId), cameraId, c);
  }

  private fanOut<T>(set: Set<(v: T) => void> | undefined, cameraId: number, v: T): void {
    if (!set) return;
    for (const fn of [...set]) {
      try {
        fn(v);
      } catch (e) {
        this.log.warn({ err: String(e), camera_id: cameraId }, 'live listener failed');
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

  waitHls(cameraId: number, msn: number, part: number | null, timeoutMs: number): Promise<'ok' | 'too-far' | 'timeout' | 'gone'> {
    return this.cams.get(cameraId)?.waitHls(msn, part, timeoutMs) ?? Promise.resolve('gone');
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

  /** Feeds a pushed JPEG to a push camera's ingest; false when it is not running (or too far behind to take it). */
  pushFrame(cameraId: number, jpeg: Buffer): boolean {
    return this.cams.get(cameraId)?.pushFrame(jpeg) ?? false;
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
      this.applyDecoderRate();
    }, this.opts.heartbeatMs);
    this.timer.unref?.();
  }

  private stopHeartbeat(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
