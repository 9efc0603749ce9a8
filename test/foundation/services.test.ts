// Unit tests of AuthService, SettingsService, PushBus and the Dispatcher (real: in-memory repositories; no I/O).
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AuthService, safeEqual } from '../../src-main/services/auth.service';
import { PushBus } from '../../src-main/services/push-bus';
import { SettingsService } from '../../src-main/services/settings.service';
import { silentLogger } from '../../src-main/repositories/logger';
import type { SecretsRepository } from '../../src-main/repositories/secrets.repository';
import type { UserRow, UsersRepository } from '../../src-main/repositories/users.repository';
import { argon2Hasher, JoseTokenSigner } from '../../src-main/repositories/auth/credentials-crypto.repository';
import type { Role } from '../../src-main/shared/access';
import type { SettingsRepository } from '../../src-main/repositories/settings.repository';
import { ApiError } from '../../src-main/shared/errors';
import type { PushMessage } from '../../src-main/shared/push-events';
import { Dispatcher, zodIssues } from '../../src-main/transport/dispatch';
import { opNames, type Handlers } from '../../src-main/shared/contract';

class MemorySettings implements SettingsRepository {
  constructor(public rows: Record<string, unknown> = {}) {}
  readAll() {
    return { ...this.rows };
  }
  writeMany(values: Record<string, unknown>) {
    Object.assign(this.rows, values);
  }
}

class MemorySecrets implements SecretsRepository {
  rows = new Map<string, string>();
  get(name: string) {
    return this.rows.get(name) ?? null;
  }
  set(name: string, value: string) {
    this.rows.set(name, value);
  }
}

const settingsService = (rows: Record<string, unknown> = {}) => {
  const bus = new PushBus();
  const repo = new MemorySettings(rows);
  return { bus, repo, svc: new SettingsService(repo, bus, silentLogger()) };
};

/** Users kept in memory (the SQLite repository has its own tests through the app); real Argon2id and jose. */
class MemoryUsers implements UsersRepository {
  rows: UserRow[] = [];
  revoked = new Map<string, number>();
  list() {
    return this.rows;
  }
  get(id: number) {
    return this.rows.find((r) => r.id === id) ?? null;
  }
  byUsername(u: string) {
    return this.rows.find((r) => r.username === u) ?? null;
  }
  byApiKeyHash() {
    return null;
  }
  insert(u: { username: string; role: Role; password_hash: string; created_ms: number }) {
    const row = { ...u, id: this.rows.length + 1, has_api_key: false, sessions_epoch: 0 };
    this.rows.push(row);
    return row;
  }
  update() {
    return null;
  }
  setApiKeyHash() {}
  delete() {
    return false;
  }
  revoke(jti: string, exp: number) {
    this.revoked.set(jti, exp);
  }
  isRevoked(jti: string) {
    return this.revoked.has(jti);
  }
  sweepRevoked(now: number) {
    let n = 0;
    for (const [j, e] of this.revoked) if (e < now && this.revoked.delete(j)) n++;
    return n;
  }
}

const authService = (o: { envKey?: string | null; loopbackOnly?: boolean; settings?: Record<string, unknown>; secrets?: MemorySecrets } = {}) => {
  const { svc: settings } = settingsService(o.settings);
  const secrets = o.secrets ?? new MemorySecrets();
  const users = new MemoryUsers();
  return { settings, secrets, users, auth: new AuthService({ secrets, settings, users, hasher: argon2Hasher, tokens: new JoseTokenSigner(secrets), log: silentLogger() }, { envKey: o.envKey ?? null, loopbackOnly: o.loopbackOnly ?? true }) };
};

const statusOf = async (fn: () => unknown): Promise<{ status: number; detail: unknown; headers: Record<string, string> }> => {
  try {
    await fn();
  } catch (err) {
    if (err instanceof ApiError) return { status: err.status, detail: err.detail, headers: err.headers };
    throw err;
  }
  throw new Error('expected an ApiError');
};

