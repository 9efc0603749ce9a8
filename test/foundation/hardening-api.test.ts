// Hardening of the HTTP surface (issue 8). real: app + fastify on 127.0.0.1:0, SQLite file, ffmpeg discovery; mock: none.
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startTestApp, tempDataDir, type TestApp } from './app-harness';
import { call } from '../cameras/helpers';
import { isLoopbackAddress, isLoopbackHostHeader } from '../../src-main/shared/loopback';

/** A script that records that it ran and then pretends to be ffmpeg (or not). */
function fakeBinary(dir: string, banner: string): { path: string; ranMarker: string } {
  const ranMarker = join(dir, `ran-${Math.random().toString(36).slice(2)}`);
  const path = join(dir, `fake-ffmpeg-${Math.random().toString(36).slice(2)}.sh`);
  writeFileSync(path, `#!/bin/sh\ntouch '${ranMarker}'\necho '${banner}'\n`);
  chmodSync(path, 0o755);
  return { path, ranMarker };
}

describe('ffmpeg is chosen by the machine owner only', () => {
  let t: TestApp;
  let scratch: string;
  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'vigil-fake-ff-'));
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.stop();
    removeDir(t.dataDir);
    removeDir(scratch);
  });

  it('refuses ffmpeg_path over REST (422) and never runs the file', async () => {
    const fake = fakeBinary(scratch, 'ffmpeg version 99 Copyright libavcodec');
    const res = await call(t, 'PUT', '/api/settings', { ffmpeg_path: fake.path });
    expect(res.status).toBe(422);
    await new Promise((r) => setTimeout(r, 300));
    expect(existsSync(fake.ranMarker)).toBe(false);
    const sys = await call<{ ffmpeg: { path: string; source: string; version: string; ffprobe: string | null; error: string | null } }>(t, 'GET', '/api/system');
    expect(sys.body.ffmpeg.source).toBe('PATH');
    expect(sys.body.ffmpeg.path).not.toBe(fake.path);
    expect(sys.body.ffmpeg.version).toMatch(/\S/);
    expect(sys.body.ffmpeg.ffprobe).toMatch(/ffprobe$/);
    expect(sys.body.ffmpeg.error).toBeNull();
  });

  it('has no REST route for the desktop-only ffmpeg setter; over IPC it verifies the banner', async () => {
    expect((await call(t, 'PUT', '/ipc/system/ffmpeg-path', { path: '/bin/true' })).status).toBe(404);
    const local = { principal: { email: null, name: 'desktop', via: 'local' as const, role: 'admin' as const } };
    const d = t.app.container.dispatcher;
    const notFfmpeg = fakeBinary(scratch, 'hello, I am a shell script');
    await expect(d.call('system.setFfmpegPath', { path: notFfmpeg.path }, local)).rejects.toMatchObject({ status: 422 });
    const real = t.app.container.ffmpeg().path as string;
    await expect(d.call('system.setFfmpegPath', { path: real }, local)).resolves.toMatchObject({ path: real, source: 'local-settings' });
    await expect(d.call('system.setFfmpegPath', { path: null }, local)).resolves.toMatchObject({ source: 'PATH' });
  });

  it('an owner-configured binary that is not ffmpeg is rejected with a reason and discovery falls back to PATH', async () => {
    const fake = fakeBinary(scratch, 'definitely not a video tool');
    const other = await startTestApp({ env: { VIGIL_FFMPEG: fake.path } });
    try {
      const sys = await call<{ ffmpeg: { source: string; error: string | null; path: string } }>(other, 'GET', '/api/system');
      expect(sys.body.ffmpeg.source).toBe('PATH');
      expect(sys.body.ffmpeg.path).not.toBe(fake.path);
      expect(sys.body.ffmpeg.error).toMatch(/is not ffmpeg/);
    } finally {
      await other.stop();
      removeDir(other.dataDir);
    }
  });
});

