// Migration 003 (real SQLite file): segments/events/motion_activity/exports over a seeded v2 database; FK cascade from cameras.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from '../../src-main/repositories/db/database';
import { migrations } from '../../src-main/repositories/db/migrations';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('migration 003-recordings', () => {
  it('migrates 2 → 3 keeping cameras, and cascades camera deletes to segments, events, activity and exports', () => {
    expect(migrations[2]?.version).toBe(3);
    const dir = mkdtempSync(join(tmpdir(), 'vigil-mig-'));
    dirs.push(dir);
    const file = join(dir, 'vigil.db');
    const v2 = openDatabase({ file, targetVersion: 2 });
    v2.prepare("INSERT INTO cameras (name, source_kind, url_enc, url_host) VALUES ('Door', 'rtsp', x'00', '127.0.0.1'), ('Yard', 'file', x'00', '')").run();
    v2.close();

    const db = openDatabase({ file, targetVersion: 3 });
    try {
      expect(schemaVersion(db)).toBe(3);
      expect(db.prepare('SELECT name FROM cameras ORDER BY id').pluck().all()).toEqual(['Door', 'Yard']);
      db.prepare("INSERT INTO segments (camera_id, path, start_ms, end_ms, bytes, sha256) VALUES (1, 'segments/1/a.ts', 0, 4000, 10, 'x'), (2, 'segments/2/b.ts', 0, 4000, 10, 'y')").run();
      expect(() => db.prepare("INSERT INTO segments (camera_id, path, start_ms, end_ms, bytes) VALUES (1, 'segments/1/a.ts', 5, 6, 1)").run()).toThrow(/UNIQUE/);
      expect(() => db.prepare("INSERT INTO segments (camera_id, path, start_ms, end_ms, bytes) VALUES (1, 'segments/1/c.ts', 6, 5, 1)").run()).toThrow(/CHECK/);
      expect(() => db.prepare("INSERT INTO segments (camera_id, path, start_ms, end_ms, bytes) VALUES (99, 'segments/99/c.ts', 0, 5, 1)").run()).toThrow(/FOREIGN KEY/);
      db.prepare("INSERT INTO events (camera_id, label, source, started_ms, last_ms, window_start_ms) VALUES (1, 'motion', 'motion', 1000, 1000, 0), (2, 'manual', 'manual', 1000, 1000, 0)").run();
      expect(() => db.prepare("INSERT INTO events (camera_id, label, source, started_ms, last_ms, window_start_ms) VALUES (1, 'x', 'bogus', 1, 1, 0)").run()).toThrow(/CHECK/);
      const ev = db.prepare('SELECT * FROM events WHERE camera_id = 1').get() as Record<string, unknown>;
      expect(ev).toMatchObject({ retain: 0, boxes: '[]', ended_ms: null, clip_path: null });
      db.prepare('INSERT INTO motion_activity (camera_id, minute_ms, frames, motion_frames, max_area) VALUES (1, 0, 10, 2, 0.1)').run();
      db.prepare("INSERT INTO exports (id, camera_id, from_ms, to_ms, state) VALUES ('e1', 1, 0, 1, 'queued')").run();

      db.prepare('DELETE FROM cameras WHERE id = 1').run();
      for (const t of ['segments', 'events', 'motion_activity', 'exports']) {
        expect(db.prepare(`SELECT COUNT(*) FROM ${t} WHERE camera_id = 1`).pluck().get()).toBe(0);
      }
      expect(db.prepare('SELECT COUNT(*) FROM segments WHERE camera_id = 2').pluck().get()).toBe(1);
      expect(db.prepare('SELECT COUNT(*) FROM events WHERE camera_id = 2').pluck().get()).toBe(1);
    } finally {
      db.close();
    }
  });
});
