// Nearest-neighbour search over face embeddings behind one interface: usearch HNSW (cosine) with an exact scan for small
// sets, and an exact scan in JS alone where usearch's native module does not load (it ships no Windows binary).
import { createRequire } from 'node:module';
import type { BatchMatches, Index } from 'usearch';

type Usearch = typeof import('usearch');

/** usearch, loaded on first use (a static import would stop the whole app from starting where it cannot load). */
let usearch: Usearch | Error | null = null;
function loadUsearch(): Usearch | Error {
  if (usearch === null) {
    try {
      usearch = createRequire(import.meta.url)('usearch') as Usearch;
    } catch (e) {
      usearch = e instanceof Error ? e : new Error(String(e));
    }
  }
  return usearch;
}
const native = (): Usearch => {
  const u = loadUsearch();
  if (u instanceof Error) throw u;
  return u;
};

export interface VectorMatch {
  key: number;
  /** Cosine similarity, −1…1. */
  similarity: number;
}

/** One index of unit vectors keyed by row id. Not the source of truth: its owner rebuilds it from SQLite. */
export interface VectorIndex {
  readonly dim: number;
  size(): number;
  has(key: number): boolean;
  /** `vectors` is n×dim, row-major; a key already present is replaced. */
  add(keys: readonly number[], vectors: Float32Array): void;
  remove(keys: readonly number[]): void;
  /** Best first; at most k (fewer when the index holds fewer). */
  search(query: Float32Array, k: number): VectorMatch[];
}

/** k-nearest-neighbour graph of a small set of unit vectors, for clustering: row i's neighbours exclude i itself. */
export interface KnnGraph {
  n: number;
  k: number;
  /** n×k row indices, best first; −1 pads rows with fewer than k neighbours. */
  neighbours: Int32Array;
  /** n×k cosine similarities matching `neighbours`. */
  similarities: Float32Array;
}

/** What the face services hold: a way to make indexes and to build a kNN graph. Swap it to move vectors elsewhere. */
export interface VectorIndexFactory {
  /** `exactBelow` overrides when the index stops being a flat exact scan (a small gallery may stay exact for good). */
  create(dim: number, opts?: { exactBelow?: number }): VectorIndex;
  /** Works in slices of a few milliseconds, yielding between them, so the event loop stays responsive. */
  knnGraph(vectors: Float32Array, dim: number, k: number): Promise<KnnGraph>;
}

export interface HnswOptions {
  /**
   * Below this many vectors the index is a flat array searched exactly (deterministic, and adding is a copy). Moving
   * to a graph inserts them all at once, so it stays small: usearch's prebuilt inserts ~3–4k vectors/s on a slow core.
   */
  exactBelow: number;
  connectivity: number;
  expansionAdd: number;
  expansionSearch: number;
  /** Threads usearch may use for add/search (0: all cores). */
  threads: number;
}

export const DEFAULT_HNSW: HnswOptions = { exactBelow: 128, connectivity: 16, expansionAdd: 64, expansionSearch: 96, threads: 0 };
/** Target length of one synchronous slice of native work. */
const SLICE_MS = 12;

const dot = (a: Float32Array, ao: number, b: Float32Array, bo: number, dim: number): number => {
  let s = 0;
  for (let i = 0; i < dim; i++) s += (a[ao + i] as number) * (b[bo + i] as number);
  return s;
};

/** Exact cosine scan over a growable flat array (vectors are stored unit-length). */
class FlatStore {
  keys: number[] = [];
  data: Float32Array;
  private readonly pos = new Map<number, number>();

  constructor(readonly dim: number) {
    this.data = new Float32Array(dim * 64);
  }

  get size(): number {
    return this.keys.length;
  }

  has(key: number): boolean {
    return this.pos.has(key);
  }

