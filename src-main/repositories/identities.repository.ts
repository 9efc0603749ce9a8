// Identities, their sightings (with link evidence), exemplars, presence segments and "never together" pairs in SQLite.
import type { Db } from './db/database';
import type { EventRow } from './events.repository';
import { decodeF32, encodeF32 } from './embedding-blob';

export type LinkKindValue = 'face' | 'appearance' | 'manual' | 'new';
export type ExemplarKind = 'face' | 'appearance';

export interface IdentityRow {
  id: number;
  name: string | null;
  is_named: number;
  notes: string | null;
  object_class: string;
  num_sightings: number;
  total_seconds: number;
  first_seen_ms: number | null;
  last_seen_ms: number | null;
  color: string | null;
  color_hex: string | null;
  make: string | null;
  vehicle_type: string | null;
  rep_sighting_id: number | null;
  face_sample_id: number | null;
  person_id: number | null;
  created_ms: number;
  updated_ms: number;
}

export interface IdentityFilter {
  named_only?: boolean;
  min_sightings?: number;
  object_class?: string;
}

export interface NewIdentity {
  object_class: string;
  name: string | null;
  is_named: boolean;
  notes: string | null;
  now: number;
}

export interface NewSightingRow {
  identity_id: number;
  camera_id: number;
  event_id: number | null;
  track_id: number | null;
  object_class: string;
  start_ms: number;
  end_ms: number;
  best_ms: number;
  best_score: number;
  /** [x, y, w, h], normalised. */
  best_box: [number, number, number, number];
  app_upper: Float32Array | null;
  app_lower: Float32Array | null;
  app_features: Float32Array | null;
  face_embedding: Float32Array | null;
  face_model: string | null;
  person_id: number | null;
  color: string | null;
  color_hex: string | null;
  link_kind: LinkKindValue;
  link_score: number | null;
  face_score: number | null;
  appearance_score: number | null;
  matched_sighting_id: number | null;
  gap_s: number | null;
  link_detail: string;
  created_ms: number;
}

/** A sighting as the API shows it (no vectors), with names and the sighting it matched as it is now. */
export interface SightingRow {
  id: number;
  identity_id: number;
  camera_id: number;
  camera_name: string | null;
  event_id: number | null;
  track_id: number | null;
  object_class: string;
  start_ms: number;
  end_ms: number;
  best_ms: number;
  best_score: number;
  /** JSON [x, y, w, h]. */
  best_box: string;
  /** Relative to the data root. */
  crop_path: string | null;
  person_id: number | null;
  person_name: string | null;
  color: string | null;
  color_hex: string | null;
  has_face: number;
  has_appearance: number;
  link_kind: LinkKindValue;
  link_score: number | null;
  face_score: number | null;
  appearance_score: number | null;
  matched_sighting_id: number | null;
  gap_s: number | null;
  link_detail: string;
  created_ms: number;
  m_identity_id: number | null;
  m_camera_id: number | null;
  m_camera_name: string | null;
  m_start_ms: number | null;
  m_end_ms: number | null;
}

/** The vectors of a sighting (auto split, exemplar refill). */
export interface SightingVectorsRow {
  id: number;
  start_ms: number;
  best_score: number;
  best_box: string;
  num_faces: number;
  face: Float32Array | null;
  face_model: string | null;
  upper: Float32Array | null;
  lower: Float32Array | null;
  features: Float32Array | null;
}

export interface ExemplarRow {
  id: number;
  identity_id: number;
  sighting_id: number;
  kind: ExemplarKind;
  quality: number;
  face: Float32Array | null;
  face_model: string | null;
  upper: Float32Array | null;
  lower: Float32Array | null;
  features: Float32Array | null;
}

export type NewExemplar = Omit<ExemplarRow, 'id'> & { created_ms: number };

export interface CandidateSightingRow {
  id: number;
  identity_id: number;
  camera_id: number;
  start_ms: number;
  end_ms: number;
  person_id: number | null;
  link_kind: LinkKindValue;
}

export interface IdentityFaceRow {
  sample_id: number;
  sighting_id: number;
  camera_id: number;
  camera_name: string | null;
  ts_ms: number;
  quality: number;
  label: string | null;
  person_id: number | null;
  person_name: string | null;
  has_crop: number;
}

/** An event an identity is linked to, with what the solo/shared rule needs. */
export interface TouchedEvent {
  id: number;
  camera_id: number | null;
  identity_id: number | null;
  ended_ms: number | null;
  retain: number;
  clip_path: string | null;
  thumb_path: string | null;
  sprite_path: string | null;
}

export interface AnalyticsRows {
  summary: { total: number; named: number; created_today: number; seen_today: number; seen_7d: number; total_sightings: number };
  by_camera: { camera_id: number; camera_name: string | null; sightings: number; identities: number; avg_dwell_ms: number | null }[];
  by_hour: { hour_ms: number; sightings: number; identities: number }[];
  by_match_kind: { link_kind: LinkKindValue; n: number }[];
}

export interface Counters {
  num_sightings: number;
  total_seconds: number;
  first_seen_ms: number | null;
  last_seen_ms: number | null;
}

export interface IdentitiesRepository {
  /** Runs `fn` in one transaction (nested calls become savepoints). */
  tx<T>(fn: () => T): T;
  create(i: NewIdentity): number;
  get(id: number): IdentityRow | undefined;
  /** In the order of `ids`; missing ones are left out. */
  getMany(ids: readonly number[]): IdentityRow[];
  /** Most recently seen first. */
  list(f: IdentityFilter, limit: number, offset: number): { total: number; items: IdentityRow[] };
  /** identity id → the cameras it was seen on (from its presence segments), by camera id. */
  camerasOf(ids: readonly number[]): Map<number, { id: number; name: string | null }[]>;
  exemplarCounts(id: number): { face: number; appearance: number };
  update(id: number, patch: { name?: string | null; notes?: string | null; is_named?: boolean }, now: number): boolean;
  /** Up to `limit` identity ids (optionally of one class), oldest first. */
  firstIds(objectClass: string | undefined, limit: number): number[];
  cameraExists(id: number): boolean;
  eventExists(id: number): boolean;

