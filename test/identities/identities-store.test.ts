// The identity store's service side that no route shows: what linking reads (candidates, never-together lookups), the
// camera purge, undo after capture kept adding sightings, and writes serialised against each other.
// real: SQLite file, sharp crops, files (through the identities test server). mock: the face engine (port double).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCamera, dump, filesUnder, linkTo, NEW, startIdentitiesServer, summary, walker, type IdentitiesServer } from './identities-harness';
import type { IdentityDto } from '../../src-main/shared/contract/identities.contract';

let s: IdentitiesServer;
let gate: number;
let yard: number;
let lobby: number;
const T0 = Date.now() - 6 * 3_600_000;
const MIN = 60_000;

beforeAll(async () => {
  s = await startIdentitiesServer();
  gate = addCamera(s.db, 'Gate');
  yard = addCamera(s.db, 'Yard');
  lobby = addCamera(s.db, 'Lobby');
});

afterAll(async () => {
  await s?.stop();
});

describe('candidates(): what linking compares a new sighting with', () => {
  it('recent identities of a class with their exemplars and newest sighting per camera, each camera’s recent sightings, all bounded', async () => {
    const svc = s.identities.service;
    const old = await svc.addSighting(await summary(s, { camera_id: gate, start_ms: T0 - 48 * 60 * MIN, walker: walker(1), person_id: null }), NEW);
    const ann = s.db.prepare("INSERT INTO people (name) VALUES ('Ann')").run().lastInsertRowid as number;
    // An old identity recognised as Ann: outside the window, but asked for by person.
    const annOld = await svc.addSighting(await summary(s, { camera_id: gate, start_ms: T0 - 30 * 60 * MIN, walker: walker(2), person_id: ann }), NEW);
    const ids: number[] = [];
    for (let k = 0; k < 6; k++) {
      const w = walker(10 + k);
      const a = await svc.addSighting(await summary(s, { camera_id: gate, start_ms: T0 + k * MIN, walker: w, faces: 1 }), NEW);
      await svc.addSighting(await summary(s, { camera_id: yard, start_ms: T0 + 30 * MIN + k * MIN, walker: w }), linkTo(a.identity_id, a.sighting_id));
      const last = await svc.addSighting(await summary(s, { camera_id: yard, start_ms: T0 + 40 * MIN + k * MIN, walker: w, face: k % 2 === 0 }), linkTo(a.identity_id, a.sighting_id, 'appearance', 0.8));
      ids.push(a.identity_id);
      expect(last.identity_id).toBe(a.identity_id);
    }
    await svc.addSighting(await summary(s, { camera_id: gate, start_ms: T0, object_class: 'car', photo: 'skagen.jpg' }), NEW);
    await s.json('PUT', `/api/identities/${ids[0]}`, { name: 'Ivy' });

    const c = svc.candidates({ object_class: 'person', since_ms: T0 - MIN, max_identities: 4, per_camera: 3, person_ids: [ann] });
    // The four most recently seen, newest first, plus Ann's identity.
    expect(c.identities.map((i) => i.id)).toEqual([...ids.slice(2).reverse(), annOld.identity_id]);
    expect(c.identities.map((i) => i.id)).not.toContain(old.identity_id);
    const newest = c.identities[0];
    expect(newest).toMatchObject({ id: ids[5], object_class: 'person', is_named: false, num_sightings: 3, person_id: null, first_seen_ms: T0 + 5 * MIN, last_seen_ms: T0 + 45 * MIN + 8000 });
    expect(newest?.faces).toHaveLength(2);
    expect(newest?.faces[0]?.embedding).toBeInstanceOf(Float32Array);
    expect(newest?.faces[0]).toMatchObject({ model: 'dlib-resnet-face-128' });
    expect(newest?.appearances).toHaveLength(3);
    expect(newest?.appearances[0]?.appearance.upper).toHaveLength(128);
    // Its newest sighting on each camera since the window opened.
    expect(newest?.last_by_camera.map((x) => [x.camera_id, x.start_ms, x.link_kind])).toEqual([
      [yard, T0 + 45 * MIN, 'appearance'],
      [gate, T0 + 5 * MIN, 'new'],
    ]);
    expect(c.identities.find((i) => i.id === annOld.identity_id)).toMatchObject({ person_id: ann, last_by_camera: [] });
    // Each camera's newest sightings of the class (cars left out), at most per_camera.
    expect(c.recent_by_camera.get(yard)?.map((x) => x.start_ms)).toEqual([T0 + 45 * MIN, T0 + 44 * MIN, T0 + 43 * MIN]);
    expect(c.recent_by_camera.get(gate)?.every((x) => x.identity_id !== undefined)).toBe(true);
    expect(c.recent_by_camera.has(lobby)).toBe(false);
    const named = svc.candidates({ object_class: 'person', since_ms: T0 - MIN }).identities.find((i) => i.id === ids[0]);
    expect(named).toMatchObject({ name: 'Ivy', is_named: true });
    expect(svc.candidates({ object_class: 'car', since_ms: T0 - MIN }).identities).toHaveLength(1);
    // The query plan stays on the indexes (bounded reads, no table scan).
    const plan = (sql: string) => (s.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => 1)) as { detail: string }[]).map((p) => p.detail).join(' | ');
    expect(plan('SELECT * FROM identities WHERE object_class = ? AND last_seen_ms >= ? ORDER BY last_seen_ms DESC, id DESC LIMIT ?')).toMatch(/USING INDEX identities_class_seen/);
    expect(plan('SELECT id FROM sightings WHERE camera_id = ? AND end_ms >= ? AND object_class = ? ORDER BY end_ms DESC, id DESC LIMIT ?')).toMatch(/USING INDEX sightings_camera_end/);
    expect(plan('SELECT id FROM identity_exemplars WHERE identity_id = ?')).toMatch(/USING (COVERING )?INDEX identity_exemplars_identity/);
  });
});

