// The identities undo log: operations and the exact rows they changed, as JSON written and replayed inside SQLite in chunks.
import type { Db } from './db/database';
import { decodeF32 } from './embedding-blob';

export type OpKind = 'merge' | 'split' | 'rename' | 'delete' | 'not_same';

export interface OpRow {
  id: number;
  kind: OpKind;
  /** Operations of one request (a bulk delete in chunks) share the first one's id. */
  batch_id: number | null;
  created_ms: number;
  expires_ms: number;
  undone: number;
  undone_ms: number | null;
  /** JSON array of every identity the operation touched. */
  identity_ids: string;
  detail: string;
  /** Small JSON the operation needs to be undone (created identities, its trash folder). */
  payload: string;
}

export interface NewOp {
  kind: OpKind;
  batch_id: number | null;
  created_ms: number;
  expires_ms: number;
  identity_ids: readonly number[];
  detail: string;
  payload: Record<string, unknown>;
}

/** Tables whose full rows the journal keeps and restores. */
export type RowTable = 'identities' | 'sightings' | 'sighting_faces' | 'identity_exemplars' | 'presence_segments' | 'identity_never' | 'events' | 'face_samples' | 'face_negatives';

/** Which rows of a table to keep: the rows of some identities, or rows by their own ids. */
export type RowSelector =
  | 'identities.id'
  | 'sightings.identity'
  | 'sighting_faces.identity'
  | 'identity_exemplars.identity'
  | 'identity_exemplars.id'
  | 'presence_segments.identity'
  | 'identity_never.identity'
  | 'events.id'
  | 'face_samples.id'
  | 'face_negatives.sample';

const IN = 'SELECT value FROM json_each(@ids)';
const SELECTORS: Record<RowSelector, [RowTable, string]> = {
  'identities.id': ['identities', `id IN (${IN})`],
  'sightings.identity': ['sightings', `identity_id IN (${IN})`],
  'sighting_faces.identity': ['sighting_faces', `sighting_id IN (SELECT id FROM sightings WHERE identity_id IN (${IN}))`],
  'identity_exemplars.identity': ['identity_exemplars', `identity_id IN (${IN})`],
  'identity_exemplars.id': ['identity_exemplars', `id IN (${IN})`],
  'presence_segments.identity': ['presence_segments', `identity_id IN (${IN})`],
  'identity_never.identity': ['identity_never', `sighting_a IN (SELECT id FROM sightings WHERE identity_id IN (${IN})) OR sighting_b IN (SELECT id FROM sightings WHERE identity_id IN (${IN}))`],
  'events.id': ['events', `id IN (${IN})`],
  'face_samples.id': ['face_samples', `id IN (${IN})`],
  'face_negatives.sample': ['face_negatives', `sample_id IN (${IN})`],
};

/**
 * Foreign keys a restored row may now point past (the camera, event or person went meanwhile): `skip` leaves the row
 * out, `null` clears the column. identities.rep_sighting_id is settled after the sightings are back (fixIdentityRefs).
 */
const FKS: Record<RowTable, [string, string, 'skip' | 'null'][]> = {
  identities: [
    ['person_id', 'people', 'null'],
    ['face_sample_id', 'face_samples', 'null'],
  ],
  sightings: [
    ['camera_id', 'cameras', 'skip'],
    ['event_id', 'events', 'null'],
    ['person_id', 'people', 'null'],
  ],
  sighting_faces: [
    ['sighting_id', 'sightings', 'skip'],
    ['sample_id', 'face_samples', 'skip'],
  ],
  identity_exemplars: [
    ['identity_id', 'identities', 'skip'],
    ['sighting_id', 'sightings', 'skip'],
  ],
  presence_segments: [
    ['identity_id', 'identities', 'skip'],
    ['camera_id', 'cameras', 'skip'],
  ],
  identity_never: [
    ['sighting_a', 'sightings', 'skip'],
    ['sighting_b', 'sightings', 'skip'],
  ],
  events: [['camera_id', 'cameras', 'skip']],
  face_samples: [
    ['camera_id', 'cameras', 'skip'],
    ['event_id', 'events', 'null'],
    ['person_id', 'people', 'null'],
  ],
  face_negatives: [
    ['sample_id', 'face_samples', 'skip'],
    ['person_id', 'people', 'skip'],
  ],
};

