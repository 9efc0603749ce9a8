// Supervises one camera's ingest: restarts with backoff, stall detection, heartbeat state, segment hand-off and its HLS session.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FfmpegProcessRepository } from '../repositories/ffmpeg/ffmpeg-process.repository';
import type { Logger } from '../repositories/logger';
import { NodeCameraNetRepository, type CameraNetRepository } from '../repositories/net/camera-net.repository';
import { hasCredentials, resolveCredentials } from '../shared/credentials';
import type { IngestSink } from '../ports/ingest.port';
import type { WorkerState } from '../shared/contract/system.contract';
import type { Settings } from '../shared/settings';
import type { IngestMessage } from './camera-worker.protocol';
import type { CameraHealth, CameraRuntime, HlsSession } from '../ports/camera-workers.port';
import type { LiveChunk, LiveInit } from '../ports/live-stream.port';
import { GopCache } from './fmp4';
import { hasPosition, LL_HLS_DEFAULTS, LlHlsBuilder, tooFarAhead, type HlsChanges, type HlsFragmentIn, type HlsPosition } from './ll-hls';
import type { WorkerError } from './camera-worker.types';
import { CameraIngestRun } from './camera-ingest.worker';
import { cameraDirs, finalSegmentPath, moveSegment, pruneLive, removeDir, resetDir, resetIncoming, unlinkQuiet, writeAtomic, type CameraDirs } from './segment-files';
import { isStalled, planRestart, segmentTimes, stallThresholdMs, windowFps } from './supervisor-policy';

export interface SupervisorDeps {
  dataDir: string;
  ffmpeg: () => { path: string | null; ffprobe?: string | null };
  settings: () => Settings;
  ingest: IngestSink;
  procs: FfmpegProcessRepository;
  /** Credential relays and the auth-aware fetch; defaults to real sockets. */
  net?: CameraNetRepository;
  log: Logger;
  onState: (s: WorkerState) => void;
  /** A JPEG still the ingest made anyway (analysis stills of a detecting camera). */
  onShot: (cameraId: number, jpeg: Buffer, tsMs: number) => void;
  /** Every chunk of the copy live stream. */
  onLive: (cameraId: number, c: LiveChunk) => void;
  stopGraceMs: number;
  stallMs: number;
  liveBufferMs: number;
  /** Complete segments listed in the live HLS playlist. */
  hlsWindow: number;
}

interface HlsWaiter {
  msn: number;
  part: number | null;
  done: (r: 'ok' | 'gone') => void;
}

interface HlsState {
  dir: string;
  builder: LlHlsBuilder;
  lastTouch: number;
  /** Where the playlist on disk ends (blocking reloads are answered against it, not against the builder). */
  written: HlsPosition;
  waiters: Set<HlsWaiter>;
  /** Serialises the session's file writes. */
  chain: Promise<void>;
}

const ingestKey = (s: Settings): string => JSON.stringify([s.segment_seconds, s.analysis_fps, s.analysis_width]);

export class CameraSupervisor {
  private run: CameraIngestRun | null = null;
  private spawning = false;
  private cmdSeq = 0;
  private runNo = 0;
  private runStarted = 0;
  private runFirstFrame: number | null = null;
  private attempt = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private state: WorkerState;
  private lastFrameMs: number | null = null;
  private readonly arrivals: number[] = [];
  private liveInit: LiveInit | null = null;
  private readonly gop = new GopCache<HlsFragmentIn & { videoSamples: number }>();
  private input: { codec: string | null; width: number | null; height: number | null } = { codec: null, width: null, height: null };
  private copyVideo = false;
  private lastSegEnd: number | null = null;
  private anchorMs: number | null = null;
  private pendingDriftMs: number | null = null;
  private segChain: Promise<void> = Promise.resolve();
  private hls: HlsState | null = null;
  private fileCodec: string | null | undefined;
  private settingsKey = '';
  private lastPruneMs = 0;
  private transportNoted = false;
  readonly dirs: CameraDirs;
  private readonly log: Logger;
  private readonly net: CameraNetRepository;

  constructor(
    private rt: CameraRuntime,
    private readonly d: SupervisorDeps,
  ) {
    this.dirs = cameraDirs(d.dataDir, rt.id);
    this.log = d.log.child({ camera_id: rt.id });
    this.net = d.net ?? new NodeCameraNetRepository();
    this.state = { camera_id: rt.id, state: 'starting', pid: null, restarts: 0, last_error: null };
  }

