// Timeline hover renders on the real app: abandoned renders are killed, a full queue answers 503, shared renders outlive one waiter.
// real: app + fastify on 127.0.0.1:0, SQLite, ffmpeg, 2 min of MPEG-TS segments, client disconnects, /proc. mock: nothing.
import { readdirSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startTestApp, type TestApp } from '../foundation/app-harness';
import { until } from '../cameras/helpers';
import { listFiles, placeSegments } from './media-helpers';

let t: TestApp;
let cam: number;
let start: number;
/** Footage long enough that one sprite render takes about a second (concat + decode of 2 min). */
const SEGMENTS = 60;
const SPAN_MS = SEGMENTS * 2000;

interface Answer {
  status: number;
  retryAfter: string | null;
  body: Buffer;
}

/**
 * A hover request on its own connection (closed after the answer, so the server's open connections count the
 * requests still in flight); 'aborted' when this client gave up on it first.
 */
function hover(path: string, signal?: AbortSignal): Promise<Answer | 'aborted'> {
  return new Promise((resolve, reject) => {
    const failed = (err: Error) => (signal?.aborted ? resolve('aborted') : reject(err));
    get(t.base + path, { agent: false, signal, headers: { authorization: `Bearer ${t.key}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', failed);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] ?? null, body: Buffer.concat(chunks) }));
    }).on('error', failed);
  });
}

const frameUrl = (i: number) => `/api/recordings/${cam}/frame.jpg?ts=${start + i * 1000 + 500}&w=640`;
const spriteRange = (i: number) => ({ from: start + i, to: start + SPAN_MS - i });
const spriteUrl = (i: number) => `/api/recordings/${cam}/sprite.jpg?from=${spriteRange(i).from}&to=${spriteRange(i).to}`;
const spriteFiles = (i: number) => listFiles(join(t.dataDir, 'cache', 'sprites', String(cam))).filter((f) => f.includes(`/${spriteRange(i).from}-${spriteRange(i).to}.`));
const cacheDir = () => join(t.dataDir, 'cache');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Live child processes of this process (the app runs in it) with an argument containing `needle`. */
function renders(needle: string): number {
  let n = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== process.pid) continue;
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').some((a) => a.includes(needle))) n++;
    } catch {
      // exited while being read
    }
  }
  return n;
}

/** Fails if any matching render shows up during the next `ms`. */
async function staysIdle(needle: string, ms: number): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(40)) expect(renders(needle)).toBe(0);
}

const connections = (): Promise<number> => new Promise((resolve, reject) => t.app.container.http.server.getConnections((err, n) => (err ? reject(err) : resolve(n))));

/**
 * Aborts every client, then waits until the server has read each disconnect (a request it read before the
 * disconnect may still start a render, which the disconnect then kills) and no render matching `needle` is left.
 */
async function abandon(clients: AbortController[], answers: Promise<unknown>[], openBefore: number, needle: string): Promise<void> {
  for (const c of clients) c.abort();
  await Promise.all(answers);
  await until('the server saw every disconnect', async () => (await connections()) <= openBefore, 10_000, 20);
  await until('abandoned renders killed', () => renders(needle) === 0, 2000, 20);
}

beforeAll(async () => {
  t = await startTestApp();
  cam = Number(t.app.container.db.prepare("INSERT INTO cameras (name, source_kind, url_enc, url_host, enabled, config) VALUES ('Scrub', 'file', x'00', '', 0, '{}')").run().lastInsertRowid);
  start = Date.now() - SPAN_MS - 60_000;
  for (const s of placeSegments(t.dataDir, cam, start, SEGMENTS)) t.app.container.ingest.emit('segment', s);
  await t.app.container.recording.indexer.flush();
});

afterAll(async () => {
  await t?.stop();
  if (t) removeDir(t.dataDir);
});

describe('timeline hover renders nobody waits for', () => {
  it('60 hovers abandoned by their client leave no ffmpeg render running moments later, and no temp files', async () => {
    const open = await connections();
    const clients = Array.from({ length: 60 }, () => new AbortController());
    const answers = clients.map((c, i) => hover(i % 2 ? spriteUrl(i) : frameUrl(i), c.signal));
    await until('renders under way', () => renders(cacheDir()) > 0, 20_000, 10);
    await abandon(clients, answers, open, cacheDir());
    await staysIdle(cacheDir(), 1500);
    expect(listFiles(cacheDir()).filter((f) => !f.endsWith('.jpg'))).toEqual([]);
  });

  it('a full render queue answers 503 with Retry-After and a detail, and has room again once its waiters leave', async () => {
    const open = await connections();
    const clients = Array.from({ length: 40 }, () => new AbortController());
    const answered: Answer[] = [];
    const answers = clients.map((c, i) => hover(spriteUrl(100 + i), c.signal).then((a) => a !== 'aborted' && answered.push(a)));
    const busy = await until('a 503', () => answered.find((a) => a.status === 503), 20_000, 20);
    expect(busy.retryAfter).toMatch(/^[1-9]\d*$/);
    expect(JSON.parse(busy.body.toString())).toMatchObject({ detail: expect.any(String) });
    await abandon(clients, answers, open, cacheDir());
    expect(answered.every((a) => a.status === 503 || a.status === 200)).toBe(true);
    const next = await hover(frameUrl(70));
    expect(next).toMatchObject({ status: 200 });
  });

  it('a render shared by two hovers survives one of them leaving; when both have gone it is killed and leaves nothing', async () => {
    const needle = (i: number) => `/${spriteRange(i).from}-${spriteRange(i).to}.`;
    const leaver = new AbortController();
    const gone = hover(spriteUrl(200), leaver.signal);
    const stays = hover(spriteUrl(200));
    await until('shared render under way', () => renders(needle(200)) > 0, 20_000, 10);
    leaver.abort();
    expect(await gone).toBe('aborted');
    const got = await stays;
    expect(got).toMatchObject({ status: 200 });
    expect((got as Answer).body.subarray(0, 2).toString('hex')).toBe('ffd8');

    const open = await connections();
    const clients = [new AbortController(), new AbortController()];
    const both = clients.map((c) => hover(spriteUrl(201), c.signal));
    await until('shared render under way', () => renders(needle(201)) > 0, 20_000, 10);
    await abandon(clients, both, open, needle(201));
    expect(await Promise.all(both)).toEqual(['aborted', 'aborted']);
    await staysIdle(needle(201), 1500);
    expect(spriteFiles(201)).toEqual([]);
  });
});
