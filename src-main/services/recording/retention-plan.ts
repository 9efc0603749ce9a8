// Pure retention plan: which segments (and old unprotected events) to delete under mode, age, size and disk limits.
export type RecordingMode = 'continuous' | 'events' | 'off';

export interface PlanSegment {
  id: number;
  camera_id: number;
  start_ms: number;
  end_ms: number;
  bytes: number;
}

export interface PlanEvent {
  id: number;
  camera_id: number | null;
  started_ms: number;
  window_start_ms: number;
  /** null while the event is open. */
  window_end_ms: number | null;
  ended_ms: number | null;
  retain: boolean;
}

export interface CameraPolicy {
  mode: RecordingMode;
  max_days: number | null;
  max_gb: number | null;
}

export interface RetentionPolicy {
  now_ms: number;
  /** Warm buffer kept in events/off modes (segment_retention_seconds). */
  warm_ms: number;
  max_days: number | null;
  max_gb: number | null;
  max_percent: number;
  cameras: Record<number, CameraPolicy>;
}

export interface DiskState {
  total_bytes: number;
  free_bytes: number;
}

/**
 * Byte totals of ALL indexed segments when `segments` is only the oldest candidates (the service loads a bounded,
 * oldest-first slice); without it the totals are summed from `segments`.
 */
export interface SegmentTotals {
  all: number;
  cameras: Record<number, number>;
}

export type DeletionReason = 'mode' | 'camera_days' | 'camera_gb' | 'days' | 'gb' | 'disk';

export interface RetentionPlan {
  segments: { id: number; reason: DeletionReason }[];
  /** Closed, unprotected events older than the age limit. */
  events: number[];
  freed_bytes: number;
}

const DAY = 86_400_000;

/** Half-open intervals, merged lazily; overlap queries by binary search. */
class Intervals {
  private raw: [number, number][] = [];
  private merged: [number, number][] | null = null;

  add(a: number, b: number): void {
    this.raw.push([a, b]);
    this.merged = null;
  }

  overlaps(a: number, b: number): boolean {
    if (!this.merged) {
      const sorted = [...this.raw].sort((x, y) => x[0] - y[0]);
      const m: [number, number][] = [];
      for (const iv of sorted) {
        const last = m[m.length - 1];
        if (last && iv[0] <= last[1]) last[1] = Math.max(last[1], iv[1]);
        else m.push([iv[0], iv[1]]);
      }
      this.merged = m;
    }
    const m = this.merged;
    let lo = 0;
    let hi = m.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((m[mid] as [number, number])[1] <= a) lo = mid + 1;
      else hi = mid;
    }
    return lo < m.length && (m[lo] as [number, number])[0] < b;
  }
}
const GB = 1e9;

export function planRetention(segments: PlanSegment[], events: PlanEvent[], policy: RetentionPolicy, disk: DiskState, totals?: SegmentTotals): RetentionPlan {
  const protectedSets = new Map<number, Intervals>();
  const windowSets = new Map<number, Intervals>();
  const add = (m: Map<number, Intervals>, cam: number, a: number, b: number) => {
    const set = m.get(cam) ?? new Intervals();
    set.add(a, b);
    m.set(cam, set);
  };
  for (const e of events) {
    if (e.camera_id === null) continue;
    const end = e.window_end_ms ?? Infinity;
    add(windowSets, e.camera_id, e.window_start_ms, end);
    if (e.retain || e.ended_ms === null || e.window_end_ms === null) add(protectedSets, e.camera_id, e.window_start_ms, end);
  }
  const isProtected = (s: PlanSegment) => protectedSets.get(s.camera_id)?.overlaps(s.start_ms, s.end_ms) ?? false;
  const inEventWindow = (s: PlanSegment) => windowSets.get(s.camera_id)?.overlaps(s.start_ms, s.end_ms) ?? false;

  const sorted = [...segments].sort((a, b) => a.start_ms - b.start_ms || a.id - b.id);
  const doomed = new Map<number, DeletionReason>();
  const kill = (s: PlanSegment, reason: DeletionReason) => {
    if (!doomed.has(s.id) && !isProtected(s)) doomed.set(s.id, reason);
  };
  const camPolicy = (id: number): CameraPolicy => policy.cameras[id] ?? { mode: 'continuous', max_days: null, max_gb: null };

  for (const s of sorted) {
    const cp = camPolicy(s.camera_id);
    if (cp.mode !== 'continuous' && s.end_ms < policy.now_ms - policy.warm_ms && !inEventWindow(s)) kill(s, 'mode');
    if (cp.max_days !== null && s.end_ms < policy.now_ms - cp.max_days * DAY) kill(s, 'camera_days');
    if (policy.max_days !== null && s.end_ms < policy.now_ms - policy.max_days * DAY) kill(s, 'days');
  }

  const live = () => sorted.filter((s) => !doomed.has(s.id));
  const doomedBytes = (cam: number | null) => sorted.reduce((a, s) => a + (doomed.has(s.id) && (cam === null || s.camera_id === cam) ? s.bytes : 0), 0);
  const totalBytes = (cam: number | null) =>
    totals ? (cam === null ? totals.all : (totals.cameras[cam] ?? 0)) : sorted.reduce((a, s) => a + (cam === null || s.camera_id === cam ? s.bytes : 0), 0);
  const trimOldest = (pool: PlanSegment[], excess: number, reason: DeletionReason) => {
    for (const s of pool) {
      if (excess <= 0) break;
      if (doomed.has(s.id) || isProtected(s)) continue;
      doomed.set(s.id, reason);
      excess -= s.bytes;
    }
  };

  for (const [id, cp] of Object.entries(policy.cameras)) {
    if (cp.max_gb === null) continue;
    const cam = Number(id);
    trimOldest(live().filter((s) => s.camera_id === cam), totalBytes(cam) - doomedBytes(cam) - cp.max_gb * GB, 'camera_gb');
  }
  if (policy.max_gb !== null) {
    trimOldest(live(), totalBytes(null) - doomedBytes(null) - policy.max_gb * GB, 'gb');
  }
  if (disk.total_bytes > 0) {
    const used = disk.total_bytes - disk.free_bytes;
    trimOldest(live(), used - doomedBytes(null) - (policy.max_percent / 100) * disk.total_bytes, 'disk');
  }

  const ageLimit = policy.max_days === null ? null : policy.now_ms - policy.max_days * DAY;
  const oldEvents = events.filter((e) => {
    if (e.retain || e.ended_ms === null) return false;
    const cp = e.camera_id === null ? null : camPolicy(e.camera_id);
    const limit = cp?.max_days != null ? policy.now_ms - cp.max_days * DAY : ageLimit;
    return limit !== null && (e.window_end_ms ?? e.ended_ms) < limit;
  });

  const out = sorted.filter((s) => doomed.has(s.id));
  return {
    segments: out.map((s) => ({ id: s.id, reason: doomed.get(s.id) as DeletionReason })),
    events: oldEvents.map((e) => e.id),
    freed_bytes: out.reduce((a, s) => a + s.bytes, 0),
  };
}

