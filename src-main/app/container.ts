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
import { locateFfmpeg, type FfmpegInfo } from '../repositories/ffmpeg/ffmpeg-locator';
import { PushBus } from '../services/push-bus';
import { SettingsService } from '../services/settings.service';
import { AuthService } from '../services/auth.service';
import { SystemService } from '../services/system.service';
import { Dispatcher } from '../transport/dispatch';
import { createHttpServer } from '../transport/rest/http-server';
import { systemHandlers } from '../transport/handlers/system.handlers';
import { cameraHandlers } from '../transport/handlers/cameras.handlers';
import { eventHandlers } from '../transport/handlers/events.handlers';
import { isLoopback, type AppConfig } from './config';

export const VERSION = '0.1.0';

export interface ContainerDeps {
  keyProvider?: KeyProvider;
  logStdout?: boolean;
}

export interface Container {
  config: AppConfig;
  log: Logger;
  closeLog: () => void;
  db: Db;
  bus: PushBus;
  settings: SettingsService;
  auth: AuthService;
  system: SystemService;
  dispatcher: Dispatcher;
  http: FastifyInstance;
  ffmpeg: () => FfmpegInfo;
  port: () => number;
}

export async function buildContainer(config: AppConfig, deps: ContainerDeps = {}): Promise<Container> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const { root: log, close: closeLog } = createRootLogger({ dataDir: config.dataDir, stdout: deps.logStdout });
  const db = openDatabase({ file: join(config.dataDir, 'vigil.db'), logger: log.child({ module: 'db' }) });
  const box = new SecretBox((deps.keyProvider ?? fileKeyProvider).loadOrCreate(config.dataDir));
  const bus = new PushBus();

  const settings = new SettingsService(new SqliteSettingsRepository(db), bus, log.child({ module: 'settings' }));
  const loopbackOnly = isLoopback(config.host);
  settings.addGuard((next) => (!loopbackOnly && !next.auth_required ? 'Vigil is bound to the LAN; auth_required cannot be turned off.' : null));
  const auth = new AuthService(new SqliteSecretsRepository(db, box), settings, { envKey: config.apiKey, loopbackOnly }, log.child({ module: 'auth' }));

  let ffmpegInfo = await locateFfmpeg(settings.get().ffmpeg_path);
  settings.onChange((next, prev) => {
    if (next.ffmpeg_path !== prev.ffmpeg_path) void locateFfmpeg(next.ffmpeg_path).then((i) => (ffmpegInfo = i));
  });
  const ffmpeg = () => ffmpegInfo;

  let boundPort = config.port;
  const port = () => boundPort;
  const system = new SystemService(
    { version: VERSION, electron: config.electron, dataDir: config.dataDir, host: config.host, port },
    new NodeHostRepository(join(config.resourcesDir, 'models')),
    ffmpeg,
    { states: () => [] },
    settings,
  );

  const handlers: Handlers = {
    ...systemHandlers({ system, settings, auth, baseUrl: () => `http://${isLoopback(config.host) ? '127.0.0.1' : config.host}:${boundPort}` }),
    ...cameraHandlers(),
    ...eventHandlers(),
  };
  const dispatcher = new Dispatcher(handlers);
  const http = await createHttpServer({
    version: VERSION,
    host: config.host,
    port: config.port,
    rendererDir: config.rendererDir,
    dispatcher,
    auth,
    settings,
    bus,
    log: log.child({ module: 'http' }),
    modules: [],
  });
  http.addHook('onListen', async () => {
    const addr = http.server.address();
    if (addr && typeof addr === 'object') boundPort = addr.port;
  });
  return { config, log, closeLog, db, bus, settings, auth, system, dispatcher, http, ffmpeg, port };
}