describe('AuthService', () => {
  it('generates and stores a key once, and reuses the stored one', async () => {
    const secrets = new MemorySecrets();
    const a = authService({ secrets }).auth.keyInfo().api_key;
    expect(a).toMatch(/^vgl_/);
    expect(secrets.get('api_key')).toBe(a);
    expect(authService({ secrets }).auth.keyInfo()).toEqual({ api_key: a, from_env: false });
  });

  it('prefers the env key and never stores it', async () => {
    const { auth, secrets } = authService({ envKey: 'vgl_env_key_abcdefghijkl' });
    expect(auth.keyInfo()).toEqual({ api_key: 'vgl_env_key_abcdefghijkl', from_env: true });
    expect(secrets.get('api_key')).toBeNull();
    expect((await statusOf(() => auth.regenerateKey())).status).toBe(409);
  });

  it('follows Iris: missing → 401 Authentication required, wrong → 401 Invalid API key, both with WWW-Authenticate', async () => {
    const { auth } = authService();
    const key = auth.keyInfo().api_key;
    expect(await auth.authenticate({ authorization: `Bearer ${key}` })).toEqual({ email: null, name: 'api', via: 'api_key', role: 'admin' });
    expect((await auth.authenticate({ authorization: `bearer   ${key}` })).via).toBe('api_key');
    expect(await statusOf(() => auth.authenticate({}))).toEqual({ status: 401, detail: 'Authentication required.', headers: { 'WWW-Authenticate': 'Bearer' } });
    expect(await statusOf(() => auth.authenticate({ authorization: 'Bearer nope' }))).toEqual({ status: 401, detail: 'Invalid API key.', headers: { 'WWW-Authenticate': 'Bearer' } });
    expect((await statusOf(() => auth.authenticate({ authorization: `Basic ${key}` }))).detail).toBe('Authentication required.');
    expect((await statusOf(() => auth.authenticate({ queryToken: 'nope' }))).detail).toBe('Invalid API key.');
  });

  it('a wrong bearer is refused even when a valid session is also present', async () => {
    const { auth } = authService();
    const session = await auth.login(auth.keyInfo().api_key);
    expect((await auth.authenticate({ session })).via).toBe('session');
    expect((await statusOf(() => auth.authenticate({ session, authorization: 'Bearer wrong' }))).detail).toBe('Invalid API key.');
  });

  it('honours SSO only when configured and loopback-bound', async () => {
    const sso = { sso_email_header: 'X-Email' };
    expect(await authService({ settings: sso }).auth.authenticate({ ssoEmail: 'a@b.c' })).toEqual({ email: 'a@b.c', name: 'a@b.c', via: 'sso', role: 'admin' });
    expect((await authService({ settings: sso }).auth.authenticate({ ssoEmail: 'a@b.c', ssoUser: 'Alice' })).name).toBe('Alice');
    expect((await statusOf(() => authService({ settings: sso, loopbackOnly: false }).auth.authenticate({ ssoEmail: 'a@b.c' }))).status).toBe(401);
    expect((await statusOf(() => authService().auth.authenticate({ ssoEmail: 'a@b.c' }))).status).toBe(401);
  });

  it('lets anonymous callers in only when auth_required is off', async () => {
    expect((await authService({ settings: { auth_required: false } }).auth.authenticate({})).via).toBe('anonymous');
  });

  it('single-use login links, logout, and regenerate revoking sessions and the old key', async () => {
    const { auth } = authService();
    const link = auth.createLoginLink();
    const session = await auth.redeemLoginLink(link);
    expect(session).toBeTypeOf('string');
    expect(await auth.redeemLoginLink(link)).toBeNull();
    expect(await auth.redeemLoginLink('made-up')).toBeNull();
    expect((await auth.authenticate({ session: session as string })).via).toBe('session');
    await auth.logout(session as string);
    expect((await statusOf(() => auth.authenticate({ session: session as string }))).status).toBe(401);

    const old = auth.keyInfo().api_key;
    const s2 = await auth.login(old);
    const next = auth.regenerateKey().api_key;
    expect(next).not.toBe(old);
    expect((await statusOf(() => auth.authenticate({ authorization: `Bearer ${old}` }))).detail).toBe('Invalid API key.');
    expect((await statusOf(() => auth.authenticate({ session: s2 }))).status).toBe(401);
    expect((await statusOf(() => auth.login(old))).detail).toBe('Invalid API key.');
  });

  it('signs in users by password with their role, refuses a wrong password or name alike, and ends sessions on logout', async () => {
    const { auth, users } = authService();
    users.insert({ username: 'vera', role: 'viewer', password_hash: await argon2Hasher.hash('correct horse battery'), created_ms: 0 });
    const s = await auth.passwordLogin('vera', 'correct horse battery');
    expect(s.principal).toMatchObject({ name: 'vera', role: 'viewer', via: 'session', user_id: 1 });
    expect(await auth.authenticate({ authorization: `Bearer ${s.token}` })).toMatchObject({ role: 'viewer', user_id: 1 });
    expect((await statusOf(() => auth.passwordLogin('vera', 'wrong password!'))).detail).toBe('Invalid username or password.');
    expect((await statusOf(() => auth.passwordLogin('nobody', 'correct horse battery'))).detail).toBe('Invalid username or password.');
    await auth.logout(s.token);
    expect((await statusOf(() => auth.authenticate({ authorization: `Bearer ${s.token}` }))).detail).toBe('Invalid API key.');
  });

  it('media token works as ?token= only', async () => {
    const { auth } = authService();
    expect((await auth.authenticate({ queryToken: auth.mediaToken })).via).toBe('media_token');
    expect((await statusOf(() => auth.authenticate({ authorization: `Bearer ${auth.mediaToken}` }))).detail).toBe('Invalid API key.');
  });

  it('safeEqual compares any lengths', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', 'x')).toBe(false);
  });
});

