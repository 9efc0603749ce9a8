// Flex Video family (/flex/*). real: app + fastify on 127.0.0.1:0, SQLite file, camera worker with ffmpeg (pattern
// source), ffmpeg pipelines pushing to a real ffmpeg RTSP receiver listening on 127.0.0.1, webhook receivers as real
// HTTP servers; mock: none.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startTestApp, type TestApp } from '../foundation/app-harness';
import { call, until } from '../cameras/helpers';

const freePort = async (): Promise<number> => {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
};

type Envelope<T> = { success: true; data: T } | { success: false; error: { code: string; message: string } };

const flexError = (body: unknown): { code: string; message: string } => {
  expect(body).toMatchObject({ success: false, error: { code: expect.any(String), message: expect.any(String) } });
  return (body as { error: { code: string; message: string } }).error;
};

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

describe('Flex Video API', () => {
  let t: TestApp;
  let cameraId: number;
  const receivers: ChildProcess[] = [];
  const servers: (Server | TcpServer)[] = [];
  const sockets: Socket[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    const cam = await call<{ id: number }>(t, 'POST', '/api/cameras', { name: 'Pattern', rtsp_url: 'pattern://testsrc2', detect_enabled: false, recording_mode: 'off', motion_enabled: false });
    expect(cam.status).toBe(201);
    cameraId = cam.body.id;
  });

  afterAll(async () => {
    for (const p of receivers) p.kill('SIGKILL');
    for (const s of sockets) s.destroy();
    for (const s of servers) s.close();
    await t.stop();
    removeDir(t.dataDir);
  });

  it('answers health publicly and everything else only with a credential, in Flex error shape', async () => {
    for (const path of ['/flex/health', '/flex/healthz']) {
      const res = await t.req(path, { auth: false });
      expect(res.status, path).toBe(200);
      expect(await res.json()).toMatchObject({ success: true, data: { status: 'ok' } });
    }
    const res = await t.req('/flex/version', { auth: false });
    expect(res.status).toBe(401);
    expect(flexError(await res.json()).code).toBe('UNAUTHORIZED');
    const withKey = (await (await t.req('/flex/version')).json()) as Envelope<{ version: string }>;
    expect(withKey).toMatchObject({ success: true, data: { version: expect.stringMatching(/^\d+\.\d+\.\d+/) } });
    const unknown = await t.req('/flex/no-such-thing');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/json/);
    expect(flexError(await unknown.json()).code).toBe('NOT_FOUND');
    expect(flexError(await (await t.req('/flex/no-such-thing', { auth: false })).json()).code).toBe('UNAUTHORIZED');
  });

  it('lists no capture devices here, rejects a bad device path, and lists ALSA capture devices (maybe none)', async () => {
    const cams = await call<Envelope<unknown[]>>(t, 'GET', '/flex/cameras');
    expect(cams.status).toBe(200);
    expect(cams.body).toEqual({ success: true, data: existsSync('/dev/video0') ? expect.any(Array) : [] });
    const bad = await call(t, 'GET', '/flex/camera?path=/etc/passwd');
    expect(bad.status).toBe(400);
    expect(flexError(bad.body).code).toBe('VALIDATION_ERROR');
    const missing = await call(t, 'GET', '/flex/camera?path=/dev/video97');
    expect(missing.status).toBe(404);
    const audio = await call<Envelope<unknown[]>>(t, 'GET', '/flex/audio-devices');
    expect(audio.status).toBe(200);
    expect(Array.isArray((audio.body as { data: unknown[] }).data)).toBe(true);
  });

  it('produces each code of the error table from real requests', async () => {
    const validation = await call(t, 'POST', '/flex/pipeline', { name: 'x', source: { camera_id: cameraId }, output: { kind: 'rtsp', url: 'http://nope' } });
    expect(validation.status).toBe(400);
    expect(flexError(validation.body).code).toBe('VALIDATION_ERROR');
    const media = await t.req('/flex/pipeline', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'name=x' });
    expect(media.status).toBe(415);
    expect(flexError(await media.json()).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const notFound = await call(t, 'GET', '/flex/pipeline/nope');
    expect(notFound.status).toBe(404);
    expect(flexError(notFound.body).code).toBe('NOT_FOUND');
    const settings = await call(t, 'PUT', '/flex/settings', { no_such: 1 });
    expect(settings.status).toBe(400);
    expect(flexError(settings.body).code).toBe('VALIDATION_ERROR');
  });

  it('GSTREAMER_ERROR when ffmpeg fails, GSTREAMER_UNAVAILABLE when the camera delivers no video', async () => {
    const closed = await freePort();
    const created = await call<Envelope<{ id: string }>>(t, 'POST', '/flex/pipeline', { name: 'Refused', source: { camera_id: cameraId }, output: { kind: 'rtsp', url: `rtsp://127.0.0.1:${closed}/x` } });
    const id = (created.body as { data: { id: string } }).data.id;
    const res = await until('a start attempt that reaches ffmpeg', async () => {
      const r = await call(t, 'PUT', `/flex/pipeline/${id}/play`);
      return r.status === 503 ? null : r;
    }, 90_000, 1000);
    expect(res.status).toBe(500);
    const err = flexError(res.body);
    expect(err.code).toBe('GSTREAMER_ERROR');
    expect(err.message).toMatch(/refused|Connection|failed/i);
    const off = await call<{ id: number }>(t, 'POST', '/api/cameras', { name: 'Off', rtsp_url: 'pattern://testsrc', enabled: false });
    const p = await call<Envelope<{ id: string }>>(t, 'POST', '/flex/pipeline', { name: 'From Off', source: { camera_id: off.body.id }, output: { kind: 'hls' } });
    const unavailable = await call(t, 'PUT', `/flex/pipeline/${(p.body as { data: { id: string } }).data.id}/play`);
    expect(unavailable.status).toBe(503);
    expect(flexError(unavailable.body).code).toBe('GSTREAMER_UNAVAILABLE');
  }, 120_000);

  it('a pipeline pushes a Vigil camera to a local RTSP receiver (H.264 copied), reports status, and stops; 409 while playing', async () => {
    const port = await freePort();
    const out = join(t.dataDir, 'received.ts');
    const receiver = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-rtsp_flags', 'listen', '-timeout', '60', '-i', `rtsp://127.0.0.1:${port}/live`, '-c', 'copy', '-f', 'mpegts', out], { stdio: 'ignore' });
    receivers.push(receiver);
    const created = await call<Envelope<{ id: string; state: string }>>(t, 'POST', '/flex/pipeline', { name: 'To Receiver', source: { camera_id: cameraId }, output: { kind: 'rtsp', url: `rtsp://127.0.0.1:${port}/live` } });
    expect(created.status).toBe(201);
    const id = (created.body as { data: { id: string } }).data.id;
    expect(id).toBe('to-receiver');
    const play = await until('pipeline playing', async () => {
      const r = await call<Envelope<{ state: string }>>(t, 'PUT', `/flex/pipeline/${id}/play`);
      return r.status === 200 ? r : null;
    }, 90_000, 1000);
    expect(play.body).toMatchObject({ success: true, data: { id, state: 'playing' } });
    const status = await call<Envelope<{ state: string; uptime_s: number }>>(t, 'GET', `/flex/pipeline/${id}/status`);
    expect(status.body).toMatchObject({ success: true, data: { state: 'playing' } });
    const busy = await call(t, 'PUT', `/flex/pipeline/${id}`, { name: 'To Receiver', source: { camera_id: cameraId }, output: { kind: 'srt', url: 'srt://127.0.0.1:9' } });
    expect(busy.status).toBe(409);
    expect(flexError(busy.body).code).toBe('CONFLICT');
    await until('receiver wrote video', () => existsSync(out) && statSync(out).size > 20_000, 60_000);
    const probe = await new Promise<string>((resolve) => {
      const p = spawn('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', out]);
      let s = '';
      p.stdout.on('data', (d: Buffer) => (s += d.toString()));
      p.on('close', () => resolve(s.trim()));
    });
    expect(probe.split('\n')[0]).toBe('h264');
    const stop = await call<Envelope<{ state: string }>>(t, 'PUT', `/flex/pipeline/${id}/stop`);
    expect(stop.body).toMatchObject({ success: true, data: { state: 'stopped' } });
    expect((await call(t, 'DELETE', `/flex/pipeline/${id}`)).status).toBe(200);
  }, 180_000);

  it('answers 504 PIPELINE_START_TIMEOUT when the receiver never answers', async () => {
    const hang = createTcpServer((s) => sockets.push(s));
    servers.push(hang);
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    const port = (hang.address() as AddressInfo).port;
    expect((await call(t, 'PUT', '/flex/settings', { pipeline_start_timeout_s: 3 })).status).toBe(200);
    try {
      const created = await call<Envelope<{ id: string }>>(t, 'POST', '/flex/pipeline', { name: 'Hang', source: { camera_id: cameraId }, output: { kind: 'rtsp', url: `rtsp://127.0.0.1:${port}/x` } });
      const id = (created.body as { data: { id: string } }).data.id;
      // The camera's live HLS may need a moment on a loaded machine (503 GSTREAMER_UNAVAILABLE until then).
      const res = await until('a start attempt that reaches the receiver', async () => {
        const r = await call(t, 'PUT', `/flex/pipeline/${id}/play`);
        return r.status === 503 ? null : r;
      }, 90_000, 1000);
      expect(res.status).toBe(504);
      expect(flexError(res.body).code).toBe('PIPELINE_START_TIMEOUT');
      const st = await call<Envelope<{ state: string }>>(t, 'GET', `/flex/pipeline/${id}/status`);
      expect(st.body).toMatchObject({ data: { state: 'error' } });
    } finally {
      await call(t, 'PUT', '/flex/settings', { pipeline_start_timeout_s: 20 });
    }
  }, 180_000);

  it('SSE carries pipeline_status; a pipeline writes HLS and framegrabs, which are listed, served and deleted', async () => {
    const ac = new AbortController();
    const sse = await t.req('/flex/cameras/events', { signal: ac.signal });
    expect(sse.status).toBe(200);
    expect(sse.headers.get('content-type')).toBe('text/event-stream');
    const reader = (sse.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    const pump = (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        text += Buffer.from(value as Uint8Array).toString();
      }
    })();
    const created = await call<Envelope<{ id: string }>>(t, 'POST', '/flex/pipeline', { name: 'Grabs', source: { camera_id: cameraId }, output: { kind: 'hls' }, framegrab_interval_s: 1 });
    const id = (created.body as { data: { id: string } }).data.id;
    await until('the pipeline plays', async () => ((await call(t, 'PUT', `/flex/pipeline/${id}/play`)).status === 200 ? true : null), 90_000, 1000);
    await until('SSE pipeline_status playing', () => text.includes('event: pipeline_status') && text.includes(`"id":"${id}","state":"playing"`), 20_000);
    const grabs = await until('two framegrabs', async () => {
      const r = await call<Envelope<{ file: string; pipeline_id: string }[]>>(t, 'GET', `/flex/files/framegrabs?pipeline_id=${id}`);
      const list = (r.body as { data: { file: string; pipeline_id: string }[] }).data;
      return list.length >= 2 ? list : null;
    }, 60_000, 500);
    const first = grabs[0] as { file: string; pipeline_id: string };
    expect(first.pipeline_id).toBe(id);
    const img = await t.req(`/flex/files/framegrabs/${first.file}`);
    expect(img.status).toBe(200);
    expect(Buffer.from(await img.arrayBuffer()).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect((await call(t, 'GET', '/flex/files/framegrabs/..%2F..%2Fvigil.db')).status).toBe(400);
    expect((await call(t, 'DELETE', `/flex/files/framegrabs/${first.file}`)).status).toBe(200);
    expect((await call(t, 'GET', `/flex/files/framegrabs/${first.file}`)).status).toBe(404);
    await call(t, 'PUT', `/flex/pipeline/${id}/stop`);
    const bulk = await call<Envelope<{ deleted: number }>>(t, 'DELETE', `/flex/files/framegrabs?pipeline_id=${id}`);
    expect((bulk.body as { data: { deleted: number } }).data.deleted).toBeGreaterThanOrEqual(1);
    expect(((await call<Envelope<unknown[]>>(t, 'GET', `/flex/files/framegrabs?pipeline_id=${id}`)).body as { data: unknown[] }).data).toEqual([]);
    // Bulk framegrab deletes: 10 per minute, then 429 RATE_LIMITED with Retry-After.
    let limited: Response | null = null;
    for (let i = 0; i < 12 && limited?.status !== 429; i++) limited = await t.req('/flex/files/framegrabs?pipeline_id=nothing-here', { method: 'DELETE' });
    expect(limited?.status).toBe(429);
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(flexError(await limited?.json()).code).toBe('RATE_LIMITED');
    ac.abort();
    await pump;
  }, 180_000);

  it('webhooks: signed deliveries reach a receiver while another receiver hangs; history is kept', async () => {
    const got: Received[] = [];
    const good = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        got.push({ headers: req.headers, body });
        res.end('ok');
      });
    });
    let flakyCalls = 0;
    const flaky = createServer((req, res) => {
      req.resume();
      flakyCalls++;
      res.writeHead(flakyCalls === 1 ? 500 : 200).end();
    });
    servers.push(flaky);
    await new Promise<void>((r) => flaky.listen(0, '127.0.0.1', r));
    const hanging: IncomingMessage[] = [];
    const dead = createServer((req) => void hanging.push(req));
    servers.push(good, dead);
    await new Promise<void>((r) => good.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    expect((await call(t, 'PUT', '/flex/settings', { webhook_timeout_s: 30, webhook_max_attempts: 2 })).status).toBe(200);
    const slow = await call<Envelope<{ id: string }>>(t, 'POST', '/flex/webhooks', { url: `http://127.0.0.1:${(dead.address() as AddressInfo).port}/hook` });
    const hook = await call<Envelope<{ id: string; secret: string }>>(t, 'POST', '/flex/webhooks', { url: `http://127.0.0.1:${(good.address() as AddressInfo).port}/hook`, events: ['pipeline.status'] });
    expect(hook.status).toBe(201);
    const { id: hookId, secret } = (hook.body as { data: { id: string; secret: string } }).data;
    const retried = await call<Envelope<{ id: string }>>(t, 'POST', '/flex/webhooks', { url: `http://127.0.0.1:${(flaky.address() as AddressInfo).port}/hook`, events: ['pipeline.error'] });
    const retriedId = (retried.body as { data: { id: string } }).data.id;
    expect(secret.length).toBeGreaterThanOrEqual(16);
    const listed = await call<Envelope<Record<string, unknown>[]>>(t, 'GET', '/flex/webhooks');
    expect(JSON.stringify(listed.body)).not.toContain(secret);

    // A pipeline state change is an event for both hooks.
    const created = await call<Envelope<{ id: string }>>(t, 'POST', '/flex/pipeline', { name: 'Hook Source', source: { camera_id: cameraId }, output: { kind: 'hls' } });
    const pid = (created.body as { data: { id: string } }).data.id;
    await until('the HLS pipeline plays', async () => ((await call(t, 'PUT', `/flex/pipeline/${pid}/play`)).status === 200 ? true : null), 90_000, 1000);
    expect(existsSync(join(t.dataDir, 'flex', 'hls', pid))).toBe(true);
    await call(t, 'PUT', `/flex/pipeline/${pid}/stop`);
    await until('the good receiver got deliveries', () => got.some((g) => JSON.parse(g.body).data.state === 'stopped') && hanging.length > 0, 30_000);
    // The hanging receiver still holds its first attempt (30 s timeout): it delayed nothing.
    const slowId = (slow.body as { data: { id: string } }).data.id;
    expect(((await call<Envelope<unknown[]>>(t, 'GET', `/flex/webhooks/${slowId}/deliveries`)).body as { data: unknown[] }).data).toEqual([]);

    const d = got.find((g) => JSON.parse(g.body).data.state === 'stopped') as Received;
    const ts = d.headers['x-flex-timestamp'] as string;
    expect(ts).toMatch(/^\d{10}$/);
    const expected = `sha256=${createHmac('sha256', secret).update(`${ts}.${d.body}`).digest('hex')}`;
    expect(d.headers['x-flex-signature']).toBe(expected);
    expect(d.headers['x-flex-event']).toBe('pipeline.status');
    expect(JSON.parse(d.body)).toMatchObject({ event: 'pipeline.status', data: { id: pid, state: 'stopped' } });
    const history = await until('delivery history', async () => {
      const h = await call<Envelope<{ ok: boolean; status: number; attempt: number }[]>>(t, 'GET', `/flex/webhooks/${hookId}/deliveries`);
      return (h.body as { data: { ok: boolean }[] }).data.length > 0 ? (h.body as { data: { ok: boolean; status: number; attempt: number }[] }).data : null;
    });
    expect(history[0]).toMatchObject({ ok: true, status: 200, attempt: 1 });
    // pipeline.error only: the failed first attempt (HTTP 500) is retried after the backoff and then succeeds.
    await call(t, 'PUT', '/flex/settings', { pipeline_start_timeout_s: 1 });
    const broken = await call<Envelope<{ id: string }>>(t, 'POST', '/flex/pipeline', { name: 'Broken', source: { camera_id: cameraId }, output: { kind: 'rtsp', url: 'rtsp://127.0.0.1:9/none' } });
    await call(t, 'PUT', `/flex/pipeline/${(broken.body as { data: { id: string } }).data.id}/play`);
    await call(t, 'PUT', '/flex/settings', { pipeline_start_timeout_s: 20 });
    const attempts = await until('a retried delivery', async () => {
      const h = (await call<Envelope<{ ok: boolean; status: number; attempt: number }[]>>(t, 'GET', `/flex/webhooks/${retriedId}/deliveries`)).body as { data: { ok: boolean; status: number; attempt: number }[] };
      return h.data.some((x) => x.ok) ? h.data : null;
    }, 30_000);
    expect(attempts.map((a) => [a.attempt, a.ok, a.status])).toEqual([
      [2, true, 200],
      [1, false, 500],
    ]);
    expect((await call(t, 'DELETE', `/flex/webhooks/${retriedId}`)).status).toBe(200);
    expect((await call(t, 'DELETE', `/flex/webhooks/${slowId}`)).status).toBe(200);
    expect((await call(t, 'DELETE', `/flex/webhooks/${hookId}`)).status).toBe(200);
    for (const r of hanging) r.socket.destroy();
  }, 60_000);
});
