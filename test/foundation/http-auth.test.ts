// Integration (real: app + fastify on 127.0.0.1:0, SQLite file in a temp dir; mock: none): Iris auth semantics over HTTP.
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeContainer, injectOnly, removeDir, startTestApp, tempDataDir, type TestApp } from './app-harness';

/** fetch() cannot set Host, so this speaks plain http to send a rebound name. */
function getWithHost(base: string, path: string, host: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(base + path, { headers: { ...headers, host } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const cookieOf = (res: Response): string => (res.headers.get('set-cookie') ?? '').split(';')[0] as string;

describe('auth over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.stop();
    removeDir(t.dataDir);
  });

  it('serves /health without a key', async () => {
    const res = await t.req('/health', { auth: false });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; version: string; gpu: unknown; workers: unknown[] };
    expect(['ok', 'degraded']).toContain(body.status);
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(body.gpu).toBeNull();
    expect(Array.isArray(body.workers)).toBe(true);
  });

  it('serves /api/system with the key and names the principal', async () => {
    const res = await t.req('/api/system');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { user: { via: string }; data_dir: string; node: string; api: { auth_required: boolean }; workers: unknown[] };
    expect(body.user.via).toBe('api_key');
    expect(body.data_dir).toBe(t.dataDir);
    expect(body.node).toBe(process.versions.node);
    expect(body.api.auth_required).toBe(true);
  });

  it('answers a missing credential with 401 Authentication required + WWW-Authenticate: Bearer', async () => {
    for (const path of ['/api/system', '/api/settings', '/openapi.json', '/docs', '/api/push', '/api/no-such-route']) {
      const res = await t.req(path, { auth: false });
      expect(res.status, path).toBe(401);
      expect(res.headers.get('www-authenticate'), path).toBe('Bearer');
      expect(await res.json(), path).toEqual({ detail: 'Authentication required.' });
    }
  });

  it('cannot be bypassed with %-encoded paths, and malformed cookies or Origin headers are 4xx, never 500', async () => {
    for (const path of ['/%61pi/system', '/api/%73ystem', '/%64ocs', '/%6Fpenapi.json', '/api//system', '/health/../api/system']) {
      const res = await t.req(path, { auth: false });
      expect(res.status, path).toBe(401);
      expect(await res.json(), path).toEqual({ detail: 'Authentication required.' });
    }
    const badCookie = await t.req('/api/system', { auth: false, headers: { cookie: 'vigil_session=%E0%A4%A' } });
    expect(badCookie.status).toBe(401);
    const login = await t.req('/api/auth/login', { auth: false, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ api_key: t.key }) });
    const nullOrigin = await t.req('/api/settings', { auth: false, method: 'PUT', headers: { cookie: cookieOf(login), origin: 'null', 'content-type': 'application/json' }, body: '{}' });
    expect(nullOrigin.status).toBe(403);
    expect(await nullOrigin.json()).toEqual({ detail: 'Cross-origin request refused.' });
  });

  it('answers a wrong key with 401 Invalid API key', async () => {
    const res = await t.req('/api/system', { headers: { authorization: 'Bearer not-the-key' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(await res.json()).toEqual({ detail: 'Invalid API key.' });
    const badQuery = await t.req('/api/system?token=not-the-key', { auth: false });
    expect(badQuery.status).toBe(401);
    expect(await badQuery.json()).toEqual({ detail: 'Invalid API key.' });
  });

  it('exchanges the key for a session cookie and ends it on logout', async () => {
    const wrong = await t.req('/api/auth/login', { auth: false, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ api_key: 'nope' }) });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ detail: 'Invalid API key.' });

    const login = await t.req('/api/auth/login', { auth: false, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ api_key: t.key }) });
    expect(login.status).toBe(200);
    const setCookie = login.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^vigil_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict/);
    const cookie = cookieOf(login);

    const sys = await t.req('/api/system', { auth: false, headers: { cookie } });
    expect(sys.status).toBe(200);
    expect(((await sys.json()) as { user: { via: string } }).user.via).toBe('session');

    const crossSite = await t.req('/api/settings', { auth: false, method: 'PUT', headers: { cookie, origin: 'http://evil.example', 'content-type': 'application/json' }, body: '{}' });
    expect(crossSite.status).toBe(403);

    const logout = await t.req('/api/auth/logout', { auth: false, method: 'POST', headers: { cookie } });
    expect(logout.status).toBe(204);
    expect(logout.headers.get('set-cookie')).toContain('Max-Age=0');
    const after = await t.req('/api/system', { auth: false, headers: { cookie } });
    expect(after.status).toBe(401);
    expect(await after.json()).toEqual({ detail: 'Authentication required.' });
  });

  it('GET /api/auth/session says whether the caller is signed in, always 200 and never cached', async () => {
    const probe = async (headers: Record<string, string>) => {
      const res = await t.req('/api/auth/session', { auth: false, headers });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      return res.json();
    };
    expect(await probe({})).toEqual({ authenticated: false, auth_required: true, via: null, role: null });
    expect(await probe({ authorization: 'Bearer wrong' })).toEqual({ authenticated: false, auth_required: true, via: null, role: null });
    expect(await probe({ authorization: `Bearer ${t.key}` })).toEqual({ authenticated: true, auth_required: true, via: 'api_key', role: 'admin' });
    const login = await t.req('/api/auth/login', { auth: false, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ api_key: t.key }) });
    const cookie = cookieOf(login);
    expect(await probe({ cookie })).toEqual({ authenticated: true, auth_required: true, via: 'session', role: 'admin' });
    await t.req('/api/auth/logout', { auth: false, method: 'POST', headers: { cookie } });
    expect(await probe({ cookie })).toEqual({ authenticated: false, auth_required: true, via: null, role: null });
    // The media token opens media routes only: it is not a signed-in session.
    const access = (await (await t.req('/api/auth/media-access')).json()) as { token: string };
    const res = await t.req(`/api/auth/session?token=${encodeURIComponent(access.token)}`, { auth: false });
    expect(await res.json()).toMatchObject({ authenticated: false });
  });

  it('accepts the per-launch media token as ?token=', async () => {
    const access = (await (await t.req('/api/auth/media-access')).json()) as { base_url: string; token: string };
    expect(access.base_url).toBe(t.base);
    const q = `token=${encodeURIComponent(access.token)}`;
    const snap = await t.req(`/api/live/999/snapshot?${q}`, { auth: false });
    expect(snap.status).toBe(404);
    expect(await snap.json()).toEqual({ detail: 'Camera 999 not found' });
    // A leaked media URL must not open the JSON API (the key itself, settings, deletes).
    for (const [method, path] of [['GET', '/api/auth/api-key'], ['GET', '/api/system'], ['PUT', '/api/settings'], ['DELETE', '/api/cameras/1']] as const) {
      const res = await t.req(`${path}?${q}`, { auth: false, method, headers: { 'content-type': 'application/json' }, body: method === 'PUT' ? '{}' : undefined });
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    expect((await t.req(`/api/live/999/snapshot?token=wrong`, { auth: false })).status).toBe(401);
  });

  it('redeems the one-time login link exactly once', async () => {
    const link = new URL(t.app.loginUrl);
    const first = await fetch(t.base + link.pathname + link.search, { redirect: 'manual' });
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe('/');
    const sys = await t.req('/api/system', { auth: false, headers: { cookie: cookieOf(first) } });
    expect(sys.status).toBe(200);
    const again = await fetch(t.base + link.pathname + link.search, { redirect: 'manual' });
    expect(again.status).toBe(401);
  });

  it('honours the SSO header only once configured, while bound to loopback', async () => {
    const before = await t.req('/api/system', { auth: false, headers: { 'x-auth-email': 'ops@example.com' } });
    expect(before.status).toBe(401);
    const put = await t.req('/api/settings', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sso_email_header: 'X-Auth-Email', sso_user_header: 'X-Auth-User' }) });
    expect(put.status).toBe(200);
    try {
      const res = await t.req('/api/system', { auth: false, headers: { 'x-auth-email': 'ops@example.com', 'x-auth-user': 'Ops' } });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { user: unknown }).user).toEqual({ email: 'ops@example.com', name: 'Ops', via: 'sso' });
    } finally {
      await t.req('/api/settings', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sso_email_header: null, sso_user_header: null }) });
    }
  });

  it('refuses a non-loopback Host while bound to loopback (DNS rebinding), even with the SSO header', async () => {
    await t.req('/api/settings', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sso_email_header: 'X-Auth-Email' }) });
    try {
      const port = new URL(t.base).port;
      const rebound = await getWithHost(t.base, '/api/system', `attacker.example:${port}`, { 'x-auth-email': 'ops@example.com' });
      expect(rebound.status).toBe(403);
      expect(JSON.parse(rebound.body)).toEqual({ detail: expect.stringContaining('Host not allowed') });
      expect((await getWithHost(t.base, '/health', `attacker.example:${port}`)).status).toBe(403);
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
        expect((await getWithHost(t.base, '/health', host)).status, host).toBe(200);
      }
    } finally {
      await t.req('/api/settings', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sso_email_header: null }) });
    }
  });
});

