// Starts the BUILT headless server (out/main/server.js) on a fresh data dir and a free port; stop() kills its whole process group.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, sleep, waitFor } from './net';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SERVER_JS = join(REPO_ROOT, 'out', 'main', 'server.js');

export interface ServerOptions {
  /** VIGIL_API_KEY; null = let the server generate and persist one. */
  apiKey?: string | null;
  /** Create the demo cameras (default false: tests add the cameras they need). */
  demo?: boolean;
  /** Reuse a data dir (e.g. to test a restart); default is a fresh temp dir removed on stop. */
  dataDir?: string;
  host?: string;
  extraArgs?: string[];
  env?: Record<string, string>;
}

export interface RunningServer {
  url: string;
  port: number;
  dataDir: string;
  apiKey: string | null;
  pid: number;
  /** The one-time login link printed on stdout. */
  loginUrl: string;
  stdout(): string;
  stderr(): string;
  /** fetch() against the server, with the bearer key unless `auth: false`. */
  api(path: string, init?: RequestInit & { auth?: boolean }): Promise<Response>;
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

export const TEST_API_KEY = 'vgl_test_key_0123456789abcdef';

const live = new Set<number>();
process.once('exit', () => {
  for (const pgid of live) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM the group, SIGKILL after a grace period, then wait until no member (ffmpeg included) is left. */
export async function killGroup(child: ChildProcess, graceMs = 10_000): Promise<void> {
  const pgid = child.pid;
  if (pgid === undefined) return;
  const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => child.once('exit', () => r()));
  try {
    process.kill(-pgid, 'SIGTERM');
  } catch {
    // group already gone
  }
  await Promise.race([exited, sleep(graceMs)]);
  const deadline = Date.now() + 5_000;
  while (groupAlive(pgid)) {
    if (Date.now() > deadline) break;
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      break;
    }
    await sleep(100);
  }
  live.delete(pgid);
}

/** Processes (other than ours) whose command line mentions `needle`, e.g. ffmpeg writing into a test's data dir. Linux /proc only. */
export function processesMentioning(needle: string): { pid: number; cmd: string }[] {
  if (process.platform !== 'linux') return [];
  const found: { pid: number; cmd: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      if (cmd.includes(needle)) found.push({ pid, cmd });
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

export async function startServer(opts: ServerOptions = {}): Promise<RunningServer> {
  if (!existsSync(SERVER_JS)) throw new Error(`${SERVER_JS} is missing: run \`npx electron-vite build\` (npm test builds first).`);
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'vigil-e2e-'));
  const port = await freePort();
  const host = opts.host ?? '127.0.0.1';
  const apiKey = opts.apiKey === undefined ? TEST_API_KEY : opts.apiKey;
  const args = [SERVER_JS, '--data-dir', dataDir, '--port', String(port), '--host', host, ...(opts.demo ? [] : ['--no-demo']), ...(opts.extraArgs ?? [])];
  const env: Record<string, string> = { ...(process.env as Record<string, string>), VIGIL_LOG_LEVEL: 'info', ...(opts.env ?? {}) };
  delete env.VIGIL_API_KEY;
  delete env.VIGIL_PORT;
  delete env.VIGIL_DATA_DIR;
  if (apiKey) env.VIGIL_API_KEY = apiKey;
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid !== undefined) live.add(child.pid);
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  const base = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  const stop = async (o: { keepData?: boolean } = {}) => {
    await killGroup(child);
    // Anything still pointing into the data dir escaped the process group (e.g. a detached ffmpeg): kill it and fail loudly.
    const orphans = processesMentioning(dataDir);
    for (const p of orphans) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (!o.keepData && !opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (orphans.length > 0) throw new Error(`the server left ${orphans.length} orphan process(es) behind:\n  ${orphans.map((p) => `${p.pid} ${p.cmd}`).join('\n  ')}`);
  };
  try {
    const loginUrl = await waitFor(
      'the server to answer /health and print its login link',
      async () => {
        if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}\n${err}\n${out.slice(-2000)}`);
        const link = /(http:\/\/\S+\/login\?token=\S+)/.exec(out)?.[1];
        if (!link) return undefined;
        const res = await fetch(`${base}/health`);
        return res.ok ? link : undefined;
      },
      { timeoutMs: 45_000, intervalMs: 150 },
    );
    return {
      url: `${base}/`,
      port,
      dataDir,
      apiKey,
      pid: child.pid as number,
      loginUrl,
      stdout: () => out,
      stderr: () => err,
      api: (path, init = {}) => {
        const { auth = true, headers, ...rest } = init;
        const h = new Headers(headers);
        if (auth && apiKey && !h.has('authorization')) h.set('authorization', `Bearer ${apiKey}`);
        return fetch(base + path, { ...rest, headers: h });
      },
      stop,
    };
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
}