  insertSighting(s: NewSightingRow): number;
  /** Names the face samples of a sighting (only samples that exist). */
  addSightingFaces(sightingId: number, sampleIds: readonly number[]): void;
  setSightingCrop(id: number, path: string): boolean;
  sighting(id: number): SightingRow | undefined;
  /** Newest first. */
  sightings(identityId: number, limit: number, offset: number): { total: number; items: SightingRow[] };
  /** sighting id → its face sample ids, ascending. */
  faceSampleIdsOf(sightingIds: readonly number[]): Map<number, number[]>;
  /** Which of these sightings belong to the identity. */
  sightingIdsIn(identityId: number, ids: readonly number[]): number[];
  sightingVectors(identityId: number, limit: number): SightingVectorsRow[];
  /** Sightings of an identity with vectors of `kind` that are not exemplars yet, best score first. */
  exemplarCandidates(identityId: number, kind: ExemplarKind, limit: number): SightingVectorsRow[];
  /** The (camera, start, end) of every sighting of an identity, by camera then start. */
  intervals(identityId: number): { camera_id: number; start_ms: number; end_ms: number }[];

  /** num_sightings + 1, total/first/last widened by one sighting. */
  bumpCounters(identityId: number, startMs: number, endMs: number, now: number): void;
  /** Counters from the sightings as they are. */
  aggregate(identityId: number): Counters;
  setCounters(identityId: number, c: Counters, now: number): void;
  /**
   * Re-derives the representative crop, colour and person (each one indexed row), and the best face sample when
   * `face` is set (a scan of the identity's faces; addSighting passes its own samples instead).
   */
  refreshDerived(identityId: number, o: { face: boolean; color: boolean }): void;
  /** Makes `sampleIds`' best (quality, then lowest id) the identity's face thumbnail if it beats the current one. */
  offerFace(identityId: number, sampleIds: readonly number[]): void;
  /** Unions [start, end] into the identity's presence on a camera (segments within `gapMs` join). */
  addPresence(identityId: number, cameraId: number, startMs: number, endMs: number, gapMs: number): void;
  replacePresence(identityId: number, segments: readonly { camera_id: number; start_ms: number; end_ms: number }[]): void;
  /** Sets events.identity_id when the event exists and names no identity yet. */
  linkEvent(eventId: number, identityId: number): void;

  addExemplar(e: NewExemplar): number;
  /** Ids of the exemplars of a kind beyond the best `keep` (quality, then newest). */
  exemplarsBeyond(identityId: number, kind: ExemplarKind, keep: number): number[];
  deleteExemplars(ids: readonly number[]): void;
  exemplarsOf(identityIds: readonly number[]): ExemplarRow[];

  recentIdentities(objectClass: string, sinceMs: number, limit: number): IdentityRow[];
  /** Identities whose newest recognised sighting names this person, most recently seen first. */
  identitiesOfPerson(personId: number, limit: number): number[];
  /** Identities whose sightings captured any of these faces, newest seen first. */
  identitiesOfSamples(sampleIds: readonly number[], limit: number): number[];
  /** The newest sighting of each (identity, camera) among those ending at or after `sinceMs`; by identity, newest first. */
  recentSightingsOf(identityIds: readonly number[], sinceMs: number): CandidateSightingRow[];
  recentOnCamera(cameraId: number, objectClass: string, sinceMs: number, limit: number): CandidateSightingRow[];
  cameraIds(): number[];

  neverTogether(a: number, b: number): boolean;
  /** Inserts normalised pairs; returns the ones that were new. */
  addNever(pairs: readonly (readonly [number, number])[], now: number): [number, number][];
  /** Pairs of these identities (a < b) that hold a never-together pair of sightings. */
  neverIdentityPairs(identityIds: readonly number[]): [number, number][];
  /** Identities holding a sighting never to be together with this one. */
  neverIdentitiesOf(sightingId: number): number[];

  /**
   * The analytics aggregates, one query per step: the caller yields to the event loop between steps (at 100k
   * sightings the whole is about 100 ms, its largest query about 40 ms), so the figures may straddle a write. Returns
   * the rows when done.
   */
  analytics(objectClass: string, nowMs: number, dayStartMs: number): Generator<void, AnalyticsRows>;
  /** Events linked to the identity directly or through its sightings, newest first. */
  events(identityId: number, limit: number, offset: number): { total: number; items: EventRow[] };
  /** Face samples of the identity's sightings, newest first. */
  faces(identityId: number, limit: number, offset: number): { total: number; items: IdentityFaceRow[] };

  /** Events linked to these identities directly or through their sightings. */
  touchedEvents(identityIds: readonly number[]): TouchedEvent[];
  /** event id → the identities whose sightings or direct link name it. */
  eventSubjects(eventIds: readonly number[]): Map<number, Set<number>>;
  /** Face samples named by these identities' sightings, with their crops. */
  facesOfIdentities(identityIds: readonly number[]): { id: number; crop_path: string | null }[];
  /** Crops of these identities' sightings kept outside the identity's own folder (identities/<id>/). */
  strayCrops(identityIds: readonly number[]): string[];
  /** Events naming `fromId` that only sightings of `toId` now reference (a split's events follow their sightings). */
  eventsFollowing(fromId: number, toId: number): number[];
  /** The best-scored sightings of an identity. */
  topScored(identityId: number, limit: number): { id: number; best_score: number }[];
  /** Moves every sighting of one identity to another (undoing a split that was followed by new sightings). */
  reassignSightings(fromId: number, toId: number): number;
  deletePresenceOf(identityIds: readonly number[]): void;
  deleteCameraPresence(cameraId: number): void;
  /** Deletes identity rows (sightings, exemplars, presence and never pairs cascade; events are detached). */
  deleteIdentities(ids: readonly number[]): number;