  add(key: number, v: Float32Array, off: number): void {
    const at = this.pos.get(key) ?? this.keys.length;
    if (at === this.keys.length) {
      if ((at + 1) * this.dim > this.data.length) {
        const grown = new Float32Array(this.data.length * 2);
        grown.set(this.data);
        this.data = grown;
      }
      this.keys.push(key);
      this.pos.set(key, at);
    }
    this.data.set(unit(v.subarray(off, off + this.dim)), at * this.dim);
  }

  remove(key: number): void {
    const at = this.pos.get(key);
    if (at === undefined) return;
    const last = this.keys.length - 1;
    if (at !== last) {
      const lastKey = this.keys[last] as number;
      this.data.copyWithin(at * this.dim, last * this.dim, (last + 1) * this.dim);
      this.keys[at] = lastKey;
      this.pos.set(lastKey, at);
    }
    this.keys.pop();
    this.pos.delete(key);
  }

  /** The k best, best first (ties: the smaller key), kept in a sorted list of k while scanning: no sort of the whole set. */
  search(q: Float32Array, k: number): VectorMatch[] {
    const u = unit(q);
    const out: VectorMatch[] = [];
    if (k <= 0) return out;
    const worse = (a: VectorMatch, b: VectorMatch): boolean => a.similarity < b.similarity || (a.similarity === b.similarity && a.key > b.key);
    for (let i = 0; i < this.keys.length; i++) {
      const m = { key: this.keys[i] as number, similarity: dot(this.data, i * this.dim, u, 0, this.dim) };
      if (out.length === k && !worse(out[k - 1] as VectorMatch, m)) continue;
      let j = out.length === k ? k - 1 : out.length;
      while (j > 0 && worse(out[j - 1] as VectorMatch, m)) {
        out[j] = out[j - 1] as VectorMatch;
        j--;
      }
      out[j] = m;
    }
    return out;
  }
}

function unit(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += (v[i] as number) * (v[i] as number);
  if (n === 0 || Math.abs(n - 1) < 1e-6) return v;
  const s = 1 / Math.sqrt(n);
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = (v[i] as number) * s;
  return out;
}

/** Unit-length copies of n×dim rows (rows already unit length are copied as they are). */
export function unitRows(m: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(m.length);
  for (let r = 0; r < m.length; r += dim) out.set(unit(m.subarray(r, r + dim)), r);
  return out;
}

const pause = (): Promise<void> => new Promise((r) => setImmediate(r));

/** usearch's exactSearch reads a typed array's whole buffer from byte 0: views are copied before they reach it. */
const own = (v: Float32Array): Float32Array => (v.byteOffset === 0 && v.byteLength === v.buffer.byteLength ? v : v.slice());

function checkRows(keys: readonly number[], vectors: Float32Array, dim: number): void {
  if (vectors.length !== keys.length * dim) throw new Error(`expected ${keys.length}×${dim} values, got ${vectors.length}`);
}

function checkQuery(query: Float32Array, dim: number): void {
  if (query.length !== dim) throw new Error(`query has ${query.length} dimensions, the index ${dim}`);
}

/** k as a count of results an index of `size` can give. */
const wanted = (k: number, size: number): number => Math.min(Math.max(0, Math.floor(k)), size);

/** Exact search only: the small-set phase of the HNSW index, and the whole index where usearch cannot load. */
export class FlatVectorIndex implements VectorIndex {
  private readonly store: FlatStore;

  constructor(readonly dim: number) {
    if (!Number.isInteger(dim) || dim < 1) throw new Error(`invalid vector dimension ${dim}`);
    this.store = new FlatStore(dim);
  }

  size(): number {
    return this.store.size;
  }

  has(key: number): boolean {
    return this.store.has(key);
  }

  add(keys: readonly number[], vectors: Float32Array): void {
    checkRows(keys, vectors, this.dim);
    keys.forEach((k, i) => this.store.add(k, vectors, i * this.dim));
  }

  remove(keys: readonly number[]): void {
    for (const k of keys) this.store.remove(k);
  }

