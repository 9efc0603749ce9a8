// One ingest run of one camera: its credential relay, its single ffmpeg child, the pipes split and reported through the worker protocol.
import { join } from 'node:path';
import type { FfmpegChild, FfmpegProcessRepository } from '../repositories/ffmpeg/ffmpeg-process.repository';
import type { Logger } from '../repositories/logger';
import type { AuthRelay, CameraNetRepository } from '../repositories/net/camera-net.repository';
import { hasCredentials, redact, redactArgs, resolveCredentials, type SplitUrl } from '../shared/credentials';
import type { IngestMessage, SupervisorCommand } from './camera-worker.protocol';
import type { CameraRuntime } from '../ports/camera-workers.port';
import type { WorkerError } from './camera-worker.types';
import { Fmp4Splitter } from './fmp4';
import { JpegSplitter, LineSplitter, PpmSplitter, parseSegmentListLine } from './frame-splitters';
import { FD_ANALYSIS, FD_FACES, FD_LIVE, FD_SEGMENT_LIST, FD_SHOTS, buildIngestArgs, type IngestArgsInput, type NetworkInput } from './ingest-args';
import { classifyExit } from './supervisor-policy';
import { StillPairer } from './still-pairer';

/**
 * Ingest ffmpegs run below normal priority: when cameras' decoding outgrows the machine, the event loop (API, UI pushes,
 * segment hand-off) and the viewers' decoders still get the CPU at once; the ingests use all that is left. Copying is
 * buffered by the pipes and sockets, so a short wait costs no data.
 */
export const INGEST_NICENESS = 10;

type Payload<M> = M extends IngestMessage ? Omit<M, 'seq' | 'run'> : never;

export interface IngestRunOptions {
  run: number;
  rt: CameraRuntime;
  ffmpegPath: string;
  args: Omit<IngestArgsInput, 'rt'>;
  procs: FfmpegProcessRepository;
  net: CameraNetRepository;
  log: Logger;
  onMessage: (m: IngestMessage) => void;
}

/** The relay must answer ffmpeg before ffmpeg's own I/O timeout gives up on it. */
const RELAY_CONNECT_MS = 4000;

const STDERR_TAIL = 30;
/** Unwritten pushed JPEG bytes after which new frames of a push camera are dropped (ffmpeg is behind). */
const PUSH_BACKLOG_BYTES = 8 * 1024 * 1024;

export class CameraIngestRun {
  private seq = 0;
  private child: FfmpegChild | null = null;
  private stopRequested = false;
  /** Any stop command, including a stall restart; a launch still opening its relay then spawns nothing. */
  private stopCommanded = false;
  private readonly tail: string[] = [];
  private pollerError: WorkerError | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private pollAbort = new AbortController();
  private inputReported = false;
  private relay: AuthRelay | null = null;
  private readonly source: SplitUrl;
  readonly done: Promise<void>;
  private resolveDone!: () => void;

  constructor(private readonly o: IngestRunOptions) {
    this.done = new Promise((r) => (this.resolveDone = r));
    this.source = resolveCredentials(o.rt.url, o.rt.username, o.rt.password);
  }