  sightingsOfCamera(cameraId: number, limit: number): { id: number; identity_id: number; crop_path: string | null }[];
  deleteSightings(ids: readonly number[]): void;
  /** Of these identities, the ones without sightings. */
  withoutSightings(ids: readonly number[]): number[];
}

const ids = (list: readonly number[]): string => JSON.stringify(list);
const blob = (v: Float32Array | null): Buffer | null => (v ? encodeF32(v) : null);
const vec = (b: Buffer | null): Float32Array | null => (b ? decodeF32(b) : null);

const SIGHTING_SELECT = `SELECT s.id, s.identity_id, s.camera_id, c.name AS camera_name, s.event_id, s.track_id, s.object_class, s.start_ms, s.end_ms,
  s.best_ms, s.best_score, s.best_box, s.crop_path, s.person_id, p.name AS person_name, s.color, s.color_hex,
  (s.face_embedding IS NOT NULL) AS has_face, (s.app_upper IS NOT NULL) AS has_appearance,
  s.link_kind, s.link_score, s.face_score, s.appearance_score, s.matched_sighting_id, s.gap_s, s.link_detail, s.created_ms,
  m.identity_id AS m_identity_id, m.camera_id AS m_camera_id, mc.name AS m_camera_name, m.start_ms AS m_start_ms, m.end_ms AS m_end_ms
  FROM sightings s LEFT JOIN cameras c ON c.id = s.camera_id LEFT JOIN people p ON p.id = s.person_id
  LEFT JOIN sightings m ON m.id = s.matched_sighting_id LEFT JOIN cameras mc ON mc.id = m.camera_id`;

type RawVectors = Omit<SightingVectorsRow, 'face' | 'upper' | 'lower' | 'features'> & { face: Buffer | null; upper: Buffer | null; lower: Buffer | null; features: Buffer | null };
const toVectors = (r: RawVectors): SightingVectorsRow => ({ ...r, face: vec(r.face), upper: vec(r.upper), lower: vec(r.lower), features: vec(r.features) });
const VECTORS_SELECT = `SELECT s.id, s.start_ms, s.best_score, s.best_box, (SELECT COUNT(*) FROM sighting_faces sf WHERE sf.sighting_id = s.id) AS num_faces,
  s.face_embedding AS face, s.face_model, s.app_upper AS upper, s.app_lower AS lower, s.app_features AS features FROM sightings s`;

function filterSql(f: IdentityFilter): { sql: string; args: Record<string, unknown> } {
  const c: string[] = [];
  if (f.named_only) c.push('is_named = 1');
  if (f.min_sightings !== undefined && f.min_sightings > 0) c.push('num_sightings >= @min_sightings');
  if (f.object_class !== undefined) c.push('object_class = @object_class');
  return { sql: c.length ? `WHERE ${c.join(' AND ')}` : '', args: { min_sightings: f.min_sightings ?? 0, object_class: f.object_class ?? null } };
}

export class SqliteIdentitiesRepository implements IdentitiesRepository {
  constructor(private readonly db: Db) {}

  tx<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  create(i: NewIdentity): number {
    return Number(
      this.db
        .prepare('INSERT INTO identities (name, is_named, notes, object_class, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?)')
        .run(i.name, i.is_named ? 1 : 0, i.notes, i.object_class, i.now, i.now).lastInsertRowid,
    );
  }

  get(id: number): IdentityRow | undefined {
    return this.db.prepare('SELECT * FROM identities WHERE id = ?').get(id) as IdentityRow | undefined;
  }

  getMany(list: readonly number[]): IdentityRow[] {
    if (!list.length) return [];
    const rows = this.db.prepare('SELECT * FROM identities WHERE id IN (SELECT value FROM json_each(?))').all(ids(list)) as IdentityRow[];
    const byId = new Map(rows.map((r) => [r.id, r]));
    return list.map((id) => byId.get(id)).filter((r): r is IdentityRow => r !== undefined);
  }

  list(f: IdentityFilter, limit: number, offset: number): { total: number; items: IdentityRow[] } {
    const w = filterSql(f);
    const total = this.db.prepare(`SELECT COUNT(*) FROM identities ${w.sql}`).pluck().get(w.args) as number;
    const items = this.db.prepare(`SELECT * FROM identities ${w.sql} ORDER BY last_seen_ms DESC, id DESC LIMIT @limit OFFSET @offset`).all({ ...w.args, limit, offset }) as IdentityRow[];
    return { total, items };
  }

  camerasOf(list: readonly number[]): Map<number, { id: number; name: string | null }[]> {
    const out = new Map<number, { id: number; name: string | null }[]>();
    if (!list.length) return out;
    const rows = this.db
      .prepare(
        `SELECT p.identity_id, p.camera_id, c.name FROM (SELECT DISTINCT identity_id, camera_id FROM presence_segments WHERE identity_id IN (SELECT value FROM json_each(?))) p
         LEFT JOIN cameras c ON c.id = p.camera_id ORDER BY p.identity_id, p.camera_id`,
      )
      .all(ids(list)) as { identity_id: number; camera_id: number; name: string | null }[];
    for (const r of rows) {
      const l = out.get(r.identity_id) ?? [];
      l.push({ id: r.camera_id, name: r.name });
      out.set(r.identity_id, l);
    }
    return out;
  }

