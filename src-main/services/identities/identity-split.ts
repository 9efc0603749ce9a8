// Auto split: re-cluster an identity's sightings into two with a spherical 2-means, by face first, then by appearance.
import type { AppearanceDescriptor } from './identity-model';

export interface SplitItem {
  id: number;
  best_score: number;
  face: Float32Array | null;
  face_model: string | null;
  appearance: AppearanceDescriptor | null;
}

export interface SplitPlan {
  /** Sightings that leave for a new identity. */
  peel: number[];
  keep: number[];
  by: 'face' | 'appearance';
  /** Cosine similarity of the two centroids (how far apart the halves are). */
  centroid_similarity: number;
}

const dot = (a: Float32Array, b: Float32Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
};

function normalised(v: Float32Array): Float32Array {
  const n = Math.sqrt(dot(v, v));
  return n > 0 ? v.map((x) => x / n) : v.slice();
}

/**
 * One vector for an appearance: the square roots of the two histograms (so a cosine is their Bhattacharyya coefficient),
 * each part weighted equally, plus the CNN features when present; L2-normalised.
 */
export function appearanceVector(a: AppearanceDescriptor): Float32Array {
  const parts = [normalised(a.upper.map((x) => Math.sqrt(Math.max(0, x)))), normalised(a.lower.map((x) => Math.sqrt(Math.max(0, x))))];
  if (a.features && a.features.length) parts.push(normalised(a.features));
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return normalised(out);
}

function mean(vs: readonly Float32Array[], dim: number): Float32Array {
  const m = new Float32Array(dim);
  for (const v of vs) for (let i = 0; i < dim; i++) m[i] = (m[i] as number) + (v[i] as number);
  return normalised(m);
}

/**
 * Spherical 2-means over L2-normalised vectors of one dimension. Seeds: the first vector and the one least like it;
 * then assign/update until stable (at most `iterations`). Deterministic. Null when fewer than two vectors or all fall
 * into one cluster.
 */
export function twoMeans(vectors: readonly Float32Array[], iterations = 25): { labels: number[]; centroids: [Float32Array, Float32Array] } | null {
  if (vectors.length < 2) return null;
  const dim = (vectors[0] as Float32Array).length;
  if (!dim || vectors.some((v) => v.length !== dim)) return null;
  const vs = vectors.map(normalised);
  const a0 = vs[0] as Float32Array;
  let far = 1;
  for (let i = 1; i < vs.length; i++) if (dot(vs[i] as Float32Array, a0) < dot(vs[far] as Float32Array, a0)) far = i;
  let c: [Float32Array, Float32Array] = [a0, vs[far] as Float32Array];
  let labels = vs.map(() => -1);
  for (let it = 0; it < iterations; it++) {
    const next = vs.map((v) => (dot(v, c[1]) > dot(v, c[0]) ? 1 : 0));
    const same = next.every((l, i) => l === labels[i]);
    labels = next;
    const g0 = vs.filter((_, i) => labels[i] === 0);
    const g1 = vs.filter((_, i) => labels[i] === 1);
    if (!g0.length || !g1.length) return null;
    c = [mean(g0, dim), mean(g1, dim)];
    if (same) break;
  }
  return { labels, centroids: c };
}

/**
 * Splits an identity into two: by face when at least two sightings carry a face of the most common model (sightings
 * without one join the half whose members' appearance they are closest to, else stay), otherwise by appearance. The
 * half holding `keepId` (the representative sighting) stays; without it, the larger half stays (ties: the one with
 * the lowest sighting id). Null when neither kind of vector separates the sightings.
 */
export function autoSplit(items: readonly SplitItem[], keepId: number | null): SplitPlan | null {
  if (items.length < 2) return null;
  const models = new Map<string, number>();
  for (const i of items) if (i.face && i.face_model) models.set(i.face_model, (models.get(i.face_model) ?? 0) + 1);
  const model = [...models.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? null;
  const withFace = model === null ? [] : items.filter((i) => i.face && i.face_model === model);
  const label = new Map<number, number>();
  let by: SplitPlan['by'];
  let sim: number;
  const byFace = withFace.length >= 2 ? twoMeans(withFace.map((i) => i.face as Float32Array)) : null;
  if (byFace) {
    by = 'face';
    sim = dot(byFace.centroids[0], byFace.centroids[1]);
    withFace.forEach((i, k) => label.set(i.id, byFace.labels[k] as number));
    const apps = [0, 1].map((g) => withFace.filter((i) => label.get(i.id) === g && i.appearance).map((i) => appearanceVector(i.appearance as AppearanceDescriptor)));
    const centroids = apps.map((l) => (l.length && l.every((v) => v.length === (l[0] as Float32Array).length) ? mean(l, (l[0] as Float32Array).length) : null));
    for (const i of items) {
      if (label.has(i.id)) continue;
      const v = i.appearance ? appearanceVector(i.appearance) : null;
      const [c0, c1] = centroids;
      if (v && c0 && c1 && c0.length === v.length && c1.length === v.length) label.set(i.id, dot(v, c1) > dot(v, c0) ? 1 : 0);
    }
  } else {
    const withApp = items.filter((i) => i.appearance);
    const vectors = withApp.map((i) => appearanceVector(i.appearance as AppearanceDescriptor));
    const dims = new Map<number, number>();
    for (const v of vectors) dims.set(v.length, (dims.get(v.length) ?? 0) + 1);
    const dim = [...dims.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0];
    const usable = withApp.filter((_, k) => (vectors[k] as Float32Array).length === dim);
    const r = usable.length >= 2 ? twoMeans(vectors.filter((v) => v.length === dim)) : null;
    if (!r) return null;
    by = 'appearance';
    sim = dot(r.centroids[0], r.centroids[1]);
    usable.forEach((i, k) => label.set(i.id, r.labels[k] as number));
  }
  const sizes = [0, 1].map((g) => [...label.values()].filter((l) => l === g).length);
  const minId = (g: number) => Math.min(...[...label.entries()].filter(([, l]) => l === g).map(([id]) => id));
  let stay: number;
  if (keepId !== null && label.has(keepId)) stay = label.get(keepId) as number;
  else if (sizes[0] !== sizes[1]) stay = (sizes[0] as number) > (sizes[1] as number) ? 0 : 1;
  else stay = minId(0) < minId(1) ? 0 : 1;
  const peel = items.filter((i) => label.has(i.id) && label.get(i.id) !== stay).map((i) => i.id);
  const peeled = new Set(peel);
  const keep = items.filter((i) => !peeled.has(i.id)).map((i) => i.id);
  if (!peel.length || !keep.length) return null;
  return { peel, keep, by, centroid_similarity: sim };
}
