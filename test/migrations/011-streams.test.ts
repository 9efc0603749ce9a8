// Migration 011 (real SQLite file): streams, policies, pairing codes and the verification log; deleting a stream drops
// its codes and log, deleting its camera keeps the stream, and the status check refuses anything else.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from '../../src-main/repositories/db/database';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('migration 011-streams', () => {
  it('upgrades a v10 database with cameras and keeps them; the new tables enforce their rules', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-mig-'));
    dirs.push(dir);
    const file = join(dir, 'vigil.db');
    const v10 = openDatabase({ file, targetVersion: 10 });
    const cam = Number(v10.prepare("INSERT INTO cameras (name, source_kind, url_enc) VALUES ('gate', 'file', x'00')").run().lastInsertRowid);
    v10.close();
    const db = openDatabase({ file, targetVersion: 11 });
    try {
      expect(schemaVersion(db)).toBe(11);
      expect(db.prepare('SELECT name FROM cameras WHERE id = ?').pluck().get(cam)).toBe('gate');
      db.prepare("INSERT INTO stream_policies (id, name, rules, created_ms, updated_ms) VALUES ('pol_a', 'people', '{}', 1, 1)").run();
      db.prepare("INSERT INTO streams (id, camera_id, name, policy_id, created_ms, updated_ms) VALUES ('s1', ?, 'Gate', 'pol_a', 1, 1)").run(cam);
      expect(db.prepare("SELECT status FROM streams WHERE id = 's1'").pluck().get()).toBe('active');
      expect(() => db.prepare("UPDATE streams SET status = 'gone' WHERE id = 's1'").run()).toThrow(/CHECK/);
      db.prepare("INSERT INTO stream_pairing_codes (code_digest, stream_id, expires_ms, created_ms) VALUES ('d1', 's1', 10, 1)").run();
      db.prepare("INSERT INTO stream_verifications (frame_id, stream_id, ts_ms, is_compliant, detections, reasons, latency_ms) VALUES ('f1', 's1', 5, 1, '[]', '[]', 3.5)").run();
      db.prepare('DELETE FROM cameras WHERE id = ?').run(cam);
      expect(db.prepare("SELECT camera_id FROM streams WHERE id = 's1'").pluck().get()).toBeNull();
      db.prepare("DELETE FROM streams WHERE id = 's1'").run();
      expect(db.prepare('SELECT COUNT(*) FROM stream_pairing_codes').pluck().get()).toBe(0);
      expect(db.prepare('SELECT COUNT(*) FROM stream_verifications').pluck().get()).toBe(0);
      expect(db.prepare("SELECT COUNT(*) FROM stream_policies WHERE id = 'pol_a'").pluck().get()).toBe(1);
    } finally {
      db.close();
    }
  });
});