/** Primary key of each table, for "already there" (a restore is idempotent). */
const KEYS: Record<RowTable, string[]> = {
  identities: ['id'],
  sightings: ['id'],
  sighting_faces: ['sighting_id', 'sample_id'],
  identity_exemplars: ['id'],
  presence_segments: ['id'],
  identity_never: ['sighting_a', 'sighting_b'],
  events: ['id'],
  face_samples: ['id'],
  face_negatives: ['sample_id', 'person_id'],
};

const CHUNK = 500;

/** Rows of some identities, or rows by id. */
export interface Selection {
  identities?: readonly number[];
  sightings?: readonly number[];
}

function selection(by: Selection, identityCol: string, sightingCol: string): { sql: string; list: readonly number[] } {
  if (by.identities) return { sql: `${identityCol} IN (SELECT value FROM json_each(@ids))`, list: by.identities };
  return { sql: `${sightingCol} IN (SELECT value FROM json_each(@ids))`, list: by.sightings ?? [] };
}

/** A crop kept in its identity's folder (identities/<identity_id>/…), and where it goes under identity @to. */
const IN_OWN_DIR = "crop_path IS NOT NULL AND substr(crop_path, 1, length('identities/' || identity_id || '/')) = 'identities/' || identity_id || '/'";
const MOVED_CROP = "'identities/' || CAST(@to AS INTEGER) || substr(crop_path, length('identities/' || identity_id) + 1)";
type Value = number | string | Buffer | null;
type JsonRow = Record<string, number | string | null | { $b: string }>;

/** One row as exact JSON: numbers round-trip through JSON.stringify, blobs become {"$b": base64}. */
export function encodeRow(names: readonly string[], values: readonly Value[]): string {
  const o: JsonRow = {};
  names.forEach((n, i) => {
    const v = values[i] ?? null;
    o[n] = Buffer.isBuffer(v) ? { $b: v.toString('base64') } : (v as number | string | null);
  });
  return JSON.stringify(o);
}

export function decodeRow(text: string): Record<string, Value> {
  const o = JSON.parse(text) as JsonRow;
  const out: Record<string, Value> = {};
  for (const [k, v] of Object.entries(o)) out[k] = v !== null && typeof v === 'object' ? Buffer.from(v.$b, 'base64') : v;
  return out;
}

export interface IdentityOpsRepository {
  create(o: NewOp): number;
  update(id: number, patch: { detail?: string; payload?: Record<string, unknown>; identity_ids?: readonly number[]; batch_id?: number | null }): void;
  get(id: number): OpRow | undefined;
  /** The operations of a batch (or the one operation), ascending. */
  batch(op: OpRow): OpRow[];
  /** Newest first. */
  list(limit: number, offset: number): { total: number; items: OpRow[] };
  /** The newest operation that is neither undone nor expired. */
  latestUndoable(now: number): OpRow | undefined;
  /** Later operations, not undone and outside `exclude`, that touched any of these identities. */
  laterTouching(afterId: number, identityIds: readonly number[], exclude: readonly number[]): OpRow[];
  markUndone(ids: readonly number[], now: number): void;
  /** Up to `limit` operations whose undo window closed before `now`. */
  expired(now: number, limit: number): OpRow[];
  delete(ids: readonly number[]): void;

  /** Lets a transaction restore rows in any order: foreign keys are checked at its commit. */
  deferForeignKeys(): void;
  /** Copies the full rows a selector names into the journal (one SQL statement, no rows held in JS). */
  snapshot(opId: number, selector: RowSelector, ids: readonly number[]): number;
  /** Appends small records (moves, links, added ids) under `tbl`. */
  journal(opId: number, tbl: string, rows: readonly Record<string, unknown>[]): void;
  /**
   * Moves sightings (of some identities, or by id) under `toId`, rewriting crops kept under identities/<old>/ to
   * identities/<toId>/. Journals each one's previous owner and crop ('move:sightings') and each file to move
   * ('file' {from, to}: the caller moves them after the transaction). Returns how many moved.
   */
  moveSightings(opId: number, by: Selection, toId: number): number;
  /** Moves exemplars (of some identities, or of some sightings) under `toId`; journals 'move:exemplars' {id, identity_id}. */
  moveExemplars(opId: number, by: Selection, toId: number): number;
  /** Points events (naming some identities, or by id) at `toId` (null: no identity); journals 'relink:events' {id, identity_id}. */
  relinkEvents(opId: number, by: { identities?: readonly number[]; events?: readonly number[] }, toId: number | null): number;
  /** Records the face embeddings copied from these samples as {id, source_sample_id} under 'link:face_embeddings'. */
  journalEmbeddingLinks(opId: number, sampleIds: readonly number[]): number;
  /** Journal records of one kind, ascending, after a journal row id. */
  read(opId: number, tbl: string, afterRowId: number, limit: number): { rowId: number; row: Record<string, Value> }[];

