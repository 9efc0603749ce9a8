// 008: people and their enrolled face embeddings, captured face samples, and "sample S is not person P" feedback.
import type { Migration } from './index';

export const m008PeopleFaces: Migration = {
  version: 8,
  name: 'people-faces',
  up(db) {
    db.exec(`
      CREATE TABLE people (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        notes TEXT,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
      );
      CREATE INDEX people_name ON people(name COLLATE NOCASE);

      CREATE TABLE face_samples (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        camera_id INTEGER NOT NULL REFERENCES cameras(id) ON DELETE CASCADE,
        ts_ms INTEGER NOT NULL,
        track_id INTEGER,
        event_id INTEGER REFERENCES events(id) ON DELETE SET NULL,
        embedding BLOB NOT NULL,
        dim INTEGER NOT NULL CHECK (dim > 0 AND length(embedding) = dim * 4),
        model TEXT NOT NULL,
        quality REAL NOT NULL,
        crop_path TEXT,
        label TEXT,
        person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
        similarity REAL,
        box TEXT,
        clothing BLOB,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
      );
      CREATE INDEX face_samples_model_ts ON face_samples(model, ts_ms DESC);
      CREATE INDEX face_samples_camera_ts ON face_samples(camera_id, ts_ms);
      CREATE INDEX face_samples_track ON face_samples(camera_id, track_id, ts_ms);
      CREATE INDEX face_samples_event ON face_samples(event_id) WHERE event_id IS NOT NULL;
      CREATE INDEX face_samples_person ON face_samples(person_id) WHERE person_id IS NOT NULL;
      CREATE INDEX face_samples_label ON face_samples(label) WHERE label IS NOT NULL;

      CREATE TABLE face_embeddings (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        embedding BLOB NOT NULL,
        dim INTEGER NOT NULL CHECK (dim > 0 AND length(embedding) = dim * 4),
        model TEXT NOT NULL,
        image_path TEXT,
        quality REAL,
        source_sample_id INTEGER REFERENCES face_samples(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
      );
      CREATE INDEX face_embeddings_person ON face_embeddings(person_id);
      CREATE INDEX face_embeddings_model ON face_embeddings(model);
      CREATE INDEX face_embeddings_source ON face_embeddings(source_sample_id) WHERE source_sample_id IS NOT NULL;

      CREATE TABLE face_negatives (
        sample_id INTEGER NOT NULL REFERENCES face_samples(id) ON DELETE CASCADE,
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        PRIMARY KEY (sample_id, person_id)
      ) WITHOUT ROWID;
      CREATE INDEX face_negatives_person ON face_negatives(person_id);

      -- events.person_id (migration 003) has no foreign key and SQLite cannot add one without rebuilding events:
      -- deleting a person detaches its events here instead, and person_name stays as the snapshot it was.
      CREATE TRIGGER people_detach_events AFTER DELETE ON people BEGIN
        UPDATE events SET person_id = NULL WHERE person_id = OLD.id;
      END;
    `);
  },
};
