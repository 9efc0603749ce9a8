// Runs fuzzed requests against the real app (a recording pattern camera, events, an export) and checks it is still healthy afterwards.
import { request as httpRequest, Agent, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import { contract } from '../../src-main/shared/contract';
import type { Settings } from '../../src-main/shared/settings';
import { removeDir, startTestApp, type TestApp } from '../foundation/app-harness';
import { encodeLoose, MAIN_AUTH, plainJsonInput, RawJson, Ref, requestArbitrary, restOps, sampleRequests, SLICE_AUTH, TimeRef, type FuzzRequest, type OpenApiDoc, type QueryValue } from './contract-arbitraries';
import { budgetMs, documented503, judge, renderAnswer, renderRequest, type Answer, type Finding, type Wire } from './fuzz-oracle';

export const FIXTURE_VIDEO = resolve(import.meta.dirname, '..', '..', 'resources', 'demo', 'vtest.avi');
/** Cameras the fuzz may create beyond the anchor before the oldest are deleted (each enabled one runs an ffmpeg). */
const MAX_EXTRA_CAMERAS = 2;
const MAINTENANCE_EVERY = 150;
const READ_CAP = 4 * 1024 * 1024;
const BINARY_READ_CAP = 64 * 1024;
const STREAMING = /^(multipart\/x-mixed-replace|text\/event-stream)/i;
/** Vigil's fastify bodyLimit: past it the server may answer 413 and close while the client is still writing. */
const BODY_LIMIT = 10 * 1024 * 1024;

type Log = (line: string) => void;

const BASELINE_TWEAKS = { segment_seconds: 2, live_mjpeg_fps: 8, hls_idle_seconds: 120, ui_grid_layout: '2x2', status_stale_seconds: 20 } as const;

export interface FuzzTarget {
  t: TestApp;
  /** The recording pattern camera: never updated or deleted by the fuzz, checked afterwards. */
  anchor: number;
  baseline: Settings;
  openapi: OpenApiDoc;
  mediaToken: string;
  /** Keys and a session cookie that were valid once and must stay dead. */
  staleKeys: string[];
  staleCookie: string;
  stop(): Promise<void>;
}

interface Pools {
  cameras: number[];
  mutableCameras: number[];
  events: number[];
  exports: string[];
  segments: number[];
}

export interface RouteStats {
  count: number;
  statuses: Record<string, number>;
  ms: number[];
}

export interface FuzzReport {
  seed: number;
  requests: number;
  fixtureRequests: number;
  durationMs: number;
  statuses: Record<string, number>;
  routes: Record<string, RouteStats>;
  findings: Finding[];
  /** Things worth knowing that are not findings (the anchor vanishing mid-run). */
  notes: string[];
  documented503: number;
  /** Contract operations and raw routes that received at least one request. */
  covered: { contract: string[]; raw: string[] };
  /** How many answers each conditional oracle judged, so a vacuous pass shows. */
  checked: { validation: number; invalidInputs: number; refusals: number };
}

// ---------------------------------------------------------------------------------------------------------
// HTTP

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function sendWire(port: number, w: Wire, budget: number): Promise<Answer> {
  const started = Date.now();
  return new Promise((done) => {
    let settled = false;
    const finish = (a: Omit<Answer, 'ms'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      done({ ...a, ms: Date.now() - started });
    };
    const fail = (error: string, timedOut: boolean) => finish({ status: null, contentType: '', headers: {}, body: '', error, timedOut });
    let req: ReturnType<typeof httpRequest>;
    try {
      // HEAD on a streaming route gets headers but no end: a pooled socket would then carry the next request into a response that never ends.
      req = httpRequest({ host: '127.0.0.1', port, method: w.method, path: w.path, headers: w.headers, agent: w.method === 'HEAD' ? false : agent });
    } catch (err) {
      fail(`client refused to send: ${String(err)}`, false);
      return;
    }
    const timer = setTimeout(() => {
      fail(`timeout after ${budget} ms`, true);
      req.destroy();
    }, budget);
    req.on('error', (err: NodeJS.ErrnoException) => fail(`${err.code ?? ''} ${err.message}`.trim(), false));
    req.on('response', (res: IncomingMessage) => {
      const contentType = String(res.headers['content-type'] ?? '');
      const status = res.statusCode ?? 0;
      const base = { status, contentType, headers: res.headers, error: null, timedOut: false };
      if (STREAMING.test(contentType) && status < 300) {
        finish({ ...base, body: '' });
        res.destroy();
        return;
      }
      const cap = status < 300 && !/json|text|mpegurl/i.test(contentType) ? BINARY_READ_CAP : READ_CAP;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size >= cap) return;
        chunks.push(c);
        size += c.length;
        if (size >= cap) {
          finish({ ...base, body: Buffer.concat(chunks).toString('utf8') });
          res.destroy();
        }
      });
      res.on('end', () => finish({ ...base, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (err) => (size >= cap ? undefined : fail(`response error: ${err.message}`, false)));
      res.on('aborted', () => fail('response aborted by the server', false));
    });
    if (w.body) req.end(w.body);
    else req.end();
  });
}

