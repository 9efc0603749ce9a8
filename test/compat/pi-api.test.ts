// Raspberry Pi camera root routes (the Pi family). real: app + fastify on 127.0.0.1:0, SQLite file, ffmpeg file camera
// recording segments, ffmpeg grabs and H.264 stitching, clip finalizer, Argon2id, log files in the data folder, SSE over
// real HTTP; mock: none (the mock sensor is Vigil's own API-driven sensor type; the timelapse interval is test-sized, 2 s).
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Camera } from '../../src-main/shared/contract/cameras.contract';
import type { EventDto } from '../../src-main/shared/contract/events.contract';
import { PI_DOCS } from '../../src-main/transport/rest/compat/pi/pi.routes';
import { dayKey } from '../../src-main/services/stills/timelapse.service';
import { removeDir, startTestApp, type TestApp } from '../foundation/app-harness';
import { API_KEY, call, isJpeg, JSON_HEADERS, readSse, until } from '../cameras/helpers';
import { VTEST } from '../support/rtsp-server';

const REFERENCE = join(__dirname, '..', '..', '..', 'shared', 'reference', '003_601fdf429a3e91f3.txt');
type Method = 'GET' | 'POST';
type PiError = { error: string; code: string };

/** Every route the document names: its curl examples (method from -X), the SSE URL, and the summary table's paths. */
export function piRoutes(): { curl: [Method, string][]; table: string[] } {
  const text = readFileSync(REFERENCE, 'utf8');
  const curl: [Method, string][] = [];
  for (const m of text.matchAll(/curl (?:-X (GET|POST) )?(?:-H "[^"]*" )?["']?http:\/\/<pi-ip>:5005(\/[^\s"'?\\]*)/g)) {
    curl.push([(m[1] as Method | undefined) ?? 'GET', (m[2] as string).replace(/^\/logs\/script\/[^/]+\/[^/]+$/, '/logs/script/{category}/{file}')]);
  }
  for (const m of text.matchAll(/^http:\/\/<pi-ip>:5005(\/[a-z_/-]+)\?token=/gm)) curl.push(['GET', m[1] as string]);
  const table: string[] = [];
  for (const m of text.matchAll(/^\| [A-Z][a-z]+ \| (\/[^|]+) \|$/gm)) table.push(...(m[1] as string).split(',').map((p) => p.trim().replace(/<(\w+)>/g, '{$1}')));
  return { curl, table };
}

let t: TestApp;
let media: string;
let cam: Camera;
let doc: { paths: Record<string, Record<string, { security?: unknown[] }>> };

const piError = (body: unknown): PiError => {
  expect(body).toEqual(expect.objectContaining({ error: expect.any(String), code: expect.stringMatching(/^[A-Z][A-Z0-9_]+$/) }));
  expect(Object.keys(body as object).every((k) => ['error', 'code', 'details', 'request_id'].includes(k))).toBe(true);
  return body as PiError;
};

beforeAll(async () => {
  media = mkdtempSync(join(tmpdir(), 'vigil-pi-media-'));
  copyFileSync(VTEST, join(media, 'street.avi'));
  t = await startTestApp({ apiKey: API_KEY, args: ['--media-dir', media], deps: { timelapseIntervalSeconds: 2 } });
  expect((await call(t, 'PUT', '/api/settings', { detector_model: null, segment_seconds: 2 })).status).toBe(200);
  const r = await call<Camera>(t, 'POST', '/api/cameras', { name: 'Porch', rtsp_url: join(media, 'street.avi'), motion_enabled: false, detect_enabled: false, pre_seconds: 1 });
  expect(r.status).toBe(201);
  cam = r.body;
  doc = (await (await t.req('/openapi.json')).json()) as typeof doc;
}, 120_000);

afterAll(async () => {
  await t?.stop();
  if (t) removeDir(t.dataDir);
  if (media) removeDir(media);
});

