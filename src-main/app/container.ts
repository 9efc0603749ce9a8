// Explicit wiring: builds every repository, service and transport in dependency order. No DI framework.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Handlers } from '../shared/contract';
import { openDatabase, type Db } from '../repositories/db/database';
import { createRootLogger, type Logger } from '../repositories/logger';
import { SqliteSettingsRepository } from '../repositories/settings.repository';
import { fileKeyProvider, SecretBox, SqliteSecretsRepository, type KeyProvider } from '../repositories/secrets.repository';
import { NodeHostRepository } from '../repositories/host.repository';
import { HealthAlertsService } from '../services/health-alerts.service';
import { nodeFfmpegLocator, type FfmpegInfo } from '../repositories/ffmpeg/ffmpeg-locator';
import { FileLocalSettingsRepository } from '../repositories/local-settings.repository';
import { FfmpegService } from '../services/ffmpeg.service';
import { PushBus } from '../services/push-bus';
import { SettingsService } from '../services/settings.service';
import { AuthService } from '../services/auth.service';
import { UsersService } from '../services/users.service';
import { SqliteUsersRepository } from '../repositories/users.repository';
import { argon2Hasher, JoseTokenSigner } from '../repositories/auth/credentials-crypto.repository';
import { usersHandlers } from '../transport/handlers/users.handlers';
import { buildFlex, buildIot, type Flex } from './flex';
import type { IotCamerasService } from '../services/backflow/iot-cameras.service';
import { SystemService } from '../services/system.service';
import { Dispatcher } from '../transport/dispatch';
import { createHttpServer } from '../transport/rest/http-server';
import { systemHandlers } from '../transport/handlers/system.handlers';
import { cameraHandlers } from '../transport/handlers/cameras.handlers';
import { eventHandlers } from '../transport/handlers/events.handlers';
import { isLoopback, type AppConfig } from './config';
import { RETENTION_SETTINGS } from '../shared/settings';
import { WorkerManager } from '../workers/worker-manager';
import { SqliteCamerasRepository } from '../repositories/cameras.repository';
import { FsCameraFilesRepository, loadNoSignalJpeg } from '../repositories/camera-files.repository';
import { SourceProbeRepository } from '../repositories/ffmpeg/probe.repository';
import { NodeCameraNetRepository } from '../repositories/net/camera-net.repository';
import { CamerasService } from '../services/cameras/cameras.service';
import { CameraSettingsCache, type CameraSettingsSource } from '../services/cameras/camera-settings';
import { NodeHlsFilesRepository } from '../repositories/hls-files.repository';
import { liveRoutes, LiveViewers } from '../transport/rest/live.routes';
import { liveMseRoutes } from '../transport/rest/live-mse.routes';
import { randomBytes } from 'node:crypto';
import { IngestBus } from '../services/ingest-bus';
import { SqliteSegmentsRepository } from '../repositories/segments.repository';
import { SqliteEventsRepository, SqliteExportsRepository } from '../repositories/events.repository';
import { NodeMediaFilesRepository } from '../repositories/media-files.repository';
import { FfmpegMediaToolsRepository } from '../repositories/ffmpeg/media-tools.repository';
import { SegmentIndexer } from '../services/recording/segment-indexer.service';
import { EventsService } from '../services/recording/events.service';
import { EventRecorder } from '../services/recording/event-recorder.service';
import { ClipFinalizer } from '../services/recording/clip-finalizer.service';
import { ActivityCounter } from '../services/recording/activity-counter';
import { AnalysisService } from '../services/analysis/analysis.service';
import { LiveAnnotator } from '../services/analysis/live-annotator';
import { WorkerAnalysisEngine } from '../workers/analysis/analysis-engine';
import type { AnalysisEngine } from '../ports/analysis-engine.port';
import { SharpImageRepository, type ImageRepository } from '../repositories/image/image.repository';
import { RecordingsService } from '../services/recording/recordings.service';
import { RetentionService } from '../services/recording/retention.service';
import { RecoveryService } from '../services/recording/recovery.service';
import { RecordingCameraDataPurger } from '../services/recording/camera-data-purger.service';
import { eventsRoutes } from '../transport/rest/events.routes';
import { recordingsRoutes } from '../transport/rest/recordings.routes';
import { peopleHandlers } from '../transport/handlers/people.handlers';
import { faceGroupHandlers } from '../transport/handlers/face-groups.handlers';
import { peopleRoutes } from '../transport/rest/people.routes';
import { faceGroupsRoutes } from '../transport/rest/face-groups.routes';
import { FaceCaptureService } from '../services/faces/face-capture.service';
import { buildFaces, type Faces } from './faces';
import { buildIdentities, buildPersonSearch, type Identities } from './identities';
import { identityHandlers } from '../transport/handlers/identities.handlers';
import { searchHandlers } from '../transport/handlers/search.handlers';
import { streamHandlers } from '../transport/handlers/streams.handlers';
import { buildStreams } from './streams';
import type { StreamsService } from '../services/streams/streams.service';
import { identitiesRoutes } from '../transport/rest/identities.routes';
import { streamsRoutes } from '../transport/rest/streams.routes';
import { flexFamilyPlugin } from '../transport/rest/compat/flex/flex.routes';
import { backflowFamilyPlugin } from '../transport/rest/compat/backflow/backflow.routes';
import { IdentityCaptureService } from '../services/identities/identity-capture.service';
import { MqttJsRepository } from '../repositories/mqtt.repository';
import { MqttBridge } from '../transport/push/mqtt-bridge';
import { readFile } from 'node:fs/promises';
import { FsStillsRepository } from '../repositories/stills.repository';
import { TimelapseService } from '../services/stills/timelapse.service';
import { SnapshotsService } from '../services/stills/snapshots.service';
import { SensorsService } from '../services/sensors/sensors.service';
import { SqliteSensorsRepository } from '../repositories/sensors.repository';
import { LibgpiodRepository, type GpioRepository } from '../repositories/gpio.repository';
import { NodeLogFilesRepository } from '../repositories/log-files.repository';
import { LogsService } from '../services/logs/logs.service';
import { PiCompatService } from '../services/pi/pi-compat.service';
import { piFamilyPlugin } from '../transport/rest/compat/pi/pi.routes';

