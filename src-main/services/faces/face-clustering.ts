// Face groups (pure): average-linkage merging over a kNN graph, face cosine blended with clothing, one frame never one person.
import { neverYield, type Yielder } from './time-slice';

export interface ClusterSample {
  id: number;
  camera_id: number;
  ts_ms: number;
  track_id: number | null;
  quality: number;
  /** Unit-length face embedding. */
  embedding: Float32Array;
  /** Upper-body colour histogram (any scale); null when none was captured. */
  clothing: Float32Array | null;
}

/** For each sample its nearest others by face cosine (row-major n×k, −1 padded), e.g. from the vector index. */
export interface Neighbours {
  k: number;
  neighbours: Int32Array;
  similarities: Float32Array;
}

export interface ClusterOptions {
  /** Least blended similarity for two samples (and two groups on average) to be one person. */
  threshold: number;
  /** 0–1: weight of clothing (Bhattacharyya coefficient of the histograms) against face cosine. */
  clothing_weight: number;
}

/** sqrt of a histogram normalised to sum 1: the dot product of two of these is their Bhattacharyya coefficient. */
export function sqrtHistogram(h: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < h.length; i++) sum += Math.max(0, h[i] as number);
  const out = new Float32Array(h.length);
  if (sum <= 0) return out;
  for (let i = 0; i < h.length; i++) out[i] = Math.sqrt(Math.max(0, h[i] as number) / sum);
  return out;
}

/** Bhattacharyya coefficient (1 identical, 0 disjoint) of two histograms. */
export function bhattacharyya(a: Float32Array, b: Float32Array): number {
  return dotN(sqrtHistogram(a), sqrtHistogram(b));
}

function dotN(a: Float32Array, b: Float32Array): number {
  let s = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

function addInto(dst: Float32Array, src: Float32Array): void {
  for (let i = 0; i < dst.length && i < src.length; i++) dst[i] = (dst[i] as number) + (src[i] as number);
}

/** The blend of one pair: clothing counts only when both samples have a histogram of the same length. */
export function pairSimilarity(face: number, a: Float32Array | null, b: Float32Array | null, clothing_weight: number): number {
  if (!a || !b || a.length !== b.length || clothing_weight <= 0) return face;
  return (1 - clothing_weight) * face + clothing_weight * dotN(a, b);
}

interface Cluster {
  members: number[];
  /** Sum of member face vectors. */
  face: Float32Array;
  /** Sum of face vectors of members with clothing, and of their sqrt-histograms. */
  faceC: Float32Array;
  cloth: Float32Array | null;
  nCloth: number;
  /** camera:ts of every member: a group never holds two faces of one frame. */
  frames: Set<string>;
}

/**
 * Groups sample indices. Candidate pairs are the kNN edges whose blended similarity clears the threshold, strongest
 * first; two groups merge only when their average pairwise blended similarity also clears it (no single-link
 * chaining) and they share no frame. Average linkage is exact and O(dim) per test: for unit vectors the mean pairwise
 * cosine of two groups is dot(sum A, sum B)/(|A|·|B|), and the Bhattacharyya coefficient is a dot product of sqrt-histograms.
 */
export async function clusterFaces(samples: readonly ClusterSample[], g: Neighbours, o: ClusterOptions, yielder: Yielder = neverYield): Promise<number[][]> {
  const n = samples.length;
  const w = Math.min(1, Math.max(0, o.clothing_weight));
  const roots = samples.map((s) => (s.clothing && w > 0 ? sqrtHistogram(s.clothing) : null));
  const clothLen = roots.find((r) => r !== null)?.length ?? 0;
  const hist = roots.map((r) => (r && r.length === clothLen ? r : null));
  const dim = samples[0]?.embedding.length ?? 0;

  const edges = await candidateEdges(g, n, hist, w, o.threshold, yielder);
  const parent = Array.from({ length: n }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x] as number] as number;
      x = parent[x] as number;
    }
    return x;
  };
  const clusters = new Map<number, Cluster>();
  samples.forEach((s, i) => {
    const h = hist[i] ?? null;
    clusters.set(i, {
      members: [i],
      face: Float32Array.from(s.embedding),
      faceC: h ? Float32Array.from(s.embedding) : new Float32Array(dim),
      cloth: h ? Float32Array.from(h) : clothLen ? new Float32Array(clothLen) : null,
      nCloth: h ? 1 : 0,
      frames: new Set([frameKey(s)]),
    });
  });

  for (let x = 0; x < edges.a.length; x++) {
    if ((x & 255) === 0) {
      const y = yielder();
      if (y) await y;
    }
    const ra = find(edges.a[x] as number);
    const rb = find(edges.b[x] as number);
    if (ra === rb) continue;
    const A = clusters.get(ra) as Cluster;
    const B = clusters.get(rb) as Cluster;
    if (sharesFrame(A, B)) continue;
    if (averageLinkage(A, B, w) < o.threshold) continue;
    const [big, small, rBig, rSmall] = A.members.length >= B.members.length ? [A, B, ra, rb] : [B, A, rb, ra];
    parent[rSmall] = rBig;
    big.members.push(...small.members);
    addInto(big.face, small.face);
    addInto(big.faceC, small.faceC);
    if (big.cloth && small.cloth) addInto(big.cloth, small.cloth);
    big.nCloth += small.nCloth;
    for (const f of small.frames) big.frames.add(f);
    clusters.delete(rSmall);
  }
  return [...clusters.values()].map((c) => c.members.sort((x, y) => x - y));
}

