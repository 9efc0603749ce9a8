// What a fuzzed response must satisfy: no 5xx, an answer within its budget, Iris error bodies, boundary validation and closed auth.
import { contract, type OpName } from '../../src-main/shared/contract';
import type { FuzzRequest } from './contract-arbitraries';

export type FindingKind =
  | 'hang'
  | 'no-response'
  | '5xx'
  | 'error-shape'
  | 'validation'
  | 'auth'
  | 'status'
  | 'health'
  /** Issue 8 guarantees: no wipe without confirm, no ffmpeg_path over REST, no PIDs/errors on /health, no foreign-Origin writes. */
  | 'guarantee'
  /** A partial update changed keys it did not name. */
  | 'partial-update';

export interface Finding {
  kind: FindingKind;
  route: string;
  /** One line: what was wrong. */
  problem: string;
  /** The request as sent (method, raw path, headers without secrets, body excerpt), enough to replay it. */
  request: string;
  /** Status, content type and body excerpt. */
  response: string;
}

export interface Answer {
  status: number | null;
  ms: number;
  contentType: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Socket error or timeout text when there was no complete answer. */
  error: string | null;
  timedOut: boolean;
}

export interface Wire {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | null;
}

/** Longest a route may take to answer before it counts as a hang. */
export function budgetMs(req: FuzzRequest): number {
  if (req.route.endsWith('/hls/index.m3u8')) return 30_000; // up to 12 s for the session's first playlist + 12 s for #EXTINF, by design
  if (req.op === 'cameras.probe' || req.op === 'cameras.create' || req.op === 'cameras.update' || req.op === 'cameras.delete') return 15_000; // 8 s probe timeout; stop grace 4 s
  if (req.op === 'live.recordStop') return 70_000; // waits segment_seconds + 4 s for the covering segment, and segment_seconds may be 60
  return 10_000;
}

/**
 * 503s the API documents as deliberate unavailability (live HLS disabled, at capacity, camera disabled) or that carry Retry-After
 * (back-pressure, as issue 8 asks of a full render queue). Every other 5xx is a defect.
 */
export function documented503(a: Answer, method: string, route: string): boolean {
  if (a.status !== 503) return false;
  if (a.headers['retry-after'] !== undefined) return true;
  // A HEAD answer has no body to tell the reason by; the GETs of this route are checked.
  if (method === 'HEAD' && route.endsWith('/hls/index.m3u8')) return true;
  const detail = parseDetail(a.body);
  return typeof detail === 'string' && /^(HLS is disabled \(settings\.hls_enabled\)\.|HLS is at capacity \(\d+ sessions\)\.|Camera \d+ is disabled\.)$/.test(detail);
}

function parseDetail(body: string): unknown {
  try {
    const v = JSON.parse(body) as unknown;
    return v && typeof v === 'object' ? (v as { detail?: unknown }).detail : undefined;
  } catch {
    return undefined;
  }
}

/** Null when the body is Iris's `{detail: string | [{loc, msg, type}]}` served as JSON; else what is wrong. */
export function errorShapeProblem(a: Answer): string | null {
  if (!/^application\/json\b/i.test(a.contentType)) return `content-type ${a.contentType || '(none)'} is not application/json`;
  let v: unknown;
  try {
    v = JSON.parse(a.body);
  } catch {
    return 'body is not JSON';
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return 'body is not an object';
  const d = (v as { detail?: unknown }).detail;
  if (typeof d === 'string') return d.length > 0 ? null : 'detail is an empty string';
  if (!Array.isArray(d)) return `detail is ${d === undefined ? 'missing' : typeof d}`;
  if (d.length === 0) return 'detail is an empty array';
  for (const item of d) {
    if (!item || typeof item !== 'object') return 'detail item is not an object';
    const { loc, msg, type } = item as { loc?: unknown; msg?: unknown; type?: unknown };
    if (!Array.isArray(loc) || !loc.every((p) => typeof p === 'string' || typeof p === 'number')) return 'detail item loc is not (string|number)[]';
    if (typeof msg !== 'string') return 'detail item msg is not a string';
    if (typeof type !== 'string') return 'detail item type is not a string';
  }
  return null;
}

const excerpt = (s: string, n = 400): string => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);

