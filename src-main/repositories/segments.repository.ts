// The segment index in SQLite: one row per closed -c copy segment (path relative to the data root, SHA-256 at close).
import type { Db } from './db/database';

export interface SegmentRow {
  id: number;
  camera_id: number;
  /** Relative to the data root, forward slashes. */
  path: string;
  start_ms: number;
  end_ms: number;
  bytes: number;
  codec: string | null;
  width: number | null;
  height: number | null;
  sha256: string | null;
}

export type NewSegment = Omit<SegmentRow, 'id'>;

export interface CameraSegmentStats {
  camera_id: number;
  bytes: number;
  segments: number;
  oldest_ms: number | null;
  newest_ms: number | null;
}

export interface SegmentsRepository {
  insert(s: NewSegment): number | null;
  byId(id: number): SegmentRow | undefined;
  /** Segments of a camera overlapping [from, to), oldest first. */
  overlapping(cameraId: number, fromMs: number, toMs: number): SegmentRow[];
  /** Merged-ready [start,end] pairs of all cameras (or one) overlapping [from, to), ordered by camera, start. */
  spans(cameraId: number | null, fromMs: number, toMs: number): { camera_id: number; start_ms: number; end_ms: number }[];
  latestEnd(cameraId: number): number | null;
  all(): SegmentRow[];
  allPaths(): Set<string>;
  forRetention(): { id: number; camera_id: number; start_ms: number; end_ms: number; bytes: number }[];
  deleteIds(ids: number[]): void;
  byCamera(cameraId: number): SegmentRow[];
  deleteCamera(cameraId: number): void;
  stats(): CameraSegmentStats[];
  /** Bytes and seconds of each camera's segments that end after sinceMs (for the bitrate). */
  recentRate(sinceMs: number): { camera_id: number; bytes: number; seconds: number }[];
  totalBytes(): number;
}

const COLS = 'id, camera_id, path, start_ms, end_ms, bytes, codec, width, height, sha256';

export class SqliteSegmentsRepository implements SegmentsRepository {
  constructor(private readonly db: Db) {}

  insert(s: NewSegment): number | null {
    const r = this.db
      .prepare(
        `INSERT INTO segments (camera_id, path, start_ms, end_ms, bytes, codec, width, height, sha256)
         SELECT @camera_id, @path, @start_ms, @end_ms, @bytes, @codec, @width, @height, @sha256
         WHERE EXISTS (SELECT 1 FROM cameras WHERE id = @camera_id)
         ON CONFLICT(path) DO NOTHING`,
      )
      .run(s);
    return r.changes ? Number(r.lastInsertRowid) : null;
  }

  byId(id: number): SegmentRow | undefined {
    return this.db.prepare(`SELECT ${COLS} FROM segments WHERE id = ?`).get(id) as SegmentRow | undefined;
  }

  overlapping(cameraId: number, fromMs: number, toMs: number): SegmentRow[] {
    return this.db
      .prepare(`SELECT ${COLS} FROM segments WHERE camera_id = ? AND start_ms < ? AND end_ms > ? ORDER BY start_ms`)
      .all(cameraId, toMs, fromMs) as SegmentRow[];
  }

  spans(cameraId: number | null, fromMs: number, toMs: number): { camera_id: number; start_ms: number; end_ms: number }[] {
    // start_ms > from - 1h bounds the index scan; a segment is never longer than an hour.
    const sql = `SELECT camera_id, start_ms, end_ms FROM segments
      WHERE ${cameraId === null ? '' : 'camera_id = @cam AND '}start_ms < @to AND start_ms > @lo AND end_ms > @from
      ORDER BY camera_id, start_ms`;
    return this.db.prepare(sql).all({ cam: cameraId, to: toMs, from: fromMs, lo: fromMs - 3_600_000 }) as { camera_id: number; start_ms: number; end_ms: number }[];
  }

  latestEnd(cameraId: number): number | null {
    const r = this.db.prepare('SELECT MAX(end_ms) AS m FROM segments WHERE camera_id = ?').get(cameraId) as { m: number | null };
    return r.m;
  }

  all(): SegmentRow[] {
    return this.db.prepare(`SELECT ${COLS} FROM segments ORDER BY start_ms`).all() as SegmentRow[];
  }

  allPaths(): Set<string> {
    return new Set((this.db.prepare('SELECT path FROM segments').pluck().all() as string[]));
  }

  forRetention(): { id: number; camera_id: number; start_ms: number; end_ms: number; bytes: number }[] {
    return this.db.prepare('SELECT id, camera_id, start_ms, end_ms, bytes FROM segments ORDER BY start_ms').all() as {
      id: number;
      camera_id: number;
      start_ms: number;
      end_ms: number;
      bytes: number;
    }[];
  }

  deleteIds(ids: number[]): void {
    const del = this.db.prepare('DELETE FROM segments WHERE id = ?');
    this.db.transaction((list: number[]) => {
      for (const id of list) del.run(id);
    })(ids);
  }

  byCamera(cameraId: number): SegmentRow[] {
    return this.db.prepare(`SELECT ${COLS} FROM segments WHERE camera_id = ?`).all(cameraId) as SegmentRow[];
  }

  deleteCamera(cameraId: number): void {
    this.db.prepare('DELETE FROM segments WHERE camera_id = ?').run(cameraId);
  }

  stats(): CameraSegmentStats[] {
    return this.db
      .prepare('SELECT camera_id, SUM(bytes) AS bytes, COUNT(*) AS segments, MIN(start_ms) AS oldest_ms, MAX(end_ms) AS newest_ms FROM segments GROUP BY camera_id')
      .all() as CameraSegmentStats[];
  }

  recentRate(sinceMs: number): { camera_id: number; bytes: number; seconds: number }[] {
    return this.db
      .prepare('SELECT camera_id, SUM(bytes) AS bytes, SUM(end_ms - start_ms) / 1000.0 AS seconds FROM segments WHERE end_ms > ? GROUP BY camera_id')
      .all(sinceMs) as { camera_id: number; bytes: number; seconds: number }[];
  }

  totalBytes(): number {
    return (this.db.prepare('SELECT COALESCE(SUM(bytes), 0) AS b FROM segments').get() as { b: number }).b;
  }
}
