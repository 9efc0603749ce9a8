// Face groups (Iris /api/face-groups), face search and "not this person" over real HTTP, plus the live pipeline's sample
// keep rule and track recognition naming events. real: fastify on 127.0.0.1:0, SQLite file, usearch, sharp, files.
// mock: the face engine (a port test double; faces are synthetic unit vectors of seeded identities).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { addCamera, addEvent, startFacesServer, type FacesServer } from './people-harness';
import { FaceEngineDouble, faceOf, faceResult, identity, photo } from './people-engine-double';
import type { EventDto } from '../../src-main/shared/contract/events.contract';
import type { FaceSearchResultDto } from '../../src-main/shared/contract/face-groups.contract';
import { PERSON_QUERY_FACES } from '../../src-main/services/faces/face-search.service';

interface Group {
  group_id: number;
  size: number;
  label: string | null;
  person_id: number | null;
  cameras: { id: number; name: string | null }[];
  first_seen: string;
  last_seen: string;
  rep_thumb_url: string;
  member_thumbs: string[];
  members: { sample_id: number; quality: number }[];
  sample_ids: number[];
}
interface Groups {
  total_samples: number;
  total_groups: number;
  settings: Record<string, unknown>;
  groups: Group[];
}

let s: FacesServer;
const engine = new FaceEngineDouble();
const ANN = identity(11);
const BO = identity(12);
const T0 = Date.UTC(2026, 5, 1, 12);
let door: number;
let yard: number;
const annSamples: number[] = [];
const boSamples: number[] = [];

const crop = (seed: number): Promise<Buffer> => photo(seed, 'jpeg', 24);

beforeAll(async () => {
  s = await startFacesServer({ engine });
  door = addCamera(s.db, 'Door');
  yard = addCamera(s.db, 'Yard');
  // Ann: 14 faces over two cameras, one track per camera; Bo: 8 faces on the yard camera. Two seconds apart each.
  for (let i = 0; i < 14; i++) {
    const cam = i < 7 ? door : yard;
    const id = await s.faces.samples.addSample({ camera_id: cam, ts: T0 + i * 2000, track_id: cam * 100 + 1, event_id: null, embedding: faceOf(ANN, 100 + i), quality: 0.5 + i * 0.03, crop_jpeg: await crop(i), box: [0.1, 0.1, 0.2, 0.3], clothing: null });
    annSamples.push(id as number);
  }
  for (let i = 0; i < 8; i++) {
    const id = await s.faces.samples.addSample({ camera_id: yard, ts: T0 + 60_000 + i * 2000, track_id: 900, event_id: null, embedding: faceOf(BO, 200 + i), quality: 0.6, crop_jpeg: await crop(50 + i), box: null, clothing: null });
    boSamples.push(id as number);
  }
});

afterAll(async () => {
  await s?.stop();
});

