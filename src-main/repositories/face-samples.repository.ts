// Captured face samples, "not this person" feedback and the event overlap face groups resolve clips by, in SQLite.
import type { Db } from './db/database';
import { decodeF32, encodeF32 } from './embedding-blob';

export type Box4 = [number, number, number, number];

export interface FaceSampleRow {
  id: number;
  camera_id: number;
  camera_name: string | null;
  ts_ms: number;
  track_id: number | null;
  event_id: number | null;
  dim: number;
  model: string;
  quality: number;
  /** Relative to the data root. */
  crop_path: string | null;
  label: string | null;
  person_id: number | null;
  person_name: string | null;
  similarity: number | null;
  /** JSON [x, y, w, h], normalised. */
  box: string | null;
  created_at: string;
}

export interface NewFaceSample {
  camera_id: number;
  ts_ms: number;
  track_id: number | null;
  event_id: number | null;
  embedding: Float32Array;
  model: string;
  quality: number;
  crop_path: string | null;
  box: Box4 | null;
  clothing: Float32Array | null;
}

/** A sample with its vectors, for clustering and search. */
export interface SampleVectorRow {
  id: number;
  camera_id: number;
  ts_ms: number;
  track_id: number | null;
  quality: number;
  label: string | null;
  embedding: Float32Array;
  clothing: Float32Array | null;
}

export interface SampleFilter {
  camera_id?: number;
  from_ms?: number;
  to_ms?: number;
  label?: string;
}

export interface FaceSamplesRepository {
  insert(s: NewFaceSample): number;
  setCropPath(id: number, path: string): void;
  get(id: number): FaceSampleRow | undefined;
  /** In the order of `ids`; missing ones are left out. */
  getMany(ids: readonly number[]): FaceSampleRow[];
  /** The embedding and its model; undefined when the sample is gone. */
  vector(id: number): { embedding: Float32Array; model: string } | undefined;
  /** The newest `limit` samples of one model, with vectors. */
  recent(model: string, limit: number): SampleVectorRow[];
  /** Samples of one model with an id above `afterId`, ascending, at most `limit` (a chunked index rebuild). */
  vectorsAfter(model: string, afterId: number, limit: number): { id: number; embedding: Float32Array }[];
  /** Vectors of one model matching a filter, at most `limit` (an exact search over a narrowed set). */
  vectorsWhere(model: string, f: SampleFilter, limit: number): { id: number; embedding: Float32Array }[];
  /** Rows of these ids with vectors (in any order). */
  vectorsOf(ids: readonly number[]): SampleVectorRow[];
  count(model?: string): number;
  /** Deletes rows (negatives cascade, enrolled copies keep their vectors); returns what was deleted. */
  deleteIds(ids: readonly number[]): FaceSampleRow[];
  /** Up to `limit` ids matching a filter, oldest first. */
  firstIds(f: SampleFilter, limit: number): number[];
  /** Ids and crop paths of one camera's samples, at most `limit`, oldest first. */
  cropsOfCamera(cameraId: number, limit: number): { id: number; crop_path: string | null }[];
  setLabel(ids: readonly number[], label: string | null): number;
  setPerson(ids: readonly number[], personId: number | null, similarity: number | null): number;
  /** Samples currently naming `personId`. */
  idsOfPerson(personId: number): number[];
  /** The best-quality face captured during an event, if any. */
  bestOfEvent(eventId: number): number | undefined;
  addNegative(sampleId: number, personId: number): void;
  /** sample id → people it is known not to be. */
  negatives(sampleIds: readonly number[]): Map<number, Set<number>>;
  /** Samples known not to be `personId`. */
  negativeSamplesOf(personId: number): Set<number>;
  /**
   * Events of a sample's camera whose window [started − beforeMs, end + afterMs] contains the sample's time, plus the
   * events samples name directly; de-duplicated, newest first. Events longer than `maxEventMs` are not considered.
   */
  overlappingEventIds(sampleIds: readonly number[], beforeMs: number, afterMs: number, maxEventMs: number): number[];
}

const ROW = `SELECT s.id, s.camera_id, c.name AS camera_name, s.ts_ms, s.track_id, s.event_id, s.dim, s.model, s.quality, s.crop_path, s.label,
  s.person_id, p.name AS person_name, s.similarity, s.box, s.created_at
  FROM face_samples s LEFT JOIN cameras c ON c.id = s.camera_id LEFT JOIN people p ON p.id = s.person_id`;