export function renderRequest(w: Wire, secrets: string[]): string {
  const hide = (s: string) => secrets.reduce((acc, k) => (k ? acc.split(k).join('<key>') : acc), s);
  const headers = Object.entries(w.headers)
    .filter(([k]) => k !== 'content-length')
    .map(([k, v]) => `${k}: ${hide(excerpt(v, 120))}`)
    .join('; ');
  const body = w.body ? ` body=${JSON.stringify(excerpt(w.body.toString('utf8'), 300))}` : '';
  return `${w.method} ${hide(excerpt(w.path, 300))}${headers ? ` [${headers}]` : ''}${body}`;
}

export function renderAnswer(a: Answer): string {
  if (a.status === null) return `no answer after ${a.ms} ms (${a.error ?? 'unknown'})`;
  return `${a.status} ${a.contentType || '-'} in ${a.ms} ms: ${excerpt(a.body, 300)}`;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Unauthenticated /health keeps Iris's shape, and a worker entry carries only its camera id and state (no PID, no error text). */
function healthLeak(body: string): string | null {
  try {
    const v = JSON.parse(body) as { workers?: Record<string, unknown>[] };
    const extra = [...new Set((v.workers ?? []).flatMap((w) => Object.keys(w).filter((k) => k !== 'camera_id' && k !== 'state')))];
    return extra.length ? `/health workers carry ${extra.join(', ')} (only camera_id and state may be public)` : null;
  } catch {
    return '/health answered 200 with a body that is not JSON';
  }
}

/** Routes whose documented responses are HTML for a browser, errors included. */
const HTML_ROUTES = new Set(['GET /login']);

export interface JudgeContext {
  /** The input failed the contract's zod schema, so the boundary must answer 422. */
  invalidInput: boolean;
  /** The request carried no valid credential while auth was on: a non-public route must refuse it. */
  expectRefusal: boolean;
  secrets: string[];
}

export function judge(req: FuzzRequest, w: Wire, a: Answer, ctx: JudgeContext): Finding[] {
  const out: Finding[] = [];
  const add = (kind: FindingKind, problem: string) => out.push({ kind, route: req.route, problem, request: renderRequest(w, ctx.secrets), response: renderAnswer(a) });
  if (a.status === null) {
    add(a.timedOut ? 'hang' : 'no-response', a.timedOut ? `no answer within ${budgetMs(req)} ms` : `connection failed: ${a.error}`);
    return out;
  }
  if (a.status >= 500 && !documented503(a, w.method, req.route)) add('5xx', `answered ${a.status}`);
  if (a.status >= 400 && w.method !== 'HEAD' && !HTML_ROUTES.has(`${w.method} ${req.route.split(' ')[1]}`)) {
    const p = errorShapeProblem(a);
    if (p) add('error-shape', p);
  }
  // A URL the router cannot parse (bad escape, over-long parameter or headers) is refused before authentication, which is fine.
  const unparsable = a.status === 414 || a.status === 431 || ((req.variant === 'garbage-path' || req.variant === 'garbage-query') && a.status === 400);
  if (ctx.expectRefusal && a.status !== 401 && a.status !== 403 && !unparsable) add('auth', `a request without a valid credential answered ${a.status}`);
  if (!ctx.expectRefusal && ctx.invalidInput && a.status !== 422 && a.status !== 401 && a.status !== 413) add('validation', `input the contract rejects answered ${a.status}, not 422`);
  if (req.route === 'ANY <ipc-only>' && a.status < 400) add('guarantee', `an IPC-only operation answered ${a.status} over HTTP`);
  const origin = w.headers.origin;
  if (origin !== undefined && !SAFE_METHODS.has(w.method) && a.status >= 200 && a.status < 400) add('guarantee', `a ${w.method} with Origin ${origin} was accepted (${a.status}); cross-site writes must be refused`);
  if (req.route === 'GET /health' && a.status === 200) {
    const leak = healthLeak(a.body);
    if (leak) add('guarantee', leak);
  }
  if (!ctx.expectRefusal && req.op && a.status >= 200 && a.status < 300 && w.method === contract[req.op as OpName].method) {
    const want = contract[req.op as OpName].status ?? 200;
    if (a.status !== want) add('status', `success status ${a.status}, contract says ${want}`);
  }
  return out;
}