describe('GET /api/face-groups', () => {
  it('clusters captured faces into one group per person, largest first, with the documented fields', async () => {
    const r = await s.json<Groups>('GET', '/api/face-groups');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ total_samples: 22, total_groups: 2, settings: { face_threshold: 0.5, clothing_weight: 0, min_size: 2, max_members: 40, max_samples: 2000, model: 'dlib-resnet-face-128' } });
    const [a, b] = r.body.groups as [Group, Group];
    expect(a.sample_ids).toEqual([...annSamples].sort((x, y) => x - y));
    expect(b.sample_ids).toEqual(boSamples);
    // The representative is the best-quality member: Ann's last face.
    expect(a).toMatchObject({ group_id: annSamples[13], size: 14, label: null, person_id: null, rep_thumb_url: `/api/face-groups/samples/${annSamples[13]}/thumbnail` });
    expect(a.cameras).toEqual([
      { id: door, name: 'Door' },
      { id: yard, name: 'Yard' },
    ]);
    expect(a.first_seen).toBe(new Date(T0).toISOString());
    expect(a.last_seen).toBe(new Date(T0 + 13 * 2000).toISOString());
    expect(a.member_thumbs).toHaveLength(14);
    expect(a.members[0]?.quality).toBeGreaterThanOrEqual(a.members[1]?.quality as number);
    // The same call twice gives the same ids.
    expect((await s.json<Groups>('GET', '/api/face-groups')).body.groups.map((g) => g.group_id)).toEqual([a.group_id, b.group_id]);
  });

  it('honours min_size, max_members, max_samples and face_threshold, and validates them', async () => {
    expect((await s.json<Groups>('GET', '/api/face-groups?min_size=10')).body.groups.map((g) => g.size)).toEqual([14]);
    expect((await s.json<Groups>('GET', '/api/face-groups?max_members=3')).body.groups[0]?.member_thumbs).toHaveLength(3);
    expect((await s.json<Groups>('GET', '/api/face-groups?max_samples=8')).body).toMatchObject({ total_samples: 8, total_groups: 1 });
    expect((await s.json<Groups>('GET', '/api/face-groups?face_threshold=0.999&min_size=1')).body.total_groups).toBe(22);
    expect((await s.json<Groups>('GET', '/api/face-groups?face_threshold=0.4&clothing_weight=0.5')).body.total_groups).toBe(2);
    for (const q of ['face_threshold=2', 'clothing_weight=-1', 'max_samples=2001', 'min_size=0', 'max_members=abc']) expect((await s.json('GET', `/api/face-groups?${q}`)).status, q).toBe(422);
  });

  it('serves a sample thumbnail (media), 404 for a missing sample or crop', async () => {
    const res = await s.req(`/api/face-groups/samples/${annSamples[0]}/thumbnail`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect((await sharp(Buffer.from(await res.arrayBuffer())).metadata()).format).toBe('jpeg');
    expect((await s.req('/api/face-groups/samples/99999/thumbnail')).status).toBe(404);
    expect((await s.req(`/api/face-groups/samples/${annSamples[0]}/thumbnail`, { auth: false })).status).toBe(401);
    const bare = await s.faces.samples.addSample({ camera_id: door, ts: T0 - 500_000, track_id: 5, event_id: null, embedding: faceOf(identity(99), 1), quality: 0.9, crop_jpeg: null, box: null, clothing: null });
    expect((await s.req(`/api/face-groups/samples/${bare}/thumbnail`)).status).toBe(404);
    await s.faces.samples.deleteIds([bare as number]);
  });
});

describe('label, enroll and clips', () => {
  it('labels samples and reports the majority label', async () => {
    expect((await s.json('POST', '/api/face-groups/label', { sample_ids: boSamples.slice(0, 5), label: 'courier' })).body).toEqual({ updated: 5, label: 'courier' });
    const g = (await s.json<Groups>('GET', '/api/face-groups')).body.groups.find((x) => x.sample_ids.includes(boSamples[0] as number));
    expect(g?.label).toBe('courier');
    expect((await s.json('POST', '/api/face-groups/label', { sample_ids: [], label: 'x' })).status).toBe(422);
    expect((await s.json('POST', '/api/face-groups/label', { sample_ids: [boSamples[7]], label: null })).body).toEqual({ updated: 1, label: null });
  });

  it('enrolls a group as a person: up to 12 best samples, labelled, and live matching uses it', async () => {
    const r = await s.json<{ person_id: number; name: string; enrolled_faces: number }>('POST', '/api/face-groups/enroll', { sample_ids: annSamples, name: 'Ann' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ name: 'Ann', enrolled_faces: 12 });
    const faces = (await s.json<{ source_sample_id: number; image_path: string; quality: number }[]>('GET', `/api/people/${r.body.person_id}/faces`)).body;
    expect(faces).toHaveLength(12);
    // The two lowest-quality samples were left out.
    expect(faces.map((f) => f.source_sample_id).sort((x, y) => x - y)).toEqual(annSamples.slice(2));
    for (const f of faces) expect(existsSync(join(s.dataDir, f.image_path))).toBe(true);
    const g = (await s.json<Groups>('GET', '/api/face-groups')).body.groups.find((x) => x.sample_ids.includes(annSamples[0] as number));
    expect(g).toMatchObject({ label: 'Ann', person_id: r.body.person_id });
    expect(s.faces.index.rank(faceOf(ANN, 999), 1)[0]).toMatchObject({ person_id: r.body.person_id });
    expect((await s.json('POST', '/api/face-groups/enroll', { sample_ids: [99999], name: 'Nobody' })).status).toBe(404);
    expect((await s.json('POST', '/api/face-groups/enroll', { sample_ids: annSamples, name: '' })).status).toBe(422);
  });

  it('clips: events overlapping [start − 90 s, end + 20 s] on the same camera, de-duplicated, newest first', async () => {
    const a = addEvent(s.db, door, T0 + 60_000, T0 + 70_000); // starts 60 s after the first capture: inside −90 s
    const b = addEvent(s.db, door, T0 - 40_000, T0 - 15_000); // ended 15 s before: inside +20 s
    addEvent(s.db, door, T0 - 80_000, T0 - 25_000); // ended 25 s before: outside
    addEvent(s.db, door, T0 + 120_000, T0 + 130_000); // starts 120 s after the last door capture (T0+12 s): outside
    addEvent(s.db, yard, T0 - 200_000, T0 - 150_000); // other camera, far away
    const c = addEvent(s.db, yard, T0 + 20_000, T0 + 30_000);
    const r = await s.json<{ total: number; items: EventDto[] }>('POST', '/api/face-groups/clips', { sample_ids: annSamples });
    expect(r.status).toBe(200);
    expect(r.body.items.map((e) => e.id)).toEqual([a, c, b]);
    expect(r.body.total).toBe(3);
    expect(r.body.items[0]).toMatchObject({ camera_id: door, camera_name: 'Door', label: 'person' });
    expect((await s.json<{ items: EventDto[] }>('POST', '/api/face-groups/clips', { sample_ids: annSamples, limit: 1, offset: 1 })).body.items.map((e) => e.id)).toEqual([c]);
    expect((await s.json<{ total: number }>('POST', '/api/face-groups/clips', { sample_ids: [99999] })).body.total).toBe(0);
  });
});

