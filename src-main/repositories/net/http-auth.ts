// Client-side HTTP/RTSP authentication: challenge parsing, Basic, and Digest per RFC 7616 (MD5, SHA-256, -sess, qop auth/none).
import { createHash, randomBytes } from 'node:crypto';

export interface AuthCredentials {
  username: string;
  password: string;
}

/** One challenge of a WWW-Authenticate header: the scheme (lower case) and its parameters (names lower case). */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess';
const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = ['MD5', 'MD5-sess', 'SHA-256', 'SHA-256-sess'];

const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

/**
 * All challenges in one or more WWW-Authenticate values (RFC 7235 §4.1). Header values may be comma-joined,
 * as fetch's Headers does: a new challenge starts where a token is followed by a space rather than by '='.
 */
export function parseChallenges(values: readonly string[]): Challenge[] {
  const out: Challenge[] = [];
  for (const value of values) {
    let i = 0;
    const n = value.length;
    const skip = (chars: string): void => {
      while (i < n && chars.includes(value[i] as string)) i++;
    };
    const token = (): string => {
      const start = i;
      while (i < n && TOKEN.test(value[i] as string)) i++;
      return value.slice(start, i);
    };
    const quoted = (): string => {
      let s = '';
      i++;
      while (i < n && value[i] !== '"') {
        if (value[i] === '\\' && i + 1 < n) i++;
        s += value[i];
        i++;
      }
      i++;
      return s;
    };
    let current: Challenge | null = null;
    while (i < n) {
      skip(' \t,');
      if (i >= n) break;
      const start = i;
      const name = token();
      if (!name) {
        i++;
        continue;
      }
      skip(' \t');
      if (value[i] === '=' && current && value[i + 1] !== '=') {
        i++;
        skip(' \t');
        current.params[name.toLowerCase()] = value[i] === '"' ? quoted() : token();
        continue;
      }
      if (value[i] === '=' && current) {
        skip('=');
        continue;
      }
      i = start + name.length;
      current = { scheme: name.toLowerCase(), params: {} };
      out.push(current);
    }
  }
  return out;
}

function algorithmOf(c: Challenge): DigestAlgorithm | null {
  const raw = c.params.algorithm ?? 'MD5';
  return DIGEST_ALGORITHMS.find((a) => a.toLowerCase() === raw.toLowerCase()) ?? null;
}

function qopOf(c: Challenge): 'auth' | 'auth-int' | null | undefined {
  const raw = c.params.qop;
  if (raw === undefined) return null;
  const offered = raw.split(',').map((q) => q.trim().toLowerCase());
  if (offered.includes('auth')) return 'auth';
  if (offered.includes('auth-int')) return 'auth-int';
  return undefined;
}

function usableDigest(c: Challenge): boolean {
  return c.scheme === 'digest' && c.params.nonce !== undefined && algorithmOf(c) !== null && qopOf(c) !== undefined;
}

/** The strongest challenge this client can answer: Digest SHA-256, then Digest MD5, then Basic; null when none. */
export function pickChallenge(challenges: readonly Challenge[]): Challenge | null {
  const digests = challenges.filter(usableDigest);
  const sha = digests.find((c) => algorithmOf(c)?.startsWith('SHA-256'));
  return sha ?? digests[0] ?? challenges.find((c) => c.scheme === 'basic') ?? null;
}

export function basicAuthorization(c: AuthCredentials): string {
  return 'Basic ' + Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64');
}

const hashOf = (algorithm: DigestAlgorithm) => (s: string | Buffer): string => createHash(algorithm.startsWith('SHA-256') ? 'sha256' : 'md5').update(s).digest('hex');

export interface DigestInput {
  algorithm: DigestAlgorithm;
  username: string;
  password: string;
  realm: string;
  nonce: string;
  method: string;
  uri: string;
  qop: 'auth' | 'auth-int' | null;
  /** 8 hex digits; only with qop. */
  nc: string;
  cnonce: string;
  /** Entity body, for qop=auth-int. */
  body?: Buffer;
}

