// Migration 001 (real SQLite file in a temp dir): settings + secrets tables from an empty database.
import { mkdtempSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from '../../src-main/repositories/db/database';
import { migrations } from '../../src-main/repositories/db/migrations';
import { SqliteSettingsRepository } from '../../src-main/repositories/settings.repository';
import { SecretBox, SqliteSecretsRepository } from '../../src-main/repositories/secrets.repository';

const dirs: string[] = [];
const tempDb = () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-mig-'));
  dirs.push(dir);
  return { dir, file: join(dir, 'vigil.db') };
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const columns = (db: ReturnType<typeof openDatabase>, table: string) =>
  (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string; type: string; notnull: number; pk: number }[]).map((c) => `${c.name}:${c.type}:${c.notnull}:${c.pk}`);

describe('migration 001-initial', () => {
  it('is version 1 and first in the list', () => {
    expect(migrations[0]?.version).toBe(1);
    expect(migrations[0]?.name).toBe('initial');
  });

  it('migrates 0 → 1: creates settings and secrets, in WAL mode, and the repositories work on it', () => {
    const { file, dir } = tempDb();
    const v0 = openDatabase({ file, targetVersion: 0 });
    expect(schemaVersion(v0)).toBe(0);
    v0.exec('CREATE TABLE operator_notes (body TEXT)');
    v0.prepare('INSERT INTO operator_notes VALUES (?)').run('pre-existing row');
    v0.close();

    const db = openDatabase({ file, targetVersion: 1 });
    try {
      expect(schemaVersion(db)).toBe(1);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(columns(db, 'settings')).toEqual(['key:TEXT:0:1', 'value:TEXT:1:0', 'updated_at:TEXT:1:0']);
      expect(columns(db, 'secrets')).toEqual(['name:TEXT:0:1', 'value:BLOB:1:0', 'updated_at:TEXT:1:0']);
      expect(db.prepare('SELECT body FROM operator_notes').pluck().get()).toBe('pre-existing row');

      const settings = new SqliteSettingsRepository(db);
      settings.writeMany({ live_mjpeg_fps: 5, ui_tile_order: [3, 1] });
      expect(settings.readAll()).toEqual({ live_mjpeg_fps: 5, ui_tile_order: [3, 1] });
      const ts = db.prepare("SELECT updated_at FROM settings WHERE key = 'live_mjpeg_fps'").pluck().get() as string;
      expect(ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

      const box = new SecretBox(Buffer.alloc(32, 7));
      const secrets = new SqliteSecretsRepository(db, box);
      secrets.set('api_key', 'vgl_secret_value');
      expect(secrets.get('api_key')).toBe('vgl_secret_value');
      const raw = db.prepare("SELECT value FROM secrets WHERE name = 'api_key'").pluck().get() as Buffer;
      expect(raw.includes(Buffer.from('vgl_secret_value'))).toBe(false);
    } finally {
      db.close();
    }
    // From v0 there is nothing worth keeping, so no backup is taken.
    expect(existsSync(join(dir, 'backups')) ? readdirSync(join(dir, 'backups')) : []).toEqual([]);
  });

  it('refuses a database newer than this build and leaves it untouched', () => {
    const { file } = tempDb();
    openDatabase({ file, targetVersion: 1 }).close();
    const db = openDatabase({ file, targetVersion: 1 });
    db.pragma(`user_version = ${migrations.length + 1}`);
    db.close();
    expect(() => openDatabase({ file })).toThrow(/newer than this Vigil/);
  });
});