describe('Pi family: routes and auth', () => {
  it('serves every route of the reference document (examples and summary table) and documents it in OpenAPI', () => {
    const { curl, table } = piRoutes();
    expect(curl.length).toBeGreaterThanOrEqual(40);
    expect(table.length).toBeGreaterThanOrEqual(30);
    for (const [method, path] of curl) {
      expect(t.app.container.http.hasRoute({ method, url: path.replace(/\{(\w+)\}/g, ':$1') }), `${method} ${path}`).toBe(true);
      expect(doc.paths[path]?.[method.toLowerCase()], `OpenAPI ${method} ${path}`).toBeDefined();
    }
    for (const path of table) {
      const ops = doc.paths[path];
      expect(ops, `OpenAPI ${path}`).toBeDefined();
      const method = Object.keys(ops ?? {})[0]?.toUpperCase() as Method;
      expect(t.app.container.http.hasRoute({ method, url: path.replace(/\{(\w+)\}/g, ':$1') }), `${method} ${path}`).toBe(true);
    }
    // Every documented Pi route answers in the Pi error shape.
    for (const d of PI_DOCS) expect((doc.paths[d.path]?.[d.method.toLowerCase()] as { responses?: Record<string, unknown> })?.responses, d.path).toBeDefined();
  });

  it('every non-exempt route is 401 without a credential in the Pi shape; /auth/status and /auth/validate stay exempt', async () => {
    let checked = 0;
    for (const d of PI_DOCS) {
      const path = d.path.replace('{category}', 'install').replace('{file}', 'x.log');
      const res = await t.req(path, { auth: false, method: d.method, headers: d.method === 'POST' ? JSON_HEADERS : {}, body: d.method === 'POST' ? '{}' : undefined });
      if (d.public) {
        expect(res.status, d.path).not.toBe(401);
        continue;
      }
      expect(res.status, `${d.method} ${d.path}`).toBe(401);
      expect(piError(await res.json()).code).toBe('UNAUTHORIZED');
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(50);
    // An unknown path under a Pi prefix: 401, then the Pi 404 with a credential (never the SPA).
    expect(piError(await (await t.req('/sensor/nope', { auth: false })).json()).code).toBe('UNAUTHORIZED');
    const nf = await t.req('/sensor/nope');
    expect(nf.status).toBe(404);
    expect(piError(await nf.json()).code).toBe('NOT_FOUND');
  });

  it('takes the token as a Bearer header or ?token= (SSE); /auth/status says whether it is valid', async () => {
    expect((await call(t, 'GET', '/auth/status')).body).toEqual({ enabled: true, valid: true });
    expect(await (await t.req('/auth/status', { auth: false })).json()).toEqual({ enabled: true, valid: null });
    expect(await (await t.req(`/auth/status?token=${API_KEY}`, { auth: false })).json()).toEqual({ enabled: true, valid: true });
    expect(await (await t.req('/auth/status?token=wrong', { auth: false })).json()).toEqual({ enabled: true, valid: false });
    expect((await t.req(`/settings?token=${API_KEY}`, { auth: false })).status).toBe(200);
    expect((await t.req('/settings?token=wrong', { auth: false })).status).toBe(401);

    const ac = new AbortController();
    const res = await t.req(`/events?token=${encodeURIComponent(API_KEY)}`, { auth: false, signal: ac.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const sse = readSse(res);
    await until('connected', () => sse.text().includes(': connected'), 10_000, 50);
    t.app.container.bus.emit('system.alert', { overall: 'warn', alerts: { cpu_temp: 'warn', throttle: 'unavailable', storage: 'ok', sd_health: 'unavailable' }, values: { cpu_temp: 70, throttle: null, storage: 40, sd_health: null }, changed: ['cpu_temp'] });
    const ev = await until('system_alert', () => sse.events.find((e) => e.event === 'system_alert'), 10_000, 50);
    expect(ev.data).toMatchObject({ overall: 'warn', changed: ['cpu_temp'] });
    await sse.stop();
    ac.abort();
  });

  it('logs in with the "admin" user password, sets it (403 wrong current, 400 short) and regenerates the key', async () => {
    expect(await (await t.req('/auth/validate', { auth: false, method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ password: 'whatever-1' }) })).json()).toEqual({ valid: false });
    expect((await call(t, 'POST', '/api/users', { username: 'admin', password: 'first-password-1', role: 'admin' })).status).toBe(201);
    const ok = await t.req('/auth/validate', { auth: false, method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ password: 'first-password-1' }) });
    const login = (await ok.json()) as { valid: boolean; token: string };
    expect(login).toMatchObject({ valid: true, token: expect.any(String) });
    expect(login.token).not.toBe(API_KEY);
    const bearer = { authorization: `Bearer ${login.token}` };
    expect((await t.req('/settings', { headers: bearer })).status).toBe(200);
    const setPw = (body: unknown) => t.req('/auth/set-password', { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) });
    const wrong = await setPw({ current: 'not-it', new: 'second-password' });
    expect(wrong.status).toBe(403);
    expect(piError(await wrong.json()).code).toBe('FORBIDDEN');
    const short = await setPw({ current: 'first-password-1', new: 'abc' });
    expect(short.status).toBe(400);
    expect(piError(await short.json()).code).toBe('VALIDATION_ERROR');
    const good = await setPw({ current: 'first-password-1', new: 'abcd' });
    expect(good.status).toBe(200);
    expect(await good.json()).toEqual({ message: 'Password updated' });
    // The password change ended the admin's sessions.
    expect((await t.req('/settings', { headers: bearer })).status).toBe(401);
    expect(await (await t.req('/auth/validate', { auth: false, method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ password: 'abcd' }) })).json()).toMatchObject({ valid: true });
  });

  it('answers a clear 501 in the Pi shape for Bluetooth, reboot and the captive portal', async () => {
    for (const [method, path] of [
      ['POST', '/bt/scan'],
      ['POST', '/bt/discoverable'],
      ['POST', '/devices/bt/add'],
      ['POST', '/devices/bt/remove'],
      ['POST', '/bluetooth/pair'],
      ['POST', '/system/reboot'],
      ['GET', '/captive-portal'],
      ['POST', '/captive-portal'],
    ] as const) {
      const r = await call(t, method, path, method === 'POST' ? { timeout: 90, address: 'AA:BB:CC:DD:EE:FF' } : undefined);
      expect(r.status, path).toBe(501);
      const e = piError(r.body);
      expect(e.code).toBe('NOT_SUPPORTED');
      expect(e.error).toContain('not supported on this host');
    }
    const cp = await call(t, 'POST', '/settings', { CaptivePortal: { enabled: true } });
    expect(cp.status).toBe(501);
  });

  it('maps system routes: alert state, info, deploy info, update check without network, restart of the core', async () => {
    const alert = await call<{ overall: string; alerts: Record<string, string> }>(t, 'GET', '/system_alert_state');
    expect(alert.status).toBe(200);
    expect(['ok', 'warn', 'critical']).toContain(alert.body.overall);
    expect(Object.keys(alert.body.alerts).sort()).toEqual(['cpu_temp', 'sd_health', 'storage', 'throttle']);
    expect((await call<{ version: string }>(t, 'GET', '/system_info')).body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect((await call(t, 'GET', '/deploy_info')).body).toMatchObject({ git_branch: null, git_commit: null });
    expect((await call(t, 'GET', '/system/update/check')).body).toMatchObject({ available: false, error: expect.any(String) });
    const r = await call(t, 'POST', '/system/restart');
    expect(r.body).toEqual({ message: 'Restarting services...' });
    // The camera's ingest comes back after the restart.
    await new Promise((res) => setTimeout(res, 1500));
    await until('the camera running again', async () => (await call<{ status: string }>(t, 'GET', `/api/cameras/${cam.id}`)).body.status === 'online', 60_000, 500);
  }, 90_000);
});

