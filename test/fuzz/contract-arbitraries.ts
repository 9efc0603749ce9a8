// fast-check arbitraries for fuzzed HTTP requests: every contract operation (from its input's JSON Schema) and every raw route in /openapi.json.
import fc from 'fast-check';
import { z } from 'zod';
import { contract, opNames, type OpName } from '../../src-main/shared/contract';
import { COCO_CLASSES } from '../../src-main/shared/coco-classes';
import { PI_PREFIXES } from '../../src-main/transport/rest/compat/pi/pi.family';

/** A value the runner fills in at send time from what the server holds then (ids change while the fuzz runs). */
export class Ref {
  constructor(
    readonly kind: RefKind,
    readonly pick: number,
  ) {}
}
/**
 * - camera: any camera, the recording anchor included.
 * - mutableCamera: a camera the fuzz created (never the anchor), for updates and deletes.
 * - event, export, segment: ids the server handed out.
 */
export type RefKind = 'camera' | 'mutableCamera' | 'event' | 'export' | 'segment';

/** A time relative to the moment of sending, in one of the spellings clients use (or get wrong). */
export class TimeRef {
  constructor(
    readonly offsetMs: number,
    readonly format: 'ms' | 'iso' | 'seconds' | 'date' | 'offset-iso',
  ) {}
}

/** A JSON token spliced verbatim into the body text: numbers JSON.stringify cannot write (1e999, -0). */
export class RawJson {
  constructor(readonly text: string) {}
}

export type Sym = Ref | TimeRef;

/** A path parameter: its template name and value (a Sym, or a string sent as it is); `garbage` when it is a deliberate bad value. */
export class Param {
  constructor(
    readonly name: string,
    readonly value: string | Sym,
    readonly garbage: boolean,
  ) {}
}
export type QueryValue = string | Sym;

export type Auth = 'key' | 'none' | 'wrong' | 'stale' | 'malformed' | 'media' | 'cookie';

export type Body =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown; contentType: string }
  | { kind: 'raw'; text: string; contentType: string | null };

export interface FuzzRequest {
  /** Method sent + path template, e.g. `PUT /api/cameras/{id}`: the key for per-route counts. */
  route: string;
  /** The method the route is declared with (the request may use another one). */
  declaredMethod: string;
  op: OpName | null;
  family: 'contract' | 'raw' | 'public' | 'unknown';
  method: string;
  /** Path pieces: literal strings and parameters (strings already %-encoded where that was meant; Syms resolved at send time). */
  path: (string | Param)[];
  /** Pairs are %-encoded at send time; a string is sent verbatim after `?`. */
  query: [string, QueryValue][] | string | null;
  body: Body;
  auth: Auth;
  /** Authorization header override for `malformed` auth. */
  authHeader: string | null;
  headers: Record<string, string>;
  /** Which shape produced it: valid, edge (one field at or past a limit, a missing/extra key, a wrong type), garbage-body:<why>, garbage-path, garbage-query, wrong-method, no-body, unrouted, ipc-only:<op>. */
  variant: string;
  /** Changes global state (settings, the API key): sent one at a time and followed by a restore. */
  serial: boolean;
}

type JsonSchema = {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema | false;
  prefixItems?: JsonSchema[];
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
};

type Arb = fc.Arbitrary<unknown>;
interface Gen {
  valid: Arb;
  /** Boundary values just inside the limits plus values that must be refused. */
  edge: Arb;
}

// ---------------------------------------------------------------------------------------------------------
// Value libraries

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const big = (ch: string, n: number): string => ch.repeat(n);

export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '   ',
  '\t\r\n',
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '/etc/shadow',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff\ud800',
  '\u202egnp.exe',
  '\ufeffBOM',
  'e\u0301\u0301\u0301',
  '💥🎥👁️‍🗨️',
  'ℕ𝕒𝕟',
  'Zalgơ̴̡͚̠̳͑̓̈́',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '"; DROP TABLE cameras; --',
  '${jndi:ldap://127.0.0.1:1/x}',
  '{{7*7}}',
  '%s%s%s%n',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '-0',
  '0x1F',
  '0b101',
  '1_000',
  ' 1',
  '1 ',
  '1.0',
  '01',
  '-1',
  '9007199254740993',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  big('a', 4096),
  big('é', 20_000),
  big('\u0000', 1000),
  big('a', 200_000),
];

const WRONG_TYPES: readonly unknown[] = [null, true, false, 0, 1, -1, 0.5, '', 'x', '1', [], [1], {}, { a: 1 }, [null], [[[]]]];

const RAW_NUMBERS = ['1e999', '-1e999', '-0', '1.0', '1E2', '0.1e1', '123456789012345678901234567890', '1e-400', '-0.0', '5e-324'];

/** Path-segment garbage sent verbatim: traversal in every spelling, bad escapes, null bytes. */
export const RAW_PATH_GARBAGE: readonly string[] = [
  '0',
  '-1',
  '+1',
  '00001',
  '1.5',
  '1e3',
  '0x1',
  '1%20',
  '%201',
  '999999999999',
  '9999999999999999',
  '9007199254740993',
  '99999999999999999999999999',
  'NaN',
  'Infinity',
  '-0',
  'abc',
  '%EF%BC%91',
  '%D9%A1',
  '..',
  '.',
  '../..',
  '..%2f..%2fetc%2fpasswd',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '%2e%2e',
  '.%2e/.%2e',
  '..;',
  '%c0%ae%c0%ae%2f',
  '%252e%252e%252f',
  '%00',
  '1%00',
  '1%00.jpg',
  '%',
  '%zz',
  '%u002e',
  '%ff%fe',
  '1/..',
  '1/../../../../etc/passwd',
  '1;x=1',
  '%3Cscript%3E',
  "1'%20OR%201=1",
  big('9', 400),
  big('a', 5000),
];