/** The client's own reset on a reused keep-alive socket is retried once (Node's documented pattern); the server's answers are not. */
async function send(port: number, w: Wire, budget: number): Promise<Answer> {
  const a = await sendWire(port, w, budget);
  if (a.status === null && !a.timedOut && /ECONNRESET|socket hang up/.test(a.error ?? '') && (w.body?.length ?? 0) <= BODY_LIMIT) return sendWire(port, w, budget);
  return a;
}

/** Requests Node's HTTP parser rejects before any route runs: the answer (if any) must still be Iris JSON, and come at once. */
const HTTP_GARBAGE: readonly { name: string; text: (key: string) => string }[] = [
  { name: 'not-http', text: () => 'GARBAGE\r\n\r\n' },
  { name: 'http-9.9', text: () => 'GET /health HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n' },
  { name: 'control-char-header', text: (k) => `GET /api/cameras HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${k}\r\nX-A: a\u0001b\r\n\r\n` },
  { name: 'header-overflow', text: (k) => `GET /api/cameras HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${k}\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n` },
  { name: 'url-overflow-head', text: () => `HEAD /api/cameras?${'q'.repeat(20_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n` },
  { name: 'duplicate-content-length', text: (k) => `POST /api/cameras HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${k}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}` },
  { name: 'chunked-and-length', text: (k) => `POST /api/cameras HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${k}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n2\r\n{}\r\n0\r\n\r\n` },
  { name: 'bad-chunk', text: (k) => `POST /api/cameras HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${k}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n` },
  { name: 'negative-length', text: (k) => `POST /api/cameras HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${k}\r\nContent-Length: -1\r\n\r\n` },
  { name: 'raw-8bit-path', text: (k) => `GET /api/\u00ff\u00fe HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${k}\r\n\r\n` },
  { name: 'absolute-form', text: (k) => `GET http://evil.example/api/cameras HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${k}\r\n\r\n` },
  { name: 'asterisk-form', text: () => 'OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' },
  { name: 'no-host', text: (k) => `GET /api/cameras HTTP/1.1\r\nAuthorization: Bearer ${k}\r\n\r\n` },
  { name: 'foreign-host', text: (k) => `GET /api/cameras HTTP/1.1\r\nHost: evil.example\r\nAuthorization: Bearer ${k}\r\n\r\n` },
  { name: 'rebinding-host', text: (k) => `GET /api/cameras HTTP/1.1\r\nHost: 127.0.0.1.evil.example\r\nAuthorization: Bearer ${k}\r\n\r\n` },
  { name: 'long-method', text: () => `${'G'.repeat(5000)} /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n` },
  { name: 'connect', text: () => 'CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n' },
  { name: 'http-1.0-no-host', text: () => 'GET /health HTTP/1.0\r\n\r\n' },
  { name: 'lf-only', text: (k) => `GET /api/cameras HTTP/1.1\nHost: 127.0.0.1\nAuthorization: Bearer ${k}\n\n` },
  { name: 'obs-fold', text: (k) => `GET /api/cameras HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer\r\n ${k}\r\n\r\n` },
];

/** Writes bytes on a fresh socket and reads until the server closes (or the first full response when it keeps the socket open). */
function sendRawSocket(port: number, text: string, budget: number): Promise<Answer & { raw: string }> {
  const started = Date.now();
  return new Promise((done) => {
    const sock = connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let settled = false;
    const finish = (timedOut: boolean, error: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      const raw = buf.toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(raw);
      const head = raw.split('\r\n\r\n')[0] ?? '';
      const contentType = /\r\ncontent-type: *([^\r\n]*)/i.exec(head)?.[1] ?? '';
      const retry = /\r\nretry-after: *([^\r\n]*)/i.exec(head)?.[1];
      const body = raw.slice(head.length + 4);
      done({ status: m ? Number(m[1]) : null, ms: Date.now() - started, contentType, headers: retry ? { 'retry-after': retry } : {}, body, error, timedOut, raw });
    };
    const timer = setTimeout(() => finish(true, `no answer or close within ${budget} ms`), budget);
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const raw = buf.toString('latin1');
      const sep = raw.indexOf('\r\n\r\n');
      const len = /\r\ncontent-length: *(\d+)/i.exec(raw.slice(0, sep))?.[1];
      if (sep >= 0 && len !== undefined && buf.length >= sep + 4 + Number(len)) finish(false, null);
    });
    sock.on('error', (err) => finish(false, err.message));
    sock.on('close', () => finish(false, null));
    sock.write(Buffer.from(text, 'latin1'));
  });
}