  get runtime(): CameraRuntime {
    return this.rt;
  }

  workerState(): WorkerState {
    return { ...this.state };
  }

  health(): CameraHealth {
    return { lastFrameMs: this.lastFrameMs, fps: windowFps(this.arrivals, Date.now()), state: this.workerState() };
  }

  /** The copy stream's current init segment and the fragments of its last GOP (from a keyframe). */
  live(): { init: LiveInit | null; fragments: readonly { data: Buffer; key: boolean }[] } {
    return { init: this.liveInit, fragments: this.gop.fragments() };
  }

  private setState(patch: Partial<WorkerState>): void {
    const next = { ...this.state, ...patch };
    if (next.state === this.state.state && next.pid === this.state.pid && next.restarts === this.state.restarts && next.last_error === this.state.last_error) return;
    this.state = next;
    this.d.onState({ ...next });
  }

  begin(): void {
    this.stopped = false;
    this.setState({ state: 'starting', last_error: null });
    void this.spawn();
  }

  /** Replace the runtime: stop the current run and start again at once. */
  async replace(rt: CameraRuntime): Promise<void> {
    const urlChanged = rt.url !== this.rt.url || rt.kind !== this.rt.kind;
    if (rt.rtspTransport !== this.rt.rtspTransport) this.transportNoted = false;
    this.rt = rt;
    if (urlChanged) {
      this.fileCodec = undefined;
      this.lastSegEnd = null;
    }
    await this.stopRun('restart');
    if (this.stopped) return;
    this.attempt = 0;
    this.setState({ state: 'starting', last_error: null });
    void this.spawn();
  }

  private async spawn(): Promise<void> {
    if (this.stopped || this.run || this.spawning) return;
    this.spawning = true;
    try {
      await this.spawnOnce();
    } finally {
      this.spawning = false;
    }
  }

  private async spawnOnce(): Promise<void> {
    const ff = this.d.ffmpeg();
    if (!ff.path) {
      this.fail({ kind: 'ffmpeg-missing', message: 'ffmpeg was not found (--ffmpeg, VIGIL_FFMPEG/FFMPEG_PATH, PATH, @ffmpeg-installer/ffmpeg)' }, Date.now(), null);
      return;
    }
    const s = this.d.settings();
    this.settingsKey = ingestKey(s);
    if (this.rt.kind === 'file' && this.fileCodec === undefined) this.fileCodec = await this.d.procs.probeVideoCodec(ff.ffprobe ?? null, ff.path, this.rt.url);
    if (this.stopped || this.run) return;
    await this.segChain;
    if (this.stopped || this.run) return;
    await resetIncoming(this.dirs.incoming).catch((e: unknown) => this.log.warn({ err: String(e) }, 'could not reset the incoming folder'));
    if (this.stopped || this.run) return;
    this.noteRelayTransport();
    const runNo = ++this.runNo;
    this.runStarted = Date.now();
    this.runFirstFrame = null;
    this.lastSegEnd = null;
    this.anchorMs = null;
    this.pendingDriftMs = null;
    const run = new CameraIngestRun({
      run: runNo,
      rt: this.rt,
      ffmpegPath: ff.path,
      procs: this.d.procs,
      net: this.net,
      log: this.log,
      args: {
        fileCodec: this.fileCodec ?? null,
        segmentDir: this.dirs.incoming,
        segmentPrefix: `r${runNo}-${this.runStarted}`,
        segmentSeconds: s.segment_seconds,
        analysisFps: s.analysis_fps,
        analysisWidth: s.analysis_width,
        analysisFit: this.rt.analysisFit ?? null,
        faceFps: this.rt.faceFps ?? null,
      },
      onMessage: (m) => this.onMessage(m),
    });
    this.run = run;
    run.start();
  }

  /** A camera with credentials is read through the loopback relay, which speaks RTSP over TCP only. */
  private noteRelayTransport(): void {
    if (this.transportNoted || this.rt.kind !== 'rtsp' || this.rt.rtspTransport !== 'udp') return;
    if (!hasCredentials(resolveCredentials(this.rt.url, this.rt.username, this.rt.password))) return;
    this.transportNoted = true;
    this.log.info('camera has credentials: RTSP runs over TCP through the local credential relay, not UDP');
  }

