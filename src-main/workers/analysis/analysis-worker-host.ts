// Main-thread side of the analysis worker: spawns it, correlates replies, watches it with a heartbeat and restarts it with backoff.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
// The worker uses sharp; on glibc the main thread must hold libvips loaded first, or a restarted worker's sharp fails
// ("Module did not self-register") once the previous thread unloaded it (sharp's install docs, "Worker threads").
import 'sharp';
import type { AnalysisError } from '../../ports/analysis-engine.port';
import type { Logger } from '../../repositories/logger';
import { backoffDelay, type BackoffPolicy } from '../supervisor-policy';
import type { AnalysisWorkerData, FrameJob, FrameOutcome, HostMessage, WorkerMessage } from './analysis-worker.protocol';

export interface WorkerEntry {
  url: URL;
  /** A TypeScript source, started through tsx (a devDependency), for tests and benches that run from source. */
  typescript: boolean;
}

/**
 * The worker's entry next to this module: the TypeScript source under tsx when this module itself runs from source
 * (vitest, tsx benches), else the bundle's `analysis-worker.js` beside it or one folder up (rollup puts shared code in chunks/).
 */
export function resolveWorkerEntry(hostUrl: string = import.meta.url): WorkerEntry {
  if (/\.[cm]?ts$/.test(new URL(hostUrl).pathname)) return { url: new URL('./analysis.worker.ts', hostUrl), typescript: true };
  for (const rel of ['./analysis-worker.js', '../analysis-worker.js']) {
    const url = new URL(rel, hostUrl);
    if (existsSync(fileURLToPath(url))) return { url, typescript: false };
  }
  throw new Error(`the analysis worker bundle (analysis-worker.js) was not found beside ${fileURLToPath(hostUrl)}`);
}

