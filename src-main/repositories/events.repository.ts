// Events, motion activity, exports and a read-only view of camera recording config, all in SQLite.
import type { Db } from './db/database';

export interface EventRow {
  id: number;
  camera_id: number | null;
  camera_name: string | null;
  label: string;
  source: 'motion' | 'manual' | 'detection';
  score: number | null;
  started_ms: number;
  ended_ms: number | null;
  last_ms: number;
  window_start_ms: number;
  window_end_ms: number | null;
  post_ms: number;
  best_ms: number | null;
  retain: number;
  person_id: number | null;
  person_name: string | null;
  identity_id: number | null;
  boxes: string;
  /** JSON list of the objects a detection event saw (migration 007). */
  objects: string;
  clip_path: string | null;
  thumb_path: string | null;
  sprite_path: string | null;
  created_at: string;
}

export type NewEvent = Pick<EventRow, 'camera_id' | 'label' | 'source' | 'score' | 'started_ms' | 'ended_ms' | 'last_ms' | 'window_start_ms' | 'window_end_ms' | 'post_ms' | 'best_ms' | 'boxes'>;

export interface EventFilter {
  camera_id?: number;
  person_id?: number;
  /** Events this identity appears in: its own link, or one of its sightings' events. */
  identity_id?: number;
  from?: number;
  to?: number;
  label?: string;
}

export interface ExportRow {
  id: string;
  camera_id: number;
  from_ms: number;
  to_ms: number;
  state: 'queued' | 'running' | 'done' | 'error';
  percent: number;
  detail: string | null;
  file_path: string | null;
  manifest: string | null;
  /** Size of the finished MP4 (null until done). */
  bytes?: number | null;
  finished_ms?: number | null;
  /** Insert time, epoch ms (read-only). */
  created_ms?: number;
}

export interface EventsRepository {
  insert(e: NewEvent): number;
  get(id: number): EventRow | undefined;
  list(f: EventFilter, limit: number, offset: number): { total: number; items: EventRow[] };
  /** False when the row is gone (deleted while open). */
  update(id: number, patch: Partial<Omit<EventRow, 'id' | 'created_at'>>): boolean;
  deleteIds(ids: number[]): void;
  getMany(ids: number[]): EventRow[];
  /** Ids matching an optional camera/label, oldest first, at most `limit`. */
  idsWhere(f: { camera_id?: number; label?: string }, limit: number): number[];
  open(): EventRow[];
  /** Closed events lacking a clip (finalisation interrupted). */
  unfinished(): EventRow[];
  /** Windows for the retention plan: protected, open, or overlapping now-window. */
  windows(): { camera_id: number | null; window_start_ms: number; window_end_ms: number | null; retain: number; ended_ms: number | null; id: number; started_ms: number }[];
  byCamera(cameraId: number): EventRow[];
  startsIn(cameraId: number | null, fromMs: number, toMs: number): { camera_id: number; started_ms: number }[];
  addActivity(cameraId: number, minuteMs: number, frames: number, motionFrames: number, maxArea: number): void;
  deleteActivity(cameraId: number): void;
  activity(cameraId: number | null, fromMs: number, toMs: number): { camera_id: number; minute_ms: number; frames: number; motion_frames: number }[];
}

const WHERE = (f: EventFilter): { sql: string; args: Record<string, unknown> } => {
  const c: string[] = [];
  if (f.camera_id !== undefined) c.push('camera_id = @camera_id');
  if (f.person_id !== undefined) c.push('person_id = @person_id');
  if (f.identity_id !== undefined) c.push('(identity_id = @identity_id OR id IN (SELECT event_id FROM sightings WHERE identity_id = @identity_id AND event_id IS NOT NULL))');
  if (f.from !== undefined) c.push('started_ms >= @from');
  if (f.to !== undefined) c.push('started_ms < @to');
  if (f.label !== undefined) c.push('label = @label');
  return { sql: c.length ? `WHERE ${c.join(' AND ')}` : '', args: { ...f } };
};

export class SqliteEventsRepository implements EventsRepository {
  constructor(private readonly db: Db) {}

  insert(e: NewEvent): number {
    const r = this.db
      .prepare(
        `INSERT INTO events (camera_id, camera_name, label, source, score, started_ms, ended_ms, last_ms, window_start_ms, window_end_ms, post_ms, best_ms, boxes)
         VALUES (@camera_id, (SELECT name FROM cameras WHERE id = @camera_id), @label, @source, @score, @started_ms, @ended_ms, @last_ms, @window_start_ms, @window_end_ms, @post_ms, @best_ms, @boxes)`,
      )
      .run(e);
    return Number(r.lastInsertRowid);
  }

