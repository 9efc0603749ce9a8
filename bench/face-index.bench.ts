// Bench: face search latency and recall@10 (HNSW vs exact) at 100k and 1M clustered 128-d vectors, and face-group
// clustering at 2000 samples through the real service on SQLite. FACE_BENCH_SIZES=100000 limits the sizes.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { exactSearch, MetricKind, type BatchMatches } from 'usearch';
import { openDatabase } from '../src-main/repositories/db/database';
import { silentLogger } from '../src-main/repositories/logger';
import { SqliteEventsRepository } from '../src-main/repositories/events.repository';
import { SqliteFaceSamplesRepository } from '../src-main/repositories/face-samples.repository';
import { UsearchVectorIndexFactory, DEFAULT_HNSW } from '../src-main/repositories/vector-index.repository';
import { SqlitePeopleRepository } from '../src-main/repositories/people.repository';
import { FaceIndexService } from '../src-main/services/faces/face-index.service';
import { FaceGroupsService } from '../src-main/services/faces/face-groups.service';
import type { PeopleService } from '../src-main/services/faces/people.service';
import { median, ms, now, percentile, printRows, tempDir, type BenchRow } from './bench-util';

const DIM = 128;
const QUERIES = 300;
/** Faces per identity: the nearest ten of a face are mostly its own identity's, which is what makes ANN recall hard. */
const PER_ID = 40;
const SIGMA = 0.045;

/** mulberry32 + Box–Muller: the same vectors on every run. */
function gaussians(seed: number): () => number {
  let a = seed >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(u() + 1e-12)) * Math.cos(2 * Math.PI * u());
}

function normaliseRow(m: Float32Array, off: number): void {
  let s = 0;
  for (let i = 0; i < DIM; i++) s += (m[off + i] as number) ** 2;
  const k = 1 / Math.sqrt(s);
  for (let i = 0; i < DIM; i++) m[off + i] = (m[off + i] as number) * k;
}

/** n faces of n/PER_ID identities (same-identity cosine ≈ 0.8, different ≈ 0), plus queries: new faces of known identities. */
function clustered(n: number, queries: number, seed: number): { data: Float32Array; queries: Float32Array } {
  const g = gaussians(seed);
  const ids = Math.max(1, Math.floor(n / PER_ID));
  const bases = new Float32Array(ids * DIM);
  for (let i = 0; i < bases.length; i++) bases[i] = g();
  for (let i = 0; i < ids; i++) normaliseRow(bases, i * DIM);
  const face = (out: Float32Array, row: number, id: number) => {
    for (let d = 0; d < DIM; d++) out[row * DIM + d] = (bases[id * DIM + d] as number) + SIGMA * g();
    normaliseRow(out, row * DIM);
  };
  const data = new Float32Array(n * DIM);
  for (let i = 0; i < n; i++) face(data, i, i % ids);
  const q = new Float32Array(queries * DIM);
  for (let i = 0; i < queries; i++) face(q, i, Math.floor((i * 7919) % ids));
  return { data, queries: q };
}

/** Runs `fn` while sampling event-loop delay: what other requests would have waited. */
async function loopDelay<T>(fn: () => Promise<T>): Promise<{ value: T; p99: number; max: number }> {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  const value = await fn();
  h.disable();
  return { value, p99: h.percentile(99) / 1e6, max: h.max / 1e6 };
}

