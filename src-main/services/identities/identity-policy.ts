// Pure rules of the identity store: exemplar quality and bounds, presence from sightings, the solo/shared event rule, names on merge.

/** Face and appearance exemplars kept per identity (the best by quality). */
export const MAX_FACE_EXEMPLARS = 10;
export const MAX_APPEARANCE_EXEMPLARS = 10;
/** Sightings of one identity on one camera closer than this are one presence (a track broken by an occlusion). */
export const PRESENCE_GAP_MS = 60_000;
/** Sightings on each side of a split that are recorded as never-together pairs (at most 20 × 20). */
export const SPLIT_NEVER_SIDE = 20;

const clamp01 = (x: number): number => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);

/** A track's mean face is more reliable the more faces it averages (5 or more count fully) and the surer its detection. */
export function faceExemplarQuality(numFaces: number, bestScore: number): number {
  return Math.min(1, Math.max(1, numFaces) / 5) * 0.6 + clamp01(bestScore) * 0.4;
}

/** An appearance is as good as its detection, and a person box under 5% of the frame has too few pixels to trust fully. */
export function appearanceExemplarQuality(bestScore: number, box: readonly number[]): number {
  const area = Math.max(0, (box[2] ?? 0) * (box[3] ?? 0));
  return clamp01(bestScore) * Math.min(1, Math.sqrt(area / 0.05));
}

export interface Interval {
  camera_id: number;
  start_ms: number;
  end_ms: number;
}

/** Presence segments: per camera, the union of the sightings' spans where gaps up to `gapMs` join (by camera, then start). */
export function presenceSegments(intervals: readonly Interval[], gapMs: number = PRESENCE_GAP_MS): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.camera_id - b.camera_id || a.start_ms - b.start_ms || a.end_ms - b.end_ms);
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last && last.camera_id === i.camera_id && i.start_ms <= last.end_ms + gapMs) last.end_ms = Math.max(last.end_ms, i.end_ms);
    else out.push({ camera_id: i.camera_id, start_ms: i.start_ms, end_ms: i.end_ms });
  }
  return out;
}

export interface EventLink {
  id: number;
  identity_id: number | null;
  ended_ms: number | null;
  retain: number;
}

/**
 * Iris's solo-vs-shared rule for deleting identities: an event whose every subject (the identities of its sightings, and
 * the one it names) is being deleted goes with its files; a shared event stays and only loses a link to a deleted
 * identity. Vigil keeps open and protected events even when solo: they only lose the link.
 */
export function classifyEvents(events: readonly EventLink[], subjects: ReadonlyMap<number, ReadonlySet<number>>, deleting: ReadonlySet<number>): { remove: number[]; unlink: number[] } {
  const remove: number[] = [];
  const unlink: number[] = [];
  for (const e of events) {
    const who = new Set(subjects.get(e.id) ?? []);
    if (e.identity_id !== null) who.add(e.identity_id);
    const solo = who.size > 0 && [...who].every((id) => deleting.has(id));
    if (solo && e.ended_ms !== null && !e.retain) remove.push(e.id);
    else if (e.identity_id !== null && deleting.has(e.identity_id)) unlink.push(e.id);
  }
  return { remove, unlink };
}

export interface NamedIdentity {
  id: number;
  name: string | null;
  is_named: number;
  notes: string | null;
  num_sightings: number;
}

/**
 * The name a merge target ends with: its own when it is named; otherwise the name of the named source with the most
 * sightings (then the lowest id). Notes: the target's, else the first source's that has some. Null: nothing changes.
 */
export function mergedName(target: NamedIdentity, sources: readonly NamedIdentity[]): { name: string | null; is_named: boolean; notes: string | null } | null {
  const named = target.is_named === 1 && target.name !== null;
  const donor = named ? null : ([...sources].filter((s) => s.is_named === 1 && s.name !== null).sort((a, b) => b.num_sightings - a.num_sightings || a.id - b.id)[0] ?? null);
  const notes = target.notes ?? sources.find((s) => s.notes !== null)?.notes ?? null;
  if (!donor && notes === target.notes) return null;
  return { name: donor ? donor.name : target.name, is_named: donor ? true : target.is_named === 1, notes };
}

/** The never-together pairs a split records: the best-scored sightings of each side against each other (bounded). */
export function splitNeverPairs(peeled: readonly { id: number; best_score: number }[], kept: readonly { id: number; best_score: number }[], side: number = SPLIT_NEVER_SIDE): [number, number][] {
  const best = (l: readonly { id: number; best_score: number }[]) => [...l].sort((a, b) => b.best_score - a.best_score || a.id - b.id).slice(0, side);
  const out: [number, number][] = [];
  for (const p of best(peeled)) for (const k of best(kept)) out.push([Math.min(p.id, k.id), Math.max(p.id, k.id)]);
  return out;
}

/** Local midnight before `ms` (the analytics' "today"). */
export function startOfLocalDay(ms: number): number {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}
