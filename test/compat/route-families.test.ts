// Every route family behind deny-by-default auth. real: app + fastify on 127.0.0.1:0, SQLite file, Argon2id, JWT
// sessions, the reference documents in ../shared/reference; mock: none.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startTestApp, tempDataDir, type TestApp } from '../foundation/app-harness';
import { call, JSON_HEADERS } from '../cameras/helpers';

const REFERENCE = join(__dirname, '..', '..', '..', 'shared', 'reference');
type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Flex's endpoint tables: "| GET | /flex/pipeline/{id} | Get pipeline |". */
export function flexRoutes(): [Method, string][] {
  const text = readFileSync(join(REFERENCE, '001_088ee65c2d7dfcd7.txt'), 'utf8');
  const rows = [...text.matchAll(/^\| (GET|POST|PUT|DELETE) \| (\/flex\/[^\s|]*) \|/gm)].map((m) => [m[1] as Method, (m[2] as string).split('?')[0] as string] as [Method, string]);
  // The login route is documented in the text, not in a table.
  if (/POST https:\/\/<encoder-ip>:3539\/flex\/auth\/login/.test(text.replace(/\s+/g, ' ').replace('-X POST https', 'POST https'))) rows.push(['POST', '/flex/auth/login']);
  return rows;
}

/** Backflow's API reference table: "GET/tenant/iot/:id/snapshotCapture JPEG snapshot". */
export function backflowRoutes(): [Method, string][] {
  const text = readFileSync(join(REFERENCE, '000_135048dac57e3137.txt'), 'utf8');
  return [...text.matchAll(/^(GET|POST|PUT|DELETE)(\/tenant\/iot[a-z0-9/:.\-?=]*)/gm)].map((m) => [m[1] as Method, ((m[2] as string).split('?')[0] as string).replace(/:(\w+)/g, '{$1}')]);
}

const concrete = (path: string): string => path.replace(/\{id\}/g, 'front-door').replace(/\{segment\}/g, 'seg00001.ts').replace(/\{file\}/g, 'p--x.jpg').replace(/\{(\w+)\}/g, '1');

type OpenApi = { paths: Record<string, Record<string, { security?: unknown[] }>> };

const PUBLIC_ROUTES = new Set(['GET /health', 'GET /login', 'POST /api/auth/login', 'POST /api/auth/logout', 'GET /api/auth/session', 'GET /flex/health', 'GET /flex/healthz', 'POST /flex/auth/login', 'POST /tenant/auth/login', 'GET /auth/status', 'POST /auth/validate',
  // Streams: the pairing code and the X-Stream-Token are these routes' credentials (checked by the streams service).
  'POST /api/v1/streams/pair',
  'POST /api/v1/streams/{id}/frame',
]);

function expect401(family: 'iris' | 'flex' | 'backflow' | 'pi', body: unknown, what: string): void {
  if (family === 'pi') expect(body, what).toEqual({ error: 'Authentication required.', code: 'UNAUTHORIZED' });
  if (family === 'iris') expect(body, what).toEqual({ detail: 'Authentication required.' });
  if (family === 'flex') expect(body, what).toMatchObject({ success: false, error: { code: 'UNAUTHORIZED' } });
  if (family === 'backflow') expect(body, what).toMatchObject({ error: { status: 401, code: 'UNAUTHORIZED' } });
}
const familyOf = (path: string) => (path.startsWith('/flex') ? 'flex' : path.startsWith('/tenant') ? 'backflow' : /^\/(api|health|openapi\.json|docs)(\/|$)/.test(path) ? 'iris' : 'pi');

