// 011: push cameras (Verify AI Streams): streams, their policies, single-use pairing codes and the verification log.
import type { Migration } from './index';

export const m011Streams: Migration = {
  version: 11,
  name: 'streams',
  up(db) {
    db.exec(`
      CREATE TABLE stream_policies (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        rules TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL
      );

      CREATE TABLE streams (
        id TEXT PRIMARY KEY,
        camera_id INTEGER REFERENCES cameras(id) ON DELETE SET NULL,
        name TEXT NOT NULL,
        location TEXT,
        asset_type TEXT,
        region TEXT,
        expected_throughput INTEGER,
        site_id TEXT,
        policy_id TEXT REFERENCES stream_policies(id) ON DELETE SET NULL,
        status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'archived')),
        group_id TEXT,
        last_frame_ms INTEGER,
        token_hash TEXT,
        created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL
      );
      CREATE INDEX streams_group ON streams(group_id) WHERE group_id IS NOT NULL;
      CREATE INDEX streams_policy ON streams(policy_id);
      CREATE INDEX streams_camera ON streams(camera_id);

      -- Only a digest of each code is kept; consumed_ms flips on the one successful exchange.
      CREATE TABLE stream_pairing_codes (
        code_digest TEXT PRIMARY KEY,
        stream_id TEXT NOT NULL REFERENCES streams(id) ON DELETE CASCADE,
        expires_ms INTEGER NOT NULL,
        consumed_ms INTEGER,
        created_ms INTEGER NOT NULL
      );
      CREATE INDEX stream_pairing_stream ON stream_pairing_codes(stream_id);

      CREATE TABLE stream_verifications (
        frame_id TEXT PRIMARY KEY,
        stream_id TEXT NOT NULL REFERENCES streams(id) ON DELETE CASCADE,
        policy_id TEXT,
        decision_id TEXT,
        ts_ms INTEGER NOT NULL,
        is_compliant INTEGER NOT NULL CHECK (is_compliant IN (0, 1)),
        detections TEXT NOT NULL,
        reasons TEXT NOT NULL,
        latency_ms REAL NOT NULL
      );
      CREATE INDEX stream_verifications_stream ON stream_verifications(stream_id, ts_ms DESC);
      CREATE INDEX stream_verifications_decision ON stream_verifications(decision_id) WHERE decision_id IS NOT NULL;
    `);
  },
};