describe('SettingsService', () => {
  it('fills defaults and keeps valid stored values while dropping only invalid ones', () => {
    const { svc } = settingsService({ live_mjpeg_fps: 5, segment_seconds: 'four', hls_max_sessions: 999 });
    expect(svc.get().live_mjpeg_fps).toBe(5);
    expect(svc.get().segment_seconds).toBe(4);
    expect(svc.get().hls_max_sessions).toBe(4);
    expect(svc.get().auth_required).toBe(true);
  });

  it('persists only changed keys, notifies watchers and the bus once', () => {
    const { svc, repo, bus } = settingsService();
    const pushed: PushMessage[] = [];
    bus.subscribe((m) => pushed.push(m));
    const seen: [number, number][] = [];
    svc.onChange((next, prev) => seen.push([next.live_mjpeg_fps, prev.live_mjpeg_fps]));
    svc.update({ live_mjpeg_fps: 7, segment_seconds: 4 });
    expect(repo.rows).toEqual({ live_mjpeg_fps: 7 });
    expect(seen).toEqual([[7, 10]]);
    expect(pushed).toHaveLength(1);
    expect(pushed[0]?.name).toBe('settings.changed');
    svc.update({ live_mjpeg_fps: 7 });
    expect(pushed).toHaveLength(1);
  });

  it('rejects unknown keys and lets a guard veto with 409 without persisting', async () => {
    const { svc, repo } = settingsService();
    // A caller that did not validate first gets a located 422, not a raw schema error (which would be a 500).
    expect(await statusOf(() => svc.update({ nope: 1 } as never))).toMatchObject({ status: 422 });
    expect(await statusOf(() => svc.update({ segment_seconds: 'x' } as never))).toMatchObject({ status: 422, detail: [expect.objectContaining({ loc: ['body', 'segment_seconds'] })] });
    svc.addGuard((next) => (next.auth_required ? null : 'LAN-bound'));
    expect(await statusOf(() => svc.update({ auth_required: false }))).toMatchObject({ status: 409, detail: 'LAN-bound' });
    expect(svc.get().auth_required).toBe(true);
    expect(repo.rows).toEqual({});
  });
});

describe('PushBus', () => {
  it('keeps delivering when one listener throws, and unsubscribes', () => {
    const bus = new PushBus();
    const got: string[] = [];
    bus.subscribe(() => {
      throw new Error('broken transport');
    });
    const off = bus.subscribe((m) => got.push(m.name));
    bus.emit('settings.changed', settingsService().svc.view());
    off();
    bus.emit('settings.changed', settingsService().svc.view());
    expect(got).toEqual(['settings.changed']);
    expect(bus.size).toBe(1);
  });
});

describe('Dispatcher', () => {
  const base = settingsService().svc;
  const handlers = Object.fromEntries(opNames.map((n) => [n, () => ({})])) as unknown as Handlers;
  const ctx = { principal: { email: null, name: 't', via: 'local' as const, role: 'admin' as const } };

  it('validates input (422 with located paths) before the handler runs', async () => {
    let ran = false;
    const d = new Dispatcher({
      ...handlers,
      'settings.update': () => {
        ran = true;
        return base.view();
      },
    });
    const err = await d.call('settings.update', { live_mjpeg_fps: 'x' }, ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(422);
    expect((err as ApiError).detail).toEqual([expect.objectContaining({ loc: ['body', 'live_mjpeg_fps'] })]);
    expect(ran).toBe(false);
  });

  it('strips keys the contract does not declare from outputs, so secrets cannot leak', async () => {
    const d = new Dispatcher({ ...handlers, 'auth.mediaAccess': () => ({ base_url: 'http://127.0.0.1:1', token: 't', password: 'hunter2' }) as never });
    expect(await d.call('auth.mediaAccess', {}, ctx)).toEqual({ base_url: 'http://127.0.0.1:1', token: 't' });
  });

  it('turns a handler output that breaks the contract into an error, not a response', async () => {
    const d = new Dispatcher({ ...handlers, 'auth.mediaAccess': () => ({ base_url: 1 }) as never });
    await expect(d.call('auth.mediaAccess', {}, ctx)).rejects.toThrow(/contract violation in auth.mediaAccess/);
  });

  it('zodIssues prefixes the source of the first path element', () => {
    const r = z.object({ id: z.number(), q: z.string() }).safeParse({ id: 'a', q: 1 });
    if (r.success) throw new Error('expected failure');
    const issues = zodIssues(r.error, (k) => (k === 'id' ? 'path' : 'query'));
    expect(issues.map((i) => i.loc)).toEqual([
      ['path', 'id'],
      ['query', 'q'],
    ]);
  });
});
