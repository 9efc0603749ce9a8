// What the analysis worker thread does with each host message: motion per camera, one detector session for all cameras, the face pair, model loading.
import type { Box, DetectorOutcome } from '../../ports/analysis-engine.port';
import type { FaceOptions, FaceOutcome } from '../../ports/face-engine.port';
import type { ModelRegistry, OpenModel } from '../../repositories/onnx/model-registry.repository';
import type { OnnxRuntimeRepository } from '../../repositories/onnx/onnx-runtime.repository';
import type { ModelEntry } from '../../shared/model-manifest';
import type { FaceFrameJob, FrameJob, FrameOutcome, HostMessage, WorkerMessage } from './analysis-worker.protocol';
import { Detector } from './detector';
import { checkFacePair, FacePipeline, type FrameFaces } from './face-pipeline';
import { MotionDetector } from './motion-detector';

type Payload<M> = M extends WorkerMessage ? Omit<M, 'seq'> : never;
export type WorkerPayload = Payload<WorkerMessage>;

/** Tasks whose output is boxes, so the detector path can run them. */
const BOX_TASKS = new Set(['detector', 'face-detector']);

interface CameraMotion {
  detector: MotionDetector;
  key: string;
}

/** Why a face request cannot be served, before any pixel is touched; null when it can. */
export function checkFaceRequest(frame: Pick<FaceFrameJob, 'width' | 'height' | 'rgb'> | null, regions: readonly Box[] | null, opts: FaceOptions): string | null {
  if (!(opts.min_quality >= 0 && opts.min_quality <= 1)) return `min_quality must be 0–1, got ${opts.min_quality}`;
  if (!Number.isInteger(opts.max_faces) || opts.max_faces < 0 || opts.max_faces > 1000) return `max_faces must be an integer 0–1000, got ${opts.max_faces}`;
  if (frame) {
    const { width, height, rgb } = frame;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0 || rgb.length !== width * height * 3) {
      return `expected ${width}×${height} rgb24 (${width * height * 3} bytes), got ${rgb.length} bytes`;
    }
  }
  if (regions) {
    if (regions.length > 256) return `at most 256 regions per frame, got ${regions.length}`;
    const bad = regions.findIndex((b) => b.length !== 4 || !b.every(Number.isFinite) || b[2] <= 0 || b[3] <= 0);
    if (bad >= 0) return `region ${bad} is not a normalised [x, y, w, h] with a positive size`;
  }
  const crops = opts.region_crops ?? [];
  const badCrop = crops.find((i) => !Number.isInteger(i) || i < 0 || i >= (regions?.length ?? 0));
  if (badCrop !== undefined) return `region_crops names region ${badCrop}, but the frame has ${regions?.length ?? 0} regions`;
  return null;
}

export class AnalysisWorkerCore {
  private detector: Detector | null = null;
  private faces: FacePipeline | null = null;
  private readonly motion = new Map<number, CameraMotion>();

  constructor(
    private readonly registry: ModelRegistry,
    private readonly runtime: OnnxRuntimeRepository,
    private readonly send: (m: WorkerPayload) => void,
  ) {}

  async handle(m: HostMessage): Promise<void> {
    switch (m.type) {
      case 'ping':
        this.send({ type: 'pong', re: m.seq });
        return;
      case 'scan':
        this.send({ type: 'models', re: m.seq, models: await this.registry.scan() });
        return;
      case 'providers':
        this.send({ type: 'providers', re: m.seq, providers: await this.runtime.providers() });
        return;
      case 'load':
        return this.load(m.seq, m.name);
      case 'analyse':
        for (let i = 0; i < m.frames.length; i++) this.send({ type: 'frame', re: m.seq, index: i, outcome: await this.frame(m.frames[i] as FrameJob) });
        return;
      case 'forget':
        this.motion.delete(m.camera_id);
        return;
      case 'face-load':
        return this.loadFaces(m.seq, m.detector, m.embedder);
      case 'faces-image': {
        const bad = checkFaceRequest(null, null, m.opts);
        const outcome = bad ? badRequest(bad) : this.faces ? await this.faces.inImage(m.image, m.opts, m.max_pixels) : noFaces();
        this.send({ type: 'image-faces', re: m.seq, outcome });
        return;
      }
      case 'faces-frame': {
        const f = m.frame;
        const bad = checkFaceRequest(f, m.regions, m.opts);
        const outcome: FaceOutcome<FrameFaces> = bad ? badRequest(bad) : this.faces ? await this.faces.inFrame({ data: f.rgb, width: f.width, height: f.height }, m.regions, m.opts) : noFaces();
        this.send({ type: 'frame-faces', re: m.seq, outcome });
        return;
      }
      case 'shutdown':
      case 'crash':
        // The entry script ends the thread; by now no inference is in flight (requests run one at a time).
        await this.close();
        return;
    }
  }

  /** Releases every session (the detector's and the face pair's). */
  async close(): Promise<void> {
    const d = this.detector;
    const f = this.faces;
    this.detector = null;
    this.faces = null;
    if (d) await d.release();
    if (f) await f.release();
  }