/**
 * The kNN pairs (each once) whose blended similarity clears the threshold, strongest first (ties: lower indices). The
 * order is one native sort of packed keys: (1 − similarity) quantised to 2^-24, then both indices.
 */
async function candidateEdges(g: Neighbours, n: number, hist: (Float32Array | null)[], w: number, threshold: number, yielder: Yielder): Promise<{ a: Int32Array; b: Int32Array }> {
  const cap = n * g.k;
  const A = new Int32Array(cap);
  const B = new Int32Array(cap);
  const S = new Float64Array(cap);
  let m = 0;
  for (let i = 0; i < n; i++) {
    if ((i & 63) === 0) {
      const y = yielder();
      if (y) await y;
    }
    for (let j = 0; j < g.k; j++) {
      const b = g.neighbours[i * g.k + j] as number;
      if (b < 0 || b === i || b >= n) continue;
      const lo = Math.min(i, b);
      const hi = Math.max(i, b);
      if (i !== lo && neighbourOf(g, b, i)) continue;
      const s = pairSimilarity(g.similarities[i * g.k + j] as number, hist[lo] ?? null, hist[hi] ?? null, w);
      if (s < threshold) continue;
      A[m] = lo;
      B[m] = hi;
      S[m] = s;
      m++;
    }
  }
  const bits = Math.max(1, Math.ceil(Math.log2(Math.max(2, n))));
  if (25 + 2 * bits <= 52) {
    const keys = new Float64Array(m);
    const span = 2 ** (2 * bits);
    for (let e = 0; e < m; e++) keys[e] = Math.round((1 - Math.min(1, Math.max(-1, S[e] as number))) * 2 ** 23) * span + (A[e] as number) * 2 ** bits + (B[e] as number);
    keys.sort();
    for (let e = 0; e < m; e++) {
      const k = keys[e] as number;
      const lo = Math.floor((k % span) / 2 ** bits);
      const hi = k % 2 ** bits;
      A[e] = lo;
      B[e] = hi;
    }
    return { a: A.subarray(0, m), b: B.subarray(0, m) };
  }
  const order = Int32Array.from({ length: m }, (_, e) => e);
  order.sort((x, y) => (S[y] as number) - (S[x] as number) || (A[x] as number) - (A[y] as number) || (B[x] as number) - (B[y] as number));
  return { a: Int32Array.from(order, (e) => A[e] as number), b: Int32Array.from(order, (e) => B[e] as number) };
}

function neighbourOf(g: Neighbours, row: number, other: number): boolean {
  for (let j = 0; j < g.k; j++) if (g.neighbours[row * g.k + j] === other) return true;
  return false;
}

const frameKey = (s: ClusterSample): string => `${s.camera_id}:${s.ts_ms}`;

function sharesFrame(a: Cluster, b: Cluster): boolean {
  const [small, big] = a.frames.size <= b.frames.size ? [a, b] : [b, a];
  for (const f of small.frames) if (big.frames.has(f)) return true;
  return false;
}

/** Mean blended similarity over all cross pairs (a pair without two histograms counts its face cosine only). */
function averageLinkage(a: Cluster, b: Cluster, w: number): number {
  const pairs = a.members.length * b.members.length;
  let sum = dotN(a.face, b.face);
  if (w > 0 && a.cloth && b.cloth && a.nCloth && b.nCloth) sum += w * (dotN(a.cloth, b.cloth) - dotN(a.faceC, b.faceC));
  return sum / pairs;
}
