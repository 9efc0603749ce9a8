// Multi-object tracker: ByteTrack-style two-stage IoU association over a per-axis constant-velocity Kalman filter; pure, plain-data state.
import type { CameraTuning } from '../../shared/contract/cameras.contract';

/** Normalised [x, y, w, h]: top-left corner and size as fractions of the frame. */
export type Box = [number, number, number, number];

/** One detector output for one frame (after NMS). */
export interface Detection {
  label: string;
  class_id: number;
  score: number;
  box: Box;
}

/**
 * One coordinate (centre x, centre y, width or height) as position + velocity per second with its 2×2 covariance.
 * With the process and measurement noise diagonal across coordinates (as in SORT/ByteTrack), the 8-state
 * filter separates exactly into four of these, so nothing is lost by filtering them independently.
 */
export interface AxisFilter {
  x: number;
  v: number;
  pxx: number;
  pxv: number;
  pvv: number;
}

export interface MotionFilter {
  cx: AxisFilter;
  cy: AxisFilter;
  w: AxisFilter;
  h: AxisFilter;
}

export interface Track {
  id: number;
  label: string;
  class_id: number;
  /** Filter state at TrackerState.ts_ms. */
  kf: MotionFilter;
  /** Consecutive detector frames in which the track was matched. */
  hits: number;
  total_hits: number;
  /** Detector frames since the track was born, its first frame included. */
  age: number;
  /** Consecutive detector frames without a match. */
  misses: number;
  /** Reached min_hits consecutive hits at some point; stays true for the track's life. */
  confirmed: boolean;
  first_ms: number;
  last_ms: number;
  /** Score and box of the last matched detection. */
  score: number;
  box: Box;
  best_score: number;
  best_box: Box;
  best_ms: number;
}

/** Per camera. JSON round-trips exactly (no Maps, classes or non-finite numbers). */
export interface TrackerState {
  ts_ms: number | null;
  next_id: number;
  tracks: Track[];
}

export interface TrackerConfig {
  /** Detections at or above this score are first-class: they are matched first and may start tracks (camera detect_conf). */
  high_score: number;
  /** Detections below this are ignored; those in [low_score, high_score) only continue confirmed tracks (ByteTrack's second stage). */
  low_score: number;
  /** Score a detection needs to start a new track. */
  new_track_score: number;
  /** Least IoU between a confirmed track's prediction and a high-score detection. */
  match_iou: number;
  /** Least IoU for the low-score stage; stricter, since low-score boxes are mostly background elsewhere. */
  low_match_iou: number;
  /** Least IoU between a not-yet-confirmed track and a detection. */
  tentative_match_iou: number;
  /** Consecutive hits that confirm a track (camera min_trigger_frames). */
  min_hits: number;
  /** A confirmed track dies after more consecutive missed detector frames than this. */
  max_misses: number;
  /** A track dies once this long has passed since its last match, however few detector frames ran meanwhile. */
  max_lost_ms: number;
  /**
   * A track that is not yet confirmed dies after more misses than this. ByteTrack drops them at the first miss, but
   * at a few detector frames a second one miss spans half a second; a miss still restarts the hit count.
   */
  max_tentative_misses: number;
  /** Process noise: std of acceleration, in box sizes per second². */
  accel_std: number;
  /** Measurement noise: std of a detection's coordinates, as a fraction of the box size. */
  measure_std: number;
  /** Std of a newborn track's unknown velocity, in box sizes per second. */
  velocity_std: number;
  /**
   * Squared Mahalanobis distance (centre and size, under the filter's own uncertainty) within which a pair that fails
   * the IoU test may still match, ranked after every IoU match. At two detector frames a second, an object that moves
   * more than half its width per frame overlaps neither its last box nor a newborn track's zero-velocity prediction;
   * the gate widens with elapsed time and unknown velocity and stays tight for a well-tracked object. 0 turns it off.
   */
  motion_gate: number;
}

