// What the analysis worker thread does with each host message: motion per camera, one detector session for all cameras, model loading.
import type { DetectorOutcome } from '../../ports/analysis-engine.port';
import type { ModelRegistry } from '../../repositories/onnx/model-registry.repository';
import type { OnnxRuntimeRepository } from '../../repositories/onnx/onnx-runtime.repository';
import type { FrameJob, FrameOutcome, HostMessage, WorkerMessage } from './analysis-worker.protocol';
import { Detector } from './detector';
import { MotionDetector } from './motion-detector';

type Payload<M> = M extends WorkerMessage ? Omit<M, 'seq'> : never;
export type WorkerPayload = Payload<WorkerMessage>;

/** Tasks whose output is boxes, so the detector path can run them. */
const BOX_TASKS = new Set(['detector', 'face-detector']);

interface CameraMotion {
  detector: MotionDetector;
  key: string;
}

export class AnalysisWorkerCore {
  private detector: Detector | null = null;
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
      case 'shutdown':
      case 'crash':
        // The entry script ends the thread; by now no inference is in flight (requests run one at a time).
        await this.close();
        return;
    }
  }

  /** Releases the detector's session. */
  async close(): Promise<void> {
    const d = this.detector;
    this.detector = null;
    if (d) await d.release();
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