async function api<T>(target: FuzzTarget, method: string, path: string, body?: unknown): Promise<{ status: number; body: T; text: string }> {
  const headers: Record<string, string> = { authorization: `Bearer ${target.t.key}` };
  let buf: Buffer | null = null;
  if (body !== undefined) {
    buf = Buffer.from(JSON.stringify(body));
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(buf.length);
  }
  const a = await send(target.t.app.container.port(), { method, path, headers, body: buf }, 30_000);
  let parsed: unknown = null;
  try {
    parsed = a.body ? JSON.parse(a.body) : null;
  } catch {
    parsed = a.body;
  }
  return { status: a.status ?? 0, body: parsed as T, text: a.body };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs: number, stepMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await fn().catch(() => null);
    if (v) return v;
    await sleep(stepMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

// ---------------------------------------------------------------------------------------------------------
// Target

async function newestSegmentEnd(target: FuzzTarget, camera: number): Promise<number | null> {
  const now = Date.now();
  const r = await api<{ cameras: { camera_id: number; spans: [number, number][] }[] }>(target, 'GET', `/api/recordings/coverage?camera_id=${camera}&from=${now - 3_600_000}&to=${now + 60_000}&min_gap_ms=0`);
  const spans = r.body?.cameras?.find((c) => c.camera_id === camera)?.spans ?? [];
  return spans.length ? Math.max(...spans.map((s) => s[1])) : null;
}

async function segmentCount(target: FuzzTarget, camera?: number): Promise<number> {
  const r = await api<{ cameras: { camera_id: number; segments: number }[] }>(target, 'GET', '/api/storage');
  return (r.body?.cameras ?? []).filter((c) => camera === undefined || c.camera_id === camera).reduce((n, c) => n + c.segments, 0);
}

/** Starts the app with a recording pattern camera, a manual event, an export, a stale key and a stale session. */
export async function startFuzzTarget(log: Log): Promise<FuzzTarget> {
  const t0 = Date.now();
  const t = await startTestApp();
  const target = { t } as FuzzTarget;
  const must = <T>(r: { status: number; body: T; text: string }, want: number, what: string): T => {
    if (r.status !== want) throw new Error(`fuzz setup: ${what} answered ${r.status}: ${r.text.slice(0, 300)}`);
    return r.body;
  };
  // Not the defaults, so a partial update that resets unnamed keys shows; segment_seconds 2 also makes new segments come quickly.
  must(await api(target, 'PUT', '/api/settings', BASELINE_TWEAKS), 200, 'settings');
  // Two disabled cameras first: fuzzed ids such as `+1`, `0x1` or ` 1` coerce to 1 and may delete it, so the anchor must not be camera 1.
  for (const name of ['Fuzz placeholder 1', 'Fuzz placeholder 2']) must(await api(target, 'POST', '/api/cameras', { name, rtsp_url: 'pattern://smptebars', enabled: false }), 201, 'create placeholder');
  const anchor = must(await api<{ id: number }>(target, 'POST', '/api/cameras', { name: 'Fuzz anchor', rtsp_url: 'pattern://testsrc2', recording_mode: 'continuous' }), 201, 'create anchor').id;
  target.anchor = anchor;
  await until('anchor online', async () => (await api<{ status: string }>(target, 'GET', `/api/cameras/${anchor}/status`)).body.status === 'online', 30_000);
  await until('three anchor segments', async () => (await segmentCount(target)) >= 3, 30_000);

  const start = must(await api<{ started_at: string }>(target, 'POST', `/api/live/${anchor}/record/start`), 200, 'record start');
  await sleep(1500);
  must(await api(target, 'POST', `/api/live/${anchor}/record/stop`, { started_at: start.started_at }), 200, 'record stop');
  const now = Date.now();
  must(await api(target, 'POST', '/api/recordings/export', { camera_id: anchor, from: now - 5000, to: now - 1000 }), 202, 'export');

  target.mediaToken = must(await api<{ token: string }>(target, 'GET', '/api/auth/media-access'), 200, 'media access').token;
  target.openapi = must(await api<OpenApiDoc>(target, 'GET', '/openapi.json'), 200, 'openapi');

  const oldKey = t.key;
  const login = await sendWire(t.app.container.port(), { method: 'POST', path: '/api/auth/login', headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ api_key: oldKey })) }, 10_000);
  const setCookie = login.headers['set-cookie'];
  target.staleCookie = ((Array.isArray(setCookie) ? setCookie[0] : setCookie) ?? '').split(';')[0] ?? '';
  must(await api(target, 'POST', '/api/auth/api-key/regenerate'), 200, 'regenerate key');
  target.staleKeys = [oldKey];

  target.baseline = must(await api<Settings>(target, 'GET', '/api/settings'), 200, 'settings');
  target.stop = async () => {
    await t.stop();
    removeDir(t.dataDir);
  };
  log(`fuzz target ready in ${Date.now() - t0} ms: anchor camera ${anchor}, data ${t.dataDir}`);
  return target;
}