export const VERSION = '0.1.0';
/** Full-resolution frames per second a face camera sends to face capture (each is searched inside its tracked people). */
const FACE_FPS = 2;

export interface ContainerDeps {
  keyProvider?: KeyProvider;
  logStdout?: boolean;
  /** Test-sized timelapse capture interval in seconds (replaces timelapse_interval_minutes). */
  timelapseIntervalSeconds?: number;
  /** GPIO access (tests stand in for a chip that cannot exist here). */
  gpio?: GpioRepository;
}

export interface Container {
  config: AppConfig;
  log: Logger;
  closeLog: () => void;
  db: Db;
  bus: PushBus;
  settings: SettingsService;
  auth: AuthService;
  users: UsersService;
  system: SystemService;
  dispatcher: Dispatcher;
  http: FastifyInstance;
  ffmpeg: () => FfmpegInfo;
  port: () => number;
  ingest: IngestBus;
  recording: Recording;
  manager: WorkerManager;
  cameras: CamerasService;
  liveViewers: LiveViewers;
  engine: AnalysisEngine;
  analysis: AnalysisService;
  faces: Faces & { capture: FaceCaptureService };
  identities: Identities & { capture: IdentityCaptureService };
  streams: StreamsService;
  health: HealthAlertsService;
  mqtt: MqttBridge;
  stills: { timelapse: TimelapseService; snapshots: SnapshotsService };
  sensors: SensorsService;
  logs: LogsService;
  pi: PiCompatService;
  flex: Flex;
  iot: IotCamerasService;
}

/** Recording side (issue 4): segment index, events, retention, recovery and the camera data purger. */
export interface Recording {
  indexer: SegmentIndexer;
  events: EventsService;
  recorder: EventRecorder;
  finalizer: ClipFinalizer;
  activity: ActivityCounter;
  recordings: RecordingsService;
  retention: RetentionService;
  recovery: RecoveryService;
  purger: RecordingCameraDataPurger;
}