/** Node 20 ignores `--import` in a worker's execArgv (and tsx's loader skips worker threads), so a source entry registers tsx through its API first. */
function tsBootstrap(entry: URL): string {
  const pkgFile = createRequire(import.meta.url).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { exports: Record<string, { import?: { default?: string } }> };
  const api = pathToFileURL(join(dirname(pkgFile), pkg.exports['./esm/api']?.import?.default ?? 'dist/esm/api/index.mjs')).href;
  return `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
}

export type HostState = 'stopped' | 'starting' | 'ready' | 'restarting';

type Distribute<M> = M extends HostMessage ? Omit<M, 'seq'> : never;
type Request = Exclude<Distribute<HostMessage>, { type: 'analyse' }>;
type ReplyTo<R extends Request> = R['type'] extends 'ping'
  ? Extract<WorkerMessage, { type: 'pong' }>
  : R['type'] extends 'scan'
    ? Extract<WorkerMessage, { type: 'models' }>
    : R['type'] extends 'providers'
      ? Extract<WorkerMessage, { type: 'providers' }>
      : R['type'] extends 'load'
        ? Extract<WorkerMessage, { type: 'loaded' }>
        : R['type'] extends 'face-load'
          ? Extract<WorkerMessage, { type: 'face-models' }>
          : R['type'] extends 'faces-image'
            ? Extract<WorkerMessage, { type: 'image-faces' }>
            : R['type'] extends 'faces-frame'
              ? Extract<WorkerMessage, { type: 'frame-faces' }>
              : never;
export type ErrorReply = Extract<WorkerMessage, { type: 'error' }>;

type Pending =
  | { kind: 'request'; resolve: (m: WorkerMessage | ErrorReply) => void }
  | { kind: 'analyse'; resolvers: ((o: FrameOutcome) => void)[]; left: number };

export interface AnalysisWorkerHostOptions {
  workerData: AnalysisWorkerData;
  log: Logger;
  entry?: WorkerEntry;
  /** How often the host pings the worker. */
  heartbeatMs?: number;
  /** Silence (no message at all) after which the worker is presumed hung and terminated. */
  heartbeatTimeoutMs?: number;
  backoff?: Partial<BackoffPolicy>;
  /** Runs after every spawn's `ready`, before the host reports ready (the engine reloads its model here). */
  onReady?: (restart: boolean) => Promise<void>;
  onState?: (s: HostState) => void;
}

const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 30_000, stableMs: 30_000 };

export class AnalysisWorkerHost {
  private worker: Worker | null = null;
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private st: HostState = 'stopped';
  private alive = false;
  private lastSeen = 0;
  private readyAt: number | null = null;
  private attempt = 0;
  private spawns = 0;
  private crashes = 0;
  private crashReason: string | null = null;
  private lastCrash: string | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private respawn: NodeJS.Timeout | null = null;
  private waiters: (() => void)[] = [];
  private readonly entry: WorkerEntry;
  private readonly backoff: BackoffPolicy;
  private readonly log: Logger;

  constructor(private readonly o: AnalysisWorkerHostOptions) {
    this.entry = o.entry ?? resolveWorkerEntry();
    this.backoff = { ...DEFAULT_BACKOFF, ...o.backoff };
    this.log = o.log.child({ module: 'analysis-worker' });
  }

  get state(): HostState {
    return this.st;
  }

  get restarts(): number {
    return this.crashes;
  }

  get lastCrashReason(): string | null {
    return this.lastCrash;
  }

  /** Resolves once the first worker is ready (its onReady hook included). */
  start(): Promise<void> {
    if (this.st !== 'stopped') return this.whenReady();
    this.setState('starting');
    this.spawn();
    const beat = this.o.heartbeatMs ?? 1000;
    this.heartbeat = setInterval(() => this.tick(), beat);
    this.heartbeat.unref();
    return this.whenReady();
  }

  whenReady(): Promise<void> {
    if (this.st === 'ready') return Promise.resolve();
    if (this.st === 'stopped') return Promise.reject(new Error('the analysis worker is stopped'));
    return new Promise((res) => this.waiters.push(res));
  }

  async stop(): Promise<void> {
    if (this.st === 'stopped') return;
    this.setState('stopped');
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.respawn) clearTimeout(this.respawn);
    this.heartbeat = this.respawn = null;
    this.failAll({ kind: 'stopped', message: 'the analysis engine stopped' });
    const w = this.worker;
    this.worker = null;
    this.alive = false;
    for (const res of this.waiters.splice(0)) res();
    if (w) await this.endGracefully(w);
  }

  /**
   * Asks the worker to finish its job, release its sessions and end; terminate() only if it does not within the grace.
   * Terminating a thread while onnxruntime has a run in flight aborts the process ("terminate called after throwing").
   */
  private endGracefully(w: Worker, graceMs = 5000): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => void w.terminate().then(() => resolve()), graceMs);
      w.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      try {
        w.postMessage({ seq: ++this.seq, type: 'shutdown' } satisfies HostMessage);
      } catch {
        clearTimeout(timer);
        void w.terminate().then(() => resolve());
      }
    });
  }

  /** Makes the current worker die of an uncaught error after its job in hand (tests, diagnostics); the supervisor restarts it. */
  kill(reason = 'killed'): void {
    if (!this.worker) return;
    this.crashReason = reason;
    this.worker.postMessage({ seq: ++this.seq, type: 'crash', reason } satisfies HostMessage);
  }

  /** One request, one reply; never rejects: a dead or dying worker answers with an error reply. Memory in `transfer` moves to the worker. */
  request<R extends Request>(req: R, transfer: ArrayBuffer[] = []): Promise<ReplyTo<R> | ErrorReply> {
    const seq = ++this.seq;
    if (!this.worker || !this.alive) return Promise.resolve(this.errorReply(seq, { kind: 'worker-crashed', message: 'the analysis worker is not running' }));
    return new Promise((resolve) => {
      this.pending.set(seq, { kind: 'request', resolve: resolve as (m: WorkerMessage | ErrorReply) => void });
      this.post({ ...req, seq } as HostMessage, transfer);
    });
  }

  /** One promise per frame, in order. Frame memory listed in `transfer` moves to the worker. */
  analyse(frames: FrameJob[], transfer: ArrayBuffer[]): Promise<FrameOutcome>[] {
    const seq = ++this.seq;
    if (!this.worker || !this.alive) return frames.map(() => Promise.resolve({ status: 'failed', error: { kind: 'worker-crashed', message: 'the analysis worker is not running' } }));
    const resolvers: ((o: FrameOutcome) => void)[] = [];
    const out = frames.map(() => new Promise<FrameOutcome>((res) => resolvers.push(res)));
    this.pending.set(seq, { kind: 'analyse', resolvers, left: frames.length });
    this.post({ seq, type: 'analyse', frames }, transfer);
    return out;
  }

  forget(cameraId: number): void {
    if (this.worker && this.alive) this.post({ seq: ++this.seq, type: 'forget', camera_id: cameraId });
  }

  private post(m: HostMessage, transfer: ArrayBuffer[] = []): void {
    const w = this.worker;
    if (!w) return;
    try {
      w.postMessage(m, transfer);
    } catch {
      // Memory that cannot be transferred (a pooled Buffer) is copied instead.
      w.postMessage(m);
    }
  }

  private spawn(): void {
    this.spawns++;
    const restart = this.spawns > 1;
    const w = this.entry.typescript
      ? new Worker(tsBootstrap(this.entry.url), { eval: true, workerData: this.o.workerData, name: 'vigil-analysis' })
      : new Worker(this.entry.url, { workerData: this.o.workerData, name: 'vigil-analysis' });
    this.worker = w;
    this.alive = false;
    this.lastSeen = Date.now();
    w.on('message', (m: WorkerMessage) => {
      if (this.worker === w) this.onMessage(w, m, restart);
    });
    w.on('error', (e) => {
      if (this.worker === w) this.crashReason ??= `uncaught in the worker: ${e instanceof Error ? e.message : String(e)}`;
    });
    w.on('exit', (code) => {
      if (this.worker === w) this.onExit(code);
    });
  }

  private onMessage(w: Worker, m: WorkerMessage, restart: boolean): void {
    this.lastSeen = Date.now();
    switch (m.type) {
      case 'ready':
        this.alive = true;
        void this.becomeReady(w, restart);
        return;
      case 'log':
        this.log[m.level](m.fields, m.msg);
        return;
      case 'frame': {
        const p = this.pending.get(m.re);
        if (p?.kind !== 'analyse') return;
        p.resolvers[m.index]?.(m.outcome);
        if (--p.left <= 0) this.pending.delete(m.re);
        return;
      }
      case 'error': {
        const p = this.pending.get(m.re);
        this.pending.delete(m.re);
        if (p?.kind === 'request') p.resolve(m);
        else if (p?.kind === 'analyse') for (const r of p.resolvers) r({ status: 'failed', error: m.error });
        return;
      }
      default: {
        const p = this.pending.get(m.re);
        this.pending.delete(m.re);
        if (p?.kind === 'request') p.resolve(m);
      }
    }
  }

  private async becomeReady(w: Worker, restart: boolean): Promise<void> {
    try {
      await this.o.onReady?.(restart);
    } catch (e) {
      this.log.warn({ err: e instanceof Error ? e.message : String(e) }, 'analysis worker ready hook failed');
    }
    if (this.worker !== w || this.st === 'stopped') return;
    this.readyAt = Date.now();
    this.setState('ready');
    for (const res of this.waiters.splice(0)) res();
  }

  private onExit(code: number): void {
    const reason = this.crashReason ?? `the analysis worker exited with code ${code}`;
    this.crashReason = null;
    this.worker = null;
    this.alive = false;
    if (this.st === 'stopped') return;
    this.crashes++;
    this.lastCrash = reason;
    this.failAll({ kind: 'worker-crashed', message: reason });
    const stable = this.readyAt !== null && Date.now() - this.readyAt >= this.backoff.stableMs;
    if (stable) this.attempt = 0;
    const delay = backoffDelay(this.attempt, this.backoff);
    this.attempt++;
    this.readyAt = null;
    this.log.warn({ reason, restart_in_ms: delay, restarts: this.crashes }, 'analysis worker ended; restarting');
    this.setState('restarting');
    this.respawn = setTimeout(() => {
      this.respawn = null;
      if (this.st !== 'stopped') this.spawn();
    }, delay);
    this.respawn.unref();
  }

  private tick(): void {
    const w = this.worker;
    if (!w) return;
    if (Date.now() - this.lastSeen > (this.o.heartbeatTimeoutMs ?? 15_000)) {
      // A silent worker cannot read a message: terminate is the last resort (a JS hang has no native run in flight).
      this.crashReason = this.alive ? 'no heartbeat from the analysis worker' : 'the analysis worker did not start';
      void w.terminate();
      this.lastSeen = Date.now();
      return;
    }
    if (this.alive) this.post({ seq: ++this.seq, type: 'ping' });
  }

  private failAll(error: AnalysisError): void {
    const all = [...this.pending.entries()];
    this.pending.clear();
    for (const [seq, p] of all) {
      if (p.kind === 'request') p.resolve(this.errorReply(seq, error));
      else for (const r of p.resolvers) r({ status: 'failed', error });
    }
  }

  private errorReply(re: number, error: AnalysisError): ErrorReply {
    return { type: 'error', re, seq: 0, error };
  }

  private setState(s: HostState): void {
    if (this.st === s) return;
    this.st = s;
    this.o.onState?.(s);
  }
}