describe('Pi family: storage, settings, logs', () => {
  it('reports and configures storage auto-delete through the retention settings, and cleans up on demand', async () => {
    const s = await call<{ enabled: boolean; max_percent: number; percent: number; total_bytes: number }>(t, 'GET', '/storage/status');
    expect(s.body).toMatchObject({ enabled: true, max_percent: 85 });
    expect(s.body.total_bytes).toBeGreaterThan(0);
    expect((await call(t, 'POST', '/storage/configure', { enabled: true, max_percent: 90 })).body).toMatchObject({ enabled: true, max_percent: 90 });
    expect(t.app.container.settings.get().retention_max_percent).toBe(90);
    expect((await call(t, 'POST', '/storage/configure', { enabled: false })).body).toMatchObject({ enabled: false, max_percent: 99 });
    expect((await call(t, 'POST', '/storage/configure', { enabled: true, max_percent: 85 })).body).toMatchObject({ enabled: true, max_percent: 85 });
    const bad = await call(t, 'POST', '/storage/configure', { max_percent: 'lots' });
    expect(bad.status).toBe(400);
    piError(bad.body);
    expect((await call(t, 'POST', '/storage/cleanup')).body).toMatchObject({ deleted_segments: expect.any(Number), storage: { enabled: true } });
    const settings = await call<{ StorageLimit: unknown; Timelapse: { fps: number } }>(t, 'POST', '/settings', { StorageLimit: { enabled: true, max_percent: 80 }, Timelapse: { fps: 12 } });
    expect(settings.body).toMatchObject({ StorageLimit: { enabled: true, max_percent: 80 }, Timelapse: { fps: 12 }, CaptivePortal: { enabled: false } });
    expect((await call(t, 'POST', '/settings', { Bogus: {} })).status).toBe(400);
  });

  it('serves parsed logs with the limit capped at 2000, level and search filters, and script logs by category', async () => {
    const dir = join(t.dataDir, 'logs');
    const lines = Array.from({ length: 2500 }, (_, i) => JSON.stringify({ level: i % 10 === 0 ? 50 : 30, time: Date.parse('2026-01-01T00:00:00Z') + i, module: 'pitest', msg: `line ${i}${i === 7 ? ' presence needle' : ''}` }));
    writeFileSync(join(dir, '2026-01-01-vigil.log'), `${lines.join('\n')}\n`);
    mkdirSync(join(dir, 'install'), { recursive: true });
    writeFileSync(join(dir, 'install', '2026-04-01_09-51-07.log'), 'installing\ndone\n');
    const capped = await call<{ ts: string; level: string; source: string; message: string }[]>(t, 'GET', '/logs/api?limit=5000');
    expect(capped.status).toBe(200);
    expect(capped.body).toHaveLength(2000);
    expect(Object.keys(capped.body[0] ?? {}).sort()).toEqual(['level', 'message', 'source', 'ts']);
    expect((await call<unknown[]>(t, 'GET', '/logs/api?limit=3')).body).toHaveLength(3);
    const errors = await call<{ level: string }[]>(t, 'GET', '/logs/api?level=ERROR&limit=2000');
    expect(errors.body.length).toBeGreaterThanOrEqual(250);
    expect(errors.body.every((e) => e.level === 'ERROR')).toBe(true);
    expect((await call<{ message: string }[]>(t, 'GET', '/logs/api?search=PRESENCE%20NEEDLE')).body.map((e) => e.message)).toEqual(['line 7 presence needle']);
    for (const bad of ['/logs/api?limit=abc', '/logs/api?limit=-1', '/logs/api?level=LOUD']) {
      const r = await call(t, 'GET', bad);
      expect(r.status, bad).toBe(400);
      piError(r.body);
    }
    expect((await call(t, 'GET', '/logs/mediamtx?limit=10')).status).toBe(200);
    const scripts = await call<{ name: string; category: string; size: number }[]>(t, 'GET', '/logs/install');
    expect(scripts.body).toContainEqual(expect.objectContaining({ name: 'install/2026-04-01_09-51-07.log', category: 'install', size: 16 }));
    const text = await t.req('/logs/script/install/2026-04-01_09-51-07.log');
    expect(text.status).toBe(200);
    expect(await text.text()).toBe('installing\ndone\n');
    expect((await call(t, 'GET', '/logs/script/install/missing.log')).status).toBe(404);
  });
});