export async function buildContainer(config: AppConfig, deps: ContainerDeps = {}): Promise<Container> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const { root: log, close: closeLog } = createRootLogger({ dataDir: config.dataDir, stdout: deps.logStdout });
  const db = openDatabase({ file: join(config.dataDir, 'vigil.db'), logger: log.child({ module: 'db' }) });
  const box = new SecretBox((deps.keyProvider ?? fileKeyProvider).loadOrCreate(config.dataDir));
  const bus = new PushBus();

  const secrets = new SqliteSecretsRepository(db, box);
  const settings = new SettingsService(new SqliteSettingsRepository(db), bus, log.child({ module: 'settings' }), secrets);
  const loopbackOnly = isLoopback(config.host);
  settings.addGuard((next) => (!loopbackOnly && !next.auth_required ? 'Vigil is bound to the LAN; auth_required cannot be turned off.' : null));
  const usersRepo = new SqliteUsersRepository(db);
  const auth = new AuthService(
    { secrets, settings, users: usersRepo, hasher: argon2Hasher, tokens: new JoseTokenSigner(secrets), log: log.child({ module: 'auth' }) },
    { envKey: config.apiKey, loopbackOnly },
  );
  const users = new UsersService(usersRepo, argon2Hasher, Date.now);

  const ffmpegService = new FfmpegService(nodeFfmpegLocator, new FileLocalSettingsRepository(config.dataDir), config.ffmpeg, log.child({ module: 'ffmpeg' }));
  await ffmpegService.refresh();
  const ffmpeg = () => ffmpegService.current();

  let boundPort = config.port;
  const port = () => boundPort;
  const host = new NodeHostRepository();
  // Health alerts (the Pi family's /system_alert_state): storage, CPU temperature and SD wear, pushed on each change.
  const health = new HealthAlertsService({ host, dataDir: config.dataDir, bus, log: log.child({ module: 'health' }) });
  const system = new SystemService(
    { version: VERSION, electron: config.electron, dataDir: config.dataDir, host: config.host, port },
    host,
    ffmpeg,
    { states: () => manager.states() },
    settings,
    { models: () => engine.models(), providers: () => engine.providers(), status: () => engine.status() },
    { models: () => engine.faceModels(), matchThreshold: () => faces.matchThreshold(), index: () => faces.index.status() },
  );

  const faceModelsWanted = (): boolean => settings.get().face_detector_model !== null && settings.get().face_embedder_model !== null;
  const ingest = new IngestBus();
  // Camera settings have one reader: the cameras service writes the table and invalidates it; recording reads it.
  const camerasRepo = new SqliteCamerasRepository(db, box);
  const cameraSettings = new CameraSettingsCache(camerasRepo);
  const image = new SharpImageRepository();
  const recording = buildRecording(config.dataDir, db, ingest, settings, bus, ffmpeg, log, cameraSettings, image);

  // Analysis (issue 9): motion and detection off the main thread, one ONNX session per model for every camera.
  const engine = new WorkerAnalysisEngine({
    modelDirs: [
      { path: join(config.resourcesDir, 'models'), origin: 'bundled' },
      { path: join(config.dataDir, 'models'), origin: 'user' },
    ],
    log: log.child({ module: 'analysis-engine' }),
    model: settings.get().detector_model,
    budgetFps: settings.get().analysis_max_fps,
    faceDetectorModel: settings.get().face_detector_model,
    faceEmbedderModel: settings.get().face_embedder_model,
  });
  const analysis = new AnalysisService(engine, cameraSettings, { watchStills: (id, fn) => manager.watchStills(id, fn) }, recording.recorder, recording.activity, bus, log.child({ module: 'analysis' }), Date.now, () => settings.get().detector_model !== null);
  // Faces (issue 10): people, captured samples, vector indexes, live recognition over tracked people.
  const faces = buildFaces({ dataDir: config.dataDir, db, engine, settings, bus, events: recording.events, eventsRepo: recording.eventsRepo, log });
  // Identities (issue 11): sightings linked across cameras, operator corrections and their undo log.
  const identities = buildIdentities({ dataDir: config.dataDir, db, settings, bus, events: recording.events, faces, log });
  const capture = new FaceCaptureService({
    engine,
    cameras: cameraSettings,
    tracks: analysis,
    openEvent: (id) => recording.recorder.openPresenceEvent(id),
    recognition: faces.recognition,
    minQuality: () => settings.get().face_min_quality,
    log: log.child({ module: 'face-capture' }),
  });
  // Re-identification: each finished person track of a reid_enabled camera becomes a sighting linked to an identity.
  const identityCapture = new IdentityCaptureService({
    cameras: cameraSettings,
    store: identities.service,
    openEvent: (id) => recording.recorder.openPresenceEvent(id),
    faceModel: () => engine.faceModels().embedder,
    cameraName: (id) => cameraSettings.get(id)?.name ?? `camera ${id}`,
    log: log.child({ module: 'identity-capture' }),
    now: Date.now,
  });
  capture.listen(identityCapture);
  analysis.nameTracks((id, track) => faces.recognition.decision(id, track)?.name ?? null);
  const annotator = new LiveAnnotator(image, (id, at) => analysis.current(id, at));

  // Cameras (issue 3): one supervised ingest per camera; the cameras service drives it and derives status.
  const manager = new WorkerManager({ dataDir: config.dataDir, ffmpeg, settings: () => settings.get(), ingest, bus, log });
  const cameras = new CamerasService({
    repo: camerasRepo,
    cameraSettings,
    manager,
    settings,
    bus,
    probe: new SourceProbeRepository(() => ffmpeg().ffprobe, new NodeCameraNetRepository(), log.child({ module: 'probe' })),
    files: new FsCameraFilesRepository(config.dataDir, [...config.mediaDirs, join(config.resourcesDir, 'demo')]),
    purger: {
      purgeCamera: async (id) => {
        await recording.purger.purgeCamera(id);
        // Sightings reference face samples: identities first, then the samples and their crops.
        await identities.service.purgeCamera(id);
        await faces.samples.purgeCamera(id);
        await stills.timelapse.purgeCamera(id);
      },
    },
    retentionGuard: (change, confirm) => recording.retention.confirmChange({ camera: change }, confirm),
    analysisFit: (tuning) => analysis.analysisFit(tuning),
    faceFps: (tuning) => ((tuning.faces_enabled || tuning.reid_enabled) && faceModelsWanted() ? FACE_FPS : null),
    detectorStatus: (id) => analysis.detectorStatus(id),
    log: log.child({ module: 'cameras' }),
    demo: { enabled: config.demo, streetVideo: join(config.resourcesDir, 'demo', 'vtest.avi') },
  });
  // A new detector model can change the analysis frame size: cameras whose runtime changes restart.
  settings.onChange((next, prev) => {
    if (next.analysis_max_fps !== prev.analysis_max_fps) engine.setBudget(next.analysis_max_fps);
    if (next.face_detector_model !== prev.face_detector_model || next.face_embedder_model !== prev.face_embedder_model) {
      const both = next.face_detector_model !== null && next.face_embedder_model !== null;
      void engine.setFaceModels(both ? next.face_detector_model : null, both ? next.face_embedder_model : null).then((r) => {
        if (!r.ok) log.warn({ detector: next.face_detector_model, embedder: next.face_embedder_model, error: r.error.message }, 'face models not switched; the previous pair keeps running');
        cameras.reapplyRuntimes();
      });
    }
    if (next.detector_model === prev.detector_model) return;
    const switched = next.detector_model === null ? Promise.resolve(null) : engine.setModel(next.detector_model);
    void switched.then((r) => {
      if (r && !r.ok) log.warn({ model: next.detector_model, error: r.error.message }, 'detector model not switched; the previous one keeps running');
      cameras.reapplyRuntimes();
    });
  });
  bus.subscribe((m) => {
    if (m.name !== 'camera.removed') return;
    const id = (m.payload as { camera_id: number }).camera_id;
    analysis.forget(id);
    capture.forget(id);
    identityCapture.forget(id);
  });
  // Stills (issue 15): timelapse frames and saved snapshots, both taken from each camera's newest recorded segment.
  const stillFiles = new FsStillsRepository(config.dataDir, ffmpeg);
  const newestSegment = (id: number): { path: string; end_ms: number } | null => {
    const end = recording.segmentsRepo.latestEnd(id);
    const seg = end === null ? undefined : recording.segmentsRepo.overlapping(id, end - 1, end).at(-1);
    return seg ? { path: seg.path, end_ms: seg.end_ms } : null;
  };
  const cameraList = () => cameras.list().map((c) => ({ id: c.id, enabled: c.enabled }));
  const stills = {
    timelapse: new TimelapseService({ files: stillFiles, settings, cameras: cameraList, newestSegment, log: log.child({ module: 'timelapse' }), intervalSecondsOverride: deps.timelapseIntervalSeconds, bus }),
    snapshots: new SnapshotsService({ files: stillFiles, cameras: cameraList, newestSegment, log: log.child({ module: 'snapshots' }), bus }),
  };
  // Sensors (issue 15): a triggered sensor holds a recording open on its cameras like motion, hold_seconds past release.
  const sensors = new SensorsService({ repo: new SqliteSensorsRepository(db), gpio: deps.gpio ?? new LibgpiodRepository(), recorder: recording.recorder, cameras: cameraList, log: log.child({ module: 'sensors' }) });
  // MQTT (issue 15): push events to an external broker in Frigate's topics; per-camera set topics drive the cameras service.
  const mqtt = new MqttBridge({
    settings,
    bus,
    mqtt: new MqttJsRepository(),
    events: recording.events,
    cameras,
    snapshot: async (id) => {
      try {
        return await readFile(recording.events.mediaPath(id, 'thumbnail').path);
      } catch {
        return null;
      }
    },
    sensors,
    log: log.child({ module: 'mqtt' }),
    clientId: `vigil-${randomBytes(6).toString('hex')}`,
  });
  const noSignal = loadNoSignalJpeg(config.resourcesDir, ffmpeg().path);
  const liveViewers = new LiveViewers();

  // Push streams (issue 15): cameras that post JPEGs, verified against a policy with the shared detector.
  const streams = buildStreams({ db, engine, image, settings, log, cameras, ingest: manager });

  const handlers: Handlers = {
    ...systemHandlers({ system, settings, auth, ffmpeg: ffmpegService, baseUrl: () => `http://${isLoopback(config.host) ? '127.0.0.1' : config.host}:${boundPort}` }),
    ...cameraHandlers({ cameras }),
    ...eventHandlers(recording),
    ...peopleHandlers({ people: faces.people }),
    ...faceGroupHandlers({ groups: faces.groups, samples: faces.samples, search: faces.search, people: faces.people }),
    ...identityHandlers({ identities: identities.service }),
    ...searchHandlers({ personSearch: buildPersonSearch({ faces, identities, events: recording.events, settings }) }),
    ...streamHandlers({ streams }),
    ...usersHandlers({ users }),
  };
  const dispatcher = new Dispatcher(handlers);
  // Flex Video (issue 14): pipelines from the cameras' one ingest, capture devices, framegrabs, webhooks.
  const flex = buildFlex({ dataDir: config.dataDir, db, box, bus, manager, cameras, events: recording.events, ffmpeg: () => ffmpeg().path, log });
  // Backflow (issue 14): the same cameras under slug ids, snapshots and idle-stopped HLS from their one ingest.
  const iot = buildIot({ db, cameras, manager, hlsFiles: new NodeHlsFilesRepository(config.dataDir), log });
  // Logs (issue 15): Vigil's own log, ffmpeg's lines in it, and other log folders by category (the Pi's /logs routes).
  const logs = new LogsService(new NodeLogFilesRepository(config.dataDir));
  // The Raspberry Pi camera's root routes (issue 15): an adapter over the services above, no second implementation.
  const pi = new PiCompatService({
    dataDir: config.dataDir,
    version: VERSION,
    settings,
    retention: recording.retention,
    sensors,
    events: recording.events,
    timelapse: stills.timelapse,
    snapshots: stills.snapshots,
    files: stillFiles,
    auth,
    users,
    restartCore: async () => {
      sensors.stop();
      await cameras.stop();
      await cameras.start();
      sensors.start();
    },
    log: log.child({ module: 'pi' }),
  });
  const http = await createHttpServer({
    version: VERSION,
    host: config.host,
    loopbackOnly,
    port: config.port,
    rendererDir: config.rendererDir,
    dispatcher,
    auth,
    settings,
    bus,
    log: log.child({ module: 'http' }),
    modules: [eventsRoutes(recording.events, recording.files), recordingsRoutes(recording.recordings, recording.files), liveRoutes({ cameras, manager, settings, annotator, noSignal: () => noSignal, hlsFiles: new NodeHlsFilesRepository(config.dataDir), viewers: liveViewers }), liveMseRoutes({ cameras, live: manager }),
      peopleRoutes(faces.people, faces.files),
      faceGroupsRoutes(faces.samples, faces.search, faces.files),
      identitiesRoutes(identities.service, identities.files),
      streamsRoutes(streams),
    ],
    families: [flexFamilyPlugin({ version: VERSION, auth, bus, startedAt: Date.now(), ...flex }), backflowFamilyPlugin({ auth, iot }),
      piFamilyPlugin({ pi, timelapse: stills.timelapse, snapshots: stills.snapshots, sensors, health, logs, system, settings, auth, bus, read: (f, range) => stillFiles.read(f, range) }),
    ],
  });
  http.addHook('onListen', async () => {
    const addr = http.server.address();
    if (addr && typeof addr === 'object') boundPort = addr.port;
  });
  return { config, log, closeLog, db, bus, settings, auth, users, system, dispatcher, http, ffmpeg, port, ingest, recording, manager, cameras, liveViewers, engine, analysis, faces: { ...faces, capture }, identities: { ...identities, capture: identityCapture }, streams, health, mqtt, stills, sensors, logs, pi, flex, iot };
}

