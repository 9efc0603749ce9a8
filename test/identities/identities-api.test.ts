// Identities API (Iris /api/identities) over real HTTP: capture through addSighting, every read route and its errors,
// rename, merge and split with undo restoring the exact rows, event links and files, and "not the same" marks.
// real: fastify on 127.0.0.1:0, SQLite file, sharp crops of the fixture photos, files. mock: the face engine (port double).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCamera, addEvent, dump, filesUnder, linkTo, NEW, startIdentitiesServer, summary, walker, type IdentitiesServer, type SightingOptions, type Walker } from './identities-harness';
import type { IdentityDto, IdentityItemDto, SightingDto } from '../../src-main/shared/contract/identities.contract';
import type { EventDto } from '../../src-main/shared/contract/events.contract';
import { startOfLocalDay } from '../../src-main/services/identities/identity-policy';

interface Detail extends IdentityDto {
  sightings: SightingDto[];
}
interface OpResult {
  ok: boolean;
  target_id: number | null;
  affected_ids: number[];
  moved_sightings: number;
  detail: string;
  operation_id: number | null;
}

let s: IdentitiesServer;
let gate: number;
let yard: number;
let lobby: number;
const NOW = Date.now();
const T0 = NOW - 2 * 3_600_000;
const MIN = 60_000;

/** Adds sightings of one walker: the first starts an identity, each next one links by face to the one before. */
async function seed(w: Walker, spans: [camera: number, startMs: number, extra?: Partial<SightingOptions>][]): Promise<{ identity: number; sightings: number[] }> {
  const out: number[] = [];
  let identity = 0;
  for (const [camera_id, start_ms, extra] of spans) {
    const sum = await summary(s, { camera_id, start_ms, walker: w, ...extra });
    const r = await s.identities.service.addSighting(sum, out.length ? linkTo(identity, out[out.length - 1] as number) : NEW);
    identity = r.identity_id;
    out.push(r.sighting_id);
  }
  return { identity, sightings: out };
}

const get = async (id: number, q = ''): Promise<Detail> => (await s.json<Detail>('GET', `/api/identities/${id}${q}`)).body;

beforeAll(async () => {
  s = await startIdentitiesServer();
  gate = addCamera(s.db, 'Gate');
  yard = addCamera(s.db, 'Yard');
  lobby = addCamera(s.db, 'Lobby');
});

afterAll(async () => {
  await s?.stop();
});

describe('OpenAPI and auth', () => {
  it('documents every identities route, JSON and media', async () => {
    const doc = (await s.json<{ paths: Record<string, Record<string, unknown>> }>('GET', '/openapi.json')).body;
    expect(Object.keys(doc.paths['/api/identities/{id}'] ?? {}).sort()).toEqual(['delete', 'get', 'put']);
    for (const p of [
      '/api/identities',
      '/api/identities/analytics',
      '/api/identities/{id}/sightings',
      '/api/identities/{id}/events',
      '/api/identities/{id}/faces',
      '/api/identities/{id}/thumbnail',
      '/api/identities/sightings/{sid}/thumbnail',
      '/api/identities/merge',
      '/api/identities/{id}/split',
      '/api/identities/{id}/not-same',
      '/api/identities/bulk-delete',
      '/api/identities/clear-all',
      '/api/identities/undo',
      '/api/identities/operations',
    ]) {
      expect(doc.paths, p).toHaveProperty([p]);
    }
  });

  it('refuses JSON and media routes without a credential (401, Iris shape)', async () => {
    for (const [method, path] of [
      ['GET', '/api/identities'],
      ['GET', '/api/identities/analytics'],
      ['GET', '/api/identities/1'],
      ['PUT', '/api/identities/1'],
      ['POST', '/api/identities/merge'],
      ['POST', '/api/identities/undo'],
      ['DELETE', '/api/identities/1'],
      ['GET', '/api/identities/1/thumbnail'],
      ['GET', '/api/identities/sightings/1/thumbnail'],
    ] as const) {
      const res = await s.req(path, { method, auth: false });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(((await res.json()) as { detail: string }).detail).toBe('Authentication required.');
    }
  });

  it('answers 404 "Nothing to undo." before any operation', async () => {
    expect(await s.json('POST', '/api/identities/undo', {})).toEqual({ status: 404, body: { detail: 'Nothing to undo.' } });
    expect((await s.json<{ total: number }>('GET', '/api/identities/operations')).body.total).toBe(0);
  });
});