  /**
   * Puts the journal's rows of a table back. insert: missing rows come back, present ones are left; upsert: present
   * ones are overwritten too; update: only present ones are overwritten. Returns the ids written.
   */
  restoreRows(opId: number, table: RowTable, mode: 'insert' | 'upsert' | 'update'): number[];
  /** Puts journalled sightings and exemplars back under their old identity (and crop path). */
  restoreOwners(opId: number): { sightings: number; exemplars: number };
  /** Sets events.identity_id back to the journalled values (only where that identity exists). */
  restoreEventLinks(opId: number): number;
  restoreEmbeddingLinks(opId: number): number;
  /** Deletes what the operation added: 'add:exemplars' ids and 'add:never' pairs. */
  removeAdded(opId: number): void;
  /** Clears rep/face/person references of these identities that point at nothing; returns the identities touched. */
  fixIdentityRefs(identityIds: readonly number[]): number[];
  /** Embeddings and models of restored face samples (to index them again). */
  sampleVectors(ids: readonly number[]): { id: number; embedding: Float32Array; model: string }[];
  /** Ids and cameras of events (to announce restored ones). */
  eventCameras(ids: readonly number[]): { id: number; camera_id: number | null }[];
}

export class SqliteIdentityOpsRepository implements IdentityOpsRepository {
  private readonly columns = new Map<RowTable, string[]>();

  constructor(private readonly db: Db) {
    db.function('vigil_journal_row', { varargs: true, deterministic: true }, (names: unknown, ...values: unknown[]) => encodeRow(String(names).split(','), values as Value[]));
  }