export interface RetentionPreviewCamera {
  camera_id: number;
  segments: number;
  bytes: number;
  /** Start of the oldest segment this camera keeps afterwards (null: none among the candidates). */
  oldest_kept_ms: number | null;
}

export interface RetentionPreview {
  segments: number;
  bytes: number;
  events: number;
  cameras: RetentionPreviewCamera[];
}

/** What `after` deletes that `before` would not: the cost of a policy change, per camera, over the same candidates. */
export function previewDiff(candidates: PlanSegment[], before: RetentionPlan, after: RetentionPlan): RetentionPreview {
  const already = new Set(before.segments.map((s) => s.id));
  const doomed = new Set(after.segments.map((s) => s.id));
  const per = new Map<number, RetentionPreviewCamera>();
  const cam = (id: number) => {
    let c = per.get(id);
    if (!c) per.set(id, (c = { camera_id: id, segments: 0, bytes: 0, oldest_kept_ms: null }));
    return c;
  };
  for (const s of candidates) {
    const c = cam(s.camera_id);
    if (doomed.has(s.id)) {
      if (!already.has(s.id)) {
        c.segments++;
        c.bytes += s.bytes;
      }
    } else if (c.oldest_kept_ms === null || s.start_ms < c.oldest_kept_ms) {
      c.oldest_kept_ms = s.start_ms;
    }
  }
  const beforeEvents = new Set(before.events);
  const cameras = [...per.values()].filter((c) => c.segments > 0).sort((a, b) => a.camera_id - b.camera_id);
  return {
    segments: cameras.reduce((a, c) => a + c.segments, 0),
    bytes: cameras.reduce((a, c) => a + c.bytes, 0),
    events: after.events.filter((e) => !beforeEvents.has(e)).length,
    cameras,
  };
}

export interface ExportCandidate {
  id: string;
  bytes: number;
  created_ms: number;
}

/** Exports to remove, oldest first: past the age limit, over the size cap, then as many as cover the disk excess. */
export function planExportCleanup(exportsOldestFirst: ExportCandidate[], limits: { now_ms: number; max_days: number | null; max_gb: number | null }, diskExcessBytes: number): { ids: string[]; bytes: number } {
  const ids: string[] = [];
  let bytes = 0;
  let total = exportsOldestFirst.reduce((a, e) => a + e.bytes, 0);
  let excess = diskExcessBytes;
  for (const e of exportsOldestFirst) {
    const old = limits.max_days !== null && e.created_ms < limits.now_ms - limits.max_days * DAY;
    const over = limits.max_gb !== null && total > limits.max_gb * GB;
    if (!old && !over && excess <= 0) continue;
    ids.push(e.id);
    bytes += e.bytes;
    total -= e.bytes;
    excess -= e.bytes;
  }
  return { ids, bytes };
}