describe('capture: addSighting', () => {
  it('starts an identity, links the next sighting by face, and keeps counters, cameras, presence, thumbnails and the event link', async () => {
    const ann = walker(1);
    const ev = addEvent(s, gate, T0, T0 + 10_000);
    const a = await seed(ann, [
      [gate, T0, { faces: 2, event_id: ev.id }],
      [yard, T0 + 5 * MIN, { faces: 1 }],
      [gate, T0 + 5 * MIN + 30_000],
    ]);
    const d = await get(a.identity);
    expect(d).toMatchObject({
      id: a.identity,
      name: null,
      is_named: false,
      object_class: 'person',
      num_sightings: 3,
      total_seconds: 24,
      first_seen: new Date(T0).toISOString(),
      last_seen: new Date(T0 + 5 * MIN + 38_000).toISOString(),
      cameras: [
        { id: gate, name: 'Gate' },
        { id: yard, name: 'Yard' },
      ],
      rep_thumb_url: `/api/identities/${a.identity}/thumbnail`,
      num_face_exemplars: 3,
      num_appearance_exemplars: 3,
      notes: null,
      color: null,
      make: null,
      vehicle_type: null,
    });
    // The best face is the highest-quality sample of its sightings (the second of the first track: quality 0.6).
    const faces = (await s.json<{ total: number; items: { sample_id: number; quality: number; sighting_id: number; thumb_url: string }[] }>('GET', `/api/identities/${a.identity}/faces`)).body;
    expect(faces.total).toBe(3);
    const best = [...faces.items].sort((x, y) => y.quality - x.quality || x.sample_id - y.sample_id)[0];
    expect(d.face_thumb_url).toBe(`/api/face-groups/samples/${best?.sample_id}/thumbnail`);
    expect(faces.items.every((f) => f.thumb_url === `/api/face-groups/samples/${f.sample_id}/thumbnail`)).toBe(true);
    // Newest first, with the evidence of each link.
    expect(d.sightings.map((x) => x.id)).toEqual([...a.sightings].reverse());
    const second = d.sightings[1] as SightingDto;
    expect(second).toMatchObject({
      camera_id: yard,
      camera_name: 'Yard',
      duration_s: 8,
      has_face: true,
      has_appearance: true,
      thumb_url: `/api/identities/sightings/${a.sightings[1]}/thumbnail`,
      box: [0.3, 0.1, 0.25, 0.8],
      link: {
        kind: 'face',
        score: 0.93,
        face_score: 0.93,
        matched_sighting_id: a.sightings[0],
        matched: { sighting_id: a.sightings[0], identity_id: a.identity, camera_id: gate, camera_name: 'Gate', started_at: new Date(T0).toISOString() },
        gap_s: 12.5,
        detail: `face 0.93 to sighting ${a.sightings[0]}`,
      },
    });
    expect(second.face_sample_ids).toHaveLength(1);
    expect((d.sightings[2] as SightingDto).link).toMatchObject({ kind: 'new', score: null, matched: null, detail: 'new: no identity matched' });
    // Presence: the third sighting is within 60 s of nothing on the gate (5 min later), so the gate has two segments.
    const presence = s.db.prepare('SELECT camera_id, start_ms, end_ms FROM presence_segments WHERE identity_id = ? ORDER BY start_ms').all(a.identity);
    expect(presence).toEqual([
      { camera_id: gate, start_ms: T0, end_ms: T0 + 8000 },
      { camera_id: yard, start_ms: T0 + 5 * MIN, end_ms: T0 + 5 * MIN + 8000 },
      { camera_id: gate, start_ms: T0 + 5 * MIN + 30_000, end_ms: T0 + 5 * MIN + 38_000 },
    ]);
    // The sighting's event now names the identity; crops sit in its folder.
    expect((await s.json<EventDto>('GET', `/api/events/${ev.id}`)).body.identity_id).toBe(a.identity);
    // GET /api/events?identity_id= lists the events its sightings belong to.
    const byIdentity = (await s.json<{ total: number; items: EventDto[] }>('GET', `/api/events?identity_id=${a.identity}`)).body;
    expect(byIdentity.items.map((e) => e.id)).toContain(ev.id);
    expect((await s.json<{ total: number }>('GET', '/api/events?identity_id=999999')).body.total).toBe(0);
    const crops = s.db.prepare('SELECT crop_path FROM sightings WHERE identity_id = ?').pluck().all(a.identity) as string[];
    for (const c of crops) {
      expect(c).toMatch(new RegExp(`^identities/${a.identity}/\\d+-[0-9a-f]{16}\\.jpg$`));
      expect(existsSync(join(s.dataDir, c))).toBe(true);
    }
  });

  it('joins overlapping presence on one camera, and a link to a vanished identity starts a new one', async () => {
    const w = walker(2);
    const a = await seed(w, [
      [lobby, T0 + 10 * MIN],
      [lobby, T0 + 10 * MIN + 50_000],
    ]);
    expect(s.db.prepare('SELECT start_ms, end_ms FROM presence_segments WHERE identity_id = ?').all(a.identity)).toEqual([{ start_ms: T0 + 10 * MIN, end_ms: T0 + 10 * MIN + 58_000 }]);
    const r = await s.identities.service.addSighting(await summary(s, { camera_id: lobby, start_ms: T0, walker: w }), linkTo(999_999, 1));
    expect(r.identity_id).not.toBe(a.identity);
    expect((await get(r.identity_id)).sightings[0]?.link).toMatchObject({ kind: 'new', matched_sighting_id: null, detail: 'face 0.93 to sighting 1 (identity 999999 is gone: a new identity)' });
    await expect(s.identities.service.addSighting(await summary(s, { camera_id: 12345, start_ms: T0, walker: w }), NEW)).rejects.toMatchObject({ status: 404 });
  });

  it('keeps the best 10 face and appearance exemplars per identity; vehicles carry their colour', async () => {
    const w = walker(3);
    const spans: [number, number, Partial<SightingOptions>][] = Array.from({ length: 12 }, (_, k) => [gate, T0 + 20 * MIN + k * 3 * MIN, { best_score: 0.5 + k * 0.04 }]);
    const a = await seed(w, spans);
    const d = await get(a.identity, '?recent=0');
    expect(d).toMatchObject({ num_sightings: 12, num_face_exemplars: 10, num_appearance_exemplars: 10, sightings: [] });
    // The two lowest-scored sightings' appearance exemplars were dropped.
    const kept = s.db.prepare("SELECT sighting_id FROM identity_exemplars WHERE identity_id = ? AND kind = 'appearance' ORDER BY sighting_id").pluck().all(a.identity);
    expect(kept).toEqual(a.sightings.slice(2));
    const car = await s.identities.service.addSighting(await summary(s, { camera_id: gate, start_ms: T0, object_class: 'car', color: { name: 'red', hex: '#c0392b' }, photo: 'skagen.jpg' }), NEW);
    expect(await get(car.identity_id)).toMatchObject({ object_class: 'car', color: 'red', color_hex: '#c0392b', make: null, vehicle_type: null, face_thumb_url: null, num_face_exemplars: 0 });
  });
});