describe('purgeCamera (camera delete)', () => {
  it('drops the camera’s sightings, crops and presence; deletes identities left without sightings, keeps cross-camera ones', async () => {
    const svc = s.identities.service;
    const only = await svc.addSighting(await summary(s, { camera_id: lobby, start_ms: T0 + 200 * MIN, walker: walker(50) }), NEW);
    const w = walker(51);
    const cross = await svc.addSighting(await summary(s, { camera_id: lobby, start_ms: T0 + 201 * MIN, walker: w, best_score: 0.99 }), NEW);
    const onGate = await svc.addSighting(await summary(s, { camera_id: gate, start_ms: T0 + 205 * MIN, walker: w }), linkTo(cross.identity_id, cross.sighting_id));
    const lobbyCrops = s.db.prepare('SELECT crop_path FROM sightings WHERE camera_id = ?').pluck().all(lobby) as string[];
    expect(lobbyCrops).toHaveLength(2);
    expect((await s.json<IdentityDto>('GET', `/api/identities/${cross.identity_id}`)).body.rep_sighting_id).toBe(cross.sighting_id);

    expect(await svc.purgeCamera(lobby)).toEqual({ sightings: 2, identities: 1 });
    expect((await s.json('GET', `/api/identities/${only.identity_id}`)).status).toBe(404);
    expect(existsSync(join(s.dataDir, 'identities', String(only.identity_id)))).toBe(false);
    for (const p of lobbyCrops) expect(existsSync(join(s.dataDir, p))).toBe(false);
    const kept = (await s.json<IdentityDto>('GET', `/api/identities/${cross.identity_id}`)).body;
    expect(kept).toMatchObject({ num_sightings: 1, total_seconds: 8, first_seen: new Date(T0 + 205 * MIN).toISOString(), cameras: [{ id: gate, name: 'Gate' }], rep_sighting_id: onGate.sighting_id, num_appearance_exemplars: 1 });
    expect(s.db.prepare('SELECT COUNT(*) FROM presence_segments WHERE camera_id = ?').pluck().get(lobby)).toBe(0);
    expect(await svc.purgeCamera(lobby)).toEqual({ sightings: 0, identities: 0 });
  });
});

describe('merge beyond the exemplar bound', () => {
  it('trims the merged exemplars to the best 10 and undo puts every trimmed one back under its old identity', async () => {
    const svc = s.identities.service;
    const w = walker(80);
    const seedOf = async (n: number, cam: number, t: number) => {
      const first = await svc.addSighting(await summary(s, { camera_id: cam, start_ms: t, walker: w, best_score: 0.6 }), NEW);
      for (let k = 1; k < n; k++) await svc.addSighting(await summary(s, { camera_id: cam, start_ms: t + k * MIN, walker: w, best_score: 0.5 + k * 0.03 }), linkTo(first.identity_id, first.sighting_id));
      return first.identity_id;
    };
    const a = await seedOf(8, gate, T0 + 500 * MIN);
    const b = await seedOf(7, yard, T0 + 520 * MIN);
    const rows = dump(s.db);
    const files = filesUnder(s.dataDir);
    const m = await svc.merge({ target_id: a, source_ids: [b] });
    expect((await s.json<IdentityDto>('GET', `/api/identities/${a}`)).body).toMatchObject({ num_sightings: 15, num_face_exemplars: 10, num_appearance_exemplars: 10 });
    await svc.undo({ operation_id: m.operation_id as number });
    expect(dump(s.db)).toEqual(rows);
    expect(filesUnder(s.dataDir)).toEqual(files);
  });
});

