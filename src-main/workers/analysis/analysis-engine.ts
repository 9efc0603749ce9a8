// The analysis engine (implements the analysis and face ports): routes frames through the fair scheduler to the supervised worker, sends face jobs to the same worker and keeps per-camera stats.
import type {
  ActiveModel,
  AnalysisEngine,
  AnalysisEngineStatus,
  AnalysisError,
  AnalysisOutcome,
  CameraAnalysisConfig,
  CameraAnalysisStats,
  ModelSwitch,
  Box,
} from '../../ports/analysis-engine.port';
import type { AppearanceHist, FaceEngine, FaceError, FaceModelControl, FaceModels, FaceOptions, FaceOutcome, FaceResult, FaceTiming } from '../../ports/face-engine.port';
import type { AnalysisFrame } from '../../ports/ingest.port';
import type { Logger } from '../../repositories/logger';
import type { ModelDir } from '../../repositories/onnx/model-registry.repository';
import type { ModelEntry } from '../../shared/model-manifest';
import type { BackoffPolicy } from '../supervisor-policy';
import { AnalysisWorkerHost, type HostState, type WorkerEntry } from './analysis-worker-host';
import type { FacePair, FrameJob, FrameOutcome } from './analysis-worker.protocol';
import { FairScheduler } from './fair-scheduler';
import type { WireFace } from './face-pipeline';

export interface AnalysisEngineOptions {
  /** Bundled first (resources/models), then the user's (<data>/models). */
  modelDirs: ModelDir[];
  log: Logger;
  /** The detector loaded at start: a manifest name, undefined for the first bundled detector that checks out, null for none. */
  model?: string | null;
  /** Face models loaded at start (settings face_detector_model / face_embedder_model): undefined for the first bundled ones that check out, null for faces off. */
  faceDetectorModel?: string | null;
  faceEmbedderModel?: string | null;
  /** Pixels sharp may read from an image given to facesInImage (default 50 MP, the enrolment limit). */
  maxImagePixels?: number;
  /** Face jobs in the worker at once; beyond it facesInImage/facesInFrame answer 'busy' at once (default 4). */
  maxFaceJobs?: number;
  /** Analysed frames per second across all cameras; null or undefined for no budget. */
  budgetFps?: number | null;
  /** Intra-op threads of the ONNX session; 0 or undefined lets onnxruntime choose. */
  threads?: number;
  /** Execution providers in order of preference; CPU is always the fallback. */
  executionProviders?: string[];
  /** Hand frame memory to the worker instead of copying it (default true; the caller's Buffer is emptied). */
  transferFrames?: boolean;
  entry?: WorkerEntry;
  /** start() resolves after this long even if the worker is not ready (it keeps trying with backoff). */
  startTimeoutMs?: number;
  heartbeatMs?: number;
  heartbeatTimeoutMs?: number;
  backoff?: Partial<BackoffPolicy>;
  now?: () => number;
}

interface Queued {
  frame: AnalysisFrame;
  config: CameraAnalysisConfig;
  resolve: (o: AnalysisOutcome) => void;
}

interface CameraStats {
  submitted: number;
  analysed: number;
  runs: number;
  /** [wall ms, detections] of recent detector runs. */
  recent: [number, number][];
  lastInferenceMs: number | null;
  gateOpen: boolean | null;
  lastTs: number | null;
  lastError: AnalysisError | null;
}

const RATE_WINDOW_MS = 5000;

const NO_FACES: FaceModels = { detector: null, embedder: null, dim: null, match_threshold: null, error: null };

/** A JPEG as it crossed the thread boundary (a plain Uint8Array) → a Buffer over the same bytes. */
const toBuffer = (b: Uint8Array | null): Buffer | null => (b ? Buffer.from(b.buffer, b.byteOffset, b.byteLength) : null);
const toResult = (f: WireFace): FaceResult => ({ ...f, crop_jpeg: toBuffer(f.crop_jpeg) });

const newStats = (): CameraStats => ({ submitted: 0, analysed: 0, runs: 0, recent: [], lastInferenceMs: null, gateOpen: null, lastTs: null, lastError: null });

