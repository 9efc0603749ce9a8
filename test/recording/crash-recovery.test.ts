// SIGKILL mid-recording (real: the built headless server `node out/main/server.js`, ffmpeg ingest, GStreamer RTSP camera,
// SQLite; mock: none): after a restart every completed segment on disk is indexed and no pre-crash event is left open.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startRtspServer, type RtspServer } from '../support/rtsp-server';
import { removeDir, tempDataDir } from '../foundation/app-harness';
import { until } from '../cameras/helpers';
import { listFiles } from './media-helpers';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SERVER = join(ROOT, 'out', 'main', 'server.js');
const KEY = 'crash-recovery-key-0123456789';
const FINAL = /^segments\/\d+\/\d{4}-\d{2}-\d{2}\/\d{2}\/\d+(-\d+)?\.ts$/;

let rtsp: RtspServer;
let dataDir: string;
let port: number;
const procs: ChildProcess[] = [];

function descendants(pid: number): number[] {
  const out = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)]).stdout.toString().split(/\s+/).filter(Boolean).map(Number);
  return out.flatMap((p) => [p, ...descendants(p)]);
}

async function startServer(): Promise<ChildProcess> {
  const p = spawn(process.execPath, [SERVER, '--port', String(port), '--data-dir', dataDir, '--no-demo'], { env: { ...process.env, VIGIL_API_KEY: KEY }, stdio: 'ignore' });
  procs.push(p);
  await until('server health', async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok, 60_000, 250);
  return p;
}

const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
  const r = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers: { authorization: `Bearer ${KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  if (!r.ok) throw new Error(`${method} ${path} → ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
};

const exited = (p: ChildProcess) => new Promise<void>((ok) => (p.exitCode !== null || p.signalCode !== null ? ok() : p.once('exit', () => ok())));

beforeAll(async () => {
  if (!existsSync(SERVER)) execFileSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: 'ignore', timeout: 300_000 });
  rtsp = await startRtspServer();
  dataDir = tempDataDir();
  port = await freePort();
});

afterAll(async () => {
  for (const p of procs) {
    if (p.exitCode === null && p.signalCode === null) {
      const kids = p.pid ? descendants(p.pid) : [];
      p.kill('SIGTERM');
      await Promise.race([exited(p), new Promise((r) => setTimeout(r, 15_000))]);
      for (const k of kids) spawnSync('kill', ['-9', String(k)]);
    }
  }
  await rtsp?.stop();
  if (dataDir) removeDir(dataDir);
});

describe('crash recovery', () => {
  it('SIGKILL mid-recording, restart: every completed segment is indexed and no pre-crash event is open', async () => {
    const first = await startServer();
    await api('PUT', '/api/settings', { segment_seconds: 2 });
    const cam = await api<{ id: number }>('POST', '/api/cameras', { name: 'Street', rtsp_url: rtsp.url, post_seconds: 120, min_trigger_frames: 1, motion_min_area: 0.002 });
    await until('segments and an open event', async () => {
      const st = await api<{ cameras: { camera_id: number; segments: number }[] }>('GET', '/api/storage');
      const ev = await api<{ items: { open: boolean }[] }>('GET', `/api/events?camera_id=${cam.id}`);
      return (st.cameras.find((c) => c.camera_id === cam.id)?.segments ?? 0) >= 3 && ev.items.some((e) => e.open);
    }, 90_000, 1000);
    const kids = descendants(first.pid as number);
    first.kill('SIGKILL');
    await exited(first);
    for (const k of kids) spawnSync('kill', ['-9', String(k)]);
    const onDisk = listFiles(join(dataDir, 'segments')).map((f) => relative(dataDir, f).split('\\').join('/')).filter((f) => FINAL.test(f));
    expect(onDisk.length).toBeGreaterThanOrEqual(3);
    const openBefore = await (async () => {
      const db = new BetterSqlite3(join(dataDir, 'vigil.db'), { readonly: true });
      try {
        return db.prepare('SELECT id FROM events WHERE ended_ms IS NULL').pluck().all() as number[];
      } finally {
        db.close();
      }
    })();
    expect(openBefore.length).toBeGreaterThan(0);

    const second = await startServer();
    second.kill('SIGTERM');
    await exited(second);
    const db = new BetterSqlite3(join(dataDir, 'vigil.db'), { readonly: true });
    try {
      const indexed = new Set(db.prepare('SELECT path FROM segments').pluck().all() as string[]);
      expect(onDisk.filter((f) => !indexed.has(f))).toEqual([]);
      expect(db.prepare(`SELECT COUNT(*) FROM events WHERE ended_ms IS NULL`).pluck().get()).toBe(0);
      for (const id of openBefore) expect(db.prepare('SELECT ended_ms FROM events WHERE id = ?').pluck().get(id)).not.toBeNull();
    } finally {
      db.close();
    }
  });
});
