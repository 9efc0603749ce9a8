// Enrol and search with the real face engine on real photos (../shared/fixtures/people, tags from index.xml).
// real: the analysis worker with BlazeFace + dlib (onnxruntime-node), sharp, fastify on 127.0.0.1:0, SQLite, usearch. mock: nothing.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src-main/repositories/logger';
import { WorkerAnalysisEngine } from '../../src-main/workers/analysis/analysis-engine';
import type { FaceSearchResultDto } from '../../src-main/shared/contract/face-groups.contract';
import { addCamera, addEvent, startFacesServer, type FacesServer } from './people-harness';

const run = promisify(execFile);

const PEOPLE = '/work/shared/fixtures/people';
const IMAGES = '/work/shared/fixtures/images';
const MODELS = resolve(import.meta.dirname, '..', '..', 'resources', 'models');
const present = existsSync(join(PEOPLE, 'index.xml'));

/** Photos (not the video) kphotoalbum tags with exactly one person (pets are tagged as people there too), stored upright. */
export function singlePersonPhotos(): Map<string, string[]> {
  const xml = readFileSync(join(PEOPLE, 'index.xml'), 'utf8');
  const pets = new Set(['Pets', 'Donna', 'Blackie', 'Spiff']);
  const out = new Map<string, string[]>();
  for (const m of xml.matchAll(/<image\b([^>]*)>([\s\S]*?)<\/image>/g)) {
    const attrs = m[1] ?? '';
    const file = /\bfile="([^"]+)"/.exec(attrs)?.[1];
    const angle = Number(/\bangle="(\d+)"/.exec(attrs)?.[1] ?? 0);
    const people = /<option name="People">([\s\S]*?)<\/option>/.exec(m[2] ?? '')?.[1] ?? '';
    const names = [...people.matchAll(/<value value="([^"]+)"/g)].map((v) => v[1] as string).filter((n) => !pets.has(n));
    if (!file || !/\.(jpe?g|png)$/i.test(file) || angle !== 0 || names.length !== 1) continue;
    const name = names[0] as string;
    out.set(name, [...(out.get(name) ?? []), file].sort());
  }
  return out;
}

let s: FacesServer;
let engine: WorkerAnalysisEngine;

beforeAll(async () => {
  if (!present) return;
  engine = new WorkerAnalysisEngine({ modelDirs: [{ path: MODELS, origin: 'bundled' }], log: silentLogger() });
  await engine.start();
  s = await startFacesServer({ engine });
}, 120_000);

afterAll(async () => {
  await s?.stop();
  await engine?.stop();
});

async function upload(path: string, file: Buffer, type = 'image/jpeg'): Promise<Response> {
  const fd = new FormData();
  fd.append('file', new Blob([new Uint8Array(file)], { type }), 'photo');
  return s.req(path, { method: 'POST', body: fd });
}