type RawVectorRow = Omit<SampleVectorRow, 'embedding' | 'clothing'> & { embedding: Buffer; clothing: Buffer | null };
const toVectorRow = (r: RawVectorRow): SampleVectorRow => ({ ...r, embedding: decodeF32(r.embedding), clothing: r.clothing ? decodeF32(r.clothing) : null });

function where(f: SampleFilter): { sql: string; args: Record<string, unknown> } {
  const c: string[] = [];
  if (f.camera_id !== undefined) c.push('camera_id = @camera_id');
  if (f.from_ms !== undefined) c.push('ts_ms >= @from_ms');
  if (f.to_ms !== undefined) c.push('ts_ms < @to_ms');
  if (f.label !== undefined) c.push('label = @label');
  return { sql: c.join(' AND '), args: { ...f } };
}

export class SqliteFaceSamplesRepository implements FaceSamplesRepository {
  constructor(private readonly db: Db) {}

  insert(s: NewFaceSample): number {
    return Number(
      this.db
        .prepare(
          `INSERT INTO face_samples (camera_id, ts_ms, track_id, event_id, embedding, dim, model, quality, crop_path, box, clothing)
           VALUES (@camera_id, @ts_ms, @track_id, @event_id, @embedding, @dim, @model, @quality, @crop_path, @box, @clothing)`,
        )
        .run({
          camera_id: s.camera_id,
          ts_ms: s.ts_ms,
          track_id: s.track_id,
          event_id: s.event_id,
          embedding: encodeF32(s.embedding),
          dim: s.embedding.length,
          model: s.model,
          quality: s.quality,
          crop_path: s.crop_path,
          box: s.box ? JSON.stringify(s.box) : null,
          clothing: s.clothing ? encodeF32(s.clothing) : null,
        }).lastInsertRowid,
    );
  }

  setCropPath(id: number, path: string): void {
    this.db.prepare('UPDATE face_samples SET crop_path = ? WHERE id = ?').run(path, id);
  }

  get(id: number): FaceSampleRow | undefined {
    return this.db.prepare(`${ROW} WHERE s.id = ?`).get(id) as FaceSampleRow | undefined;
  }