// ---------------------------------------------------------------------------------------------------------
// Resolution: symbolic ids and times become the values the server holds right now

function pickFrom<T>(pool: T[], n: number, fallback: T): T {
  return pool.length ? (pool[n % pool.length] as T) : fallback;
}

function resolveSym(v: Ref | TimeRef, pools: Pools): string | number {
  if (v instanceof TimeRef) {
    const ms = Date.now() + v.offsetMs;
    switch (v.format) {
      case 'ms':
        return ms;
      case 'iso':
        return new Date(ms).toISOString();
      case 'seconds':
        return Math.floor(ms / 1000);
      case 'date':
        return new Date(ms).toISOString().slice(0, 10);
      case 'offset-iso':
        return new Date(ms).toISOString().replace('Z', '+02:00');
    }
  }
  switch (v.kind) {
    case 'camera':
      return pickFrom(pools.cameras, v.pick, 999_999);
    case 'mutableCamera':
      return pickFrom(pools.mutableCameras, v.pick, 999_998);
    case 'event':
      return pickFrom(pools.events, v.pick, 999_997);
    case 'export':
      return pickFrom(pools.exports, v.pick, 'no-such-export');
    case 'segment':
      return pickFrom(pools.segments, v.pick, 999_996);
  }
}

function resolveValue(v: unknown, pools: Pools, raws: string[]): unknown {
  if (v instanceof Ref || v instanceof TimeRef) return resolveSym(v, pools);
  if (v instanceof RawJson) {
    raws.push(v.text);
    return `@@RAW_${raws.length - 1}@@`;
  }
  if (Array.isArray(v)) return v.map((x) => resolveValue(x, pools, raws));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) Object.defineProperty(out, k, { value: resolveValue(x, pools, raws), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}

/** Anything outside printable ASCII is %-encoded so the client can send it; deliberate raw traversal survives. */
const wireSafe = (s: string): string => s.replace(/[^\x21-\x7e]+/g, (c) => encodeLoose(c));

const queryPart = (v: QueryValue, pools: Pools): string => (typeof v === 'string' ? v : String(resolveSym(v, pools)));

interface Resolved {
  wire: Wire;
  /** The contract input the request carries, when it is a plain JSON call (for the validation oracle). */
  input: Record<string, unknown> | null;
}

function resolveRequest(req: FuzzRequest, pools: Pools, target: FuzzTarget): Resolved {
  const pathParams: Record<string, unknown> = {};
  let path = '';
  for (const piece of req.path) {
    if (typeof piece === 'string') {
      path += wireSafe(piece);
      continue;
    }
    const v = typeof piece.value === 'string' ? piece.value : resolveSym(piece.value, pools);
    pathParams[piece.name] = v;
    path += typeof piece.value === 'string' ? wireSafe(piece.value) : encodeLoose(String(v));
  }
  const query: string[] = [];
  if (typeof req.query === 'string') {
    if (req.query) query.push(wireSafe(req.query));
  } else if (req.query) {
    for (const [k, v] of req.query) query.push(`${encodeLoose(k)}=${encodeLoose(queryPart(v, pools))}`);
  }
  const headers: Record<string, string> = { ...req.headers };
  switch (req.auth) {
    case 'key':
      headers.authorization = `Bearer ${target.t.key}`;
      break;
    case 'wrong':
      headers.authorization = 'Bearer vgl_wrong-key-0000000000000000000000000000000';
      break;
    case 'stale':
      headers.authorization = `Bearer ${target.staleKeys[0] ?? 'x'}`;
      break;
    case 'malformed':
      headers.authorization = req.authHeader ?? 'Bearer';
      break;
    case 'media':
      query.push(`token=${encodeURIComponent(target.mediaToken)}`);
      break;
    case 'cookie':
      headers.cookie = target.staleCookie || 'vigil_session=forged';
      break;
    case 'none':
      break;
  }
  let body: Buffer | null = null;
  let input: Record<string, unknown> | null = null;
  if (req.body.kind === 'json') {
    const raws: string[] = [];
    const value = resolveValue(req.body.value, pools, raws);
    let text = JSON.stringify(value) ?? 'null';
    raws.forEach((r, i) => (text = text.split(`"@@RAW_${i}@@"`).join(r)));
    body = Buffer.from(text, 'utf8');
    headers['content-type'] = req.body.contentType;
    if (plainJsonInput(req) && raws.length === 0) input = { ...(value as Record<string, unknown>), ...pathParams };
  } else if (req.body.kind === 'raw') {
    body = Buffer.from(req.body.text, 'utf8');
    if (req.body.contentType) headers['content-type'] = req.body.contentType;
  }
  if (body) headers['content-length'] = String(body.length);
  return { wire: { method: req.method, path: path + (query.length ? `?${query.join('&')}` : ''), headers, body }, input };
}

// ---------------------------------------------------------------------------------------------------------
// The run

export interface FuzzOptions {
  seed: number;
  requests: number;
  /** Share of requests sent without a valid credential after the main run (0–1). */
  authSlice: number;
  concurrency: number;
  log: Log;
  /** Print progress every this many requests (0: never). */
  progressEvery?: number;
}

async function refreshPools(target: FuzzTarget, pools: Pools, notes: string[]): Promise<void> {
  const cams = await api<{ id: number; enabled: boolean }[]>(target, 'GET', '/api/cameras');
  if (cams.status === 200 && Array.isArray(cams.body)) {
    const ids = cams.body.map((c) => c.id);
    const gone = `the anchor camera ${target.anchor} disappeared during the run`;
    if (!ids.includes(target.anchor) && !notes.includes(gone)) notes.push(gone);
    const extra = ids.filter((id) => id !== target.anchor);
    for (const id of extra.slice(0, Math.max(0, extra.length - MAX_EXTRA_CAMERAS))) await api(target, 'DELETE', `/api/cameras/${id}`);
    pools.mutableCameras = extra.slice(-MAX_EXTRA_CAMERAS);
    pools.cameras = [target.anchor, ...pools.mutableCameras];
  }
  const ev = await api<{ items: { id: number }[] }>(target, 'GET', '/api/events?limit=500');
  if (ev.status === 200) pools.events = ev.body.items.map((e) => e.id);
  const now = Date.now();
  const vod = await api<string>(target, 'GET', `/api/recordings/${target.anchor}/vod.m3u8?from=${now - 3_600_000}&to=${now}`);
  if (vod.status === 200) pools.segments = [...vod.text.matchAll(/segments\/(\d+)\.ts/g)].map((m) => Number(m[1])).slice(-50);
}

export async function runFuzz(target: FuzzTarget, o: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  const port = target.t.app.container.port();
  const sliceN = Math.round(o.requests * o.authSlice);
  const mainArb = requestArbitrary({ fixtureVideo: FIXTURE_VIDEO, openapi: target.openapi, auth: MAIN_AUTH });
  const sliceArb = requestArbitrary({ fixtureVideo: FIXTURE_VIDEO, openapi: target.openapi, auth: SLICE_AUTH });
  const main = sampleRequests(mainArb, o.seed, o.requests - sliceN);
  const slice = sampleRequests(sliceArb, o.seed + 1, sliceN);
  o.log(`generated ${main.length} + ${slice.length} requests in ${Date.now() - started} ms (seed ${o.seed})`);

  const report: FuzzReport = { seed: o.seed, requests: 0, fixtureRequests: 0, durationMs: 0, statuses: {}, routes: {}, findings: [], notes: [], documented503: 0, covered: { contract: [], raw: [] }, checked: { validation: 0, invalidInputs: 0, refusals: 0 } };
  const pools: Pools = { cameras: [target.anchor], mutableCameras: [], events: [], exports: [], segments: [] };
  await refreshPools(target, pools, report.notes);
  const contractSeen = new Set<string>();
  const rawSeen = new Set<string>();
  const secrets = () => [target.t.key, ...target.staleKeys, target.mediaToken];

  let lane: Promise<void> = Promise.resolve();
  const serially = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = lane.then(fn);
    lane = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  };

  const record = (req: FuzzRequest, a: Answer) => {
    report.requests++;
    const key = a.status === null ? (a.timedOut ? 'hang' : 'no-response') : String(a.status);
    report.statuses[key] = (report.statuses[key] ?? 0) + 1;
    const r = (report.routes[req.route] ??= { count: 0, statuses: {}, ms: [] });
    r.count++;
    r.statuses[key] = (r.statuses[key] ?? 0) + 1;
    r.ms.push(a.ms);
    if (documented503(a, req.method, req.route)) report.documented503++;
    if (req.op && a.status !== null) contractSeen.add(req.op);
    if (!req.op && a.status !== null) rawSeen.add(req.route);
    if (a.status !== null && a.status < 300 && /json/.test(a.contentType)) {
      const id = /"export_id":"([A-Za-z0-9_-]{1,64})"/.exec(a.body)?.[1];
      if (id && !pools.exports.includes(id)) pools.exports.push(id);
    }
  };

  const fixture = async (what: string, method: string, path: string, body?: unknown, want = 200): Promise<void> => {
    report.fixtureRequests++;
    const r = await api(target, method, path, body);
    if (r.status !== want) report.findings.push({ kind: 'health', route: `${method} ${path}`, problem: `${what} answered ${r.status}`, request: `${method} ${path} ${body === undefined ? '' : JSON.stringify(body).slice(0, 300)}`, response: r.text.slice(0, 300) });
  };

  const one = async (req: FuzzRequest, expectRefusal: (r: FuzzRequest) => boolean): Promise<Answer | null> => {
    const { wire, input } = resolveRequest(req, pools, target);
    const keyBefore = target.t.key;
    const a = await send(port, wire, budgetMs(req));
    if (a.error?.startsWith('client refused to send')) {
      report.statuses.unsendable = (report.statuses.unsendable ?? 0) + 1;
      return null;
    }
    if (a.status === null && !a.timedOut && (wire.body?.length ?? 0) > BODY_LIMIT && /ECONNRESET|EPIPE/.test(a.error ?? '')) {
      report.statuses.closed = (report.statuses.closed ?? 0) + 1;
      return null;
    }
    record(req, a);
    const invalidInput = input !== null && req.op !== null && !contract[req.op].input.safeParse(input).success;
    const refusal = expectRefusal(req);
    if (input !== null && !refusal) report.checked.validation++;
    if (invalidInput && !refusal) report.checked.invalidInputs++;
    if (refusal && a.status !== null) report.checked.refusals++;
    const findings = judge(req, wire, a, { invalidInput, expectRefusal: refusal, secrets: secrets() });
    report.findings.push(...findings);
    if (req.op === 'auth.regenerateKey' && a.status === 200 && req.auth === 'key') {
      target.staleKeys.unshift(keyBefore);
      const body = JSON.parse(a.body) as { api_key?: string };
      if (body.api_key !== target.t.key) report.findings.push({ kind: 'status', route: req.route, problem: 'the regenerated key in the answer is not the key the server now accepts', request: renderRequest(wire, secrets()), response: renderAnswer(a) });
    }
    return a;
  };

  /**
   * A settings change that succeeded is left in force for one retention pass (POST /api/storage/cleanup, as an operator would run),
   * so a retention value that deletes the archive really acts; then the baseline comes back. Only the anchor's segments are counted:
   * nothing else deletes them.
   */
  const serialOne = async (req: FuzzRequest, expectRefusal: (r: FuzzRequest) => boolean): Promise<void> => {
    const settings = req.op === 'settings.update';
    const before = settings ? await segmentCount(target, target.anchor) : 0;
    const a = await one(req, expectRefusal);
    if (!settings || req.method !== req.declaredMethod || a === null || a.status === null || a.status >= 300) return;
    report.fixtureRequests += 4;
    const value = req.body.kind === 'json' ? resolveValue(req.body.value, pools, []) : null;
    const sent = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
    const text = JSON.stringify(sent).slice(0, 300);
    const named = new Set(Object.keys(sent));
    // mqtt_password is write-only: what it changes shows as mqtt_password_set.
    if (named.has('mqtt_password')) named.add('mqtt_password_set');
    let stored: Record<string, unknown> = {};
    try {
      stored = JSON.parse(a.body) as Record<string, unknown>;
    } catch {
      report.findings.push({ kind: 'status', route: req.route, problem: 'a successful settings update answered a body that is not JSON', request: `PUT /api/settings`, response: renderAnswer(a) });
    }
    const reset = Object.keys(target.baseline).filter((k) => !named.has(k) && JSON.stringify(stored[k]) !== JSON.stringify(target.baseline[k as keyof Settings]));
    if (reset.length) {
      report.findings.push({ kind: 'partial-update', route: req.route, problem: `changed settings it did not name: ${reset.map((k) => `${k} ${JSON.stringify(target.baseline[k as keyof Settings])}→${JSON.stringify(stored[k])}`).join(', ')}`, request: `PUT /api/settings ${text}`, response: renderAnswer(a) });
    }
    if (Object.prototype.hasOwnProperty.call(sent, 'ffmpeg_path')) {
      report.findings.push({ kind: 'guarantee', route: req.route, problem: 'ffmpeg_path was accepted over REST (issue 8 #1: it may come only from the machine owner)', request: `PUT /api/settings ${text}`, response: renderAnswer(a) });
    }
    await fixture('retention pass under the fuzzed settings', 'POST', '/api/storage/cleanup', {});
    const after = await segmentCount(target, target.anchor);
    if (after < before && sent.confirm !== true) {
      report.findings.push({ kind: 'guarantee', route: req.route, problem: `a settings change without confirm deleted ${before - after} of the anchor's ${before} segments (issue 8 #2)`, request: `PUT /api/settings ${text}`, response: renderAnswer(a) });
    }
    // The baseline has no MQTT password (mqtt_password_set false): a fuzzed one is cleared with the rest.
    await fixture('restoring settings', 'PUT', '/api/settings', { ...target.baseline, mqtt_password: null });
  };

  const every = o.progressEvery ?? 0;
  const runList = async (list: FuzzRequest[], expectRefusal: (r: FuzzRequest) => boolean) => {
    let next = 0;
    let done = 0;
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= list.length) return;
        const req = list[i] as FuzzRequest;
        if (req.serial) await serially(() => serialOne(req, expectRefusal));
        else await one(req, expectRefusal);
        done++;
        if (done % MAINTENANCE_EVERY === 0) {
          void serially(async () => {
            report.fixtureRequests += 3;
            await refreshPools(target, pools, report.notes);
          });
        }
        if (every && report.requests % every === 0) o.log(`… ${report.requests} requests, ${report.findings.length} findings, ${Math.round((Date.now() - started) / 1000)} s`);
      }
    };
    await Promise.all(Array.from({ length: o.concurrency }, worker));
    await lane;
  };

  await runList(main, () => false);
  // The auth slice runs alone, so no concurrent settings change can turn auth off under it.
  await fixture('auth stays on', 'PUT', '/api/settings', target.baseline);
  await refreshPools(target, pools, report.notes);
  const template = (r: FuzzRequest) => r.route.slice(r.route.indexOf(' ') + 1);
  /** Reaches the declared route (not a 404 for another method or a mangled path). */
  const routed = (r: FuzzRequest) => (r.method === r.declaredMethod || (r.method === 'HEAD' && r.declaredMethod === 'GET')) && r.variant !== 'garbage-path';
  const refusable = (r: FuzzRequest) => {
    if (r.family === 'public' || r.family === 'unknown' || template(r) === '/health') return false;
    // The media token opens media routes only: the contract and the push stream must refuse it.
    if (r.auth === 'media') return routed(r) && (r.family === 'contract' || template(r) === '/api/push');
    return true;
  };
  await runList(slice, refusable);

  for (const g of HTTP_GARBAGE) {
    const a = await sendRawSocket(port, g.text(target.t.key), 5000);
    // A HEAD answer has no body, so its error is judged like any other HEAD (status only).
    const method = g.text('').startsWith('HEAD ') ? 'HEAD' : 'RAW';
    const req: FuzzRequest = { route: `RAW <${g.name}>`, declaredMethod: 'GET', op: null, family: 'unknown', method, path: [], query: null, body: { kind: 'none' }, auth: 'key', authHeader: null, headers: {}, variant: g.name, serial: false };
    const wire: Wire = { method, path: JSON.stringify(g.text('<key>').slice(0, 200)), headers: {}, body: null };
    report.requests++;
    const key = a.status === null ? (a.timedOut ? 'hang' : 'closed') : String(a.status);
    report.statuses[key] = (report.statuses[key] ?? 0) + 1;
    const rs = (report.routes['RAW <http-level>'] ??= { count: 0, statuses: {}, ms: [] });
    rs.count++;
    rs.statuses[key] = (rs.statuses[key] ?? 0) + 1;
    rs.ms.push(a.ms);
    // Closing the socket without an answer is a fine way to refuse bytes that are not HTTP; staying silent is not.
    if (a.status === null && !a.timedOut) continue;
    report.findings.push(...judge(req, wire, a, { invalidInput: false, expectRefusal: false, secrets: secrets() }));
  }

  report.covered = { contract: [...contractSeen].sort(), raw: [...rawSeen].sort() };
  report.durationMs = Date.now() - started;
  return report;
}