describe('Pi family: path parameters never escape', () => {
  it('answers 400 in the Pi shape to traversal on every path parameter and path-valued field (never 200 or 500)', async () => {
    writeFileSync(join(t.dataDir, 'snapshot_20260101_000000.jpg'), 'not in the snapshots folder');
    const abs = (p: string) => encodeURIComponent(join(t.dataDir, p));
    const gets = [
      // (a bare %2E%2E segment is a dot segment to every URL parser, so it never reaches a parameter)
      '/logs/script/..%2F..%2Fetc/passwd',
      '/logs/script/install/..%2F..%2Fvigil.db',
      '/logs/script/%2E%2E%2F%2E%2E/passwd',
      '/logs/script/.hidden/x.log',
      '/thumbnail/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd',
      '/thumbnail/vigil.db',
      '/sprite/%2E%2E%2Fclips%2F1%2Fx.mp4',
      `/sprite/${encodeURIComponent('/etc/passwd')}`,
      '/thumbnail?video_path=/etc/passwd',
      '/thumbnail?video_path=../../etc/passwd',
      `/sprite?video_path=${abs('clips/1/2026-01-01/../../../vigil.db')}`,
      '/thumbnail',
      '/timelapse/video?path=/etc/passwd',
      '/timelapse/video?path=../vigil.db',
      `/timelapse/video?path=${abs('vigil.db')}`,
      `/timelapse/video?path=${abs('timelapse/1/../../vigil.db')}`,
      '/snapshot_image?path=/etc/passwd',
      `/snapshot_image?path=${abs('snapshot_20260101_000000.jpg')}`,
      `/snapshot_image?path=${abs('snapshots/../vigil.db')}`,
      '/snapshot_image?path=%00',
    ];
    for (const path of gets) {
      const r = await call(t, 'GET', path);
      expect(r.status, path).toBe(400);
      piError(r.body);
    }
    const posts: [string, unknown][] = [
      ['/delete_snapshot', { snapshot_path: '/etc/passwd' }],
      ['/delete_snapshot', { snapshot_path: join(t.dataDir, 'snapshot_20260101_000000.jpg') }],
      ['/delete_snapshot', { snapshot_path: 'snapshots/../../etc/passwd' }],
      ['/delete_snapshot', { snapshot_path: 42 }],
      ['/timelapse/delete', { path: join(t.dataDir, 'vigil.db') }],
      ['/timelapse/delete', { path: '../../etc/timelapse_20260101.mp4' }],
      ['/timelapse/delete', { path: 'timelapse/1/../../vigil.db' }],
    ];
    for (const [path, body] of posts) {
      const r = await call(t, 'POST', path, body);
      expect(r.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      piError(r.body);
    }
    expect(existsSync(join(t.dataDir, 'vigil.db'))).toBe(true);
    expect(existsSync(join(t.dataDir, 'snapshot_20260101_000000.jpg'))).toBe(true);
  });
});

describe('Pi family: stills, sensors and recordings through the routes', () => {
  it('snapshots: save → list → image (24 h cache) → archive count and archive_updated → delete → 404', async () => {
    await until('recording', () => (t.app.container.db.prepare('SELECT COUNT(*) FROM segments WHERE camera_id = ?').pluck().get(cam.id) as number) >= 2, 90_000, 500);
    const before = new Date(Date.now() - 1000).toISOString();
    const res = await t.req('/events', {});
    const sse = readSse(res);
    await until('connected', () => sse.text().includes(': connected'), 10_000, 50);
    const saved = await call<{ path: string; size: number; relative_path: string }>(t, 'POST', '/snapshot', {});
    expect(saved.status).toBe(200);
    expect(saved.body.path).toBe(join(t.dataDir, saved.body.relative_path));
    expect(saved.body.path).toMatch(/\/snapshots\/snapshot_[\w-]+\.jpg$/);
    const upd = await until('archive_updated', () => sse.events.find((e) => e.event === 'archive_updated'), 10_000, 50);
    expect(upd.data).toMatchObject({ kind: 'snapshot', change: 'added', path: saved.body.path });
    await sse.stop();
    const list = await call<{ path: string; size: number }[]>(t, 'GET', '/snapshots');
    expect(list.body[0]).toMatchObject({ path: saved.body.path, size: expect.any(Number) });
    const img = await t.req(`/snapshot_image?path=${encodeURIComponent(saved.body.path)}`);
    expect(img.status).toBe(200);
    expect(img.headers.get('cache-control')).toContain('max-age=86400');
    expect(isJpeg(Buffer.from(await img.arrayBuffer()))).toBe(true);
    expect((await call<{ count: number }>(t, 'GET', `/archive/new_count?since=${encodeURIComponent(before)}`)).body.count).toBeGreaterThanOrEqual(1);
    expect((await call(t, 'GET', '/archive/new_count?since=yesterday-ish')).body).toEqual({ count: 0 });
    expect((await call(t, 'GET', '/archive/new_count')).body).toEqual({ count: 0 });
    expect((await call(t, 'GET', `/archive/new_count?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).body).toEqual({ count: 0 });
    expect((await call(t, 'POST', '/delete_snapshot', { snapshot_path: saved.body.path })).status).toBe(200);
    const gone = await call(t, 'POST', '/delete_snapshot', { snapshot_path: saved.body.path });
    expect(gone.status).toBe(404);
    expect(piError(gone.body).code).toBe('NOT_FOUND');
    expect((await call(t, 'GET', `/snapshot_image?path=${encodeURIComponent(saved.body.path)}`)).status).toBe(404);
  }, 120_000);

  it('timelapse: configure → frames → stitched video listed, streamed with Range, thumbnail → deleted', async () => {
    const conf = await call<{ enabled: boolean; resolution: string; fps: number }>(t, 'POST', '/timelapse/configure', { enabled: true, interval_minutes: 5, fps: 5, resolution: '320x240' });
    expect(conf.status).toBe(200);
    expect(conf.body).toMatchObject({ enabled: true, fps: 5, resolution: '320:240' });
    const bad = await call(t, 'POST', '/timelapse/configure', { interval_minutes: 61 });
    expect(bad.status).toBe(400);
    piError(bad.body);
    await until('3 frames', async () => (await call<{ today_frame_count: number }>(t, 'GET', '/timelapse/status')).body.today_frame_count >= 3, 120_000, 500);
    expect((await call(t, 'POST', '/timelapse/stop')).body).toMatchObject({ enabled: false });
    // Days are stitched when they end; the test stitches today's frames now.
    await t.app.container.stills.timelapse.stitch(cam.id, dayKey(Date.now()));
    const list = await call<{ path: string; date: string; size: number; mtime: string; thumbnail?: string }[]>(t, 'GET', '/timelapse');
    const v = list.body[0];
    expect(v).toMatchObject({ path: expect.stringMatching(/\/timelapse\/\d+\/timelapse_\d{8}\.mp4$/), date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), size: expect.any(Number) });
    expect(v?.path.startsWith(t.dataDir)).toBe(true);
    const ranged = await t.req(`/timelapse/video?path=${encodeURIComponent(v?.path as string)}`, { headers: { range: 'bytes=0-99' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe(`bytes 0-99/${v?.size}`);
    expect((await ranged.arrayBuffer()).byteLength).toBe(100);
    const beyond = await t.req(`/timelapse/video?path=${encodeURIComponent(v?.path as string)}`, { headers: { range: `bytes=${(v?.size ?? 0) + 10}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${v?.size}`);
    expect(piError(await beyond.json()).code).toBe('RANGE_NOT_SATISFIABLE');
    const thumb = await t.req(`/thumbnail?video_path=${encodeURIComponent(v?.path as string)}`);
    expect(thumb.status).toBe(200);
    expect(isJpeg(Buffer.from(await thumb.arrayBuffer()))).toBe(true);
    expect((await call(t, 'POST', '/timelapse/delete', { path: v?.path })).status).toBe(200);
    expect((await call<unknown[]>(t, 'GET', '/timelapse')).body).toEqual([]);
    expect((await call(t, 'GET', `/timelapse/video?path=${encodeURIComponent(v?.path as string)}`)).status).toBe(404);
  }, 240_000);

  it('sensors: a mock sensor triggered through the routes shows triggered and records; the clip has a thumbnail and a sprite', async () => {
    expect((await call<unknown[]>(t, 'GET', '/sensor/types')).body.length).toBeGreaterThanOrEqual(3);
    const noMock = await call(t, 'POST', '/sensor/mock/trigger');
    expect(noMock.status).toBe(409);
    piError(noMock.body);
    const conf = await call<{ type: string; enabled: boolean }>(t, 'POST', '/sensor/configure', { type: 'mock', enabled: true, hold_seconds: 1, camera_ids: [cam.id] });
    expect(conf.status).toBe(200);
    expect(conf.body).toMatchObject({ type: 'mock', enabled: true });
    const badConf = await call(t, 'POST', '/sensor/configure', { type: 'laser', gpio: 99 });
    expect(badConf.status).toBe(400);
    piError(badConf.body);
    if (!existsSync('/dev/gpiochip0')) {
      const test = await call(t, 'POST', '/sensor/test', { type: 'reed_switch', gpio: 22 });
      expect(test.status).toBe(409);
      expect(piError(test.body).code).toBe('GPIO_UNAVAILABLE');
    }
    expect((await call(t, 'POST', '/sensor/mock/trigger')).body).toMatchObject({ triggered: true });
    const st = await call<{ triggered: boolean; recording_from_sensor: boolean; config: { type: string } }>(t, 'GET', '/sensor/status');
    expect(st.body).toMatchObject({ enabled: true, armed: true, triggered: true, recording_from_sensor: true, config: { type: 'mock' } });
    await new Promise((r) => setTimeout(r, 3000));
    expect((await call(t, 'POST', '/sensor/mock/release')).body).toMatchObject({ triggered: false });
    expect((await call(t, 'GET', '/sensor/status')).body).toMatchObject({ triggered: false });
    expect((await call(t, 'POST', '/sensor/disable')).body).toMatchObject({ enabled: false });
    expect((await call(t, 'POST', '/sensor/enable')).body).toMatchObject({ enabled: true });

    const ev = await until(
      'the sensor clip with its sprite',
      async () => (await call<{ items: EventDto[] }>(t, 'GET', `/api/events?camera_id=${cam.id}&label=sensor`)).body.items.find((e) => e.clip_url && e.sprite_url && e.thumbnail_url),
      90_000,
      500,
    );
    const clip = join(t.dataDir, 'clips', String(cam.id), ev.started_at.slice(0, 10), `${ev.id}.mp4`);
    expect(existsSync(clip)).toBe(true);
    const thumb = await t.req(`/thumbnail?video_path=${encodeURIComponent(clip)}`);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('cache-control')).toContain('max-age=86400');
    expect(isJpeg(Buffer.from(await thumb.arrayBuffer()))).toBe(true);
    const sprite = await t.req(`/sprite?video_path=${encodeURIComponent(clip)}`);
    expect(sprite.status).toBe(200);
    const meta = await sharp(Buffer.from(await sprite.arrayBuffer())).metadata();
    expect(meta.format).toBe('jpeg');
    // The summary table's /sprite/<file> form takes the data-relative path.
    expect((await t.req(`/sprite/${encodeURIComponent(`clips/${cam.id}/${ev.started_at.slice(0, 10)}/${ev.id}.mp4`)}`)).status).toBe(200);
    expect((await call(t, 'GET', `/thumbnail?video_path=${encodeURIComponent(join(t.dataDir, 'clips', String(cam.id), ev.started_at.slice(0, 10), '999999.mp4'))}`)).status).toBe(404);
  }, 180_000);
});

describe('Pi family: the API token', () => {
  it('regenerates the API key (the old one and every session end) and rate-limits the password login in the Pi shape', async () => {
    // The app above takes its key from VIGIL_API_KEY: regenerating it is refused in the Pi shape.
    const env = await call(t, 'POST', '/auth/regenerate');
    expect(env.status).toBe(409);
    piError(env.body);

    const own = await startTestApp();
    try {
      expect((await call(own, 'POST', '/api/users', { username: 'admin', password: 'dashboard-pass' })).status).toBe(422);
      expect((await call(own, 'POST', '/api/users', { username: 'admin', password: 'dashboard-pass', role: 'admin' })).status).toBe(201);
      const login = (await (await own.req('/auth/validate', { auth: false, method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ password: 'dashboard-pass' }) })).json()) as { token: string };
      const oldKey = own.key;
      const r = await own.req('/auth/regenerate', { method: 'POST' });
      expect(r.status).toBe(200);
      const { token } = (await r.json()) as { token: string };
      expect(token).not.toBe(oldKey);
      expect((await own.req('/settings', { headers: { authorization: `Bearer ${oldKey}` } })).status).toBe(401);
      expect((await own.req('/settings', { headers: { authorization: `Bearer ${login.token}` } })).status).toBe(401);
      expect((await own.req('/settings', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      expect(await (await own.req(`/auth/status?token=${encodeURIComponent(token)}`, { auth: false })).json()).toEqual({ enabled: true, valid: true });

      let last: Response | null = null;
      for (let i = 0; i < 7; i++) {
        last = await own.req('/auth/validate', { auth: false, method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ password: 'wrong-pass' }) });
        if (last.status === 429) break;
        expect(await last.json()).toEqual({ valid: false });
      }
      expect(last?.status).toBe(429);
      expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(piError(await last?.json()).code).toBe('RATE_LIMITED');
    } finally {
      await own.stop();
      removeDir(own.dataDir);
    }
  }, 60_000);
});