export class WorkerAnalysisEngine implements AnalysisEngine, FaceEngine, FaceModelControl {
  /** The supervised worker (exposed for diagnostics and tests; not part of the port). */
  readonly worker: AnalysisWorkerHost;
  private readonly scheduler: FairScheduler<Queued>;
  private readonly cams = new Map<number, CameraStats>();
  private readonly now: () => number;
  private readonly log: Logger;
  private active: ActiveModel | null = null;
  /** The model every new worker loads; undefined until the first scan picks the default. */
  private wanted: string | null | undefined;
  private scanned = false;
  private modelError: AnalysisError | null = null;
  private list: ModelEntry[] = [];
  private provs: string[] = [];
  private started = false;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = 0;
  private faceState: FaceModels = NO_FACES;
  /** The face pair every new worker loads; undefined until the first scan picks the defaults, null for faces off. */
  private wantedFaces: { detector: string; embedder: string } | null | undefined;
  private faceJobs = 0;

  constructor(private readonly o: AnalysisEngineOptions) {
    this.wanted = o.model;
    if (o.faceDetectorModel === null || o.faceEmbedderModel === null) this.wantedFaces = null;
    else if (o.faceDetectorModel !== undefined && o.faceEmbedderModel !== undefined) this.wantedFaces = { detector: o.faceDetectorModel, embedder: o.faceEmbedderModel };
    this.now = o.now ?? Date.now;
    this.log = o.log.child({ module: 'analysis-engine' });
    this.scheduler = new FairScheduler<Queued>({ maxInFlight: 1, budgetFps: o.budgetFps ?? null });
    this.worker = new AnalysisWorkerHost({
      workerData: { modelDirs: o.modelDirs, threads: o.threads ?? 0, executionProviders: o.executionProviders ?? [] },
      log: o.log,
      ...(o.entry ? { entry: o.entry } : {}),
      ...(o.heartbeatMs ? { heartbeatMs: o.heartbeatMs } : {}),
      ...(o.heartbeatTimeoutMs ? { heartbeatTimeoutMs: o.heartbeatTimeoutMs } : {}),
      ...(o.backoff ? { backoff: o.backoff } : {}),
      onReady: () => this.prepareWorker(),
      onState: (s) => this.onHostState(s),
    });
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    let timer: NodeJS.Timeout | null = null;
    const timeout = new Promise<'timeout'>((res) => (timer = setTimeout(() => res('timeout'), this.o.startTimeoutMs ?? 60_000)));
    const r = await Promise.race([this.worker.start().then(() => 'ready' as const), timeout]);
    if (timer) clearTimeout(timer);
    if (r === 'timeout') this.log.error({ last_crash: this.worker.lastCrashReason }, 'the analysis worker is not ready yet; frames wait until it is');
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const d of this.scheduler.drain()) d.item.resolve({ status: 'dropped', reason: 'stopped' });
    await this.worker.stop();
  }

  async setModel(name: string): Promise<ModelSwitch> {
    if (!this.started) return { ok: false, error: { kind: 'stopped', message: 'the analysis engine is not running' } };
    const r = await this.worker.request({ type: 'load', name });
    if (r.type === 'loaded') {
      this.active = r.model;
      this.wanted = name;
      this.modelError = null;
      this.scheduler.setMaxInFlight(r.model.max_batch);
      this.upsertEntry(r.entry);
      this.log.info({ model: name, provider: r.model.provider }, 'detector model active');
      this.pump();
      return { ok: true, model: r.model };
    }
    this.modelError = r.error;
    if (r.entry) this.upsertEntry(r.entry);
    this.log.warn({ model: name, error: r.error.message, kept: this.active?.name ?? null }, 'model switch failed; the previous model keeps running');
    return { ok: false, error: r.error };
  }

  setBudget(fps: number | null): void {
    this.scheduler.setBudget(fps);
  }

  activeModel(): ActiveModel | null {
    return this.active;
  }

  submit(frame: AnalysisFrame, config: CameraAnalysisConfig): Promise<AnalysisOutcome> {
    if (!this.started) return Promise.resolve({ status: 'failed', error: { kind: 'stopped', message: 'the analysis engine is not running' } });
    const s = this.camera(frame.camera_id);
    s.submitted++;
    const bytes = frame.width * frame.height * 3;
    if (!(frame.width > 0 && frame.height > 0) || frame.data.length !== bytes) {
      const error: AnalysisError = { kind: 'bad-frame', message: `expected ${frame.width}×${frame.height} rgb24 (${bytes} bytes), got ${frame.data.length} bytes` };
      s.lastError = error;
      return Promise.resolve({ status: 'failed', error });
    }
    return new Promise((resolve) => {
      const replaced = this.scheduler.offer(frame.camera_id, { frame, config, resolve }, this.now(), config.min_interval_ms);
      replaced?.resolve({ status: 'dropped', reason: 'replaced' });
      this.pump();
    });
  }

  forget(cameraId: number): void {
    this.scheduler.remove(cameraId)?.resolve({ status: 'dropped', reason: 'forgotten' });
    this.cams.delete(cameraId);
    this.worker.forget(cameraId);
  }

  stats(cameraId: number): CameraAnalysisStats | null {
    const s = this.cams.get(cameraId);
    if (!s) return null;
    const now = this.now();
    s.recent = s.recent.filter(([t]) => now - t < RATE_WINDOW_MS);
    const dets = s.recent.reduce((n, [, d]) => n + d, 0);
    return {
      camera_id: cameraId,
      frames_submitted: s.submitted,
      frames_analysed: s.analysed,
      frames_dropped: this.scheduler.stats(cameraId)?.dropped ?? 0,
      detector_runs: s.runs,
      detections_per_second: Math.round((dets / (RATE_WINDOW_MS / 1000)) * 100) / 100,
      last_inference_ms: s.lastInferenceMs,
      motion_gate_open: s.gateOpen,
      last_ts_ms: s.lastTs,
      last_error: s.lastError,
    };
  }

  models(): readonly ModelEntry[] {
    return this.list;
  }

  async rescanModels(): Promise<readonly ModelEntry[]> {
    const r = await this.worker.request({ type: 'scan' });
    if (r.type === 'models') {
      this.list = r.models;
      this.scanned = true;
    }
    return this.list;
  }

  providers(): readonly string[] {
    return this.provs;
  }

  status(): AnalysisEngineStatus {
    return { state: this.started ? this.worker.state : 'stopped', restarts: this.worker.restarts, model: this.active, model_error: this.modelError, last_crash: this.worker.lastCrashReason };
  }

  private upsertEntry(e: ModelEntry): void {
    const i = this.list.findIndex((m) => m.manifest_path === e.manifest_path);
    this.list = i < 0 ? [...this.list, e] : this.list.map((m, j) => (j === i ? e : m));
  }

  private camera(id: number): CameraStats {
    let s = this.cams.get(id);
    if (!s) this.cams.set(id, (s = newStats()));
    return s;
  }

  /** Runs when a worker (first or restarted) says ready, before frames flow to it: providers and models once, then the models. */
  private async prepareWorker(): Promise<void> {
    if (!this.provs.length) {
      const p = await this.worker.request({ type: 'providers' });
      if (p.type === 'providers') this.provs = p.providers;
    }
    if (!this.scanned) await this.rescanModels();
    await this.loadDetector();
    await this.loadFaces();
  }

  private async loadDetector(): Promise<void> {
    if (this.wanted === undefined && this.scanned) this.wanted = this.list.find((m) => m.status === 'ok' && m.task === 'detector' && m.origin === 'bundled')?.name ?? null;
    if (!this.wanted) return;
    const r = await this.worker.request({ type: 'load', name: this.wanted });
    if (r.type === 'loaded') {
      this.active = r.model;
      this.modelError = null;
      this.scheduler.setMaxInFlight(r.model.max_batch);
      this.upsertEntry(r.entry);
      this.log.info({ model: r.model.name, provider: r.model.provider }, 'detector model active');
      return;
    }
    this.active = null;
    this.modelError = r.error;
    if (r.entry) this.upsertEntry(r.entry);
    this.log.error({ model: this.wanted, error: r.error.message }, 'the detector model did not load; analysing motion only');
  }

  /** Loads the wanted face pair into a (new) worker; a failure leaves detection running and is kept in faceModels().error. */
  private async loadFaces(): Promise<void> {
    if (this.wantedFaces === undefined && this.scanned) {
      const first = (task: string) => this.list.find((m) => m.status === 'ok' && m.task === task && m.origin === 'bundled')?.name;
      const detector = first('face-detector');
      const embedder = first('face-embedding');
      this.wantedFaces = detector && embedder ? { detector, embedder } : null;
    }
    const want = this.wantedFaces;
    if (!want) {
      this.faceState = NO_FACES;
      return;
    }
    const r = await this.worker.request({ type: 'face-load', detector: want.detector, embedder: want.embedder });
    if (r.type === 'face-models') {
      for (const e of r.entries) this.upsertEntry(e);
      if (r.outcome.ok) {
        this.faceState = pairState(r.outcome.value.pair);
        this.log.info({ detector: want.detector, embedder: want.embedder, dim: this.faceState.dim }, 'face models active');
        return;
      }
    }
    const message = r.type === 'face-models' && !r.outcome.ok ? r.outcome.error.message : r.type === 'error' ? r.error.message : 'unexpected reply';
    this.faceState = { ...NO_FACES, error: message };
    this.log.error({ detector: want.detector, embedder: want.embedder, error: message }, 'the face models did not load; detection runs without faces');
  }

  faceModels(): FaceModels {
    return this.faceState;
  }

  async setFaceModels(detector: string | null, embedder: string | null): Promise<FaceOutcome<FaceModels>> {
    if (!this.started) return { ok: false, error: { kind: 'stopped', message: 'the analysis engine is not running' } };
    const r = await this.worker.request({ type: 'face-load', detector, embedder });
    if (r.type === 'face-models') {
      for (const e of r.entries) this.upsertEntry(e);
      if (r.outcome.ok) {
        this.wantedFaces = detector !== null && embedder !== null ? { detector, embedder } : null;
        this.faceState = pairState(r.outcome.value.pair);
        this.log.info({ detector, embedder, dim: this.faceState.dim }, 'face models switched');
        return { ok: true, value: this.faceState };
      }
    }
    const error: FaceError = r.type === 'face-models' && !r.outcome.ok ? r.outcome.error : r.type === 'error' ? r.error : { kind: 'model-load', message: 'unexpected reply' };
    this.faceState = { ...this.faceState, error: error.message };
    this.log.warn({ detector, embedder, error: error.message, kept: this.faceState.embedder }, 'face model switch failed; the previous pair keeps running');
    return { ok: false, error };
  }

  async facesInImage(image: Buffer, opts: FaceOptions): Promise<FaceOutcome<{ width: number; height: number; faces: FaceResult[]; timing: FaceTiming }>> {
    const refused = this.refuseFaceJob();
    if (refused) return refused;
    const copy = new Uint8Array(image.byteLength);
    copy.set(image);
    const max_pixels = this.o.maxImagePixels ?? 50_000_000;
    const r = await this.faceJob(() => this.worker.request({ type: 'faces-image', image: copy, opts, max_pixels }, [copy.buffer]));
    if (r.type === 'error') return { ok: false, error: r.error };
    if (!r.outcome.ok) return r.outcome;
    return { ok: true, value: { ...r.outcome.value, faces: r.outcome.value.faces.map(toResult) } };
  }

  async facesInFrame(
    frame: { camera_id: number; ts_ms: number; width: number; height: number; rgb: Buffer },
    regions: Box[] | null,
    opts: FaceOptions,
  ): Promise<FaceOutcome<{ faces: FaceResult[]; appearance: (AppearanceHist | null)[]; region_crops: (Buffer | null)[]; timing: FaceTiming }>> {
    const refused = this.refuseFaceJob();
    if (refused) return refused;
    const bytes = frame.width * frame.height * 3;
    if (!(frame.width > 0 && frame.height > 0) || frame.rgb.length !== bytes) {
      return { ok: false, error: { kind: 'bad-frame', message: `expected ${frame.width}×${frame.height} rgb24 (${bytes} bytes), got ${frame.rgb.length} bytes` } };
    }
    const transfer: ArrayBuffer[] = [];
    const rgb = this.transferable(frame.rgb, transfer);
    const job = { camera_id: frame.camera_id, ts_ms: frame.ts_ms, width: frame.width, height: frame.height, rgb };
    const r = await this.faceJob(() => this.worker.request({ type: 'faces-frame', frame: job, regions, opts }, transfer));
    if (r.type === 'error') return { ok: false, error: r.error };
    if (!r.outcome.ok) return r.outcome;
    const v = r.outcome.value;
    return { ok: true, value: { ...v, faces: v.faces.map(toResult), region_crops: v.region_crops.map(toBuffer) } };
  }

  private refuseFaceJob(): { ok: false; error: FaceError } | null {
    if (!this.started) return { ok: false, error: { kind: 'stopped', message: 'the analysis engine is not running' } };
    if (!this.faceState.embedder) return { ok: false, error: { kind: 'no-model', message: this.faceState.error ?? 'face recognition is off (no face models configured)' } };
    if (this.faceJobs >= (this.o.maxFaceJobs ?? 4)) return { ok: false, error: { kind: 'busy', message: `${this.faceJobs} face jobs are already waiting for the analysis worker` } };
    return null;
  }

  private async faceJob<T>(run: () => Promise<T>): Promise<T> {
    this.faceJobs++;
    try {
      return await run();
    } finally {
      this.faceJobs--;
    }
  }

  private onHostState(s: HostState): void {
    if (s === 'ready') this.pump();
  }

  private pump(): void {
    if (!this.started || this.worker.state !== 'ready') return;
    const now = this.now();
    const batch = this.scheduler.take(now);
    if (batch.length) {
      const transfer: ArrayBuffer[] = [];
      const jobs: FrameJob[] = batch.map(({ item, since }) => {
        const { frame, config } = item;
        const data = this.transferable(frame.data, transfer);
        const { min_interval_ms: _, ...rest } = config;
        return { camera_id: frame.camera_id, ts_ms: frame.ts_ms, width: frame.width, height: frame.height, data, config: rest, queued_ms: now - since };
      });
      const outcomes = this.worker.analyse(jobs, transfer);
      batch.forEach(({ key, item }, i) => {
        void (outcomes[i] as Promise<FrameOutcome>).then((o) => this.settle(key, item, o));
      });
    }
    this.arm(now);
  }

  private settle(key: number, item: Queued, o: FrameOutcome): void {
    this.scheduler.done(key, item);
    const s = this.cams.get(key);
    if (s) {
      if (o.status === 'analysed') {
        const r = o.result;
        s.analysed++;
        s.lastTs = r.ts_ms;
        s.gateOpen = r.motion?.motion ?? false;
        if (r.detector.status === 'ran') {
          s.runs++;
          s.lastInferenceMs = r.detector.inference_ms;
          s.recent.push([this.now(), r.detector.detections.length]);
          if (s.recent.length > 1000) s.recent.splice(0, s.recent.length - 1000);
          s.lastError = null;
        } else if (r.detector.status === 'error') s.lastError = r.detector.error;
      } else s.lastError = o.error;
    }
    item.resolve(o);
    this.pump();
  }

  /** Sets one timer for the next frame held back by an interval or the budget. */
  private arm(now: number): void {
    const at = this.scheduler.wakeAt(now);
    if (at === null) return;
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.pump();
      },
      Math.max(1, at - now),
    );
    this.timer.unref();
  }

  private transferable(data: Uint8Array, transfer: ArrayBuffer[]): Uint8Array {
    const ab = data.buffer;
    if (this.o.transferFrames !== false && ab instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === ab.byteLength && !transfer.includes(ab)) {
      transfer.push(ab);
      return data;
    }
    const copy = new Uint8Array(data.byteLength);
    copy.set(data);
    transfer.push(copy.buffer);
    return copy;
  }
}

function pairState(pair: FacePair | null): FaceModels {
  return pair ? { detector: pair.detector, embedder: pair.embedder, dim: pair.dim, match_threshold: pair.match_threshold, error: null } : NO_FACES;
}
