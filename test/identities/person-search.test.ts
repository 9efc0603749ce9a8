// "Find this person everywhere" (GET /api/search/person) over real HTTP: one walker seen on two cameras with events, a
// stray face of them on a third camera, and another walker who must not appear; every starting point gives the same moments.
// real: fastify on 127.0.0.1:0, SQLite file, usearch, sharp crops. mock: the face engine (port double, as in test/faces).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCamera, addEvent, linkTo, NEW, startIdentitiesServer, summary, walker, type IdentitiesServer } from './identities-harness';
import type { PersonSearchResultDto } from '../../src-main/shared/contract/search.contract';
import { faceOf } from '../faces/people-engine-double';
import { mergeHits } from '../../src-main/services/search/person-search.service';

let s: IdentitiesServer;
const MIN = 60_000;
const T0 = Date.now() - 3 * 3_600_000;
let ann: { identity: number; sightings: number[]; events: number[]; sample: number; stray: number };
let bob: { identity: number; event: number };

const search = async (q: string) => s.json<PersonSearchResultDto & { detail?: unknown }>('GET', `/api/search/person?${q}`);

beforeAll(async () => {
  s = await startIdentitiesServer();
  const gate = addCamera(s.db, 'Gate');
  const yard = addCamera(s.db, 'Yard');
  const lobby = addCamera(s.db, 'Lobby');
  const a = walker(1);
  const e1 = addEvent(s, gate, T0, T0 + 10_000).id;
  const e2 = addEvent(s, yard, T0 + 5 * MIN, T0 + 5 * MIN + 10_000).id;
  const first = await s.identities.service.addSighting(await summary(s, { camera_id: gate, start_ms: T0, walker: a, faces: 2, event_id: e1 }), NEW);
  const second = await s.identities.service.addSighting(await summary(s, { camera_id: yard, start_ms: T0 + 5 * MIN, walker: a, faces: 1, event_id: e2 }), linkTo(first.identity_id, first.sighting_id));
  const sample = s.db.prepare('SELECT id FROM face_samples WHERE event_id = ? ORDER BY quality DESC LIMIT 1').pluck().get(e1) as number;
  // A face of Ann caught on a camera that does no re-identification: no sighting, no event.
  const stray = (await s.faces.samples.addSample({
    camera_id: lobby,
    ts: T0 + 30 * MIN,
    track_id: 900,
    event_id: null,
    embedding: faceOf(a.face, 4242, 0.03),
    quality: 0.7,
    crop_jpeg: null,
    box: [0.4, 0.1, 0.1, 0.1],
    clothing: null,
  })) as number;
  const b = walker(2);
  const e3 = addEvent(s, yard, T0 + 20 * MIN, T0 + 20 * MIN + 10_000).id;
  const bobS = await s.identities.service.addSighting(await summary(s, { camera_id: yard, start_ms: T0 + 20 * MIN, walker: b, faces: 2, event_id: e3 }), NEW);
  ann = { identity: first.identity_id, sightings: [first.sighting_id, second.sighting_id], events: [e1, e2], sample, stray };
  bob = { identity: bobS.identity_id, event: e3 };
});

afterAll(async () => {
  await s?.stop();
});

