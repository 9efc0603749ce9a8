// Which captured faces of a track are kept (pure): at most one per track-second, the better face wins, a cap per track.

export interface KeptSample {
  id: number;
  /** The second (ts_ms / 1000, floored) it was captured in. */
  second: number;
  quality: number;
}

export interface SamplePolicy {
  /** settings.face_min_quality: a face below it is never stored. */
  minQuality: number;
  /** Samples kept per track; past it a better face replaces the track's worst one. */
  maxPerTrack: number;
}

export const DEFAULT_MAX_PER_TRACK = 30;

export type SampleDecision =
  | { action: 'insert'; replace: number | null }
  | { action: 'drop'; reason: 'low-quality' | 'worse-in-second' | 'track-full' };

/**
 * The rule: a face below the quality floor is dropped. Within one second of one track only the best face is kept (a
 * better one replaces it, a worse or equal one is dropped). A track keeps at most maxPerTrack samples; past that a face
 * replaces the track's lowest-quality sample only if it is better, so long tracks keep their best faces.
 */
export function decideSample(kept: readonly KeptSample[], ts_ms: number, quality: number, p: SamplePolicy): SampleDecision {
  if (!(quality >= p.minQuality)) return { action: 'drop', reason: 'low-quality' };
  const second = Math.floor(ts_ms / 1000);
  const same = kept.find((k) => k.second === second);
  if (same) return quality > same.quality ? { action: 'insert', replace: same.id } : { action: 'drop', reason: 'worse-in-second' };
  if (kept.length < p.maxPerTrack) return { action: 'insert', replace: null };
  let worst: KeptSample | null = null;
  for (const k of kept) if (!worst || k.quality < worst.quality || (k.quality === worst.quality && k.id < worst.id)) worst = k;
  return worst && quality > worst.quality ? { action: 'insert', replace: worst.id } : { action: 'drop', reason: 'track-full' };
}

/** The track's kept list after a decision was carried out (`id` is the new sample's id). */
export function applySample(kept: readonly KeptSample[], d: SampleDecision, id: number, ts_ms: number, quality: number): KeptSample[] {
  if (d.action === 'drop') return [...kept];
  return [...kept.filter((k) => k.id !== d.replace), { id, second: Math.floor(ts_ms / 1000), quality }];
}