/** What one detector frame did to one live track. */
export interface TrackView {
  id: number;
  label: string;
  class_id: number;
  /** This frame's detection score when matched, else the last matched score. */
  score: number;
  /** This frame's detection box when matched, else the motion prediction for this frame. */
  box: Box;
  hits: number;
  age: number;
  misses: number;
  confirmed: boolean;
  /** Matched on this frame. */
  matched: boolean;
  /** Index into this frame's detections when matched. */
  det_index: number | null;
  first_ms: number;
  last_ms: number;
  best_score: number;
  best_box: Box;
  best_ms: number;
}

export interface TrackerUpdate {
  state: TrackerState;
  /** Every live track after this frame, by id. */
  tracks: TrackView[];
  /** Ids of tracks that died on this frame. */
  ended: number[];
}

export const DEFAULT_TRACKER_CONFIG: TrackerConfig = {
  high_score: 0.5,
  low_score: 0.1,
  new_track_score: 0.5,
  match_iou: 0.2,
  low_match_iou: 0.5,
  tentative_match_iou: 0.3,
  min_hits: 2,
  max_misses: 8,
  max_lost_ms: 5000,
  max_tentative_misses: 1,
  accel_std: 1,
  measure_std: 0.05,
  velocity_std: 1,
  motion_gate: 9.4877,
};

/** Size changes far more slowly than position; its noise (acceleration, initial velocity) is this fraction of the position's. */
const SIZE_ACCEL_FACTOR = 0.25;
const MIN_SIZE = 1e-4;

export const initialTrackerState = (): TrackerState => ({ ts_ms: null, next_id: 1, tracks: [] });

/**
 * Tracker settings from a camera's tuning. The time limit scales with detect_interval so a slow detector
 * cadence does not kill every track between two runs.
 */
export function trackerConfigFromTuning(
  t: Pick<CameraTuning, 'detect_conf' | 'min_trigger_frames' | 'detect_interval'>,
  overrides: Partial<TrackerConfig> = {},
): TrackerConfig {
  const intervalMs = Math.max(0, t.detect_interval) * 1000;
  return {
    ...DEFAULT_TRACKER_CONFIG,
    high_score: t.detect_conf,
    new_track_score: t.detect_conf,
    low_score: Math.min(DEFAULT_TRACKER_CONFIG.low_score, t.detect_conf),
    min_hits: Math.max(1, t.min_trigger_frames),
    max_lost_ms: Math.max(DEFAULT_TRACKER_CONFIG.max_lost_ms, 3 * intervalMs),
    ...overrides,
  };
}

export function iou(a: Box, b: Box): number {
  const ix = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  const iy = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  if (ix <= 0 || iy <= 0) return 0;
  const inter = ix * iy;
  const union = a[2] * a[3] + b[2] * b[3] - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Optimal one-to-one assignment minimising total cost, where leaving a row or a column unassigned costs limit/2
 * (the lapjv `cost_limit` extension ByteTrack uses): a pair is taken only if it beats leaving both unmatched, and
 * no pair costing more than `limit` is ever returned. Returns [row, col] pairs in row order.
 */
export function assignByCost(cost: readonly (readonly number[])[], limit: number): [number, number][] {
  const n = cost.length;
  const m = n === 0 ? 0 : (cost[0]?.length ?? 0);
  if (n === 0 || m === 0) return [];
  const size = n + m;
  const infeasible = 2 * limit + size + 1;
  const half = limit / 2;
  const a: number[][] = [];
  for (let i = 0; i < size; i++) {
    const row = new Array<number>(size);
    for (let j = 0; j < size; j++) {
      if (i < n && j < m) {
        const c = cost[i]![j]!;
        row[j] = c <= limit ? c : infeasible;
      } else row[j] = i < n || j < m ? half : 0;
    }
    a.push(row);
  }
  const colOf = hungarian(a);
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const j = colOf[i]!;
    if (j < m && cost[i]![j]! <= limit) out.push([i, j]);
  }
  return out;
}

