// Authentication with Iris semantics: bearer API key (constant time), optional trusted SSO header, fail-closed.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ApiError } from '../shared/errors';
import type { Principal } from '../shared/contract';
import type { SecretsRepository } from '../repositories/secrets.repository';
import type { Logger } from '../repositories/logger';
import type { SettingsService } from './settings.service';

export interface Credentials {
  /** Raw Authorization header. */
  authorization?: string | undefined;
  /** Value of the configured SSO e-mail/user headers, if present. */
  ssoEmail?: string | undefined;
  ssoUser?: string | undefined;
  /** Browser session cookie value. */
  session?: string | undefined;
  /** `?token=` query value (media URLs, Pi-camera family). */
  queryToken?: string | undefined;
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
/** Compares in constant time regardless of length by comparing fixed-size digests. */
export const safeEqual = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b));
const newToken = (): string => randomBytes(32).toString('base64url');

const SESSION_TTL_MS = 7 * 24 * 3600_000;
const LOGIN_LINK_TTL_MS = 24 * 3600_000;
/** Browser sessions one credential may hold; the oldest is dropped past this (a login loop cannot grow memory). */
export const MAX_SESSIONS_PER_KEY = 64;
const MAX_LOGIN_LINKS = 16;

export const unauthenticated = (): ApiError => new ApiError(401, 'Authentication required.', { 'WWW-Authenticate': 'Bearer' });
export const invalidKey = (): ApiError => new ApiError(401, 'Invalid API key.', { 'WWW-Authenticate': 'Bearer' });

export class AuthService {
  private apiKey: string;
  /** Insertion-ordered, so the first entries of a key are its oldest sessions. */
  private readonly sessions = new Map<string, { principal: Principal; expires: number; key: string }>();
  private readonly loginLinks = new Map<string, number>();
  /** Per-launch token the Electron renderer puts on media URLs; it never leaves this process. */
  readonly mediaToken = newToken();

  constructor(
    private readonly secrets: SecretsRepository,
    private readonly settings: SettingsService,
    private readonly opts: { envKey: string | null; loopbackOnly: boolean },
    private readonly log: Logger,
  ) {
    if (opts.envKey) {
      this.apiKey = opts.envKey;
    } else {
      const stored = secrets.get('api_key');
      if (stored) {
        this.apiKey = stored;
      } else {
        this.apiKey = `vgl_${newToken()}`;
        secrets.set('api_key', this.apiKey);
        log.info('generated a new API key');
      }
    }
  }

  keyInfo(): { api_key: string; from_env: boolean } {
    return { api_key: this.apiKey, from_env: this.opts.envKey !== null };
  }

  regenerateKey(): { api_key: string; from_env: boolean } {
    if (this.opts.envKey) throw new ApiError(409, 'The API key is set by VIGIL_API_KEY; change the environment instead.');
    this.apiKey = `vgl_${newToken()}`;
    this.secrets.set('api_key', this.apiKey);
    this.sessions.clear();
    this.log.info('API key regenerated; all sessions revoked');
    return this.keyInfo();
  }

  /** A single-use link token printed at start-up, like Jupyter's. */
  createLoginLink(): string {
    const t = newToken();
    this.loginLinks.set(t, Date.now() + LOGIN_LINK_TTL_MS);
    while (this.loginLinks.size > MAX_LOGIN_LINKS) this.loginLinks.delete(this.loginLinks.keys().next().value as string);
    return t;
  }

  /** Consumes a login-link token and returns a new session token, or null. */
  redeemLoginLink(token: string): string | null {
    for (const [t, exp] of this.loginLinks) {
      if (safeEqual(t, token)) {
        this.loginLinks.delete(t);
        return exp > Date.now() ? this.createSession({ email: null, name: 'operator', via: 'session' }, 'api_key') : null;
      }
    }
    return null;
  }

  /** Exchanges a valid API key for a browser session token. */
  login(key: string): string {
    if (!safeEqual(key, this.apiKey)) throw invalidKey();
    return this.createSession({ email: null, name: 'operator', via: 'session' }, 'api_key');
  }

  logout(session: string): void {
    this.sessions.delete(session);
  }

  /** Drops expired sessions and login links; run on a timer so abandoned ones do not stay for their whole TTL. */
  sweep(now = Date.now()): number {
    let dropped = 0;
    for (const [t, s] of this.sessions) if (s.expires < now && this.sessions.delete(t)) dropped++;
    for (const [t, exp] of this.loginLinks) if (exp < now && this.loginLinks.delete(t)) dropped++;
    return dropped;
  }

  sessionCount(): number {
    return this.sessions.size;
  }

  private createSession(principal: Principal, key: string): string {
    const t = newToken();
    this.sessions.set(t, { principal, expires: Date.now() + SESSION_TTL_MS, key });
    let held = 0;
    for (const s of this.sessions.values()) if (s.key === key) held++;
    for (const [old, s] of this.sessions) {
      if (held <= MAX_SESSIONS_PER_KEY) break;
      if (s.key !== key) continue;
      this.sessions.delete(old);
      held--;
    }
    return t;
  }

  private sessionPrincipal(token: string): Principal | null {
    const s = this.sessions.get(token);
    if (!s) return null;
    if (s.expires < Date.now()) {
      this.sessions.delete(token);
      return null;
    }
    return s.principal;
  }

  /** Resolves a principal in Iris's priority order, or throws the documented 401. */
  authenticate(c: Credentials): Principal {
    const s = this.settings.get();
    if (s.sso_email_header && this.opts.loopbackOnly && c.ssoEmail) {
      return { email: c.ssoEmail, name: c.ssoUser ?? c.ssoEmail, via: 'sso' };
    }
    const bearer = /^Bearer\s+(.+)$/i.exec(c.authorization ?? '')?.[1]?.trim();
    if (bearer !== undefined) {
      if (safeEqual(bearer, this.apiKey)) return { email: null, name: 'api', via: 'api_key' };
      throw invalidKey();
    }
    if (c.session) {
      const p = this.sessionPrincipal(c.session);
      if (p) return p;
    }
    if (c.queryToken) {
      if (safeEqual(c.queryToken, this.mediaToken)) return { email: null, name: 'desktop', via: 'media_token' };
      if (safeEqual(c.queryToken, this.apiKey)) return { email: null, name: 'api', via: 'api_key' };
      const p = this.sessionPrincipal(c.queryToken);
      if (p) return p;
      throw invalidKey();
    }
    if (!s.auth_required) return { email: null, name: 'anonymous', via: 'anonymous' };
    throw unauthenticated();
  }
}
