// Synthetic scenes for the analysis tests: actors moving through a normalised frame, seen by a jittery detector.
import { updateTracker, type Box, type Detection, type TrackerConfig, type TrackerState, type TrackView, initialTrackerState } from '../../src-main/services/analysis/tracker';

export type Point = [number, number];

export interface Actor {
  name: string;
  label: string;
  class_id: number;
  /** Box size [w, h] as fractions of the frame. */
  size: Point;
  /** Centre at t (ms), or null when the actor is not in the scene. */
  at: (t: number) => Point | null;
  /** Detector score range [min, max). */
  score?: Point;
}

export const PERSON = { label: 'person', class_id: 0 } as const;
export const BICYCLE = { label: 'bicycle', class_id: 1 } as const;
export const CAR = { label: 'car', class_id: 2 } as const;
export const DOG = { label: 'dog', class_id: 16 } as const;

/** Constant velocity (fractions of the frame per second) from `start` at enter_ms until leave_ms. */
export const linear =
  (start: Point, velocity: Point, enter_ms = 0, leave_ms = Number.POSITIVE_INFINITY) =>
  (t: number): Point | null =>
    t < enter_ms || t > leave_ms ? null : [start[0] + (velocity[0] * (t - enter_ms)) / 1000, start[1] + (velocity[1] * (t - enter_ms)) / 1000];

/** Walks in, stands still from stop_ms to go_ms, walks on at the same velocity. */
export const pausing =
  (start: Point, velocity: Point, stop_ms: number, go_ms: number, leave_ms = Number.POSITIVE_INFINITY) =>
  (t: number): Point | null => {
    if (t < 0 || t > leave_ms) return null;
    const moving = Math.min(t, stop_ms) + Math.max(0, t - go_ms);
    return [start[0] + (velocity[0] * moving) / 1000, start[1] + (velocity[1] * moving) / 1000];
  };

/**
 * A pedestrian who turns (up to `turn` rad/s), changes pace and now and then stops or sets off again, sampled every
 * 100 ms and interpolated between samples; present from enter_ms to leave_ms.
 */
export function wandering(random: () => number, enter_ms: number, leave_ms: number, speed: number, turn = 1.5): (t: number) => Point | null {
  const pts: Point[] = [];
  let x = 0.2 + random() * 0.6;
  let y = 0.2 + random() * 0.6;
  let heading = random() * 2 * Math.PI;
  let pace = speed;
  const steps = Math.ceil((leave_ms - enter_ms) / 100) + 1;
  for (let k = 0; k <= steps; k++) {
    pts.push([x, y]);
    heading += (random() * 2 - 1) * turn * 0.1;
    pace = Math.max(0, pace + (random() * 2 - 1) * 0.01);
    if (random() < 0.01) pace = random() < 0.5 ? 0 : speed;
    x += Math.cos(heading) * pace * 0.1;
    // Depth: the same pace covers less of the frame vertically.
    y += Math.sin(heading) * pace * 0.05;
  }
  return (t) => {
    if (t < enter_ms || t > leave_ms) return null;
    const k = (t - enter_ms) / 100;
    const i = Math.min(steps - 1, Math.floor(k));
    const a = pts[i]!;
    const b = pts[i + 1]!;
    const f = k - i;
    return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f];
  };
}

export const isMoving = (a: Actor, t: number, dt = 200): boolean => {
  const p = a.at(t);
  const q = a.at(t - dt);
  if (!p || !q) return p !== q;
  return Math.abs(p[0] - q[0]) + Math.abs(p[1] - q[1]) > 1e-6;
};

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SceneFrame {
  ts: number;
  dets: Detection[];
  /** owners[k] is the actor behind dets[k]. */
  owners: string[];
}

export interface DetectOptions {
  /** Std-like jitter of box edges, fraction of the frame. */
  jitter?: number;
  /** An actor hidden at t yields no detection (occlusion, a missed detection). */
  hidden?: (name: string, t: number) => boolean;
}

/** What a detector reports at t: a box per visible actor, jittered, with a score in the actor's range. */
export function detect(actors: readonly Actor[], t: number, random: () => number, opts: DetectOptions = {}): SceneFrame {
  const jitter = opts.jitter ?? 0.003;
  const dets: Detection[] = [];
  const owners: string[] = [];
  for (const a of actors) {
    const c = a.at(t);
    if (!c || opts.hidden?.(a.name, t)) continue;
    const j = () => (random() * 2 - 1) * jitter;
    const [w, h] = a.size;
    const box: Box = [c[0] - w / 2 + j(), c[1] - h / 2 + j(), w + j(), h + j()];
    if (box[0] + box[2] <= 0 || box[0] >= 1 || box[1] + box[3] <= 0 || box[1] >= 1) continue;
    const [lo, hi] = a.score ?? [0.6, 0.9];
    dets.push({ label: a.label, class_id: a.class_id, score: lo + random() * (hi - lo), box });
    owners.push(a.name);
  }
  return { ts: t, dets, owners };
}

/** Timestamps from `from` to `to` with gaps drawn from [min_ms, max_ms]. */
export function irregularTimes(from: number, to: number, min_ms: number, max_ms: number, random: () => number): number[] {
  const out: number[] = [];
  for (let t = from; t <= to; t += Math.round(min_ms + random() * (max_ms - min_ms))) out.push(t);
  return out;
}

export const evenTimes = (from: number, to: number, step: number): number[] => {
  const out: number[] = [];
  for (let t = from; t <= to; t += step) out.push(t);
  return out;
};

export interface SceneRun {
  state: TrackerState;
  frames: { frame: SceneFrame; tracks: TrackView[]; ended: number[] }[];
  /** Every track id each actor's detections were matched to. */
  idsOf: Map<string, Set<number>>;
  /** Every actor each track id was matched to. */
  actorsOf: Map<number, Set<string>>;
}

export function runScene(actors: readonly Actor[], times: readonly number[], cfg: TrackerConfig, seed = 1, opts: DetectOptions = {}): SceneRun {
  const random = rng(seed);
  return runFrames(times.map((t) => detect(actors, t, random, opts)), cfg);
}

export function runFrames(frames: readonly SceneFrame[], cfg: TrackerConfig, start: TrackerState = initialTrackerState()): SceneRun {
  let state = start;
  const out: SceneRun['frames'] = [];
  const idsOf = new Map<string, Set<number>>();
  const actorsOf = new Map<number, Set<string>>();
  for (const frame of frames) {
    const r = updateTracker(state, frame.ts, frame.dets, cfg);
    state = r.state;
    out.push({ frame, tracks: r.tracks, ended: r.ended });
    for (const v of r.tracks) {
      if (v.det_index === null) continue;
      const owner = frame.owners[v.det_index]!;
      if (!idsOf.has(owner)) idsOf.set(owner, new Set());
      idsOf.get(owner)!.add(v.id);
      if (!actorsOf.has(v.id)) actorsOf.set(v.id, new Set());
      actorsOf.get(v.id)!.add(owner);
    }
  }
  return { state, frames: out, idsOf, actorsOf };
}

/** The single track id an actor kept throughout, failing loudly otherwise. */
export function onlyId(run: SceneRun, actor: string): number {
  const ids = [...(run.idsOf.get(actor) ?? [])];
  if (ids.length !== 1) throw new Error(`${actor} had track ids [${ids.join(', ')}]`);
  return ids[0]!;
}