/** Kuhn–Munkres with potentials on a square matrix, O(n³); returns the column assigned to each row. */
function hungarian(a: readonly (readonly number[])[]): number[] {
  const n = a.length;
  const u = new Array<number>(n + 1).fill(0);
  const v = new Array<number>(n + 1).fill(0);
  const p = new Array<number>(n + 1).fill(0);
  const way = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Array<number>(n + 1).fill(Number.POSITIVE_INFINITY);
    const used = new Array<boolean>(n + 1).fill(false);
    do {
      used[j0] = true;
      const i0 = p[j0]!;
      let delta = Number.POSITIVE_INFINITY;
      let j1 = 0;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const cur = a[i0 - 1]![j - 1]! - u[i0]! - v[j]!;
        if (cur < minv[j]!) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j]! < delta) {
          delta = minv[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[p[j]!] = u[p[j]!]! + delta;
          v[j] = v[j]! - delta;
        } else minv[j] = minv[j]! - delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0]!;
      p[j0] = p[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  const colOf = new Array<number>(n).fill(-1);
  for (let j = 1; j <= n; j++) if (p[j]! > 0) colOf[p[j]! - 1] = j - 1;
  return colOf;
}

function newAxis(z: number, size: number, cfg: TrackerConfig, velFactor = 1): AxisFilter {
  const pos = 2 * cfg.measure_std * size;
  const vel = cfg.velocity_std * size * velFactor;
  return { x: z, v: 0, pxx: pos * pos, pxv: 0, pvv: vel * vel };
}

/**
 * Continuous white-noise-acceleration model discretised exactly for any dt. An alpha-beta filter's fixed gains assume
 * evenly spaced frames; here the gain follows the elapsed time and how often the track has been seen, so a long gap
 * or a newborn track trusts the next detection more, and a well-tracked object coasts on its velocity.
 */
function predictAxis(a: AxisFilter, dt: number, q: number): AxisFilter {
  if (dt <= 0) return a;
  const dt2 = dt * dt;
  return {
    x: a.x + a.v * dt,
    v: a.v,
    pxx: a.pxx + 2 * dt * a.pxv + dt2 * a.pvv + (q * dt2 * dt) / 3,
    pxv: a.pxv + dt * a.pvv + (q * dt2) / 2,
    pvv: a.pvv + q * dt,
  };
}

function correctAxis(a: AxisFilter, z: number, r: number): AxisFilter {
  const s = a.pxx + r;
  const k0 = a.pxx / s;
  const k1 = a.pxv / s;
  const y = z - a.x;
  return { x: a.x + k0 * y, v: a.v + k1 * y, pxx: (1 - k0) * a.pxx, pxv: (1 - k0) * a.pxv, pvv: a.pvv - k1 * a.pxv };
}

const centreOf = (b: Box): [number, number, number, number] => [b[0] + b[2] / 2, b[1] + b[3] / 2, b[2], b[3]];

function newFilter(b: Box, cfg: TrackerConfig): MotionFilter {
  const [cx, cy, w, h] = centreOf(b);
  return { cx: newAxis(cx, w, cfg), cy: newAxis(cy, h, cfg), w: newAxis(w, w, cfg, SIZE_ACCEL_FACTOR), h: newAxis(h, h, cfg, SIZE_ACCEL_FACTOR) };
}

function predictFilter(f: MotionFilter, dt: number, cfg: TrackerConfig): MotionFilter {
  const w = Math.max(MIN_SIZE, f.w.x);
  const h = Math.max(MIN_SIZE, f.h.x);
  const qw = (cfg.accel_std * w) ** 2;
  const qh = (cfg.accel_std * h) ** 2;
  const s2 = SIZE_ACCEL_FACTOR * SIZE_ACCEL_FACTOR;
  return { cx: predictAxis(f.cx, dt, qw), cy: predictAxis(f.cy, dt, qh), w: predictAxis(f.w, dt, qw * s2), h: predictAxis(f.h, dt, qh * s2) };
}

function correctFilter(f: MotionFilter, b: Box, cfg: TrackerConfig): MotionFilter {
  const [cx, cy, w, h] = centreOf(b);
  const rw = (cfg.measure_std * w) ** 2;
  const rh = (cfg.measure_std * h) ** 2;
  return { cx: correctAxis(f.cx, cx, rw), cy: correctAxis(f.cy, cy, rh), w: correctAxis(f.w, w, rw), h: correctAxis(f.h, h, rh) };
}

