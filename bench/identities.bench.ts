// Bench: identity linking per finished track at 10k and 100k identities (the live path: IdentitiesService.candidates →
// toLinkCandidates → decideLink → addSighting, on a real SQLite file, split by stage, with the longest event-loop block),
// and GET /api/identities (filters) / GET /api/identities/analytics p50/p95 over HTTP on the real app at 100k sightings.
// IDENTITY_BENCH_SIZES=10000 limits the linking sizes; IDENTITY_BENCH_SIGHTINGS=20000 the HTTP case's store (0 skips it).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { parseConfig } from '../src-main/app/config';
import { startApp } from '../src-main/app/lifecycle';
import { buildIdentities } from '../src-main/app/identities';
import { openDatabase, type Db } from '../src-main/repositories/db/database';
import { silentLogger, type Logger } from '../src-main/repositories/logger';
import { SqliteSettingsRepository } from '../src-main/repositories/settings.repository';
import { SqliteEventsRepository } from '../src-main/repositories/events.repository';
import { NodeMediaFilesRepository } from '../src-main/repositories/media-files.repository';
import { SqlitePeopleRepository } from '../src-main/repositories/people.repository';
import { SqliteFaceSamplesRepository } from '../src-main/repositories/face-samples.repository';
import { NodeFaceFilesRepository } from '../src-main/repositories/face-files.repository';
import { UsearchVectorIndexFactory } from '../src-main/repositories/vector-index.repository';
import { PushBus } from '../src-main/services/push-bus';
import { SettingsService } from '../src-main/services/settings.service';
import { EventsService } from '../src-main/services/recording/events.service';
import { FaceIndexService } from '../src-main/services/faces/face-index.service';
import { FaceSamplesService } from '../src-main/services/faces/face-samples.service';
import { toLinkCandidates } from '../src-main/services/identities/identity-capture.service';
import { appearanceExemplarQuality, faceExemplarQuality, MAX_APPEARANCE_EXEMPLARS, MAX_FACE_EXEMPLARS } from '../src-main/services/identities/identity-policy';
import { DEFAULT_LINK_CONFIG, NeverTogether, TransitModel, decideLink, type EvidenceLabels, type SightingRef } from '../src-main/services/identities/linking';
import type { SightingSummary } from '../src-main/services/identities/identity-model';
import { median, ms, now, percentile, printRows, tempDir, type BenchRow } from './bench-util';

const DAY = 86_400_000;
const CAMERAS = 8;
const SPAN_DAYS = 30;
const BINS = 128;
const DIM = 128;
const FACE_MODEL = 'dlib-resnet-face-128';
/** identity-capture.service.ts's candidate window (not exported): identities seen within 12 h of the track's start. */
const CANDIDATE_WINDOW_MS = 12 * 3600_000;
/** Identities whose people show their faces to some camera (the rest are seen from behind or too small). */
const FACE_IDENTITIES = 0.4;
/** Of those, the share of sightings whose track carries a mean face. */
const FACE_SIGHTINGS = 0.6;
const NAMED = 0.01;
const WARMUP = 30;
const SIGHTINGS = 400;
/** Seconds between measured tracks ending (8 cameras: ~180 people an hour, what 100k identities over 30 days average). */
const STEP_MS = 20_000;
const LIST_REQUESTS = 150;
const ANALYTICS_REQUESTS = 60;

// --- deterministic synthetic people ----------------------------------------------------------------

/** mulberry32: the same people on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const gauss = (u: () => number): number => Math.sqrt(-2 * Math.log(u() + 1e-12)) * Math.cos(2 * Math.PI * u());

function unit(v: Float32Array): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  const k = 1 / Math.sqrt(s || 1);
  for (let i = 0; i < v.length; i++) v[i] = (v[i] as number) * k;
  return v;
}

/**
 * How common each HSV bin is in clothing (Zipf over a fixed shuffle of the 128 bins: dark and grey ones dominate), so
 * strangers in similar clothes score high, as they do on real cameras.
 */