// ---------------------------------------------------------------------------------------------------------
// Afterwards

export interface HealthCheck {
  problems: string[];
  lines: string[];
}

/** After the run: extra cameras removed, settings back to the baseline, /health ok and quick, the anchor online and still recording. */
export async function checkHealthy(target: FuzzTarget, runEnd: number): Promise<HealthCheck> {
  const problems: string[] = [];
  const lines: string[] = [];
  const cams = await api<{ id: number }[]>(target, 'GET', '/api/cameras');
  for (const c of cams.body ?? []) {
    if (c.id === target.anchor) continue;
    const d = await api(target, 'DELETE', `/api/cameras/${c.id}`);
    if (d.status !== 204) problems.push(`deleting fuzz camera ${c.id} answered ${d.status}: ${d.text.slice(0, 200)}`);
  }
  if (!(cams.body ?? []).some((c) => c.id === target.anchor)) problems.push(`the anchor camera ${target.anchor} is gone`);

  const settings = await api<Settings>(target, 'GET', '/api/settings');
  const drift = Object.keys(target.baseline).filter((k) => JSON.stringify(settings.body[k as keyof Settings]) !== JSON.stringify(target.baseline[k as keyof Settings]));
  if (drift.length) problems.push(`settings differ from the baseline after the run: ${drift.join(', ')}`);

  const health = await until(
    '/health ok',
    async () => {
      const s = Date.now();
      const h = await sendWire(target.t.app.container.port(), { method: 'GET', path: '/health', headers: {}, body: null }, 5000);
      const ms = Date.now() - s;
      const body = h.status === 200 ? (JSON.parse(h.body) as { status: string }) : null;
      return body?.status === 'ok' ? { ms, body } : null;
    },
    20_000,
  ).catch((err: unknown) => {
    problems.push(String(err));
    return null;
  });
  if (health) {
    lines.push(`/health ok in ${health.ms} ms`);
    if (health.ms > 1000) problems.push(`/health took ${health.ms} ms (event loop blocked?)`);
  }

  const status = await until('anchor online', async () => ((await api<{ status: string }>(target, 'GET', `/api/cameras/${target.anchor}/status`)).body.status === 'online' ? true : null), 20_000).catch((err: unknown) => {
    problems.push(String(err));
    return false;
  });
  if (status) lines.push(`anchor camera ${target.anchor} online`);

  const newest = await until(
    'a segment newer than the end of the run',
    async () => {
      const end = await newestSegmentEnd(target, target.anchor);
      return end !== null && end > runEnd ? end : null;
    },
    20_000,
    500,
  ).catch((err: unknown) => {
    problems.push(String(err));
    return null;
  });
  if (newest) lines.push(`anchor wrote a segment ending ${newest - runEnd} ms after the run`);
  return { problems, lines };
}