  /** Secrets to scrub from any text this run reports, beyond userinfo and Authorization values. */
  private get secrets(): (string | null)[] {
    return [this.source.password];
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  private send(p: Payload<IngestMessage>): void {
    this.o.onMessage({ ...p, seq: ++this.seq, run: this.o.run } as IngestMessage);
  }

  start(): void {
    void this.launch();
  }

  /** rtsp/mjpeg with credentials go through a loopback relay, so neither the URL nor the password is ever an argument. */
  private async openNetwork(): Promise<NetworkInput | null> {
    const { kind } = this.o.rt;
    const src = this.source;
    if ((kind !== 'rtsp' && kind !== 'mjpeg') || !hasCredentials(src)) return null;
    const opts = { upstream: src.url, credentials: { username: src.username, password: src.password ?? '' }, log: this.o.log, connectTimeoutMs: RELAY_CONNECT_MS };
    this.relay = kind === 'rtsp' ? await this.o.net.rtspRelay(opts) : await this.o.net.httpRelay(opts);
    return { url: this.relay.url, relayed: true };
  }

  private async launch(): Promise<void> {
    let network: NetworkInput | null;
    try {
      network = await this.openNetwork();
    } catch (e) {
      this.finish(null, null, this.stopRequested ? null : { kind: 'spawn', message: `could not open the credential relay: ${redact(e instanceof Error ? e.message : String(e), this.secrets)}` });
      return;
    }
    if (this.stopCommanded) {
      await this.relay?.close();
      this.finish(null, null, null);
      return;
    }
    this.spawnChild(network);
  }

  private finish(code: number | null, signal: string | null, error: WorkerError | null): void {
    this.send({ type: 'exited', code, signal, error, requested: this.stopRequested });
    this.resolveDone();
  }

  private spawnChild(network: NetworkInput | null): void {
    const plan = buildIngestArgs({ ...this.o.args, rt: this.o.rt, ...(network ? { network } : {}) });
    const child = this.o.procs.spawn(this.o.ffmpegPath, plan.args, { stdin: plan.stdin, extraFds: plan.fds, niceness: INGEST_NICENESS });
    this.child = child;
    this.send({ type: 'spawned', pid: child.pid, command: redactArgs([this.o.ffmpegPath, ...plan.args], this.secrets), copy_video: plan.copyVideo });

    const lines = new LineSplitter();
    child.stderr.on('data', (d: Buffer) => {
      for (const raw of lines.push(d)) this.onStderr(redact(raw, this.secrets));
    });
    const segList = new LineSplitter();
    child.fds.get(FD_SEGMENT_LIST)?.on('data', (d: Buffer) => {
      for (const line of segList.push(d)) {
        const e = parseSegmentListLine(line);
        if (e) this.send({ type: 'segment', path: join(this.o.args.segmentDir, e.file), start_sec: e.startSec, end_sec: e.endSec, closed_ms: Date.now() });
      }
    });
    // Stills and analysis frames are the same pictures (one rate filter, two outputs): each still takes its frame's time.
    const pairer = plan.fds.includes(FD_ANALYSIS) && plan.fds.includes(FD_SHOTS) ? new StillPairer() : null;
    const ppm = new PpmSplitter();
    child.fds.get(FD_ANALYSIS)?.on('data', (d: Buffer) => {
      for (const f of ppm.push(d)) {
        const ts = Date.now();
        this.send({ type: 'analysis', ts_ms: ts, width: f.width, height: f.height, data: f.data });
        for (const s of pairer?.analysis(ts) ?? []) this.send({ type: 'shot', ts_ms: s.ts_ms, jpeg: s.jpeg });
      }
    });
    const faces = new PpmSplitter();
    child.fds.get(FD_FACES)?.on('data', (d: Buffer) => {
      for (const f of faces.push(d)) this.send({ type: 'face-frame', ts_ms: Date.now(), width: f.width, height: f.height, data: f.data });
    });
    const shots = new JpegSplitter();
    child.fds.get(FD_SHOTS)?.on('data', (d: Buffer) => {
      for (const j of shots.push(d)) for (const s of pairer ? pairer.still(j, Date.now()) : [{ jpeg: j, ts_ms: Date.now() }]) this.send({ type: 'shot', ts_ms: s.ts_ms, jpeg: s.jpeg });
    });
    const live = new Fmp4Splitter();
    child.fds.get(FD_LIVE)?.on('data', (d: Buffer) => {
      for (const c of live.push(d)) {
        if (c.type === 'init') this.send({ type: 'live-init', data: c.init.data, codecs: c.init.codecs, has_audio: c.init.hasAudio });
        else this.send({ type: 'live-fragment', ts_ms: Date.now(), data: c.fragment.data, key: c.fragment.key, video_samples: c.fragment.videoSamples, duration_sec: c.fragment.durationSec });
      }
    });
    for (const s of child.fds.values()) s.on('error', () => undefined);

    if (plan.stdin === 'pipe' && this.o.rt.kind === 'http') this.startPoller(child);

    const drained = Promise.all([child.stderr, ...child.fds.values()].map((s) => new Promise<void>((r) => (s.readableEnded || s.destroyed ? r() : s.once('close', () => r())))));
    void child.exited.then(async ({ code, signal }) => {
      this.stopPoller();
      // 'exit' can precede the last pipe data (the final segment-list line); give the pipes a moment to drain.
      await Promise.race([drained, new Promise((r) => setTimeout(r, 1500))]);
      // The relay knows why the camera was not served (refused credentials, unreachable); ffmpeg only saw the relay.
      const relayFailure = this.relay?.failure() ?? null;
      await this.relay?.close();
      const error = this.stopRequested ? null : (this.pollerError ?? relayFailure ?? classifyExit(this.tail, code, signal));
      this.finish(code, signal, error);
    });
  }

  private onStderr(line: string): void {
    this.tail.push(line);
    if (this.tail.length > STDERR_TAIL) this.tail.shift();
    if (!this.inputReported) {
      const m = /Stream #0:\d+.*?: Video: (\w+)[^,]*(?:,[^,]*?)*?, (\d{2,5})x(\d{2,5})/.exec(line);
      if (m) {
        this.inputReported = true;
        this.send({ type: 'input', codec: m[1] ?? null, width: Number(m[2]), height: Number(m[3]) });
      }
    }
    if (/\[(error|fatal|panic)\]/.test(line)) this.send({ type: 'log', level: 'error', line });
  }

  /** The http snapshot source: fetch a JPEG at snapshotFps (Basic/Digest answered in-process) and feed it to ffmpeg's stdin. */
  private startPoller(child: FfmpegChild): void {
    const src = this.source;
    const http = this.o.net.httpClient(hasCredentials(src) ? { username: src.username, password: src.password ?? '' } : null);
    const interval = Math.max(50, Math.round(1000 / Math.max(0.05, this.o.rt.snapshotFps || 1)));
    const tick = async (): Promise<void> => {
      const began = Date.now();
      try {
        const res = await http.fetch(src.url, { signal: AbortSignal.any([this.pollAbort.signal, AbortSignal.timeout(Math.max(5000, interval * 2))]) });
        if (res.status === 401 || res.status === 403) {
          void res.body?.cancel().catch(() => undefined);
          this.pollerError = { kind: 'auth', message: http.refused() ? 'the camera refused the credentials' : `snapshot source answered ${res.status}` };
        } else if (res.status === 404) this.pollerError = { kind: 'not-found', message: 'snapshot source answered 404' };
        else if (!res.ok) this.pollerError = { kind: 'unreachable', message: `snapshot source answered ${res.status}` };
        else {
          const body = Buffer.from(await res.arrayBuffer());
          if (body.length > 3 && body[0] === 0xff && body[1] === 0xd8) {
            this.pollerError = null;
            if (child.alive() && child.stdin?.writable) child.stdin.write(body);
          } else this.pollerError = { kind: 'bad-stream', message: 'snapshot source did not return a JPEG' };
        }
      } catch (e) {
        if (this.pollAbort.signal.aborted) return;
        const msg = redact(e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e), this.secrets);
        this.pollerError = { kind: /timeout|aborted/i.test(msg) ? 'timeout' : 'unreachable', message: msg };
      }
      if (this.pollAbort.signal.aborted) return;
      if (this.pollerError) this.send({ type: 'error', error: this.pollerError });
      this.pollTimer = setTimeout(() => void tick(), Math.max(0, interval - (Date.now() - began)));
    };
    void tick();
  }