/** The real path: n samples in SQLite, the captured index rebuilt by FaceIndexService (chunks, time slices), then searched. */
async function searchCase(n: number): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const t = tempDir('vigil-bench-faceidx-');
  const db = openDatabase({ file: join(t.dir, 'vigil.db') });
  try {
    const { data, queries } = clustered(n, QUERIES, 42 + n);
    db.prepare("INSERT INTO cameras (name, source_kind, url_enc) VALUES ('a', 'file', x'00')").run();
    const samples = new SqliteFaceSamplesRepository(db);
    const ins = db.prepare("INSERT INTO face_samples (camera_id, ts_ms, embedding, dim, model, quality) VALUES (1, ?, ?, 128, 'm', 0.8)");
    for (let i = 0; i < n; i += 50_000) {
      db.transaction(() => {
        for (let j = i; j < Math.min(n, i + 50_000); j++) ins.run(1_700_000_000_000 + j, Buffer.from(data.buffer, j * DIM * 4, DIM * 4));
      })();
    }
    const svc = new FaceIndexService({
      people: new SqlitePeopleRepository(db),
      samples,
      vectors: new UsearchVectorIndexFactory(),
      model: () => 'm',
      matchThreshold: () => 0.5,
      log: silentLogger(),
      yieldLoop: () => new Promise((r) => setImmediate(r)),
      now: () => performance.now(),
    });
    const t0 = now();
    const built = await loopDelay(() => svc.start());
    const buildMs = ms(t0);
    rows.push({ name: `index rebuild from SQLite @ ${n / 1000}k`, value: buildMs / 1000, unit: 's', note: `${DEFAULT_HNSW.connectivity} links, ef_add ${DEFAULT_HNSW.expansionAdd}, inner product; loop delay p99 ${built.p99.toFixed(0)} ms, max ${built.max.toFixed(0)} ms` });

    const te = now();
    const truth = exactSearch(data, queries, DIM, 10, MetricKind.IP) as BatchMatches;
    const exactMs = ms(te) / QUERIES;
    const times: number[] = [];
    let hits = 0;
    for (let q = 0; q < QUERIES; q++) {
      const want = new Set(Array.from(truth.keys.subarray(q * truth.k, q * truth.k + 10), (k) => Number(k) + 1));
      const v = queries.slice(q * DIM, (q + 1) * DIM);
      const ts = now();
      const got = svc.searchCaptured(v, 10);
      times.push(ms(ts));
      hits += got.filter((m) => want.has(m.key)).length;
    }
    rows.push({ name: `search p50 @ ${n / 1000}k`, value: percentile(times, 50), unit: 'ms', baseline: exactMs, ratio: percentile(times, 50) / exactMs, note: `ef ${DEFAULT_HNSW.expansionSearch}; baseline: exact search (usearch brute force, batched) per query` });
    rows.push({ name: `search p95 @ ${n / 1000}k`, value: percentile(times, 95), unit: 'ms', note: 'goal ≤ 5 ms' });
    rows.push({ name: `recall@10 vs exact @ ${n / 1000}k`, value: hits / (QUERIES * 10), unit: '', note: 'goal ≥ 0.95' });
    // What one POST /api/faces/search asks of the index: the nearest 1000, ranked and paged afterwards.
    const wide: number[] = [];
    for (let q = 0; q < 30; q++) {
      const ts = now();
      svc.searchCaptured(queries.slice(q * DIM, (q + 1) * DIM), 1000);
      wide.push(ms(ts));
    }
    rows.push({ name: `search k=1000 p50 @ ${n / 1000}k`, value: percentile(wide, 50), unit: 'ms', note: `p95 ${percentile(wide, 95).toFixed(1)} ms; the search horizon of one /api/faces/search` });
    return rows;
  } finally {
    db.close();
    t.remove();
  }
}

async function clusteringCase(): Promise<BenchRow[]> {
  const t = tempDir('vigil-bench-faces-');
  const db = openDatabase({ file: join(t.dir, 'vigil.db') });
  try {
    db.prepare("INSERT INTO cameras (name, source_kind, url_enc) VALUES ('a', 'file', x'00'), ('b', 'file', x'00')").run();
    const samples = new SqliteFaceSamplesRepository(db);
    const { data } = clustered(2000, 0, 7);
    const g = gaussians(9);
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) {
        const hist = Float32Array.from({ length: 128 }, () => Math.abs(g()));
        samples.insert({ camera_id: 1 + (i % 2), ts_ms: 1_700_000_000_000 + i * 1000, track_id: i, event_id: null, embedding: data.slice(i * DIM, (i + 1) * DIM), model: 'm', quality: 0.5 + (i % 50) / 100, crop_path: null, box: null, clothing: hist });
      }
    })();
    const svc = new FaceGroupsService({
      samples,
      people: {} as PeopleService,
      events: new SqliteEventsRepository(db),
      eventDto: () => {
        throw new Error('unused');
      },
      vectors: new UsearchVectorIndexFactory(),
      model: () => 'm',
      matchThreshold: () => 0.5,
      log: silentLogger(),
      now: () => performance.now(),
      yieldLoop: () => new Promise((r) => setImmediate(r)),
    });
    const rows: BenchRow[] = [];
    for (const clothing_weight of [0, 0.3]) {
      const total: number[] = [];
      const parts: { load_ms: number; knn_ms: number; cluster_ms: number }[] = [];
      let groups = 0;
      let worst = 0;
      for (let r = 0; r < 7; r++) {
        const t0 = now();
        const d = await loopDelay(() => svc.list({ face_threshold: 0.5, clothing_weight, min_size: 2, max_members: 40, max_samples: 2000 }));
        groups = d.value.total_groups;
        worst = Math.max(worst, d.max);
        total.push(ms(t0));
        if (svc.lastTiming) parts.push(svc.lastTiming);
      }
      const split = `load ${median(parts.map((p) => p.load_ms)).toFixed(0)} · kNN ${median(parts.map((p) => p.knn_ms)).toFixed(0)} · linkage ${median(parts.map((p) => p.cluster_ms)).toFixed(0)} ms`;
      rows.push({ name: `face groups @ 2000 samples, clothing ${clothing_weight}`, value: median(total), unit: 'ms', note: `${groups} groups (truth 50); ${split}; longest loop block ${worst.toFixed(0)} ms` });
    }
    return rows;
  } finally {
    db.close();
    t.remove();
  }
}

export async function run(): Promise<BenchRow[]> {
  const sizes = (process.env.FACE_BENCH_SIZES ?? '100000,1000000').split(',').map(Number).filter((n) => n > 0);
  const rows: BenchRow[] = [...(await clusteringCase())];
  for (const n of sizes) rows.push(...(await searchCase(n)));
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void run().then(printRows);