  search(query: Float32Array, k: number): VectorMatch[] {
    checkQuery(query, this.dim);
    return this.store.search(query, wanted(k, this.store.size));
  }

  /** Its keys and their unit rows (n×dim), in the same order. */
  rows(): { keys: readonly number[]; data: Float32Array } {
    return { keys: this.store.keys, data: this.store.data.slice(0, this.store.size * this.dim) };
  }
}

/** HNSW once the set outgrows `exactBelow`; the switch happens once and never back (deletes leave it a graph). */
export class UsearchVectorIndex implements VectorIndex {
  private flat: FlatVectorIndex | null;
  private hnsw: Index | null = null;
  private readonly members = new Set<number>();

  constructor(
    readonly dim: number,
    private readonly opts: HnswOptions = DEFAULT_HNSW,
  ) {
    this.flat = new FlatVectorIndex(dim);
  }

  size(): number {
    return this.members.size;
  }

  has(key: number): boolean {
    return this.members.has(key);
  }

  add(keys: readonly number[], vectors: Float32Array): void {
    checkRows(keys, vectors, this.dim);
    if (!keys.length) return;
    if (this.flat && this.flat.size() + keys.length >= this.opts.exactBelow) this.promote();
    if (this.flat) {
      this.flat.add(keys, vectors);
    } else {
      const idx = this.hnsw as Index;
      const present = keys.filter((k) => this.members.has(k));
      if (present.length) idx.remove(BigUint64Array.from(present.map(BigInt)));
      idx.add(BigUint64Array.from(keys.map(BigInt)), unitRows(vectors, this.dim), this.opts.threads);
    }
    for (const k of keys) this.members.add(k);
  }

  remove(keys: readonly number[]): void {
    const present = keys.filter((k) => this.members.has(k));
    if (!present.length) return;
    if (this.flat) this.flat.remove(present);
    else (this.hnsw as Index).remove(BigUint64Array.from(present.map(BigInt)));
    for (const k of present) this.members.delete(k);
  }

  search(query: Float32Array, k: number): VectorMatch[] {
    checkQuery(query, this.dim);
    const want = wanted(k, this.members.size);
    if (want === 0) return [];
    if (this.flat) return this.flat.search(query, want);
    const m = (this.hnsw as Index).search(own(unit(query)), want, this.opts.threads);
    const out: VectorMatch[] = [];
    for (let i = 0; i < m.keys.length; i++) {
      const key = Number(m.keys[i]);
      if (this.members.has(key)) out.push({ key, similarity: 1 - (m.distances[i] as number) });
    }
    return out;
  }

  private promote(): void {
    const flat = (this.flat as FlatVectorIndex).rows();
    const { Index, MetricKind, ScalarKind } = native();
    const idx = new Index({
      dimensions: this.dim,
      // Inner product on unit vectors is the cosine, without the two norms cos computes per comparison.
      metric: MetricKind.IP,
      quantization: ScalarKind.F32,
      connectivity: this.opts.connectivity,
      expansion_add: this.opts.expansionAdd,
      expansion_search: this.opts.expansionSearch,
      multi: false,
    });
    if (flat.keys.length) idx.add(BigUint64Array.from(flat.keys.map(BigInt)), flat.data, this.opts.threads);
    this.hnsw = idx;
    this.flat = null;
  }
}

export class UsearchVectorIndexFactory implements VectorIndexFactory {
  constructor(private readonly opts: HnswOptions = DEFAULT_HNSW) {}

  create(dim: number, o: { exactBelow?: number } = {}): VectorIndex {
    return new UsearchVectorIndex(dim, { ...this.opts, ...(o.exactBelow === undefined ? {} : { exactBelow: o.exactBelow }) });
  }