describe('GET /api/search/person', () => {
  it('from an identity: both of its events (face and identity) and the stray face on a third camera, newest first; never the other walker', async () => {
    const r = await search(`identity_id=${ann.identity}`);
    expect(r.status).toBe(200);
    expect(r.body.query).toMatchObject({ source: 'identity_id', id: ann.identity, identity_ids: [ann.identity] });
    const keys = r.body.items.map((h) => h.key);
    expect(keys).toEqual([`f${ann.stray}`, `e${ann.events[1]}`, `e${ann.events[0]}`]);
    expect(r.body.items.map((h) => h.camera_name)).toEqual(['Lobby', 'Yard', 'Gate']);
    const [stray, yard, gate] = r.body.items;
    expect(stray).toMatchObject({ match: 'face', sample_id: ann.stray, event_id: null, identity_id: null, thumb_url: `/api/face-groups/samples/${ann.stray}/thumbnail` });
    expect(stray!.similarity).toBeGreaterThan(0.8);
    expect(Date.parse(stray!.end) - Date.parse(stray!.start)).toBe(6_000);
    expect(gate).toMatchObject({ match: 'face+identity', event_id: ann.events[0], identity_id: ann.identity, sighting_id: ann.sightings[0], event_label: 'person' });
    expect(gate!.start).toBe(new Date(T0).toISOString());
    expect(yard).toMatchObject({ event_id: ann.events[1], identity_id: ann.identity, sighting_id: ann.sightings[1] });
    expect(keys).not.toContain(`e${bob.event}`);
    expect(r.body.total).toBe(3);
  });

  it('from a face, a sighting or an event: the same moments', async () => {
    const want = (await search(`identity_id=${ann.identity}`)).body.items.map((h) => h.key).sort();
    for (const q of [`sample_id=${ann.sample}`, `sighting_id=${ann.sightings[1]}`, `event_id=${ann.events[1]}`]) {
      const r = await search(q);
      expect(r.status, q).toBe(200);
      expect(r.body.items.map((h) => h.key).sort(), q).toEqual(want);
      expect(r.body.query.identity_ids, q).toEqual([ann.identity]);
    }
    const other = await search(`event_id=${bob.event}`);
    expect(other.body.items.map((h) => h.key)).toEqual([`e${bob.event}`]);
  });

  it('limit pages the newest; min_similarity above every face match leaves identity moments only', async () => {
    const one = await search(`identity_id=${ann.identity}&limit=1`);
    expect(one.body.total).toBe(3);
    expect(one.body.items.map((h) => h.key)).toEqual([`f${ann.stray}`]);
    const strict = await search(`identity_id=${ann.identity}&min_similarity=0.9999`);
    expect(strict.body.items.map((h) => h.key)).toEqual([`e${ann.events[1]}`, `e${ann.events[0]}`]);
  });

  it('422 without exactly one starting point or with a bad id; 404 for unknown ones (Iris shape)', async () => {
    for (const q of ['', `identity_id=${ann.identity}&event_id=${ann.events[0]}`, 'identity_id=abc', 'limit=0&identity_id=1', 'nope=1&identity_id=1']) {
      const r = await search(q);
      expect(r.status, q).toBe(422);
      expect(r.body.detail, q).toBeDefined();
    }
    for (const q of ['identity_id=99999', 'sighting_id=99999', 'event_id=99999', 'sample_id=99999', 'person_id=99999']) {
      const r = await search(q);
      expect(r.status, q).toBe(404);
      expect(typeof r.body.detail, q).toBe('string');
    }
    expect((await s.req(`/api/search/person?identity_id=${ann.identity}`, { auth: false })).status).toBe(401);
  });
});

describe('mergeHits (pure)', () => {
  it('an event seen by face and by identity is one hit; unrelated faces and sightings stay separate', () => {
    const ev = { id: 7, started_at: new Date(1000).toISOString(), ended_at: new Date(5000).toISOString(), duration: 4, label: 'person', person_id: null, person_name: null, thumbnail_url: null } as never;
    const face = (id: number, event: number | null, sim: number, ts: number) =>
      ({ sample_id: id, similarity: sim, camera_id: 1, camera_name: 'A', ts: new Date(ts).toISOString(), track_id: null, event_id: event, person_id: null, person_name: null, label: null, quality: 0.5, thumb_url: `/f/${id}` }) as never;
    const sighting = (id: number, event: number | null, start: number) => ({ id, identity_id: 3, camera_id: 1, camera_name: 'A', event_id: event, start_ms: start, end_ms: start + 500, crop_path: 'x.jpg', person_id: null, person_name: null }) as never;
    const hits = mergeHits([face(1, 7, 0.8, 2000), face(2, 7, 0.95, 3000), face(3, null, 0.9, 9000)], [sighting(10, 7, 1500), sighting(11, null, 20_000)], new Map([[7, ev]]));
    expect(hits.map((h) => [h.key, h.match, h.similarity, h.sample_id, h.sighting_id])).toEqual([
      ['s11', 'identity', null, null, 11],
      ['f3', 'face', 0.9, 3, null],
      ['e7', 'face+identity', 0.95, 2, 10],
    ]);
    expect(hits[2]!.thumb_url).toBe('/f/2');
  });
});