  exemplarCounts(id: number): { face: number; appearance: number } {
    const rows = this.db.prepare('SELECT kind, COUNT(*) AS n FROM identity_exemplars WHERE identity_id = ? GROUP BY kind').all(id) as { kind: ExemplarKind; n: number }[];
    return { face: rows.find((r) => r.kind === 'face')?.n ?? 0, appearance: rows.find((r) => r.kind === 'appearance')?.n ?? 0 };
  }

  update(id: number, patch: { name?: string | null; notes?: string | null; is_named?: boolean }, now: number): boolean {
    const sets: string[] = ['updated_ms = @now'];
    if (patch.name !== undefined) sets.push('name = @name');
    if (patch.notes !== undefined) sets.push('notes = @notes');
    if (patch.is_named !== undefined) sets.push('is_named = @is_named');
    return (
      this.db
        .prepare(`UPDATE identities SET ${sets.join(', ')} WHERE id = @id`)
        .run({ id, now, name: patch.name ?? null, notes: patch.notes ?? null, is_named: patch.is_named ? 1 : 0 }).changes > 0
    );
  }

  firstIds(objectClass: string | undefined, limit: number): number[] {
    if (objectClass === undefined) return this.db.prepare('SELECT id FROM identities ORDER BY id LIMIT ?').pluck().all(limit) as number[];
    return this.db.prepare('SELECT id FROM identities WHERE object_class = ? ORDER BY id LIMIT ?').pluck().all(objectClass, limit) as number[];
  }

  cameraExists(id: number): boolean {
    return this.db.prepare('SELECT 1 FROM cameras WHERE id = ?').get(id) !== undefined;
  }

  eventExists(id: number): boolean {
    return this.db.prepare('SELECT 1 FROM events WHERE id = ?').get(id) !== undefined;
  }

  insertSighting(s: NewSightingRow): number {
    return Number(
      this.db
        .prepare(
          `INSERT INTO sightings (identity_id, camera_id, event_id, track_id, object_class, start_ms, end_ms, best_ms, best_score, best_box,
             app_upper, app_lower, app_features, face_embedding, face_model, person_id, color, color_hex,
             link_kind, link_score, face_score, appearance_score, matched_sighting_id, gap_s, link_detail, created_ms)
           VALUES (@identity_id, @camera_id, (SELECT id FROM events WHERE id = @event_id), @track_id, @object_class, @start_ms, @end_ms, @best_ms, @best_score, @best_box,
             @app_upper, @app_lower, @app_features, @face_embedding, @face_model, (SELECT id FROM people WHERE id = @person_id), @color, @color_hex,
             @link_kind, @link_score, @face_score, @appearance_score, @matched_sighting_id, @gap_s, @link_detail, @created_ms)`,
        )
        .run({
          ...s,
          best_box: JSON.stringify(s.best_box),
          app_upper: blob(s.app_upper),
          app_lower: blob(s.app_lower),
          app_features: blob(s.app_features),
          face_embedding: blob(s.face_embedding),
        }).lastInsertRowid,
    );
  }

  addSightingFaces(sightingId: number, sampleIds: readonly number[]): void {
    if (!sampleIds.length) return;
    this.db.prepare('INSERT OR IGNORE INTO sighting_faces (sighting_id, sample_id) SELECT ?, id FROM face_samples WHERE id IN (SELECT value FROM json_each(?))').run(sightingId, ids(sampleIds));
  }

  setSightingCrop(id: number, path: string): boolean {
    return this.db.prepare('UPDATE sightings SET crop_path = ? WHERE id = ?').run(path, id).changes > 0;
  }

  sighting(id: number): SightingRow | undefined {
    return this.db.prepare(`${SIGHTING_SELECT} WHERE s.id = ?`).get(id) as SightingRow | undefined;
  }

  sightings(identityId: number, limit: number, offset: number): { total: number; items: SightingRow[] } {
    const total = this.db.prepare('SELECT COUNT(*) FROM sightings WHERE identity_id = ?').pluck().get(identityId) as number;
    const items = this.db.prepare(`${SIGHTING_SELECT} WHERE s.identity_id = ? ORDER BY s.start_ms DESC, s.id DESC LIMIT ? OFFSET ?`).all(identityId, limit, offset) as SightingRow[];
    return { total, items };
  }

  faceSampleIdsOf(sightingIds: readonly number[]): Map<number, number[]> {
    const out = new Map<number, number[]>();
    if (!sightingIds.length) return out;
    const rows = this.db
      .prepare('SELECT sighting_id, sample_id FROM sighting_faces WHERE sighting_id IN (SELECT value FROM json_each(?)) ORDER BY sighting_id, sample_id')
      .all(ids(sightingIds)) as { sighting_id: number; sample_id: number }[];
    for (const r of rows) {
      const l = out.get(r.sighting_id) ?? [];
      l.push(r.sample_id);
      out.set(r.sighting_id, l);
    }
    return out;
  }

  sightingIdsIn(identityId: number, list: readonly number[]): number[] {
    if (!list.length) return [];
    return this.db.prepare('SELECT id FROM sightings WHERE identity_id = ? AND id IN (SELECT value FROM json_each(?)) ORDER BY id').pluck().all(identityId, ids(list)) as number[];
  }

  sightingVectors(identityId: number, limit: number): SightingVectorsRow[] {
    return (this.db.prepare(`${VECTORS_SELECT} WHERE s.identity_id = ? ORDER BY s.start_ms DESC, s.id DESC LIMIT ?`).all(identityId, limit) as RawVectors[]).map(toVectors);
  }

