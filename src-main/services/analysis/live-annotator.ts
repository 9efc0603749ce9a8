// Live frames with the current detections drawn on them (Iris's "annotated" snapshot/MJPEG); drawn only when someone asks.
import type { DrawBox, ImageRepository } from '../../repositories/image/image.repository';
import type { LatestFrame } from '../../ports/camera-workers.port';

export interface CurrentDetections {
  ts: number;
  boxes: DrawBox[];
}

/** Detections older than this (relative to the frame) are not drawn: the object may have moved on. */
const STALE_MS = 2500;

export class LiveAnnotator {
  /** Per camera: the last annotated frame, keyed by frame seq and detection time, shared by every viewer. */
  private readonly cache = new Map<number, { key: string; out: Promise<Buffer> }>();

  constructor(
    private readonly image: ImageRepository,
    private readonly current: (cameraId: number, atTs: number) => CurrentDetections | null,
  ) {}

  /** The frame with boxes drawn, or the frame itself when nothing is being detected (no decode, no encode). */
  frame(cameraId: number, f: LatestFrame): Promise<Buffer> {
    const d = this.current(cameraId, f.ts_ms);
    if (!d || d.boxes.length === 0 || Math.abs(f.ts_ms - d.ts) > STALE_MS) return Promise.resolve(f.jpeg);
    const key = `${f.seq}:${d.ts}`;
    const hit = this.cache.get(cameraId);
    if (hit && hit.key === key) return hit.out;
    const out = this.image.annotate(f.jpeg, d.boxes).catch(() => f.jpeg);
    this.cache.set(cameraId, { key, out });
    return out;
  }

  forget(cameraId: number): void {
    this.cache.delete(cameraId);
  }
}
