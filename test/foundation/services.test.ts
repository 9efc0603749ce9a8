// Unit tests of AuthService, SettingsService, PushBus and the Dispatcher (real: in-memory repositories; no I/O).
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AuthService, safeEqual } from '../../src-main/services/auth.service';
import { PushBus } from '../../src-main/services/push-bus';
import { SettingsService } from '../../src-main/services/settings.service';
import { silentLogger } from '../../src-main/repositories/logger';
import type { SecretsRepository } from '../../src-main/repositories/secrets.repository';
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

const authService = (o: { envKey?: string | null; loopbackOnly?: boolean; settings?: Record<string, unknown>; secrets?: MemorySecrets } = {}) => {
  const { svc: settings } = settingsService(o.settings);
  const secrets = o.secrets ?? new MemorySecrets();
  return { settings, secrets, auth: new AuthService(secrets, settings, { envKey: o.envKey ?? null, loopbackOnly: o.loopbackOnly ?? true }, silentLogger()) };
};

const statusOf = (fn: () => unknown): { status: number; detail: unknown; headers: Record<string, string> } => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return { status: err.status, detail: err.detail, headers: err.headers };
    throw err;
  }
  throw new Error('expected an ApiError');
};

describe('AuthService', () => {
  it('generates and stores a key once, and reuses the stored one', () => {
    const secrets = new MemorySecrets();
    const a = authService({ secrets }).auth.keyInfo().api_key;
    expect(a).toMatch(/^vgl_/);
    expect(secrets.get('api_key')).toBe(a);
    expect(authService({ secrets }).auth.keyInfo()).toEqual({ api_key: a, from_env: false });
  });

  it('prefers the env key and never stores it', () => {
    const { auth, secrets } = authService({ envKey: 'vgl_env_key_abcdefghijkl' });
    expect(auth.keyInfo()).toEqual({ api_key: 'vgl_env_key_abcdefghijkl', from_env: true });
    expect(secrets.get('api_key')).toBeNull();
    expect(statusOf(() => auth.regenerateKey()).status).toBe(409);
  });

  it('follows Iris: missing → 401 Authentication required, wrong → 401 Invalid API key, both with WWW-Authenticate', () => {
    const { auth } = authService();
    const key = auth.keyInfo().api_key;
    expect(auth.authenticate({ authorization: `Bearer ${key}` })).toEqual({ email: null, name: 'api', via: 'api_key' });
    expect(auth.authenticate({ authorization: `bearer   ${key}` }).via).toBe('api_key');
    expect(statusOf(() => auth.authenticate({}))).toEqual({ status: 401, detail: 'Authentication required.', headers: { 'WWW-Authenticate': 'Bearer' } });
    expect(statusOf(() => auth.authenticate({ authorization: 'Bearer nope' }))).toEqual({ status: 401, detail: 'Invalid API key.', headers: { 'WWW-Authenticate': 'Bearer' } });
    expect(statusOf(() => auth.authenticate({ authorization: `Basic ${key}` })).detail).toBe('Authentication required.');
    expect(statusOf(() => auth.authenticate({ queryToken: 'nope' })).detail).toBe('Invalid API key.');
  });

  it('a wrong bearer is refused even when a valid session is also present', () => {
    const { auth } = authService();
    const session = auth.login(auth.keyInfo().api_key);
    expect(auth.authenticate({ session }).via).toBe('session');
    expect(statusOf(() => auth.authenticate({ session, authorization: 'Bearer wrong' })).detail).toBe('Invalid API key.');
  });

  it('honours SSO only when configured and loopback-bound', () => {
    const sso = { sso_email_header: 'X-Email' };
    expect(authService({ settings: sso }).auth.authenticate({ ssoEmail: 'a@b.c' })).toEqual({ email: 'a@b.c', name: 'a@b.c', via: 'sso' });
    expect(authService({ settings: sso }).auth.authenticate({ ssoEmail: 'a@b.c', ssoUser: 'Alice' }).name).toBe('Alice');
    expect(statusOf(() => authService({ settings: sso, loopbackOnly: false }).auth.authenticate({ ssoEmail: 'a@b.c' })).status).toBe(401);
    expect(statusOf(() => authService().auth.authenticate({ ssoEmail: 'a@b.c' })).status).toBe(401);
  });

  it('lets anonymous callers in only when auth_required is off', () => {
    expect(authService({ settings: { auth_required: false } }).auth.authenticate({}).via).toBe('anonymous');
  });

  it('single-use login links, logout, and regenerate revoking sessions and the old key', () => {
    const { auth } = authService();
    const link = auth.createLoginLink();
    const session = auth.redeemLoginLink(link);
    expect(session).toBeTypeOf('string');
    expect(auth.redeemLoginLink(link)).toBeNull();
    expect(auth.redeemLoginLink('made-up')).toBeNull();
    expect(auth.authenticate({ session: session as string }).via).toBe('session');
    auth.logout(session as string);
    expect(statusOf(() => auth.authenticate({ session: session as string })).status).toBe(401);

    const old = auth.keyInfo().api_key;
    const s2 = auth.login(old);
    const next = auth.regenerateKey().api_key;
    expect(next).not.toBe(old);
    expect(statusOf(() => auth.authenticate({ authorization: `Bearer ${old}` })).detail).toBe('Invalid API key.');
    expect(statusOf(() => auth.authenticate({ session: s2 })).status).toBe(401);
    expect(statusOf(() => auth.login(old)).detail).toBe('Invalid API key.');
  });

  it('media token works as ?token= only', () => {
    const { auth } = authService();
    expect(auth.authenticate({ queryToken: auth.mediaToken }).via).toBe('media_token');
    expect(statusOf(() => auth.authenticate({ authorization: `Bearer ${auth.mediaToken}` })).detail).toBe('Invalid API key.');
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

  it('rejects unknown keys and lets a guard veto with 409 without persisting', () => {
    const { svc, repo } = settingsService();
    expect(() => svc.update({ nope: 1 } as never)).toThrow();
    svc.addGuard((next) => (next.auth_required ? null : 'LAN-bound'));
    expect(statusOf(() => svc.update({ auth_required: false }))).toMatchObject({ status: 409, detail: 'LAN-bound' });
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
  const ctx = { principal: { email: null, name: 't', via: 'local' as const } };

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