  exemplarCandidates(identityId: number, kind: ExemplarKind, limit: number): SightingVectorsRow[] {
    const has = kind === 'face' ? 's.face_embedding IS NOT NULL' : 's.app_upper IS NOT NULL';
    return (
      this.db
        .prepare(`${VECTORS_SELECT} WHERE s.identity_id = ? AND ${has} AND NOT EXISTS (SELECT 1 FROM identity_exemplars e WHERE e.sighting_id = s.id AND e.kind = ?) ORDER BY s.best_score DESC, s.id LIMIT ?`)
        .all(identityId, kind, limit) as RawVectors[]
    ).map(toVectors);
  }

  intervals(identityId: number): { camera_id: number; start_ms: number; end_ms: number }[] {
    return this.db.prepare('SELECT camera_id, start_ms, end_ms FROM sightings WHERE identity_id = ? ORDER BY camera_id, start_ms, end_ms').all(identityId) as { camera_id: number; start_ms: number; end_ms: number }[];
  }

  bumpCounters(identityId: number, startMs: number, endMs: number, now: number): void {
    this.db
      .prepare(
        `UPDATE identities SET num_sightings = num_sightings + 1,
           total_seconds = (CAST(ROUND(total_seconds * 1000) AS INTEGER) + @dur) / 1000.0,
           first_seen_ms = MIN(COALESCE(first_seen_ms, @start), @start), last_seen_ms = MAX(COALESCE(last_seen_ms, @end), @end), updated_ms = @now
         WHERE id = @id`,
      )
      .run({ id: identityId, dur: endMs - startMs, start: startMs, end: endMs, now });
  }

  aggregate(identityId: number): Counters {
    const r = this.db
      .prepare('SELECT COUNT(*) AS n, COALESCE(SUM(end_ms - start_ms), 0) AS dur, MIN(start_ms) AS first, MAX(end_ms) AS last FROM sightings WHERE identity_id = ?')
      .get(identityId) as { n: number; dur: number; first: number | null; last: number | null };
    return { num_sightings: r.n, total_seconds: r.dur / 1000, first_seen_ms: r.first, last_seen_ms: r.last };
  }

  setCounters(identityId: number, c: Counters, now: number): void {
    this.db
      .prepare('UPDATE identities SET num_sightings = @num_sightings, total_seconds = @total_seconds, first_seen_ms = @first_seen_ms, last_seen_ms = @last_seen_ms, updated_ms = @now WHERE id = @id')
      .run({ ...c, id: identityId, now });
  }

  refreshDerived(identityId: number, o: { face: boolean; color: boolean }): void {
    const sets = [
      'rep_sighting_id = (SELECT id FROM sightings WHERE identity_id = @id AND crop_path IS NOT NULL ORDER BY best_score DESC, id LIMIT 1)',
      'person_id = (SELECT person_id FROM sightings WHERE identity_id = @id AND person_id IS NOT NULL ORDER BY end_ms DESC, id DESC LIMIT 1)',
    ];
    if (o.color) {
      sets.push('color = (SELECT color FROM sightings WHERE identity_id = @id AND color IS NOT NULL ORDER BY best_score DESC, id LIMIT 1)');
      sets.push('color_hex = (SELECT color_hex FROM sightings WHERE identity_id = @id AND color IS NOT NULL ORDER BY best_score DESC, id LIMIT 1)');
    }
    if (o.face) {
      sets.push(
        `face_sample_id = (SELECT f.id FROM sightings s JOIN sighting_faces sf ON sf.sighting_id = s.id JOIN face_samples f ON f.id = sf.sample_id
           WHERE s.identity_id = @id ORDER BY f.quality DESC, f.id LIMIT 1)`,
      );
    }
    this.db.prepare(`UPDATE identities SET ${sets.join(', ')} WHERE id = @id`).run({ id: identityId });
  }

  offerFace(identityId: number, sampleIds: readonly number[]): void {
    if (!sampleIds.length) return;
    const best = this.db.prepare('SELECT id, quality FROM face_samples WHERE id IN (SELECT value FROM json_each(?)) ORDER BY quality DESC, id LIMIT 1').get(ids(sampleIds)) as { id: number; quality: number } | undefined;
    if (!best) return;
    const cur = this.db.prepare('SELECT f.id, f.quality FROM identities i JOIN face_samples f ON f.id = i.face_sample_id WHERE i.id = ?').get(identityId) as { id: number; quality: number } | undefined;
    if (cur && (cur.quality > best.quality || (cur.quality === best.quality && cur.id <= best.id))) return;
    this.db.prepare('UPDATE identities SET face_sample_id = ? WHERE id = ?').run(best.id, identityId);
  }

  addPresence(identityId: number, cameraId: number, startMs: number, endMs: number, gapMs: number): void {
    const near = this.db
      .prepare('SELECT id, start_ms, end_ms FROM presence_segments WHERE identity_id = ? AND camera_id = ? AND end_ms >= ? AND start_ms <= ? ORDER BY start_ms, id')
      .all(identityId, cameraId, startMs - gapMs, endMs + gapMs) as { id: number; start_ms: number; end_ms: number }[];
    const first = near[0];
    if (!first) {
      this.db.prepare('INSERT INTO presence_segments (identity_id, camera_id, start_ms, end_ms) VALUES (?, ?, ?, ?)').run(identityId, cameraId, startMs, endMs);
      return;
    }
    const start = Math.min(startMs, ...near.map((r) => r.start_ms));
    const end = Math.max(endMs, ...near.map((r) => r.end_ms));
    this.db.prepare('UPDATE presence_segments SET start_ms = ?, end_ms = ? WHERE id = ?').run(start, end, first.id);
    if (near.length > 1) this.db.prepare('DELETE FROM presence_segments WHERE id IN (SELECT value FROM json_each(?))').run(ids(near.slice(1).map((r) => r.id)));
  }