describe('reads', () => {
  it('lists most recently seen first with filters, every documented field and pagination; validates the query', async () => {
    const all = (await s.json<{ total: number; items: IdentityItemDto[] }>('GET', '/api/identities')).body;
    expect(all.total).toBeGreaterThanOrEqual(5);
    const seen = all.items.map((i) => Date.parse(i.last_seen ?? ''));
    expect(seen).toEqual([...seen].sort((x, y) => y - x));
    expect(Object.keys(all.items[0] as object).sort()).toEqual(
      ['cameras', 'color', 'color_hex', 'created_at', 'face_sample_id', 'face_thumb_url', 'first_seen', 'id', 'is_named', 'last_seen', 'make', 'name', 'num_sightings', 'object_class', 'person_id', 'rep_sighting_id', 'rep_thumb_url', 'total_seconds', 'vehicle_type'].sort(),
    );
    const cars = (await s.json<{ total: number; items: IdentityItemDto[] }>('GET', '/api/identities?object_class=car')).body;
    expect(cars.items.map((i) => i.object_class)).toEqual(['car']);
    const big = (await s.json<{ items: IdentityItemDto[] }>('GET', '/api/identities?min_sightings=3')).body.items;
    expect(big.length).toBeGreaterThanOrEqual(2);
    expect(big.every((i) => i.num_sightings >= 3)).toBe(true);
    expect((await s.json<{ total: number }>('GET', '/api/identities?named_only=true')).body.total).toBe(0);
    expect((await s.json<{ total: number }>('GET', '/api/identities?named_only=false')).body.total).toBe(all.total);
    const page = (await s.json<{ total: number; items: IdentityItemDto[] }>('GET', '/api/identities?limit=2&offset=1')).body;
    expect(page.total).toBe(all.total);
    expect(page.items.map((i) => i.id)).toEqual(all.items.slice(1, 3).map((i) => i.id));
    for (const q of ['limit=0', 'limit=501', 'offset=-1', 'named_only=maybe', 'min_sightings=x', 'object_class=']) {
      const r = await s.json<{ detail: { loc: unknown[] }[] }>('GET', `/api/identities?${q}`);
      expect(r.status, q).toBe(422);
      expect(r.body.detail[0]?.loc[0], q).toBe('query');
    }
  });

  it('analytics: summary, by camera with average dwell, the last 24 hours and match kinds', async () => {
    const a = (await s.json<{
      object_class: string;
      summary: { total: number; named: number; total_sightings: number };
      by_camera: { camera_id: number; sightings: number; identities: number; avg_dwell_s: number | null }[];
      by_hour: { hour: string; sightings: number; identities: number }[];
      by_match_kind: Record<string, number>;
    }>('GET', '/api/identities/analytics')).body;
    const people = s.db.prepare("SELECT * FROM identities WHERE object_class = 'person'").all() as { last_seen_ms: number; created_ms: number; num_sightings: number }[];
    const day = startOfLocalDay(Date.now());
    expect(a.object_class).toBe('person');
    expect(a.summary).toEqual({
      total: people.length,
      named: 0,
      unnamed: people.length,
      created_today: people.filter((p) => p.created_ms >= day).length,
      seen_today: people.filter((p) => p.last_seen_ms >= day).length,
      seen_7d: people.length,
      total_sightings: people.reduce((n, p) => n + p.num_sightings, 0),
    });
    const gateRow = a.by_camera.find((c) => c.camera_id === gate);
    const gateSightings = s.db.prepare("SELECT COUNT(*) FROM sightings WHERE camera_id = ? AND object_class = 'person'").pluck().get(gate);
    const dwell = s.db.prepare("SELECT AVG(p.end_ms - p.start_ms) / 1000.0 FROM presence_segments p JOIN identities i ON i.id = p.identity_id WHERE p.camera_id = ? AND i.object_class = 'person'").pluck().get(gate);
    expect(gateRow).toMatchObject({ sightings: gateSightings, avg_dwell_s: dwell });
    expect(a.by_hour).toHaveLength(24);
    expect(Date.parse((a.by_hour[23] as { hour: string }).hour)).toBe(Math.floor(Date.now() / 3_600_000) * 3_600_000);
    expect(a.by_hour.reduce((n, h) => n + h.sightings, 0)).toBe(a.summary.total_sightings);
    expect(a.by_match_kind).toEqual({ face: a.summary.total_sightings - a.summary.total, appearance: 0, manual: 0, new: a.summary.total });
    const cars = (await s.json<{ summary: { total: number }; by_camera: unknown[] }>('GET', '/api/identities/analytics?object_class=car')).body;
    expect(cars.summary.total).toBe(1);
    expect((await s.json<{ summary: { total: number } }>('GET', '/api/identities/analytics?object_class=boat')).body.summary.total).toBe(0);
  });

  it('detail with recent 0–200, sightings paginated, events, faces; 404 and 422', async () => {
    const id = (await s.json<{ items: IdentityItemDto[] }>('GET', '/api/identities?min_sightings=12')).body.items[0]?.id as number;
    expect((await get(id, '?recent=5')).sightings).toHaveLength(5);
    expect((await get(id)).sightings).toHaveLength(12);
    for (const q of ['?recent=201', '?recent=-1']) expect((await s.json('GET', `/api/identities/${id}${q}`)).status).toBe(422);
    const p1 = (await s.json<{ total: number; items: SightingDto[] }>('GET', `/api/identities/${id}/sightings?limit=5`)).body;
    const p2 = (await s.json<{ total: number; items: SightingDto[] }>('GET', `/api/identities/${id}/sightings?limit=5&offset=5`)).body;
    expect(p1.total).toBe(12);
    expect(new Set([...p1.items, ...p2.items].map((x) => x.id)).size).toBe(10);
    expect(p1.items[0]?.started_at.localeCompare(p2.items[0]?.started_at ?? '')).toBe(1);
    for (const path of ['', '/sightings', '/events', '/faces']) {
      expect(await s.json('GET', `/api/identities/99999${path}`), path).toEqual({ status: 404, body: { detail: 'Identity 99999 not found' } });
      expect((await s.json('GET', `/api/identities/abc${path}`)).status, path).toBe(422);
    }
    expect((await s.json('GET', `/api/identities/${id}/sightings?limit=501`)).status).toBe(422);
    expect((await s.json<{ total: number }>('GET', `/api/identities/${id}/events`)).body.total).toBe(0);
  });

  it('serves the identity and sighting thumbnails as JPEG (media), 404 when missing', async () => {
    const d = (await s.json<{ items: IdentityItemDto[] }>('GET', '/api/identities?min_sightings=3&limit=1')).body.items[0] as IdentityItemDto;
    const res = await s.req(d.rep_thumb_url as string);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 64, height: 128 });
    const sid = d.rep_sighting_id as number;
    const sres = await s.req(`/api/identities/sightings/${sid}/thumbnail`);
    expect(sres.status).toBe(200);
    const crop = s.db.prepare('SELECT crop_path FROM sightings WHERE id = ?').pluck().get(sid) as string;
    expect(Buffer.from(await sres.arrayBuffer())).toEqual(readFileSync(join(s.dataDir, crop)));
    expect((await s.req(`/api/identities/sightings/${sid}/thumbnail`, { method: 'HEAD' })).status).toBe(200);
    expect((await s.req('/api/identities/99999/thumbnail')).status).toBe(404);
    expect((await s.req('/api/identities/sightings/99999/thumbnail')).status).toBe(404);
    expect((await s.req('/api/identities/sightings/x/thumbnail')).status).toBe(422);
    // A sighting without a crop has no thumbnail, and an identity with none has no rep.
    const bare = await s.identities.service.addSighting(await summary(s, { camera_id: gate, start_ms: T0 - 10 * MIN, walker: walker(4), photo: null }), NEW);
    expect((await s.req(`/api/identities/sightings/${bare.sighting_id}/thumbnail`)).status).toBe(404);
    expect((await get(bare.identity_id)).rep_thumb_url).toBeNull();
    expect((await s.req(`/api/identities/${bare.identity_id}/thumbnail`)).status).toBe(404);
  });
});