  getMany(ids: readonly number[]): FaceSampleRow[] {
    if (!ids.length) return [];
    const rows = this.db.prepare(`${ROW} WHERE s.id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(ids)) as FaceSampleRow[];
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id)).filter((r): r is FaceSampleRow => r !== undefined);
  }

  vector(id: number): { embedding: Float32Array; model: string } | undefined {
    const r = this.db.prepare('SELECT embedding, model FROM face_samples WHERE id = ?').get(id) as { embedding: Buffer; model: string } | undefined;
    return r ? { embedding: decodeF32(r.embedding), model: r.model } : undefined;
  }

  recent(model: string, limit: number): SampleVectorRow[] {
    const rows = this.db
      .prepare('SELECT id, camera_id, ts_ms, track_id, quality, label, embedding, clothing FROM face_samples WHERE model = ? ORDER BY ts_ms DESC, id DESC LIMIT ?')
      .all(model, limit) as RawVectorRow[];
    return rows.map(toVectorRow);
  }

  vectorsAfter(model: string, afterId: number, limit: number): { id: number; embedding: Float32Array }[] {
    // `+model` keeps SQLite on the rowid range: through the model index it would sort every row of the model per chunk.
    const rows = this.db.prepare('SELECT id, embedding FROM face_samples WHERE +model = ? AND id > ? ORDER BY id LIMIT ?').all(model, afterId, limit) as { id: number; embedding: Buffer }[];
    return rows.map((r) => ({ id: r.id, embedding: decodeF32(r.embedding) }));
  }

  vectorsWhere(model: string, f: SampleFilter, limit: number): { id: number; embedding: Float32Array }[] {
    const w = where(f);
    const rows = this.db
      .prepare(`SELECT id, embedding FROM face_samples WHERE model = @model${w.sql ? ` AND ${w.sql}` : ''} LIMIT @limit`)
      .all({ ...w.args, model, limit }) as { id: number; embedding: Buffer }[];
    return rows.map((r) => ({ id: r.id, embedding: decodeF32(r.embedding) }));
  }

  vectorsOf(ids: readonly number[]): SampleVectorRow[] {
    if (!ids.length) return [];
    const rows = this.db
      .prepare('SELECT id, camera_id, ts_ms, track_id, quality, label, embedding, clothing FROM face_samples WHERE id IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify(ids)) as RawVectorRow[];
    return rows.map(toVectorRow);
  }

  count(model?: string): number {
    return (model === undefined ? this.db.prepare('SELECT COUNT(*) FROM face_samples').pluck().get() : this.db.prepare('SELECT COUNT(*) FROM face_samples WHERE model = ?').pluck().get(model)) as number;
  }

  deleteIds(ids: readonly number[]): FaceSampleRow[] {
    if (!ids.length) return [];
    return this.db.transaction(() => {
      const rows = this.getMany(ids);
      this.db.prepare('DELETE FROM face_samples WHERE id IN (SELECT value FROM json_each(?))').run(JSON.stringify(rows.map((r) => r.id)));
      return rows;
    })();
  }

  firstIds(f: SampleFilter, limit: number): number[] {
    const w = where(f);
    return this.db.prepare(`SELECT id FROM face_samples ${w.sql ? `WHERE ${w.sql}` : ''} ORDER BY id LIMIT @limit`).pluck().all({ ...w.args, limit }) as number[];
  }

  cropsOfCamera(cameraId: number, limit: number): { id: number; crop_path: string | null }[] {
    return this.db.prepare('SELECT id, crop_path FROM face_samples WHERE camera_id = ? ORDER BY id LIMIT ?').all(cameraId, limit) as { id: number; crop_path: string | null }[];
  }

  setLabel(ids: readonly number[], label: string | null): number {
    if (!ids.length) return 0;
    return this.db.prepare('UPDATE face_samples SET label = ? WHERE id IN (SELECT value FROM json_each(?))').run(label, JSON.stringify(ids)).changes;
  }

  setPerson(ids: readonly number[], personId: number | null, similarity: number | null): number {
    if (!ids.length) return 0;
    return this.db.prepare('UPDATE face_samples SET person_id = ?, similarity = ? WHERE id IN (SELECT value FROM json_each(?))').run(personId, similarity, JSON.stringify(ids)).changes;
  }

  idsOfPerson(personId: number): number[] {
    return this.db.prepare('SELECT id FROM face_samples WHERE person_id = ? ORDER BY id').pluck().all(personId) as number[];
  }

  bestOfEvent(eventId: number): number | undefined {
    return this.db.prepare('SELECT id FROM face_samples WHERE event_id = ? ORDER BY quality DESC, id DESC LIMIT 1').pluck().get(eventId) as number | undefined;
  }

  addNegative(sampleId: number, personId: number): void {
    this.db.prepare('INSERT OR IGNORE INTO face_negatives (sample_id, person_id) VALUES (?, ?)').run(sampleId, personId);
  }

  negatives(sampleIds: readonly number[]): Map<number, Set<number>> {
    const out = new Map<number, Set<number>>();
    if (!sampleIds.length) return out;
    const rows = this.db.prepare('SELECT sample_id, person_id FROM face_negatives WHERE sample_id IN (SELECT value FROM json_each(?))').all(JSON.stringify(sampleIds)) as { sample_id: number; person_id: number }[];
    for (const r of rows) {
      const set = out.get(r.sample_id) ?? new Set<number>();
      set.add(r.person_id);
      out.set(r.sample_id, set);
    }
    return out;
  }

  negativeSamplesOf(personId: number): Set<number> {
    return new Set(this.db.prepare('SELECT sample_id FROM face_negatives WHERE person_id = ?').pluck().all(personId) as number[]);
  }

  overlappingEventIds(sampleIds: readonly number[], beforeMs: number, afterMs: number, maxEventMs: number): number[] {
    if (!sampleIds.length) return [];
    return this.db
      .prepare(
        `WITH s AS (SELECT id, camera_id, ts_ms, event_id FROM face_samples WHERE id IN (SELECT value FROM json_each(@ids)))
         SELECT e.id FROM events e WHERE e.id IN (
           SELECT e2.id FROM s JOIN events e2 ON e2.camera_id = s.camera_id
             AND e2.started_ms <= s.ts_ms + @before AND e2.started_ms >= s.ts_ms - @maxlen
             AND COALESCE(e2.ended_ms, e2.last_ms) + @after >= s.ts_ms
           UNION SELECT event_id FROM s WHERE event_id IS NOT NULL)
         ORDER BY e.started_ms DESC, e.id DESC`,
      )
      .pluck()
      .all({ ids: JSON.stringify(sampleIds), before: beforeMs, after: afterMs, maxlen: maxEventMs }) as number[];
  }
}
