// Migration 007 (real SQLite file): events gain an `objects` JSON list; existing rows read as an empty list.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from '../../src-main/repositories/db/database';
import { SqliteEventsRepository } from '../../src-main/repositories/events.repository';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('migration 007-event-objects', () => {
  it('adds objects (default []) to existing and new events', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-mig-'));
    dirs.push(dir);
    const file = join(dir, 'vigil.db');
    const v6 = openDatabase({ file, targetVersion: 6 });
    v6.prepare("INSERT INTO cameras (name, source_kind, url_enc) VALUES ('a', 'file', x'00')").run();
    v6.prepare("INSERT INTO events (camera_id, label, source, score, started_ms, ended_ms, last_ms, window_start_ms, window_end_ms, post_ms, boxes) VALUES (1, 'motion', 'motion', 0.2, 1, 2, 2, 0, 3, 1, '[]')").run();
    v6.close();

    const db = openDatabase({ file, targetVersion: 7 });
    try {
      expect(schemaVersion(db)).toBe(7);
      const repo = new SqliteEventsRepository(db);
      expect(repo.get(1)?.objects).toBe('[]');
      const id = repo.insert({ camera_id: 1, label: 'person', source: 'detection', score: 0.9, started_ms: 10, ended_ms: null, last_ms: 10, window_start_ms: 5, window_end_ms: null, post_ms: 1000, best_ms: 10, boxes: '[]' });
      const objects = JSON.stringify([{ track_id: 3, label: 'person', best_score: 0.9, first_seen: 'a', last_seen: 'b', box: [0, 0, 1, 1] }]);
      expect(repo.update(id, { objects })).toBe(true);
      expect(repo.get(id)?.objects).toBe(objects);
    } finally {
      db.close();
    }
  });
});