describe('HTTP surface', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    expect((await call(t, 'POST', '/api/cameras', { name: 'X', rtsp_url: 'pattern://testsrc2', enabled: false })).status).toBe(201);
  });
  afterAll(async () => {
    await t.stop();
    removeDir(t.dataDir);
  });

  it('/health shows each worker as camera id and state only', async () => {
    const fakeStates = [{ camera_id: 7, state: 'backoff' as const, pid: 4242, restarts: 3, last_error: 'unreachable: rtsp://cam.internal:554/stream refused' }];
    const manager = t.app.container.manager as unknown as { states: () => typeof fakeStates };
    const orig = manager.states.bind(manager);
    manager.states = () => fakeStates;
    try {
      const res = await t.req('/health', { auth: false });
      const text = await res.text();
      expect(JSON.parse(text).workers).toEqual([{ camera_id: 7, state: 'backoff' }]);
      for (const leak of ['4242', 'cam.internal', 'last_error', 'pid']) expect(text).not.toContain(leak);
    } finally {
      manager.states = orig;
    }
  });

  it('the media token opens media routes only: not /api/push, /openapi.json, /docs or the JSON API', async () => {
    const token = t.app.container.auth.mediaToken;
    for (const path of ['/api/push', '/openapi.json', '/docs', '/docs/static/swagger-initializer.js', '/api/system', '/api/settings', '/api/no-such']) {
      const res = await t.req(`${path}?token=${token}`, { auth: false });
      expect(res.status, path).toBe(403);
      expect(await res.json(), path).toEqual({ detail: 'The media token only opens media routes; use the API key or a session.' });
    }
    const snap = await t.req(`/api/live/1/snapshot?token=${token}`, { auth: false });
    expect(snap.status).toBe(200);
    expect(snap.headers.get('content-type')).toBe('image/jpeg');
  });

  it('refuses state-changing requests from a foreign Origin in every auth mode', async () => {
    await call(t, 'PUT', '/api/settings', { auth_required: false });
    try {
      for (const origin of ['http://evil.example', 'null', 'http://127.0.0.1:1']) {
        const res = await t.req('/api/storage/cleanup', { method: 'POST', auth: false, headers: { origin, 'content-type': 'application/json' }, body: '{}' });
        expect(res.status, origin).toBe(403);
        expect(await res.json()).toEqual({ detail: 'Cross-origin request refused.' });
      }
      const same = await t.req('/api/storage/cleanup', { method: 'POST', auth: false, headers: { origin: t.base, 'content-type': 'application/json' }, body: '{}' });
      expect(same.status).toBe(200);
      const keyed = await t.req('/api/storage/cleanup', { method: 'POST', headers: { origin: 'http://evil.example', 'content-type': 'application/json' }, body: '{}' });
      expect(keyed.status).toBe(403);
    } finally {
      await call(t, 'PUT', '/api/settings', { auth_required: true });
    }
  });

  it('a 5xx body is a generic detail plus the request id that is in the log, never the exception text', async () => {
    const system = t.app.container.system as unknown as { system: () => Promise<unknown> };
    const orig = system.system.bind(system);
    system.system = () => Promise.reject(new Error('secret internals /var/lib/x at line 7'));
    try {
      const res = await t.req('/api/system');
      expect(res.status).toBe(500);
      const body = (await res.json()) as { detail: string; request_id: string };
      expect(body.detail).toBe('Internal server error');
      expect(body.request_id).toMatch(/^[0-9a-f]{16}$/);
      expect(JSON.stringify(body)).not.toContain('secret internals');
      const { readFileSync, readdirSync } = await import('node:fs');
      const logDir = join(t.dataDir, 'logs');
      const logs = readdirSync(logDir).map((f) => readFileSync(join(logDir, f), 'utf8')).join('\n');
      await new Promise((r) => setTimeout(r, 200));
      const again = readdirSync(logDir).map((f) => readFileSync(join(logDir, f), 'utf8')).join('\n');
      expect(logs + again).toContain(body.request_id);
    } finally {
      system.system = orig;
    }
  });

  it('a partial settings update changes only the keys it names', async () => {
    expect((await call(t, 'PUT', '/api/settings', { live_mjpeg_fps: 8 })).status).toBe(200);
    expect((await call(t, 'PUT', '/api/settings', { hls_enabled: false })).status).toBe(200);
    const s = (await call<{ live_mjpeg_fps: number; hls_enabled: boolean; retention_max_percent: number }>(t, 'GET', '/api/settings')).body;
    expect(s).toMatchObject({ live_mjpeg_fps: 8, hls_enabled: false, retention_max_percent: 85 });
    await call(t, 'PUT', '/api/settings', { live_mjpeg_fps: 10, hls_enabled: true });
  });

  it('refuses a standard request header as the SSO identity header', async () => {
    for (const h of ['User-Agent', 'accept', 'Cookie']) expect((await call(t, 'PUT', '/api/settings', { sso_email_header: h })).status, h).toBe(422);
    expect((await call(t, 'PUT', '/api/settings', { sso_email_header: 'X-Email' })).status).toBe(200);
    await call(t, 'PUT', '/api/settings', { sso_email_header: null });
  });

  it('ids are plain decimal digits: 0x1, +1 and 1e0 do not address camera 1', async () => {
    for (const raw of ['0x1', '+1', '1e0', '%201', '01']) {
      const res = await t.req(`/api/cameras/${raw}`);
      expect(res.status, raw).toBe(422);
    }
    expect((await t.req('/api/cameras/1')).status).toBe(200);
  });

  it('framework-level errors keep the {detail} shape; streaming routes have no HEAD that hangs', async () => {
    const bad = await t.req('/api/cameras/%zz/status');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ detail: 'Malformed request URL.' });
    const long = await t.req(`/api/cameras/${'9'.repeat(200)}/status`);
    expect([414, 422]).toContain(long.status);
    expect(Object.keys((await long.json()) as object)).toEqual(['detail']);
    // A HEAD of a streaming route answers at once (404, or 400 where it falls through to the segment route), never hangs.
    for (const path of ['/api/push', '/api/live/1/stream', '/api/live/1/hls/index.m3u8']) {
      const res = await t.req(path, { method: 'HEAD', signal: AbortSignal.timeout(5000) });
      expect([400, 404], path).toContain(res.status);
    }
  });

  it('a probe of an unusable RTSP URL with credentials is a probe result, not a 500', async () => {
    for (const body of [{ rtsp_url: 'rtsp://:554/x', username: 'u', password: 'p' }, { rtsp_url: 'rtsp://u:p@:554/x' }]) {
      const res = await call<{ ok: boolean; error: string }>(t, 'POST', '/api/cameras/probe', body);
      expect(res.status, JSON.stringify(body)).toBe(200);
      expect(res.body.ok).toBe(false);
      expect(res.body.error).not.toContain(':p@');
    }
  });

  it('keeps no state per session (signed tokens); a logout is a revocation that the sweep drops once the token expired', async () => {
    const auth = t.app.container.auth;
    const tokens = await Promise.all(Array.from({ length: 300 }, () => auth.login(t.key)));
    expect(new Set(tokens).size).toBe(300);
    for (const s of tokens.slice(0, 50)) await auth.logout(s);
    await expect(auth.authenticate({ session: tokens[0] })).rejects.toMatchObject({ status: 401 });
    expect((await auth.authenticate({ session: tokens[299] })).via).toBe('session');
    expect(auth.sweep(Date.now() + 8 * 24 * 3600_000)).toBeGreaterThanOrEqual(50);
  });
});

