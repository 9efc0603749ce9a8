// Resolves the runtime configuration from CLI flags and environment variables.
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

export interface AppConfig {
  dataDir: string;
  host: string;
  port: number;
  demo: boolean;
  apiKey: string | null;
  resourcesDir: string;
  rendererDir: string | null;
  electron: string | null;
  /** Print the URL + one-time login link at start (headless). */
  announce: boolean;
  /** ffmpeg chosen by the machine's owner (--ffmpeg, VIGIL_FFMPEG or FFMPEG_PATH); never settable over the API. */
  ffmpeg: { path: string; source: 'cli' | 'env' } | null;
  /** Folders `file` cameras may read from (--media-dir / VIGIL_MEDIA_DIRS); default <data>/media. */
  mediaDirs: string[];
}

export class ConfigError extends Error {}

export { isLoopbackAddress as isLoopback } from '../shared/loopback';

export function defaultDataDir(): string {
  if (process.platform === 'win32') return join(process.env.APPDATA ?? homedir(), 'Vigil');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Vigil');
  return join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'vigil');
}

function flag(argv: string[], name: string): string | undefined {
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  const a = argv[i] as string;
  if (a.includes('=')) return a.slice(a.indexOf('=') + 1);
  const v = argv[i + 1];
  if (v === undefined || v.startsWith('--')) throw new ConfigError(`--${name} needs a value`);
  return v;
}

const KNOWN = ['port', 'data-dir', 'host', 'no-demo', 'help', 'ffmpeg', 'media-dir'];
const VALUED = new Set(['port', 'data-dir', 'host', 'ffmpeg', 'media-dir']);

/** Keeps Vigil's own flags (with their values, in either form) out of a host argv such as Electron's, which also carries Chromium switches. */
export function vigilArgs(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const name = a.startsWith('--') ? (a.slice(2).split('=')[0] as string) : '';
    if (!KNOWN.includes(name) || name === 'help') continue;
    out.push(a);
    const next = argv[i + 1];
    if (VALUED.has(name) && !a.includes('=') && next !== undefined && !next.startsWith('--')) out.push(argv[++i] as string);
  }
  return out;
}

export function parseConfig(argv: string[], env: NodeJS.ProcessEnv, base: { resourcesDir: string; rendererDir: string | null; electron: string | null }): AppConfig {
  for (const a of argv) {
    if (a.startsWith('--') && !KNOWN.includes(a.slice(2).split('=')[0] as string)) throw new ConfigError(`unknown option ${a}`);
  }
  const portRaw = flag(argv, 'port') ?? env.VIGIL_PORT ?? '8787';
  const port = Number(portRaw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`invalid port ${portRaw}`);
  const host = flag(argv, 'host') ?? env.VIGIL_HOST ?? '127.0.0.1';
  const key = env.VIGIL_API_KEY?.trim() || null;
  if (key !== null && key.length < 16) throw new ConfigError('VIGIL_API_KEY must be at least 16 characters');
  const dataDir = resolve(flag(argv, 'data-dir') ?? env.VIGIL_DATA_DIR ?? defaultDataDir());
  const ffCli = flag(argv, 'ffmpeg');
  const ffEnv = env.VIGIL_FFMPEG?.trim() || env.FFMPEG_PATH?.trim() || null;
  const mediaRaw = flag(argv, 'media-dir') ?? env.VIGIL_MEDIA_DIRS ?? '';
  const mediaDirs = mediaRaw.split(delimiter).filter((d) => d.trim() !== '').map((d) => resolve(d.trim()));
  return {
    dataDir,
    host,
    port,
    demo: !argv.includes('--no-demo') && env.VIGIL_NO_DEMO !== '1',
    apiKey: key,
    announce: true,
    ffmpeg: ffCli ? { path: resolve(ffCli), source: 'cli' } : ffEnv ? { path: resolve(ffEnv), source: 'env' } : null,
    mediaDirs: mediaDirs.length ? mediaDirs : [join(dataDir, 'media')],
    ...base,
  };
}

export const USAGE = `Usage: npm run serve -- [--port N] [--host ADDR] [--data-dir DIR] [--no-demo] [--ffmpeg PATH] [--media-dir DIRS]
  --port       HTTP port (VIGIL_PORT, default 8787; 0 picks a free one)
  --host       bind address (default 127.0.0.1; LAN binding needs auth_required)
  --data-dir   where recordings and the database live (VIGIL_DATA_DIR)
  --no-demo    do not create the demo cameras on an empty database
  --ffmpeg     the ffmpeg binary to use (VIGIL_FFMPEG or FFMPEG_PATH; default: the one on PATH)
  --media-dir  folders file cameras may read, separated by '${delimiter}' (VIGIL_MEDIA_DIRS; default <data-dir>/media)
  VIGIL_API_KEY  use this API key instead of the generated one`;
