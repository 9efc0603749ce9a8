// Integration (real: app over HTTP on 127.0.0.1:0 with an API key, SQLite file in a temp dir, WorkerManager + ffmpeg,
// GStreamer RTSP camera, ffprobe; mock: none): the Iris cameras API end to end.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COCO_CLASSES } from '../../src-main/shared/coco-classes';
import type { Camera } from '../../src-main/shared/contract/cameras.contract';
import { removeDir, startTestApp, type TestApp } from '../foundation/app-harness';
import { freePort, startRtspServer, type RtspServer } from '../support/rtsp-server';
import { startHttpTestCamera } from '../support/test-cameras';
import { API_KEY, call, capturePush, isJpeg, until } from './helpers';

const PW = `pw-${randomBytes(8).toString('hex')}`;
let rtsp: RtspServer;
let t: TestApp;
let push: Awaited<ReturnType<typeof capturePush>>;
const seen: string[] = [];
const camUrl = () => rtsp.url.replace('rtsp://', `rtsp://admin:${PW}@`);
const masked = () => rtsp.url.replace('rtsp://', 'rtsp://***@');

async function api<T = unknown>(method: string, path: string, body?: unknown) {
  const r = await call<T>(t, method, path, body);
  seen.push(r.text, JSON.stringify([...r.headers]));
  return r;
}
const status = async (id: number) => (await api<{ status: string; last_seen: string | null; fps: number; detector: { model: string } | null }>('GET', `/api/cameras/${id}/status`)).body;

beforeAll(async () => {
  rtsp = await startRtspServer();
  t = await startTestApp({ apiKey: API_KEY });
  push = await capturePush(t);
  await api('PUT', '/api/settings', { status_stale_seconds: 5 });
});

afterAll(async () => {
  await push?.stop();
  await t?.stop();
  await rtsp?.stop();
  if (t) removeDir(t.dataDir);
});

