// Pure clothing-colour features of a person box: grey-world normalised HSV 8×4×4 joint histograms of the upper and lower body.
import type { Box } from '../../ports/analysis-engine.port';
import type { AppearanceHist } from '../../ports/face-engine.port';

export const HUE_BINS = 8;
export const SAT_BINS = 4;
export const VAL_BINS = 4;
export const HIST_BINS = HUE_BINS * SAT_BINS * VAL_BINS;

/** Bands of the box height and the central share of its width that the histograms cover. */
export const UPPER_BAND: readonly [number, number] = [0.15, 0.5];
export const LOWER_BAND: readonly [number, number] = [0.5, 0.9];
export const CENTRAL_WIDTH = 0.6;

/** Pixels sampled per band at most (a regular grid over larger bands). */
const MAX_SAMPLES = 4096;
/** Boxes smaller than this (pixels per side of a band) give no histogram. */
const MIN_BAND_PX = 4;

/** Bin of an RGB pixel already grey-world corrected (0–255 floats): hue 8 bins over 360°, saturation and value 4 each. */
export function hsvBin(r: number, g: number, b: number): number {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const v = max / 255;
  const s = max > 0 ? (max - min) / max : 0;
  let h = 0;
  if (max > min) {
    const d = max - min;
    if (max === r) h = ((g - b) / d + 6) % 6;
    else if (max === g) h = (b - r) / d + 2;
    else h = (r - g) / d + 4;
  }
  const hb = Math.min(HUE_BINS - 1, Math.floor((h / 6) * HUE_BINS));
  const sb = Math.min(SAT_BINS - 1, Math.floor(s * SAT_BINS));
  const vb = Math.min(VAL_BINS - 1, Math.floor(v * VAL_BINS));
  return (hb * SAT_BINS + sb) * VAL_BINS + vb;
}

interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

function bandRect(px: Rect, band: readonly [number, number]): Rect {
  const w = px.x1 - px.x0;
  const h = px.y1 - px.y0;
  const margin = (w * (1 - CENTRAL_WIDTH)) / 2;
  return { x0: Math.round(px.x0 + margin), x1: Math.round(px.x1 - margin), y0: Math.round(px.y0 + h * band[0]), y1: Math.round(px.y0 + h * band[1]) };
}

/** Per-channel gains that make the box's mean colour grey (grey-world white balance), from a sampled grid. */
function greyWorldGains(rgb: Uint8Array, width: number, r: Rect): [number, number, number] {
  const step = Math.max(1, Math.floor(Math.sqrt(((r.x1 - r.x0) * (r.y1 - r.y0)) / MAX_SAMPLES)));
  let sr = 0;
  let sg = 0;
  let sb = 0;
  for (let y = r.y0; y < r.y1; y += step) {
    for (let x = r.x0; x < r.x1; x += step) {
      const i = (y * width + x) * 3;
      sr += rgb[i] as number;
      sg += rgb[i + 1] as number;
      sb += rgb[i + 2] as number;
    }
  }
  const grey = (sr + sg + sb) / 3;
  const gain = (c: number) => (c > 0 ? grey / c : 1);
  return [gain(sr), gain(sg), gain(sb)];
}

function histogram(rgb: Uint8Array, width: number, r: Rect, gains: readonly [number, number, number]): Float32Array {
  const hist = new Float32Array(HIST_BINS);
  const step = Math.max(1, Math.floor(Math.sqrt(((r.x1 - r.x0) * (r.y1 - r.y0)) / MAX_SAMPLES)));
  const [gr, gg, gb] = gains;
  let n = 0;
  for (let y = r.y0; y < r.y1; y += step) {
    for (let x = r.x0; x < r.x1; x += step) {
      const i = (y * width + x) * 3;
      const bin = hsvBin(Math.min(255, (rgb[i] as number) * gr), Math.min(255, (rgb[i + 1] as number) * gg), Math.min(255, (rgb[i + 2] as number) * gb));
      hist[bin] = (hist[bin] as number) + 1;
      n++;
    }
  }
  if (n) for (let k = 0; k < HIST_BINS; k++) hist[k] = (hist[k] as number) / n;
  return hist;
}

/**
 * Upper-body (15–50 % of the box height) and lower-body (50–90 %) histograms over the central 60 % of the width,
 * each summing to 1, after grey-world normalisation over the whole box. Null when the box is too small to say anything.
 */
export function appearanceHistograms(rgb: Uint8Array, width: number, height: number, box: Box): AppearanceHist | null {
  const px: Rect = {
    x0: Math.max(0, Math.round(box[0] * width)),
    y0: Math.max(0, Math.round(box[1] * height)),
    x1: Math.min(width, Math.round((box[0] + box[2]) * width)),
    y1: Math.min(height, Math.round((box[1] + box[3]) * height)),
  };
  const upper = bandRect(px, UPPER_BAND);
  const lower = bandRect(px, LOWER_BAND);
  const small = (r: Rect) => r.x1 - r.x0 < MIN_BAND_PX || r.y1 - r.y0 < MIN_BAND_PX;
  if (small(upper) || small(lower)) return null;
  const gains = greyWorldGains(rgb, width, px);
  return { upper: histogram(rgb, width, upper, gains), lower: histogram(rgb, width, lower, gains) };
}

/** Bhattacharyya distance √(1 − Σ√(p·q)) between two histograms that each sum to 1: 0 identical, 1 disjoint. */
export function bhattacharyya(p: Float32Array, q: Float32Array): number {
  let bc = 0;
  for (let i = 0; i < Math.min(p.length, q.length); i++) bc += Math.sqrt((p[i] as number) * (q[i] as number));
  return Math.sqrt(Math.max(0, 1 - bc));
}