function buildRecording(dataDir: string, db: Db, ingest: IngestBus, settings: SettingsService, bus: PushBus, ffmpeg: () => FfmpegInfo, log: Logger, cams: CameraSettingsSource, image: ImageRepository): Recording & { files: NodeMediaFilesRepository; eventsRepo: SqliteEventsRepository; segmentsRepo: SqliteSegmentsRepository } {
  const now = Date.now;
  const segmentsRepo = new SqliteSegmentsRepository(db);
  const eventsRepo = new SqliteEventsRepository(db);
  const exportsRepo = new SqliteExportsRepository(db);
  const files = new NodeMediaFilesRepository(dataDir);
  const tools = new FfmpegMediaToolsRepository(ffmpeg);
  const indexer = new SegmentIndexer(segmentsRepo, files, tools, log.child({ module: 'segment-indexer' }));
  const events = new EventsService(eventsRepo, files, bus, now);
  const finalizer = new ClipFinalizer(eventsRepo, segmentsRepo, files, tools, image, indexer, settings, bus, log.child({ module: 'clip-finalizer' }));
  const activity = new ActivityCounter(eventsRepo);
  const recorder = new EventRecorder(eventsRepo, segmentsRepo, cams, indexer, finalizer, settings, bus, now, () => activity.flush());
  const recordings = new RecordingsService(segmentsRepo, eventsRepo, exportsRepo, files, tools, cams, bus, log.child({ module: 'recordings' }), () => randomBytes(9).toString('base64url'));
  const retention = new RetentionService(segmentsRepo, eventsRepo, exportsRepo, events, files, cams, settings, log.child({ module: 'retention' }), now);
  const recovery = new RecoveryService(segmentsRepo, eventsRepo, cams, exportsRepo, files, tools, finalizer, log.child({ module: 'recovery' }));
  const purger = new RecordingCameraDataPurger(segmentsRepo, eventsRepo, exportsRepo, events, recorder, files);
  indexer.attach(ingest);
  indexer.onIndexed(() => retention.checkDisk());
  // A retention change that would delete recordings needs the operator to confirm its preview first.
  settings.addGuard((next, prev, { confirm }) => {
    if (RETENTION_SETTINGS.some((k) => next[k] !== prev[k])) {
      retention.confirmChange({ global: { retention_max_days: next.retention_max_days, retention_max_gb: next.retention_max_gb, retention_max_percent: next.retention_max_percent } }, confirm);
    }
    return null;
  });
  return { indexer, events, recorder, finalizer, activity, recordings, retention, recovery, purger, files, eventsRepo, segmentsRepo };
}
