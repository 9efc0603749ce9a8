// Backflow IoT camera proxy (/tenant/iot/*). real: app + fastify on 127.0.0.1:0, SQLite file, camera worker with
// ffmpeg, GStreamer RTSP test server with digest credentials, an HTTP snapshot camera with basic auth (node:http
// serving a real JPEG); mock: none.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startTestApp, type TestApp } from '../foundation/app-harness';
import { call, until } from '../cameras/helpers';
import { FIXTURES, startRtspServer, type RtspServer } from '../support/rtsp-server';

const USER = 'camadmin';
const PASS = 'cam-pass-7731-secret';

describe('Backflow IoT camera proxy', () => {
  let t: TestApp;
  let rtsp: RtspServer;
  let http: Server;
  let jpeg: Buffer;

  beforeAll(async () => {
    rtsp = await startRtspServer({ auth: { method: 'digest', username: USER, password: PASS } });
    jpeg = readFileSync(join(FIXTURES, 'images', 'messi5.jpg'));
    http = createServer((req, res) => {
      const ok = req.headers.authorization === `Basic ${Buffer.from(`${USER}:${PASS}`).toString('base64')}`;
      if (!ok) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="cam"' }).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': jpeg.length }).end(jpeg);
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    t = await startTestApp();
  }, 120_000);

  afterAll(async () => {
    await t?.stop();
    removeDir(t.dataDir);
    await rtsp?.stop();
    http?.close();
  });

  it('registers an RTSP camera with separate credentials under a slug id, never returning them, as a Vigil camera', async () => {
    const u = new URL(rtsp.url);
    const res = await call<Record<string, unknown>>(t, 'POST', '/tenant/iot', { name: 'Front Door', type: 'rtsp', connectionUrl: `rtsp://${u.host}`, credentials: { username: USER, password: PASS }, streamPath: u.pathname });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: 'front-door', name: 'Front Door', type: 'rtsp', connectionUrl: `rtsp://${u.host}`, streamPath: u.pathname, hasCredentials: true });
    expect(res.text).not.toContain(PASS);
    expect(res.text).not.toContain(USER);
    const iris = await call<{ id: number; name: string }[]>(t, 'GET', '/api/cameras');
    expect(iris.body.map((c) => c.name)).toContain('Front Door');
    const renamed = await call<{ id: string; name: string }>(t, 'PUT', '/tenant/iot/front-door', { name: 'Front Door East' });
    expect(renamed.body).toMatchObject({ id: 'front-door', name: 'Front Door East' });
    const list = await call<{ cameras: { id: string }[] }>(t, 'GET', '/tenant/iot');
    expect(list.body.cameras.map((c) => c.id)).toEqual(['front-door']);
    expect(list.text).not.toContain(PASS);
    const dup = await call<{ id: string }>(t, 'POST', '/tenant/iot', { name: 'front door', type: 'http', connectionUrl: `http://127.0.0.1:${(http.address() as AddressInfo).port}/snap.jpg`, credentials: { username: USER, password: PASS } });
    expect(dup.status).toBe(201);
    expect(dup.body.id).toBe('front-door-2');
  });

  it('snapshots: raw JPEG and base64 JSON from the RTSP camera, and an HTTP camera proxied with basic auth', async () => {
    const raw = await until('an RTSP snapshot', async () => {
      const r = await t.req('/tenant/iot/front-door/snapshot');
      return r.status === 200 ? r : null;
    }, 90_000, 1000);
    expect(raw.headers.get('content-type')).toBe('image/jpeg');
    const bytes = Buffer.from(await raw.arrayBuffer());
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    const b64 = await call<{ data: string; mimeType: string; filename: string; size: number }>(t, 'GET', '/tenant/iot/front-door/snapshot?format=base64');
    expect(b64.status).toBe(200);
    expect(b64.body).toMatchObject({ mimeType: 'image/jpeg', filename: 'front-door.jpg' });
    const decoded = Buffer.from(b64.body.data, 'base64');
    expect(decoded.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(decoded.length).toBe(b64.body.size);
    const httpSnap = await t.req('/tenant/iot/front-door-2/snapshot');
    expect(httpSnap.status).toBe(200);
    expect(Buffer.from(await httpSnap.arrayBuffer()).equals(jpeg)).toBe(true);
  }, 120_000);

  it('HLS: start → playlist → segment → status → stop, and an idle stream stops after 5 minutes without a viewer', async () => {
    expect((await call(t, 'GET', '/tenant/iot/front-door/stream.m3u8')).status).toBe(409);
    const start = await until('stream start', async () => {
      const r = await call<{ streaming: boolean }>(t, 'POST', '/tenant/iot/front-door/stream/start');
      return r.status === 200 ? r : null;
    }, 90_000, 1000);
    expect(start.body.streaming).toBe(true);
    const pl = await t.req('/tenant/iot/front-door/stream.m3u8');
    expect(pl.status).toBe(200);
    const text = await pl.text();
    expect(text).toContain('#EXTM3U');
    const seg = text.split('\n').find((l) => l.startsWith('stream/seg')) as string;
    expect(seg).toMatch(/^stream\/seg\d{5}\.m4s$/);
    const segRes = await t.req(`/tenant/iot/front-door/${seg}`);
    expect(segRes.status).toBe(200);
    expect(segRes.headers.get('content-type')).toBe('video/iso.segment');
    expect((await segRes.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    // Init and part URIs sit under stream/ too, and a blocking reload for the next part is answered once it exists.
    const init = /#EXT-X-MAP:URI="(stream\/init\d{5}\.mp4)"/.exec(text)![1]!;
    expect((await t.req(`/tenant/iot/front-door/${init}`)).headers.get('content-type')).toBe('video/mp4');
    const last = [...text.matchAll(/URI="stream\/seg(\d{5})\.(\d+)\.m4s"/g)].at(-1)!;
    const next = await t.req(`/tenant/iot/front-door/stream.m3u8?_HLS_msn=${Number(last[1])}&_HLS_part=${Number(last[2]) + 1}`);
    expect(next.status).toBe(200);
    const badReload = await call<{ error: { code: string } }>(t, 'GET', '/tenant/iot/front-door/stream.m3u8?_HLS_msn=x');
    expect([badReload.status, badReload.body.error.code]).toEqual([400, 'VALIDATION_ERROR']);
    const bad = await call<{ error: { code: string } }>(t, 'GET', '/tenant/iot/front-door/stream/..%2F..%2Fvigil.db');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_ERROR');
    const status = await call<{ streaming: boolean; idleStopAt: string }>(t, 'GET', '/tenant/iot/front-door/stream/status');
    expect(status.body.streaming).toBe(true);
    const stop = await call<{ streaming: boolean }>(t, 'POST', '/tenant/iot/front-door/stream/stop');
    expect(stop.body.streaming).toBe(false);

    await call(t, 'POST', '/tenant/iot/front-door/stream/start');
    const iot = t.app.container.iot;
    expect(await iot.sweepIdle(Date.now() + 60_000)).toEqual([]);
    expect((await call<{ streaming: boolean }>(t, 'GET', '/tenant/iot/front-door/stream/status')).body.streaming).toBe(true);
    expect(await iot.sweepIdle(Date.now() + 5 * 60_000 + 1000)).toEqual(['front-door']);
    expect((await call<{ streaming: boolean }>(t, 'GET', '/tenant/iot/front-door/stream/status')).body.streaming).toBe(false);
    expect(t.app.container.manager.hasHls(iot.list().find((c) => c.id === 'front-door')?.vigilCameraId as number)).toBe(false);
  }, 180_000);

  it('onvif is a clear planned error; bad input and unknown cameras answer in the Backflow shape', async () => {
    const onvif = await call<{ error: { status: number; code: string; message: string } }>(t, 'POST', '/tenant/iot', { name: 'Lobby', type: 'onvif', connectionUrl: 'http://127.0.0.1:1' });
    expect(onvif.status).toBe(501);
    expect(onvif.body.error).toMatchObject({ status: 501, code: 'NOT_IMPLEMENTED', message: expect.stringContaining('planned') });
    const bad = await call<{ error: { code: string } }>(t, 'POST', '/tenant/iot', { name: 'x', type: 'rtsp' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_ERROR');
    const missing = await call<{ error: { code: string } }>(t, 'GET', '/tenant/iot/no-such-camera');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
    expect((await call(t, 'DELETE', '/tenant/iot/front-door-2')).status).toBe(204);
    expect((await call(t, 'GET', '/tenant/iot/front-door-2')).status).toBe(404);
  });
});
