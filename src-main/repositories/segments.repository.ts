// The segment index in SQLite: one row per closed -c copy segment (path relative to the data root, SHA-256 at close).
import type { Db } from './db/database';
import { COVERAGE_JOIN_GAP_MS } from './db/migrations/004-coverage-spans';

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
  /** Pre-merged coverage spans (gap ≤ 2 s) of all cameras (or one) overlapping [from, to), ordered by camera, start. */
  coverage(cameraId: number | null, fromMs: number, toMs: number): { camera_id: number; start_ms: number; end_ms: number }[];
  /** Merged-ready [start,end] pairs of all cameras (or one) overlapping [from, to), ordered by camera, start. */
  spans(cameraId: number | null, fromMs: number, toMs: number): { camera_id: number; start_ms: number; end_ms: number }[];
  latestEnd(cameraId: number): number | null;
  all(): SegmentRow[];
  allPaths(): Set<string>;
  hasPath(path: string): boolean;
  /** Rows after an id cursor, for chunked scans. */
  page(afterId: number, limit: number): { id: number; path: string }[];
  /** Rows whose segment ends after sinceMs. */
  endingAfter(sinceMs: number): { id: number; path: string }[];
  /** The oldest `limit` segments (optionally of one camera ending before a time), oldest first. */
  forRetention(limit: number, cameraId?: number, endBefore?: number): { id: number; camera_id: number; start_ms: number; end_ms: number; bytes: number }[];
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
    return this.db.transaction(() => {
      const id = this.insertRow(s);
      if (id !== null) this.extendCoverage(s.camera_id, s.start_ms, s.end_ms);
      return id;
    })();
  }

  private insertRow(s: NewSegment): number | null {
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

  private extendCoverage(cam: number, start: number, end: number): void {
    type Span = { id: number; start_ms: number; end_ms: number };
    const prev = this.db.prepare('SELECT id, start_ms, end_ms FROM coverage_spans WHERE camera_id = ? AND start_ms <= ? ORDER BY start_ms DESC LIMIT 1').get(cam, start) as Span | undefined;
    const next = this.db.prepare('SELECT id, start_ms, end_ms FROM coverage_spans WHERE camera_id = ? AND start_ms > ? ORDER BY start_ms LIMIT 1').get(cam, start) as Span | undefined;
    const joinPrev = prev && start - prev.end_ms <= COVERAGE_JOIN_GAP_MS;
    const joinNext = next && next.start_ms - end <= COVERAGE_JOIN_GAP_MS;
    if (prev && joinPrev && next && joinNext) {
      this.db.prepare('UPDATE coverage_spans SET end_ms = ? WHERE id = ?').run(Math.max(prev.end_ms, next.end_ms, end), prev.id);
      this.db.prepare('DELETE FROM coverage_spans WHERE id = ?').run(next.id);
    } else if (prev && joinPrev) {
      if (end > prev.end_ms) this.db.prepare('UPDATE coverage_spans SET end_ms = ? WHERE id = ?').run(end, prev.id);
    } else if (next && joinNext) {
      this.db.prepare('UPDATE coverage_spans SET start_ms = ?, end_ms = ? WHERE id = ?').run(start, Math.max(next.end_ms, end), next.id);
    } else {
      this.db.prepare('INSERT INTO coverage_spans (camera_id, start_ms, end_ms) VALUES (?, ?, ?)').run(cam, start, end);
    }
  }

  /** Re-derive the spans of one camera around a deleted range from the segments that remain there. */
  private rebuildCoverage(cam: number, delMin: number, delMax: number): void {
    const w0 = delMin - 60_000;
    const w1 = delMax + 60_000;
    const affected = this.db.prepare('SELECT id, start_ms, end_ms FROM coverage_spans WHERE camera_id = ? AND start_ms < ? AND end_ms > ?').all(cam, w1, w0) as { id: number; start_ms: number; end_ms: number }[];
    const pieces: [number, number][] = [];
    for (const sp of affected) {
      if (sp.start_ms < w0) pieces.push([sp.start_ms, w0]);
      if (sp.end_ms > w1) pieces.push([w1, sp.end_ms]);
    }
    const rows = this.db.prepare('SELECT start_ms, end_ms FROM segments WHERE camera_id = ? AND start_ms < ? AND start_ms > ? AND end_ms > ?').all(cam, w1, w0 - 3_600_000, w0) as { start_ms: number; end_ms: number }[];
    for (const r of rows) pieces.push([Math.max(r.start_ms, w0), Math.min(r.end_ms, w1)]);
    pieces.sort((a, b) => a[0] - b[0]);
    const merged: [number, number][] = [];
    for (const p of pieces) {
      const last = merged[merged.length - 1];
      if (last && p[0] - last[1] <= COVERAGE_JOIN_GAP_MS) last[1] = Math.max(last[1], p[1]);
      else merged.push([p[0], p[1]]);
    }
    const del = this.db.prepare('DELETE FROM coverage_spans WHERE id = ?');
    for (const sp of affected) del.run(sp.id);
    const ins = this.db.prepare('INSERT INTO coverage_spans (camera_id, start_ms, end_ms) VALUES (?, ?, ?)');
    for (const [a, b] of merged) ins.run(cam, a, b);
  }

  coverage(cameraId: number | null, fromMs: number, toMs: number): { camera_id: number; start_ms: number; end_ms: number }[] {
    const sql = `SELECT camera_id, start_ms, end_ms FROM coverage_spans
      WHERE ${cameraId === null ? '' : 'camera_id = @cam AND '}start_ms < @to AND end_ms > @from ORDER BY camera_id, start_ms`;
    return this.db.prepare(sql).all({ cam: cameraId, to: toMs, from: fromMs }) as { camera_id: number; start_ms: number; end_ms: number }[];
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

  hasPath(path: string): boolean {
    return this.db.prepare('SELECT 1 FROM segments WHERE path = ?').get(path) !== undefined;
  }

  page(afterId: number, limit: number): { id: number; path: string }[] {
    return this.db.prepare('SELECT id, path FROM segments WHERE id > ? ORDER BY id LIMIT ?').all(afterId, limit) as { id: number; path: string }[];
  }

  endingAfter(sinceMs: number): { id: number; path: string }[] {
    return this.db.prepare('SELECT id, path FROM segments WHERE end_ms > ? AND start_ms > ?').all(sinceMs, sinceMs - 3_600_000) as { id: number; path: string }[];
  }

  forRetention(limit: number, cameraId?: number, endBefore?: number): { id: number; camera_id: number; start_ms: number; end_ms: number; bytes: number }[] {
    const sql =
      cameraId === undefined
        ? 'SELECT id, camera_id, start_ms, end_ms, bytes FROM segments ORDER BY start_ms LIMIT @limit'
        : 'SELECT id, camera_id, start_ms, end_ms, bytes FROM segments WHERE camera_id = @cam AND start_ms < @before ORDER BY camera_id, start_ms LIMIT @limit';
    return this.db.prepare(sql).all({ limit, cam: cameraId, before: endBefore ?? Number.MAX_SAFE_INTEGER }) as {
      id: number;
      camera_id: number;
      start_ms: number;
      end_ms: number;
      bytes: number;
    }[];
  }

  deleteIds(ids: number[]): void {
    const get = this.db.prepare('SELECT camera_id, start_ms, end_ms FROM segments WHERE id = ?');
    const del = this.db.prepare('DELETE FROM segments WHERE id = ?');
    this.db.transaction((list: number[]) => {
      const ranges = new Map<number, [number, number]>();
      for (const id of list) {
        const r = get.get(id) as { camera_id: number; start_ms: number; end_ms: number } | undefined;
        if (!r) continue;
        del.run(id);
        const cur = ranges.get(r.camera_id);
        ranges.set(r.camera_id, cur ? [Math.min(cur[0], r.start_ms), Math.max(cur[1], r.end_ms)] : [r.start_ms, r.end_ms]);
      }
      for (const [cam, [a, b]] of ranges) this.rebuildCoverage(cam, a, b);
    })(ids);
  }

  byCamera(cameraId: number): SegmentRow[] {
    return this.db.prepare(`SELECT ${COLS} FROM segments WHERE camera_id = ?`).all(cameraId) as SegmentRow[];
  }

  deleteCamera(cameraId: number): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM segments WHERE camera_id = ?').run(cameraId);
      this.db.prepare('DELETE FROM coverage_spans WHERE camera_id = ?').run(cameraId);
    })();
  }

  stats(): CameraSegmentStats[] {
    return this.db
      .prepare(
        `SELECT t.camera_id, t.bytes, t.segments,
           (SELECT MIN(s.start_ms) FROM segments s WHERE s.camera_id = t.camera_id) AS oldest_ms,
           (SELECT s.end_ms FROM segments s WHERE s.camera_id = t.camera_id ORDER BY s.start_ms DESC LIMIT 1) AS newest_ms
         FROM segment_totals t WHERE t.segments > 0`,
      )
      .all() as CameraSegmentStats[];
  }

  recentRate(sinceMs: number): { camera_id: number; bytes: number; seconds: number }[] {
    return this.db
      .prepare('SELECT camera_id, SUM(bytes) AS bytes, SUM(end_ms - start_ms) / 1000.0 AS seconds FROM segments WHERE start_ms > ? AND end_ms > ? GROUP BY camera_id')
      .all(sinceMs - 3_600_000, sinceMs) as { camera_id: number; bytes: number; seconds: number }[];
  }

  totalBytes(): number {
    return (this.db.prepare('SELECT COALESCE(SUM(bytes), 0) AS b FROM segment_totals').get() as { b: number }).b;
  }
}
