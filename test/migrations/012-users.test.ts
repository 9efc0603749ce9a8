// Migration 012 (real SQLite file): users with a role check and unique names/keys, revoked session tokens, Backflow
// camera slugs and the Flex tables.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from '../../src-main/repositories/db/database';
import { migrations } from '../../src-main/repositories/db/migrations';
import { m012Users } from '../../src-main/repositories/db/migrations/012-users';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('migration 012-users', () => {
  it('upgrades the previous schema, keeps its rows, and enforces roles and unique usernames and keys', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-mig-'));
    dirs.push(dir);
    const file = join(dir, 'vigil.db');
    const prev = m012Users.version - 1;
    const before = openDatabase({ file, targetVersion: prev });
    before.prepare("INSERT INTO cameras (name, source_kind, url_enc) VALUES ('a', 'file', x'00')").run();
    before.close();
    const db = openDatabase({ file, targetVersion: m012Users.version });
    try {
      expect(schemaVersion(db)).toBe(m012Users.version);
      expect(migrations.at(m012Users.version - 1)).toBe(m012Users);
      expect((db.prepare('SELECT COUNT(*) AS n FROM cameras').get() as { n: number }).n).toBe(1);
      const add = db.prepare('INSERT INTO users (username, role, password_hash, api_key_hash, created_ms) VALUES (?, ?, ?, ?, 0)');
      add.run('ada', 'admin', '$argon2id$x', Buffer.from('k1'));
      add.run('vic', 'viewer', '$argon2id$y', null);
      add.run('ops', 'operator', '$argon2id$z', null);
      expect(() => add.run('ada', 'viewer', 'h', null)).toThrow(/UNIQUE/);
      expect(() => add.run('eve', 'root', 'h', null)).toThrow(/CHECK/);
      expect(() => add.run('eve', 'viewer', 'h', Buffer.from('k1'))).toThrow(/UNIQUE/);
      expect((db.prepare("SELECT sessions_epoch FROM users WHERE username = 'vic'").get() as { sessions_epoch: number }).sessions_epoch).toBe(0);
      db.prepare('INSERT INTO revoked_tokens (jti, expires_ms) VALUES (?, ?)').run('j1', 5);
      expect(db.prepare('SELECT jti FROM revoked_tokens WHERE expires_ms < 10').all()).toEqual([{ jti: 'j1' }]);
      // Backflow slugs: the existing camera has none yet; a slug is unique.
      expect(db.prepare('SELECT slug FROM cameras').all()).toEqual([{ slug: null }]);
      db.prepare("UPDATE cameras SET slug = 'a'").run();
      expect(() => db.prepare("INSERT INTO cameras (name, source_kind, url_enc, slug) VALUES ('b', 'file', x'00', 'a')").run()).toThrow(/UNIQUE/);
      // Flex: a webhook's delivery history goes with it.
      db.prepare("INSERT INTO webhooks (id, url, events_json, secret_enc, created_ms) VALUES ('h', 'http://x', 'null', x'00', 0)").run();
      db.prepare("INSERT INTO webhook_deliveries (webhook_id, event, attempt, ok, duration_ms, at_ms) VALUES ('h', 'e', 1, 1, 5, 0)").run();
      db.prepare("DELETE FROM webhooks WHERE id = 'h'").run();
      expect((db.prepare('SELECT COUNT(*) AS n FROM webhook_deliveries').get() as { n: number }).n).toBe(0);
      db.prepare("INSERT INTO pipelines (id, name, spec_json, created_ms, updated_ms) VALUES ('p', 'P', '{}', 0, 0)").run();
      db.prepare("INSERT INTO flex_settings (key, value_json) VALUES ('device_name', '\"x\"')").run();
    } finally {
      db.close();
    }
  });
});
