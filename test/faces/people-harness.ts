// Serves the people/face-group/face-search families over real HTTP with the same wiring the container uses, and a
// face engine test double: the real engine is a separate piece of work; everything else here is real.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import { Dispatcher } from '../../src-main/transport/dispatch';
import { createHttpServer } from '../../src-main/transport/rest/http-server';
import { eventHandlers } from '../../src-main/transport/handlers/events.handlers';
import { peopleHandlers } from '../../src-main/transport/handlers/people.handlers';
import { faceGroupHandlers } from '../../src-main/transport/handlers/face-groups.handlers';
import { peopleRoutes } from '../../src-main/transport/rest/people.routes';
import { faceGroupsRoutes } from '../../src-main/transport/rest/face-groups.routes';
import type { FaceEngine } from '../../src-main/ports/face-engine.port';
import type { EventRecorder } from '../../src-main/services/recording/event-recorder.service';
import type { RecordingsService } from '../../src-main/services/recording/recordings.service';
import type { RetentionService } from '../../src-main/services/recording/retention.service';

export const KEY = 'faces-test-key-0123456789';

export type { Faces };

export interface FacesServer {
  base: string;
  dataDir: string;
  db: Db;
  bus: PushBus;
  settings: SettingsService;
  faces: Faces;
  http: FastifyInstance;
  req(path: string, init?: RequestInit & { auth?: boolean }): Promise<Response>;
  json<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

const notServed = (): never => {
  throw new ApiError(501, 'not served by the faces test server');
};

export async function startFacesServer(o: { engine: FaceEngine }): Promise<FacesServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-faces-'));
  const db = openDatabase({ file: join(dataDir, 'vigil.db') });
  const log = silentLogger();
  const bus = new PushBus();
  const settings = new SettingsService(new SqliteSettingsRepository(db), bus, log);
  const secrets = new SqliteSecretsRepository(db, new SecretBox(randomBytes(32)));
  const auth = new AuthService({ secrets, settings, users: new SqliteUsersRepository(db), hasher: argon2Hasher, tokens: new JoseTokenSigner(secrets), log }, { envKey: KEY, loopbackOnly: true });
  const eventsRepo = new SqliteEventsRepository(db);
  const files = new NodeMediaFilesRepository(dataDir);
  const events = new EventsService(eventsRepo, files, bus, Date.now);
  const faces = buildFaces({ dataDir, db, engine: o.engine, settings, bus, events, eventsRepo, log });
  await faces.index.start();
  const others = Object.fromEntries(opNames.map((n) => [n, notServed])) as unknown as Handlers;
  const handlers: Handlers = {
    ...others,
    ...eventHandlers({ events, recorder: {} as EventRecorder, recordings: {} as RecordingsService, retention: {} as RetentionService }),
    ...peopleHandlers({ people: faces.people }),
    ...faceGroupHandlers({ groups: faces.groups, samples: faces.samples, search: faces.search, people: faces.people }),
  };
  const http = await createHttpServer({
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
    modules: [peopleRoutes(faces.people, faces.files), faceGroupsRoutes(faces.samples, faces.search, faces.files)],
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
    http,
    req,
    async json<T>(method: string, path: string, body?: unknown) {
      const res = await req(path, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
    },
    async stop() {
      faces.recognition.stop();
      await http.close();
      db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Seeds a camera (disabled, file source) and returns its id. */
export const addCamera = (db: Db, name: string): number => Number(db.prepare("INSERT INTO cameras (name, source_kind, url_enc, url_host, enabled) VALUES (?, 'file', x'00', '', 0)").run(name).lastInsertRowid);

/** Seeds a closed detection event and returns its id. */
export function addEvent(db: Db, cameraId: number, startMs: number, endMs: number, extra: { person_id?: number; person_name?: string } = {}): number {
  return Number(
    db
      .prepare(
        "INSERT INTO events (camera_id, camera_name, label, source, score, started_ms, ended_ms, last_ms, window_start_ms, window_end_ms, boxes, person_id, person_name) VALUES (?, (SELECT name FROM cameras WHERE id = ?), 'person', 'detection', 0.9, ?, ?, ?, ?, ?, '[]', ?, ?)",
      )
      .run(cameraId, cameraId, startMs, endMs, endMs, startMs - 1000, endMs + 1000, extra.person_id ?? null, extra.person_name ?? null).lastInsertRowid,
  );
}
