// Authentication: the Iris API key and SSO header (admins), users' passwords and personal keys, signed session tokens.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ApiError } from '../shared/errors';
import { ROLES, type Role } from '../shared/access';
import type { Principal } from '../shared/contract';
import type { SecretsRepository } from '../repositories/secrets.repository';
import type { UserRow, UsersRepository } from '../repositories/users.repository';
import type { PasswordHasher, SessionClaims, TokenSigner } from '../repositories/auth/credentials-crypto.repository';
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
/** Personal API keys are random 256-bit strings: a fast hash is enough to store them (no dictionary to guess from). */
export const userKeyHash = (key: string): Buffer => digest(key);
export const USER_KEY_PREFIX = 'vgu_';
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export const SESSION_TTL_S = 7 * 24 * 3600;
const LOGIN_LINK_TTL_MS = 24 * 3600_000;
const MAX_LOGIN_LINKS = 16;

export const unauthenticated = (): ApiError => new ApiError(401, 'Authentication required.', { 'WWW-Authenticate': 'Bearer' });
export const invalidKey = (): ApiError => new ApiError(401, 'Invalid API key.', { 'WWW-Authenticate': 'Bearer' });
export const invalidLogin = (): ApiError => new ApiError(401, 'Invalid username or password.', { 'WWW-Authenticate': 'Bearer' });

export interface AuthDeps {
  secrets: SecretsRepository;
  settings: SettingsService;
  users: UsersRepository;
  hasher: PasswordHasher;
  tokens: TokenSigner;
  log: Logger;
}

export interface IssuedSession {
  token: string;
  /** Epoch seconds. */
  expires_at: number;
  principal: Principal;
}

export class AuthService {
  private apiKey: string;
  private readonly loginLinks = new Map<string, number>();
  /** Verifies against this when the username is unknown, so a wrong name costs as long as a wrong password. */
  private dummyHash: Promise<string> | null = null;
  /** Per-launch token the Electron renderer puts on media URLs; it never leaves this process. */
  readonly mediaToken = newToken();

  constructor(
    private readonly d: AuthDeps,
    private readonly opts: { envKey: string | null; loopbackOnly: boolean },
  ) {
    if (opts.envKey) {
      this.apiKey = opts.envKey;
    } else {
      const stored = d.secrets.get('api_key');
      if (stored) {
        this.apiKey = stored;
      } else {
        this.apiKey = `vgl_${newToken()}`;
        d.secrets.set('api_key', this.apiKey);
        d.log.info('generated a new API key');
      }
    }
  }

  keyInfo(): { api_key: string; from_env: boolean } {
    return { api_key: this.apiKey, from_env: this.opts.envKey !== null };
  }