  /** Opens both face models and checks they fit together; the previous pair keeps running unless both load. */
  private async loadFaces(re: number, detector: string | null, embedder: string | null): Promise<void> {
    if (detector === null || embedder === null) {
      const previous = this.faces;
      this.faces = null;
      if (previous) await previous.release();
      this.send({ type: 'face-models', re, outcome: { ok: true, value: { pair: null } }, entries: [] });
      return;
    }
    const entries: ModelEntry[] = [];
    const opened: OpenModel[] = [];
    const fail = async (message: string) => {
      await Promise.allSettled(opened.map((o) => o.session.release()));
      this.send({ type: 'face-models', re, outcome: { ok: false, error: { kind: 'model-load', message } }, entries });
    };
    for (const [role, name, task] of [
      ['face detector', detector, 'face-detector'],
      ['face embedder', embedder, 'face-embedding'],
    ] as const) {
      const r = await this.registry.open(name);
      if (!r.ok) {
        if (r.entry) entries.push(r.entry);
        return fail(`${role} "${name}": ${r.error}`);
      }
      entries.push(r.model.entry);
      opened.push(r.model);
      if (r.model.manifest.task !== task) return fail(`${role} "${name}" is a ${r.model.manifest.task} model, not a ${task} model`);
    }
    const [det, emb] = opened as [OpenModel, OpenModel];
    const mismatch = checkFacePair(det.manifest, emb.manifest);
    if (mismatch) return fail(`face models "${detector}" and "${embedder}" do not fit together: ${mismatch}`);
    const previous = this.faces;
    this.faces = new FacePipeline({ name: det.entry.name, manifest: det.manifest, session: det.session }, { name: emb.entry.name, manifest: emb.manifest, session: emb.session });
    if (previous) await previous.release();
    this.send({ type: 'log', level: 'debug', msg: 'face model sessions created', fields: { detector: det.entry.name, embedder: emb.entry.name, dim: this.faces.dim } });
    const match_threshold = emb.manifest.decoder.type === 'embedding' ? (emb.manifest.decoder.match_threshold ?? null) : null;
    this.send({ type: 'face-models', re, outcome: { ok: true, value: { pair: { detector: det.entry.name, embedder: emb.entry.name, dim: this.faces.dim, match_threshold } } }, entries });
  }

  private async load(re: number, name: string): Promise<void> {
    const r = await this.registry.open(name);
    if (!r.ok) {
      this.send({ type: 'error', re, error: { kind: 'model-load', message: `model "${name}": ${r.error}` }, ...(r.entry ? { entry: r.entry } : {}) });
      return;
    }
    const { entry, manifest, session } = r.model;
    if (!BOX_TASKS.has(manifest.task)) {
      await session.release();
      this.send({ type: 'error', re, error: { kind: 'model-load', message: `model "${name}" is a ${manifest.task} model; the detector needs a detector or face-detector model` }, entry });
      return;
    }
    const previous = this.detector;
    this.detector = new Detector(entry.name, manifest, session);
    if (previous) await previous.release();
    this.send({ type: 'log', level: 'debug', msg: 'model session created', fields: { model: entry.name, provider: session.provider } });
    this.send({ type: 'loaded', re, model: this.detector.model, entry });
  }

  private async frame(job: FrameJob): Promise<FrameOutcome> {
    const t0 = performance.now();
    const { width, height, data, config } = job;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0 || data.length !== width * height * 3) {
      return { status: 'failed', error: { kind: 'bad-frame', message: `expected ${width}×${height} rgb24 (${width * height * 3} bytes), got ${data.length} bytes` } };
    }
    const motion = this.motionFor(job).push(data, width, height);
    let detector: DetectorOutcome;
    if (config.detect === 'never') detector = { status: 'skipped', reason: 'never' };
    else if (config.detect === 'if-motion' && !motion?.motion) detector = { status: 'skipped', reason: 'no-motion' };
    else if (!this.detector) detector = { status: 'skipped', reason: 'no-model' };
    else {
      const r = await this.detector.detect(data, width, height, config);
      detector = r.ok ? { status: 'ran', model: this.detector.name, detections: r.detections, inference_ms: r.inference_ms } : { status: 'error', error: r.error };
    }
    return { status: 'analysed', result: { camera_id: job.camera_id, ts_ms: job.ts_ms, motion, detector, worker_ms: performance.now() - t0, queued_ms: job.queued_ms } };
  }

  private motionFor(job: FrameJob): MotionDetector {
    const key = JSON.stringify(job.config.motion);
    const cur = this.motion.get(job.camera_id);
    if (!cur) {
      const detector = new MotionDetector(job.config.motion);
      this.motion.set(job.camera_id, { detector, key });
      return detector;
    }
    if (cur.key !== key) {
      cur.detector.configure(job.config.motion);
      cur.key = key;
    }
    return cur.detector;
  }
}

const badRequest = (message: string): { ok: false; error: { kind: 'bad-frame'; message: string } } => ({ ok: false, error: { kind: 'bad-frame', message } });
const noFaces = (): { ok: false; error: { kind: 'no-model'; message: string } } => ({ ok: false, error: { kind: 'no-model', message: 'no face models are loaded' } });