describe('rename / annotate / confirm', () => {
  it('a non-null name sets is_named; notes and is_named alone; 404 and 422; each change is undoable exactly', async () => {
    const { identity } = await seed(walker(5), [[yard, T0 + 40 * MIN]]);
    const before = s.db.prepare('SELECT * FROM identities WHERE id = ?').get(identity);
    const r = await s.json<IdentityDto>('PUT', `/api/identities/${identity}`, { name: '  Eve  ', notes: 'night shift' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: identity, name: 'Eve', is_named: true, notes: 'night shift', num_sightings: 1 });
    expect((await s.json<IdentityDto>('PUT', `/api/identities/${identity}`, { is_named: false })).body).toMatchObject({ name: 'Eve', is_named: false });
    expect((await s.json<IdentityDto>('PUT', `/api/identities/${identity}`, { name: 'Eve B', is_named: false })).body).toMatchObject({ name: 'Eve B', is_named: false });
    expect((await s.json('PUT', '/api/identities/99999', { name: 'x' })).status).toBe(404);
    for (const body of [{ name: '' }, { name: 7 }, { is_named: 'yes' }, { color: 'red' }]) expect((await s.json('PUT', `/api/identities/${identity}`, body)).status, JSON.stringify(body)).toBe(422);
    expect((await s.json<{ items: { kind: string; identity_ids: number[] }[] }>('GET', '/api/identities/operations')).body.items.slice(0, 3).map((o) => o.kind)).toEqual(['rename', 'rename', 'rename']);
    for (let k = 0; k < 3; k++) expect((await s.json<{ kind: string }>('POST', '/api/identities/undo', {})).body.kind).toBe('rename');
    expect(s.db.prepare('SELECT * FROM identities WHERE id = ?').get(identity)).toEqual(before);
  });
});

