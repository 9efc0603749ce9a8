// Serves the identities family over real HTTP with the same wiring the container uses (buildFaces + buildIdentities), and
// seeds sightings through IdentitiesService.addSighting with real JPEG crops cut by sharp from the fixture photos.
// real: fastify on 127.0.0.1:0, SQLite file, sharp, usearch, files. mock: the face engine (a port double, as in test/faces).
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import sharp from 'sharp';
import type { FastifyInstance } from 'fastify';
import { opNames, type Handlers } from '../../src-main/shared/contract';
import { ApiError } from '../../src-main/shared/errors';
import { openDatabase, type Db } from '../../src-main/repositories/db/database';
import { silentLogger } from '../../src-main/repositories/logger';
import { SqliteSettingsRepository } from '../../src-main/repositories/settings.repository';
import { SecretBox, SqliteSecretsRepository } from '../../src-main/repositories/secrets.repository';
import { SqliteEventsRepository } from '../../src-main/repositories/events.repository';
import { NodeMediaFilesRepository } from '../../src-main/repositories/media-files.repository';
import { PushBus } from '../../src-main/services/push-bus';
import { SettingsService } from '../../src-main/services/settings.service';
import { SqliteUsersRepository } from '../../src-main/repositories/users.repository';
import { argon2Hasher, JoseTokenSigner } from '../../src-main/repositories/auth/credentials-crypto.repository';
import { AuthService } from '../../src-main/services/auth.service';
import { EventsService } from '../../src-main/services/recording/events.service';
import { buildFaces, type Faces } from '../../src-main/app/faces';
import { buildIdentities, buildPersonSearch, type Identities } from '../../src-main/app/identities';
import { Dispatcher } from '../../src-main/transport/dispatch';
import { createHttpServer } from '../../src-main/transport/rest/http-server';
import { eventHandlers } from '../../src-main/transport/handlers/events.handlers';
import { faceGroupHandlers } from '../../src-main/transport/handlers/face-groups.handlers';
import { identityHandlers } from '../../src-main/transport/handlers/identities.handlers';
import { searchHandlers } from '../../src-main/transport/handlers/search.handlers';
import { faceGroupsRoutes } from '../../src-main/transport/rest/face-groups.routes';
import { eventsRoutes } from '../../src-main/transport/rest/events.routes';
import { identitiesRoutes } from '../../src-main/transport/rest/identities.routes';
import type { EventRecorder } from '../../src-main/services/recording/event-recorder.service';
import type { RecordingsService } from '../../src-main/services/recording/recordings.service';
import type { RetentionService } from '../../src-main/services/recording/retention.service';
import type { LinkEvidence, SightingSummary } from '../../src-main/services/identities/identity-model';
import { FaceEngineDouble, faceOf, identity, rng } from '../faces/people-engine-double';