  create(o: NewOp): number {
    return Number(
      this.db
        .prepare('INSERT INTO identity_ops (kind, batch_id, created_ms, expires_ms, identity_ids, detail, payload) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(o.kind, o.batch_id, o.created_ms, o.expires_ms, JSON.stringify(o.identity_ids), o.detail, JSON.stringify(o.payload)).lastInsertRowid,
    );
  }

  update(id: number, patch: { detail?: string; payload?: Record<string, unknown>; identity_ids?: readonly number[]; batch_id?: number | null }): void {
    const sets: string[] = [];
    const args: Record<string, unknown> = { id };
    const set = (col: string, v: unknown): void => {
      sets.push(`${col} = @${col}`);
      args[col] = v;
    };
    if (patch.detail !== undefined) set('detail', patch.detail);
    if (patch.payload !== undefined) set('payload', JSON.stringify(patch.payload));
    if (patch.identity_ids !== undefined) set('identity_ids', JSON.stringify(patch.identity_ids));
    if (patch.batch_id !== undefined) set('batch_id', patch.batch_id);
    if (sets.length) this.db.prepare(`UPDATE identity_ops SET ${sets.join(', ')} WHERE id = @id`).run(args);
  }

  get(id: number): OpRow | undefined {
    return this.db.prepare('SELECT * FROM identity_ops WHERE id = ?').get(id) as OpRow | undefined;
  }

  batch(op: OpRow): OpRow[] {
    if (op.batch_id === null) return [op];
    return this.db.prepare('SELECT * FROM identity_ops WHERE batch_id = ? ORDER BY id').all(op.batch_id) as OpRow[];
  }

  list(limit: number, offset: number): { total: number; items: OpRow[] } {
    const total = this.db.prepare('SELECT COUNT(*) FROM identity_ops').pluck().get() as number;
    const items = this.db.prepare('SELECT * FROM identity_ops ORDER BY id DESC LIMIT ? OFFSET ?').all(limit, offset) as OpRow[];
    return { total, items };
  }

  latestUndoable(now: number): OpRow | undefined {
    return this.db.prepare('SELECT * FROM identity_ops WHERE undone = 0 AND expires_ms >= ? ORDER BY id DESC LIMIT 1').get(now) as OpRow | undefined;
  }

  laterTouching(afterId: number, identityIds: readonly number[], exclude: readonly number[]): OpRow[] {
    if (!identityIds.length) return [];
    return this.db
      .prepare(
        `SELECT o.* FROM identity_ops o WHERE o.id > @after AND o.undone = 0 AND o.id NOT IN (SELECT value FROM json_each(@exclude))
           AND EXISTS (SELECT 1 FROM json_each(o.identity_ids) x WHERE x.value IN (SELECT value FROM json_each(@ids)))
         ORDER BY o.id`,
      )
      .all({ after: afterId, ids: JSON.stringify(identityIds), exclude: JSON.stringify(exclude) }) as OpRow[];
  }

  markUndone(ids: readonly number[], now: number): void {
    this.db.prepare('UPDATE identity_ops SET undone = 1, undone_ms = ? WHERE id IN (SELECT value FROM json_each(?))').run(now, JSON.stringify(ids));
  }

  expired(now: number, limit: number): OpRow[] {
    return this.db.prepare('SELECT * FROM identity_ops WHERE expires_ms < ? ORDER BY id LIMIT ?').all(now, limit) as OpRow[];
  }

  delete(ids: readonly number[]): void {
    if (ids.length) this.db.prepare('DELETE FROM identity_ops WHERE id IN (SELECT value FROM json_each(?))').run(JSON.stringify(ids));
  }

  deferForeignKeys(): void {
    this.db.pragma('defer_foreign_keys = ON');
  }

  snapshot(opId: number, selector: RowSelector, ids: readonly number[]): number {
    if (!ids.length) return 0;
    const [table, where] = SELECTORS[selector];
    const cols = this.columnsOf(table);
    return this.db
      .prepare(`INSERT INTO identity_op_rows (op_id, tbl, row) SELECT @op, @tbl, vigil_journal_row('${cols.join(',')}', ${cols.map((c) => `"${c}"`).join(', ')}) FROM ${table} WHERE ${where}`)
      .run({ op: opId, tbl: `row:${table}`, ids: JSON.stringify(ids) }).changes;
  }

  journal(opId: number, tbl: string, rows: readonly Record<string, unknown>[]): void {
    const ins = this.db.prepare('INSERT INTO identity_op_rows (op_id, tbl, row) VALUES (?, ?, ?)');
    for (const r of rows) ins.run(opId, tbl, JSON.stringify(r));
  }

  moveSightings(opId: number, by: Selection, toId: number): number {
    const { sql, list } = selection(by, 'identity_id', 'id');
    if (!list.length) return 0;
    const args = { op: opId, to: toId, ids: JSON.stringify(list) };
    const where = `${sql} AND identity_id != @to`;
    this.db
      .prepare(`INSERT INTO identity_op_rows (op_id, tbl, row) SELECT @op, 'move:sightings', json_object('id', id, 'identity_id', identity_id, 'crop_path', crop_path) FROM sightings WHERE ${where} ORDER BY id`)
      .run(args);
    this.db.prepare(`INSERT INTO identity_op_rows (op_id, tbl, row) SELECT @op, 'file', json_object('from', crop_path, 'to', ${MOVED_CROP}) FROM sightings WHERE ${where} AND ${IN_OWN_DIR} ORDER BY id`).run(args);
    return this.db.prepare(`UPDATE sightings SET crop_path = CASE WHEN ${IN_OWN_DIR} THEN ${MOVED_CROP} ELSE crop_path END, identity_id = @to WHERE ${where}`).run(args).changes;
  }

  moveExemplars(opId: number, by: Selection, toId: number): number {
    const { sql, list } = selection(by, 'identity_id', 'sighting_id');
    if (!list.length) return 0;
    const args = { op: opId, to: toId, ids: JSON.stringify(list) };
    const where = `${sql} AND identity_id != @to`;
    this.db.prepare(`INSERT INTO identity_op_rows (op_id, tbl, row) SELECT @op, 'move:exemplars', json_object('id', id, 'identity_id', identity_id) FROM identity_exemplars WHERE ${where} ORDER BY id`).run(args);
    return this.db.prepare(`UPDATE identity_exemplars SET identity_id = @to WHERE ${where}`).run(args).changes;
  }

  relinkEvents(opId: number, by: { identities?: readonly number[]; events?: readonly number[] }, toId: number | null): number {
    const col = by.identities ? 'identity_id' : 'id';
    const list = by.identities ?? by.events ?? [];
    if (!list.length) return 0;
    const args = { op: opId, to: toId, ids: JSON.stringify(list) };
    const where = `${col} IN (SELECT value FROM json_each(@ids)) AND identity_id IS NOT @to`;
    this.db.prepare(`INSERT INTO identity_op_rows (op_id, tbl, row) SELECT @op, 'relink:events', json_object('id', id, 'identity_id', identity_id) FROM events WHERE ${where} ORDER BY id`).run(args);
    return this.db.prepare(`UPDATE events SET identity_id = @to WHERE ${where}`).run(args).changes;
  }

  journalEmbeddingLinks(opId: number, sampleIds: readonly number[]): number {
    if (!sampleIds.length) return 0;
    return this.db
      .prepare(`INSERT INTO identity_op_rows (op_id, tbl, row) SELECT ?, 'link:face_embeddings', json_object('id', id, 'source_sample_id', source_sample_id) FROM face_embeddings WHERE source_sample_id IN (SELECT value FROM json_each(?))`)
      .run(opId, JSON.stringify(sampleIds)).changes;
  }

  read(opId: number, tbl: string, afterRowId: number, limit: number): { rowId: number; row: Record<string, Value> }[] {
    const rows = this.db.prepare('SELECT id, row FROM identity_op_rows WHERE op_id = ? AND tbl = ? AND id > ? ORDER BY id LIMIT ?').all(opId, tbl, afterRowId, limit) as { id: number; row: string }[];
    return rows.map((r) => ({ rowId: r.id, row: decodeRow(r.row) }));
  }

  restoreRows(opId: number, table: RowTable, mode: 'insert' | 'upsert' | 'update'): number[] {
    const cols = new Set(this.columnsOf(table));
    const exists = new Map<string, ReturnType<Db['prepare']>>();
    const present = (ref: string, id: number | string | Buffer): boolean => {
      let st = exists.get(ref);
      if (!st) exists.set(ref, (st = this.db.prepare(`SELECT 1 FROM ${ref} WHERE id = ?`)));
      return st.get(id) !== undefined;
    };
    const keys = KEYS[table];
    const inserts = new Map<string, ReturnType<Db['prepare']>>();
    const restored: number[] = [];
    let after = 0;
    for (;;) {
      const chunk = this.read(opId, `row:${table}`, after, CHUNK);
      if (!chunk.length) break;
      after = (chunk[chunk.length - 1] as { rowId: number }).rowId;
      for (const { row } of chunk) {
        let keep = true;
        for (const [col, ref, action] of FKS[table]) {
          const v = row[col];
          if (v === null || v === undefined || present(ref, v)) continue;
          if (action === 'skip') keep = false;
          else row[col] = null;
        }
        if (!keep) continue;
        const names = Object.keys(row).filter((k) => cols.has(k));
        const sig = names.join(',');
        let st = inserts.get(sig);
        if (!st) {
          const updates = names.filter((n) => !keys.includes(n));
          if (mode === 'update') {
            st = this.db.prepare(`UPDATE ${table} SET ${updates.map((n) => `"${n}" = @${n}`).join(', ')} WHERE ${keys.map((k) => `"${k}" = @${k}`).join(' AND ')}`);
          } else {
            const conflict = mode === 'upsert' && updates.length ? `ON CONFLICT(${keys.join(', ')}) DO UPDATE SET ${updates.map((n) => `"${n}" = excluded."${n}"`).join(', ')}` : 'ON CONFLICT DO NOTHING';
            st = this.db.prepare(`INSERT INTO ${table} (${names.map((n) => `"${n}"`).join(', ')}) VALUES (${names.map((n) => `@${n}`).join(', ')}) ${conflict}`);
          }
          inserts.set(sig, st);
        }
        const r = st.run(Object.fromEntries(names.map((n) => [n, row[n]])));
        if (r.changes > 0 && typeof row.id === 'number') restored.push(row.id);
      }
    }
    return restored;
  }

  restoreOwners(opId: number): { sightings: number; exemplars: number } {
    const sightings = this.db
      .prepare(
        `UPDATE sightings SET identity_id = j.identity_id, crop_path = j.crop_path
         FROM (SELECT json_extract(row, '$.id') AS id, json_extract(row, '$.identity_id') AS identity_id, json_extract(row, '$.crop_path') AS crop_path
               FROM identity_op_rows WHERE op_id = ? AND tbl = 'move:sightings') j
         WHERE sightings.id = j.id AND EXISTS (SELECT 1 FROM identities WHERE id = j.identity_id)`,
      )
      .run(opId).changes;
    const exemplars = this.db
      .prepare(
        `UPDATE identity_exemplars SET identity_id = j.identity_id
         FROM (SELECT json_extract(row, '$.id') AS id, json_extract(row, '$.identity_id') AS identity_id FROM identity_op_rows WHERE op_id = ? AND tbl = 'move:exemplars') j
         WHERE identity_exemplars.id = j.id AND EXISTS (SELECT 1 FROM identities WHERE id = j.identity_id)`,
      )
      .run(opId).changes;
    return { sightings, exemplars };
  }

  restoreEventLinks(opId: number): number {
    return this.db
      .prepare(
        `UPDATE events SET identity_id = j.identity_id
         FROM (SELECT json_extract(row, '$.id') AS id, json_extract(row, '$.identity_id') AS identity_id FROM identity_op_rows WHERE op_id = ? AND tbl = 'relink:events') j
         WHERE events.id = j.id AND (j.identity_id IS NULL OR EXISTS (SELECT 1 FROM identities WHERE id = j.identity_id))`,
      )
      .run(opId).changes;
  }

  restoreEmbeddingLinks(opId: number): number {
    return this.db
      .prepare(
        `UPDATE face_embeddings SET source_sample_id = j.sample
         FROM (SELECT json_extract(row, '$.id') AS id, json_extract(row, '$.source_sample_id') AS sample FROM identity_op_rows WHERE op_id = ? AND tbl = 'link:face_embeddings') j
         WHERE face_embeddings.id = j.id AND face_embeddings.source_sample_id IS NULL AND EXISTS (SELECT 1 FROM face_samples WHERE id = j.sample)`,
      )
      .run(opId).changes;
  }

  removeAdded(opId: number): void {
    this.db.prepare("DELETE FROM identity_exemplars WHERE id IN (SELECT json_extract(row, '$.id') FROM identity_op_rows WHERE op_id = ? AND tbl = 'add:exemplars')").run(opId);
    this.db
      .prepare(
        `DELETE FROM identity_never WHERE (sighting_a, sighting_b) IN
           (SELECT json_extract(row, '$.a'), json_extract(row, '$.b') FROM identity_op_rows WHERE op_id = ? AND tbl = 'add:never')`,
      )
      .run(opId);
  }

  fixIdentityRefs(identityIds: readonly number[]): number[] {
    if (!identityIds.length) return [];
    const json = JSON.stringify(identityIds);
    const touched = this.db
      .prepare(
        `SELECT id FROM identities WHERE id IN (SELECT value FROM json_each(?)) AND (
           (rep_sighting_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sightings s WHERE s.id = rep_sighting_id AND s.identity_id = identities.id))
           OR (face_sample_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM face_samples WHERE id = face_sample_id))
           OR (person_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM people WHERE id = person_id)))`,
      )
      .pluck()
      .all(json) as number[];
    if (touched.length) {
      this.db
        .prepare(
          `UPDATE identities SET
             rep_sighting_id = CASE WHEN EXISTS (SELECT 1 FROM sightings s WHERE s.id = rep_sighting_id AND s.identity_id = identities.id) THEN rep_sighting_id END,
             face_sample_id = CASE WHEN EXISTS (SELECT 1 FROM face_samples WHERE id = face_sample_id) THEN face_sample_id END,
             person_id = CASE WHEN EXISTS (SELECT 1 FROM people WHERE id = person_id) THEN person_id END
           WHERE id IN (SELECT value FROM json_each(?))`,
        )
        .run(JSON.stringify(touched));
    }
    return touched;
  }

  sampleVectors(ids: readonly number[]): { id: number; embedding: Float32Array; model: string }[] {
    if (!ids.length) return [];
    const rows = this.db.prepare('SELECT id, embedding, model FROM face_samples WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id').all(JSON.stringify(ids)) as { id: number; embedding: Buffer; model: string }[];
    return rows.map((r) => ({ ...r, embedding: decodeF32(r.embedding) }));
  }

  eventCameras(ids: readonly number[]): { id: number; camera_id: number | null }[] {
    if (!ids.length) return [];
    return this.db.prepare('SELECT id, camera_id FROM events WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id').all(JSON.stringify(ids)) as { id: number; camera_id: number | null }[];
  }

  private columnsOf(table: RowTable): string[] {
    let cols = this.columns.get(table);
    if (!cols) {
      cols = (this.db.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all() as string[]).filter((c) => /^[a-z_][a-z0-9_]*$/.test(c));
      this.columns.set(table, cols);
    }
    return cols;
  }
}