describe('merge → undo', () => {
  it('moves sightings, exemplars, presence, event links and crops to the target; keeps a named source’s name; undo restores every row and file', async () => {
    const tw = walker(10);
    const target = await seed(tw, [[gate, T0 + 60 * MIN, { faces: 1 }]]);
    const b = await seed(tw, [
      [yard, T0 + 62 * MIN, { faces: 2 }],
      [yard, T0 + 63 * MIN],
    ]);
    const c = await seed(tw, [[lobby, T0 + 64 * MIN]]);
    await s.json('PUT', `/api/identities/${c.identity}`, { name: 'Finn' });
    const evB = addEvent(s, yard, T0 + 62 * MIN, T0 + 62 * MIN + 9000);
    s.db.prepare('UPDATE events SET identity_id = ? WHERE id = ?').run(b.identity, evB.id);
    s.db.prepare('UPDATE sightings SET event_id = ? WHERE id = ?').run(evB.id, b.sightings[0]);
    const rows = dump(s.db);
    const files = filesUnder(s.dataDir);

    const r = await s.json<OpResult>('POST', '/api/identities/merge', { target_id: target.identity, source_ids: [b.identity, target.identity, c.identity, b.identity] });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ok: true, target_id: target.identity, affected_ids: [target.identity, b.identity, c.identity], moved_sightings: 3 });
    expect(r.body.detail).toBe(`Merged 2 identities (3 sightings) into #${target.identity} "Finn"`);
    const d = await get(target.identity);
    expect(d).toMatchObject({ name: 'Finn', is_named: true, num_sightings: 4, total_seconds: 32, first_seen: new Date(T0 + 60 * MIN).toISOString(), num_face_exemplars: 4 });
    expect(d.cameras.map((x) => x.id)).toEqual([gate, yard, lobby]);
    for (const id of [b.identity, c.identity]) expect((await s.json('GET', `/api/identities/${id}`)).status).toBe(404);
    expect((await s.json<EventDto>('GET', `/api/events/${evB.id}`)).body.identity_id).toBe(target.identity);
    expect((await s.json<{ items: EventDto[] }>('GET', `/api/identities/${target.identity}/events`)).body.items.map((e) => e.id)).toEqual([evB.id]);
    expect((await s.json<{ total: number }>('GET', `/api/identities/${target.identity}/faces`)).body.total).toBe(3);
    const crops = s.db.prepare('SELECT crop_path FROM sightings WHERE identity_id = ?').pluck().all(target.identity) as string[];
    expect(crops.every((p) => p.startsWith(`identities/${target.identity}/`) && existsSync(join(s.dataDir, p)))).toBe(true);
    expect(existsSync(join(s.dataDir, 'identities', String(b.identity)))).toBe(false);
    // The operation names every identity it touched.
    const op = (await s.json<{ items: { id: number; kind: string; identity_ids: number[]; can_undo: boolean }[] }>('GET', '/api/identities/operations')).body.items[0];
    expect(op).toMatchObject({ id: r.body.operation_id, kind: 'merge', identity_ids: [target.identity, b.identity, c.identity], can_undo: true });

    const u = await s.json<{ ok: boolean; kind: string; undone_ids: number[]; affected_ids: number[] }>('POST', '/api/identities/undo', { operation_id: r.body.operation_id });
    expect(u.body).toMatchObject({ ok: true, kind: 'merge', undone_ids: [r.body.operation_id], affected_ids: [target.identity, b.identity, c.identity].sort((x, y) => x - y) });
    expect(dump(s.db)).toEqual(rows);
    expect(filesUnder(s.dataDir)).toEqual(files);
    expect((await get(b.identity)).num_sightings).toBe(2);
    expect(await s.json('POST', '/api/identities/undo', { operation_id: r.body.operation_id })).toEqual({ status: 409, body: { detail: `Operation ${r.body.operation_id} was already undone.` } });
  });

  it('validates: 404 unknown target or source, 400 when only the target is named, 422 for 0 or 1001 sources', async () => {
    const { identity } = await seed(walker(11), [[gate, T0 + 70 * MIN]]);
    expect(await s.json('POST', '/api/identities/merge', { target_id: 99999, source_ids: [identity] })).toEqual({ status: 404, body: { detail: 'Identity 99999 not found' } });
    expect(await s.json('POST', '/api/identities/merge', { target_id: identity, source_ids: [99998, 99999] })).toEqual({ status: 404, body: { detail: 'Identities 99998, 99999 not found' } });
    expect(await s.json('POST', '/api/identities/merge', { target_id: identity, source_ids: [identity] })).toMatchObject({ status: 400, body: { detail: expect.stringMatching(/Nothing to merge/) } });
    for (const body of [{ target_id: identity, source_ids: [] }, { target_id: identity, source_ids: Array.from({ length: 1001 }, (_, k) => k + 1) }, { target_id: identity }, { target_id: 0, source_ids: [1] }]) {
      expect((await s.json('POST', '/api/identities/merge', body)).status).toBe(422);
    }
  });
});

