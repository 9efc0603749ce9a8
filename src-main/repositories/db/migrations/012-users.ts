// 012: users with roles (admin, operator, viewer), Argon2id password hashes and hashed personal API keys, plus the
// revoked session tokens (a logout must outlive a restart until the token would have expired anyway).
import type { Migration } from './index';

export const m012Users: Migration = {
  version: 11, // 12 once issue 13's migration 011 is merged before it (the helper plan reserves 012 for this one)
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
    `);
  },
};
