// What one track becomes when it ends (pure): its per-frame boxes, clothing histograms and faces folded into a SightingSummary.
import type { Box } from '../../ports/analysis-engine.port';
import type { AppearanceHist } from '../../ports/face-engine.port';
import type { AppearanceDescriptor, SightingSummary } from './identity-model';

/** A face found in the track's box on one frame. */
export interface ObservedTrackFace {
  /** The stored face sample (face_samples.id); null when none was kept. */
  sample_id: number | null;
  /** L2-normalised. */
  embedding: Float32Array;
  /** FaceQuality.score, 0–1. */
  quality: number;
}

/** The track on one analysed frame. */
export interface SightingObservation {
  ts_ms: number;
  /** Normalised [x, y, w, h] of the detection matched to the track on this frame. */
  box: Box;
  score: number;
  /** Histograms of the box (FaceEngine.facesInFrame's `appearance`); null when none were measured. */
  appearance: AppearanceHist | null;
  /** Appearance-model features of the box (L2-normalised), when one ran. */
  features?: Float32Array | null;
  /** Another track's box covers much of this one (see occludedBoxes): its colours and face may be someone else's. */
  occluded: boolean;
  face: ObservedTrackFace | null;
}

/** What the track knows besides its frames, given when it ends; every field without a default is copied as is. */
export interface SightingFinish {
  object_class: string;
  event_id: number | null;
  crop_jpeg: Buffer | null;
  face_model: string | null;
  person_id: number | null;
  color: { name: string; hex: string } | null;
  /** The tracker's best detection; default: the observation with the highest score. */
  best?: { box: Box; ms: number; score: number };
  /** The tracker's first and last seen; default: the first and last observation. */
  start_ms?: number;
  end_ms?: number;
}

export interface SightingBuilderOptions {
  /** A box closer than this (a share of the frame) to an edge is cut by it: part of the person is missing. */
  edge_margin: number;
  /** Boxes at least this tall (a share of the frame height) weigh fully in the appearance mean; shorter ones in proportion. */
  full_weight_height: number;
  /** No frame weighs less than this share of a full one (a small, sure detection still counts). */
  min_size_factor: number;
  /** A face weighs its quality, never less than this (a track whose faces all scored 0 still has a mean). */
  min_face_weight: number;
}

export const DEFAULT_SIGHTING_BUILDER: SightingBuilderOptions = { edge_margin: 0.005, full_weight_height: 0.2, min_size_factor: 0.1, min_face_weight: 0.05 };

interface FaceSum {
  sum: Float64Array | null;
  weight: number;
}

/** Running quality-weighted sums of histograms (and features), so a long track costs constant memory. */
class WeightedMean {
  upper: Float64Array | null = null;
  lower: Float64Array | null = null;
  features: Float64Array | null = null;
  weight = 0;
  featureWeight = 0;
  frames = 0;

  add(h: AppearanceHist, features: Float32Array | null, w: number): void {
    this.upper = accumulate(this.upper, h.upper, w);
    this.lower = accumulate(this.lower, h.lower, w);
    if (features) {
      if (this.features && this.features.length !== features.length) return;
      this.features = accumulate(this.features, features, w);
      this.featureWeight += w;
    }
    this.weight += w;
    this.frames++;
  }

  descriptor(): AppearanceDescriptor | null {
    if (!this.upper || !this.lower || !(this.weight > 0)) return null;
    return {
      upper: scaled(this.upper, 1 / this.weight),
      lower: scaled(this.lower, 1 / this.weight),
      features: this.features && this.featureWeight > 0 ? unit(this.features) : null,
    };
  }
}

function accumulate(sum: Float64Array | null, v: Float32Array, w: number): Float64Array {
  const out = sum ?? new Float64Array(v.length);
  const n = Math.min(out.length, v.length);
  for (let i = 0; i < n; i++) out[i] = (out[i] as number) + w * (v[i] as number);
  return out;
}

function scaled(v: Float64Array, k: number): Float32Array {
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = (v[i] as number) * k;
  return out;
}

function unit(v: Float64Array): Float32Array | null {
  let n = 0;
  for (const x of v) n += x * x;
  return n > 0 ? scaled(v, 1 / Math.sqrt(n)) : null;
}

/** The box touches the frame's edge (within `margin`): the person is partly outside it. */
export const cutByEdge = (b: Box, margin: number): boolean => b[0] <= margin || b[1] <= margin || b[0] + b[2] >= 1 - margin || b[1] + b[3] >= 1 - margin;

/** Share of `a`'s area that `b` covers. */
export function coveredShare(a: Box, b: Box): number {
  const ix = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  const iy = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  const area = a[2] * a[3];
  return ix > 0 && iy > 0 && area > 0 ? (ix * iy) / area : 0;
}

