// 005: segment_totals — per-camera byte/segment counts kept by triggers, so storage status and retention caps never
// aggregate millions of segment rows on the main thread.
import type { Migration } from './index';

export const m005SegmentTotals: Migration = {
  version: 5,
  name: 'segment-totals',
  up(db) {
    db.exec(`
      CREATE TABLE segment_totals (
        camera_id INTEGER PRIMARY KEY REFERENCES cameras(id) ON DELETE CASCADE,
        bytes INTEGER NOT NULL DEFAULT 0,
        segments INTEGER NOT NULL DEFAULT 0
      );
      INSERT INTO segment_totals (camera_id, bytes, segments) SELECT camera_id, SUM(bytes), COUNT(*) FROM segments GROUP BY camera_id;
      CREATE TRIGGER segments_totals_insert AFTER INSERT ON segments BEGIN
        INSERT INTO segment_totals (camera_id, bytes, segments) VALUES (NEW.camera_id, NEW.bytes, 1)
          ON CONFLICT(camera_id) DO UPDATE SET bytes = bytes + NEW.bytes, segments = segments + 1;
      END;
      CREATE TRIGGER segments_totals_delete AFTER DELETE ON segments BEGIN
        UPDATE segment_totals SET bytes = bytes - OLD.bytes, segments = segments - 1 WHERE camera_id = OLD.camera_id;
      END;
    `);
  },
};