  private stopPoller(): void {
    this.pollAbort.abort();
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
  }

  /**
   * A pushed camera's JPEG (Streams), written to ffmpeg's stdin. False when this is not a push camera, the ingest is not
   * running, or ffmpeg is more than PUSH_BACKLOG_BYTES behind (the frame is dropped rather than queued without bound).
   */
  pushFrame(jpeg: Buffer): boolean {
    const c = this.child;
    if (this.o.rt.kind !== 'push' || !c || !c.alive() || !c.stdin?.writable || c.stdin.writableLength > PUSH_BACKLOG_BYTES) return false;
    c.stdin.write(jpeg);
    return true;
  }

  /** Handle a supervisor command; resolves when the child has exited. */
  async command(cmd: SupervisorCommand): Promise<void> {
    if (cmd.type !== 'stop') return;
    this.stopCommanded = true;
    this.stopRequested = cmd.reason === 'requested' || cmd.reason === 'restart';
    if (cmd.reason === 'stall') this.pollerError ??= { kind: 'stall', message: 'no frames from the source' };
    this.stopPoller();
    const child = this.child;
    if (!child) {
      await this.done;
      return;
    }
    if (child.stdin && child.alive()) child.stdin.end();
    await this.o.procs.stop(child, cmd.graceMs);
    await this.done;
  }
}