describe('split → undo', () => {
  it('peels explicit sightings into a new identity (named), events follow, the halves are never-together; undo restores everything', async () => {
    const w = walker(20);
    const a = await seed(w, [
      [gate, T0 + 80 * MIN, { faces: 1 }],
      [gate, T0 + 81 * MIN],
      [yard, T0 + 90 * MIN, { faces: 1 }],
      [yard, T0 + 91 * MIN],
    ]);
    const ev = addEvent(s, yard, T0 + 90 * MIN, T0 + 92 * MIN);
    s.db.prepare('UPDATE sightings SET event_id = ? WHERE id IN (?, ?)').run(ev.id, a.sightings[2], a.sightings[3]);
    s.db.prepare('UPDATE events SET identity_id = ? WHERE id = ?').run(a.identity, ev.id);
    const rows = dump(s.db);
    const files = filesUnder(s.dataDir);
    const r = await s.json<OpResult>('POST', `/api/identities/${a.identity}/split`, { sighting_ids: [a.sightings[2], a.sightings[3]], new_name: 'Gus' });
    expect(r.status).toBe(200);
    const created = r.body.target_id as number;
    expect(r.body).toMatchObject({ ok: true, affected_ids: [a.identity, created], moved_sightings: 2 });
    expect(await get(created)).toMatchObject({ name: 'Gus', is_named: true, num_sightings: 2, cameras: [{ id: yard, name: 'Yard' }], num_face_exemplars: 2 });
    expect(await get(a.identity)).toMatchObject({ num_sightings: 2, cameras: [{ id: gate, name: 'Gate' }], last_seen: new Date(T0 + 81 * MIN + 8000).toISOString() });
    expect((await s.json<EventDto>('GET', `/api/events/${ev.id}`)).body.identity_id).toBe(created);
    expect(s.identities.service.neverTogether(a.sightings[0] as number, a.sightings[3] as number)).toBe(true);
    expect(s.identities.service.neverPairs([a.identity, created])).toEqual([[a.identity, created]]);
    const moved = s.db.prepare('SELECT crop_path FROM sightings WHERE identity_id = ?').pluck().all(created) as string[];
    expect(moved.every((p) => p.startsWith(`identities/${created}/`) && existsSync(join(s.dataDir, p)))).toBe(true);

    expect((await s.json('POST', '/api/identities/undo', {})).status).toBe(200);
    expect(dump(s.db)).toEqual(rows);
    expect(filesUnder(s.dataDir)).toEqual(files);
    expect((await s.json('GET', `/api/identities/${created}`)).status).toBe(404);
    expect(s.identities.service.neverTogether(a.sightings[0] as number, a.sightings[3] as number)).toBe(false);
  });

  it('auto re-clusters two people wrongly joined into two, by face first, then by appearance', async () => {
    const p = walker(30);
    const q = walker(31);
    const a = await seed(p, [
      [gate, T0 + 100 * MIN, { best_score: 0.95 }],
      [gate, T0 + 101 * MIN],
      [yard, T0 + 102 * MIN],
    ]);
    const qs: number[] = [];
    for (const [k, cam] of [gate, lobby, lobby].entries()) qs.push((await s.identities.service.addSighting(await summary(s, { camera_id: cam, start_ms: T0 + 103 * MIN + k * MIN, walker: q }), linkTo(a.identity, a.sightings[0] as number, 'appearance', 0.6))).sighting_id);
    // One of Q's sightings shows no face: it follows its clothes.
    const faceless = await s.identities.service.addSighting(await summary(s, { camera_id: lobby, start_ms: T0 + 107 * MIN, walker: q, face: false }), linkTo(a.identity, qs[0] as number, 'appearance', 0.6));
    const r = await s.json<OpResult>('POST', `/api/identities/${a.identity}/split`, { auto: true });
    expect(r.status).toBe(200);
    expect(r.body.detail).toMatch(/automatically by face/);
    const peeled = s.db.prepare('SELECT id FROM sightings WHERE identity_id = ? ORDER BY id').pluck().all(r.body.target_id);
    expect(peeled).toEqual([...qs, faceless.sighting_id]);
    expect(r.body.moved_sightings).toBe(4);

    // Without faces, appearance decides.
    const u = walker(40);
    const v = walker(41);
    const b = await seed(u, [
      [gate, T0 + 110 * MIN, { face: false }],
      [gate, T0 + 111 * MIN, { face: false }],
    ]);
    const vs: number[] = [];
    for (let k = 0; k < 2; k++) vs.push((await s.identities.service.addSighting(await summary(s, { camera_id: yard, start_ms: T0 + 112 * MIN + k * MIN, walker: v, face: false }), linkTo(b.identity, b.sightings[0] as number, 'appearance', 0.55))).sighting_id);
    const rb = await s.json<OpResult>('POST', `/api/identities/${b.identity}/split`, { auto: true });
    expect(rb.body.detail).toMatch(/automatically by appearance/);
    expect(s.db.prepare('SELECT id FROM sightings WHERE identity_id = ? ORDER BY id').pluck().all(rb.body.target_id)).toEqual(vs);
  });

  it('400 without sighting_ids or auto, for foreign sightings, for all of them, and when auto has nothing to compare; 404; 422', async () => {
    const a = await seed(walker(50), [
      [gate, T0 + 120 * MIN],
      [gate, T0 + 121 * MIN],
    ]);
    const other = await seed(walker(51), [[gate, T0 + 122 * MIN]]);
    const split = (id: number, body: unknown) => s.json<{ detail: string }>('POST', `/api/identities/${id}/split`, body);
    expect(await split(a.identity, {})).toEqual({ status: 400, body: { detail: 'Give sighting_ids to split off, or auto=true.' } });
    expect(await split(a.identity, { sighting_ids: [], auto: false })).toMatchObject({ status: 400 });
    expect(await split(a.identity, { sighting_ids: [other.sightings[0]] })).toEqual({ status: 400, body: { detail: `Sighting ${other.sightings[0]} is not of identity ${a.identity}.` } });
    expect(await split(a.identity, { sighting_ids: a.sightings })).toEqual({ status: 400, body: { detail: 'A split must leave the identity at least one sighting.' } });
    expect((await split(other.identity, { auto: true })).status).toBe(400);
    const bare = await s.identities.service.addSighting(await summary(s, { camera_id: gate, start_ms: T0, walker: null }), NEW);
    await s.identities.service.addSighting(await summary(s, { camera_id: gate, start_ms: T0 + MIN, walker: null }), linkTo(bare.identity_id, bare.sighting_id, 'manual', 1));
    expect(await split(bare.identity_id, { auto: true })).toMatchObject({ status: 400, body: { detail: expect.stringMatching(/cannot be split automatically/) } });
    expect((await split(99999, { auto: true })).status).toBe(404);
    for (const body of [{ auto: 'yes' }, { sighting_ids: ['a'] }, { new_name: '' }, { other: 1 }]) expect((await split(a.identity, body)).status, JSON.stringify(body)).toBe(422);
  });
});