describe('undo after capture went on', () => {
  it('undoing a merge keeps sightings added to the target since, with counters recomputed', async () => {
    const svc = s.identities.service;
    const w = walker(60);
    const a = await svc.addSighting(await summary(s, { camera_id: gate, start_ms: T0 + 300 * MIN, walker: w }), NEW);
    const b = await svc.addSighting(await summary(s, { camera_id: yard, start_ms: T0 + 301 * MIN, walker: w }), NEW);
    const m = await svc.merge({ target_id: a.identity_id, source_ids: [b.identity_id] });
    const later = await svc.addSighting(await summary(s, { camera_id: yard, start_ms: T0 + 310 * MIN, walker: w }), linkTo(a.identity_id, b.sighting_id));
    await svc.undo({ operation_id: m.operation_id as number });
    const ta = (await s.json<IdentityDto>('GET', `/api/identities/${a.identity_id}`)).body;
    expect(ta).toMatchObject({ num_sightings: 2, total_seconds: 16, last_seen: new Date(T0 + 310 * MIN + 8000).toISOString(), cameras: [{ id: gate, name: 'Gate' }, { id: yard, name: 'Yard' }] });
    expect((await s.json<IdentityDto>('GET', `/api/identities/${b.identity_id}`)).body).toMatchObject({ num_sightings: 1 });
    expect(s.db.prepare('SELECT identity_id FROM sightings WHERE id = ?').pluck().get(later.sighting_id)).toBe(a.identity_id);
  });

  it('undoing a split gives sightings that joined the split-off identity back to the source', async () => {
    const svc = s.identities.service;
    const w = walker(61);
    const a = await svc.addSighting(await summary(s, { camera_id: gate, start_ms: T0 + 320 * MIN, walker: w }), NEW);
    const b = await svc.addSighting(await summary(s, { camera_id: gate, start_ms: T0 + 322 * MIN, walker: w }), linkTo(a.identity_id, a.sighting_id));
    const sp = await svc.split(a.identity_id, { sighting_ids: [b.sighting_id] });
    const joined = await svc.addSighting(await summary(s, { camera_id: yard, start_ms: T0 + 330 * MIN, walker: w }), linkTo(sp.target_id as number, b.sighting_id));
    await svc.undo({});
    expect((await s.json('GET', `/api/identities/${sp.target_id}`)).status).toBe(404);
    expect(s.db.prepare('SELECT identity_id FROM sightings WHERE id = ?').pluck().get(joined.sighting_id)).toBe(a.identity_id);
    expect((await s.json<IdentityDto>('GET', `/api/identities/${a.identity_id}`)).body).toMatchObject({ num_sightings: 3 });
  });
});

describe('undo after a camera purge', () => {
  it('does not bring back an identity the purge emptied, nor its sightings on the gone camera', async () => {
    const svc = s.identities.service;
    const porch = addCamera(s.db, 'Porch');
    const w = walker(90);
    const a = await svc.addSighting(await summary(s, { camera_id: porch, start_ms: T0 + 600 * MIN, walker: w }), NEW);
    const b = await svc.addSighting(await summary(s, { camera_id: porch, start_ms: T0 + 601 * MIN, walker: w }), NEW);
    await svc.update(a.identity_id, { name: 'Kim' });
    await svc.delete(b.identity_id);
    await svc.purgeCamera(porch);
    s.db.prepare('DELETE FROM cameras WHERE id = ?').run(porch);
    expect((await svc.undo({})).kind).toBe('delete');
    expect((await svc.undo({})).kind).toBe('rename');
    for (const id of [a.identity_id, b.identity_id]) expect((await s.json('GET', `/api/identities/${id}`)).status).toBe(404);
    expect(s.db.prepare('SELECT COUNT(*) FROM sightings WHERE camera_id = ?').pluck().get(porch)).toBe(0);
  });
});

describe('writes are serialised', () => {
  it('a delete and sightings arriving for the same identity never interleave', async () => {
    const svc = s.identities.service;
    const w = walker(70);
    const a = await svc.addSighting(await summary(s, { camera_id: gate, start_ms: T0 + 400 * MIN, walker: w }), NEW);
    const sums = await Promise.all([1, 2, 3].map((k) => summary(s, { camera_id: gate, start_ms: T0 + 400 * MIN + k * MIN, walker: w })));
    const results = await Promise.allSettled([svc.addSighting(sums[0]!, linkTo(a.identity_id, a.sighting_id)), svc.delete(a.identity_id), svc.addSighting(sums[1]!, linkTo(a.identity_id, a.sighting_id)), svc.addSighting(sums[2]!, linkTo(a.identity_id, a.sighting_id))]);
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    const [first, , second, third] = results as PromiseFulfilledResult<{ identity_id: number; sighting_id: number } | undefined>[];
    expect(first?.value?.identity_id).toBe(a.identity_id);
    // Sightings after the delete start a new identity (the one they named is gone) and share it from then on: the
    // second starts one, the third, still naming the deleted identity, starts another.
    expect(second?.value?.identity_id).not.toBe(a.identity_id);
    expect(third?.value?.identity_id).not.toBe(a.identity_id);
    expect((await s.json('GET', `/api/identities/${a.identity_id}`)).status).toBe(404);
    // The deleted identity's folder went to the trash whole: no crop of it was written after the move.
    expect(existsSync(join(s.dataDir, 'identities', String(a.identity_id)))).toBe(false);
  });
});