const RAW_QUERY_GARBAGE: readonly string[] = [
  '',
  '&',
  '&&&',
  '=',
  '==',
  'a',
  '%',
  '%zz',
  '%00=%00',
  'a[b]=1',
  'a[]=1&a[]=2',
  'limit=1&limit=2',
  'limit[]=1',
  'limit[a]=1',
  'from=1&from=2&to=3',
  '__proto__[x]=1',
  'constructor[prototype][x]=1',
  'token=',
  'token=%00',
  '+=+',
  '%E2%80%AE=%E2%80%AE',
  'a=' + big('b', 8000),
  Array.from({ length: 400 }, (_, i) => `k${i}=${i}`).join('&'),
];

const TIME_OFFSETS = [0, -1000, -5000, -30_000, -120_000, -600_000, -3_600_000, -86_400_000, -400 * 86_400_000, 5000, 3_600_000, 10 * 365 * 86_400_000];

const TIME_LITERALS: readonly unknown[] = [
  0,
  1,
  -1,
  MAX_SAFE,
  '0',
  '1970-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '+275760-09-13T00:00:00.000Z',
  '+275760-09-13T00:00:00.001Z',
  '2024-02-30T00:00:00Z',
  '2024-13-01',
  'yesterday',
  'now',
  'Tue, 01 Jan 2030 00:00:00 GMT',
  '2025-06-01 12:00',
  '1e13',
  '1.5',
  '-5',
  big('9', 30),
];

const COCO = COCO_CLASSES as readonly string[];

/** Sources a camera/probe may be pointed at. Only loopback hosts with closed ports and local files: nothing leaves this machine. */
export function cameraUrls(fixtureVideo: string): readonly string[] {
  return [
    'pattern://testsrc2',
    'pattern://smptebars',
    'pattern://nullsrc',
    'pattern://',
    'pattern://testsrc2,drawbox',
    'rtsp://127.0.0.1:1/stream',
    'rtsp://admin:secret@127.0.0.1:1/s',
    'rtsps://127.0.0.1:1/s',
    'rtsp://',
    'rtsp://:554/x',
    'rtsp://[::1]:1/x',
    'rtsp://user:p%40ss@127.0.0.1:1/x',
    'http://127.0.0.1:1/snapshot.jpg',
    'http://127.0.0.1:1/mjpeg',
    'https://localhost:1/video.cgi',
    'http://127.0.0.1:1/' + big('x', 1500),
    fixtureVideo,
    `file://${fixtureVideo}`,
    '/etc/passwd',
    '/etc/shadow',
    '/nonexistent/video.mp4',
    '/tmp',
    'file:///etc/hostname',
    'relative/path.mp4',
    'C:\\video.mp4',
    'gopher://127.0.0.1/x',
    'javascript:alert(1)',
    'data:video/mp4;base64,AAAA',
    '***',
    'rtsp://***@127.0.0.1:1/s',
  ];
}

/**
 * ffmpeg_path is never fuzzed with arbitrary strings: today Vigil executes whatever the path names (issue 8 #1), and random names can
 * resolve to a real executable relative to the working directory. These exist but are not executable, do not exist, or exit at once.
 */
const FFMPEG_PATHS: readonly unknown[] = [null, '/nonexistent/ffmpeg', '/etc/passwd', '/dev/null', '../../etc/passwd', '/bin/false', 'no-such-ffmpeg', '\u0000', ' ', ''];

// ---------------------------------------------------------------------------------------------------------
// JSON Schema → arbitraries

export interface GenContext {
  fixtureVideo: string;
  /** Which pool an `id`-like field draws from on this operation. */
  idKind: RefKind;
}

const ref = (kind: RefKind): fc.Arbitrary<Ref> => fc.nat({ max: 1000 }).map((n) => new Ref(kind, n));
const timeRef: fc.Arbitrary<TimeRef> = fc
  .tuple(fc.constantFrom(...TIME_OFFSETS), fc.integer({ min: -999, max: 999 }), fc.constantFrom('ms', 'iso', 'iso', 'seconds', 'date', 'offset-iso') as fc.Arbitrary<TimeRef['format']>)
  .map(([o, j, f]) => new TimeRef(o + j, f));

/**
 * Domain values for fields the schema alone describes poorly (ids that exist, times near now, sources, COCO classes). They are blended
 * with the schema-derived values, except where `replace` keeps random strings out for safety: ffmpeg_path (executed) and rtsp_url
 * (a random http:// host would be contacted).
 */
function hint(name: string, ctx: GenContext): (Gen & { replace?: true }) | null {
  switch (name) {
    case 'id':
    case 'camera_id':
      return { valid: ref(name === 'camera_id' ? 'camera' : ctx.idKind), edge: fc.constantFrom(0, -1, MAX_SAFE, MAX_SAFE + 2, 999_999, 1.5, '1', 'abc', null, [1], { id: 1 }) };
    case 'person_id':
      return { valid: fc.constantFrom(1, 2, 999_999), edge: fc.constantFrom(0, -1, 'x', MAX_SAFE + 2) };
    case 'ids':
      return {
        valid: fc.array(fc.oneof(ref('event'), fc.constantFrom(999_999, 1)), { maxLength: 20 }),
        edge: fc.constantFrom(
          Array.from({ length: 1001 }, (_, i) => i + 1),
          [0],
          [-1],
          [1.5],
          ['1'],
          [null],
          [MAX_SAFE + 2],
          Array.from({ length: 1000 }, (_, i) => i + 1),
          'all',
          1,
        ),
      };
    case 'export_id':
      return { valid: fc.oneof(ref('export'), fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/)), edge: fc.constantFrom(...HOSTILE_STRINGS, big('a', 65)) };
    case 'from':
    case 'to':
    case 'ts':
    case 't':
    case 'started_at':
      return { valid: timeRef, edge: fc.constantFrom(...TIME_LITERALS, ...WRONG_TYPES) };
    case 'rtsp_url':
      return { valid: fc.constantFrom(...cameraUrls(ctx.fixtureVideo)), edge: fc.constantFrom(...HOSTILE_STRINGS, big('r', 2049), ...WRONG_TYPES), replace: true };
    case 'trigger_classes':
      return {
        valid: fc.oneof(fc.subarray([...COCO], { maxLength: 5 }).map((a) => a.join(',')), fc.constantFrom('', 'Person, CAR', ' person ,, car ,', COCO.join(','))),
        edge: fc.constantFrom('unicorn', 'person,unicorn', ',,,', big('person,', 200), ...HOSTILE_STRINGS),
      };
    case 'label':
      return { valid: fc.constantFrom('person', 'manual', 'motion', 'car', ''), edge: fc.constantFrom(...HOSTILE_STRINGS, big('l', 101)) };
    case 'ffmpeg_path':
      return { valid: fc.constantFrom(...FFMPEG_PATHS), edge: fc.constantFrom(...FFMPEG_PATHS, 1, true, []), replace: true };
    case 'name':
      return { valid: fc.oneof(fc.constantFrom('Front door', 'Ω', ' padded '), fc.string({ minLength: 1, maxLength: 120, unit: 'grapheme' })), edge: fc.constantFrom(...HOSTILE_STRINGS, big('n', 121), big('n', 120)) };
    default:
      return null;
  }
}

