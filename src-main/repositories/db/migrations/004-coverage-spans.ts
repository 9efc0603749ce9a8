// 004: coverage_spans — per-camera recorded spans merged across gaps ≤ 2 s, kept in step with segments so the
// timeline's coverage query reads a few rows instead of every segment (30 days × 8 cameras = millions of segments).
import type { Migration } from './index';

export const COVERAGE_JOIN_GAP_MS = 2000;

export const m004CoverageSpans: Migration = {
  version: 4,
  name: 'coverage-spans',
  up(db) {
    db.exec(`
      CREATE TABLE coverage_spans (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        camera_id INTEGER NOT NULL REFERENCES cameras(id) ON DELETE CASCADE,
        start_ms INTEGER NOT NULL,
        end_ms INTEGER NOT NULL,
        CHECK (end_ms >= start_ms)
      );
      CREATE INDEX coverage_spans_camera_start ON coverage_spans(camera_id, start_ms);
    `);
    const rows = db.prepare('SELECT camera_id, start_ms, end_ms FROM segments ORDER BY camera_id, start_ms').iterate() as IterableIterator<{ camera_id: number; start_ms: number; end_ms: number }>;
    const ins = db.prepare('INSERT INTO coverage_spans (camera_id, start_ms, end_ms) VALUES (?, ?, ?)');
    let cur: { camera_id: number; start_ms: number; end_ms: number } | null = null;
    const spans: { camera_id: number; start_ms: number; end_ms: number }[] = [];
    for (const r of rows) {
      if (cur && cur.camera_id === r.camera_id && r.start_ms - cur.end_ms <= COVERAGE_JOIN_GAP_MS) cur.end_ms = Math.max(cur.end_ms, r.end_ms);
      else {
        if (cur) spans.push(cur);
        cur = { ...r };
      }
    }
    if (cur) spans.push(cur);
    for (const s of spans) ins.run(s.camera_id, s.start_ms, s.end_ms);
  },
};