// ---------------------------------------------------------------------------------------------------------
// Printing

const pct = (xs: number[], p: number): number => {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
};

export function formatReport(r: FuzzReport, opts: { routes?: boolean; slowest?: number } = {}): string {
  const out: string[] = [];
  out.push(`fuzz: seed ${r.seed}, ${r.requests} requests (+${r.fixtureRequests} fixture) in ${(r.durationMs / 1000).toFixed(1)} s, ${r.findings.length} findings`);
  out.push(`status codes: ${Object.entries(r.statuses).sort(([a], [b]) => a.localeCompare(b)).map(([s, n]) => `${s}×${n}`).join('  ')}`);
  out.push(`documented 503s (HLS disabled/at capacity/camera disabled or Retry-After): ${r.documented503}`);
  out.push(`oracles: ${r.checked.validation} plain JSON calls checked against the contract (${r.checked.invalidInputs} invalid), ${r.checked.refusals} credential-less requests checked for refusal`);
  out.push(`covered ${r.covered.contract.length}/${restOps.length} REST contract operations and ${r.covered.raw.length} raw/public routes`);
  const missing = restOps.filter((n) => !r.covered.contract.includes(n));
  if (missing.length) out.push(`contract operations never answered: ${missing.join(', ')}`);
  if (opts.routes !== false) {
    out.push('per route (count, statuses, p50/p95/max ms):');
    for (const [route, s] of Object.entries(r.routes).sort(([a], [b]) => a.localeCompare(b))) {
      const st = Object.entries(s.statuses).sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k}×${n}`).join(' ');
      out.push(`  ${route.padEnd(52)} ${String(s.count).padStart(6)}  ${st.padEnd(48)} ${pct(s.ms, 50)}/${pct(s.ms, 95)}/${Math.max(...s.ms)}`);
    }
  }
  const slow = Object.entries(r.routes)
    .map(([route, s]) => ({ route, p95: pct(s.ms, 95), max: Math.max(...s.ms) }))
    .sort((a, b) => b.max - a.max)
    .slice(0, opts.slowest ?? 8);
  out.push(`slowest routes (max / p95 ms): ${slow.map((s) => `${s.route} ${s.max}/${s.p95}`).join('; ')}`);
  for (const n of r.notes) out.push(`note: ${n}`);
  const byKind = new Map<string, Finding[]>();
  for (const f of r.findings) byKind.set(f.kind, [...(byKind.get(f.kind) ?? []), f]);
  for (const [kind, fs] of byKind) {
    out.push(`${kind}: ${fs.length}`);
    // One entry per distinct failure (problem + answer with numbers and ids blurred), with the routes it hit.
    const groups = new Map<string, Finding[]>();
    for (const f of fs) {
      const answer = f.response.replace(/ in \d+ ms/, '').replace(/("code":"\w+").*/, '$1').replace(/"message":.*/, '');
      const sig = f.kind === 'partial-update' || f.kind === 'guarantee' ? f.problem.split(/[:(]/)[0] ?? '' : `${f.problem} | ${answer.slice(0, 100)}`.replace(/\d+/g, 'N');
      groups.set(sig, [...(groups.get(sig) ?? []), f]);
    }
    for (const [, g] of [...groups].sort((a, b) => b[1].length - a[1].length)) {
      const first = g[0] as Finding;
      out.push(`  - ×${g.length} ${first.problem}; routes: ${[...new Set(g.map((f) => f.route))].slice(0, 6).join(', ')}`);
      if (g.length > 1 && (first.kind === 'partial-update' || first.kind === 'guarantee')) for (const f of g.slice(1, 3)) out.push(`      also: ${f.problem}`);
      out.push(`      response: ${first.response}`);
      // Every 5xx is listed with its request; other kinds show three examples per distinct failure.
      for (const f of g.slice(0, first.kind === '5xx' ? 500 : 3)) out.push(`      request:  ${f.request}${first.kind === '5xx' && f !== first ? `\n      response: ${f.response}` : ''}`);
    }
  }
  return out.join('\n');
}

export function seedFromEnv(fallback: number): number {
  const raw = process.env.FUZZ_SEED;
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`FUZZ_SEED must be an integer, got ${raw}`);
  return n;
}