describe('cameras API', () => {
  it('CRUD: 201 create, masked URL, list/get, partial update with the echo rule, 422 naming the field, 404, 204 delete', async () => {
    expect((await api<Camera[]>('GET', '/api/cameras')).body, '--no-demo starts without cameras').toEqual([]);
    const created = await api<Camera>('POST', '/api/cameras', { name: 'Gate', rtsp_url: camUrl(), detect_conf: 0.6, trigger_classes: '', enabled: false });
    expect(created.status).toBe(201);
    const cam = created.body;
    expect(cam).toMatchObject({ name: 'Gate', rtsp_url: masked(), source_kind: 'rtsp', enabled: false, is_demo: false, has_credentials: true, status: 'offline', detect_conf: 0.6, trigger_classes: 'person' });

    expect((await api<Camera[]>('GET', '/api/cameras')).body.map((c) => c.id)).toContain(cam.id);
    expect((await api<Camera>('GET', `/api/cameras/${cam.id}`)).body.rtsp_url).toBe(masked());

    const echoed = await api<Camera>('PUT', `/api/cameras/${cam.id}`, { rtsp_url: masked(), name: 'Gate 2', pre_seconds: 7 });
    expect(echoed.status).toBe(200);
    expect(echoed.body).toMatchObject({ name: 'Gate 2', pre_seconds: 7, rtsp_url: masked(), has_credentials: true, detect_conf: 0.6 });
    expect((await api<Camera>('PUT', `/api/cameras/${cam.id}`, { rtsp_url: '' })).body.has_credentials).toBe(true);

    for (const [field, value] of [['detect_conf', 1.5], ['pre_seconds', 121], ['post_seconds', -1], ['detect_imgsz', 64], ['min_trigger_frames', 0], ['rtsp_transport', 'http'], ['trigger_cooldown', 4000]] as const) {
      const bad = await api<{ detail: { loc: string[] }[] }>('PUT', `/api/cameras/${cam.id}`, { [field]: value });
      expect(bad.status, field).toBe(422);
      expect(bad.body.detail.map((d) => d.loc.join('.'))).toContain(`body.${field}`);
    }
    const badCreate = await api<{ detail: { loc: string[] }[] }>('POST', '/api/cameras', { name: 'x', rtsp_url: 'gopher://h/x' });
    expect(badCreate.status).toBe(422);
    expect(badCreate.body.detail[0]?.loc).toEqual(['body', 'rtsp_url']);
    expect((await api('POST', '/api/cameras', { rtsp_url: camUrl() })).status).toBe(422);

    for (const [m, p] of [['GET', '/api/cameras/999999'], ['PUT', '/api/cameras/999999'], ['DELETE', '/api/cameras/999999'], ['GET', '/api/cameras/999999/status'], ['GET', '/api/live/999999/snapshot']] as const) {
      const r = await api<{ detail: string }>(m, p, m === 'PUT' ? { name: 'n' } : undefined);
      expect(r.status, `${m} ${p}`).toBe(404);
      expect(typeof r.body.detail).toBe('string');
    }

    const del = await api('DELETE', `/api/cameras/${cam.id}`);
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    expect((await api('GET', `/api/cameras/${cam.id}`)).status).toBe(404);
    await until('camera.added/removed push', () => push.events.some((e) => e.event === 'camera.removed' && (e.data as { camera_id: number }).camera_id === cam.id));
    expect(push.events.some((e) => e.event === 'camera.added' && (e.data as { camera_id: number }).camera_id === cam.id)).toBe(true);
    expect(push.events.some((e) => e.event === 'camera.updated' && (e.data as { camera_id: number }).camera_id === cam.id)).toBe(true);
  });

  it('status follows the real worker: online, offline when disabled, error/offline when the RTSP server stops, online again after restart', async () => {
    const cam = (await api<Camera>('POST', '/api/cameras', { name: 'Live', rtsp_url: camUrl() })).body;
    const online = await until('online with a measured fps', async () => {
      const s = await status(cam.id);
      return s.status === 'online' && s.fps > 0 ? s : null;
    });
    expect(online.last_seen).not.toBeNull();
    // Detection is on by default: the status names the running detector.
    expect(online.detector?.model).toBe('nanodet-m-416-coco');
    expect((await api<Camera>('GET', `/api/cameras/${cam.id}`)).body.status).toBe('online');

    await api('PUT', `/api/cameras/${cam.id}`, { enabled: false });
    expect((await status(cam.id)).status).toBe('offline');
    await api('PUT', `/api/cameras/${cam.id}`, { enabled: true });
    await until('online again', async () => (await status(cam.id)).status === 'online');

    await rtsp.stop();
    const down = await until('error/offline after the source stops', async () => {
      const s = await status(cam.id);
      return s.status !== 'online' ? s : null;
    });
    expect(['error', 'offline']).toContain(down.status);
    await rtsp.restart();
    await until('online after the source is back', async () => (await status(cam.id)).status === 'online', 60_000);

    const pushed = () => push.events.filter((e) => e.event === 'camera.status' && (e.data as { camera_id: number }).camera_id === cam.id).map((e) => (e.data as { status: string }).status);
    const statuses = await until('the last status pushed is online', () => (pushed().at(-1) === 'online' ? pushed() : null), 10_000);
    expect(statuses.filter((s) => s === 'online').length).toBeGreaterThanOrEqual(3);
    expect(statuses.some((s) => s !== 'online')).toBe(true);
    for (let i = 1; i < statuses.length; i++) expect(statuses[i], 'camera.status is pushed on change only').not.toBe(statuses[i - 1]);
    await api('DELETE', `/api/cameras/${cam.id}`);
  });

  it('repointing the URL purges the camera history; delete removes its folders', async () => {
    const cam = (await api<Camera>('POST', '/api/cameras', { name: 'Moving', rtsp_url: camUrl(), enabled: false })).body;
    const segDir = join(t.dataDir, 'segments', String(cam.id), '2026-01-01', '00');
    mkdirSync(segDir, { recursive: true });
    writeFileSync(join(segDir, '1.ts'), 'old camera footage');
    await api('PUT', `/api/cameras/${cam.id}`, { name: 'Renamed', rtsp_url: masked() });
    expect(existsSync(segDir), 'an echo is not a repoint').toBe(true);
    const other = await freePort();
    const moved = await api<Camera>('PUT', `/api/cameras/${cam.id}`, { rtsp_url: `rtsp://127.0.0.1:${other}/elsewhere` });
    expect(moved.body).toMatchObject({ rtsp_url: `rtsp://127.0.0.1:${other}/elsewhere`, has_credentials: false });
    expect(existsSync(join(t.dataDir, 'segments', String(cam.id)))).toBe(false);

    await api('PUT', `/api/cameras/${cam.id}`, { rtsp_url: camUrl(), enabled: true });
    await until('the worker writes into the camera folders', () => readdirSync(t.dataDir).some((d) => ['segments', 'hls', 'live'].includes(d) && existsSync(join(t.dataDir, d, String(cam.id)))));
    expect((await api('DELETE', `/api/cameras/${cam.id}`)).status).toBe(204);
    for (const d of ['segments', 'hls', 'live']) expect(existsSync(join(t.dataDir, d, String(cam.id))), d).toBe(false);
    expect(t.app.container.manager.health(cam.id)).toBeNull();
  });

  it('http(s) URLs: the kind (snapshot vs MJPEG) is derived by probing; Basic credentials are masked and used; frames flow', async () => {
    const HPW = `h-${randomBytes(6).toString('hex')}`;
    const httpCam = await startHttpTestCamera({ fps: 5, username: 'viewer', password: HPW });
    try {
      const withAuth = (u: string) => u.replace('http://', `http://viewer:${HPW}@`);
      const mjpeg = (await api<Camera>('POST', '/api/cameras', { name: 'MJPEG', rtsp_url: withAuth(httpCam.mjpegUrl) })).body;
      const snap = (await api<Camera>('POST', '/api/cameras', { name: 'Snap', rtsp_url: httpCam.snapshotUrl, username: 'viewer', password: HPW, snapshot_fps: 2 })).body;
      expect(mjpeg).toMatchObject({ source_kind: 'mjpeg', has_credentials: true, rtsp_url: httpCam.mjpegUrl.replace('http://', 'http://***@') });
      expect(snap).toMatchObject({ source_kind: 'http', has_credentials: true, snapshot_fps: 2 });
      for (const c of [mjpeg, snap]) {
        await until(`${c.name} frames`, async () => {
          const r = await t.req(`/api/live/${c.id}/snapshot`);
          return isJpeg(Buffer.from(await r.arrayBuffer())) && (await status(c.id)).status === 'online';
        });
      }
      for (const s of seen) expect(s.includes(HPW)).toBe(false);
      for (const c of [mjpeg, snap]) expect((await api('DELETE', `/api/cameras/${c.id}`)).status).toBe(204);
    } finally {
      await httpCam.stop();
    }
  });

  it('detect/classes lists the 80 COCO classes and the default trigger set', async () => {
    const r = await api<{ classes: string[]; default: string[] }>('GET', '/api/cameras/detect/classes');
    expect(r.status).toBe(200);
    expect(r.body.classes).toHaveLength(80);
    expect(r.body.classes).toEqual([...COCO_CLASSES]);
    expect(r.body.default).toEqual(['person']);
  });

  it('probe: codec/resolution/fps from the real camera, the exact error otherwise, stored credentials via camera_id', async () => {
    const ok = await api<Record<string, unknown>>('POST', '/api/cameras/probe', { rtsp_url: camUrl() });
    expect(ok.body).toMatchObject({ ok: true, source_kind: 'rtsp', codec: 'h264', width: 768, height: 576, error: null });
    const port = await freePort();
    const bad = await api<{ ok: boolean; error: string }>('POST', '/api/cameras/probe', { rtsp_url: `rtsp://admin:${PW}@127.0.0.1:${port}/cam` });
    expect(bad.body.ok).toBe(false);
    expect(bad.body.error).toMatch(/Connection refused/);
    const cam = (await api<Camera>('POST', '/api/cameras', { name: 'Stored', rtsp_url: camUrl(), enabled: false })).body;
    const stored = await api<Record<string, unknown>>('POST', '/api/cameras/probe', { camera_id: cam.id, rtsp_url: cam.rtsp_url });
    expect(stored.body).toMatchObject({ ok: true, codec: 'h264' });
    expect((await api('POST', '/api/cameras/probe', {})).status).toBe(422);
    await api('DELETE', `/api/cameras/${cam.id}`);
  });

  it('credentials are encrypted at rest and appear in no response, /api/system or log file', async () => {
    const cam = (await api<Camera>('POST', '/api/cameras', { name: 'Secret', rtsp_url: camUrl() })).body;
    await until('online', async () => (await status(cam.id)).status === 'online');
    await api('GET', '/api/system');
    await api('GET', '/api/health');
    await api('GET', '/openapi.json');
    await api('GET', '/api/cameras');
    for (const s of seen) expect(s.includes(PW)).toBe(false);
    expect(push.events.some((e) => JSON.stringify(e).includes(PW))).toBe(false);

    t.app.container.db.pragma('wal_checkpoint(TRUNCATE)');
    for (const f of readdirSync(t.dataDir).filter((f) => f.startsWith('vigil.db'))) {
      expect(readFileSync(join(t.dataDir, f)).includes(Buffer.from(PW)), f).toBe(false);
    }
    const logs = join(t.dataDir, 'logs');
    const logText = readdirSync(logs).map((f) => readFileSync(join(logs, f), 'utf8')).join('\n');
    expect(logText.length).toBeGreaterThan(0);
    expect(logText).not.toContain(PW);
    await api('DELETE', `/api/cameras/${cam.id}`);
  });
});