describe('route families', () => {
  let t: TestApp;
  let doc: OpenApi;
  beforeAll(async () => {
    t = await startTestApp();
    doc = (await (await t.req('/openapi.json')).json()) as OpenApi;
  });
  afterAll(async () => {
    await t.stop();
    removeDir(t.dataDir);
  });

  it('serves every documented route of Flex and Backflow, and documents it in OpenAPI with its family error shape', () => {
    const flex = flexRoutes();
    const backflow = backflowRoutes();
    expect(flex.length).toBeGreaterThanOrEqual(24);
    expect(backflow.length).toBe(12);
    for (const [method, path] of [...flex, ...backflow]) {
      const url = path.replace(/\{(\w+)\}/g, ':$1');
      expect(t.app.container.http.hasRoute({ method, url }), `${method} ${path}`).toBe(true);
      expect(doc.paths[path]?.[method.toLowerCase()], `OpenAPI ${method} ${path}`).toBeDefined();
    }
    const schemas = (doc as unknown as { components: { schemas: Record<string, unknown> } }).components.schemas;
    expect(Object.keys(schemas).sort()).toEqual(['BackflowError', 'Error', 'FlexError', 'PiError']);
  });

  it('every route of every family without a credential gets its family 401 (never 200 or HTML); public ones are listed', async () => {
    let checked = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [m, op] of Object.entries(ops)) {
        const method = m.toUpperCase();
        const key = `${method} ${path}`;
        if (Array.isArray(op.security) && op.security.length === 0) {
          expect(PUBLIC_ROUTES.has(key), `${key} is public`).toBe(true);
          continue;
        }
        const res = await t.req(concrete(path), { auth: false, method, headers: method === 'GET' || method === 'DELETE' ? {} : JSON_HEADERS, body: method === 'GET' || method === 'DELETE' ? undefined : '{}' });
        expect(res.status, key).toBe(401);
        expect(res.headers.get('content-type'), key).toMatch(/^application\/json/);
        expect401(familyOf(path), await res.json(), key);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
    for (const path of ['/flex/nope', '/flex', '/tenant/nope', '/tenant/iot/x/y/z', '/api/nope', '/storage/nope', '/logs/script/a/b/c', '/sensor']) {
      const res = await t.req(path, { auth: false });
      expect(res.status, path).toBe(401);
      expect401(familyOf(path), await res.json(), path);
      const withKey = await t.req(path);
      expect(withKey.status, path).toBe(404);
      expect(withKey.headers.get('content-type'), path).toMatch(/^application\/json/);
    }
    // The media token opens media routes only: no family route.
    const token = t.app.container.auth.mediaToken;
    for (const path of ['/flex/pipeline', '/tenant/iot', '/settings', '/events']) expect((await t.req(`${path}?token=${token}`, { auth: false })).status, path).toBe(403);
  });

  it('a viewer reads but cannot change a camera: 403 in each family shape; the Iris API key and a personal key work as bearer in every family', async () => {
    const cam = await call<{ id: number }>(t, 'POST', '/api/cameras', { name: 'Gate', rtsp_url: 'pattern://testsrc2', enabled: false });
    expect(cam.status).toBe(201);
    const user = await call<{ id: number; role: string }>(t, 'POST', '/api/users', { username: 'vera', password: 'viewer-password-1', role: 'viewer' });
    expect(user.status).toBe(201);
    expect(user.text).not.toContain('viewer-password-1');
    const login = await call<{ success: boolean; data: { token: string } }>(t, 'POST', '/flex/auth/login', { username: 'vera', password: 'viewer-password-1' });
    expect(login.status).toBe(200);
    const key = await call<{ api_key: string }>(t, 'POST', `/api/users/${user.body.id}/api-key`);
    for (const bearer of [login.body.data.token, key.body.api_key]) {
      const as = (path: string, method = 'GET', body?: unknown) => t.req(path, { method, headers: { authorization: `Bearer ${bearer}`, ...(body ? JSON_HEADERS : {}) }, body: body ? JSON.stringify(body) : undefined });
      expect((await as('/api/cameras')).status).toBe(200);
      expect((await as('/tenant/iot')).status).toBe(200);
      expect((await as('/flex/pipeline')).status).toBe(200);
      const iris = await as(`/api/cameras/${cam.body.id}`, 'PUT', { name: 'Renamed' });
      expect(iris.status).toBe(403);
      expect(await iris.json()).toEqual({ detail: expect.stringContaining('cameras:write') });
      const flex = await as('/flex/pipeline', 'POST', { name: 'p', source: { camera_id: cam.body.id }, output: { kind: 'hls' } });
      expect(flex.status).toBe(403);
      expect(await flex.json()).toMatchObject({ success: false, error: { code: 'FORBIDDEN' } });
      const backflow = await as('/tenant/iot/gate', 'PUT', { name: 'Renamed' });
      expect(backflow.status).toBe(403);
      expect(await backflow.json()).toMatchObject({ error: { status: 403, code: 'FORBIDDEN' } });
      expect((await as('/api/users')).status).toBe(403);
      expect((await as('/api/auth/api-key')).status).toBe(403);
    }
    for (const path of ['/api/cameras', '/flex/pipeline', '/tenant/iot']) expect((await t.req(path)).status, path).toBe(200);
    expect((await call<{ name: string }>(t, 'GET', `/api/cameras/${cam.body.id}`)).body.name).toBe('Gate');
  });

  it('login routes are limited to 5 per 15 minutes per address: 429 with Retry-After in the family shape', async () => {
    for (const [path, body, family] of [
      ['/flex/auth/login', { password: 'wrong-password-x' }, 'flex'],
      ['/tenant/auth/login', { username: 'vera', password: 'wrong-password-x' }, 'backflow'],
      ['/api/auth/login', { api_key: 'wrong' }, 'iris'],
    ] as const) {
      let last: Response | null = null;
      for (let i = 0; i < 7; i++) {
        last = await t.req(path, { auth: false, method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) });
        if (last.status === 429) break;
        expect(last.status, path).toBe(401);
      }
      expect(last?.status, path).toBe(429);
      expect(Number(last?.headers.get('retry-after')), path).toBeGreaterThan(0);
      const b = await last?.json();
      if (family === 'flex') expect(b).toMatchObject({ success: false, error: { code: 'RATE_LIMITED' } });
      if (family === 'backflow') expect(b).toMatchObject({ error: { status: 429, code: 'RATE_LIMITED' } });
      if (family === 'iris') expect(b).toEqual({ detail: expect.stringContaining('Too many requests') });
    }
    // A valid API key is never throttled: the UIs log in with it again and again.
    for (let i = 0; i < 3; i++) expect((await t.req('/api/auth/login', { auth: false, method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ api_key: t.key }) })).status).toBe(200);
  });
});

