// Pure parsing of Vigil's structured log lines into the entries the logs routes answer, and their filters.

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LogEntry {
  ts: string;
  level: LogLevel;
  /** The module that wrote it (pino's `module`), or the camera for ffmpeg lines. */
  source: string;
  message: string;
}

/** pino's numeric levels: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal. */
export function pinoLevel(n: number): LogLevel {
  if (n >= 50) return 'ERROR';
  if (n >= 40) return 'WARNING';
  if (n >= 30) return 'INFO';
  return 'DEBUG';
}

/** ffmpeg's `-loglevel level+…` prefixes ([error], [warning], [info], [verbose], [debug]), normalised; null when absent. */
export function ffmpegLevel(line: string): LogLevel | null {
  const m = /\[(panic|fatal|error|warning|info|verbose|debug|trace)\]/.exec(line);
  if (!m) return null;
  switch (m[1]) {
    case 'panic':
    case 'fatal':
    case 'error':
      return 'ERROR';
    case 'warning':
      return 'WARNING';
    case 'info':
      return 'INFO';
    default:
      return 'DEBUG';
  }
}

interface PinoLine {
  time?: number;
  level?: number;
  module?: string;
  msg?: string;
  line?: string;
  camera_id?: number;
  err?: { message?: string };
  error?: string;
}

/** Which stream a line belongs to: ffmpeg's own output (what the Pi's MediaMTX log was) or Vigil's. */
export type LogKind = 'api' | 'media';

/** One log line as an entry of `kind`, or null when it is not JSON or belongs to the other kind. */
export function parseLine(raw: string, kind: LogKind): LogEntry | null {
  let j: PinoLine;
  try {
    j = JSON.parse(raw) as PinoLine;
  } catch {
    return null;
  }
  if (typeof j !== 'object' || j === null || typeof j.time !== 'number') return null;
  const media = j.msg === 'ffmpeg' && typeof j.line === 'string';
  if ((kind === 'media') !== media) return null;
  const ts = new Date(j.time).toISOString();
  if (media) {
    return { ts, level: ffmpegLevel(j.line as string) ?? pinoLevel(j.level ?? 30), source: j.camera_id !== undefined ? `camera ${j.camera_id}` : (j.module ?? 'ffmpeg'), message: j.line as string };
  }
  const detail = j.err?.message ?? j.error;
  return { ts, level: pinoLevel(j.level ?? 30), source: j.module ?? 'vigil', message: detail ? `${j.msg ?? ''}: ${detail}` : (j.msg ?? '') };
}

export interface LogQuery {
  limit: number;
  level?: LogLevel;
  search?: string;
}

export const matches = (e: LogEntry, q: LogQuery): boolean => (!q.level || e.level === q.level) && (!q.search || `${e.source} ${e.message}`.toLowerCase().includes(q.search.toLowerCase()));