const POPULARITY = (() => {
  const u = rng(11);
  const order = Array.from({ length: BINS }, (_, i) => i).sort(() => u() - 0.5);
  const p = new Float64Array(BINS);
  order.forEach((bin, rank) => (p[bin] = 1 / (rank + 1) ** 1.1));
  const sum = p.reduce((a, b) => a + b, 0);
  return p.map((x) => x / sum);
})();
const CUMULATIVE = POPULARITY.reduce<number[]>((acc, x) => [...acc, (acc[acc.length - 1] ?? 0) + x], []);
const popularBin = (u: () => number): number => {
  const r = u();
  const i = CUMULATIVE.findIndex((c) => c >= r);
  return i < 0 ? BINS - 1 : i;
};

/** A garment: 2–4 dominant bins drawn by popularity, 15 % spread like clothing in general. Sums to 1. */
function garment(u: () => number): Float32Array {
  const h = new Float32Array(BINS);
  const k = 2 + Math.floor(u() * 3);
  let mass = 0;
  for (let i = 0; i < k; i++) {
    const w = -Math.log(u() + 1e-12);
    const b = popularBin(u);
    h[b] = (h[b] as number) + w;
    mass += w;
  }
  for (let b = 0; b < BINS; b++) h[b] = ((h[b] as number) / mass) * 0.85 + 0.15 * (POPULARITY[b] as number);
  return h;
}

/** One track's averaged histogram of a garment: multiplicative noise and a little stray colour (occlusions, light). */
function observed(base: Float32Array, u: () => number): Float32Array {
  const h = new Float32Array(BINS);
  let sum = 0;
  for (let b = 0; b < BINS; b++) sum += h[b] = (base[b] as number) * Math.exp(0.35 * gauss(u));
  const stray = popularBin(u);
  for (let b = 0; b < BINS; b++) h[b] = ((h[b] as number) / sum) * 0.9;
  h[stray] = (h[stray] as number) + 0.1;
  return h;
}

/** The shared direction of every dlib face: strangers sit near cosine 0.78, one person's tracks near 0.94. */
const FACE_MEAN = (() => {
  const u = rng(5);
  return unit(Float32Array.from({ length: DIM }, () => gauss(u)));
})();

function faceOf(person: Float32Array, u: () => number): Float32Array {
  const noise = unit(Float32Array.from({ length: DIM }, () => gauss(u)));
  return unit(Float32Array.from({ length: DIM }, (_, d) => Math.sqrt(0.78) * (FACE_MEAN[d] as number) + Math.sqrt(0.16) * (person[d] as number) + Math.sqrt(0.06) * (noise[d] as number)));
}

interface Person {
  upper: Float32Array;
  lower: Float32Array;
  face: Float32Array | null;
}

/** A person from a key alone (a seeded identity's id is its person's key), so no traits are kept in memory. */
function person(key: number): Person {
  const u = rng((Math.imul(key, 2654435761) ^ 0x5bd1e995) >>> 0);
  const upper = garment(u);
  const lower = garment(u);
  return { upper, lower, face: u() < FACE_IDENTITIES ? unit(Float32Array.from({ length: DIM }, () => gauss(u))) : null };
}

const blob = (v: Float32Array): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

// --- seeding ----------------------------------------------------------------------------------------

interface Seeded {
  identities: number;
  named: number;
  sightings: number;
  faceExemplars: number;
  appearanceExemplars: number;
  firstId: number;
  lastId: number;
}

function ensureCameras(db: Db): void {
  const have = db.prepare('SELECT COUNT(*) FROM cameras').pluck().get() as number;
  const cam = db.prepare("INSERT INTO cameras (name, source_kind, url_enc, enabled) VALUES (?, 'file', x'00', 0)");
  for (let c = have + 1; c <= CAMERAS; c++) cam.run(`cam${c}`);
}

/**
 * Identities as linking leaves them, written straight into the store's tables: over SPAN_DAYS days ending at `end`, on
 * 8 cameras; per identity 1 sighting (55 %) or a short walk of several, 1 % named with 10–40 sightings over the days;
 * every sighting with upper/lower histograms, some with a face; exemplars (the best MAX_* by the store's own quality
 * rule), counters, presence and the representative crop as addSighting would set them. Stops at `identities` or at
 * about `sightings`, whichever is given.
 */
