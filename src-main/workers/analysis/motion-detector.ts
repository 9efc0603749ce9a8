// Pure motion detection on rgb24 analysis frames (runs in the analysis worker): grey differencing, per-pixel threshold, min changed area, masks.
import type { MotionConfig, MotionResult } from '../../ports/analysis-engine.port';

export type { MotionConfig, MotionResult };

/** Even-odd point-in-polygon. */
export function insidePolygon(x: number, y: number, poly: [number, number][]): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i] as [number, number];
    const [xj, yj] = poly[j] as [number, number];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** 1 = analysed, 0 = masked; one byte per pixel. */
export function buildMask(width: number, height: number, masks: [number, number][][]): Uint8Array {
  const m = new Uint8Array(width * height).fill(1);
  if (!masks.length) return m;
  for (let y = 0; y < height; y++) {
    const ny = (y + 0.5) / height;
    for (let x = 0; x < width; x++) {
      const nx = (x + 0.5) / width;
      if (masks.some((p) => insidePolygon(nx, ny, p))) m[y * width + x] = 0;
    }
  }
  return m;
}

export function toGrey(rgb: Uint8Array, width: number, height: number): Uint8Array {
  const n = width * height;
  const g = new Uint8Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 3) g[i] = ((rgb[j] as number) * 77 + (rgb[j + 1] as number) * 150 + (rgb[j + 2] as number) * 29) >> 8;
  return g;
}

/** Compare two grey frames of equal size. */
export function diffFrames(prev: Uint8Array, cur: Uint8Array, width: number, height: number, mask: Uint8Array, cfg: MotionConfig): MotionResult {
  let changed = 0;
  let valid = 0;
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const i = row + x;
      if (!mask[i]) continue;
      valid++;
      const d = (cur[i] as number) - (prev[i] as number);
      if (d >= cfg.threshold || -d >= cfg.threshold) {
        changed++;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  const area = valid ? changed / valid : 0;
  const box: MotionResult['box'] = changed ? [x0 / width, y0 / height, (x1 - x0 + 1) / width, (y1 - y0 + 1) / height] : null;
  return { area, motion: changed > 0 && area >= cfg.min_area, box };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Stateful wrapper for one camera: keeps the previous grey frame and the cached mask. */
export class MotionDetector {
  private prev: Uint8Array | null = null;
  private mask: Uint8Array | null = null;
  private dims = '';

  constructor(private cfg: MotionConfig) {}

  configure(cfg: MotionConfig): void {
    this.cfg = cfg;
    this.mask = null;
  }

  /** null for the first frame (nothing to compare with), after a size change, or for an exact duplicate. */
  push(rgb: Uint8Array, width: number, height: number): MotionResult | null {
    const grey = toGrey(rgb, width, height);
    const dims = `${width}x${height}`;
    if (dims !== this.dims || !this.mask) {
      this.mask = buildMask(width, height, this.cfg.masks);
      if (dims !== this.dims) this.prev = null;
      this.dims = dims;
    }
    const prev = this.prev;
    // A byte-identical frame is a duplicate from the ingest, not a still scene: it carries no new information.
    if (prev && sameBytes(prev, grey)) return null;
    this.prev = grey;
    return prev ? diffFrames(prev, grey, width, height, this.mask, this.cfg) : null;
  }
}