  private onMessage(m: IngestMessage): void {
    if (m.run !== this.runNo && m.type !== 'segment' && m.type !== 'exited') return;
    switch (m.type) {
      case 'spawned':
        this.log.info({ pid: m.pid, cmd: m.command }, 'ffmpeg started');
        this.copyVideo = m.copy_video;
        this.setState({ pid: m.pid });
        return;
      case 'input':
        this.input = { codec: m.codec, width: m.width, height: m.height };
        return;
      case 'shot':
        this.d.onShot(this.rt.id, m.jpeg, m.ts_ms);
        return;
      case 'live-init': {
        const init: LiveInit = { data: m.data, codecs: m.codecs, hasAudio: m.has_audio };
        this.liveInit = init;
        this.gop.clear();
        this.log.info({ codecs: m.codecs }, 'live stream started');
        if (this.hls) this.applyHls(this.hls, this.hls.builder.init(m.data));
        this.d.onLive(this.rt.id, { type: 'init', init });
        return;
      }
      case 'live-fragment': {
        if (m.video_samples > 0) {
          this.gotFrame(m.ts_ms);
          // Frames of a fragment arrive together; their count over the window is the input rate.
          for (let k = 0; k < m.video_samples; k++) this.arrivals.push(m.ts_ms);
          if (this.arrivals.length > 400) this.arrivals.splice(0, this.arrivals.length - 400);
        }
        const fragment = { data: m.data, key: m.key };
        const timed: HlsFragmentIn = { ...fragment, durationSec: m.duration_sec, wallMs: m.ts_ms };
        this.gop.add({ ...timed, videoSamples: m.video_samples });
        if (this.hls) this.applyHls(this.hls, this.hls.builder.fragment(timed));
        this.d.onLive(this.rt.id, { type: 'fragment', fragment });
        return;
      }
      case 'analysis':
        this.gotFrame(m.ts_ms);
        this.d.ingest.emit('analysis', { camera_id: this.rt.id, ts_ms: m.ts_ms, width: m.width, height: m.height, format: 'rgb24', data: m.data });
        return;
      case 'face-frame':
        this.d.ingest.emit('face', { camera_id: this.rt.id, ts_ms: m.ts_ms, width: m.width, height: m.height, format: 'rgb24', data: m.data });
        return;
      case 'segment':
        // A closed segment is data from the source too: a camera whose live stream failed (the tee drops a slave it
        // cannot write) still records, and must not be restarted as stalled when it decodes nothing.
        if (m.run === this.runNo) this.gotFrame(m.closed_ms);
        const t = segmentTimes({ anchorMs: this.anchorMs, lastEndMs: this.lastSegEnd, pendingDriftMs: this.pendingDriftMs }, m.start_sec, m.end_sec, m.closed_ms);
        this.anchorMs = t.clock.anchorMs;
        this.lastSegEnd = t.clock.lastEndMs;
        this.pendingDriftMs = t.clock.pendingDriftMs ?? null;
        this.segChain = this.segChain.then(() => this.onSegment(m.path, t.startMs, t.endMs)).catch((e: unknown) => this.log.warn({ err: String(e) }, 'segment hand-off failed'));
        return;
      case 'log':
        this.log.debug({ line: m.line }, 'ffmpeg');
        return;
      case 'error':
        this.setState({ last_error: `${m.error.kind}: ${m.error.message}` });
        return;
      case 'exited':
        if (m.run !== this.runNo) return;
        this.onExit(m.error, m.requested);
        return;
    }
  }

  private gotFrame(ts: number): void {
    this.lastFrameMs = ts;
    if (this.runFirstFrame === null) {
      this.runFirstFrame = ts;
      this.setState({ state: 'running', last_error: null });
    }
  }

  private onExit(error: WorkerError | null, requested: boolean): void {
    const ended = Date.now();
    this.run = null;
    this.segChain = this.segChain.then(() => this.flushIncoming(ended)).catch((e: unknown) => this.log.warn({ err: String(e) }, 'final segment hand-off failed'));
    if (requested || this.stopped) {
      this.setState({ pid: null });
      return;
    }
    this.fail(error ?? { kind: 'exit', message: 'ffmpeg exited' }, ended, this.runFirstFrame);
  }