  replacePresence(identityId: number, segments: readonly { camera_id: number; start_ms: number; end_ms: number }[]): void {
    this.db.prepare('DELETE FROM presence_segments WHERE identity_id = ?').run(identityId);
    const ins = this.db.prepare('INSERT INTO presence_segments (identity_id, camera_id, start_ms, end_ms) VALUES (?, ?, ?, ?)');
    for (const s of segments) ins.run(identityId, s.camera_id, s.start_ms, s.end_ms);
  }

  linkEvent(eventId: number, identityId: number): void {
    this.db.prepare('UPDATE events SET identity_id = ? WHERE id = ? AND identity_id IS NULL').run(identityId, eventId);
  }

  addExemplar(e: NewExemplar): number {
    return Number(
      this.db
      .prepare(
        `INSERT OR REPLACE INTO identity_exemplars (identity_id, sighting_id, kind, quality, face, face_model, upper, lower, features, created_ms)
         VALUES (@identity_id, @sighting_id, @kind, @quality, @face, @face_model, @upper, @lower, @features, @created_ms)`,
      )
      .run({ ...e, face: blob(e.face), upper: blob(e.upper), lower: blob(e.lower), features: blob(e.features) }).lastInsertRowid,
    );
  }

  exemplarsBeyond(identityId: number, kind: ExemplarKind, keep: number): number[] {
    return this.db.prepare('SELECT id FROM identity_exemplars WHERE identity_id = ? AND kind = ? ORDER BY quality DESC, id DESC LIMIT -1 OFFSET ?').pluck().all(identityId, kind, keep) as number[];
  }

  deleteExemplars(list: readonly number[]): void {
    if (list.length) this.db.prepare('DELETE FROM identity_exemplars WHERE id IN (SELECT value FROM json_each(?))').run(ids(list));
  }

  exemplarsOf(identityIds: readonly number[]): ExemplarRow[] {
    if (!identityIds.length) return [];
    const rows = this.db
      .prepare('SELECT id, identity_id, sighting_id, kind, quality, face, face_model, upper, lower, features FROM identity_exemplars WHERE identity_id IN (SELECT value FROM json_each(?)) ORDER BY identity_id, kind, quality DESC, id DESC')
      .all(ids(identityIds)) as (Omit<ExemplarRow, 'face' | 'upper' | 'lower' | 'features'> & { face: Buffer | null; upper: Buffer | null; lower: Buffer | null; features: Buffer | null })[];
    return rows.map((r) => ({ ...r, face: vec(r.face), upper: vec(r.upper), lower: vec(r.lower), features: vec(r.features) }));
  }

  recentIdentities(objectClass: string, sinceMs: number, limit: number): IdentityRow[] {
    return this.db.prepare('SELECT * FROM identities WHERE object_class = ? AND last_seen_ms >= ? ORDER BY last_seen_ms DESC, id DESC LIMIT ?').all(objectClass, sinceMs, limit) as IdentityRow[];
  }

  identitiesOfPerson(personId: number, limit: number): number[] {
    return this.db.prepare('SELECT id FROM identities WHERE person_id = ? ORDER BY last_seen_ms DESC, id DESC LIMIT ?').pluck().all(personId, limit) as number[];
  }

  identitiesOfSamples(sampleIds: readonly number[], limit: number): number[] {
    if (!sampleIds.length) return [];
    return this.db
      .prepare(
        `SELECT i.id FROM identities i WHERE i.id IN (
           SELECT s.identity_id FROM sighting_faces f JOIN sightings s ON s.id = f.sighting_id WHERE f.sample_id IN (SELECT value FROM json_each(?)))
         ORDER BY i.last_seen_ms DESC, i.id DESC LIMIT ?`,
      )
      .pluck()
      .all(ids(sampleIds), limit) as number[];
  }

  recentSightingsOf(identityIds: readonly number[], sinceMs: number): CandidateSightingRow[] {
    if (!identityIds.length) return [];
    return this.db
      .prepare(
        `SELECT id, identity_id, camera_id, start_ms, end_ms, person_id, link_kind FROM (
           SELECT s.id, s.identity_id, s.camera_id, s.start_ms, s.end_ms, s.person_id, s.link_kind,
             ROW_NUMBER() OVER (PARTITION BY s.identity_id, s.camera_id ORDER BY s.end_ms DESC, s.id DESC) AS rn
           FROM json_each(?) j JOIN sightings s ON s.identity_id = j.value AND s.end_ms >= ?)
         WHERE rn = 1 ORDER BY identity_id, end_ms DESC, id DESC`,
      )
      .all(ids(identityIds), sinceMs) as CandidateSightingRow[];
  }

  recentOnCamera(cameraId: number, objectClass: string, sinceMs: number, limit: number): CandidateSightingRow[] {
    return this.db
      .prepare('SELECT id, identity_id, camera_id, start_ms, end_ms, person_id, link_kind FROM sightings WHERE camera_id = ? AND end_ms >= ? AND object_class = ? ORDER BY end_ms DESC, id DESC LIMIT ?')
      .all(cameraId, sinceMs, objectClass, limit) as CandidateSightingRow[];
  }

  cameraIds(): number[] {
    return this.db.prepare('SELECT id FROM cameras ORDER BY id').pluck().all() as number[];
  }

  neverTogether(a: number, b: number): boolean {
    if (a === b) return false;
    return this.db.prepare('SELECT 1 FROM identity_never WHERE sighting_a = ? AND sighting_b = ?').get(Math.min(a, b), Math.max(a, b)) !== undefined;
  }