describe('POST /api/faces/search', () => {
  it('by sample: the same person first across cameras, with similarity, camera, time and paging', async () => {
    const r = await s.json<FaceSearchResultDto>('POST', '/api/faces/search', { sample_id: annSamples[0], limit: 5 });
    expect(r.status).toBe(200);
    expect(r.body.query).toEqual({ kind: 'sample', sample_id: annSamples[0], person_id: null, faces_detected: null });
    expect(r.body.total).toBe(13);
    expect(r.body.items).toHaveLength(5);
    for (const h of r.body.items) expect(annSamples).toContain(h.sample_id);
    expect(r.body.items.map((h) => h.sample_id)).not.toContain(annSamples[0]);
    const sims = r.body.items.map((h) => h.similarity);
    expect([...sims].sort((x, y) => y - x)).toEqual(sims);
    expect(r.body.items[0]).toMatchObject({ camera_name: expect.any(String), thumb_url: expect.stringMatching(/\/thumbnail$/) });
    expect(r.body.people[0]).toMatchObject({ name: 'Ann' });
    const page2 = await s.json<FaceSearchResultDto>('POST', '/api/faces/search', { sample_id: annSamples[0], limit: 5, offset: 5 });
    expect(page2.body.items.map((h) => h.sample_id).some((id) => r.body.items.some((h) => h.sample_id === id))).toBe(false);
    const yardOnly = await s.json<FaceSearchResultDto>('POST', '/api/faces/search', { sample_id: annSamples[0], camera_id: yard });
    expect(yardOnly.body.items.every((h) => h.camera_id === yard)).toBe(true);
    expect(yardOnly.body.total).toBe(7);
    const early = await s.json<FaceSearchResultDto>('POST', '/api/faces/search', { sample_id: annSamples[0], to: new Date(T0 + 5000).toISOString() });
    expect(early.body.items.map((h) => h.sample_id).sort((x, y) => x - y)).toEqual([annSamples[1], annSamples[2]]);
    expect(early.body.total).toBe(2);
  });

  it('by person: their captured faces, and the strict threshold; validation and 404s', async () => {
    const ann = (await s.json<{ id: number; name: string }[]>('GET', '/api/people')).body.find((p) => p.name === 'Ann')?.id as number;
    const r = await s.json<FaceSearchResultDto>('POST', '/api/faces/search', { person_id: ann, limit: 200 });
    expect(r.body.total).toBe(14);
    expect(new Set(r.body.items.map((h) => h.sample_id))).toEqual(new Set(annSamples));
    expect(r.body.items[0]).toMatchObject({ person_id: ann, person_name: 'Ann' });
    // The person is searched with its reference and its first PERSON_QUERY_FACES enrolled faces: those copies match exactly.
    expect((await s.json<FaceSearchResultDto>('POST', '/api/faces/search', { person_id: ann, min_similarity: 0.999 })).body.total).toBe(PERSON_QUERY_FACES);
    expect((await s.json('POST', '/api/faces/search', {})).status).toBe(422);
    expect((await s.json('POST', '/api/faces/search', { sample_id: 1, person_id: 1 })).status).toBe(422);
    expect((await s.json('POST', '/api/faces/search', { sample_id: 99999 })).status).toBe(404);
    expect((await s.json('POST', '/api/faces/search', { person_id: 99999 })).status).toBe(404);
  });

  it('by photo (multipart): the largest face is the query; enrolment errors apply', async () => {
    const p = await photo(300);
    engine.register(p, [faceResult(faceOf(BO, 301), { size_px: 150 }), faceResult(faceOf(ANN, 302), { size_px: 40 })]);
    const send = (data: Buffer | string, type: string, query = '') => {
      const fd = new FormData();
      fd.append('file', new Blob([typeof data === 'string' ? data : new Uint8Array(data)], { type }), 'q.jpg');
      return s.req(`/api/faces/search/photo${query}`, { method: 'POST', body: fd });
    };
    const res = await send(p, 'image/jpeg', '?limit=3');
    expect(res.status).toBe(200);
    const body = (await res.json()) as FaceSearchResultDto;
    expect(body.query).toEqual({ kind: 'photo', sample_id: null, person_id: null, faces_detected: 2 });
    expect(body.items).toHaveLength(3);
    for (const h of body.items) expect(boSamples).toContain(h.sample_id);
    expect(body.total).toBe(8);
    expect((await send(p, 'text/plain')).status).toBe(415);
    expect((await send(Buffer.alloc(0), 'image/jpeg')).status).toBe(400);
    expect((await send(await photo(301), 'image/jpeg')).status).toBe(422);
    expect((await send(p, 'image/jpeg', '?limit=0')).status).toBe(422);
    engine.error = 'no face models';
    try {
      expect((await send(p, 'image/jpeg')).status).toBe(503);
    } finally {
      engine.error = null;
    }
  });
});