  private fail(error: WorkerError, ended: number, firstFrame: number | null): void {
    const plan = planRestart(this.attempt, { startedMs: this.runStarted || ended, firstFrameMs: firstFrame, endedMs: ended });
    this.attempt = plan.attempt;
    this.log.warn({ kind: error.kind, err: error.message, retry_ms: plan.delayMs }, 'ingest stopped; restarting after backoff');
    this.setState({ state: error.kind === 'ffmpeg-missing' ? 'error' : 'backoff', pid: null, last_error: `${error.kind}: ${error.message}` });
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.stopped) return;
      // Stays 'backoff' (with its last_error) until the new child delivers a frame, so status does not flap per retry.
      this.setState({ restarts: this.state.restarts + 1 });
      void this.spawn();
    }, plan.delayMs);
    this.restartTimer.unref?.();
  }

  /** The heartbeat (about every second): fps, staleness, stall restarts, settings changes, HLS idle. */
  tick(now: number, hlsIdleMs: number): void {
    windowFps(this.arrivals, now);
    const run = this.run;
    if (run && !this.stopped) {
      const threshold = stallThresholdMs(this.rt.kind, this.rt.snapshotFps, this.d.stallMs);
      if (isStalled(now, this.runStarted, this.runFirstFrame === null ? null : this.lastFrameMs, threshold)) {
        this.log.warn({ threshold_ms: threshold }, 'ingest stalled; restarting');
        void run.command({ seq: ++this.cmdSeq, type: 'stop', reason: 'stall', graceMs: 1000 });
      } else if (ingestKey(this.d.settings()) !== this.settingsKey) {
        void this.replace(this.rt);
      }
    }
    if (this.hls && now - this.hls.lastTouch > hlsIdleMs) void this.stopHls();
    if (!this.rt.record && now - this.lastPruneMs > 5000) {
      this.lastPruneMs = now;
      void pruneLive(this.dirs.live, now - this.d.liveBufferMs - 10_000);
    }
  }

  private async onSegment(path: string, start: number, end: number): Promise<void> {
    if (end - start <= 0) {
      await unlinkQuiet(path);
      return;
    }
    let dest: string;
    let bytes: number;
    if (this.rt.record) {
      ({ path: dest, bytes } = await moveSegment(path, finalSegmentPath(this.dirs.segments, start)));
    } else {
      ({ path: dest, bytes } = await moveSegment(path, join(this.dirs.live, `${start}.ts`)));
      void pruneLive(this.dirs.live, Date.now() - this.d.liveBufferMs);
    }
    if (this.rt.record) {
      const codec = this.copyVideo ? this.input.codec : 'h264';
      this.d.ingest.emit('segment', { camera_id: this.rt.id, path: dest, start_ms: start, end_ms: end, bytes, codec: codec ?? this.input.codec, width: this.input.width, height: this.input.height });
    }
  }

  // ---- HLS: low-latency parts and segments cut from the in-memory copy stream of this same ingest ----

  hasHls(): boolean {
    return this.hls !== null;
  }

  touchHls(): void {
    if (this.hls) this.hls.lastTouch = Date.now();
  }

  async startHls(waitMs: number): Promise<HlsSession> {
    // Hold on to this call's session: a close that lands during any await below replaces or clears this.hls.
    let h = this.hls;
    if (!h) {
      const builder = new LlHlsBuilder({ ...LL_HLS_DEFAULTS, windowSegments: this.d.hlsWindow });
      const created: HlsState = { dir: this.dirs.hls, builder, lastTouch: Date.now(), written: builder.position(), waiters: new Set(), chain: resetDir(this.dirs.hls) };
      h = this.hls = created;
      // The cached GOP starts the first segment at once, from its keyframe.
      if (this.liveInit) {
        this.applyHls(created, builder.init(this.liveInit.data));
        for (const f of this.gop.fragments()) this.applyHls(created, builder.fragment(f));
      }
    }
    const closed = () => Object.assign(new Error('the HLS session was closed while starting'), { kind: 'hls-closed' as const });
    if (this.hls !== h) throw closed();
    h.lastTouch = Date.now();
    const deadline = Date.now() + waitMs;
    // Ready once the playlist on disk lists a complete segment (players without low-latency support can start).
    const ready = (s: HlsState) => s.written.lastComplete !== null;
    while (!ready(h) && this.hls === h && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (this.hls !== h) throw closed();
    if (!ready(h)) {
      // A session that never became ready would otherwise hold one of hls_max_sessions until it idles out.
      await this.stopHls();
      throw Object.assign(new Error('no live segments yet; the camera is not delivering'), { kind: 'hls-timeout' as const });
    }
    return { dir: h.dir, playlist: join(h.dir, 'index.m3u8') };
  }

  /** Writes the builder's new files, then the playlist, then answers the blocking reloads that playlist satisfies. */
  private applyHls(h: HlsState, ch: HlsChanges): void {
    if (!ch.write.length && !ch.remove.length && !ch.changed) return;
    const playlist = ch.changed ? h.builder.playlist() : null;
    const pos = h.builder.position();
    h.chain = h.chain
      .then(async () => {
        if (this.hls !== h) return;
        for (const f of ch.write) await writeAtomic(join(h.dir, f.name), f.data);
        if (playlist !== null) await writeAtomic(join(h.dir, 'index.m3u8'), playlist);
        for (const name of ch.remove) await unlinkQuiet(join(h.dir, name));
        if (playlist === null) return;
        h.written = pos;
        for (const w of h.waiters) if (hasPosition(pos, w.msn, w.part)) w.done('ok');
      })
      .catch((e: unknown) => this.log.warn({ err: String(e) }, 'HLS update failed'));
  }

  waitHls(msn: number, part: number | null, timeoutMs: number): Promise<'ok' | 'too-far' | 'timeout' | 'gone'> {
    const h = this.hls;
    if (!h) return Promise.resolve('gone');
    if (hasPosition(h.written, msn, part)) return Promise.resolve('ok');
    if (tooFarAhead(h.written, msn)) return Promise.resolve('too-far');
    return new Promise((resolve) => {
      const w: HlsWaiter = {
        msn,
        part,
        done: (r) => {
          clearTimeout(timer);
          h.waiters.delete(w);
          resolve(r);
        },
      };
      const timer = setTimeout(() => {
        h.waiters.delete(w);
        resolve('timeout');
      }, timeoutMs);
      h.waiters.add(w);
    });
  }

  async stopHls(): Promise<void> {
    const h = this.hls;
    if (!h) return;
    this.hls = null;
    for (const w of [...h.waiters]) w.done('gone');
    await h.chain.catch(() => undefined);
    await removeDir(h.dir);
  }

  private async stopRun(reason: 'requested' | 'restart'): Promise<void> {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const run = this.run;
    if (!run) return;
    await run.command({ seq: ++this.cmdSeq, type: 'stop', reason, graceMs: this.d.stopGraceMs });
    this.run = null;
    await this.segChain;
  }

  /**
   * ffmpeg interrupts I/O once signalled, so the segment open at stop is often never announced on the list pipe.
   * Hand it off anyway: it continues the last announced segment and ends now.
   */
  private async flushIncoming(now: number): Promise<void> {
    let names: string[];
    try {
      names = (await readdir(this.dirs.incoming)).filter((n) => n.endsWith('.ts')).sort();
    } catch {
      return;
    }
    const name = names.at(-1);
    if (!name) return;
    const from = this.lastSegEnd ?? this.runFirstFrame;
    const path = join(this.dirs.incoming, name);
    const size = await stat(path).then((st) => st.size, () => 0);
    if (from === null || size < 1024 || now - from < 200) return;
    this.lastSegEnd = now;
    await this.onSegment(path, from, now);
  }

  /** Stop for good: the child is gone (SIGTERM, then SIGKILL) and the last segment handed off before this resolves. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.stopRun('requested');
    await this.stopHls();
    this.liveInit = null;
    this.gop.clear();
    this.setState({ state: 'stopped', pid: null });
  }

  /** A pushed JPEG for a push camera's ingest (Streams); false when no ingest is running. */
  pushFrame(jpeg: Buffer): boolean {
    return this.run?.pushFrame(jpeg) ?? false;
  }

  /** Current ffmpeg child pid (for tests and diagnostics). */
  pid(): number | null {
    return this.run?.pid ?? null;
  }
}
