// Enrol a person from one photo, then a file camera looping a video of two people is watched by the whole app: the
// enrolled person's event is named (pushed, filterable by person_id), the other person's stays unknown, and every face
// kept is searchable. real: app over HTTP on 127.0.0.1:0, SQLite, ffmpeg ingest (full-resolution face frames), the
// analysis worker with NanoDet, BlazeFace and dlib, usearch. mock: nothing.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startTestApp, type TestApp } from '../foundation/app-harness';
import { call, until } from '../cameras/helpers';
import type { EventDto } from '../../src-main/shared/contract/events.contract';
import type { PushMessage } from '../../src-main/shared/push-events';
import { twoPeopleVideo } from '../support/people-video';

const PEOPLE = '/work/shared/fixtures/people';
const present = existsSync(join(PEOPLE, 'jesper.jpg'));

let t: TestApp;
let media: string;
let video: string;
const pushes: PushMessage[] = [];

beforeAll(async () => {
  if (!present) return;
  media = mkdtempSync(join(tmpdir(), 'vigil-faces-media-'));
  video = twoPeopleVideo(media, PEOPLE);
  t = await startTestApp({ args: ['--media-dir', media] });
  t.app.container.bus.subscribe((m) => pushes.push(m));
  await call(t, 'PUT', '/api/settings', { segment_seconds: 2, analysis_fps: 4 });
}, 120_000);

afterAll(async () => {
  await t?.stop();
  if (t) removeDir(t.dataDir);
  if (media) removeDir(media);
});

describe.runIf(present)('live recognition on a file camera', () => {
  it('names the enrolled person on their event, leaves the other person unknown, and keeps their faces searchable', async () => {
    const sys = (await call<{ backend: { faces_enabled: boolean; faces: { embedder: string; dim: number } } }>(t, 'GET', '/api/system')).body.backend;
    expect(sys.faces_enabled).toBe(true);
    expect(sys.faces).toMatchObject({ embedder: 'dlib-resnet-face-128', dim: 128 });

    const jesper = (await call<{ id: number }>(t, 'POST', '/api/people', { name: 'Jesper' })).body.id;
    const fd = new FormData();
    fd.append('file', new Blob([new Uint8Array(readFileSync(join(PEOPLE, 'jesper.jpg')))], { type: 'image/jpeg' }), 'jesper.jpg');
    expect((await t.req(`/api/people/${jesper}/faces`, { method: 'POST', body: fd })).status).toBe(201);

    const tuning = { faces_enabled: true, pre_seconds: 1, post_seconds: 2, min_trigger_frames: 2, max_event_seconds: 30, detect_interval: 0, motion_enabled: false };
    const cam = (await call<{ id: number }>(t, 'POST', '/api/cameras', { name: 'Lobby', rtsp_url: video, ...tuning })).body.id;

    // The enrolled person: an event named after him, found by ?person_id=, and a push that says so.
    const named = await until('an event named Jesper', async () => (await call<{ items: EventDto[] }>(t, 'GET', `/api/events?person_id=${jesper}`)).body.items[0], 90_000, 500);
    expect(named).toMatchObject({ camera_id: cam, person_id: jesper, person_name: 'Jesper', label: 'person' });
    // Live frames draw the name next to the tracked box while the track lasts (this pass, or the next loop's).
    const drawn = await until('a live box named Jesper', () => t.app.container.analysis.current(cam)?.boxes.find((b) => b.note?.startsWith('Jesper #')), 40_000, 100);
    expect(drawn.label).toBe('person');
    const push = pushes.find((p) => p.name === 'face.recognized' && (p.payload as { person_id: number | null }).person_id === jesper);
    expect(push?.payload).toMatchObject({ camera_id: cam, person_name: 'Jesper' });
    // A track can be named a frame before its presence event opens; the event is named as soon as it links.
    expect([null, named.id]).toContain((push?.payload as { event_id: number | null }).event_id);

    // The other person: faces captured on an event of their own, which stays unnamed.
    const db = t.app.container.db;
    const other = await until(
      'faces captured on another event',
      () => db.prepare('SELECT event_id, COUNT(*) AS n FROM face_samples WHERE camera_id = ? AND event_id IS NOT NULL AND event_id != ? GROUP BY event_id ORDER BY n DESC').get(cam, named.id) as { event_id: number; n: number } | undefined,
      90_000,
      500,
    );
    const otherEvent = (await call<EventDto>(t, 'GET', `/api/events/${other.event_id}`)).body;
    expect(otherEvent.person_id).toBeNull();
    const otherSamples = db.prepare('SELECT person_id FROM face_samples WHERE event_id = ?').pluck().all(other.event_id) as (number | null)[];
    expect(otherSamples.every((p) => p === null)).toBe(true);

    // Jesper's captured faces are labelled with him; a search by his person id ranks them first.
    const his = db.prepare('SELECT id FROM face_samples WHERE event_id = ? AND person_id = ?').pluck().all(named.id, jesper) as number[];
    expect(his.length).toBeGreaterThanOrEqual(2);
    // Searching by him finds every face labelled with him, ahead of any face of the other person.
    const found = (await call<{ items: { sample_id: number; camera_id: number }[] }>(t, 'POST', '/api/faces/search', { person_id: jesper, limit: 200 })).body.items;
    const ids = found.map((x) => x.sample_id);
    expect(his.every((id) => ids.includes(id))).toBe(true);
    const hers = new Set(db.prepare('SELECT id FROM face_samples WHERE event_id = ?').pluck().all(other.event_id) as number[]);
    const firstHers = ids.findIndex((id) => hers.has(id));
    expect(firstHers === -1 || his.every((id) => ids.indexOf(id) < firstHers)).toBe(true);
    // The crop is served.
    const thumb = await t.req(`/api/face-groups/samples/${his[0]}/thumbnail`);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/jpeg');
  }, 240_000);
});