describe.runIf(present)('enrol from one photo, then search with another photo of the same person', () => {
  it('ranks that person and their captured faces first', async () => {
    expect(engine.faceModels()).toMatchObject({ detector: 'blazeface-back-256', embedder: 'dlib-resnet-face-128', error: null });
    const tagged = singlePersonPhotos();
    const jesper = tagged.get('Jesper') ?? [];
    const anne = tagged.get('Anne Helene') ?? [];
    expect(jesper.length).toBeGreaterThanOrEqual(4);
    expect(anne.length).toBeGreaterThanOrEqual(1);
    // The two plain portraits: one to enrol, one to search with; the rest become captured faces.
    const enrolPhoto = 'jesper.jpg';
    const queryPhoto = 'jesper_2.jpg';
    expect(jesper).toEqual(expect.arrayContaining([enrolPhoto, queryPhoto]));
    const capturedJesper = jesper.filter((f) => f !== enrolPhoto && f !== queryPhoto);

    // Enrol Jesper and Anne Helene from one photo each.
    const jesperId = (await s.json<{ id: number }>('POST', '/api/people', { name: 'Jesper' })).body.id;
    const anneId = (await s.json<{ id: number }>('POST', '/api/people', { name: 'Anne Helene' })).body.id;
    const enrolled = await upload(`/api/people/${jesperId}/faces`, readFileSync(join(PEOPLE, enrolPhoto)));
    expect(enrolled.status).toBe(201);
    expect(await enrolled.json()).toMatchObject({ faces_detected: expect.any(Number), image_path: expect.stringMatching(/^faces\/people\//) });
    expect((await upload(`/api/people/${anneId}/faces`, readFileSync(join(PEOPLE, anne[0] as string)))).status).toBe(201);

    // Captured faces: Jesper's other photos, Anne Helene, and two strangers (the astronaut, the footballer).
    const cam = addCamera(s.db, 'Hall');
    const owner = new Map<number, string>();
    let ts = Date.UTC(2026, 0, 1);
    const capture = async (file: string, who: string) => {
      const r = await engine.facesInImage(readFileSync(file), { min_quality: 0, max_faces: 1, crops: true });
      if (!r.ok || !r.value.faces[0]?.embedding) return;
      const f = r.value.faces[0];
      ts += 10_000;
      // The keep rule applies: faces under face_min_quality are not stored, as in the live pipeline.
      const id = await s.faces.samples.addSample({ camera_id: cam, ts, track_id: Math.round(ts / 1000), event_id: null, embedding: f.embedding as Float32Array, quality: f.quality.score, crop_jpeg: f.crop_jpeg, box: f.box, clothing: null });
      if (id) owner.set(id, who);
    };
    for (const f of capturedJesper) await capture(join(PEOPLE, f), 'Jesper');
    await capture(join(PEOPLE, anne[0] as string), 'Anne Helene');
    await capture(join(IMAGES, 'astronaut.png'), 'astronaut');
    await capture(join(IMAGES, 'messi5.jpg'), 'footballer');
    expect([...owner.values()].filter((w) => w === 'Jesper').length).toBeGreaterThanOrEqual(2);

    const res = await upload('/api/faces/search/photo?min_similarity=-1', readFileSync(join(PEOPLE, queryPhoto)));
    expect(res.status).toBe(200);
    const body = (await res.json()) as FaceSearchResultDto;
    expect(body.query.kind).toBe('photo');
    expect(body.people[0]).toMatchObject({ person_id: jesperId, name: 'Jesper' });
    const order = body.items.map((h) => owner.get(h.sample_id));
    const jesperCount = order.filter((w) => w === 'Jesper').length;
    // Every captured face of Jesper ranks above every other face.
    expect(order.slice(0, jesperCount)).toEqual(Array(jesperCount).fill('Jesper'));
  }, 120_000);

  it('names a live track of Jesper (movie.avi, 4 fps) and names its event', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-movie-'));
    try {
      await run('ffmpeg', ['-loglevel', 'error', '-i', join(PEOPLE, 'movie.avi'), '-vf', 'fps=4', '-q:v', '2', join(dir, 'f%03d.jpg')]);
      const frames = readdirSync(dir).sort();
      expect(frames.length).toBeGreaterThanOrEqual(10);
      const jesperId = (await s.json<{ id: number; name: string }[]>('GET', '/api/people')).body.find((p) => p.name === 'Jesper')?.id;
      const cam = addCamera(s.db, 'Desk');
      const t0 = Date.UTC(2026, 1, 1);
      const ev = addEvent(s.db, cam, t0, t0 + 10_000);
      let last = null;
      for (const [i, f] of frames.entries()) {
        const r = await engine.facesInImage(readFileSync(join(dir, f)), { min_quality: s.settings.get().face_min_quality, max_faces: 1, crops: true });
        if (!r.ok) continue;
        const out = await s.faces.recognition.onFaces({ camera_id: cam, ts_ms: t0 + i * 250, event_id: ev, faces: r.value.faces.map((face) => ({ track_id: 1, face, clothing: null })) });
        last = out.updates.at(-1)?.decision ?? last;
      }
      expect(last).toMatchObject({ person_id: jesperId, name: 'Jesper' });
      expect((await s.json('GET', `/api/events/${ev}`)).body).toMatchObject({ person_id: jesperId, person_name: 'Jesper' });
      const kept = s.db.prepare('SELECT COUNT(*) FROM face_samples WHERE camera_id = ? AND person_id = ?').pluck().get(cam, jesperId) as number;
      // 4 fps for ~4.5 s, at most one sample per track-second.
      expect(kept).toBeGreaterThanOrEqual(2);
      expect(kept).toBeLessThanOrEqual(5);

      // A different person on another track stays unknown: the astronaut at three sizes, a second apart.
      const astronaut = readFileSync(join(IMAGES, 'astronaut.png'));
      let other = null;
      for (const [i, size] of [512, 400, 320].entries()) {
        const img = await sharp(astronaut).resize(size).jpeg().toBuffer();
        const r = await engine.facesInImage(img, { min_quality: 0, max_faces: 1, crops: false });
        if (!r.ok) continue;
        const out = await s.faces.recognition.onFaces({ camera_id: cam, ts_ms: t0 + 20_000 + i * 1000, event_id: null, faces: r.value.faces.map((face) => ({ track_id: 2, face, clothing: null })) });
        other = out.updates.at(-1)?.decision ?? other;
      }
      expect(other).toMatchObject({ person_id: null, faces: 3 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
