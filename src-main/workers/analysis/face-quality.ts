// Pure face quality: size, sharpness (variance of the Laplacian), detector score and pose (keypoint symmetry) into one 0–1 score.
import type { FaceQuality } from '../../ports/face-engine.port';
import type { Point } from './face-align';

/** Grey (BT.601 luma) of an rgb24 image. */
export function toGrey(rgb: Uint8Array, width: number, height: number): Float32Array {
  const g = new Float32Array(width * height);
  for (let i = 0, j = 0; i < g.length; i++, j += 3) g[i] = 0.299 * (rgb[j] as number) + 0.587 * (rgb[j + 1] as number) + 0.114 * (rgb[j + 2] as number);
  return g;
}

/** Variance of the 4-neighbour Laplacian over [x0, x1) × [y0, y1) (clipped so every neighbour is inside the image). */
export function laplacianVariance(grey: Float32Array, width: number, height: number, rect?: { x0: number; y0: number; x1: number; y1: number }): number {
  const x0 = Math.max(1, rect?.x0 ?? 1);
  const y0 = Math.max(1, rect?.y0 ?? 1);
  const x1 = Math.min(width - 1, rect?.x1 ?? width - 1);
  const y1 = Math.min(height - 1, rect?.y1 ?? height - 1);
  let n = 0;
  let sum = 0;
  let sq = 0;
  for (let y = y0; y < y1; y++) {
    let i = y * width + x0;
    for (let x = x0; x < x1; x++, i++) {
      const l = (grey[i - 1] as number) + (grey[i + 1] as number) + (grey[i - width] as number) + (grey[i + width] as number) - 4 * (grey[i] as number);
      sum += l;
      sq += l * l;
      n++;
    }
  }
  if (!n) return 0;
  const mean = sum / n;
  return Math.max(0, sq / n - mean * mean);
}

/** The rectangle of an aligned crop that holds the face itself: the template points' bounds plus 10 % of the crop. */
export function faceInterior(template: readonly Point[], width: number, height: number): { x0: number; y0: number; x1: number; y1: number } {
  const mx = 0.1 * width;
  const my = 0.1 * height;
  const xs = template.map((p) => p[0]);
  const ys = template.map((p) => p[1]);
  return {
    x0: Math.max(0, Math.floor(Math.min(...xs) - mx)),
    y0: Math.max(0, Math.floor(Math.min(...ys) - my)),
    x1: Math.min(width, Math.ceil(Math.max(...xs) + mx)),
    y1: Math.min(height, Math.ceil(Math.max(...ys) + my)),
  };
}

/**
 * The crop sharpness is measured on, the same whatever the embedder: 112×112 with eyes, nose and mouth centre where the
 * dlib template puts them (scaled from 150 px), so a quality floor means the same after a model switch.
 */
export const QUALITY_CROP = 112;
export const QUALITY_POINTS = ['right_eye', 'left_eye', 'nose', 'mouth'] as const;
export const QUALITY_TEMPLATE: readonly Point[] = [
  [46.08, 46.11],
  [100.34, 47.47],
  [72.71, 78.12],
  [72.05, 107.78],
].map(([x, y]) => [((x as number) * QUALITY_CROP) / 150, ((y as number) * QUALITY_CROP) / 150] as const);

/** Keypoints the pose measure uses, in source pixels (the detector's right eye is the subject's right, on the image's left). */
export interface PosePoints {
  right_eye: Point;
  left_eye: Point;
  nose: Point;
  mouth?: Point | undefined;
}

/** Nose drop / mouth drop below the eye line of frontal faces (0.51 in the dlib template; 0.51–0.68 on the fixtures' frontal faces). */
const FRONTAL_NOSE_TO_MOUTH = 0.58;

export interface PoseMeasures {
  /** Nose offset from the eyes' midpoint along the eye line, in half eye-distances (0 frontal, ≥ 1 beyond an eye). */
  yaw: number;
  /** Nose drop below the eye line over the mouth's (≈ 0.51 frontal); null without a mouth point. */
  pitch: number | null;
}

export function poseMeasures(p: PosePoints): PoseMeasures {
  const ex = p.left_eye[0] - p.right_eye[0];
  const ey = p.left_eye[1] - p.right_eye[1];
  const d = Math.hypot(ex, ey);
  if (!(d > 1e-6)) return { yaw: Infinity, pitch: null };
  const ux = ex / d;
  const uy = ey / d;
  const mx = (p.left_eye[0] + p.right_eye[0]) / 2;
  const my = (p.left_eye[1] + p.right_eye[1]) / 2;
  const along = (q: Point) => ((q[0] - mx) * ux + (q[1] - my) * uy) / (d / 2);
  const below = (q: Point) => (-(q[0] - mx) * uy + (q[1] - my) * ux) / d;
  const yaw = Math.abs(along(p.nose));
  if (!p.mouth) return { yaw, pitch: null };
  const mouth = below(p.mouth);
  return { yaw, pitch: mouth > 1e-6 ? below(p.nose) / mouth : Infinity };
}

const clamp01 = (v: number): number => (v <= 0 ? 0 : v >= 1 ? 1 : Number.isFinite(v) ? v : 0);
const ramp = (v: number, lo: number, hi: number): number => clamp01((v - lo) / (hi - lo));

/** 1 for a frontal face, falling to 0 as the nose reaches an eye (yaw) or the nose/mouth ratio leaves the frontal range (pitch). */
export function poseScore(m: PoseMeasures): number {
  const yaw = 1 - ramp(m.yaw, 0.3, 1);
  const pitch = m.pitch === null ? 1 : 1 - ramp(Math.abs(m.pitch - FRONTAL_NOSE_TO_MOUTH), 0.12, 0.4);
  return clamp01(yaw * pitch);
}

/** Face height in source pixels → 0 at 22 px or less, 1 from 60 px (a 50 px face in a 1080p frame scores 0.74). */
export const sizeScore = (px: number): number => ramp(px, 22, 60);

/** Laplacian variance of the face interior → 0–1; half at SHARPNESS_HALF. */
export const SHARPNESS_HALF = 60;
export const sharpnessScore = (v: number): number => clamp01(v / (v + SHARPNESS_HALF));

/** Detector score → 0 at 0.5, 1 from 0.9 (BlazeFace scores clear faces 0.8–0.97). */
export const detectorScore = (s: number): number => ramp(s, 0.5, 0.9);

/** Weights of the weighted geometric mean: one very poor part (tiny, blurred, profile) sinks the whole score. */
export const QUALITY_WEIGHTS = { size: 0.3, sharpness: 0.25, detector: 0.15, pose: 0.3 } as const;

export function faceQuality(parts: { size_px: number; sharpness: number; detector: number; pose: number }): FaceQuality {
  const w = QUALITY_WEIGHTS;
  const c = { size: sizeScore(parts.size_px), sharpness: sharpnessScore(parts.sharpness), detector: detectorScore(parts.detector), pose: clamp01(parts.pose) };
  const score = c.size ** w.size * c.sharpness ** w.sharpness * c.detector ** w.detector * c.pose ** w.pose;
  return { score: clamp01(score), size_px: parts.size_px, sharpness: parts.sharpness, pose: parts.pose, detector: parts.detector };
}