const clampInt = (n: number): number => Math.max(-MAX_SAFE, Math.min(MAX_SAFE, n));

function numberGen(s: JsonSchema, integer: boolean): Gen {
  const lo = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + (integer ? 1 : Number.EPSILON) : undefined);
  const hi = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - (integer ? 1 : Number.EPSILON) : undefined);
  const min = lo ?? (integer ? -MAX_SAFE : -1e12);
  const max = hi ?? (integer ? MAX_SAFE : 1e12);
  const small = integer ? fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31 - 1, Math.max(min, -(2 ** 31)) + 10_000) }) : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
  const valid = fc.oneof({ arbitrary: small, weight: 3 }, { arbitrary: fc.constantFrom(min, max), weight: 1 });
  const outside = [lo !== undefined ? lo - 1 : null, hi !== undefined ? hi + 1 : null, lo !== undefined && !integer ? lo - 1e-9 : null, hi !== undefined && !integer ? hi + 1e-9 : null].filter((v): v is number => v !== null);
  const edges: unknown[] = [...outside.map(clampInt), 0, -1, MAX_SAFE + 2, -MAX_SAFE - 2, 1e308, -1e308, 5e-324, ...(integer ? [1.5, min + 0.5] : []), 'NaN', 'Infinity', String(min), ...RAW_NUMBERS.map((t) => new RawJson(t)), ...WRONG_TYPES];
  return { valid, edge: fc.constantFrom(...edges) };
}

function stringGen(s: JsonSchema): Gen {
  const minLength = s.minLength ?? 0;
  const maxLength = s.maxLength ?? 4096;
  const shortMax = Math.min(maxLength, 64);
  const valid = s.pattern
    ? fc.stringMatching(new RegExp(s.pattern)).filter((v) => v.length >= minLength && v.length <= maxLength)
    : fc.oneof(
        { arbitrary: fc.string({ minLength, maxLength: Math.max(minLength, shortMax) }), weight: 3 },
        { arbitrary: fc.string({ minLength, maxLength: Math.max(minLength, shortMax), unit: 'grapheme' }), weight: 2 },
        { arbitrary: fc.string({ minLength, maxLength: Math.max(minLength, shortMax), unit: 'binary' }), weight: 1 },
        { arbitrary: fc.constant(big('m', maxLength)), weight: 1 },
      );
  const edges: unknown[] = [big('x', maxLength + 1), ...(minLength > 0 ? [big('x', minLength - 1), ' '.repeat(minLength)] : []), ...HOSTILE_STRINGS, ...WRONG_TYPES];
  return { valid, edge: fc.constantFrom(...edges) };
}

function arrayGen(s: JsonSchema, name: string, ctx: GenContext): Gen {
  if (s.prefixItems) {
    const parts = s.prefixItems.map((p, i) => schemaGen(p, `${name}[${i}]`, ctx));
    const valid = fc.tuple(...parts.map((p) => p.valid));
    const edge = fc.oneof(
      fc.tuple(...parts.map((p) => fc.oneof(p.valid, p.edge))),
      fc.constantFrom([], [0], [0, 0, 0], [null, null], 'x', {}),
    );
    return { valid, edge };
  }
  const item = s.items ? schemaGen(s.items, `${name}[]`, ctx) : { valid: fc.jsonValue(), edge: fc.constantFrom(...WRONG_TYPES) };
  const minLength = s.minItems ?? 0;
  const maxItems = s.maxItems ?? 64;
  const valid = fc.oneof({ arbitrary: fc.array(item.valid, { minLength, maxLength: Math.max(minLength, Math.min(maxItems, 6)) }), weight: 5 }, { arbitrary: fc.array(item.valid, { minLength: maxItems, maxLength: maxItems }), weight: maxItems <= 64 ? 1 : 0 });
  const edge = fc.oneof(
    fc.array(item.valid, { minLength: maxItems + 1, maxLength: maxItems + 1 }),
    ...(minLength > 0 ? [fc.array(item.valid, { minLength: minLength - 1, maxLength: minLength - 1 })] : []),
    fc.tuple(fc.array(item.valid, { maxLength: 3 }), item.edge).map(([a, e]) => [...a, e]),
    fc.constantFrom(...WRONG_TYPES, deepArray(64)),
  );
  return { valid, edge };
}