describe('not the same', () => {
  it('remembers a pair, never twice, undoably; 400/404/422', async () => {
    const a = await seed(walker(60), [
      [lobby, T0 + 130 * MIN],
      [lobby, T0 + 131 * MIN],
    ]);
    const b = await seed(walker(61), [[lobby, T0 + 132 * MIN]]);
    const path = `/api/identities/${a.identity}/not-same`;
    const r = await s.json<{ ok: boolean; added: boolean; operation_id: number }>('POST', path, { sighting_ids: [a.sightings[1], a.sightings[0]] });
    expect(r.body).toMatchObject({ ok: true, added: true });
    expect(s.identities.service.neverTogether(a.sightings[0] as number, a.sightings[1] as number)).toBe(true);
    expect((await s.json('POST', path, { sighting_ids: [a.sightings[0], a.sightings[1]] })).body).toEqual({ ok: true, added: false, operation_id: null });
    expect((await s.json('POST', path, { sighting_ids: [a.sightings[0], b.sightings[0]] })).body).toMatchObject({ added: true });
    expect(s.identities.service.neverIdentitiesOf(b.sightings[0] as number)).toEqual([a.identity]);
    expect(s.identities.service.neverPairs([a.identity, b.identity])).toEqual([[a.identity, b.identity].sort((x, y) => x - y)]);
    expect((await s.json<{ kind: string }>('POST', '/api/identities/undo', {})).body.kind).toBe('not_same');
    expect(s.identities.service.neverPairs([a.identity, b.identity])).toEqual([]);
    expect((await s.json('POST', '/api/identities/undo', { operation_id: r.body.operation_id })).status).toBe(200);
    expect(s.identities.service.neverTogether(a.sightings[0] as number, a.sightings[1] as number)).toBe(false);
    expect(await s.json('POST', path, { sighting_ids: [a.sightings[0], a.sightings[0]] })).toEqual({ status: 400, body: { detail: 'Give two different sightings.' } });
    expect((await s.json('POST', path, { sighting_ids: [a.sightings[0], 99999] })).status).toBe(404);
    expect((await s.json('POST', `/api/identities/${b.identity}/not-same`, { sighting_ids: [a.sightings[0], a.sightings[1]] })).status).toBe(400);
    expect((await s.json('POST', path, { sighting_ids: [1] })).status).toBe(422);
  });
});

