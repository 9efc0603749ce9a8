// Identity deletes over real HTTP: the recursive delete with Iris's solo-vs-shared event rule, files kept in the trash for
// the undo window and gone after it, undo restoring rows, event links, face samples and files exactly, bulk-delete and
// clear-all (confirm, object_class, chunks of 200 undone together).
// real: fastify on 127.0.0.1:0, SQLite file, sharp crops of the fixture photos, usearch, files. mock: the face engine.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCamera, addEvent, dump, filesUnder, linkTo, NEW, startIdentitiesServer, summary, walker, type IdentitiesServer } from './identities-harness';
import type { PushMessage } from '../../src-main/shared/push-events';
import type { EventDto } from '../../src-main/shared/contract/events.contract';
import { trashDir } from '../../src-main/services/identities/identity-ops.service';

let s: IdentitiesServer;
let gate: number;
let yard: number;
const T0 = Date.now() - 3_600_000;
const MIN = 60_000;
const pushed: PushMessage[] = [];

beforeAll(async () => {
  s = await startIdentitiesServer();
  gate = addCamera(s.db, 'Gate');
  yard = addCamera(s.db, 'Yard');
  s.bus.subscribe((m) => pushed.push(m));
});

afterAll(async () => {
  await s?.stop();
});

interface Scene {
  x: number;
  y: number;
  xSightings: number[];
  samples: number[];
  solo: { id: number; clip: string; thumb: string };
  direct: { id: number; clip: string; thumb: string };
  shared: { id: number; clip: string; thumb: string };
  kept: { id: number; clip: string; thumb: string };
}

/**
 * X is in a solo event (only X), a shared one (X and Y; it names X), a protected solo one, and one that names X without
 * a sighting of it; X's first sighting has two captured faces. Y is only in the shared event.
 */
async function scene(offset: number): Promise<Scene> {
  const t = T0 + offset;
  const solo = addEvent(s, gate, t, t + 10_000);
  const shared = addEvent(s, yard, t + 5 * MIN, t + 6 * MIN);
  const kept = addEvent(s, yard, t + 8 * MIN, t + 9 * MIN, { retain: true });
  const direct = addEvent(s, gate, t + 12 * MIN, t + 13 * MIN);
  const wx = walker(offset / MIN + 1);
  const x1 = await s.identities.service.addSighting(await summary(s, { camera_id: gate, start_ms: t, walker: wx, faces: 2, event_id: solo.id }), NEW);
  const x2 = await s.identities.service.addSighting(await summary(s, { camera_id: yard, start_ms: t + 5 * MIN, walker: wx, event_id: shared.id }), linkTo(x1.identity_id, x1.sighting_id));
  const x3 = await s.identities.service.addSighting(await summary(s, { camera_id: yard, start_ms: t + 8 * MIN, walker: wx, event_id: kept.id, photo: 'jesper.jpg' }), linkTo(x1.identity_id, x2.sighting_id));
  s.db.prepare('UPDATE events SET identity_id = ? WHERE id = ?').run(x1.identity_id, direct.id);
  const y = await s.identities.service.addSighting(await summary(s, { camera_id: yard, start_ms: t + 5 * MIN + 10_000, walker: walker(offset / MIN + 500), event_id: shared.id, faces: 1 }), NEW);
  const samples = s.db.prepare('SELECT sample_id FROM sighting_faces WHERE sighting_id = ? ORDER BY sample_id').pluck().all(x1.sighting_id) as number[];
  return { x: x1.identity_id, y: y.identity_id, xSightings: [x1.sighting_id, x2.sighting_id, x3.sighting_id], samples, solo, direct, shared, kept };
}

const event = async (id: number) => s.json<EventDto>('GET', `/api/events/${id}`);
const lastOp = async () => (await s.json<{ items: { id: number; kind: string; batch_id: number | null; identity_ids: number[] }[] }>('GET', '/api/identities/operations?limit=5')).body.items;

