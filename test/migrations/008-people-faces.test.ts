// Migration 008 (real SQLite file): people, face embeddings, face samples and negative feedback, with their cascades.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from '../../src-main/repositories/db/database';
import { SqlitePeopleRepository } from '../../src-main/repositories/people.repository';
import { SqliteFaceSamplesRepository } from '../../src-main/repositories/face-samples.repository';
import { SqliteEventsRepository } from '../../src-main/repositories/events.repository';
import { decodeF32 } from '../../src-main/repositories/embedding-blob';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const vec = (...xs: number[]): Float32Array => Float32Array.from(xs);

describe('migration 008-people-faces', () => {
  it('migrates a v7 database with cameras and events, then keeps the documented cascades', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-mig-'));
    dirs.push(dir);
    const file = join(dir, 'vigil.db');
    const v7 = openDatabase({ file, targetVersion: 7 });
    v7.prepare("INSERT INTO cameras (name, source_kind, url_enc) VALUES ('Door', 'file', x'00')").run();
    v7.prepare("INSERT INTO events (camera_id, label, source, score, started_ms, ended_ms, last_ms, window_start_ms, window_end_ms, post_ms, boxes, person_id, person_name) VALUES (1, 'person', 'detection', 0.9, 1000, 2000, 2000, 0, 3000, 1000, '[]', 1, 'Ann')").run();
    v7.close();

    const db = openDatabase({ file, targetVersion: 8 });
    try {
      expect(schemaVersion(db)).toBe(8);
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
      expect(tables).toEqual(expect.arrayContaining(['people', 'face_embeddings', 'face_samples', 'face_negatives']));
      const events = new SqliteEventsRepository(db);
      const people = new SqlitePeopleRepository(db);
      const samples = new SqliteFaceSamplesRepository(db);

      // Existing events are untouched, including a person_id that names nobody yet.
      expect(events.get(1)).toMatchObject({ person_id: 1, person_name: 'Ann' });

      const ann = people.create('Ann', 'front door');
      expect(ann).toBe(1);
      const face = people.addFace({ person_id: ann, embedding: vec(0.6, 0.8), model: 'm', image_path: 'faces/people/1/a.jpg', quality: 0.9, source_sample_id: null });
      const blob = db.prepare('SELECT embedding, dim FROM face_embeddings WHERE id = ?').get(face) as { embedding: Buffer; dim: number };
      expect(blob.dim).toBe(2);
      // Little-endian float32, byte for byte.
      expect([...blob.embedding]).toEqual([...Buffer.from(new Float32Array([0.6, 0.8]).buffer)]);
      expect([...decodeF32(blob.embedding)]).toEqual([...vec(0.6, 0.8)]);
      expect(() => db.prepare("INSERT INTO face_embeddings (person_id, embedding, dim, model) VALUES (1, x'0000', 2, 'm')").run()).toThrow(/CHECK/);

      const s = samples.insert({ camera_id: 1, ts_ms: 1500, track_id: 7, event_id: 1, embedding: vec(0.6, 0.8), model: 'm', quality: 0.7, crop_path: 'faces/samples/1/x.jpg', box: [0.1, 0.1, 0.2, 0.2], clothing: vec(1, 2, 3) });
      samples.setPerson([s], ann, 0.9);
      samples.addNegative(s, ann);
      expect(samples.negatives([s]).get(s)).toEqual(new Set([ann]));
      expect(samples.get(s)).toMatchObject({ camera_name: 'Door', person_name: 'Ann', event_id: 1, box: '[0.1,0.1,0.2,0.2]' });

      // Deleting a person: faces and negatives cascade, samples and events are detached, events keep person_name.
      expect(people.deleteIds([ann, 99])).toEqual([ann]);
      expect(db.prepare('SELECT COUNT(*) FROM face_embeddings').pluck().get()).toBe(0);
      expect(db.prepare('SELECT COUNT(*) FROM face_negatives').pluck().get()).toBe(0);
      expect(samples.get(s)).toMatchObject({ person_id: null });
      expect(events.get(1)).toMatchObject({ person_id: null, person_name: 'Ann' });

      // Deleting an event detaches its samples; deleting a camera removes them.
      events.deleteIds([1]);
      expect(samples.get(s)?.event_id).toBeNull();
      db.prepare('DELETE FROM cameras WHERE id = 1').run();
      expect(samples.get(s)).toBeUndefined();
    } finally {
      db.close();
    }
  });

  it('copies of a sample enrolled into a person survive the sample (source_sample_id → NULL)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-mig-'));
    dirs.push(dir);
    const db = openDatabase({ file: join(dir, 'vigil.db') });
    try {
      db.prepare("INSERT INTO cameras (name, source_kind, url_enc) VALUES ('Door', 'file', x'00')").run();
      const people = new SqlitePeopleRepository(db);
      const samples = new SqliteFaceSamplesRepository(db);
      const s = samples.insert({ camera_id: 1, ts_ms: 1, track_id: null, event_id: null, embedding: vec(1, 0), model: 'm', quality: 0.5, crop_path: null, box: null, clothing: null });
      const p = people.create('Bo', null);
      const f = people.addFace({ person_id: p, embedding: vec(1, 0), model: 'm', image_path: null, quality: 0.5, source_sample_id: s });
      samples.deleteIds([s]);
      expect(people.face(p, f)).toMatchObject({ source_sample_id: null });
      expect(people.get(p)?.num_faces).toBe(1);
    } finally {
      db.close();
    }
  });
});