describe('undo rules', () => {
  it('409 while a later operation changed the same identities; 404 unknown; 422 bad id; the later one first, then the earlier', async () => {
    const a = await seed(walker(70), [[gate, T0 + 140 * MIN]]);
    const b = await seed(walker(71), [[gate, T0 + 141 * MIN]]);
    const rows = dump(s.db);
    const rename = (await s.json<IdentityDto>('PUT', `/api/identities/${b.identity}`, { name: 'Hal' })).body;
    expect(rename.is_named).toBe(true);
    const renameOp = (await s.json<{ items: { id: number }[] }>('GET', '/api/identities/operations?limit=1')).body.items[0]?.id as number;
    const merge = (await s.json<OpResult>('POST', '/api/identities/merge', { target_id: a.identity, source_ids: [b.identity] })).body;
    expect(await s.json('POST', '/api/identities/undo', { operation_id: renameOp })).toEqual({ status: 409, body: { detail: `Undo operation ${merge.operation_id} first: it changed the same identities later.` } });
    expect(await s.json('POST', '/api/identities/undo', { operation_id: 99999 })).toEqual({ status: 404, body: { detail: 'Operation 99999 not found' } });
    for (const body of [{ operation_id: 0 }, { operation_id: 'x' }, { id: 1 }]) expect((await s.json('POST', '/api/identities/undo', body)).status).toBe(422);
    expect((await s.json('POST', '/api/identities/undo', {})).status).toBe(200);
    expect((await s.json('POST', '/api/identities/undo', { operation_id: renameOp })).status).toBe(200);
    expect(dump(s.db)).toEqual(rows);
  });

  it('410 once the undo window closed; the purge then drops the operation', async () => {
    const a = await seed(walker(72), [[gate, T0 + 150 * MIN]]);
    await s.settings.update({ identity_undo_hours: 0 });
    try {
      await s.json('PUT', `/api/identities/${a.identity}`, { notes: 'x' });
      const op = (await s.json<{ items: { id: number; can_undo: boolean }[] }>('GET', '/api/identities/operations?limit=1')).body.items[0] as { id: number };
      await new Promise((r) => setTimeout(r, 5));
      expect(await s.json('POST', '/api/identities/undo', { operation_id: op.id })).toEqual({ status: 410, body: { detail: `Operation ${op.id} can no longer be undone: its undo window closed.` } });
      expect(await s.identities.service.purgeExpired()).toBeGreaterThanOrEqual(1);
      expect((await s.json('POST', '/api/identities/undo', { operation_id: op.id })).status).toBe(404);
    } finally {
      await s.settings.update({ identity_undo_hours: 24 });
    }
  });
});