function seed(db: Db, o: { identities?: number; sightings?: number; end: number; seed: number }): Seeded {
  ensureCameras(db);
  const u = rng(o.seed);
  const counts: number[] = [];
  let total = 0;
  while (o.identities !== undefined ? counts.length < o.identities : total < (o.sightings ?? 0)) {
    const k = u() < NAMED ? -(10 + Math.floor(u() * 31)) : u() < 0.55 ? 1 : 2 + Math.floor(-Math.log(u() + 1e-12) * 1.5);
    counts.push(k);
    total += Math.abs(k);
  }
  const n = counts.length;
  const start = o.end - SPAN_DAYS * DAY;
  const firsts = Float64Array.from({ length: n }, () => start + u() * (o.end - 60_000 - start)).sort();
  const firstId = ((db.prepare('SELECT MAX(id) FROM identities').pluck().get() as number | null) ?? 0) + 1;
  let sid = ((db.prepare('SELECT MAX(id) FROM sightings').pluck().get() as number | null) ?? 0) + 1;
  const insIdentity = db.prepare(
    "INSERT INTO identities (id, name, is_named, object_class, num_sightings, total_seconds, first_seen_ms, last_seen_ms, rep_sighting_id, created_ms, updated_ms) VALUES (?, ?, ?, 'person', ?, ?, ?, ?, ?, ?, ?)",
  );
  const insSighting = db.prepare(
    `INSERT INTO sightings (id, identity_id, camera_id, track_id, object_class, start_ms, end_ms, best_ms, best_score, best_box, crop_path, app_upper, app_lower,
       face_embedding, face_model, link_kind, link_score, face_score, appearance_score, matched_sighting_id, gap_s, link_detail, created_ms)
     VALUES (?, ?, ?, ?, 'person', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insExemplar = db.prepare('INSERT INTO identity_exemplars (identity_id, sighting_id, kind, quality, face, face_model, upper, lower, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const insPresence = db.prepare('INSERT INTO presence_segments (identity_id, camera_id, start_ms, end_ms) VALUES (?, ?, ?, ?)');
  const out: Seeded = { identities: 0, named: 0, sightings: 0, faceExemplars: 0, appearanceExemplars: 0, firstId, lastId: firstId - 1 };
  const CHUNK = 5000;
  for (let c0 = 0; c0 < n; c0 += CHUNK) {
    db.transaction(() => {
      // The identity row names its representative sighting before that row exists: checked at commit.
      db.pragma('defer_foreign_keys = ON');
      for (let i = c0; i < Math.min(n, c0 + CHUNK); i++) {
        const id = firstId + i;
        const p = person(id);
        const named = (counts[i] as number) < 0;
        const k = Math.abs(counts[i] as number);
        const first = firsts[i] as number;
        const rows: { id: number; cam: number; s: number; e: number; score: number; box: [number, number, number, number]; upper: Float32Array; lower: Float32Array; face: Float32Array | null }[] = [];
        let t = first;
        for (let j = 0; j < k && t < o.end - 60_000; j++) {
          const dur = 4000 + Math.floor(u() * 56_000);
          const h = 0.2 + u() * 0.6;
          const box: [number, number, number, number] = [u() * 0.7, u() * 0.3, h * 0.4, h];
          rows.push({ id: sid++, cam: 1 + Math.floor(u() * CAMERAS), s: t, e: Math.min(o.end, t + dur), score: 0.45 + u() * 0.5, box, upper: observed(p.upper, u), lower: observed(p.lower, u), face: p.face && u() < FACE_SIGHTINGS ? faceOf(p.face, u) : null });
          // A walk: the next camera 90 s to 10 min later; a named regular comes back over the following days.
          t = named ? t + u() * ((o.end - first) / k) * 1.9 + 60_000 : Math.min(o.end, t + dur) + 90_000 + u() * 510_000;
        }
        if (!rows.length) continue;
        const last = Math.max(...rows.map((r) => r.e));
        const rep = rows.reduce((a, b) => (b.score > a.score ? b : a));
        insIdentity.run(id, named ? `Person ${id}` : null, named ? 1 : 0, rows.length, rows.reduce((a, r) => a + (r.e - r.s), 0) / 1000, rows[0]?.s, last, rep.id, rows[0]?.s, last);
        rows.forEach((r, j) => {
          const prev = rows[j - 1];
          const kind = !prev ? 'new' : r.face && prev.face ? 'face' : 'appearance';
          const linkScore = kind === 'face' ? 0.91 + u() * 0.06 : kind === 'appearance' ? 0.8 + u() * 0.15 : null;
          insSighting.run(
            r.id,
            id,
            r.cam,
            Math.floor(u() * 1e6),
            r.s,
            r.e,
            Math.round((r.s + r.e) / 2),
            r.score,
            JSON.stringify(r.box),
            `identities/${id}/${r.s}-${r.id.toString(16)}.jpg`,
            blob(r.upper),
            blob(r.lower),
            r.face ? blob(r.face) : null,
            r.face ? FACE_MODEL : null,
            kind,
            linkScore,
            kind === 'face' ? linkScore : null,
            kind === 'new' ? null : 0.75 + u() * 0.2,
            prev ? prev.id : null,
            prev ? (r.s - prev.e) / 1000 : null,
            kind === 'new' ? 'new: no earlier person to compare with' : `${kind} ${linkScore?.toFixed(2)} to the sighting on cam${prev?.cam}`,
            r.e,
          );
          insPresence.run(id, r.cam, r.s, r.e);
        });
        const best = (list: typeof rows, q: (r: (typeof rows)[number]) => number, keep: number) =>
          list
            .map((r) => ({ r, q: q(r) }))
            .sort((a, b) => b.q - a.q || b.r.id - a.r.id)
            .slice(0, keep);
        for (const { r, q } of best(rows, (r) => appearanceExemplarQuality(r.score, r.box), MAX_APPEARANCE_EXEMPLARS)) insExemplar.run(id, r.id, 'appearance', q, null, null, blob(r.upper), blob(r.lower), r.e);
        const faced = best(
          rows.filter((r) => r.face),
          (r) => faceExemplarQuality(3, r.score),
          MAX_FACE_EXEMPLARS,
        );
        for (const { r, q } of faced) insExemplar.run(id, r.id, 'face', q, r.face ? blob(r.face) : null, FACE_MODEL, null, null, r.e);
        out.identities++;
        if (named) out.named++;
        out.sightings += rows.length;
        out.appearanceExemplars += Math.min(rows.length, MAX_APPEARANCE_EXEMPLARS);
        out.faceExemplars += faced.length;
        out.lastId = id;
      }
    })();
  }
  return out;
}

// --- 1. linking per sighting ------------------------------------------------------------------------

/** The longest stretch the event loop was busy (a setImmediate heartbeat's largest gap) since the last reset. */
function heartbeat(): { reset: () => void; max: () => number; stop: () => void } {
  let last = performance.now();
  let worst = 0;
  let on = true;
  const tick = (): void => {
    const t = performance.now();
    if (t - last > worst) worst = t - last;
    last = t;
    if (on) setImmediate(tick);
  };
  setImmediate(tick);
  return {
    reset: () => {
      worst = 0;
      last = performance.now();
    },
    max: () => worst,
    stop: () => {
      on = false;
    },
  };
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

interface Stage {
  candidates: number[];
  decide: number[];
  store: number[];
  total: number[];
  block: number[];
}
type StageName = keyof Stage;
const STAGES: [StageName, string][] = [
  ['candidates', 'candidates()+toLinkCandidates'],
  ['decide', 'decideLink'],
  ['store', 'addSighting'],
  ['total', 'total'],
  ['block', 'event-loop block'],
];

/** The identities side as the container wires it (buildIdentities), over a SQLite file of `n` seeded identities. */
async function linkCase(n: number, crop: Buffer): Promise<{ stage: Stage; note: string }> {
  const t = tempDir('vigil-bench-identities-');
  const db = openDatabase({ file: join(t.dir, 'vigil.db') });
  const log: Logger = silentLogger();
  try {
    const t0 = now();
    const end = Date.now() - 3 * 3600_000;
    const seeded = seed(db, { identities: n, end, seed: 1000 + n });
    const seedS = ms(t0) / 1000;
    db.pragma('wal_checkpoint(TRUNCATE)');

    const bus = new PushBus();
    const settings = new SettingsService(new SqliteSettingsRepository(db), bus, log);
    const events = new EventsService(new SqliteEventsRepository(db), new NodeMediaFilesRepository(t.dir), bus, Date.now);
    const sampleRepo = new SqliteFaceSamplesRepository(db);
    const model = (): string | null => settings.get().face_embedder_model;
    const index = new FaceIndexService({
      people: new SqlitePeopleRepository(db),
      samples: sampleRepo,
      vectors: new UsearchVectorIndexFactory(),
      model,
      matchThreshold: () => 0.91,
      log,
      yieldLoop: turn,
      now: () => performance.now(),
    });
    await index.start();
    const samples = new FaceSamplesService({ samples: sampleRepo, files: new NodeFaceFilesRepository(t.dir), index, model, minQuality: () => settings.get().face_min_quality, log, now: Date.now });
    const identities = buildIdentities({ dataDir: t.dir, db, settings, bus, events, faces: { samples, index }, log });
    const svc = identities.service;

    // What capture supplies around linking: an open event per camera, the track's face samples, the crop.
    const insEvent = db.prepare(
      "INSERT INTO events (camera_id, camera_name, label, source, score, started_ms, last_ms, window_start_ms, window_end_ms, boxes) VALUES (?, ?, 'person', 'detection', 0.8, ?, ?, ?, ?, '[]')",
    );
    const openEvent = new Map<number, number>();
    for (let c = 1; c <= CAMERAS; c++) openEvent.set(c, Number(insEvent.run(c, `cam${c}`, end, end, end - 5000, end + 30_000).lastInsertRowid));
    const insSample = db.prepare('INSERT INTO face_samples (camera_id, ts_ms, track_id, embedding, dim, model, quality) VALUES (?, ?, ?, ?, 128, ?, ?)');
    const labels: EvidenceLabels = { camera: (id) => `cam${id}`, time: (x) => new Date(x).toLocaleTimeString('en-GB', { hour12: false }) };
    const transit = new TransitModel();
    const cfg = DEFAULT_LINK_CONFIG;
    const u = rng(77 + n);
    // People who may come back: those seen last in the seeded store, then those the measured tracks bring.
    const recent: number[] = Array.from({ length: Math.min(300, seeded.lastId - seeded.firstId + 1) }, (_, i) => seeded.lastId - i);
    let stranger = 50_000_000;

    const stage: Stage = { candidates: [], decide: [], store: [], total: [], block: [] };
    const kinds = { face: 0, appearance: 0, manual: 0, new: 0 };
    const sizes: number[] = [];
    const exemplars: number[] = [];
    const live = heartbeat();
    try {
      for (let i = 0; i < WARMUP + SIGHTINGS; i++) {
        const cam = 1 + Math.floor(u() * CAMERAS);
        const startMs = end + (i + 1) * STEP_MS;
        const endMs = startMs + 4000 + Math.floor(u() * 36_000);
        const key = u() < 0.5 && recent.length ? (recent[Math.floor(u() * Math.min(recent.length, 300))] as number) : stranger++;
        recent.unshift(key);
        const p = person(key);
        const hasFace = p.face !== null && u() < FACE_SIGHTINGS;
        const face = hasFace && p.face ? faceOf(p.face, u) : null;
        const faceIds = face
          ? [0, 1, 2].map((j) => Number(insSample.run(cam, startMs + j * 1000, i, blob(faceOf(p.face as Float32Array, u)), FACE_MODEL, 0.4 + u() * 0.5).lastInsertRowid))
          : [];
        const h = 0.2 + u() * 0.6;
        const s: SightingSummary = {
          camera_id: cam,
          track_id: 100_000 + i,
          object_class: 'person',
          start_ms: startMs,
          end_ms: endMs,
          event_id: openEvent.get(cam) ?? null,
          best_box: [u() * 0.7, u() * 0.3, h * 0.4, h],
          best_ms: Math.round((startMs + endMs) / 2),
          best_score: 0.45 + u() * 0.5,
          crop_jpeg: crop,
          appearance: { upper: observed(p.upper, u), lower: observed(p.lower, u), features: null },
          face_sample_ids: faceIds,
          face_embedding: face,
          face_model: face ? FACE_MODEL : null,
          face_weight: face ? 1 + u() * 2 : 0,
          person_id: null,
          color: null,
        };
        await turn();
        live.reset();
        // IdentityCaptureService.link(): the bounded candidates, their sighting refs, the pure decision.
        const a = now();
        const c = svc.candidates({ object_class: s.object_class, since_ms: s.start_ms - CANDIDATE_WINDOW_MS, person_ids: s.person_id !== null ? [s.person_id] : [] });
        const candidates = toLinkCandidates(c);
        const refs = new Map<number, SightingRef>(candidates.flatMap((x) => x.recent_sightings.map((r) => [r.id, r] as const)));
        const b = now();
        const link = decideLink(s, candidates, new NeverTogether(), cfg, transit, labels);
        const d = now();
        // IdentityCaptureService.store(): too little face evidence never becomes a face exemplar.
        const stored = (s.face_weight ?? 0) < cfg.face_min_weight ? { ...s, face_embedding: null } : s;
        await svc.addSighting(stored, link);
        const e = now();
        await turn();
        if ((link.kind === 'face' || link.kind === 'manual') && link.matched_sighting_id !== null && link.gap_s !== null) {
          const m = refs.get(link.matched_sighting_id);
          if (m && m.camera_id !== cam) transit.observe({ from_camera: m.camera_id, to_camera: cam, gap_s: link.gap_s });
        }
        if (i < WARMUP) continue;
        stage.candidates.push(Number(b - a) / 1e6);
        stage.decide.push(Number(d - b) / 1e6);
        stage.store.push(Number(e - d) / 1e6);
        stage.total.push(Number(e - a) / 1e6);
        stage.block.push(live.max());
        kinds[link.kind]++;
        sizes.push(candidates.length);
        exemplars.push(candidates.reduce((x, y) => x + y.face_exemplars.length + y.appearance_exemplars.length, 0));
      }
    } finally {
      live.stop();
    }
    const pct = (x: number) => `${Math.round((100 * x) / SIGHTINGS)}%`;
    const note =
      `seeded ${seeded.identities} identities / ${seeded.sightings} sightings / ${seeded.appearanceExemplars + seeded.faceExemplars} exemplars in ${seedS.toFixed(1)} s; ` +
      `candidates median ${median(sizes)} identities, ${median(exemplars)} exemplars; ${SIGHTINGS} tracks: face ${pct(kinds.face)}, appearance ${pct(kinds.appearance)}, new ${pct(kinds.new)}`;
    return { stage, note };
  } finally {
    db.close();
    t.remove();
  }
}

async function linkRows(sizes: number[]): Promise<BenchRow[]> {
  const crop = await sharp({ create: { width: 96, height: 192, channels: 3, background: { r: 90, g: 90, b: 90 }, noise: { type: 'gaussian', mean: 110, sigma: 40 } } })
    .jpeg({ quality: 85 })
    .toBuffer();
  const rows: BenchRow[] = [];
  let base: Stage | null = null;
  let baseN = 0;
  for (const n of sizes) {
    const { stage, note } = await linkCase(n, crop);
    const at = `@ ${n >= 1000 ? `${n / 1000}k` : n} identities`;
    STAGES.forEach(([k, label], si) => {
      for (const p of [50, 95]) {
        const v = percentile(stage[k], p);
        const b = base ? percentile(base[k], p) : undefined;
        const row: BenchRow = { name: `link ${label} p${p} ${at}`, value: v, unit: 'ms' };
        if (b !== undefined && b > 0) Object.assign(row, { baseline: b, ratio: v / b });
        if (si === 0 && p === 50) row.note = `${note}${base ? `; baseline: the same at ${baseN / 1000}k` : ''}`;
        if (k === 'store' && p === 50) row.note = 'one transaction (sighting, faces, counters, presence, event link, exemplars) + the crop written + a second one naming it';
        if (k === 'block' && p === 50) row.note = 'longest synchronous stretch per track (setImmediate heartbeat): what other requests wait';
        rows.push(row);
      }
    });
    if (!base) {
      base = stage;
      baseN = n;
    }
  }
  return rows;
}

// --- 2. GET /api/identities and /analytics over HTTP ----------------------------------------------------

async function httpRows(sightings: number): Promise<BenchRow[]> {
  const t = tempDir('vigil-bench-identities-http-');
  const config = parseConfig(['--data-dir', t.dir, '--port', '0', '--no-demo'], {}, { resourcesDir: join(t.dir, 'res'), rendererDir: null, electron: null });
  const app = await startApp(config, { logStdout: false });
  const key = app.container.auth.keyInfo().api_key;
  const base = `http://127.0.0.1:${app.container.port()}`;
  try {
    const t0 = now();
    const seeded = seed(app.container.db, { sightings, end: Date.now(), seed: 7 });
    const seedS = ms(t0) / 1000;
    app.container.db.pragma('wal_checkpoint(TRUNCATE)');
    const get = async (path: string): Promise<number> => {
      const ts = now();
      const r = await fetch(base + path, { headers: { authorization: `Bearer ${key}` } });
      await r.arrayBuffer();
      const took = ms(ts);
      if (r.status !== 200) throw new Error(`${path} → ${r.status}`);
      return took;
    };
    const u = rng(3);
    const deep = Math.floor(seeded.identities / 2);
    const cases: { name: string; path: () => string; n: number; note: string }[] = [
      { name: 'GET /api/settings', path: () => '/api/settings', n: LIST_REQUESTS, note: 'baseline: HTTP + auth + JSON floor, same server' },
      { name: 'GET /api/identities', path: () => '/api/identities', n: LIST_REQUESTS, note: 'default page (100, most recently seen first)' },
      { name: 'GET /api/identities?min_sightings=3', path: () => `/api/identities?min_sightings=3&limit=50&offset=${Math.floor(u() * 1000)}`, n: LIST_REQUESTS, note: 'limit 50, offset 0–1000' },
      { name: 'GET /api/identities?named_only=true', path: () => '/api/identities?named_only=true', n: LIST_REQUESTS, note: `${seeded.named} named` },
      { name: 'GET /api/identities?object_class=person&limit=500', path: () => `/api/identities?object_class=person&limit=500&offset=${Math.floor(u() * deep)}`, n: LIST_REQUESTS, note: `limit 500, offset 0–${deep}` },
      { name: 'GET /api/identities/analytics', path: () => '/api/identities/analytics', n: ANALYTICS_REQUESTS, note: 'summary, by_camera dwell, 24 h by_hour, by_match_kind' },
    ];
    // Round robin, so load from the rest of the machine falls on every route alike.
    const times = cases.map(() => [] as number[]);
    for (const c of cases) for (let i = 0; i < 5; i++) await get(c.path());
    for (let round = 0; round < Math.max(...cases.map((c) => c.n)); round++) {
      for (const [k, c] of cases.entries()) if (round < c.n) times[k]?.push(await get(c.path()));
    }
    const at = `@ ${sightings >= 1000 ? `${Math.round(sightings / 1000)}k` : sightings} sightings`;
    const rows: BenchRow[] = [];
    let floor: { p50: number; p95: number } | null = null;
    for (const [k, c] of cases.entries()) {
      const p50 = percentile(times[k] ?? [], 50);
      const p95 = percentile(times[k] ?? [], 95);
      const r50: BenchRow = { name: `${c.name} p50 ${at}`, value: p50, unit: 'ms', note: `${c.n} requests; ${c.note}` };
      const r95: BenchRow = { name: `${c.name} p95 ${at}`, value: p95, unit: 'ms' };
      if (floor) {
        Object.assign(r50, { baseline: floor.p50, ratio: p50 / floor.p50 });
        Object.assign(r95, { baseline: floor.p95, ratio: p95 / floor.p95 });
      } else {
        floor = { p50, p95 };
        r50.note = `${r50.note}; seeded ${seeded.identities} identities / ${seeded.sightings} sightings on 8 cameras over 30 days in ${seedS.toFixed(1)} s`;
      }
      rows.push(r50, r95);
    }
    // What other requests wait while the dashboard is read: the longest event-loop block per analytics request.
    const live = heartbeat();
    const blocks: number[] = [];
    try {
      for (let i = 0; i < ANALYTICS_REQUESTS; i++) {
        live.reset();
        await get('/api/identities/analytics');
        blocks.push(live.max());
      }
    } finally {
      live.stop();
    }
    rows.push(
      { name: `GET /api/identities/analytics event-loop block p50 ${at}`, value: percentile(blocks, 50), unit: 'ms', note: `${ANALYTICS_REQUESTS} requests; longest synchronous stretch per request (its queries run one per event-loop turn)` },
      { name: `GET /api/identities/analytics event-loop block max ${at}`, value: Math.max(...blocks), unit: 'ms' },
    );
    return rows;
  } finally {
    await app.stop();
    t.remove();
  }
}

export async function run(): Promise<BenchRow[]> {
  const sizes = (process.env.IDENTITY_BENCH_SIZES ?? '10000,100000').split(',').map(Number).filter((n) => n > 0);
  const sightings = Number(process.env.IDENTITY_BENCH_SIGHTINGS ?? 100_000);
  const rows = await linkRows(sizes);
  if (sightings > 0) rows.push(...(await httpRows(sightings)));
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void run().then(printRows);
