// Structured logs: pino to stdout and to a size-rotated file under <data>/logs, one child logger per module.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { createStream } from 'rotating-file-stream';

export type Logger = pino.Logger;

export interface LogOptions {
  dataDir: string | null;
  level?: string;
  stdout?: boolean;
}

const SECRET_KEYS = ['password', 'rtsp_url', 'api_key', 'token'];
// pino's `*.k` matches one level down only, so top-level keys are listed too.
const REDACT = [...SECRET_KEYS, ...SECRET_KEYS.map((k) => `*.${k}`), 'req.headers.authorization', 'req.headers.cookie'];

export function createRootLogger(opts: LogOptions): { root: Logger; close: () => void } {
  const level = (opts.level ?? process.env.VIGIL_LOG_LEVEL ?? 'info') as pino.Level;
  // multistream writes only `info` and above to a stream that names no level, whatever the logger's level is.
  const streams: pino.StreamEntry[] = [];
  if (opts.stdout !== false) streams.push({ level, stream: process.stdout });
  let file: ReturnType<typeof createStream> | null = null;
  if (opts.dataDir) {
    const dir = join(opts.dataDir, 'logs');
    mkdirSync(dir, { recursive: true });
    file = createStream('vigil.log', { path: dir, size: '10M', maxFiles: 5 });
    streams.push({ level, stream: file });
  }
  const root = pino(
    { level, redact: { paths: REDACT, censor: '***' }, base: { pid: process.pid } },
    pino.multistream(streams),
  );
  return { root, close: () => file?.end() };
}

/** A logger that writes nowhere, for unit tests of services. */
export const silentLogger = (): Logger => pino({ level: 'silent' });