  addNever(pairs: readonly (readonly [number, number])[], now: number): [number, number][] {
    const ins = this.db.prepare('INSERT OR IGNORE INTO identity_never (sighting_a, sighting_b, created_ms) SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM sightings WHERE id = ?) AND EXISTS (SELECT 1 FROM sightings WHERE id = ?)');
    const added: [number, number][] = [];
    for (const [x, y] of pairs) {
      if (x === y) continue;
      const a = Math.min(x, y);
      const b = Math.max(x, y);
      if (ins.run(a, b, now, a, b).changes > 0) added.push([a, b]);
    }
    return added;
  }

  neverIdentityPairs(identityIds: readonly number[]): [number, number][] {
    if (identityIds.length < 2) return [];
    const rows = this.db
      .prepare(
        `WITH ids AS (SELECT value AS id FROM json_each(@ids)),
         mine AS (SELECT s.id, s.identity_id FROM sightings s JOIN ids ON s.identity_id = ids.id)
         SELECT DISTINCT MIN(a.identity_id, b.identity_id) AS x, MAX(a.identity_id, b.identity_id) AS y
         FROM identity_never n JOIN mine a ON a.id = n.sighting_a JOIN mine b ON b.id = n.sighting_b
         WHERE a.identity_id != b.identity_id ORDER BY x, y`,
      )
      .all({ ids: ids(identityIds) }) as { x: number; y: number }[];
    return rows.map((r) => [r.x, r.y]);
  }

  neverIdentitiesOf(sightingId: number): number[] {
    return this.db
      .prepare(
        `SELECT DISTINCT s.identity_id FROM (SELECT sighting_b AS other FROM identity_never WHERE sighting_a = @id UNION SELECT sighting_a FROM identity_never WHERE sighting_b = @id) n
         JOIN sightings s ON s.id = n.other ORDER BY s.identity_id`,
      )
      .pluck()
      .all({ id: sightingId }) as number[];
  }

  *analytics(objectClass: string, nowMs: number, dayStartMs: number): Generator<void, AnalyticsRows> {
    const summary = this.db
      .prepare(
        `SELECT COUNT(*) AS total, COALESCE(SUM(is_named), 0) AS named,
           COALESCE(SUM(created_ms >= @day), 0) AS created_today, COALESCE(SUM(last_seen_ms >= @day), 0) AS seen_today,
           COALESCE(SUM(last_seen_ms >= @week), 0) AS seen_7d, COALESCE(SUM(num_sightings), 0) AS total_sightings
         FROM identities WHERE object_class = @cls`,
      )
      .get({ cls: objectClass, day: dayStartMs, week: nowMs - 7 * 86_400_000 }) as AnalyticsRows['summary'];
    yield;
    const counts = this.db
      .prepare('SELECT camera_id, COUNT(*) AS sightings, COUNT(DISTINCT identity_id) AS identities FROM sightings WHERE object_class = ? GROUP BY camera_id')
      .all(objectClass) as { camera_id: number; sightings: number; identities: number }[];
    yield;
    const dwell = this.db
      .prepare('SELECT p.camera_id, AVG(p.end_ms - p.start_ms) AS avg_dwell_ms FROM presence_segments p JOIN identities i ON i.id = p.identity_id WHERE i.object_class = ? GROUP BY p.camera_id')
      .all(objectClass) as { camera_id: number; avg_dwell_ms: number | null }[];
    yield;
    const names = new Map((this.db.prepare('SELECT id, name FROM cameras').all() as { id: number; name: string }[]).map((c) => [c.id, c.name]));
    const dwellBy = new Map(dwell.map((d) => [d.camera_id, d.avg_dwell_ms]));
    const by_camera = counts.map((c) => ({ ...c, camera_name: names.get(c.camera_id) ?? null, avg_dwell_ms: dwellBy.get(c.camera_id) ?? null }));
    const from = Math.floor(nowMs / 3_600_000) * 3_600_000 - 23 * 3_600_000;
    const by_hour = this.db
      .prepare(
        `SELECT (start_ms / 3600000) * 3600000 AS hour_ms, COUNT(*) AS sightings, COUNT(DISTINCT identity_id) AS identities
         FROM sightings WHERE object_class = ? AND start_ms >= ? AND start_ms <= ? GROUP BY hour_ms ORDER BY hour_ms`,
      )
      .all(objectClass, from, nowMs) as AnalyticsRows['by_hour'];
    yield;
    const by_match_kind = this.db.prepare('SELECT link_kind, COUNT(*) AS n FROM sightings WHERE object_class = ? GROUP BY link_kind').all(objectClass) as AnalyticsRows['by_match_kind'];
    return { summary, by_camera, by_hour, by_match_kind };
  }

  events(identityId: number, limit: number, offset: number): { total: number; items: EventRow[] } {
    const linked = 'SELECT event_id FROM sightings WHERE identity_id = @id AND event_id IS NOT NULL UNION SELECT id FROM events WHERE identity_id = @id';
    const total = this.db.prepare(`SELECT COUNT(*) FROM (${linked})`).pluck().get({ id: identityId }) as number;
    const items = this.db.prepare(`SELECT * FROM events WHERE id IN (${linked}) ORDER BY started_ms DESC, id DESC LIMIT @limit OFFSET @offset`).all({ id: identityId, limit, offset }) as EventRow[];
    return { total, items };
  }

  faces(identityId: number, limit: number, offset: number): { total: number; items: IdentityFaceRow[] } {
    const total = this.db.prepare('SELECT COUNT(*) FROM sightings s JOIN sighting_faces sf ON sf.sighting_id = s.id WHERE s.identity_id = ?').pluck().get(identityId) as number;
    const items = this.db
      .prepare(
        `SELECT f.id AS sample_id, s.id AS sighting_id, f.camera_id, c.name AS camera_name, f.ts_ms, f.quality, f.label, f.person_id, p.name AS person_name,
           (f.crop_path IS NOT NULL) AS has_crop
         FROM sightings s JOIN sighting_faces sf ON sf.sighting_id = s.id JOIN face_samples f ON f.id = sf.sample_id
         LEFT JOIN cameras c ON c.id = f.camera_id LEFT JOIN people p ON p.id = f.person_id
         WHERE s.identity_id = ? ORDER BY f.ts_ms DESC, f.id DESC LIMIT ? OFFSET ?`,
      )
      .all(identityId, limit, offset) as IdentityFaceRow[];
    return { total, items };
  }

