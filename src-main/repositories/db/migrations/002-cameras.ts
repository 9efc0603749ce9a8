// 002: cameras. Credentials live encrypted in url_enc (AES-256-GCM); the masked form is derived, never stored.
import type { Migration } from './index';

export const m002Cameras: Migration = {
  version: 2,
  name: 'cameras',
  up(db) {
    db.exec(`
      CREATE TABLE cameras (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        source_kind TEXT NOT NULL CHECK (source_kind IN ('rtsp','http','mjpeg','file','pattern')),
        url_enc BLOB NOT NULL,
        url_host TEXT NOT NULL DEFAULT '',
        enabled INTEGER NOT NULL DEFAULT 1,
        is_demo INTEGER NOT NULL DEFAULT 0,
        recording_mode TEXT NOT NULL DEFAULT 'continuous' CHECK (recording_mode IN ('continuous','events','off')),
        config TEXT NOT NULL DEFAULT '{}',
        status TEXT NOT NULL DEFAULT 'offline',
        last_seen TEXT,
        last_error TEXT,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
      );
    `);
  },
};
