// 003: recording index — segments, events (one per presence or manual recording), per-minute motion activity and exports.
import type { Migration } from './index';

export const m003Recordings: Migration = {
  version: 3,
  name: 'recordings',
  up(db) {
    db.exec(`
      CREATE TABLE segments (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        camera_id INTEGER NOT NULL REFERENCES cameras(id) ON DELETE CASCADE,
        path TEXT NOT NULL UNIQUE,
        start_ms INTEGER NOT NULL,
        end_ms INTEGER NOT NULL,
        bytes INTEGER NOT NULL,
        codec TEXT,
        width INTEGER,
        height INTEGER,
        sha256 TEXT,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        CHECK (end_ms >= start_ms)
      );
      CREATE INDEX segments_camera_start ON segments(camera_id, start_ms);
      CREATE INDEX segments_start ON segments(start_ms);

      CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        camera_id INTEGER REFERENCES cameras(id) ON DELETE CASCADE,
        camera_name TEXT,
        label TEXT NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('motion','manual','detection')),
        score REAL,
        started_ms INTEGER NOT NULL,
        ended_ms INTEGER,
        last_ms INTEGER NOT NULL,
        window_start_ms INTEGER NOT NULL,
        window_end_ms INTEGER,
        post_ms INTEGER NOT NULL DEFAULT 0,
        best_ms INTEGER,
        retain INTEGER NOT NULL DEFAULT 0,
        person_id INTEGER,
        person_name TEXT,
        identity_id INTEGER,
        boxes TEXT NOT NULL DEFAULT '[]',
        clip_path TEXT,
        thumb_path TEXT,
        sprite_path TEXT,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
      );
      CREATE INDEX events_started ON events(started_ms DESC, id DESC);
      CREATE INDEX events_camera_started ON events(camera_id, started_ms DESC);
      CREATE INDEX events_label_started ON events(label, started_ms DESC);
      CREATE INDEX events_person ON events(person_id) WHERE person_id IS NOT NULL;
      CREATE INDEX events_open ON events(ended_ms) WHERE ended_ms IS NULL;

      CREATE TABLE motion_activity (
        camera_id INTEGER NOT NULL REFERENCES cameras(id) ON DELETE CASCADE,
        minute_ms INTEGER NOT NULL,
        frames INTEGER NOT NULL,
        motion_frames INTEGER NOT NULL,
        max_area REAL NOT NULL,
        PRIMARY KEY (camera_id, minute_ms)
      ) WITHOUT ROWID;

      CREATE TABLE exports (
        id TEXT PRIMARY KEY,
        camera_id INTEGER NOT NULL REFERENCES cameras(id) ON DELETE CASCADE,
        from_ms INTEGER NOT NULL,
        to_ms INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued','running','done','error')),
        percent REAL NOT NULL DEFAULT 0,
        detail TEXT,
        file_path TEXT,
        manifest TEXT,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
      );
    `);
  },
};
