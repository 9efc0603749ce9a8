// Migration 009 (real SQLite file): identities, sightings with link evidence, exemplars, presence, never pairs and the undo
// log, with their cascades, checks and the events.identity_id link that now names an identity.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion, type Db } from '../../src-main/repositories/db/database';
import { SqliteIdentitiesRepository, type NewSightingRow } from '../../src-main/repositories/identities.repository';
import { SqliteIdentityOpsRepository } from '../../src-main/repositories/identity-ops.repository';
import { SqliteEventsRepository } from '../../src-main/repositories/events.repository';
import { decodeF32 } from '../../src-main/repositories/embedding-blob';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const vec = (...xs: number[]): Float32Array => Float32Array.from(xs);

function sighting(identityId: number, cameraId: number, startMs: number, o: Partial<NewSightingRow> = {}): NewSightingRow {
  return {
    identity_id: identityId,
    camera_id: cameraId,
    event_id: null,
    track_id: 7,
    object_class: 'person',
    start_ms: startMs,
    end_ms: startMs + 4000,
    best_ms: startMs + 1000,
    best_score: 0.8,
    best_box: [0.1, 0.2, 0.3, 0.4],
    app_upper: vec(0.5, 0.5),
    app_lower: vec(0.25, 0.75),
    app_features: null,
    face_embedding: vec(0.6, 0.8),
    face_model: 'm',
    person_id: null,
    color: null,
    color_hex: null,
    link_kind: 'new',
    link_score: null,
    face_score: null,
    appearance_score: null,
    matched_sighting_id: null,
    gap_s: null,
    link_detail: 'new: nothing matched',
    created_ms: startMs + 5000,
    ...o,
  };
}

function tempDb(targetVersion?: number): { file: string; open: (v?: number) => Db } {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-mig-'));
  dirs.push(dir);
  const file = join(dir, 'vigil.db');
  return { file, open: (v = targetVersion) => openDatabase({ file, targetVersion: v }) };
}