  touchedEvents(identityIds: readonly number[]): TouchedEvent[] {
    if (!identityIds.length) return [];
    return this.db
      .prepare(
        `WITH ids AS (SELECT value AS id FROM json_each(@ids))
         SELECT id, camera_id, identity_id, ended_ms, retain, clip_path, thumb_path, sprite_path FROM events WHERE id IN (
           SELECT s.event_id FROM sightings s JOIN ids ON s.identity_id = ids.id WHERE s.event_id IS NOT NULL
           UNION SELECT e.id FROM events e JOIN ids ON e.identity_id = ids.id)
         ORDER BY id`,
      )
      .all({ ids: ids(identityIds) }) as TouchedEvent[];
  }

  eventSubjects(eventIds: readonly number[]): Map<number, Set<number>> {
    const out = new Map<number, Set<number>>();
    if (!eventIds.length) return out;
    const rows = this.db
      .prepare(
        `WITH ev AS (SELECT value AS id FROM json_each(@ids))
         SELECT s.event_id AS event_id, s.identity_id AS identity_id FROM sightings s JOIN ev ON s.event_id = ev.id
         UNION SELECT e.id, e.identity_id FROM events e JOIN ev ON e.id = ev.id WHERE e.identity_id IS NOT NULL`,
      )
      .all({ ids: ids(eventIds) }) as { event_id: number; identity_id: number }[];
    for (const r of rows) {
      const set = out.get(r.event_id) ?? new Set<number>();
      set.add(r.identity_id);
      out.set(r.event_id, set);
    }
    return out;
  }

  facesOfIdentities(identityIds: readonly number[]): { id: number; crop_path: string | null }[] {
    if (!identityIds.length) return [];
    return this.db
      .prepare(
        `SELECT DISTINCT f.id, f.crop_path FROM json_each(?) j JOIN sightings s ON s.identity_id = j.value
         JOIN sighting_faces sf ON sf.sighting_id = s.id JOIN face_samples f ON f.id = sf.sample_id ORDER BY f.id`,
      )
      .all(ids(identityIds)) as { id: number; crop_path: string | null }[];
  }

  strayCrops(identityIds: readonly number[]): string[] {
    if (!identityIds.length) return [];
    return this.db
      .prepare(
        `SELECT s.crop_path FROM json_each(?) j JOIN sightings s ON s.identity_id = j.value
         WHERE s.crop_path IS NOT NULL AND substr(s.crop_path, 1, length('identities/' || s.identity_id || '/')) != 'identities/' || s.identity_id || '/'`,
      )
      .pluck()
      .all(ids(identityIds)) as string[];
  }

  eventsFollowing(fromId: number, toId: number): number[] {
    return this.db
      .prepare(
        `SELECT e.id FROM events e WHERE e.identity_id = @from
           AND e.id IN (SELECT event_id FROM sightings WHERE identity_id = @to AND event_id IS NOT NULL)
           AND NOT EXISTS (SELECT 1 FROM sightings s WHERE s.event_id = e.id AND s.identity_id = @from) ORDER BY e.id`,
      )
      .pluck()
      .all({ from: fromId, to: toId }) as number[];
  }

  topScored(identityId: number, limit: number): { id: number; best_score: number }[] {
    return this.db.prepare('SELECT id, best_score FROM sightings WHERE identity_id = ? ORDER BY best_score DESC, id LIMIT ?').all(identityId, limit) as { id: number; best_score: number }[];
  }

  reassignSightings(fromId: number, toId: number): number {
    return this.db.prepare('UPDATE sightings SET identity_id = ? WHERE identity_id = ?').run(toId, fromId).changes;
  }

  deletePresenceOf(identityIds: readonly number[]): void {
    if (identityIds.length) this.db.prepare('DELETE FROM presence_segments WHERE identity_id IN (SELECT value FROM json_each(?))').run(ids(identityIds));
  }

  deleteCameraPresence(cameraId: number): void {
    this.db.prepare('DELETE FROM presence_segments WHERE camera_id = ?').run(cameraId);
  }

  deleteIdentities(list: readonly number[]): number {
    if (!list.length) return 0;
    return this.db.prepare('DELETE FROM identities WHERE id IN (SELECT value FROM json_each(?))').run(ids(list)).changes;
  }

  sightingsOfCamera(cameraId: number, limit: number): { id: number; identity_id: number; crop_path: string | null }[] {
    return this.db.prepare('SELECT id, identity_id, crop_path FROM sightings WHERE camera_id = ? ORDER BY id LIMIT ?').all(cameraId, limit) as { id: number; identity_id: number; crop_path: string | null }[];
  }

  deleteSightings(list: readonly number[]): void {
    if (list.length) this.db.prepare('DELETE FROM sightings WHERE id IN (SELECT value FROM json_each(?))').run(ids(list));
  }

  withoutSightings(list: readonly number[]): number[] {
    if (!list.length) return [];
    return this.db
      .prepare('SELECT i.id FROM identities i WHERE i.id IN (SELECT value FROM json_each(?)) AND NOT EXISTS (SELECT 1 FROM sightings s WHERE s.identity_id = i.id) ORDER BY i.id')
      .pluck()
      .all(ids(list)) as number[];
  }
}
