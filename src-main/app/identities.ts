// Composition of the identities side (issue 11): the store, the undo log, crops on disk and the identities service.
import type { Db } from '../repositories/db/database';
import type { Logger } from '../repositories/logger';
import type { PushSink } from '../ports/push.port';
import type { SettingsService } from '../services/settings.service';
import type { EventsService } from '../services/recording/events.service';
import type { Faces } from './faces';
import { SqliteIdentitiesRepository } from '../repositories/identities.repository';
import { SqliteIdentityOpsRepository } from '../repositories/identity-ops.repository';
import { NodeIdentityFilesRepository } from '../repositories/identity-files.repository';
import { IdentitiesService } from '../services/identities/identities.service';
import { PersonSearchService } from '../services/search/person-search.service';

/** How often expired undo windows are closed (their log rows and trashed files removed). */
export const UNDO_PURGE_EVERY_MS = 15 * 60_000;

export interface Identities {
  service: IdentitiesService;
  repo: SqliteIdentitiesRepository;
  files: NodeIdentityFilesRepository;
  /** Closes expired undo windows now and every UNDO_PURGE_EVERY_MS until stopped. */
  startPurge: () => void;
  stopPurge: () => void;
}

export interface IdentitiesDeps {
  dataDir: string;
  db: Db;
  settings: SettingsService;
  bus: PushSink;
  events: EventsService;
  faces: Pick<Faces, 'samples' | 'index'>;
  log: Logger;
}

export function buildIdentities(o: IdentitiesDeps): Identities {
  const log = o.log.child({ module: 'identities' });
  const repo = new SqliteIdentitiesRepository(o.db);
  const files = new NodeIdentityFilesRepository(o.dataDir);
  const service = new IdentitiesService({
    repo,
    ops: new SqliteIdentityOpsRepository(o.db),
    files,
    events: o.events,
    faceSamples: o.faces.samples,
    faceIndex: o.faces.index,
    bus: o.bus,
    undoHours: () => o.settings.get().identity_undo_hours,
    now: Date.now,
    log,
    yieldLoop: () => new Promise((r) => setImmediate(r)),
  });
  let timer: NodeJS.Timeout | null = null;
  const purge = (): void => void service.purgeExpired().catch((err: unknown) => log.warn({ err }, 'closing expired identity undo windows failed'));
  return {
    service,
    repo,
    files,
    startPurge: () => {
      if (timer) return;
      purge();
      timer = setInterval(purge, UNDO_PURGE_EVERY_MS);
      timer.unref();
    },
    stopPurge: () => {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}

/** Find one person everywhere: face search and the identities' sightings merged per event. */
export function buildPersonSearch(o: { faces: Pick<Faces, 'search' | 'sampleRows' | 'peopleRows'>; identities: Pick<Identities, 'repo'>; events: EventsService; settings: SettingsService }): PersonSearchService {
  return new PersonSearchService({
    faces: { bySample: (id, q) => o.faces.search.bySample(id, q), byPerson: (id, q) => o.faces.search.byPerson(id, q), available: () => o.settings.get().face_embedder_model !== null },
    samples: o.faces.sampleRows,
    identities: o.identities.repo,
    people: { name: (id) => o.faces.peopleRows.get(id)?.name },
    events: o.events,
  });
}
