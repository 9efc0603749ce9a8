// Composition of the faces side (issue 10): repositories, the vector indexes and the people/samples/groups/search/recognition services.
import type { Db } from '../repositories/db/database';
import type { Logger } from '../repositories/logger';
import type { FaceEngine } from '../ports/face-engine.port';
import type { PushSink } from '../ports/push.port';
import type { SettingsService } from '../services/settings.service';
import type { EventsService } from '../services/recording/events.service';
import type { EventsRepository } from '../repositories/events.repository';
import { SharpImageHeaderRepository } from '../repositories/image-header.repository';
import { SqlitePeopleRepository } from '../repositories/people.repository';
import { SqliteFaceSamplesRepository } from '../repositories/face-samples.repository';
import { NodeFaceFilesRepository } from '../repositories/face-files.repository';
import { vectorIndexFactory } from '../repositories/vector-index.repository';
import { FaceIndexService } from '../services/faces/face-index.service';
import { FaceSamplesService } from '../services/faces/face-samples.service';
import { PeopleService } from '../services/faces/people.service';
import { FaceGroupsService } from '../services/faces/face-groups.service';
import { FaceSearchService } from '../services/faces/face-search.service';
import { FaceRecognitionService } from '../services/faces/face-recognition.service';
import { FALLBACK_MATCH_THRESHOLD } from '../services/faces/recognition';

export interface Faces {
  index: FaceIndexService;
  samples: FaceSamplesService;
  people: PeopleService;
  groups: FaceGroupsService;
  search: FaceSearchService;
  recognition: FaceRecognitionService;
  files: NodeFaceFilesRepository;
  /** The stores behind the services, for read-only composition (person search). */
  sampleRows: SqliteFaceSamplesRepository;
  peopleRows: SqlitePeopleRepository;
  /** The cosine threshold in use: settings.face_match_threshold, else the loaded embedder's measured one. */
  matchThreshold: () => number;
}

export interface FacesDeps {
  dataDir: string;
  db: Db;
  engine: FaceEngine;
  settings: SettingsService;
  bus: PushSink;
  events: EventsService;
  eventsRepo: EventsRepository;
  log: Logger;
}

export function buildFaces(o: FacesDeps): Faces {
  const log = o.log;
  const model = (): string | null => o.settings.get().face_embedder_model;
  // Cosine scales differ per embedding model: an explicit setting wins, else the loaded model's measured threshold.
  const matchThreshold = (): number => o.settings.get().face_match_threshold ?? o.engine.faceModels().match_threshold ?? FALLBACK_MATCH_THRESHOLD;
  const yieldLoop = (): Promise<void> => new Promise((r) => setImmediate(r));
  const now = (): number => performance.now();
  const peopleRepo = new SqlitePeopleRepository(o.db);
  const sampleRepo = new SqliteFaceSamplesRepository(o.db);
  const files = new NodeFaceFilesRepository(o.dataDir);
  const chosen = vectorIndexFactory();
  if (chosen.fallback) log.warn({ reason: chosen.fallback }, 'usearch did not load: face search and face groups use an exact scan (correct, slower past about 100k faces)');
  const vectors = chosen.factory;
  const image = new SharpImageHeaderRepository();
  const index = new FaceIndexService({ people: peopleRepo, samples: sampleRepo, vectors, model, matchThreshold, log: log.child({ module: 'face-index' }), yieldLoop, now });
  const samples = new FaceSamplesService({ samples: sampleRepo, files, index, model, minQuality: () => o.settings.get().face_min_quality, log: log.child({ module: 'face-samples' }), now: Date.now });
  const people = new PeopleService({ people: peopleRepo, samples: sampleRepo, files, index, engine: o.engine, image, model, log: log.child({ module: 'people' }) });
  const groups = new FaceGroupsService({ samples: sampleRepo, people, events: o.eventsRepo, eventDto: (r) => o.events.toDto(r), vectors, model, matchThreshold, log: log.child({ module: 'face-groups' }), now, yieldLoop });
  const search = new FaceSearchService({ samples: sampleRepo, people: peopleRepo, index, engine: o.engine, image, model, matchThreshold });
  const recognition = new FaceRecognitionService({
    samples,
    sampleRows: sampleRepo,
    index,
    events: o.eventsRepo,
    bus: o.bus,
    settings: () => ({ threshold: matchThreshold(), min_faces: o.settings.get().face_min_faces }),
    log: log.child({ module: 'face-recognition' }),
  });
  people.onReject((sampleId, personId) => recognition.reject(sampleId, personId));
  return { index, samples, people, groups, search, recognition, files, sampleRows: sampleRepo, peopleRows: peopleRepo, matchThreshold };
}