/** Squared Mahalanobis distance of a box from the filter's prediction, over centre and size. */
function motionDistance(f: MotionFilter, b: Box, cfg: TrackerConfig): number {
  const [cx, cy, w, h] = centreOf(b);
  const rw = (cfg.measure_std * w) ** 2;
  const rh = (cfg.measure_std * h) ** 2;
  const term = (a: AxisFilter, z: number, r: number): number => (z - a.x) ** 2 / (a.pxx + r);
  return term(f.cx, cx, rw) + term(f.cy, cy, rh) + term(f.w, w, rw) + term(f.h, h, rh);
}

function filterBox(f: MotionFilter): Box {
  const w = Math.max(MIN_SIZE, f.w.x);
  const h = Math.max(MIN_SIZE, f.h.x);
  return [f.cx.x - w / 2, f.cy.x - h / 2, w, h];
}

/** Where a track is expected at ts_ms (for drawing between detector runs); its filter is kept at state.ts_ms. */
export function predictBox(state: TrackerState, track: Track, ts_ms: number, cfg: TrackerConfig = DEFAULT_TRACKER_CONFIG): Box {
  const dt = state.ts_ms === null ? 0 : Math.max(0, ts_ms - state.ts_ms) / 1000;
  return filterBox(predictFilter(track.kf, dt, cfg));
}

const outsideFrame = (b: Box): boolean => b[0] + b[2] <= 0 || b[1] + b[3] <= 0 || b[0] >= 1 || b[1] >= 1;

const usable = (d: Detection): boolean =>
  d.box.every(Number.isFinite) && d.box[2] > 0 && d.box[3] > 0 && Number.isFinite(d.score);

interface Live {
  track: Track;
  pred: Box;
  det: number | null;
}

/**
 * Cost of pairing a track with a detection: 1 − IoU against the prediction when that IoU reaches minIou (a track that
 * has been missing is also compared with where it was last seen, since an object that stopped while hidden is where
 * it was, not where its old velocity would carry it); otherwise, within the motion gate, a cost between 1 − minIou and 1
 * that ranks it after every IoU match. Different classes never pair, so a detector flipping a box's class starts a
 * new track instead of taking over this one. Infinity means no pair.
 */
function pairCost(l: Live, d: Detection, minIou: number, gate: number, cfg: TrackerConfig): number {
  if (l.track.class_id !== d.class_id) return Number.POSITIVE_INFINITY;
  const p = iou(l.pred, d.box);
  const s = l.track.misses > 0 ? Math.max(p, iou(l.track.box, d.box)) : p;
  if (s >= minIou) return 1 - s;
  if (gate <= 0) return Number.POSITIVE_INFINITY;
  const d2 = motionDistance(l.track.kf, d.box, cfg);
  return d2 <= gate ? 1 - minIou + (minIou * d2) / gate : Number.POSITIVE_INFINITY;
}

function associate(live: Live[], dets: readonly Detection[], detIdx: number[], minIou: number, gate: number, cfg: TrackerConfig): number[] {
  const cost = live.map((l) => detIdx.map((k) => pairCost(l, dets[k]!, minIou, gate, cfg)));
  const used: number[] = [];
  for (const [i, j] of assignByCost(cost, gate > 0 ? 1 : 1 - minIou)) {
    live[i]!.det = detIdx[j]!;
    used.push(detIdx[j]!);
  }
  return detIdx.filter((k) => !used.includes(k));
}

function view(t: Track, box: Box, det: number | null): TrackView {
  return {
    id: t.id,
    label: t.label,
    class_id: t.class_id,
    score: t.score,
    box: [...box],
    hits: t.hits,
    age: t.age,
    misses: t.misses,
    confirmed: t.confirmed,
    matched: det !== null,
    det_index: det,
    first_ms: t.first_ms,
    last_ms: t.last_ms,
    best_score: t.best_score,
    best_box: [...t.best_box],
    best_ms: t.best_ms,
  };
}

/**
 * Feed one detector frame. Tracks are predicted to ts_ms by elapsed time, then matched in three stages, each an
 * optimal assignment:
 * high-score detections to confirmed tracks (those missing for a few frames included), low-score detections to
 * confirmed tracks seen on the previous frame, remaining high-score detections to unconfirmed tracks. Unmatched
 * high-score detections start tracks with the next id. A frame older than the state is taken as simultaneous.
 */
