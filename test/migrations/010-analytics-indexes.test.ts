// Migration 010 (real SQLite file): the analytics summary and the per-camera dwell read covering indexes only.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from '../../src-main/repositories/db/database';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const plan = (db: ReturnType<typeof openDatabase>, sql: string): string => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('person') as { detail: string }[]).map((r) => r.detail).join(' | ');

describe('migration 010-analytics-indexes', () => {
  it('upgrades a v9 database and the analytics queries use covering indexes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-mig-'));
    dirs.push(dir);
    const file = join(dir, 'vigil.db');
    const v9 = openDatabase({ file, targetVersion: 9 });
    v9.prepare("INSERT INTO cameras (name, source_kind, url_enc) VALUES ('a', 'file', x'00')").run();
    v9.close();
    const db = openDatabase({ file, targetVersion: 10 });
    try {
      expect(schemaVersion(db)).toBe(10);
      expect(plan(db, 'SELECT COUNT(*), SUM(is_named), SUM(created_ms >= 0), SUM(last_seen_ms >= 0), SUM(num_sightings) FROM identities WHERE object_class = ?')).toMatch(/COVERING INDEX identities_class_summary/);
      expect(plan(db, 'SELECT p.camera_id, AVG(p.end_ms - p.start_ms) FROM presence_segments p JOIN identities i ON i.id = p.identity_id WHERE i.object_class = ? GROUP BY p.camera_id')).toMatch(/COVERING INDEX presence_identity_cover/);
    } finally {
      db.close();
    }
  });
});