  /** A new Iris API key; rotating the session signing key ends every session at once. */
  regenerateKey(): { api_key: string; from_env: boolean } {
    if (this.opts.envKey) throw new ApiError(409, 'The API key is set by VIGIL_API_KEY; change the environment instead.');
    this.apiKey = `vgl_${newToken()}`;
    this.d.secrets.set('api_key', this.apiKey);
    this.d.tokens.rotate();
    this.d.log.info('API key regenerated; all sessions revoked');
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
  async redeemLoginLink(token: string): Promise<string | null> {
    for (const [t, exp] of this.loginLinks) {
      if (safeEqual(t, token)) {
        this.loginLinks.delete(t);
        return exp > Date.now() ? (await this.issue('key', 'operator', 'admin', 0)).token : null;
      }
    }
    return null;
  }

  /** Exchanges the Iris API key (or a personal key) for a session token. */
  async login(key: string): Promise<string> {
    if (safeEqual(key, this.apiKey)) return (await this.issue('key', 'operator', 'admin', 0)).token;
    const user = key.startsWith(USER_KEY_PREFIX) ? this.d.users.byApiKeyHash(userKeyHash(key)) : null;
    if (!user) throw invalidKey();
    return (await this.issueFor(user)).token;
  }

  /** Whether `key` is the Iris API key or a user's personal key (constant-time for the Iris key). */
  isValidKey(key: string): boolean {
    return safeEqual(key, this.apiKey) || (key.startsWith(USER_KEY_PREFIX) && this.d.users.byApiKeyHash(userKeyHash(key)) !== null);
  }

  /** Username + password → session token (Flex's and Backflow's logins). */
  async passwordLogin(username: string, password: string): Promise<IssuedSession> {
    const user = this.d.users.byUsername(username);
    if (!user) {
      this.dummyHash ??= this.d.hasher.hash(newToken());
      await this.d.hasher.verify(await this.dummyHash, password);
      throw invalidLogin();
    }
    if (!(await this.d.hasher.verify(user.password_hash, password))) throw invalidLogin();
    return this.issueFor(user);
  }

  /** Ends one session; the revocation is stored until the token would have expired. */
  async logout(session: string): Promise<void> {
    const c = JWT_SHAPE.test(session) ? await this.d.tokens.verify(session) : null;
    if (c) this.d.users.revoke(c.jti, c.exp * 1000);
  }

  /** Drops expired login links and revocations of tokens that expired anyway. */
  sweep(now = Date.now()): number {
    let dropped = 0;
    for (const [t, exp] of this.loginLinks) if (exp < now && this.loginLinks.delete(t)) dropped++;
    return dropped + this.d.users.sweepRevoked(now);
  }

  private async issueFor(user: UserRow): Promise<IssuedSession> {
    return this.issue(String(user.id), user.username, user.role, user.sessions_epoch, user.id);
  }

  private async issue(sub: string, name: string, role: Role, ep: number, userId?: number): Promise<IssuedSession> {
    const s = await this.d.tokens.sign({ sub, name, role, ep }, SESSION_TTL_S);
    const principal: Principal = { email: null, name, via: 'session', role, ...(userId !== undefined ? { user_id: userId } : {}) };
    return { token: s.token, expires_at: s.exp, principal };
  }

  private async sessionPrincipal(token: string): Promise<Principal | null> {
    if (!JWT_SHAPE.test(token)) return null;
    const c = await this.d.tokens.verify(token);
    if (!c || this.d.users.isRevoked(c.jti)) return null;
    return this.claimsPrincipal(c);
  }

  /** The user's current role applies at once; a deleted user or a changed password ends their sessions. */
  private claimsPrincipal(c: SessionClaims): Principal | null {
    if (c.sub === 'key') return { email: null, name: c.name, via: 'session', role: 'admin' };
    const user = /^\d+$/.test(c.sub) ? this.d.users.get(Number(c.sub)) : null;
    if (!user || user.sessions_epoch !== c.ep || !(ROLES as readonly string[]).includes(user.role)) return null;
    return { email: null, name: user.username, via: 'session', role: user.role, user_id: user.id };
  }

  private userKeyPrincipal(key: string): Principal | null {
    if (!key.startsWith(USER_KEY_PREFIX)) return null;
    const user = this.d.users.byApiKeyHash(userKeyHash(key));
    return user ? { email: null, name: user.username, via: 'user_key', role: user.role, user_id: user.id } : null;
  }

  /** A bearer value: the Iris API key, a personal key or a session token; anything else is a wrong key. */
  private async bearerPrincipal(value: string): Promise<Principal | null> {
    if (safeEqual(value, this.apiKey)) return { email: null, name: 'api', via: 'api_key', role: 'admin' };
    return this.userKeyPrincipal(value) ?? (await this.sessionPrincipal(value));
  }

  /** Resolves a principal in Iris's priority order, or throws the documented 401. */
  async authenticate(c: Credentials): Promise<Principal> {
    const s = this.d.settings.get();
    if (s.sso_email_header && this.opts.loopbackOnly && c.ssoEmail) {
      return { email: c.ssoEmail, name: c.ssoUser ?? c.ssoEmail, via: 'sso', role: 'admin' };
    }
    const bearer = /^Bearer\s+(.+)$/i.exec(c.authorization ?? '')?.[1]?.trim();
    if (bearer !== undefined) {
      const p = await this.bearerPrincipal(bearer);
      if (p) return p;
      throw invalidKey();
    }
    if (c.session) {
      const p = await this.sessionPrincipal(c.session);
      if (p) return p;
    }
    if (c.queryToken) {
      if (safeEqual(c.queryToken, this.mediaToken)) return { email: null, name: 'desktop', via: 'media_token', role: 'admin' };
      const p = await this.bearerPrincipal(c.queryToken);
      if (p) return p;
      throw invalidKey();
    }
    if (!s.auth_required) return { email: null, name: 'anonymous', via: 'anonymous', role: 'admin' };
    throw unauthenticated();
  }
}
