// Migration 004 (real SQLite file): coverage_spans derived from existing segments, then kept in step by the segments repository.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from '../../src-main/repositories/db/database';
import { SqliteSegmentsRepository } from '../../src-main/repositories/segments.repository';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const spans = (db: ReturnType<typeof openDatabase>, cam: number) => db.prepare('SELECT start_ms, end_ms FROM coverage_spans WHERE camera_id = ? ORDER BY start_ms').raw().all(cam);

describe('migration 004-coverage-spans', () => {
  it('derives merged spans (gap ≤ 2 s) from v3 segments and maintains them on insert and delete', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-mig-'));
    dirs.push(dir);
    const file = join(dir, 'vigil.db');
    const v3 = openDatabase({ file, targetVersion: 3 });
    v3.prepare("INSERT INTO cameras (name, source_kind, url_enc) VALUES ('a', 'file', x'00'), ('b', 'file', x'00')").run();
    const ins = v3.prepare('INSERT INTO segments (camera_id, path, start_ms, end_ms, bytes) VALUES (?, ?, ?, ?, 1)');
    for (const [cam, s] of [[1, 0], [1, 4000], [1, 9000], [1, 20_000], [2, 0]] as const) ins.run(cam, `segments/${cam}/${s}.ts`, s, s + 4000);
    v3.close();

    const db = openDatabase({ file, targetVersion: 4 });
    try {
      expect(schemaVersion(db)).toBe(4);
      expect(spans(db, 1)).toEqual([[0, 13_000], [20_000, 24_000]]);
      expect(spans(db, 2)).toEqual([[0, 4000]]);
      const repo = new SqliteSegmentsRepository(db);
      const seg = (s: number) => ({ camera_id: 1, path: `segments/1/x${s}.ts`, start_ms: s, end_ms: s + 4000, bytes: 1, codec: null, width: null, height: null, sha256: null });
      repo.insert(seg(14_500));
      expect(spans(db, 1)).toEqual([[0, 24_000]]);
      repo.insert(seg(40_000));
      repo.insert(seg(32_000));
      expect(spans(db, 1)).toEqual([[0, 24_000], [32_000, 36_000], [40_000, 44_000]]);
      const mid = db.prepare("SELECT id FROM segments WHERE path = 'segments/1/9000.ts'").pluck().get() as number;
      repo.deleteIds([mid]);
      expect(spans(db, 1)).toEqual([[0, 8000], [14_500, 24_000], [32_000, 36_000], [40_000, 44_000]]);
      expect(repo.coverage(null, 5000, 33_000).map((r) => [r.camera_id, r.start_ms, r.end_ms])).toEqual([[1, 0, 8000], [1, 14_500, 24_000], [1, 32_000, 36_000]]);
      repo.deleteCamera(1);
      expect(spans(db, 1)).toEqual([]);
    } finally {
      db.close();
    }
  });
});