describe('API key lifecycle', () => {
  it('generates a key on first start, stores it encrypted, keeps it across restarts, and regenerates it', async () => {
    const dataDir = tempDataDir();
    try {
      let t = await startTestApp({ dataDir });
      const key = t.key;
      expect(key).toMatch(/^vgl_[A-Za-z0-9_-]{40,}$/);
      expect((await (await t.req('/api/auth/api-key')).json()) as unknown).toEqual({ api_key: key, from_env: false });
      await t.stop();

      const db = new Database(join(dataDir, 'vigil.db'), { readonly: true });
      const row = db.prepare("SELECT value FROM secrets WHERE name = 'api_key'").get() as { value: Buffer };
      db.close();
      expect(Buffer.isBuffer(row.value)).toBe(true);
      expect(row.value.includes(Buffer.from(key))).toBe(false);
      expect(row.value.includes(Buffer.from(key.slice(4, 20)))).toBe(false);
      expect(readFileSync(join(dataDir, 'logs', 'vigil.log'), 'utf8')).not.toContain(key);

      t = await startTestApp({ dataDir });
      expect(t.key).toBe(key);
      const regen = await t.req('/api/auth/api-key/regenerate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(regen.status).toBe(200);
      const next = ((await regen.json()) as { api_key: string }).api_key;
      expect(next).not.toBe(key);
      const old = await fetch(`${t.base}/api/system`, { headers: { authorization: `Bearer ${key}` } });
      expect(old.status).toBe(401);
      expect(await old.json()).toEqual({ detail: 'Invalid API key.' });
      expect((await fetch(`${t.base}/api/system`, { headers: { authorization: `Bearer ${next}` } })).status).toBe(200);
      await t.stop();

      t = await startTestApp({ dataDir });
      expect(t.key).toBe(next);
      await t.stop();
    } finally {
      removeDir(dataDir);
    }
  });

  it('uses VIGIL_API_KEY as the key and refuses to regenerate it', async () => {
    const dataDir = tempDataDir();
    const envKey = 'vgl_from_environment_0123456789';
    const t = await startTestApp({ dataDir, apiKey: envKey });
    try {
      expect((await (await t.req('/api/auth/api-key')).json()) as unknown).toEqual({ api_key: envKey, from_env: true });
      const regen = await t.req('/api/auth/api-key/regenerate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(regen.status).toBe(409);
      expect(((await regen.json()) as { detail: string }).detail).toContain('VIGIL_API_KEY');
    } finally {
      await t.stop();
      removeDir(dataDir);
    }
  });
});

describe('LAN binding (built, never listening: requests via fastify inject)', () => {
  it('ignores a configured SSO header when not bound to loopback, and refuses to turn auth off (409)', async () => {
    const dataDir = tempDataDir();
    const c = await injectOnly({ dataDir, host: '0.0.0.0' });
    try {
      const key = c.auth.keyInfo().api_key;
      const auth = { authorization: `Bearer ${key}` };
      const put = await c.http.inject({ method: 'PUT', url: '/api/settings', headers: auth, payload: { sso_email_header: 'X-Auth-Email' } });
      expect(put.statusCode).toBe(200);
      const sso = await c.http.inject({ method: 'GET', url: '/api/system', headers: { 'x-auth-email': 'ops@example.com' } });
      expect(sso.statusCode).toBe(401);
      expect(sso.json()).toEqual({ detail: 'Authentication required.' });

      const off = await c.http.inject({ method: 'PUT', url: '/api/settings', headers: auth, payload: { auth_required: false } });
      expect(off.statusCode).toBe(409);
      expect(off.json().detail).toContain('auth_required');
      expect(c.settings.get().auth_required).toBe(true);
    } finally {
      await c.http.close();
      closeContainer(c);
      removeDir(dataDir);
    }
  });
});