/**
 * Which of one frame's boxes are occluded: another box covers at least `share` of it and stands nearer the camera (its
 * bottom edge lower in the frame, people standing on one ground plane), or covers at least twice `share` whoever is in
 * front. Boxes side by side that only touch stay clean.
 */
export function occludedBoxes(boxes: readonly Box[], share = 0.25): boolean[] {
  return boxes.map((a, i) =>
    boxes.some((b, j) => {
      if (i === j) return false;
      const c = coveredShare(a, b);
      return c >= 2 * share || (c >= share && b[1] + b[3] >= a[1] + a[3]);
    }),
  );
}

/**
 * Accumulates one (camera, track) while it lives. Appearance is the quality-weighted mean (detection score × size) of
 * the frames where the whole person is visible and nobody stands in front; when the track has none, of the frames cut
 * only by the frame's edge; occluded frames never count. The face embedding is the quality-weighted mean of the track's
 * faces (those on clean frames when there are any), L2-normalised.
 */
export class SightingBuilder {
  private readonly clean = new WeightedMean();
  private readonly edge = new WeightedMean();
  /** Running weighted sums of the faces on clean and on occluded frames. */
  private readonly cleanFaces: FaceSum = { sum: null, weight: 0 };
  private readonly occludedFaces: FaceSum = { sum: null, weight: 0 };
  private faceDim: number | null = null;
  private readonly sampleIds = new Set<number>();
  private first: number | null = null;
  private last: number | null = null;
  private best: { box: Box; ms: number; score: number } | null = null;
  private count = 0;

  constructor(
    readonly camera_id: number,
    readonly track_id: number,
    private readonly opts: SightingBuilderOptions = DEFAULT_SIGHTING_BUILDER,
  ) {}

  observe(o: SightingObservation): void {
    this.count++;
    this.first = this.first === null ? o.ts_ms : Math.min(this.first, o.ts_ms);
    this.last = this.last === null ? o.ts_ms : Math.max(this.last, o.ts_ms);
    if (!this.best || o.score > this.best.score) this.best = { box: [...o.box], ms: o.ts_ms, score: o.score };
    if (o.appearance && !o.occluded) {
      const w = this.frameWeight(o);
      if (w > 0) (cutByEdge(o.box, this.opts.edge_margin) ? this.edge : this.clean).add(o.appearance, o.features ?? null, w);
    }
    if (o.face) {
      if (o.face.sample_id !== null) this.sampleIds.add(o.face.sample_id);
      const q = Number.isFinite(o.face.quality) ? o.face.quality : 0;
      const w = Math.max(this.opts.min_face_weight, Math.min(1, q));
      this.faceDim ??= o.face.embedding.length;
      if (o.face.embedding.length === this.faceDim) {
        const acc = o.occluded ? this.occludedFaces : this.cleanFaces;
        acc.sum = accumulate(acc.sum, o.face.embedding, w);
        acc.weight += w;
      }
    }
  }

  /** Frames observed so far. */
  get observations(): number {
    return this.count;
  }

  /** Frames whose colours went into the appearance (clean ones, else edge-cut ones). */
  get appearanceFrames(): number {
    return this.clean.frames || this.edge.frames;
  }

  finish(f: SightingFinish): SightingSummary {
    const best = f.best ?? this.best ?? { box: [0, 0, 0, 0] as Box, ms: this.first ?? 0, score: 0 };
    const start = f.start_ms ?? this.first ?? best.ms;
    const end = f.end_ms ?? this.last ?? start;
    const face = this.faceMean();
    return {
      camera_id: this.camera_id,
      track_id: this.track_id,
      object_class: f.object_class,
      start_ms: start,
      end_ms: Math.max(start, end),
      event_id: f.event_id,
      best_box: [...best.box],
      best_ms: best.ms,
      best_score: best.score,
      crop_jpeg: f.crop_jpeg,
      appearance: this.clean.descriptor() ?? this.edge.descriptor(),
      face_sample_ids: [...this.sampleIds],
      face_embedding: face?.embedding ?? null,
      face_model: f.face_model,
      face_weight: face?.weight ?? 0,
      person_id: f.person_id,
      color: f.color,
    };
  }

  private frameWeight(o: SightingObservation): number {
    const score = Number.isFinite(o.score) ? Math.min(1, Math.max(0, o.score)) : 0;
    const size = Math.min(1, Math.max(this.opts.min_size_factor, o.box[3] / this.opts.full_weight_height));
    return score * size;
  }

  private faceMean(): { embedding: Float32Array; weight: number } | null {
    const use = this.cleanFaces.sum ? this.cleanFaces : this.occludedFaces;
    const embedding = use.sum ? unit(use.sum) : null;
    return embedding ? { embedding, weight: use.weight } : null;
  }
}