function deepArray(depth: number): unknown {
  let v: unknown = [];
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

const EXTRA_KEYS = ['extra', '', ' ', 'ID', 'id ', 'token', 'confirm', 'api_key', 'ffmpeg_path', 'toString', 'hasOwnProperty', 'prototype', 'constructor', '__proto__', '$where', 'a.b', 'a[b]', big('k', 300), '💥'];

/** Adds an own property named `k` even when it is `__proto__` (an object literal would set the prototype instead). */
function withKey(o: Record<string, unknown>, k: string, v: unknown): Record<string, unknown> {
  const out = { ...o };
  Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

function objectGen(s: JsonSchema, ctx: GenContext): Gen & { fields: Record<string, Gen>; required: string[] } {
  const props = s.properties ?? {};
  const required = s.required ?? [];
  const fields: Record<string, Gen> = {};
  for (const [k, v] of Object.entries(props)) fields[k] = schemaGen(v, k, ctx);
  const keys = Object.keys(fields);
  const valid = keys.length === 0 ? fc.constant({}) : fc.record(Object.fromEntries(keys.map((k) => [k, (fields[k] as Gen).valid])), { requiredKeys: required });
  const mutations: Arb[] = [
    fc.tuple(valid, fc.constantFrom(...EXTRA_KEYS), fc.jsonValue({ maxDepth: 2 })).map(([o, k, v]) => withKey(o as Record<string, unknown>, k, v)),
    fc.constantFrom(...WRONG_TYPES.filter((w) => typeof w !== 'object' || w === null || Array.isArray(w))),
  ];
  if (keys.length > 0) {
    mutations.push(
      fc.tuple(valid, fc.constantFrom(...keys)).chain(([o, k]) => (fields[k] as Gen).edge.map((e) => ({ ...(o as Record<string, unknown>), [k]: e }))),
    );
  }
  for (const k of required) mutations.push(valid.map((o) => Object.fromEntries(Object.entries(o as Record<string, unknown>).filter(([kk]) => kk !== k))));
  return { valid, edge: fc.oneof(...mutations), fields, required };
}

function schemaGen(s: JsonSchema, name: string, ctx: GenContext): Gen {
  const h = hint(name, ctx);
  if (h?.replace) return h;
  const base = structuralGen(s, name, ctx);
  if (!h) return base;
  return { valid: fc.oneof({ arbitrary: h.valid, weight: 3 }, { arbitrary: base.valid, weight: 1 }), edge: fc.oneof(h.edge, base.edge) };
}

/** Values from the JSON Schema node alone: types, bounds, patterns, enums, unions, tuples, objects. */
function structuralGen(s: JsonSchema, name: string, ctx: GenContext): Gen {
  const alts = s.anyOf ?? s.oneOf;
  if (alts) {
    const parts = alts.map((a) => structuralGen(a, name, ctx));
    return { valid: fc.oneof(...parts.map((p) => p.valid)), edge: fc.oneof(...parts.map((p) => p.edge)) };
  }
  if (s.const !== undefined) return { valid: fc.constant(s.const), edge: fc.constantFrom(...WRONG_TYPES) };
  if (s.enum) {
    const vals = s.enum;
    const wrong = vals.flatMap((v) => (typeof v === 'string' ? [v.toUpperCase(), ` ${v}`, `${v}\u0000`] : []));
    return { valid: fc.constantFrom(...vals), edge: fc.constantFrom(...wrong.filter((w) => !vals.includes(w)), 'other', ...WRONG_TYPES) };
  }
  switch (s.type) {
    case 'boolean':
      return { valid: fc.boolean(), edge: fc.constantFrom('true', 'false', 0, 1, 'yes', null, [], {}) };
    case 'null':
      return { valid: fc.constant(null), edge: fc.constantFrom(0, '', 'null', false) };
    case 'integer':
      return numberGen(s, true);
    case 'number':
      return numberGen(s, false);
    case 'string':
      return stringGen(s);
    case 'array':
      return arrayGen(s, name, ctx);
    case 'object':
      return objectGen(s, ctx);
    default:
      // `{}` (z.unknown()): anything JSON can carry.
      return { valid: fc.jsonValue({ maxDepth: 2 }), edge: fc.constantFrom(...WRONG_TYPES, ...HOSTILE_STRINGS) };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Requests

const GARBAGE_BODIES: readonly { text: string; contentType: string | null; why: string }[] = [
  { text: '', contentType: 'application/json', why: 'empty-json' },
  { text: '{', contentType: 'application/json', why: 'truncated' },
  { text: '{"a":1,}', contentType: 'application/json', why: 'trailing-comma' },
  { text: "{'a':1}", contentType: 'application/json', why: 'single-quotes' },
  { text: 'null', contentType: 'application/json', why: 'null' },
  { text: '[]', contentType: 'application/json', why: 'array' },
  { text: '[{}]', contentType: 'application/json', why: 'array-of-object' },
  { text: '"string"', contentType: 'application/json', why: 'string' },
  { text: '42', contentType: 'application/json', why: 'number' },
  { text: 'true', contentType: 'application/json', why: 'boolean' },
  { text: '\ufeff{}', contentType: 'application/json', why: 'bom' },
  { text: '{"a":1}{"b":2}', contentType: 'application/json', why: 'two-documents' },
  { text: '{"__proto__":{"auth_required":false}}', contentType: 'application/json', why: 'proto-pollution' },
  { text: '{"constructor":{"prototype":{"isAdmin":true}}}', contentType: 'application/json', why: 'constructor-pollution' },
  { text: '{"name":"x","name":"y","rtsp_url":"pattern://testsrc2","rtsp_url":"/etc/passwd"}', contentType: 'application/json', why: 'duplicate-keys' },
  { text: '{"a":"\\ud800"}', contentType: 'application/json', why: 'lone-surrogate-escape' },
  { text: '{"a":"\u0000"}', contentType: 'application/json', why: 'raw-control-char' },
  { text: '{"a":1e999}', contentType: 'application/json', why: 'infinity' },
  { text: '{"a":NaN}', contentType: 'application/json', why: 'nan-literal' },
  { text: '[' + '['.repeat(20_000) + ']'.repeat(20_000) + ']', contentType: 'application/json', why: 'deep-nesting' },
  { text: '{"a":' + '{"a":'.repeat(5000) + '1' + '}'.repeat(5000) + '}', contentType: 'application/json', why: 'deep-objects' },
  { text: '{}', contentType: 'application/json; charset=utf-16', why: 'charset-utf16' },
  { text: '{}', contentType: 'APPLICATION/JSON', why: 'upper-case-type' },
  { text: '{}', contentType: 'application/json;;;', why: 'odd-parameters' },
  { text: '{}', contentType: 'application/jsonx', why: 'near-json-type' },
  { text: '{}', contentType: 'text/plain', why: 'text-plain' },
  { text: 'name=x&rtsp_url=pattern%3A%2F%2Ftestsrc2', contentType: 'application/x-www-form-urlencoded', why: 'form' },
  { text: '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n', contentType: 'multipart/form-data; boundary=x', why: 'multipart' },
  { text: '<a>1</a>', contentType: 'application/xml', why: 'xml' },
  { text: '{}', contentType: null, why: 'no-content-type' },
  { text: 'garbage', contentType: null, why: 'no-content-type-garbage' },
  { text: '{"pad":"' + 'p'.repeat(1024 * 1024) + '"}', contentType: 'application/json', why: '1mb' },
  { text: '{"pad":"' + 'p'.repeat(10 * 1024 * 1024 + 16) + '"}', contentType: 'application/json', why: 'over-body-limit' },
];

/** Values a `?token=` / `Authorization` slot is fuzzed with when the request is meant to fail authentication. */
export const MALFORMED_AUTH: readonly string[] = ['Bearer', 'Bearer ', 'bearer x', 'Basic YWRtaW46YWRtaW4=', 'Token abc', 'Bearer vgl_' + big('A', 43), 'Bearer ' + big('a', 6000), 'Bearer \u00ff', 'Bearer null', 'Bearer undefined', 'Bearer ,', 'Digest username="a"'];

const ROUTE_HEADERS: fc.Arbitrary<Record<string, string>> = fc.oneof(
  { arbitrary: fc.constant<Record<string, string>>({}), weight: 20 },
  { arbitrary: fc.constantFrom<Record<string, string>>({ origin: 'http://evil.example' }, { origin: 'null' }, { accept: 'text/html' }, { 'x-forwarded-for': '10.0.0.1' }, { cookie: 'vigil_session=%zz' }, { cookie: 'vigil_session=' + big('c', 3000) }), weight: 1 },
);

export interface OperationPlan {
  name: OpName;
  method: string;
  template: string;
  params: string[];
  schema: JsonSchema;
  gen: ReturnType<typeof objectGen>;
  /** Runs one at a time, followed by a restore (settings, key regeneration). */
  serial: boolean;
  /** Share of requests this operation gets; slow media work is rarer so a bounded run stays bounded. */
  weight: number;
}

const SERIAL_OPS = new Set<OpName>(['settings.update', 'auth.regenerateKey']);
const OP_WEIGHT: Partial<Record<OpName, number>> = { 'cameras.probe': 2, 'cameras.create': 3, 'recordings.export': 2, 'auth.regenerateKey': 1, 'settings.update': 4 };

function idKindFor(name: OpName): RefKind {
  if (name === 'cameras.update' || name === 'cameras.delete') return 'mutableCamera';
  if (name.startsWith('cameras.') || name.startsWith('live.')) return 'camera';
  return 'event';
}

/** Operations served over REST; `transport: 'ipc'` ones are desktop-only and must not be reachable over HTTP at all. */
export const restOps: OpName[] = opNames.filter((n) => (contract[n] as { transport?: string }).transport !== 'ipc');
export const ipcOnlyOps: OpName[] = opNames.filter((n) => !restOps.includes(n));

export function operationPlans(fixtureVideo: string): OperationPlan[] {
  return restOps.map((name) => {
    const def = contract[name];
    const schema = z.toJSONSchema(def.input, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    const ctx: GenContext = { fixtureVideo, idKind: idKindFor(name) };
    return {
      name,
      method: def.method,
      template: def.path,
      params: [...def.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string),
      schema,
      gen: objectGen(schema, ctx),
      serial: SERIAL_OPS.has(name),
      weight: OP_WEIGHT[name] ?? 5,
    };
  });
}

/** Splits a template into literal pieces and per-parameter arbitraries (Ref/number for valid, raw garbage for edges). */
function pathPieces(template: string, param: (name: string) => { valid: fc.Arbitrary<string | Sym>; edge: fc.Arbitrary<string> }, garble: boolean): fc.Arbitrary<(string | Param)[]> {
  const parts = template.split(/(\{\w+\})/).filter((p) => p !== '');
  const names = parts.filter((p) => p.startsWith('{')).map((p) => p.slice(1, -1));
  if (names.length === 0) return fc.constant(parts);
  const which = garble ? fc.nat({ max: names.length - 1 }) : fc.constant(-1);
  return which.chain((g) =>
    fc.tuple(...names.map((n, i) => (i === g ? param(n).edge : param(n).valid))).map((vals) => {
      let i = 0;
      return parts.map((p) => {
        if (!p.startsWith('{')) return p;
        const k = i++;
        return new Param(names[k] as string, vals[k] as string | Sym, k === g);
      });
    }),
  );
}

/** encodeURIComponent that also writes lone surrogates (as their WTF-8 bytes) instead of throwing: servers must cope with those bytes too. */
export function encodeLoose(s: string): string {
  return s
    .split(/([\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff])/)
    .map((part) => {
      if (part.length !== 1 || !/[\ud800-\udfff]/.test(part)) return encodeURIComponent(part);
      const u = part.charCodeAt(0);
      return [0xe0 | (u >> 12), 0x80 | ((u >> 6) & 0x3f), 0x80 | (u & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    })
    .join('');
}

const encodePiece = encodeLoose;

function toQueryValue(v: unknown): QueryValue[] {
  if (v instanceof Ref || v instanceof TimeRef) return [v];
  if (v instanceof RawJson) return [v.text];
  if (Array.isArray(v)) return v.length === 0 ? [''] : v.flatMap((x) => toQueryValue(x));
  if (v === null) return ['null'];
  if (typeof v === 'object') return [JSON.stringify(v)];
  return [String(v)];
}

function toQuery(input: Record<string, unknown>, skip: string[]): [string, QueryValue][] {
  const out: [string, QueryValue][] = [];
  for (const [k, v] of Object.entries(input)) {
    if (skip.includes(k)) continue;
    for (const q of toQueryValue(v)) out.push([k, q]);
  }
  return out;
}

/** Ids for a contract path; a request sent with another method may reach a mutating route, so it never names the anchor camera. */
const contractParam = (plan: OperationPlan, otherMethod: boolean) => (name: string) => {
  const own = idKindFor(plan.name);
  const kind: RefKind = name === 'export_id' ? 'export' : otherMethod && own === 'camera' ? 'mutableCamera' : own;
  const valid: fc.Arbitrary<string | Sym> = name === 'export_id' ? fc.oneof(ref('export'), fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/)) : fc.oneof({ arbitrary: ref(kind), weight: 6 }, { arbitrary: fc.constantFrom(...(kind === 'mutableCamera' ? ['999999'] : ['999999', '1'])), weight: 1 });
  const edge = fc.oneof(fc.constantFrom(...RAW_PATH_GARBAGE), fc.constantFrom(...HOSTILE_STRINGS.filter((s) => s.length < 5000)).map(encodePiece));
  return { valid, edge };
};

type Shape = 'valid' | 'edge' | 'garbage-body' | 'garbage-path' | 'garbage-query' | 'wrong-method' | 'no-body';

function contractRequest(plan: OperationPlan, auth: fc.Arbitrary<Auth>): fc.Arbitrary<FuzzRequest> {
  const hasBody = plan.method === 'POST' || plan.method === 'PUT';
  const shapes: fc.WeightedArbitrary<Shape>[] = [
    { arbitrary: fc.constant('valid'), weight: 10 },
    { arbitrary: fc.constant('edge'), weight: 10 },
    { arbitrary: fc.constant('garbage-body'), weight: hasBody ? 3 : 1 },
    { arbitrary: fc.constant('garbage-path'), weight: plan.params.length > 0 ? 3 : 0 },
    { arbitrary: fc.constant('garbage-query'), weight: 2 },
    { arbitrary: fc.constant('wrong-method'), weight: 1 },
    { arbitrary: fc.constant('no-body'), weight: hasBody ? 1 : 0 },
  ];
  return fc.oneof(...shapes).chain((shape) => {
    const input = shape === 'edge' ? plan.gen.edge : plan.gen.valid;
    const path = pathPieces(plan.template, contractParam(plan, shape === 'wrong-method'), shape === 'garbage-path');
    const method = shape === 'wrong-method' ? fc.constantFrom('PATCH', 'OPTIONS', 'TRACE', ...['GET', 'POST', 'PUT', 'DELETE', 'HEAD'].filter((m) => m !== plan.method)) : fc.constant(plan.method);
    const garbage = fc.constantFrom(...GARBAGE_BODIES);
    const rawQuery = fc.oneof(fc.constantFrom(...RAW_QUERY_GARBAGE), fc.string({ maxLength: 40, unit: 'grapheme' }).map(encodeLoose));
    const jsonType = fc.constantFrom('application/json', 'application/json', 'application/json', 'application/json; charset=utf-8', 'application/vnd.api+json');
    return fc.record({ input, path, method, garbage, rawQuery, auth, headers: ROUTE_HEADERS, jsonType, malformed: fc.constantFrom(...MALFORMED_AUTH) }).map((r): FuzzRequest => {
      const obj = r.input !== null && typeof r.input === 'object' && !Array.isArray(r.input) ? (r.input as Record<string, unknown>) : null;
      let body: Body = { kind: 'none' };
      let query: FuzzRequest['query'] = null;
      let variant: string = shape;
      if (shape === 'edge') variant = 'edge';
      if (hasBody && shape !== 'garbage-body' && shape !== 'no-body') body = { kind: 'json', value: obj ?? r.input, contentType: r.jsonType };
      if (!hasBody && obj) query = toQuery(obj, plan.params);
      if (!hasBody && !obj && shape === 'edge') query = toQueryValue(r.input).map((v) => ['input', v]);
      if (shape === 'garbage-body') {
        body = { kind: 'raw', text: r.garbage.text, contentType: r.garbage.contentType };
        variant = `garbage-body:${r.garbage.why}`;
      }
      if (shape === 'garbage-query') query = r.rawQuery;
      return {
        route: `${r.method} ${plan.template}`,
        declaredMethod: plan.method,
        op: plan.name,
        family: 'contract',
        method: r.method,
        path: r.path,
        query,
        body,
        auth: r.auth,
        authHeader: r.auth === 'malformed' ? r.malformed : null,
        headers: r.headers,
        variant,
        serial: plan.serial,
      };
    });
  });
}

// ---------------------------------------------------------------------------------------------------------
// Raw routes from /openapi.json

export interface RawRoute {
  method: string;
  template: string;
  produces: string | null;
  public: boolean;
}

export interface OpenApiDoc {
  paths: Record<string, Record<string, { operationId?: string; security?: unknown[]; responses?: Record<string, { content?: Record<string, unknown> }> }>>;
}

/**
 * Every documented Iris route that is not a contract operation (media, auth, push), read from the served OpenAPI
 * document. The compat families (/flex, /tenant, the Pi's root prefixes) answer in their own error shapes; test/compat
 * covers them.
 */
export function rawRoutes(doc: OpenApiDoc): RawRoute[] {
  const out: RawRoute[] = [];
  for (const [template, methods] of Object.entries(doc.paths)) {
    if (template.startsWith('/flex/') || template.startsWith('/tenant/') || PI_PREFIXES.some((p) => template === p || template.startsWith(`${p}/`))) continue;
    for (const [m, op] of Object.entries(methods)) {
      if (op.operationId) continue;
      const produces = Object.keys(op.responses?.['200']?.content ?? {})[0] ?? null;
      out.push({ method: m.toUpperCase(), template, produces, public: Array.isArray(op.security) && op.security.length === 0 });
    }
  }
  return out;
}

/**
 * Query parameters of raw routes. OpenAPI documents them only in prose (openapi.ts emits path parameters alone for raw routes),
 * so they are listed here from those descriptions.
 */
const RAW_QUERY: Record<string, string[]> = {
  '/api/live/{id}/stream': ['fps'],
  '/api/live/{id}/hls/index.m3u8': ['token', '_HLS_msn', '_HLS_part'],
  '/api/recordings/{camera_id}/vod.m3u8': ['from', 'to', 'token'],
  '/api/recordings/{camera_id}/frame.jpg': ['ts', 't', 'w'],
  '/api/recordings/{camera_id}/sprite.jpg': ['from', 'to'],
  '/login': ['token'],
};

const RANGE_HEADERS = ['bytes=0-', 'bytes=0-0', 'bytes=-1', 'bytes=-0', 'bytes=5-1', 'bytes=999999999999-', 'bytes=0-9007199254740993', 'bytes=0-1,4-5', 'bytes=abc', 'items=0-1', 'bytes=--1', 'bytes= 0-1', 'bytes=0-' + big('9', 400)];

function rawQueryValue(key: string): fc.Arbitrary<QueryValue> {
  switch (key) {
    case 'from':
    case 'to':
    case 'ts':
    case 't':
      return fc.oneof({ arbitrary: timeRef, weight: 4 }, { arbitrary: fc.constantFrom(...TIME_LITERALS).map(String), weight: 2 }, { arbitrary: fc.constantFrom(...HOSTILE_STRINGS), weight: 1 });
    case 'w':
      return fc.oneof(fc.constantFrom('32', '31', '320', '1920', '1921', '0', '-1', '1.5', 'NaN', '1e3', ''), fc.integer({ min: 32, max: 1920 }).map(String));
    case 'fps':
      return fc.constantFrom('1', '0', '-1', '1000', '0.001', 'NaN', 'Infinity', '', '1e309');
    case '_HLS_msn':
    case '_HLS_part':
      return fc.constantFrom('0', '1', '3', '-1', '99999', '9999999999', '1.5', 'x', '');
    default:
      return fc.constantFrom(...HOSTILE_STRINGS.filter((s) => s.length < 10_000), 'x');
  }
}

const rawParam = (template: string) => (name: string) => {
  const garbage = fc.oneof(fc.constantFrom(...RAW_PATH_GARBAGE), fc.constantFrom(...HOSTILE_STRINGS.filter((s) => s.length < 5000)).map(encodePiece));
  if (name === 'segment') {
    const n5 = fc.integer({ min: 0, max: 20 }).map((n) => String(n).padStart(5, '0'));
    const valid = fc.oneof(n5.map((n) => `seg${n}.m4s`), fc.tuple(n5, fc.integer({ min: 0, max: 9 })).map(([n, k]) => `seg${n}.${k}.m4s`), n5.map((n) => `init${n}.mp4`), n5.map((n) => `seg${n}.ts`));
    return { valid, edge: fc.oneof(garbage, fc.constantFrom('seg0001.ts', 'seg00001.ts%00', 'seg00001.ts%2f..', '..%2fseg00001.ts', 'SEG00001.TS', 'seg999999.ts', 'seg00001.ts.jpg', 'seg00001..m4s', 'seg00001.12345.m4s', 'init00001.mp4%00', 'seg00001.m4s%2f..')) };
  }
  if (name === 'segment_id') return { valid: ref('segment'), edge: garbage };
  if (name === 'export_id') return { valid: fc.oneof(ref('export'), fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/)), edge: garbage };
  const kind: RefKind = template.startsWith('/api/events/') ? 'event' : 'camera';
  return { valid: fc.oneof({ arbitrary: ref(kind), weight: 6 }, { arbitrary: fc.constant('999999'), weight: 1 }), edge: garbage };
};

function rawRequest(route: RawRoute, auth: fc.Arbitrary<Auth>): fc.Arbitrary<FuzzRequest> {
  const keys = RAW_QUERY[route.template] ?? [];
  const shapes = fc.constantFrom<'valid' | 'garbage-path' | 'garbage-query' | 'edge'>('valid', 'valid', 'valid', 'garbage-path', 'garbage-query', 'edge');
  return shapes.chain((shape) => {
    const path = pathPieces(route.template.replace('{segment_id}.ts', '{segment_id}'), rawParam(route.template), shape === 'garbage-path');
    const suffix = route.template.includes('{segment_id}.ts') ? fc.constantFrom('.ts', '.ts', '.ts', '', '.TS', '.ts.mp4', '.ts%00') : fc.constant('');
    const query = keys.length > 0 ? fc.subarray(keys).chain((ks) => fc.tuple(...ks.map((k) => rawQueryValue(k).map((v): [string, QueryValue] => [k, v])))) : fc.constant([] as [string, QueryValue][]);
    const loginBody = fc.oneof(fc.constantFrom<unknown>({ api_key: '' }, { api_key: 1 }, {}, null, { api_key: big('k', 5000) }), fc.string({ maxLength: 60 }).map((k) => ({ api_key: k })));
    const method = route.method === 'GET' ? fc.constantFrom('GET', 'GET', 'GET', 'GET', 'HEAD', 'POST', 'DELETE') : fc.constant(route.method);
    return fc
      .record({
        path,
        suffix,
        query,
        rawQuery: fc.constantFrom(...RAW_QUERY_GARBAGE),
        auth,
        malformed: fc.constantFrom(...MALFORMED_AUTH),
        headers: fc.oneof(ROUTE_HEADERS, fc.constantFrom(...RANGE_HEADERS).map((r) => ({ range: r }))),
        loginBody,
        garbage: fc.constantFrom(...GARBAGE_BODIES.filter((g) => g.text.length < 100_000)),
        method,
      })
      .map((r): FuzzRequest => {
        const isLogin = route.template === '/api/auth/login';
        let body: Body = { kind: 'none' };
        if (isLogin) body = shape === 'edge' ? { kind: 'raw', text: r.garbage.text, contentType: r.garbage.contentType } : { kind: 'json', value: r.loginBody, contentType: 'application/json' };
        const pieces = [...r.path];
        if (r.suffix) pieces.push(r.suffix);
        return {
          route: `${r.method} ${route.template}`,
          declaredMethod: route.method,
          op: null,
          family: route.public ? 'public' : 'raw',
          method: r.method,
          path: pieces,
          query: shape === 'garbage-query' ? r.rawQuery : r.query.length > 0 ? r.query : null,
          body,
          auth: r.auth,
          authHeader: r.auth === 'malformed' ? r.malformed : null,
          headers: r.headers,
          variant: shape === 'edge' && isLogin ? `garbage-body:${r.garbage.why}` : shape,
          serial: false,
        };
      });
  });
}

/**
 * Paths no route serves (or that only a lenient router would map onto one): traversal out of the API prefix and the docs/static mounts,
 * unknown API paths. Sent with any method, so ids here never name an existing camera: `DELETE /api/cameras/1/` deletes camera 1.
 */
const UNKNOWN_PATHS: readonly string[] = [
  '/api',
  '/api/',
  '/api/nope',
  '/api/cameras/999999/nope',
  '/api/../../etc/passwd',
  '/api/cameras/../../../etc/passwd',
  '/api/%2e%2e/%2e%2e/etc/passwd',
  '/api/..%2f..%2f..%2fetc%2fpasswd',
  '/docs/../../../../etc/passwd',
  '/docs/static/..%2f..%2f..%2f..%2fetc%2fpasswd',
  '/docs/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
  '/docs/static/index.html%00.js',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/..%2f..%2fetc/passwd',
  '/openapi.json/..',
  '/openapi.json%00',
  '/health/../api/settings',
  '/HEALTH',
  '/api/CAMERAS',
  '//api//cameras',
  '/api/cameras//999999',
  '/api/cameras/999999/',
  '/api/recordings/1/segments/..%2f..%2f..%2f..%2fvigil.db',
  '/api/recordings/1/segments/%2e%2e%2fvigil.db.ts',
  '/api/recordings/exports/..%2f..%2fvigil.db/file',
  '/api/live/1/hls/..%2f..%2f..%2fvigil.db',
  '/api/events/1/clip/../../../vigil.db',
  '/' + big('a', 6000),
  '/api/' + big('%2e%2e%2f', 500),
];

function unknownRequest(auth: fc.Arbitrary<Auth>): fc.Arbitrary<FuzzRequest> {
  return fc.record({ p: fc.constantFrom(...UNKNOWN_PATHS), method: fc.constantFrom('GET', 'GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'), auth }).map((r) => ({
    route: 'ANY <unrouted>',
    declaredMethod: r.method,
    op: null,
    family: 'unknown' as const,
    method: r.method,
    path: [r.p],
    query: null,
    body: { kind: 'none' as const },
    auth: r.auth,
    authHeader: null,
    headers: {},
    variant: 'unrouted',
    serial: false,
  }));
}

/** IPC-only operations tried over HTTP with their declared method and path, with and without a JSON body. */
function ipcOnlyRequest(auth: fc.Arbitrary<Auth>): fc.Arbitrary<FuzzRequest> {
  return fc.record({ name: fc.constantFrom(...ipcOnlyOps), body: fc.jsonValue({ maxDepth: 2 }), auth }).map((r) => {
    const def = contract[r.name];
    return {
      route: 'ANY <ipc-only>',
      declaredMethod: def.method,
      op: null,
      family: 'unknown' as const,
      method: def.method,
      path: [def.path.replace(/\{\w+\}/g, '1')],
      query: null,
      body: def.method === 'GET' || def.method === 'DELETE' ? { kind: 'none' as const } : { kind: 'json' as const, value: r.body, contentType: 'application/json' },
      auth: r.auth,
      authHeader: null,
      headers: {},
      variant: `ipc-only:${r.name}`,
      serial: false,
    };
  });
}

export interface RequestArbitraryOptions {
  fixtureVideo: string;
  openapi: OpenApiDoc;
  /** Credential mix: the main run uses the key almost always; the auth slice never does. */
  auth: fc.Arbitrary<Auth>;
}

export const MAIN_AUTH: fc.Arbitrary<Auth> = fc.oneof({ arbitrary: fc.constant<Auth>('key'), weight: 95 }, { arbitrary: fc.constantFrom<Auth>('none', 'wrong', 'malformed', 'media', 'stale'), weight: 5 });
export const SLICE_AUTH: fc.Arbitrary<Auth> = fc.constantFrom<Auth>('none', 'none', 'wrong', 'wrong', 'stale', 'malformed', 'media', 'cookie');

/** One arbitrary over every route: contract operations by weight, raw media/auth routes from OpenAPI, and unrouted paths. */
export function requestArbitrary(o: RequestArbitraryOptions): fc.Arbitrary<FuzzRequest> {
  const plans = operationPlans(o.fixtureVideo);
  const raws = rawRoutes(o.openapi);
  const weighted: fc.WeightedArbitrary<FuzzRequest>[] = [
    ...plans.map((p) => ({ arbitrary: contractRequest(p, o.auth), weight: p.weight })),
    ...raws.map((r) => ({ arbitrary: rawRequest(r, o.auth), weight: rawWeight(r) })),
    { arbitrary: unknownRequest(o.auth), weight: 4 },
    ...(ipcOnlyOps.length ? [{ arbitrary: ipcOnlyRequest(o.auth), weight: 1 }] : []),
  ];
  return fc.oneof(...weighted);
}

/** Live HLS start and frame/sprite renders each cost an ffmpeg run, so they are drawn less often than cheap routes. */
function rawWeight(r: RawRoute): number {
  if (r.template.endsWith('/hls/index.m3u8')) return 1;
  if (r.template.endsWith('/frame.jpg') || r.template.endsWith('/sprite.jpg')) return 2;
  return 4;
}

/** Deterministic sample of `n` requests for a seed. */
export function sampleRequests(arb: fc.Arbitrary<FuzzRequest>, seed: number, n: number): FuzzRequest[] {
  return fc.sample(arb, { seed, numRuns: n });
}

/** The contract input a JSON request carries, or null when the request is not a plain JSON-object call (for the validation oracle). */
export function plainJsonInput(req: FuzzRequest): Record<string, unknown> | null {
  if (req.body.kind !== 'json' || req.query !== null || req.family !== 'contract' || req.op === null) return null;
  if (req.method !== contract[req.op].method || req.auth !== 'key' || Object.keys(req.headers).length > 0) return null;
  if (!/^application\/json(;|$)/.test(req.body.contentType)) return null;
  if (req.path.some((p) => p instanceof Param && p.garbage)) return null;
  const v = req.body.value;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
  // The JSON parser refuses these keys itself (400), before the contract sees the body.
  if (Object.keys(v).some((k) => k === '__proto__' || k === 'constructor')) return null;
  return v as Record<string, unknown>;
}