describe('DELETE /api/identities/{id}', () => {
  it('deletes recursively: solo events go with their files, shared and protected ones only lose the link; undo restores rows and files exactly', async () => {
    const sc = await scene(0);
    expect((await event(sc.shared.id)).body.identity_id).toBe(sc.x);
    const samplesBefore = s.faces.index.status().samples;
    const rows = dump(s.db);
    const files = filesUnder(s.dataDir);
    const crops = s.db.prepare('SELECT crop_path FROM sightings WHERE identity_id = ?').pluck().all(sc.x) as string[];
    const faceCrops = s.db.prepare('SELECT crop_path FROM face_samples WHERE id IN (?, ?)').pluck().all(...sc.samples) as string[];
    expect(crops).toHaveLength(3);
    expect(faceCrops).toHaveLength(2);
    pushed.length = 0;

    const res = await s.req(`/api/identities/${sc.x}`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect((await s.json('GET', `/api/identities/${sc.x}`)).status).toBe(404);
    expect(s.db.prepare('SELECT COUNT(*) FROM sightings WHERE identity_id = ?').pluck().get(sc.x)).toBe(0);
    // Solo events (through a sighting, or only by their link) are gone with their files.
    for (const e of [sc.solo, sc.direct]) {
      expect((await event(e.id)).status).toBe(404);
      for (const p of [e.clip, e.thumb]) expect(existsSync(join(s.dataDir, p)), p).toBe(false);
    }
    expect(pushed.filter((m) => m.name === 'event.deleted').flatMap((m) => (m.payload as { event_ids: number[] }).event_ids).sort((a, b) => a - b)).toEqual([sc.solo.id, sc.direct.id].sort((a, b) => a - b));
    // The shared event stays and loses the link; so does the protected one, though only X was in it.
    expect((await event(sc.shared.id)).body).toMatchObject({ id: sc.shared.id, identity_id: null, clip_url: `/api/events/${sc.shared.id}/clip` });
    expect((await event(sc.kept.id)).body).toMatchObject({ identity_id: null, retain: true });
    expect((await s.json<{ items: EventDto[] }>('GET', `/api/identities/${sc.y}/events`)).body.items.map((e) => e.id)).toEqual([sc.shared.id]);
    // Crops and captured faces (rows, crops, index) are gone from their places; Y is untouched.
    for (const p of [...crops, ...faceCrops]) expect(existsSync(join(s.dataDir, p)), p).toBe(false);
    expect(existsSync(join(s.dataDir, 'identities', String(sc.x)))).toBe(false);
    for (const id of sc.samples) expect((await s.req(`/api/face-groups/samples/${id}/thumbnail`)).status).toBe(404);
    expect(s.faces.index.status().samples).toBe(samplesBefore - 2);
    expect((await s.json<{ num_sightings: number }>('GET', `/api/identities/${sc.y}`)).body.num_sightings).toBe(1);
    // …but kept in the trash for the undo window.
    const [op] = await lastOp();
    expect(op).toMatchObject({ kind: 'delete', batch_id: null, identity_ids: [sc.x] });
    expect(existsSync(join(s.dataDir, trashDir(op?.id as number), sc.solo.clip))).toBe(true);
    expect(existsSync(join(s.dataDir, trashDir(op?.id as number), 'identities', String(sc.x)))).toBe(true);

    pushed.length = 0;
    const u = await s.json<{ ok: boolean; kind: string; affected_ids: number[] }>('POST', '/api/identities/undo', {});
    expect(u.body).toMatchObject({ ok: true, kind: 'delete', affected_ids: [sc.x] });
    expect(dump(s.db)).toEqual(rows);
    expect(filesUnder(s.dataDir)).toEqual(files);
    expect(s.faces.index.status().samples).toBe(samplesBefore);
    expect(pushed.filter((m) => m.name === 'event.created').map((m) => (m.payload as { event_id: number }).event_id).sort((a, b) => a - b)).toEqual([sc.solo.id, sc.direct.id].sort((a, b) => a - b));
    expect((await s.req(`/api/events/${sc.solo.id}/thumbnail`)).status).toBe(200);
    expect((await s.req(`/api/identities/${sc.x}/thumbnail`)).status).toBe(200);
    expect((await s.req(`/api/face-groups/samples/${sc.samples[0]}/thumbnail`)).status).toBe(200);
    expect((await event(sc.shared.id)).body.identity_id).toBe(sc.x);
    expect((await s.req(`/api/identities/${sc.x}`, { method: 'DELETE' })).status).toBe(204);
    expect((await s.req(`/api/identities/${sc.x}`, { method: 'DELETE' })).status).toBe(404);
    expect((await s.req('/api/identities/abc', { method: 'DELETE' })).status).toBe(422);
  });

  it('removes every file for good once the undo window closes', async () => {
    await s.settings.update({ identity_undo_hours: 0 });
    try {
      const sc = await scene(20 * MIN);
      const gone = [
        ...(s.db.prepare('SELECT crop_path FROM sightings WHERE identity_id = ?').pluck().all(sc.x) as string[]),
        ...(s.db.prepare('SELECT crop_path FROM face_samples WHERE id IN (?, ?)').pluck().all(...sc.samples) as string[]),
        sc.solo.clip,
        sc.solo.thumb,
        sc.direct.clip,
      ];
      expect((await s.req(`/api/identities/${sc.x}`, { method: 'DELETE' })).status).toBe(204);
      const op = (await lastOp())[0]?.id as number;
      expect(existsSync(join(s.dataDir, trashDir(op)))).toBe(true);
      await new Promise((r) => setTimeout(r, 5));
      expect(await s.identities.service.purgeExpired()).toBeGreaterThanOrEqual(1);
      expect(existsSync(join(s.dataDir, trashDir(op)))).toBe(false);
      for (const p of gone) expect(existsSync(join(s.dataDir, p)), p).toBe(false);
      expect(filesUnder(s.dataDir).filter((p) => p.startsWith(`identities/${sc.x}/`) || p.startsWith(`${trashDir(op)}/`))).toEqual([]);
      expect((await s.json('POST', '/api/identities/undo', { operation_id: op })).status).toBe(404);
      // The shared event and the other subject survive.
      expect((await event(sc.shared.id)).body.identity_id).toBeNull();
      expect((await s.json('GET', `/api/identities/${sc.y}`)).status).toBe(200);
    } finally {
      await s.settings.update({ identity_undo_hours: 24 });
    }
  });
});

describe('bulk-delete and clear-all', () => {
  it('bulk-delete: at most 1000 ids, duplicates and unknown ids ignored, one batch that undo restores whole', async () => {
    const ids: number[] = [];
    for (let k = 0; k < 3; k++) ids.push((await s.identities.service.addSighting(await summary(s, { camera_id: gate, start_ms: T0 + (40 + k) * MIN, walker: walker(900 + k), faces: 1 }), NEW)).identity_id);
    const rows = dump(s.db);
    const files = filesUnder(s.dataDir);
    expect((await s.json('POST', '/api/identities/bulk-delete', { ids: Array.from({ length: 1001 }, (_, k) => k + 1) })).status).toBe(422);
    expect((await s.json('POST', '/api/identities/bulk-delete', { ids: ['x'] })).status).toBe(422);
    expect((await s.json('POST', '/api/identities/bulk-delete', {})).status).toBe(422);
    expect((await s.json('POST', '/api/identities/bulk-delete', { ids: [] })).body).toEqual({ deleted: 0, operation_id: null });
    const r = await s.json<{ deleted: number; operation_id: number }>('POST', '/api/identities/bulk-delete', { ids: [...ids, ids[0], 99_999] });
    expect(r.body).toMatchObject({ deleted: 3 });
    for (const id of ids) expect((await s.json('GET', `/api/identities/${id}`)).status).toBe(404);
    expect((await lastOp())[0]).toMatchObject({ id: r.body.operation_id, kind: 'delete', batch_id: r.body.operation_id, identity_ids: ids });
    expect((await s.json<{ undone_ids: number[] }>('POST', '/api/identities/undo', { operation_id: r.body.operation_id })).body.undone_ids).toEqual([r.body.operation_id]);
    expect(dump(s.db)).toEqual(rows);
    expect(filesUnder(s.dataDir)).toEqual(files);
  });

  it('clear-all: confirm is mandatory, object_class narrows it, chunks of 200 are logged as one batch and undone together', async () => {
    expect(await s.json('POST', '/api/identities/clear-all', {})).toEqual({ status: 400, body: { detail: 'clear-all requires {"confirm": true}' } });
    expect((await s.json('POST', '/api/identities/clear-all', { confirm: false })).status).toBe(400);
    expect((await s.json('POST', '/api/identities/clear-all', { confirm: 'yes' })).status).toBe(422);
    expect((await s.json('POST', '/api/identities/clear-all', { confirm: true, camera_id: 1 })).status).toBe(422);
    for (let k = 0; k < 2; k++) await s.identities.service.addSighting(await summary(s, { camera_id: gate, start_ms: T0 + k * MIN, object_class: 'car', photo: 'skagen.jpg' }), NEW);
    for (let k = 0; k < 440; k++) await s.identities.service.addSighting(await summary(s, { camera_id: k % 2 ? gate : yard, start_ms: T0 + k * 1000, walker: walker(2000 + k), photo: k % 50 ? null : 'pool.jpg' }), NEW);
    const cars = await s.json<{ deleted: number }>('POST', '/api/identities/clear-all', { confirm: true, object_class: 'car' });
    expect(cars.body.deleted).toBe(2);
    expect((await s.json<{ total: number }>('GET', '/api/identities?object_class=car')).body.total).toBe(0);
    const total = (await s.json<{ total: number }>('GET', '/api/identities')).body.total;
    expect(total).toBeGreaterThan(440);
    const rows = dump(s.db);
    const files = filesUnder(s.dataDir);
    const r = await s.json<{ deleted: number; operation_id: number }>('POST', '/api/identities/clear-all', { confirm: true });
    expect(r.body.deleted).toBe(total);
    expect((await s.json<{ total: number }>('GET', '/api/identities')).body.total).toBe(0);
    const batch = (await lastOp()).filter((o) => o.batch_id === r.body.operation_id);
    expect(batch.map((o) => o.identity_ids.length).sort((a, b) => b - a)).toEqual([200, 200, total - 400]);
    expect(filesUnder(s.dataDir).filter((p) => p.startsWith('identities/'))).toEqual([]);
    const u = await s.json<{ undone_ids: number[] }>('POST', '/api/identities/undo', {});
    expect(u.body.undone_ids).toHaveLength(3);
    expect(dump(s.db)).toEqual(rows);
    expect(filesUnder(s.dataDir)).toEqual(files);
  });
});
