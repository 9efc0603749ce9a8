// One loaded detection model in the worker: its single session (shared by every camera), its input tensor, decoding and NMS.
import type { ActiveModel, AnalysisError, Detection } from '../../ports/analysis-engine.port';
import type { FloatTensor, OnnxSession } from '../../repositories/onnx/onnx-runtime.repository';
import { analysisScaleFilter, classNames, decoderOutputs, type ModelManifest } from '../../shared/model-manifest';
import { decode } from './detection-decoders';
import { nms } from './nms';
import { placeFrame, TensorWriter, toFrameBox } from './preprocess';

export interface DetectOptions {
  conf: number | null;
  iou: number | null;
  classes: readonly string[];
}

export type DetectResult = { ok: true; detections: Detection[]; inference_ms: number } | { ok: false; error: AnalysisError };

const PRE_NMS_TOP_K = 3000;

export function activeModelOf(name: string, m: ModelManifest, provider: string): ActiveModel {
  return {
    name,
    task: m.task,
    input: { width: m.input.width, height: m.input.height, resize: m.input.resize },
    scale_filter: analysisScaleFilter(m.input),
    classes: [...classNames(m)],
    score_threshold: m.score_threshold,
    iou_threshold: m.iou_threshold,
    max_batch: m.max_batch,
    provider,
  };
}

export class Detector {
  readonly model: ActiveModel;
  private readonly writer: TensorWriter;
  private readonly names: readonly string[];
  private readonly outputs: string[];
  private readonly masks = new Map<string, Uint8Array | null>();

  constructor(
    readonly name: string,
    private readonly manifest: ModelManifest,
    private readonly session: OnnxSession,
  ) {
    this.model = activeModelOf(name, manifest, session.provider);
    this.writer = new TensorWriter(manifest.input);
    this.names = classNames(manifest);
    this.outputs = decoderOutputs(manifest.decoder);
  }

  /** `rgb` holds width·height·3 bytes (checked by the caller). */
  async detect(rgb: Uint8Array, width: number, height: number, o: DetectOptions): Promise<DetectResult> {
    const m = this.manifest;
    const placed = placeFrame(m.input, width, height);
    if (!placed.ok) return { ok: false, error: { kind: 'bad-frame', message: placed.error } };
    const tensor = this.writer.write(rgb, placed.placement);
    const t0 = performance.now();
    let outputs: Record<string, FloatTensor>;
    try {
      outputs = await this.session.run({ [m.input.name]: { data: tensor, dims: this.writer.dims } }, this.outputs);
    } catch (e) {
      return { ok: false, error: { kind: 'inference', message: e instanceof Error ? e.message : String(e) } };
    }
    const inference_ms = performance.now() - t0;
    try {
      const cands = decode(m.decoder, outputs, { width: m.input.width, height: m.input.height, classes: this.names.length, conf: o.conf ?? m.score_threshold, allowed: this.mask(o.classes) });
      const kept = nms(cands, { iou: o.iou ?? m.iou_threshold, maxOut: m.max_detections, preTopK: PRE_NMS_TOP_K });
      const detections = kept.map((c) => ({ label: this.names[c.cls] ?? `class ${c.cls}`, class_id: c.cls, score: c.score, box: toFrameBox(c.x1, c.y1, c.x2, c.y2, placed.placement) }));
      return { ok: true, detections: detections.filter((d) => d.box[2] > 0 && d.box[3] > 0), inference_ms };
    } catch (e) {
      return { ok: false, error: { kind: 'inference', message: `decoding failed: ${e instanceof Error ? e.message : String(e)}` } };
    }
  }

  release(): Promise<void> {
    return this.session.release();
  }

  private mask(classes: readonly string[]): Uint8Array | null {
    if (!classes.length) return null;
    const key = classes.join('\n');
    let m = this.masks.get(key);
    if (m === undefined) {
      const wanted = new Set(classes);
      m = new Uint8Array(this.names.length);
      for (let i = 0; i < this.names.length; i++) m[i] = wanted.has(this.names[i] as string) ? 1 : 0;
      if (this.masks.size > 64) this.masks.clear();
      this.masks.set(key, m);
    }
    return m;
  }
}
