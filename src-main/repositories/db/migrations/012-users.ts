// 012: users with roles (admin, operator, viewer), Argon2id password hashes and hashed personal API keys; revoked
// session tokens (a logout must outlive a restart until the token would have expired anyway); the Flex family's
// pipelines, webhooks (sealed secrets, delivery history) and settings; Backflow's stable camera slugs.
import type { Migration } from './index';

export const m012Users: Migration = {
  version: 12,
  name: 'users',
  up(db) {
    db.exec(`
      CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
        password_hash TEXT NOT NULL,
        api_key_hash BLOB UNIQUE,
        sessions_epoch INTEGER NOT NULL DEFAULT 0,
        created_ms INTEGER NOT NULL
      );
      CREATE TABLE revoked_tokens (
        jti TEXT PRIMARY KEY,
        expires_ms INTEGER NOT NULL
      );
      CREATE INDEX revoked_tokens_expiry ON revoked_tokens(expires_ms);
      CREATE TABLE pipelines (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        spec_json TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL
      );
      CREATE TABLE webhooks (
        id TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        events_json TEXT NOT NULL,
        secret_enc BLOB NOT NULL,
        created_ms INTEGER NOT NULL
      );
      CREATE TABLE webhook_deliveries (
        id INTEGER PRIMARY KEY,
        webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
        event TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        ok INTEGER NOT NULL,
        status INTEGER,
        error TEXT,
        duration_ms INTEGER NOT NULL,
        at_ms INTEGER NOT NULL
      );
      CREATE INDEX webhook_deliveries_hook ON webhook_deliveries(webhook_id, id);
      CREATE TABLE flex_settings (
        key TEXT PRIMARY KEY,
        value_json TEXT NOT NULL
      );
      ALTER TABLE cameras ADD COLUMN slug TEXT;
      CREATE UNIQUE INDEX cameras_slug ON cameras(slug) WHERE slug IS NOT NULL;
    `);
  },
};