describe('negative feedback: POST /api/faces/samples/{id}/not-person', () => {
  it('un-names the sample, removes the face copied from it, and drops it from that person’s search', async () => {
    const ann = (await s.json<{ id: number; name: string; num_faces: number }[]>('GET', '/api/people')).body.find((p) => p.name === 'Ann');
    const victim = annSamples[13] as number;
    const r = await s.json('POST', `/api/faces/samples/${victim}/not-person`, { person_id: ann?.id });
    expect(r).toMatchObject({ status: 200, body: { sample_id: victim, person_id: ann?.id, removed_faces: 1 } });
    expect((await s.json<{ num_faces: number }>('GET', `/api/people/${ann?.id}`)).body.num_faces).toBe(11);
    const found = await s.json<FaceSearchResultDto>('POST', '/api/faces/search', { person_id: ann?.id, limit: 200 });
    expect(found.body.items.map((h) => h.sample_id)).not.toContain(victim);
    const row = s.db.prepare('SELECT person_id FROM face_samples WHERE id = ?').get(victim) as { person_id: number | null };
    expect(row.person_id).toBeNull();
    expect((await s.json('POST', `/api/faces/samples/${victim}/not-person`, { person_id: 99999 })).status).toBe(404);
    expect((await s.json('POST', '/api/faces/samples/99999/not-person', { person_id: ann?.id })).status).toBe(404);
  });
});

describe('sample deletes', () => {
  it('DELETE one (204, crop removed), bulk-delete (max 1000), clear-all (confirm, optional label)', async () => {
    const one = boSamples[7] as number;
    const crop = (s.db.prepare('SELECT crop_path FROM face_samples WHERE id = ?').get(one) as { crop_path: string }).crop_path;
    expect(crop).toMatch(new RegExp(`^faces/samples/${yard}/\\d{4}-\\d{2}-\\d{2}/\\d+-[0-9a-f]{16}\\.jpg$`));
    expect(existsSync(join(s.dataDir, crop))).toBe(true);
    expect((await s.req(`/api/face-groups/samples/${one}`, { method: 'DELETE' })).status).toBe(204);
    expect(existsSync(join(s.dataDir, crop))).toBe(false);
    expect((await s.req(`/api/face-groups/samples/${one}`, { method: 'DELETE' })).status).toBe(404);
    expect((await s.json('POST', '/api/faces/search', { sample_id: one })).status).toBe(404);
    expect((await s.json<FaceSearchResultDto>('POST', '/api/faces/search', { sample_id: boSamples[0] })).body.items.map((h) => h.sample_id)).not.toContain(one);

    expect((await s.json('POST', '/api/face-groups/samples/bulk-delete', { ids: Array.from({ length: 1001 }, (_, i) => i + 1) })).status).toBe(422);
    expect((await s.json('POST', '/api/face-groups/samples/bulk-delete', { ids: [boSamples[6], boSamples[6], 99999] })).body).toEqual({ deleted: 1 });

    expect((await s.json('POST', '/api/face-groups/samples/clear-all', {})).status).toBe(400);
    expect((await s.json('POST', '/api/face-groups/samples/clear-all', { confirm: true, label: 'courier' })).body).toEqual({ deleted: 5 });
    const left = (await s.json<Groups>('GET', '/api/face-groups?min_size=1')).body.total_samples;
    expect(left).toBe(15);
    expect((await s.json('POST', '/api/face-groups/samples/clear-all', { confirm: true })).body).toEqual({ deleted: 15 });
    expect((await s.json<Groups>('GET', '/api/face-groups')).body).toMatchObject({ total_samples: 0, groups: [] });
    expect(s.faces.index.status().samples).toBe(0);
  });
});

