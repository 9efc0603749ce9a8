// Migration 006 (real SQLite file): a REST-stored ffmpeg_path is dropped; exports gain bytes and finished_ms.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from '../../src-main/repositories/db/database';
import { SqliteExportsRepository } from '../../src-main/repositories/events.repository';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('migration 006-owner-ffmpeg-export-sizes', () => {
  it('drops the stored ffmpeg_path, keeps other settings, and sizes exports', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-mig-'));
    dirs.push(dir);
    const file = join(dir, 'vigil.db');
    const v5 = openDatabase({ file, targetVersion: 5 });
    v5.prepare("INSERT INTO settings (key, value) VALUES ('ffmpeg_path', '\"/tmp/w.sh\"'), ('live_mjpeg_fps', '5')").run();
    v5.prepare("INSERT INTO cameras (name, source_kind, url_enc) VALUES ('a', 'file', x'00')").run();
    v5.prepare("INSERT INTO exports (id, camera_id, from_ms, to_ms, state, percent, file_path) VALUES ('e1', 1, 0, 1000, 'done', 100, 'exports/e1.mp4')").run();
    v5.close();

    const db = openDatabase({ file, targetVersion: 6 });
    try {
      expect(schemaVersion(db)).toBe(6);
      expect(db.prepare('SELECT key, value FROM settings ORDER BY key').raw().all()).toEqual([['live_mjpeg_fps', '5']]);
      const repo = new SqliteExportsRepository(db);
      expect(repo.get('e1')).toMatchObject({ id: 'e1', bytes: null, finished_ms: null, state: 'done' });
      expect(Math.abs((repo.get('e1')?.created_ms ?? 0) - Date.now())).toBeLessThan(60_000);
      repo.update('e1', { bytes: 1234, finished_ms: 5 });
      expect(repo.totals()).toEqual({ count: 1, bytes: 1234 });
      expect(repo.removable().map((r) => r.id)).toEqual(['e1']);
    } finally {
      db.close();
    }
  });
});