describe('migration 009-identities', () => {
  it('migrates a v8 database with cameras, events and face samples, then keeps the documented cascades', () => {
    const t = tempDb();
    const v8 = t.open(8);
    v8.prepare("INSERT INTO cameras (name, source_kind, url_enc) VALUES ('Gate', 'file', x'00'), ('Yard', 'file', x'00')").run();
    // events.identity_id existed since 003 but named nothing: the migration clears stale values.
    v8.prepare("INSERT INTO events (camera_id, label, source, score, started_ms, ended_ms, last_ms, window_start_ms, window_end_ms, post_ms, boxes, identity_id) VALUES (1, 'person', 'detection', 0.9, 1000, 9000, 9000, 0, 10000, 1000, '[]', 42)").run();
    v8.prepare("INSERT INTO face_samples (camera_id, ts_ms, track_id, embedding, dim, model, quality) VALUES (1, 1500, 7, x'0000803f00000000', 2, 'm', 0.9)").run();
    v8.close();

    const db = t.open(9);
    try {
      expect(schemaVersion(db)).toBe(9);
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
      expect(tables).toEqual(expect.arrayContaining(['identities', 'sightings', 'sighting_faces', 'identity_exemplars', 'presence_segments', 'identity_never', 'identity_ops', 'identity_op_rows']));
      const events = new SqliteEventsRepository(db);
      expect(events.get(1)?.identity_id).toBeNull();
      const plan = db.prepare("EXPLAIN QUERY PLAN SELECT id FROM events WHERE identity_id = 5").all() as { detail: string }[];
      expect(plan.map((p) => p.detail).join(' ')).toMatch(/events_identity/);

      const repo = new SqliteIdentitiesRepository(db);
      const a = repo.create({ object_class: 'person', name: null, is_named: false, notes: null, now: 100 });
      const s1 = repo.insertSighting(sighting(a, 1, 1000, { event_id: 1 }));
      const s2 = repo.insertSighting(sighting(a, 2, 20_000, { event_id: 999, person_id: 5 }));
      // A missing event or person is stored as null, never a dangling id.
      expect(repo.sighting(s2)).toMatchObject({ event_id: null, person_id: null, camera_name: 'Yard', link_kind: 'new', has_face: 1, has_appearance: 1 });
      const blob = db.prepare('SELECT face_embedding, app_lower FROM sightings WHERE id = ?').get(s1) as { face_embedding: Buffer; app_lower: Buffer };
      expect([...blob.face_embedding]).toEqual([...Buffer.from(new Float32Array([0.6, 0.8]).buffer)]);
      expect([...decodeF32(blob.app_lower)]).toEqual([0.25, 0.75]);
      repo.addSightingFaces(s1, [1, 999]);
      expect(repo.faceSampleIdsOf([s1]).get(s1)).toEqual([1]);
      repo.addExemplar({ identity_id: a, sighting_id: s1, kind: 'face', quality: 0.5, face: vec(0.6, 0.8), face_model: 'm', upper: null, lower: null, features: null, created_ms: 1 });
      repo.addPresence(a, 1, 1000, 5000, 60_000);
      repo.addPresence(a, 2, 20_000, 24_000, 60_000);
      repo.linkEvent(1, a);
      repo.refreshDerived(a, { face: true, color: true });
      repo.setSightingCrop(s1, 'identities/1/x.jpg');
      repo.refreshDerived(a, { face: true, color: true });
      expect(repo.get(a)).toMatchObject({ rep_sighting_id: s1, face_sample_id: 1 });
      expect(repo.addNever([[s2, s1]], 5)).toEqual([[s1, s2]]);
      expect(repo.neverTogether(s2, s1)).toBe(true);

      // Checks: a face needs its model, appearance halves go together, a never pair is ordered, a kind is one of four.
      expect(() => repo.insertSighting(sighting(a, 1, 1, { face_model: null }))).toThrow(/CHECK/);
      expect(() => repo.insertSighting(sighting(a, 1, 1, { app_lower: null }))).toThrow(/CHECK/);
      expect(() => db.prepare('INSERT INTO identity_never (sighting_a, sighting_b, created_ms) VALUES (?, ?, 0)').run(s2, s1)).toThrow(/CHECK/);
      expect(() => db.prepare("UPDATE sightings SET link_kind = 'guess' WHERE id = ?").run(s1)).toThrow(/CHECK/);
      expect(() => repo.insertSighting(sighting(999, 1, 1))).toThrow(/FOREIGN KEY/);

      // Deleting a face sample: its sighting link goes and the identity's face thumbnail clears.
      db.prepare('DELETE FROM face_samples WHERE id = 1').run();
      expect(repo.faceSampleIdsOf([s1]).get(s1)).toBeUndefined();
      expect(repo.get(a)?.face_sample_id).toBeNull();
      // Deleting an event keeps its sightings (event_id → NULL).
      events.deleteIds([1]);
      expect(repo.sighting(s1)?.event_id).toBeNull();
      // Deleting a camera drops its sightings, their exemplars, never pairs and presence; the identity's rep clears.
      db.prepare('DELETE FROM cameras WHERE id = 1').run();
      expect(repo.sighting(s1)).toBeUndefined();
      expect(repo.get(a)).toMatchObject({ rep_sighting_id: null });
      expect(db.prepare('SELECT COUNT(*) FROM identity_exemplars').pluck().get()).toBe(0);
      expect(db.prepare('SELECT COUNT(*) FROM identity_never').pluck().get()).toBe(0);
      expect(db.prepare('SELECT camera_id FROM presence_segments').pluck().all()).toEqual([2]);
      // Deleting an identity cascades its sightings and presence, and detaches the events naming it.
      const e2 = events.insert({ camera_id: 2, label: 'person', source: 'detection', score: 0.9, started_ms: 20_000, ended_ms: 25_000, last_ms: 25_000, window_start_ms: 19_000, window_end_ms: 26_000, post_ms: 1000, best_ms: null, boxes: '[]' });
      repo.linkEvent(e2, a);
      expect(events.get(e2)?.identity_id).toBe(a);
      expect(repo.deleteIdentities([a])).toBe(1);
      expect(repo.sighting(s2)).toBeUndefined();
      expect(db.prepare('SELECT COUNT(*) FROM presence_segments').pluck().get()).toBe(0);
      expect(events.get(e2)?.identity_id).toBeNull();
    } finally {
      db.close();
    }
  });

  it('journals rows as exact JSON and restores them byte for byte, foreign keys checked at commit', () => {
    const db = tempDb().open();
    try {
      db.prepare("INSERT INTO cameras (name, source_kind, url_enc) VALUES ('Gate', 'file', x'00')").run();
      const repo = new SqliteIdentitiesRepository(db);
      const ops = new SqliteIdentityOpsRepository(db);
      const a = repo.create({ object_class: 'person', name: 'Ann', is_named: true, notes: null, now: 100 });
      const s = repo.insertSighting(sighting(a, 1, 1000, { best_score: 0.1 + 0.2, link_score: 1 / 3, gap_s: -0.7123456789012345 }));
      repo.setSightingCrop(s, 'identities/1/a.jpg');
      repo.bumpCounters(a, 1000, 5000, 200);
      repo.refreshDerived(a, { face: true, color: true });
      const before = {
        identities: db.prepare('SELECT * FROM identities').all(),
        sightings: db.prepare('SELECT * FROM sightings').all(),
      };
      const op = ops.create({ kind: 'delete', batch_id: null, created_ms: 1, expires_ms: 2, identity_ids: [a], detail: '', payload: {} });
      expect(ops.snapshot(op, 'identities.id', [a])).toBe(1);
      expect(ops.snapshot(op, 'sightings.identity', [a])).toBe(1);
      repo.deleteIdentities([a]);
      expect(db.prepare('SELECT COUNT(*) FROM sightings').pluck().get()).toBe(0);
      db.transaction(() => {
        ops.deferForeignKeys();
        // The sighting goes back before its identity: legal until the commit.
        expect(ops.restoreRows(op, 'sightings', 'insert')).toEqual([s]);
        expect(ops.restoreRows(op, 'identities', 'upsert')).toEqual([a]);
      })();
      expect(db.prepare('SELECT * FROM identities').all()).toEqual(before.identities);
      expect(db.prepare('SELECT * FROM sightings').all()).toEqual(before.sightings);
      // Restoring twice is harmless; a restore that would leave a dangling row fails as a whole at commit.
      expect(ops.restoreRows(op, 'sightings', 'insert')).toEqual([]);
      db.prepare('DELETE FROM identities').run();
      expect(() =>
        db.transaction(() => {
          ops.deferForeignKeys();
          db.prepare("INSERT INTO sightings (identity_id, camera_id, object_class, start_ms, end_ms, best_ms, best_score, best_box, link_kind, created_ms) VALUES (77, 1, 'person', 0, 0, 0, 0, '[]', 'new', 0)").run();
        })(),
      ).toThrow(/FOREIGN KEY/);
      // Deleting an operation drops its journal.
      ops.delete([op]);
      expect(db.prepare('SELECT COUNT(*) FROM identity_op_rows').pluck().get()).toBe(0);
    } finally {
      db.close();
    }
  });
});