export function updateTracker(state: TrackerState, ts_ms: number, detections: readonly Detection[], cfg: TrackerConfig): TrackerUpdate {
  const ts = state.ts_ms === null ? ts_ms : Math.max(ts_ms, state.ts_ms);
  const dt = state.ts_ms === null ? 0 : (ts - state.ts_ms) / 1000;
  const ended: number[] = [];
  const live: Live[] = [];
  for (const t of state.tracks) {
    if (ts - t.last_ms > cfg.max_lost_ms) {
      ended.push(t.id);
      continue;
    }
    const kf = predictFilter(t.kf, dt, cfg);
    live.push({ track: { ...t, kf }, pred: filterBox(kf), det: null });
  }

  const high: number[] = [];
  const low: number[] = [];
  detections.forEach((d, k) => {
    if (!usable(d) || d.score < cfg.low_score) return;
    (d.score >= cfg.high_score ? high : low).push(k);
  });

  const confirmed = live.filter((l) => l.track.confirmed);
  let restHigh = associate(confirmed, detections, high, cfg.match_iou, cfg.motion_gate, cfg);
  const recent = confirmed.filter((l) => l.det === null && l.track.misses === 0);
  associate(recent, detections, low, cfg.low_match_iou, 0, cfg);
  restHigh = associate(
    live.filter((l) => !l.track.confirmed),
    detections,
    restHigh,
    cfg.tentative_match_iou,
    cfg.motion_gate,
    cfg,
  );

  const tracks: Track[] = [];
  const views: TrackView[] = [];
  for (const l of live) {
    const t = l.track;
    if (l.det !== null) {
      const d = detections[l.det]!;
      const hits = t.hits + 1;
      const better = d.score > t.best_score;
      const next: Track = {
        ...t,
        kf: correctFilter(t.kf, d.box, cfg),
        hits,
        total_hits: t.total_hits + 1,
        age: t.age + 1,
        misses: 0,
        confirmed: t.confirmed || hits >= cfg.min_hits,
        last_ms: ts,
        score: d.score,
        box: [...d.box],
        best_score: better ? d.score : t.best_score,
        best_box: better ? [...d.box] : t.best_box,
        best_ms: better ? ts : t.best_ms,
      };
      tracks.push(next);
      views.push(view(next, next.box, l.det));
      continue;
    }
    const misses = t.misses + 1;
    const dead = t.confirmed ? misses > cfg.max_misses : misses > cfg.max_tentative_misses;
    if (dead || outsideFrame(l.pred)) {
      ended.push(t.id);
      continue;
    }
    const next: Track = { ...t, hits: 0, age: t.age + 1, misses };
    tracks.push(next);
    views.push(view(next, l.pred, null));
  }

  let nextId = state.next_id;
  for (const k of restHigh) {
    const d = detections[k]!;
    if (d.score < cfg.new_track_score) continue;
    const t: Track = {
      id: nextId++,
      label: d.label,
      class_id: d.class_id,
      kf: newFilter(d.box, cfg),
      hits: 1,
      total_hits: 1,
      age: 1,
      misses: 0,
      confirmed: cfg.min_hits <= 1,
      first_ms: ts,
      last_ms: ts,
      score: d.score,
      box: [...d.box],
      best_score: d.score,
      best_box: [...d.box],
      best_ms: ts,
    };
    tracks.push(t);
    views.push(view(t, t.box, k));
  }

  tracks.sort((a, b) => a.id - b.id);
  views.sort((a, b) => a.id - b.id);
  ended.sort((a, b) => a - b);
  return { state: { ts_ms: ts, next_id: nextId, tracks }, tracks: views, ended };
}

/** Drop tracks lost for longer than max_lost_ms, for frames on which the detector did not run. */
export function expireTracks(state: TrackerState, ts_ms: number, cfg: TrackerConfig): { state: TrackerState; ended: number[] } {
  const ended = state.tracks.filter((t) => ts_ms - t.last_ms > cfg.max_lost_ms).map((t) => t.id);
  if (ended.length === 0) return { state, ended };
  return { state: { ...state, tracks: state.tracks.filter((t) => !ended.includes(t.id)) }, ended };
}