describe('live pipeline: sample keep rule and track recognition', () => {
  it('keeps one face per track-second (the better one) and names the track, its samples and its event', async () => {
    s.settings.update({ face_min_faces: 2, face_match_threshold: 0.6 });
    const ann = (await s.json<{ id: number; name: string }[]>('GET', '/api/people')).body.find((p) => p.name === 'Ann')?.id as number;
    const ev = addEvent(s.db, door, T0 + 1_000_000, T0 + 1_100_000);
    const pushes: string[] = [];
    const off = s.bus.subscribe((m) => pushes.push(m.name));
    const t = T0 + 1_000_000;
    const frame = (ts: number, faces: { track: number; v: Float32Array; q: number; crop?: Buffer }[]) =>
      s.faces.recognition.onFaces({ camera_id: door, ts_ms: ts, event_id: ev, faces: faces.map((f) => ({ track_id: f.track, face: faceResult(f.v, { quality: f.q, crop: f.crop ?? null }), clothing: null })) });

    const better = await crop(77);
    const r1 = await frame(t, [{ track: 1, v: faceOf(ANN, 500), q: 0.6, crop: await crop(76) }]);
    const r2 = await frame(t + 300, [{ track: 1, v: faceOf(ANN, 501), q: 0.5 }]);
    const r3 = await frame(t + 600, [{ track: 1, v: faceOf(ANN, 502), q: 0.9, crop: better }]);
    expect(r1.sample_ids[0]).toEqual(expect.any(Number));
    expect(r2.sample_ids).toEqual([null]);
    expect(r3.sample_ids[0]).toEqual(expect.any(Number));
    // The better face of that second replaced the first one.
    expect(s.db.prepare('SELECT id FROM face_samples WHERE camera_id = ? AND track_id = 1').pluck().all(door)).toEqual([r3.sample_ids[0]]);
    // A list fetched a moment before still names the replaced face: its thumbnail is the face that replaced it.
    const replaced = await s.req(`/api/face-groups/samples/${r1.sample_ids[0]}/thumbnail`);
    expect(replaced.status).toBe(200);
    expect(Buffer.from(await replaced.arrayBuffer()).equals(better)).toBe(true);
    expect(r3.updates[0]?.decision).toMatchObject({ person_id: ann, name: 'Ann' });
    expect((await s.json<EventDto>('GET', `/api/events/${ev}`)).body).toMatchObject({ person_id: ann, person_name: 'Ann' });
    expect((await s.json<{ items: EventDto[] }>('GET', `/api/events?person_id=${ann}`)).body.items.map((e) => e.id)).toContain(ev);
    expect(pushes).toContain('event.updated');
    const named = s.db.prepare('SELECT person_id FROM face_samples WHERE id = ?').get(r3.sample_ids[0]) as { person_id: number };
    expect(named.person_id).toBe(ann);

    // A stranger on another track of the same frames stays unknown; two Ann-like faces in one frame never both get Ann.
    await frame(t + 1500, [
      { track: 1, v: faceOf(ANN, 503), q: 0.9 },
      { track: 2, v: faceOf(ANN, 504), q: 0.9 },
    ]);
    await frame(t + 2500, [
      { track: 1, v: faceOf(ANN, 505), q: 0.9 },
      { track: 2, v: faceOf(ANN, 506), q: 0.9 },
    ]);
    const both = [s.faces.recognition.decision(door, 1)?.person_id, s.faces.recognition.decision(door, 2)?.person_id];
    expect(both.filter((p) => p === ann)).toHaveLength(1);
    expect(s.faces.recognition.endTrack(door, 1)).not.toBeNull();
    expect(s.faces.recognition.decision(door, 1)).toBeNull();
    off();
  });
});
