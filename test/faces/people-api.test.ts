// People API (Iris /api/people) over real HTTP: every route and every documented enrolment error, including a real
// decompression-bomb PNG refused from its header. real: fastify on 127.0.0.1:0, SQLite file, sharp, usearch, files.
// mock: the face engine (a port test double; the worker-backed engine has its own tests and the integration test).
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCamera, addEvent, KEY, startFacesServer, type FacesServer } from './people-harness';
import { FaceEngineDouble, faceOf, faceResult, identity, photo } from './people-engine-double';
import type { PersonDto, FaceEmbeddingDto } from '../../src-main/shared/contract/people.contract';
import { decodeF32 } from '../../src-main/repositories/embedding-blob';

let s: FacesServer;
const engine = new FaceEngineDouble();
const ANN = identity(1);
const BO = identity(2);

function form(data: Buffer | string, type: string, field = 'file', name = 'face.jpg'): FormData {
  const fd = new FormData();
  fd.append(field, new Blob([typeof data === 'string' ? data : new Uint8Array(data)], { type }), name);
  return fd;
}

async function upload(personId: number, data: Buffer | string, type = 'image/jpeg', field = 'file'): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await s.req(`/api/people/${personId}/faces`, { method: 'POST', body: form(data, type, field) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(b: Buffer): number {
  let c = 0xffffffff;
  for (const x of b) c = (CRC_TABLE[(c ^ x) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
/** A valid PNG whose IHDR claims width×height RGB pixels, with a few KB of compressed zero rows: a decompression bomb. */
function bombPng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(4 * 1024 * 1024), { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

let annId: number;
let annPhoto: Buffer;

beforeAll(async () => {
  s = await startFacesServer({ engine });
  annPhoto = await photo(1);
  engine.register(annPhoto, [faceResult(faceOf(ANN, 1), { quality: 0.9 })]);
});

afterAll(async () => {
  await s?.stop();
});

describe('OpenAPI and auth', () => {
  it('documents every people route, the upload and the image', async () => {
    const doc = (await s.json<{ paths: Record<string, Record<string, unknown>> }>('GET', '/openapi.json')).body;
    expect(Object.keys(doc.paths['/api/people'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/api/people/{id}'] ?? {}).sort()).toEqual(['delete', 'get', 'put']);
    expect(Object.keys(doc.paths['/api/people/{id}/faces'] ?? {}).sort()).toEqual(['get', 'post']);
    for (const p of ['/api/people/bulk-delete', '/api/people/clear-all', '/api/people/{id}/faces/{fid}', '/api/people/{id}/faces/{fid}/image']) expect(doc.paths).toHaveProperty([p]);
    expect(JSON.stringify(doc.paths['/api/people/{id}/faces']?.post)).toMatch(/multipart\/form-data/);
  });

  it('refuses every route without a credential', async () => {
    for (const [method, path] of [
      ['GET', '/api/people'],
      ['POST', '/api/people/1/faces'],
      ['GET', '/api/people/1/faces/1/image'],
    ] as const) {
      const res = await s.req(path, { method, auth: false });
      expect(res.status, path).toBe(401);
    }
  });
});

describe('people CRUD', () => {
  it('creates (201), lists with num_faces, gets, updates and validates', async () => {
    const c = await s.json<PersonDto>('POST', '/api/people', { name: '  Ann  ', notes: 'front door' });
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({ name: 'Ann', notes: 'front door', num_faces: 0 });
    annId = c.body.id;
    expect((await s.json('POST', '/api/people', { name: '' })).status).toBe(422);
    expect((await s.json('POST', '/api/people', { name: 'X', age: 3 })).status).toBe(422);
    const list = await s.json<PersonDto[]>('GET', '/api/people');
    expect(list.body).toEqual([expect.objectContaining({ id: annId, name: 'Ann', num_faces: 0 })]);
    expect((await s.json('GET', `/api/people/${annId}`)).body).toMatchObject({ id: annId });
    expect((await s.json('GET', '/api/people/999')).status).toBe(404);
    expect((await s.json('GET', '/api/people/abc')).status).toBe(422);
    const u = await s.json<PersonDto>('PUT', `/api/people/${annId}`, { notes: null });
    expect(u.body).toMatchObject({ name: 'Ann', notes: null });
    expect((await s.json<PersonDto>('PUT', `/api/people/${annId}`, { name: 'Ann B' })).body.name).toBe('Ann B');
    expect((await s.json('PUT', '/api/people/999', { name: 'x' })).status).toBe(404);
  });
});

describe('enrolment: POST /api/people/{id}/faces', () => {
  it('embeds the largest face, stores the photo and answers 201 {embedding_id, faces_detected, image_path}', async () => {
    const r = await upload(annId, annPhoto);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ faces_detected: 1 });
    expect(r.body.image_path).toMatch(new RegExp(`^faces/people/${annId}/[0-9a-f]{16}\\.jpg$`));
    expect(readFileSync(join(s.dataDir, r.body.image_path as string))).toEqual(annPhoto);
    expect((await s.json<PersonDto>('GET', `/api/people/${annId}`)).body.num_faces).toBe(1);

    const two = await photo(2, 'png');
    const big = faceOf(BO, 5);
    engine.register(two, [faceResult(big, { size_px: 200 }), faceResult(faceOf(ANN, 6), { size_px: 60 })]);
    const bo = (await s.json<PersonDto>('POST', '/api/people', { name: 'Bo' })).body.id;
    const r2 = await upload(bo, two, 'image/png');
    expect(r2).toMatchObject({ status: 201, body: { faces_detected: 2 } });
    expect(r2.body.image_path).toMatch(/\.png$/);
    const blob = s.db.prepare('SELECT embedding FROM face_embeddings WHERE id = ?').get(r2.body.embedding_id) as { embedding: Buffer };
    expect([...decodeF32(blob.embedding)]).toEqual([...big]);
    // The recogniser's gallery was rebuilt: a new face of Bo now ranks Bo first.
    expect(s.faces.index.rank(faceOf(BO, 9), 1)[0]).toMatchObject({ person_id: bo });

    const webp = await photo(3, 'webp');
    engine.register(webp, [faceResult(faceOf(BO, 7))]);
    expect((await upload(bo, webp, 'image/webp')).status).toBe(201);
  });

  it('lists faces and serves each source image; deletes one face (204) with its file', async () => {
    const faces = (await s.json<FaceEmbeddingDto[]>('GET', `/api/people/${annId}/faces`)).body;
    expect(faces).toHaveLength(1);
    const f = faces[0] as FaceEmbeddingDto;
    expect(f).toMatchObject({ person_id: annId, model: 'dlib-resnet-face-128', dim: 128, quality: 0.9, image_url: `/api/people/${annId}/faces/${f.id}/image` });
    const img = await s.req(f.image_url as string);
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await img.arrayBuffer())).toEqual(annPhoto);
    expect((await s.req(`/api/people/${annId}/faces/999/image`)).status).toBe(404);
    expect((await s.json('GET', '/api/people/999/faces')).status).toBe(404);

    const extra = await upload(annId, annPhoto);
    const path = join(s.dataDir, extra.body.image_path as string);
    expect(existsSync(path)).toBe(true);
    const del = await s.req(`/api/people/${annId}/faces/${extra.body.embedding_id}`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect(existsSync(path)).toBe(false);
    expect((await s.req(`/api/people/${annId}/faces/${extra.body.embedding_id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await s.json<PersonDto>('GET', `/api/people/${annId}`)).body.num_faces).toBe(1);
  });

  it('415 for an unsupported content type (part or request), before reading it', async () => {
    const seen = engine.seen.length;
    expect(await upload(annId, 'hello', 'text/plain')).toMatchObject({ status: 415, body: { detail: expect.stringMatching(/Unsupported content type/) } });
    expect((await upload(annId, await photo(4, 'png'), 'image/gif')).status).toBe(415);
    const json = await s.req(`/api/people/${annId}/faces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"file": "x"}' });
    expect(json.status).toBe(415);
    expect(engine.seen.length).toBe(seen);
  });

  it('400 for an empty upload or an undecodable image; 422 without a `file` part', async () => {
    expect(await upload(annId, Buffer.alloc(0))).toMatchObject({ status: 400, body: { detail: 'Empty upload.' } });
    expect(await upload(annId, Buffer.from('definitely not a jpeg'))).toMatchObject({ status: 400, body: { detail: expect.stringMatching(/decode/) } });
    const broken = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(20)]);
    expect((await upload(annId, broken)).status).toBe(400);
    expect(await upload(annId, annPhoto, 'image/jpeg', 'photo')).toMatchObject({ status: 422, body: { detail: [{ loc: ['body', 'file'], type: 'missing' }] } });
  });

  it('413 for a file over 8 MiB, cut off at the limit', async () => {
    const seen = engine.seen.length;
    const huge = Buffer.concat([annPhoto, Buffer.alloc(8 * 1024 * 1024)]);
    const r = await upload(annId, huge);
    expect(r).toMatchObject({ status: 413, body: { detail: expect.stringMatching(/too large/) } });
    expect(engine.seen.length).toBe(seen);
  });

  it('answers 413 as soon as the limit is crossed, without reading the rest of a huge body', async () => {
    const port = Number(new URL(s.base).port);
    const boundary = 'vigil-test-boundary';
    const sock = connect(port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    // Declares 1 GiB, sends 9 MiB, then waits: the answer must come without the rest.
    sock.write(`POST /api/people/${annId}/faces HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${KEY}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${1024 ** 3}\r\n\r\n`);
    sock.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`);
    sock.write(Buffer.concat([annPhoto, Buffer.alloc(9 * 1024 * 1024)]));
    let got = '';
    const answer = await new Promise<string>((resolve) => {
      sock.on('data', (d: Buffer) => {
        got += d.toString('latin1');
        if (/\r\n\r\n\{.*\}/s.test(got)) resolve(got);
      });
      sock.on('close', () => resolve(got));
      setTimeout(() => resolve(`timed out: ${got}`), 10_000);
    });
    sock.destroy();
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toMatch(/connection: close/i);
    expect(answer).toContain('Upload too large');
  });

  it('413 for a decompression-bomb PNG (60000×60000 in a tiny file), from its header, quickly and never decoded', async () => {
    const bomb = bombPng(60_000, 60_000);
    expect(bomb.length).toBeLessThan(64 * 1024);
    const seen = engine.seen.length;
    const t0 = performance.now();
    const r = await upload(annId, bomb, 'image/png');
    const ms = performance.now() - t0;
    expect(r).toMatchObject({ status: 413, body: { detail: expect.stringMatching(/60000×60000 is over 50 MP/) } });
    expect(ms).toBeLessThan(1000);
    expect(engine.seen.length).toBe(seen);
    // Just under the limit passes the header check and reaches the recogniser (which finds no face in it).
    const fine = bombPng(7000, 7000);
    expect((await upload(annId, fine, 'image/png')).status).toBe(422);
  });

  it('422 when no face is found; 503 when the recogniser is unavailable; 404 for a missing person', async () => {
    expect(await upload(annId, await photo(5))).toMatchObject({ status: 422, body: { detail: 'No face detected in the image.' } });
    const noEmbedding = await photo(6);
    engine.register(noEmbedding, [faceResult(null)]);
    expect((await upload(annId, noEmbedding)).status).toBe(422);
    engine.error = 'face models not found';
    try {
      expect(await upload(annId, annPhoto)).toMatchObject({ status: 503, body: { detail: expect.stringMatching(/face models not found/) } });
    } finally {
      engine.error = null;
    }
    expect((await upload(999, annPhoto)).status).toBe(404);
  });
});

describe('deletes: detach events, remove files, rebuild the index', () => {
  it('DELETE /api/people/{id} → 204; events keep person_name, lose person_id; files and gallery entry gone', async () => {
    const cam = addCamera(s.db, 'Door');
    const cy = (await s.json<PersonDto>('POST', '/api/people', { name: 'Cy' })).body.id;
    const p = await photo(7);
    engine.register(p, [faceResult(faceOf(identity(3), 1))]);
    const up = await upload(cy, p);
    const ev = addEvent(s.db, cam, 1000, 2000, { person_id: cy, person_name: 'Cy' });
    const other = addEvent(s.db, cam, 3000, 4000, { person_id: annId, person_name: 'Ann B' });
    expect((await s.json<{ total: number; items: { id: number }[] }>('GET', `/api/events?person_id=${cy}`)).body).toMatchObject({ total: 1, items: [{ id: ev }] });
    expect(s.faces.index.gallery().names.has(cy)).toBe(true);

    expect((await s.req(`/api/people/${cy}`, { method: 'DELETE' })).status).toBe(204);
    expect((await s.json('GET', `/api/people/${cy}`)).status).toBe(404);
    expect((await s.json('GET', `/api/events/${ev}`)).body).toMatchObject({ person_id: null, person_name: 'Cy' });
    expect((await s.json('GET', `/api/events/${other}`)).body).toMatchObject({ person_id: annId });
    expect((await s.json<{ total: number }>('GET', `/api/events?person_id=${cy}`)).body.total).toBe(0);
    expect(existsSync(join(s.dataDir, up.body.image_path as string))).toBe(false);
    expect(existsSync(join(s.dataDir, 'faces', 'people', String(cy)))).toBe(false);
    expect(s.faces.index.gallery().names.has(cy)).toBe(false);
    expect((await s.req(`/api/people/${cy}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('bulk-delete (max 1000) and clear-all (confirm mandatory, chunks of 200)', async () => {
    const ids = [];
    for (const name of ['D1', 'D2', 'D3']) ids.push((await s.json<PersonDto>('POST', '/api/people', { name })).body.id);
    expect((await s.json('POST', '/api/people/bulk-delete', { ids: Array.from({ length: 1001 }, (_, i) => i + 1) })).status).toBe(422);
    expect((await s.json('POST', '/api/people/bulk-delete', { ids: [...ids.slice(0, 2), ids[0], 99_999] })).body).toEqual({ deleted: 2 });

    const ins = s.db.prepare('INSERT INTO people (name) VALUES (?)');
    s.db.transaction(() => {
      for (let i = 0; i < 450; i++) ins.run(`bulk ${i}`);
    })();
    const total = (await s.json<PersonDto[]>('GET', '/api/people')).body.length;
    expect(total).toBeGreaterThan(450);
    expect(await s.json('POST', '/api/people/clear-all', {})).toMatchObject({ status: 400, body: { detail: expect.stringMatching(/confirm/) } });
    expect((await s.json('POST', '/api/people/clear-all', { confirm: false })).status).toBe(400);
    expect((await s.json('POST', '/api/people/clear-all', { confirm: true })).body).toEqual({ deleted: total });
    expect((await s.json<PersonDto[]>('GET', '/api/people')).body).toEqual([]);
    expect(s.faces.index.gallery().people).toEqual([]);
    expect(existsSync(join(s.dataDir, 'faces', 'people', String(annId)))).toBe(false);
  });
});

describe('containment of stored image paths', () => {
  it('refuses a stored path that escapes the data root, lexically or through a symlink', async () => {
    const p = (await s.json<PersonDto>('POST', '/api/people', { name: 'Eve' })).body.id;
    const ins = s.db.prepare("INSERT INTO face_embeddings (person_id, embedding, dim, model, image_path) VALUES (?, zeroblob(8), 2, 'm', ?)");
    const a = Number(ins.run(p, '../../etc/passwd').lastInsertRowid);
    expect((await s.req(`/api/people/${p}/faces/${a}/image`)).status).toBe(400);
    const outside = join(s.dataDir, '..', `vigil-outside-${process.pid}.jpg`);
    writeFileSync(outside, 'SECRET');
    mkdirSync(join(s.dataDir, 'faces', 'people', String(p)), { recursive: true });
    symlinkSync(outside, join(s.dataDir, 'faces', 'people', String(p), 'x.jpg'));
    const b = Number(ins.run(p, `faces/people/${p}/x.jpg`).lastInsertRowid);
    const res = await s.req(`/api/people/${p}/faces/${b}/image`);
    expect(res.status).toBe(400);
    expect(await res.text()).not.toContain('SECRET');
    // Deleting the person unlinks the symlink, never the file it points at.
    expect((await s.req(`/api/people/${p}`, { method: 'DELETE' })).status).toBe(204);
    expect(readFileSync(outside, 'utf8')).toBe('SECRET');
  });
});
