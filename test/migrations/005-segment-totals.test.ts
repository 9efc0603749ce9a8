// Migration 005 (real SQLite file): per-camera segment totals seeded from v4 rows and kept by triggers (insert, delete, cascade).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from '../../src-main/repositories/db/database';
import { SqliteSegmentsRepository } from '../../src-main/repositories/segments.repository';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('migration 005-segment-totals', () => {
  it('seeds totals from existing segments and keeps them in step with inserts, deletes and camera cascades', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-mig-'));
    dirs.push(dir);
    const file = join(dir, 'vigil.db');
    const v4 = openDatabase({ file, targetVersion: 4 });
    v4.prepare("INSERT INTO cameras (name, source_kind, url_enc) VALUES ('a', 'file', x'00'), ('b', 'file', x'00')").run();
    const seg = (cam: number, s: number, bytes: number) => ({ camera_id: cam, path: `segments/${cam}/${s}.ts`, start_ms: s, end_ms: s + 4000, bytes, codec: null, width: null, height: null, sha256: null });
    v4.prepare('INSERT INTO segments (camera_id, path, start_ms, end_ms, bytes) VALUES (1, ?, 0, 4000, 100), (1, ?, 4000, 8000, 50), (2, ?, 0, 4000, 7)').run('segments/1/0.ts', 'segments/1/4000.ts', 'segments/2/0.ts');
    v4.close();

    const db = openDatabase({ file, targetVersion: 5 });
    try {
      expect(schemaVersion(db)).toBe(5);
      const totals = () => db.prepare('SELECT camera_id, bytes, segments FROM segment_totals ORDER BY camera_id').raw().all();
      expect(totals()).toEqual([[1, 150, 2], [2, 7, 1]]);
      const repo = new SqliteSegmentsRepository(db);
      repo.insert(seg(1, 8000, 25));
      expect(totals()).toEqual([[1, 175, 3], [2, 7, 1]]);
      repo.deleteIds([db.prepare("SELECT id FROM segments WHERE path = 'segments/1/0.ts'").pluck().get() as number]);
      expect(totals()).toEqual([[1, 75, 2], [2, 7, 1]]);
      expect(repo.stats()).toEqual([
        { camera_id: 1, bytes: 75, segments: 2, oldest_ms: 4000, newest_ms: 12_000 },
        { camera_id: 2, bytes: 7, segments: 1, oldest_ms: 0, newest_ms: 4000 },
      ]);
      expect(repo.totalBytes()).toBe(82);
      db.prepare('DELETE FROM cameras WHERE id = 2').run();
      expect(totals()).toEqual([[1, 75, 2]]);
    } finally {
      db.close();
    }
  });
});