  /**
   * Exact (brute force in usearch, inner product of unit rows): a clustering set is small enough for exact search,
   * which keeps groups deterministic. Queries go in batches sized to SLICE_MS, with a yield between batches.
   */
  async knnGraph(vectors: Float32Array, dim: number, k: number): Promise<KnnGraph> {
    const n = dim > 0 ? Math.floor(vectors.length / dim) : 0;
    const kk = Math.max(0, Math.min(k, n - 1));
    const neighbours = new Int32Array(n * kk).fill(-1);
    const similarities = new Float32Array(n * kk);
    if (n < 2 || kk === 0) return { n, k: kk, neighbours, similarities };
    const data = unitRows(vectors.subarray(0, n * dim), dim);
    let batch = 16;
    for (let start = 0; start < n; ) {
      const count = Math.min(batch, n - start);
      const t0 = performance.now();
      const { exactSearch, MetricKind } = native();
      const r = exactSearch(data, own(data.subarray(start * dim, (start + count) * dim)), dim, kk + 1, MetricKind.IP, this.opts.threads);
      const m = 'counts' in r ? (r as BatchMatches) : null;
      const stride = m ? m.k : kk + 1;
      for (let q = 0; q < count; q++) {
        const i = start + q;
        const found = m ? Number(m.counts[q]) : r.keys.length;
        let w = 0;
        for (let j = 0; j < found && w < kk; j++) {
          const key = Number(r.keys[q * stride + j]);
          if (key === i) continue;
          neighbours[i * kk + w] = key;
          similarities[i * kk + w] = 1 - (r.distances[q * stride + j] as number);
          w++;
        }
      }
      start += count;
      const took = performance.now() - t0;
      batch = Math.max(1, Math.min(count * 2, 1024, Math.round(count * (SLICE_MS / Math.max(0.5, took)))));
      if (start < n) await pause();
    }
    return { n, k: kk, neighbours, similarities };
  }
}

export class FlatVectorIndexFactory implements VectorIndexFactory {
  create(dim: number): VectorIndex {
    return new FlatVectorIndex(dim);
  }

  /** Exact, row by row over a flat store, yielding every SLICE_MS. */
  async knnGraph(vectors: Float32Array, dim: number, k: number): Promise<KnnGraph> {
    const n = dim > 0 ? Math.floor(vectors.length / dim) : 0;
    const kk = Math.max(0, Math.min(k, n - 1));
    const neighbours = new Int32Array(n * kk).fill(-1);
    const similarities = new Float32Array(n * kk);
    if (n < 2 || kk === 0) return { n, k: kk, neighbours, similarities };
    const store = new FlatStore(dim);
    for (let i = 0; i < n; i++) store.add(i, vectors, i * dim);
    let t0 = performance.now();
    for (let i = 0; i < n; i++) {
      let w = 0;
      for (const m of store.search(vectors.subarray(i * dim, (i + 1) * dim), kk + 1)) {
        if (m.key === i || w >= kk) continue;
        neighbours[i * kk + w] = m.key;
        similarities[i * kk + w] = m.similarity;
        w++;
      }
      if (performance.now() - t0 > SLICE_MS) {
        await pause();
        t0 = performance.now();
      }
    }
    return { n, k: kk, neighbours, similarities };
  }
}

/**
 * The factory to use here: usearch's HNSW when its native module loads, else the exact JS scan (usearch has no
 * prebuilt binary for Windows, and a machine may lack the one for its platform). `fallback` says why, when it is used.
 */
export function vectorIndexFactory(opts: HnswOptions = DEFAULT_HNSW, load: () => Usearch | Error = loadUsearch): { factory: VectorIndexFactory; engine: 'usearch' | 'exact'; fallback: string | null } {
  const u = load();
  if (u instanceof Error) return { factory: new FlatVectorIndexFactory(), engine: 'exact', fallback: u.message.split('\n')[0] ?? u.message };
  return { factory: new UsearchVectorIndexFactory(opts), engine: 'usearch', fallback: null };
}
