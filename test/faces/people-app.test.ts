// The faces families on the real app (startTestApp: the container's wiring, the lifecycle, the real face engine): enrol a
// person from one photo, capture faces, then search by another photo of them. real: everything. mock: nothing.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startTestApp, type TestApp } from '../foundation/app-harness';
import { call } from '../cameras/helpers';
import type { FaceEngine } from '../../src-main/ports/face-engine.port';
import type { FaceSearchResultDto } from '../../src-main/shared/contract/face-groups.contract';
import type { Faces } from './people-harness';

const PEOPLE = '/work/shared/fixtures/people';
const IMAGES = '/work/shared/fixtures/images';
const present = existsSync(join(PEOPLE, 'jesper.jpg'));

let t: TestApp;
let faces: Faces;

beforeAll(async () => {
  t = await startTestApp();
  faces = (t.app.container as unknown as { faces: Faces }).faces;
}, 120_000);

afterAll(async () => {
  await t?.stop();
  if (t) removeDir(t.dataDir);
});

async function upload(path: string, file: Buffer): Promise<Response> {
  const fd = new FormData();
  fd.append('file', new Blob([new Uint8Array(file)], { type: 'image/jpeg' }), 'photo.jpg');
  return t.req(path, { method: 'POST', body: fd });
}

describe('faces on the real app', () => {
  it('is wired: every people, face-group and face-search route is served and documented', async () => {
    expect(faces, 'the container exposes the faces services (see the wiring in the faces report)').toBeDefined();
    const doc = (await call<{ paths: Record<string, unknown> }>(t, 'GET', '/openapi.json')).body;
    for (const p of ['/api/people', '/api/people/{id}/faces', '/api/people/{id}/faces/{fid}/image', '/api/face-groups', '/api/face-groups/enroll', '/api/face-groups/samples/{id}/thumbnail', '/api/faces/search', '/api/faces/search/photo', '/api/faces/samples/{id}/not-person']) {
      expect(Object.keys(doc.paths), p).toContain(p);
    }
    expect((await call(t, 'GET', '/api/people')).body).toEqual([]);
    expect((await call(t, 'GET', '/api/face-groups')).body).toMatchObject({ total_samples: 0, groups: [] });
    expect((await call(t, 'POST', '/api/people/clear-all', {})).status).toBe(400);
  });

  it.runIf(present)('enrols Jesper from one photo; a search with another photo of him ranks his captured faces first', async () => {
    const engine = t.app.container.engine as unknown as FaceEngine;
    expect(engine.faceModels()).toMatchObject({ embedder: 'dlib-resnet-face-128', error: null });
    const id = (await call<{ id: number }>(t, 'POST', '/api/people', { name: 'Jesper' })).body.id;
    const enrolled = await upload(`/api/people/${id}/faces`, readFileSync(join(PEOPLE, 'jesper.jpg')));
    expect(enrolled.status).toBe(201);

    const cam = Number(t.app.container.db.prepare("INSERT INTO cameras (name, source_kind, url_enc, url_host, enabled) VALUES ('Hall', 'file', x'00', '', 0)").run().lastInsertRowid);
    const owner = new Map<number, string>();
    let ts = Date.UTC(2026, 0, 1);
    for (const [file, who] of [
      [join(PEOPLE, 'new_wave_2.jpg'), 'Jesper'],
      [join(PEOPLE, 'grand_canyon_2.jpg'), 'Jesper'],
      [join(PEOPLE, 'anne_helene.jpg'), 'Anne Helene'],
      [join(IMAGES, 'astronaut.png'), 'astronaut'],
    ] as const) {
      const r = await engine.facesInImage(readFileSync(file), { min_quality: 0, max_faces: 1, crops: true });
      const f = r.ok ? r.value.faces[0] : undefined;
      if (!f?.embedding) continue;
      ts += 10_000;
      const sid = await faces.samples.addSample({ camera_id: cam, ts, track_id: ts / 1000, event_id: null, embedding: f.embedding, quality: f.quality.score, crop_jpeg: f.crop_jpeg, box: f.box, clothing: null });
      if (sid) owner.set(sid, who);
    }
    expect([...owner.values()].filter((w) => w === 'Jesper')).toHaveLength(2);

    const res = await upload('/api/faces/search/photo?min_similarity=-1', readFileSync(join(PEOPLE, 'jesper_2.jpg')));
    expect(res.status).toBe(200);
    const body = (await res.json()) as FaceSearchResultDto;
    expect(body.people[0]).toMatchObject({ person_id: id, name: 'Jesper' });
    expect(body.items.slice(0, 2).map((h) => owner.get(h.sample_id))).toEqual(['Jesper', 'Jesper']);
    const thumb = await t.req(body.items[0]?.thumb_url as string);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/jpeg');
  }, 120_000);

  it.runIf(present)('the desktop shell enrols over IPC (people.enrollPhoto) with the upload\'s errors; REST never serves it', async () => {
    const local = { principal: { email: null, name: 'local', via: 'local' as const, role: 'admin' as const } };
    const d = t.app.container.dispatcher;
    const id = (await call<{ id: number }>(t, 'POST', '/api/people', { name: 'Anne Helene' })).body.id;
    const photo = new Uint8Array(readFileSync(join(PEOPLE, 'anne_helene.jpg')));
    const r = (await d.call('people.enrollPhoto', { id, type: 'image/jpeg', data: photo }, local)) as { embedding_id: number; faces_detected: number; image_path: string };
    expect(r).toMatchObject({ embedding_id: expect.any(Number), faces_detected: expect.any(Number), image_path: expect.stringMatching(/^faces\/people\//) });
    expect((await call<{ num_faces: number }>(t, 'GET', `/api/people/${id}`)).body.num_faces).toBe(1);
    await expect(d.call('people.enrollPhoto', { id, type: 'text/plain', data: photo }, local)).rejects.toMatchObject({ status: 415 });
    await expect(d.call('people.enrollPhoto', { id, type: 'image/jpeg', data: new Uint8Array(0) }, local)).rejects.toMatchObject({ status: 400 });
    await expect(d.call('people.enrollPhoto', { id, type: 'image/jpeg', data: new Uint8Array(8 * 1024 * 1024 + 1) }, local)).rejects.toMatchObject({ status: 413 });
    expect((await t.req(`/ipc/people/${id}/faces`, { method: 'POST' })).status).toBe(404);
    // A landscape whose only "face" is a false one is refused rather than enrolled.
    const sunset = await upload(`/api/people/${id}/faces`, readFileSync(join(PEOPLE, 'sunset.jpg')));
    expect(sunset.status).toBe(422);
    expect(((await sunset.json()) as { detail: string }).detail).toMatch(/too unclear|No face/);
  }, 60_000);
});
