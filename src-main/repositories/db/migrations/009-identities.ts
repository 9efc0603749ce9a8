// 009: cross-camera identities, their sightings (with link evidence), exemplars, presence, "never together" pairs and the undo log.
import type { Migration } from './index';

export const m009Identities: Migration = {
  version: 9,
  name: 'identities',
  up(db) {
    db.exec(`
      CREATE TABLE identities (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT,
        is_named INTEGER NOT NULL DEFAULT 0 CHECK (is_named IN (0, 1)),
        notes TEXT,
        object_class TEXT NOT NULL,
        num_sightings INTEGER NOT NULL DEFAULT 0,
        total_seconds REAL NOT NULL DEFAULT 0,
        first_seen_ms INTEGER,
        last_seen_ms INTEGER,
        color TEXT,
        color_hex TEXT,
        make TEXT,
        vehicle_type TEXT,
        rep_sighting_id INTEGER REFERENCES sightings(id) ON DELETE SET NULL,
        face_sample_id INTEGER REFERENCES face_samples(id) ON DELETE SET NULL,
        person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
        created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL
      );
      CREATE INDEX identities_seen ON identities(last_seen_ms DESC, id DESC);
      CREATE INDEX identities_class_seen ON identities(object_class, last_seen_ms DESC, id DESC);
      CREATE INDEX identities_created ON identities(created_ms);
      CREATE INDEX identities_rep ON identities(rep_sighting_id);
      CREATE INDEX identities_face ON identities(face_sample_id);
      CREATE INDEX identities_person ON identities(person_id);

      CREATE TABLE sightings (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        identity_id INTEGER NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
        camera_id INTEGER NOT NULL REFERENCES cameras(id) ON DELETE CASCADE,
        event_id INTEGER REFERENCES events(id) ON DELETE SET NULL,
        track_id INTEGER,
        object_class TEXT NOT NULL,
        start_ms INTEGER NOT NULL,
        end_ms INTEGER NOT NULL,
        best_ms INTEGER NOT NULL,
        best_score REAL NOT NULL,
        best_box TEXT NOT NULL,
        crop_path TEXT,
        app_upper BLOB,
        app_lower BLOB,
        app_features BLOB,
        face_embedding BLOB,
        face_model TEXT,
        person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
        color TEXT,
        color_hex TEXT,
        link_kind TEXT NOT NULL CHECK (link_kind IN ('face', 'appearance', 'manual', 'new')),
        link_score REAL,
        face_score REAL,
        appearance_score REAL,
        matched_sighting_id INTEGER,
        gap_s REAL,
        link_detail TEXT NOT NULL DEFAULT '',
        created_ms INTEGER NOT NULL,
        CHECK (end_ms >= start_ms),
        CHECK ((app_upper IS NULL) = (app_lower IS NULL)),
        CHECK (face_embedding IS NULL OR face_model IS NOT NULL)
      );
      CREATE INDEX sightings_identity_start ON sightings(identity_id, start_ms DESC, id DESC);
      CREATE INDEX sightings_identity_end ON sightings(identity_id, end_ms);
      CREATE INDEX sightings_identity_score ON sightings(identity_id, best_score DESC, id);
      CREATE INDEX sightings_identity_person ON sightings(identity_id, end_ms) WHERE person_id IS NOT NULL;
      CREATE INDEX sightings_camera_end ON sightings(camera_id, end_ms);
      CREATE INDEX sightings_class_start ON sightings(object_class, start_ms);
      CREATE INDEX sightings_class_camera ON sightings(object_class, camera_id, identity_id);
      CREATE INDEX sightings_class_kind ON sightings(object_class, link_kind);
      CREATE INDEX sightings_event ON sightings(event_id);
      CREATE INDEX sightings_person ON sightings(person_id, end_ms);

      -- face_samples has no sighting column: a sighting names the samples captured on its track here.
      CREATE TABLE sighting_faces (
        sighting_id INTEGER NOT NULL REFERENCES sightings(id) ON DELETE CASCADE,
        sample_id INTEGER NOT NULL REFERENCES face_samples(id) ON DELETE CASCADE,
        PRIMARY KEY (sighting_id, sample_id)
      );
      CREATE INDEX sighting_faces_sample ON sighting_faces(sample_id);

      -- The vectors linking compares a new sighting with, a bounded best-kept few per identity and kind.
      CREATE TABLE identity_exemplars (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        identity_id INTEGER NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
        sighting_id INTEGER NOT NULL REFERENCES sightings(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('face', 'appearance')),
        quality REAL NOT NULL,
        face BLOB,
        face_model TEXT,
        upper BLOB,
        lower BLOB,
        features BLOB,
        created_ms INTEGER NOT NULL,
        UNIQUE (sighting_id, kind),
        CHECK ((kind = 'face' AND face IS NOT NULL AND face_model IS NOT NULL) OR (kind = 'appearance' AND upper IS NOT NULL AND lower IS NOT NULL))
      );
      CREATE INDEX identity_exemplars_identity ON identity_exemplars(identity_id, kind, quality);

      CREATE TABLE presence_segments (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        identity_id INTEGER NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
        camera_id INTEGER NOT NULL REFERENCES cameras(id) ON DELETE CASCADE,
        start_ms INTEGER NOT NULL,
        end_ms INTEGER NOT NULL,
        CHECK (end_ms >= start_ms)
      );
      CREATE INDEX presence_identity_camera ON presence_segments(identity_id, camera_id, end_ms);
      CREATE INDEX presence_camera ON presence_segments(camera_id);

      -- Two sightings an operator split apart or marked "not the same": linking and maintenance never join them again.
      CREATE TABLE identity_never (
        sighting_a INTEGER NOT NULL REFERENCES sightings(id) ON DELETE CASCADE,
        sighting_b INTEGER NOT NULL REFERENCES sightings(id) ON DELETE CASCADE,
        created_ms INTEGER NOT NULL,
        PRIMARY KEY (sighting_a, sighting_b),
        CHECK (sighting_a < sighting_b)
      );
      CREATE INDEX identity_never_b ON identity_never(sighting_b);

      -- The undo log: one row per operation; the exact previous rows it changed are JSON in identity_op_rows.
      CREATE TABLE identity_ops (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL CHECK (kind IN ('merge', 'split', 'rename', 'delete', 'not_same')),
        batch_id INTEGER,
        created_ms INTEGER NOT NULL,
        expires_ms INTEGER NOT NULL,
        undone INTEGER NOT NULL DEFAULT 0 CHECK (undone IN (0, 1)),
        undone_ms INTEGER,
        identity_ids TEXT NOT NULL DEFAULT '[]',
        detail TEXT NOT NULL DEFAULT '',
        payload TEXT NOT NULL DEFAULT '{}'
      );
      CREATE INDEX identity_ops_created ON identity_ops(created_ms DESC, id DESC);
      CREATE INDEX identity_ops_expires ON identity_ops(expires_ms);
      CREATE INDEX identity_ops_batch ON identity_ops(batch_id) WHERE batch_id IS NOT NULL;

      CREATE TABLE identity_op_rows (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        op_id INTEGER NOT NULL REFERENCES identity_ops(id) ON DELETE CASCADE,
        tbl TEXT NOT NULL,
        row TEXT NOT NULL
      );
      CREATE INDEX identity_op_rows_op ON identity_op_rows(op_id, tbl, id);

      -- events.identity_id (migration 003) named nothing until now and has no foreign key (SQLite cannot add one without
      -- rebuilding events): clear what is there, index it, and detach events when an identity row goes.
      UPDATE events SET identity_id = NULL WHERE identity_id IS NOT NULL;
      CREATE INDEX events_identity ON events(identity_id) WHERE identity_id IS NOT NULL;
      CREATE TRIGGER identities_detach_events AFTER DELETE ON identities BEGIN
        UPDATE events SET identity_id = NULL WHERE identity_id = OLD.id;
      END;
    `);
  },
};
