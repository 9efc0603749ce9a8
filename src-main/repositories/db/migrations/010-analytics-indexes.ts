// 010: covering indexes for GET /api/identities/analytics, which read identity and presence rows one by one (about
// 150 ms of synchronous SQLite at 100k sightings; half of it goes with these).
import type { Migration } from './index';

export const m010AnalyticsIndexes: Migration = {
  version: 10,
  name: 'analytics-indexes',
  up(db) {
    db.exec(`
      CREATE INDEX identities_class_summary ON identities(object_class, is_named, created_ms, last_seen_ms, num_sightings);
      CREATE INDEX presence_identity_cover ON presence_segments(identity_id, camera_id, start_ms, end_ms);
    `);
  },
};
