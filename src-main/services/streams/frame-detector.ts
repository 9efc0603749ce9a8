// Runs the shared object detector on one pushed JPEG: libvips sizes it for the model, the analysis worker infers.
import { ApiError, unavailable } from '../../shared/errors';
import type { AnalysisEngine, CameraAnalysisConfig } from '../../ports/analysis-engine.port';
import type { ImageRepository } from '../../repositories/image/image.repository';
import type { FrameDetection } from './policy';
import type { FrameDetector } from './streams.service';

/** The engine keeps one pending frame per camera id; each pushed frame gets its own (negative, never a real camera). */
let nextId = -1_000_000;

export class EngineFrameDetector implements FrameDetector {
  constructor(
    private readonly engine: Pick<AnalysisEngine, 'activeModel' | 'submit' | 'forget'>,
    private readonly image: Pick<ImageRepository, 'rgbFit'>,
  ) {}

  async detect(jpeg: Buffer): Promise<{ model: string; detections: FrameDetection[] }> {
    const model = this.engine.activeModel();
    if (!model) throw unavailable('No object detector is loaded (System → detector model); frames cannot be verified.');
    const rgb = await this.image.rgbFit(jpeg, Math.max(model.input.width, model.input.height));
    if (!rgb) throw new ApiError(415, 'The frame could not be decoded as a JPEG.', {}, { code: 'unsupported_media_type' });
    const id = nextId--;
    if (nextId < -2_000_000_000) nextId = -1_000_000;
    const config: CameraAnalysisConfig = { motion: { threshold: 25, min_area: 0, masks: [] }, detect: 'always', conf: null, iou: null, classes: [], min_interval_ms: 0 };
    try {
      const out = await this.engine.submit({ camera_id: id, ts_ms: Date.now(), width: rgb.width, height: rgb.height, format: 'rgb24', data: rgb.data }, config);
      if (out.status === 'dropped') throw unavailable('The detector is stopping; try again.');
      if (out.status === 'failed') throw unavailable(`The detector failed: ${out.error.message}`);
      const det = out.result.detector;
      if (det.status === 'error') throw unavailable(`The detector failed: ${det.error.message}`);
      if (det.status === 'skipped') throw unavailable('No object detector is loaded; frames cannot be verified.');
      return { model: det.model, detections: det.detections.map((x) => ({ label: x.label, confidence: Math.round(x.score * 1000) / 1000, box: x.box })) };
    } finally {
      this.engine.forget(id);
    }
  }
}