/** The request-digest of RFC 7616 §3.4.1 (and RFC 2069 when there is no qop). */
export function digestResponse(d: DigestInput): string {
  const H = hashOf(d.algorithm);
  let ha1 = H(`${d.username}:${d.realm}:${d.password}`);
  if (d.algorithm.endsWith('-sess')) ha1 = H(`${ha1}:${d.nonce}:${d.cnonce}`);
  const ha2 = H(d.qop === 'auth-int' ? `${d.method}:${d.uri}:${H(d.body ?? Buffer.alloc(0))}` : `${d.method}:${d.uri}`);
  return d.qop ? H(`${ha1}:${d.nonce}:${d.nc}:${d.cnonce}:${d.qop}:${ha2}`) : H(`${ha1}:${d.nonce}:${ha2}`);
}

const quote = (s: string): string => `"${s.replace(/["\\]/g, '\\$&')}"`;

/**
 * Authorization state for one server: remembers the chosen challenge so later requests are pre-authorised,
 * counts nonce uses (nc) and decides whether a 401 deserves one retry.
 */
export class AuthSession {
  private challenge: Challenge | null = null;
  private nc = 0;

  constructor(
    private readonly creds: AuthCredentials,
    private readonly cnonce: () => string = () => randomBytes(12).toString('hex'),
  ) {}

  /** True once a challenge is known, so requests carry credentials up front. */
  get ready(): boolean {
    return this.challenge !== null;
  }

  /** The scheme in use ('basic' or 'digest'), for logs. */
  get scheme(): string | null {
    return this.challenge?.scheme ?? null;
  }

  /**
   * Takes the challenges of a 401. Returns true when the request is worth one more try with credentials:
   * it went without them, or its Digest nonce went stale. A refusal of credentials just sent returns false.
   */
  accept(wwwAuthenticate: readonly string[], sentWithCredentials: boolean): boolean {
    const picked = pickChallenge(parseChallenges(wwwAuthenticate));
    if (!picked) return false;
    const stale = picked.scheme === 'digest' && picked.params.stale?.toLowerCase() === 'true';
    const sameNonce = this.challenge?.params.nonce === picked.params.nonce;
    if (!sameNonce) this.nc = 0;
    this.challenge = picked;
    return !sentWithCredentials || stale;
  }

  /** The Authorization value for a request, or null before any challenge. `uri` is the request-target as sent. */
  authorization(method: string, uri: string, body?: Buffer): string | null {
    const c = this.challenge;
    if (!c) return null;
    if (c.scheme === 'basic') return basicAuthorization(this.creds);
    const algorithm = algorithmOf(c) as DigestAlgorithm;
    const qop = qopOf(c) ?? null;
    const realm = c.params.realm ?? '';
    const nonce = c.params.nonce ?? '';
    const nc = (++this.nc).toString(16).padStart(8, '0');
    const cnonce = this.cnonce();
    const userhash = c.params.userhash?.toLowerCase() === 'true';
    const username = userhash ? hashOf(algorithm)(`${this.creds.username}:${realm}`) : this.creds.username;
    const response = digestResponse({ algorithm, username: this.creds.username, password: this.creds.password, realm, nonce, method, uri, qop, nc, cnonce, body });
    const parts = [
      /^[\x20-\x7e]*$/.test(username) ? `username=${quote(username)}` : `username*=UTF-8''${encodeURIComponent(username)}`,
      `realm=${quote(realm)}`,
      `nonce=${quote(nonce)}`,
      `uri=${quote(uri)}`,
      `response=${quote(response)}`,
    ];
    if (c.params.algorithm !== undefined) parts.push(`algorithm=${algorithm}`);
    if (c.params.opaque !== undefined) parts.push(`opaque=${quote(c.params.opaque)}`);
    if (qop) parts.push(`qop=${qop}`, `nc=${nc}`, `cnonce=${quote(cnonce)}`);
    if (userhash) parts.push('userhash=true');
    return `Digest ${parts.join(', ')}`;
  }
}