describe('the platform', () => {
  it('refuses to start when a family route declares no access, and serves a declared one in the family shape', async () => {
    const { createHttpServer } = await import('../../src-main/transport/rest/http-server');
    const { flexFamily } = await import('../../src-main/transport/rest/compat/flex/flex.family');
    const { allow } = await import('../../src-main/transport/rest/platform/access');
    const dataDir = tempDataDir();
    const t = await startTestApp({ dataDir });
    try {
      const c = t.app.container;
      const base = { version: '0', host: '127.0.0.1', loopbackOnly: true, port: 0, rendererDir: null, dispatcher: c.dispatcher, auth: c.auth, settings: c.settings, bus: c.bus, log: c.log, modules: [] };
      await expect(
        createHttpServer({ ...base, families: [{ family: flexFamily, prefix: '/flex', routes: (app) => (app.get('/undeclared', async () => ({ ok: true })), []) }] }),
      ).rejects.toThrow(/declares no access/);
      const ok = await createHttpServer({ ...base, families: [{ family: flexFamily, prefix: '/flex', routes: (app) => (app.get('/declared', allow('system:write'), async () => ({ ok: true })), []) }] });
      const anon = await ok.inject({ method: 'GET', url: '/flex/declared', headers: { host: '127.0.0.1' } });
      expect(anon.statusCode).toBe(401);
      expect(anon.json()).toMatchObject({ success: false, error: { code: 'UNAUTHORIZED' } });
      const admin = await ok.inject({ method: 'GET', url: '/flex/declared', headers: { host: '127.0.0.1', authorization: `Bearer ${t.key}` } });
      expect(admin.json()).toEqual({ ok: true });
      await ok.close();
    } finally {
      await t.stop();
      removeDir(dataDir);
    }
  });
});

describe('sessions', () => {
  it('a session token survives a restart; a logout or a password change ends it', async () => {
    const dataDir = tempDataDir();
    try {
      let t = await startTestApp({ dataDir });
      const user = await call<{ id: number }>(t, 'POST', '/api/users', { username: 'ops', password: 'operator-password-1', role: 'operator' });
      const login = await call<{ token: string; role: string }>(t, 'POST', '/tenant/auth/login', { username: 'ops', password: 'operator-password-1' });
      expect(login.body.role).toBe('operator');
      const irisLogin = await t.req('/api/auth/login', { auth: false, method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ api_key: t.key }) });
      const cookie = (irisLogin.headers.get('set-cookie') ?? '').split(';')[0] as string;
      // The browser UI's login also takes a username and password: the cookie then carries the user's role.
      const userLogin = await t.req('/api/auth/login', { auth: false, method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ username: 'ops', password: 'operator-password-1' }) });
      const opsCookie = (userLogin.headers.get('set-cookie') ?? '').split(';')[0] as string;
      expect(await (await t.req('/api/auth/session', { auth: false, headers: { cookie: opsCookie } })).json()).toEqual({ authenticated: true, auth_required: true, via: 'session', role: 'operator' });
      expect((await t.req('/api/settings', { auth: false, headers: { cookie: opsCookie } })).status).toBe(403);
      await t.stop();

      t = await startTestApp({ dataDir });
      const bearer = { authorization: `Bearer ${login.body.token}` };
      expect((await t.req('/tenant/iot', { headers: bearer })).status).toBe(200);
      expect((await t.req('/api/events', { headers: bearer })).status).toBe(200);
      expect((await t.req('/api/system', { auth: false, headers: { cookie } })).status).toBe(200);
      expect((await call(t, 'PUT', `/api/users/${user.body.id}`, { password: 'operator-password-2' })).status).toBe(200);
      expect((await t.req('/tenant/iot', { headers: bearer })).status).toBe(401);
      expect((await t.req('/api/auth/logout', { auth: false, method: 'POST', headers: { cookie } })).status).toBe(204);
      await t.stop();

      t = await startTestApp({ dataDir });
      expect((await t.req('/api/system', { auth: false, headers: { cookie } })).status).toBe(401);
      await t.stop();
    } finally {
      removeDir(dataDir);
    }
  }, 120_000);
});