describe('loopback parsing', () => {
  it('accepts 127.0.0.0/8 and ::1 literals and localhost only', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '127.255.255.255', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST']) expect(isLoopbackAddress(h), h).toBe(true);
    for (const h of ['127.evil.com', '127.0.0.1.nip.io', '127.0.0.256', '0177.0.0.1', '127.1', '0.0.0.0', '::', '192.168.1.5', '::ffff:10.0.0.1', 'localhost.evil', '', '[::1'])
      expect(isLoopbackAddress(h), h).toBe(false);
  });

  it('reads Host headers with ports and brackets', () => {
    for (const h of ['127.0.0.1:8787', 'localhost', '[::1]:80', '127.3.2.1']) expect(isLoopbackHostHeader(h), h).toBe(true);
    for (const h of ['127.0.0.1.evil.com:8787', '127.evil:80', 'evil.com', '[::2]:80', undefined, '127.0.0.1:80:90']) expect(isLoopbackHostHeader(h), String(h)).toBe(false);
  });
});

describe('every route declares who may call it', () => {
  it('refuses to start when a route declares no access', async () => {
    const { createHttpServer } = await import('../../src-main/transport/rest/http-server');
    const dir = tempDataDir();
    const t = await startTestApp({ dataDir: dir });
    try {
      const c = t.app.container;
      await expect(
        createHttpServer({
          version: '0',
          host: '127.0.0.1',
          loopbackOnly: true,
          port: 0,
          rendererDir: null,
          dispatcher: c.dispatcher,
          auth: c.auth,
          settings: c.settings,
          bus: c.bus,
          log: c.log,
          modules: [
            (app) => {
              app.get('/api/undeclared', async () => ({ ok: true }));
              return [];
            },
          ],
        }),
      ).rejects.toThrow(/declares no access/);
    } finally {
      await t.stop();
      removeDir(dir);
    }
  });
});
