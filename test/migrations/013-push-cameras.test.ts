// Migration 013 (real SQLite file): the cameras check gains 'push' in place; rows, foreign keys and the other checks
// survive, and the schema is sound when the file is reopened.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from '../../src-main/repositories/db/database';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('migration 013-push-cameras', () => {
  it('upgrades a v12 database: push cameras are accepted, everything else still checked, nothing lost', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-mig-'));
    dirs.push(dir);
    const file = join(dir, 'vigil.db');
    const v12 = openDatabase({ file, targetVersion: 12 });
    const cam = Number(v12.prepare("INSERT INTO cameras (name, source_kind, url_enc) VALUES ('gate', 'rtsp', x'00')").run().lastInsertRowid);
    v12.prepare("INSERT INTO events (camera_id, label, source, started_ms, last_ms, window_start_ms, boxes) VALUES (?, 'person', 'motion', 1, 1, 1, '[]')").run(cam);
    expect(() => v12.prepare("INSERT INTO cameras (name, source_kind, url_enc) VALUES ('x', 'push', x'00')").run()).toThrow(/CHECK/);
    v12.close();

    const db = openDatabase({ file, targetVersion: 13 });
    try {
      expect(schemaVersion(db)).toBe(13);
      db.prepare("INSERT INTO cameras (name, source_kind, url_enc) VALUES ('kiosk', 'push', x'00')").run();
      expect(() => db.prepare("INSERT INTO cameras (name, source_kind, url_enc) VALUES ('x', 'smoke', x'00')").run()).toThrow(/CHECK/);
      expect(() => db.prepare("UPDATE cameras SET recording_mode = 'sometimes' WHERE id = ?").run(cam)).toThrow(/CHECK/);
      expect(db.prepare('SELECT COUNT(*) FROM events WHERE camera_id = ?').pluck().get(cam)).toBe(1);
      expect(db.pragma('foreign_key_check')).toEqual([]);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
    const again = openDatabase({ file });
    try {
      expect(again.prepare("SELECT COUNT(*) FROM cameras WHERE source_kind = 'push'").pluck().get()).toBe(1);
    } finally {
      again.close();
    }
  });
});
