// Migration 002 (real SQLite file in a temp dir): cameras table over a seeded v1 database, with the pre-migration backup.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from '../../src-main/repositories/db/database';
import { migrations } from '../../src-main/repositories/db/migrations';
import { SqliteSettingsRepository } from '../../src-main/repositories/settings.repository';
import { SecretBox, SqliteSecretsRepository } from '../../src-main/repositories/secrets.repository';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('migration 002-cameras', () => {
  it('is version 2', () => {
    expect(migrations[1]?.version).toBe(2);
    expect(migrations[1]?.name).toBe('cameras');
  });

  it('migrates 1 → 2 over seeded rows, keeps them, backs up the v1 file first, and creates a constrained cameras table', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-mig-'));
    dirs.push(dir);
    const file = join(dir, 'vigil.db');
    const box = new SecretBox(Buffer.alloc(32, 9));

    const v1 = openDatabase({ file, targetVersion: 1 });
    new SqliteSettingsRepository(v1).writeMany({ auth_required: true, segment_seconds: 6 });
    new SqliteSecretsRepository(v1, box).set('api_key', 'vgl_seeded_key_value');
    v1.close();

    const db = openDatabase({ file, targetVersion: 2 });
    try {
      expect(schemaVersion(db)).toBe(2);
      expect(new SqliteSettingsRepository(db).readAll()).toEqual({ auth_required: true, segment_seconds: 6 });
      expect(new SqliteSecretsRepository(db, box).get('api_key')).toBe('vgl_seeded_key_value');

      const cols = db.prepare('PRAGMA table_info(cameras)').all() as { name: string; type: string; notnull: number; dflt_value: string | null; pk: number }[];
      const byName = Object.fromEntries(cols.map((c) => [c.name, c]));
      expect(Object.keys(byName)).toEqual(['id', 'name', 'source_kind', 'url_enc', 'url_host', 'enabled', 'is_demo', 'recording_mode', 'config', 'status', 'last_seen', 'last_error', 'created_at', 'updated_at']);
      expect(byName.id?.pk).toBe(1);
      expect(byName.url_enc?.type).toBe('BLOB');
      expect(byName.url_enc?.notnull).toBe(1);

      const sealed = box.seal('rtsp://user:pass@127.0.0.1:8554/cam');
      const id = db.prepare("INSERT INTO cameras (name, source_kind, url_enc, url_host) VALUES ('Door', 'rtsp', ?, '127.0.0.1')").run(sealed).lastInsertRowid;
      const row = db.prepare('SELECT * FROM cameras WHERE id = ?').get(id) as Record<string, unknown>;
      expect(row).toMatchObject({ enabled: 1, is_demo: 0, recording_mode: 'continuous', config: '{}', status: 'offline', last_seen: null, last_error: null });
      expect(box.open(row.url_enc as Buffer)).toBe('rtsp://user:pass@127.0.0.1:8554/cam');
      expect(row.created_at).toMatch(/Z$/);
      expect(() => db.prepare("INSERT INTO cameras (name, source_kind, url_enc) VALUES ('x', 'smb', x'00')").run()).toThrow(/CHECK constraint/);
      expect(() => db.prepare("INSERT INTO cameras (name, source_kind, url_enc, recording_mode) VALUES ('x', 'rtsp', x'00', 'sometimes')").run()).toThrow(/CHECK constraint/);
    } finally {
      db.close();
    }

    const backups = readdirSync(join(dir, 'backups'));
    expect(backups).toHaveLength(1);
    expect(backups[0]).toMatch(/^vigil-v1-.*\.db$/);
    const backup = new BetterSqlite3(join(dir, 'backups', backups[0] as string), { readonly: true });
    try {
      expect(backup.pragma('user_version', { simple: true })).toBe(1);
      expect(backup.prepare("SELECT value FROM settings WHERE key = 'segment_seconds'").pluck().get()).toBe('6');
      expect(backup.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'cameras'").pluck().get()).toBe(0);
    } finally {
      backup.close();
    }
  });

  it('rolls back a failing migration: version and data stay at v1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-mig-'));
    dirs.push(dir);
    const file = join(dir, 'vigil.db');
    const v1 = openDatabase({ file, targetVersion: 1 });
    new SqliteSettingsRepository(v1).writeMany({ segment_seconds: 6 });
    v1.close();
    const broken = [
      migrations[0]!,
      {
        version: 2,
        name: 'cameras-then-crash',
        up: (db: BetterSqlite3.Database) => {
          migrations[1]!.up(db);
          throw new Error('disk full');
        },
      },
    ];
    expect(() => openDatabase({ file, migrations: broken })).toThrow('disk full');
    const db = openDatabase({ file, targetVersion: 1 });
    try {
      expect(schemaVersion(db)).toBe(1);
      expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'cameras'").pluck().get()).toBe(0);
      expect(new SqliteSettingsRepository(db).readAll()).toEqual({ segment_seconds: 6 });
    } finally {
      db.close();
    }
  });
});