  get(id: number): EventRow | undefined {
    return this.db.prepare('SELECT * FROM events WHERE id = ?').get(id) as EventRow | undefined;
  }

  list(f: EventFilter, limit: number, offset: number): { total: number; items: EventRow[] } {
    const w = WHERE(f);
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM events ${w.sql}`).get(w.args) as { n: number }).n;
    const items = this.db
      .prepare(`SELECT * FROM events ${w.sql} ORDER BY started_ms DESC, id DESC LIMIT @limit OFFSET @offset`)
      .all({ ...w.args, limit, offset }) as EventRow[];
    return { total, items };
  }

  update(id: number, patch: Partial<Omit<EventRow, 'id' | 'created_at'>>): boolean {
    const keys = Object.keys(patch).filter((k) => /^[a-z_]+$/.test(k));
    if (!keys.length) return this.get(id) !== undefined;
    return this.db.prepare(`UPDATE events SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE id = @id`).run({ ...patch, id }).changes > 0;
  }

  deleteIds(ids: number[]): void {
    const del = this.db.prepare('DELETE FROM events WHERE id = ?');
    this.db.transaction((list: number[]) => {
      for (const id of list) del.run(id);
    })(ids);
  }

  getMany(ids: number[]): EventRow[] {
    if (!ids.length) return [];
    const out: EventRow[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      out.push(...(this.db.prepare(`SELECT * FROM events WHERE id IN (${chunk.map(() => '?').join(',')})`).all(...chunk) as EventRow[]));
    }
    return out;
  }

  idsWhere(f: { camera_id?: number; label?: string }, limit: number): number[] {
    const w = WHERE(f);
    return this.db.prepare(`SELECT id FROM events ${w.sql} ORDER BY id LIMIT @limit`).pluck().all({ ...w.args, limit }) as number[];
  }

  open(): EventRow[] {
    return this.db.prepare('SELECT * FROM events WHERE ended_ms IS NULL').all() as EventRow[];
  }

  unfinished(): EventRow[] {
    return this.db.prepare("SELECT * FROM events WHERE ended_ms IS NOT NULL AND clip_path IS NULL AND camera_id IS NOT NULL AND created_at > strftime('%Y-%m-%dT%H:%M:%fZ','now','-1 day')").all() as EventRow[];
  }

  windows(): { camera_id: number | null; window_start_ms: number; window_end_ms: number | null; retain: number; ended_ms: number | null; id: number; started_ms: number }[] {
    return this.db.prepare('SELECT id, camera_id, window_start_ms, window_end_ms, retain, ended_ms, started_ms FROM events').all() as {
      camera_id: number | null;
      window_start_ms: number;
      window_end_ms: number | null;
      retain: number;
      ended_ms: number | null;
      id: number;
      started_ms: number;
    }[];
  }

  byCamera(cameraId: number): EventRow[] {
    return this.db.prepare('SELECT * FROM events WHERE camera_id = ?').all(cameraId) as EventRow[];
  }

  startsIn(cameraId: number | null, fromMs: number, toMs: number): { camera_id: number; started_ms: number }[] {
    return this.db
      .prepare(`SELECT camera_id, started_ms FROM events WHERE ${cameraId === null ? 'camera_id IS NOT NULL' : 'camera_id = @cam'} AND started_ms >= @from AND started_ms < @to`)
      .all({ cam: cameraId, from: fromMs, to: toMs }) as { camera_id: number; started_ms: number }[];
  }

  addActivity(cameraId: number, minuteMs: number, frames: number, motionFrames: number, maxArea: number): void {
    this.db
      .prepare(
        `INSERT INTO motion_activity (camera_id, minute_ms, frames, motion_frames, max_area)
         SELECT @c, @m, @f, @mf, @a WHERE EXISTS (SELECT 1 FROM cameras WHERE id = @c)
         ON CONFLICT(camera_id, minute_ms) DO UPDATE SET frames = frames + @f, motion_frames = motion_frames + @mf, max_area = MAX(max_area, @a)`,
      )
      .run({ c: cameraId, m: minuteMs, f: frames, mf: motionFrames, a: maxArea });
  }

  deleteActivity(cameraId: number): void {
    this.db.prepare('DELETE FROM motion_activity WHERE camera_id = ?').run(cameraId);
  }

  activity(cameraId: number | null, fromMs: number, toMs: number): { camera_id: number; minute_ms: number; frames: number; motion_frames: number }[] {
    return this.db
      .prepare(`SELECT camera_id, minute_ms, frames, motion_frames FROM motion_activity WHERE ${cameraId === null ? '' : 'camera_id = @cam AND '}minute_ms >= @from AND minute_ms < @to`)
      .all({ cam: cameraId, from: fromMs - 60_000, to: toMs }) as { camera_id: number; minute_ms: number; frames: number; motion_frames: number }[];
  }
}

export interface ExportsRepository {
  insert(e: ExportRow): void;
  get(id: string): ExportRow | undefined;
  update(id: string, patch: Partial<Omit<ExportRow, 'id' | 'created_ms'>>): void;
  failRunning(detail: string): void;
  byCamera(cameraId: number): ExportRow[];
  /** Newest first. */
  list(limit: number, offset: number, cameraId?: number): { total: number; items: ExportRow[] };
  /** Finished or failed exports, oldest first (what cleanup may remove). */
  removable(): ExportRow[];
  delete(id: string): void;
  /** Bytes and count of finished exports. */
  totals(): { count: number; bytes: number };
}

const EXPORT_COLUMNS = "id, camera_id, from_ms, to_ms, state, percent, detail, file_path, manifest, bytes, finished_ms, CAST(ROUND((julianday(created_at) - 2440587.5) * 86400000) AS INTEGER) AS created_ms";

export class SqliteExportsRepository implements ExportsRepository {
  constructor(private readonly db: Db) {}

  insert(e: ExportRow): void {
    this.db
      .prepare('INSERT INTO exports (id, camera_id, from_ms, to_ms, state, percent, detail, file_path, manifest) VALUES (@id, @camera_id, @from_ms, @to_ms, @state, @percent, @detail, @file_path, @manifest)')
      .run({ id: e.id, camera_id: e.camera_id, from_ms: e.from_ms, to_ms: e.to_ms, state: e.state, percent: e.percent, detail: e.detail, file_path: e.file_path, manifest: e.manifest });
  }

  get(id: string): ExportRow | undefined {
    return this.db.prepare(`SELECT ${EXPORT_COLUMNS} FROM exports WHERE id = ?`).get(id) as ExportRow | undefined;
  }

  update(id: string, patch: Partial<Omit<ExportRow, 'id' | 'created_ms'>>): void {
    const keys = Object.keys(patch).filter((k) => /^[a-z_]+$/.test(k) && k !== 'created_ms');
    if (!keys.length) return;
    this.db.prepare(`UPDATE exports SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE id = @id`).run({ ...patch, id });
  }

  failRunning(detail: string): void {
    this.db.prepare("UPDATE exports SET state = 'error', detail = ? WHERE state IN ('queued','running')").run(detail);
  }

  byCamera(cameraId: number): ExportRow[] {
    return this.db.prepare(`SELECT ${EXPORT_COLUMNS} FROM exports WHERE camera_id = ?`).all(cameraId) as ExportRow[];
  }

  list(limit: number, offset: number, cameraId?: number): { total: number; items: ExportRow[] } {
    const where = cameraId === undefined ? '' : 'WHERE camera_id = @cameraId';
    const total = this.db.prepare(`SELECT COUNT(*) FROM exports ${where}`).pluck().get({ cameraId }) as number;
    const items = this.db.prepare(`SELECT ${EXPORT_COLUMNS} FROM exports ${where} ORDER BY created_at DESC, rowid DESC LIMIT @limit OFFSET @offset`).all({ cameraId, limit, offset }) as ExportRow[];
    return { total, items };
  }

  removable(): ExportRow[] {
    return this.db.prepare(`SELECT ${EXPORT_COLUMNS} FROM exports WHERE state IN ('done','error') ORDER BY created_at, rowid`).all() as ExportRow[];
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM exports WHERE id = ?').run(id);
  }

  totals(): { count: number; bytes: number } {
    return this.db.prepare("SELECT COUNT(*) AS count, COALESCE(SUM(bytes), 0) AS bytes FROM exports WHERE state = 'done'").get() as { count: number; bytes: number };
  }
}