export const KEY = 'identities-test-key-0123456789';
export const FIXTURE_PEOPLE = join(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures', 'people');

export interface IdentitiesServer {
  base: string;
  dataDir: string;
  db: Db;
  bus: PushBus;
  settings: SettingsService;
  faces: Faces;
  identities: Identities;
  events: EventsService;
  req(path: string, init?: RequestInit & { auth?: boolean }): Promise<Response>;
  json<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

const notServed = (): never => {
  throw new ApiError(501, 'not served by the identities test server');
};

export async function startIdentitiesServer(): Promise<IdentitiesServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-identities-'));
  const db = openDatabase({ file: join(dataDir, 'vigil.db') });
  const log = silentLogger();
  const bus = new PushBus();
  const settings = new SettingsService(new SqliteSettingsRepository(db), bus, log);
  const secrets = new SqliteSecretsRepository(db, new SecretBox(randomBytes(32)));
  const auth = new AuthService({ secrets, settings, users: new SqliteUsersRepository(db), hasher: argon2Hasher, tokens: new JoseTokenSigner(secrets), log }, { envKey: KEY, loopbackOnly: true });
  const eventsRepo = new SqliteEventsRepository(db);
  const media = new NodeMediaFilesRepository(dataDir);
  const events = new EventsService(eventsRepo, media, bus, Date.now);
  const faces = buildFaces({ dataDir, db, engine: new FaceEngineDouble(), settings, bus, events, eventsRepo, log });
  await faces.index.start();
  const identities = buildIdentities({ dataDir, db, settings, bus, events, faces, log });
  const others = Object.fromEntries(opNames.map((n) => [n, notServed])) as unknown as Handlers;
  const handlers: Handlers = {
    ...others,
    ...eventHandlers({ events, recorder: {} as EventRecorder, recordings: {} as RecordingsService, retention: {} as RetentionService }),
    ...faceGroupHandlers({ groups: faces.groups, samples: faces.samples, search: faces.search, people: faces.people }),
    ...identityHandlers({ identities: identities.service }),
    ...searchHandlers({ personSearch: buildPersonSearch({ faces, identities, events, settings }) }),
  };
  const http: FastifyInstance = await createHttpServer({
    version: 'test',
    host: '127.0.0.1',
    loopbackOnly: true,
    port: 0,
    rendererDir: null,
    dispatcher: new Dispatcher(handlers),
    auth,
    settings,
    bus,
    log,
    modules: [identitiesRoutes(identities.service, identities.files), faceGroupsRoutes(faces.samples, faces.search, faces.files), eventsRoutes(events, media)],
  });
  await http.listen({ host: '127.0.0.1', port: 0 });
  const addr = http.server.address();
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const req = (path: string, init: RequestInit & { auth?: boolean } = {}) => {
    const { auth: withAuth = true, headers, ...rest } = init;
    const h = new Headers(headers);
    if (withAuth && !h.has('authorization')) h.set('authorization', `Bearer ${KEY}`);
    return fetch(base + path, { ...rest, headers: h });
  };
  return {
    base,
    dataDir,
    db,
    bus,
    settings,
    faces,
    identities,
    events,
    req,
    async json<T>(method: string, path: string, body?: unknown) {
      const res = await req(path, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
    },
    async stop() {
      identities.stopPurge();
      faces.recognition.stop();
      await http.close();
      db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Seeds a camera (disabled, file source) and returns its id. */
export const addCamera = (db: Db, name: string): number => Number(db.prepare("INSERT INTO cameras (name, source_kind, url_enc, url_host, enabled) VALUES (?, 'file', x'00', '', 0)").run(name).lastInsertRowid);

/** Seeds a closed detection event with a clip and a thumbnail on disk; returns its id and file paths. */
export function addEvent(s: IdentitiesServer, cameraId: number, startMs: number, endMs: number, o: { retain?: boolean } = {}): { id: number; clip: string; thumb: string } {
  const id = Number(
    s.db
      .prepare(
        "INSERT INTO events (camera_id, camera_name, label, source, score, started_ms, ended_ms, last_ms, window_start_ms, window_end_ms, boxes, retain) VALUES (?, (SELECT name FROM cameras WHERE id = ?), 'person', 'detection', 0.9, ?, ?, ?, ?, ?, '[]', ?)",
      )
      .run(cameraId, cameraId, startMs, endMs, endMs, startMs - 1000, endMs + 1000, o.retain ? 1 : 0).lastInsertRowid,
  );
  const clip = `clips/${cameraId}/event-${id}.mp4`;
  const thumb = `thumbs/${cameraId}/event-${id}.jpg`;
  for (const [p, data] of [
    [clip, `mp4 of event ${id}`],
    [thumb, `jpeg of event ${id}`],
  ] as const) {
    mkdirSync(dirname(join(s.dataDir, p)), { recursive: true });
    writeFileSync(join(s.dataDir, p), data);
  }
  s.db.prepare('UPDATE events SET clip_path = ?, thumb_path = ? WHERE id = ?').run(clip, thumb, id);
  return { id, clip, thumb };
}

const crops = new Map<string, Buffer>();
/** A real body crop: a fixture photo cut to 64×128 and encoded as JPEG by sharp. */
export async function crop(photo = 'donna.jpg'): Promise<Buffer> {
  let c = crops.get(photo);
  if (!c) crops.set(photo, (c = await sharp(join(FIXTURE_PEOPLE, photo)).resize(64, 128, { fit: 'cover' }).jpeg({ quality: 80 }).toBuffer()));
  return c;
}

/** A synthetic walker: a face identity and clothing colours (128-bin histograms peaked at two bins). */
export interface Walker {
  face: Float32Array;
  upperBin: number;
  lowerBin: number;
}

export function walker(seed: number): Walker {
  return { face: identity(seed * 101), upperBin: (seed * 13) % 128, lowerBin: (seed * 37 + 11) % 128 };
}

function hist(bin: number, seed: number): Float32Array {
  const r = rng(seed);
  const h = new Float32Array(128).map(() => r() * 0.02);
  h[bin] = (h[bin] as number) + 1;
  const sum = h.reduce((a, b) => a + b, 0);
  return h.map((x) => x / sum);
}

export interface SightingOptions {
  camera_id: number;
  start_ms: number;
  end_ms?: number;
  event_id?: number | null;
  walker?: Walker | null;
  /** Face samples to store (with crops) and name on the sighting. */
  faces?: number;
  face?: boolean;
  appearance?: boolean;
  photo?: string | null;
  best_score?: number;
  object_class?: string;
  color?: { name: string; hex: string } | null;
  track_id?: number;
  person_id?: number | null;
  seed?: number;
}

let seq = 1;
/** A sighting summary of a walker, with real face samples captured first (as face capture would). */
export async function summary(s: IdentitiesServer, o: SightingOptions): Promise<SightingSummary> {
  const seed = o.seed ?? seq++;
  const w = o.walker ?? null;
  const end = o.end_ms ?? o.start_ms + 8000;
  const sampleIds: number[] = [];
  for (let k = 0; k < (o.faces ?? 0); k++) {
    const id = await s.faces.samples.addSample({
      camera_id: o.camera_id,
      ts: o.start_ms + 1000 * (k + 1),
      track_id: o.track_id ?? seed,
      event_id: o.event_id ?? null,
      embedding: faceOf(w?.face ?? faceOf(new Float32Array(128).fill(0.1), seed), seed * 31 + k),
      quality: 0.5 + 0.1 * k,
      crop_jpeg: await sharp(await crop(o.photo ?? 'donna.jpg')).resize(32, 32).jpeg().toBuffer(),
      box: [0.4, 0.1, 0.1, 0.1],
      clothing: null,
    });
    if (id !== null) sampleIds.push(id);
  }
  const withFace = (o.face ?? true) && w !== null;
  return {
    camera_id: o.camera_id,
    track_id: o.track_id ?? seed,
    object_class: o.object_class ?? 'person',
    start_ms: o.start_ms,
    end_ms: end,
    event_id: o.event_id ?? null,
    best_box: [0.3, 0.1, 0.25, 0.8],
    best_ms: o.start_ms + 2000,
    best_score: o.best_score ?? 0.8,
    crop_jpeg: o.photo === null ? null : await crop(o.photo ?? 'donna.jpg'),
    appearance: (o.appearance ?? true) && w ? { upper: hist(w.upperBin, seed), lower: hist(w.lowerBin, seed + 1), features: null } : null,
    face_sample_ids: sampleIds,
    face_embedding: withFace ? faceOf(w.face, seed, 0.03) : null,
    face_model: withFace ? 'dlib-resnet-face-128' : null,
    person_id: o.person_id ?? null,
    color: o.color ?? null,
  };
}

export const NEW: LinkEvidence = { kind: 'new', identity_id: null, score: null, face_score: null, appearance_score: null, matched_sighting_id: null, gap_s: null, detail: 'new: no identity matched' };

export function linkTo(identityId: number, matched: number | null, kind: 'face' | 'appearance' | 'manual' = 'face', score = 0.93): LinkEvidence {
  return { kind, identity_id: identityId, score, face_score: kind === 'face' ? score : null, appearance_score: kind === 'appearance' ? score : 0.7, matched_sighting_id: matched, gap_s: 12.5, detail: `${kind} ${score.toFixed(2)} to sighting ${matched ?? '-'}` };
}

/** Every file under the data root (relative paths), except the database and its WAL. */
export function filesUnder(root: string, dir = ''): string[] {
  const abs = join(root, dir);
  let names: string[];
  try {
    names = readdirSync(abs);
  } catch {
    return [];
  }
  return names
    .flatMap((n) => {
      const p = join(abs, n);
      return statSync(p).isDirectory() ? filesUnder(root, relative(root, p)) : [relative(root, p)];
    })
    .filter((p) => !p.startsWith('vigil.db') && !p.startsWith('backups'))
    .sort();
}

/** Every row of the tables identities touch, for before/after comparisons. */
export function dump(db: Db): Record<string, unknown[]> {
  const order: Record<string, string> = {
    identities: 'id',
    sightings: 'id',
    sighting_faces: 'sighting_id, sample_id',
    identity_exemplars: 'id',
    presence_segments: 'id',
    identity_never: 'sighting_a, sighting_b',
    events: 'id',
    face_samples: 'id',
    face_negatives: 'sample_id, person_id',
    face_embeddings: 'id',
  };
  return Object.fromEntries(Object.entries(order).map(([t, o]) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY ${o}`).all()]));
}
