// Integration (real: app over HTTP on 127.0.0.1:0, WorkerManager + ffmpeg, GStreamer RTSP camera, SQLite in a temp dir;
// mock: none): snapshot, MJPEG fan-out and HLS routes of Iris /api/live.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Camera } from '../../src-main/shared/contract/cameras.contract';
import { removeDir, startTestApp, type TestApp } from '../foundation/app-harness';
import { startRtspServer, type RtspServer } from '../support/rtsp-server';
import { API_KEY, call, isJpeg, until } from '../cameras/helpers';

const NO_SIGNAL = readFileSync(resolve(import.meta.dirname, '..', '..', 'resources', 'demo', 'no-signal.jpg'));
let rtsp: RtspServer;
let t: TestApp;
let cam: Camera;

async function snapshot(id: number): Promise<Buffer> {
  const r = await t.req(`/api/live/${id}/snapshot`);
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toBe('image/jpeg');
  return Buffer.from(await r.arrayBuffer());
}

/** Reads MJPEG parts from a stream for up to `ms`, then aborts; returns the parsed JPEG parts and response headers. */
async function readParts(path: string, ms: number): Promise<{ parts: Buffer[]; headers: Headers }> {
  const ac = new AbortController();
  const res = await t.req(path, { signal: ac.signal });
  expect(res.status).toBe(200);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  let buf = Buffer.alloc(0);
  const parts: Buffer[] = [];
  const stopAt = Date.now() + ms;
  try {
    while (Date.now() < stopAt) {
      const r = await Promise.race([reader.read(), new Promise<null>((ok) => setTimeout(() => ok(null), Math.max(1, stopAt - Date.now())))]);
      if (r === null || r.done) break;
      buf = Buffer.concat([buf, Buffer.from(r.value)]);
      for (;;) {
        const head = buf.indexOf('\r\n\r\n');
        if (head < 0) break;
        const len = Number(/Content-Length: (\d+)/i.exec(buf.subarray(0, head).toString())?.[1]);
        if (!Number.isFinite(len) || buf.length < head + 4 + len + 2) break;
        expect(buf.subarray(0, head).toString()).toMatch(/^--vigilframe\r\nContent-Type: image\/jpeg/);
        parts.push(buf.subarray(head + 4, head + 4 + len));
        buf = buf.subarray(head + 4 + len + 2);
      }
    }
  } finally {
    ac.abort();
    await reader.cancel().catch(() => undefined);
  }
  return { parts, headers: res.headers };
}

beforeAll(async () => {
  rtsp = await startRtspServer();
  t = await startTestApp({ apiKey: API_KEY });
  cam = (await call<Camera>(t, 'POST', '/api/cameras', { name: 'Street', rtsp_url: rtsp.url, enabled: false })).body;
});

afterAll(async () => {
  await t?.stop();
  await rtsp?.stop();
  if (t) removeDir(t.dataDir);
});

describe('live routes', () => {
  it('snapshot: "no signal" (200) before the first frame, then real frames; ?token= works for <img>', async () => {
    expect((await snapshot(cam.id)).equals(NO_SIGNAL)).toBe(true);
    const primed = await readParts(`/api/live/${cam.id}/stream`, 800);
    expect(primed.parts[0]?.equals(NO_SIGNAL)).toBe(true);

    await call(t, 'PUT', `/api/cameras/${cam.id}`, { enabled: true });
    const frame = await until('a real frame', async () => {
      const b = await snapshot(cam.id);
      return !b.equals(NO_SIGNAL) && isJpeg(b) ? b : null;
    });
    expect(frame.length).toBeGreaterThan(1000);
    const media = (await call<{ token: string }>(t, 'GET', '/api/auth/media-access')).body;
    const byToken = await fetch(`${t.base}/api/live/${cam.id}/snapshot?token=${encodeURIComponent(media.token)}`);
    expect(byToken.status).toBe(200);
    expect((await fetch(`${t.base}/api/live/${cam.id}/snapshot`)).status).toBe(401);
  });

  it('MJPEG: multipart parts of real frames, X-Accel-Buffering, fps clamped, viewers share frames and are cleaned up on disconnect', async () => {
    await until('frames', async () => !(await snapshot(cam.id)).equals(NO_SIGNAL));
    const viewers = () => t.app.container.liveViewers.count;
    // Raw frames (?annotated=0): detection draws boxes on frames with people, and this checks the one-ingest fan-out.
    const [slow, fast] = await Promise.all([readParts(`/api/live/${cam.id}/stream?fps=1&annotated=0`, 3000), readParts(`/api/live/${cam.id}/stream?fps=500&annotated=0`, 3000)]);
    expect(slow.headers.get('content-type')).toBe('multipart/x-mixed-replace; boundary=vigilframe');
    expect(slow.headers.get('x-accel-buffering')).toBe('no');
    for (const p of [...slow.parts, ...fast.parts]) expect(isJpeg(p)).toBe(true);
    // Source runs at 10 fps: 1 fps over 3 s gives a handful of parts, never the source rate.
    expect(slow.parts.length).toBeGreaterThanOrEqual(2);
    expect(slow.parts.length).toBeLessThanOrEqual(6);
    expect(fast.parts.length).toBeGreaterThan(slow.parts.length);
    expect(fast.parts.length).toBeLessThanOrEqual(3 * 10 + 4);
    // Consecutive parts differ: a part is pushed only when the frame changed.
    for (let i = 1; i < fast.parts.length; i++) expect(fast.parts[i]!.equals(fast.parts[i - 1]!)).toBe(false);
    // Both viewers got byte-identical frames from the one ingest (no per-viewer encode).
    const fastSet = new Set(fast.parts.map((p) => p.toString('base64')));
    expect(slow.parts.slice(1).some((p) => fastSet.has(p.toString('base64')))).toBe(true);
    await until('viewers cleaned up after disconnect', () => viewers() === 0, 10_000);
  });

  it('HLS: low-latency playlist, init + segment + part from the ingest, blocking reload, 400 on bad names, close, 503 when disabled or at capacity', async () => {
    const pl = await t.req(`/api/live/${cam.id}/hls/index.m3u8`);
    expect(pl.status).toBe(200);
    expect(pl.headers.get('content-type')).toMatch(/mpegurl/);
    const text = await pl.text();
    expect(text).toContain('#EXTM3U');
    expect(text).toMatch(/#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=/);
    const segName = text.split('\n').find((l) => /^seg\d{5}\.m4s$/.test(l.trim()))?.trim();
    expect(segName).toBeDefined();
    const seg = await t.req(`/api/live/${cam.id}/hls/${segName}`);
    expect(seg.status).toBe(200);
    expect(seg.headers.get('content-type')).toBe('video/iso.segment');
    // A media segment of fragmented MP4: moof first.
    expect(Buffer.from(await seg.arrayBuffer()).toString('latin1', 4, 8)).toBe('moof');
    const init = /#EXT-X-MAP:URI="(init\d{5}\.mp4)"/.exec(text)![1]!;
    const initRes = await t.req(`/api/live/${cam.id}/hls/${init}`);
    expect(initRes.headers.get('content-type')).toBe('video/mp4');
    expect(Buffer.from(await initRes.arrayBuffer()).toString('latin1', 4, 8)).toBe('ftyp');
    const parts = [...text.matchAll(/URI="(seg(\d{5})\.(\d+)\.m4s)"/g)];
    expect(parts.length).toBeGreaterThan(0);
    expect((await t.req(`/api/live/${cam.id}/hls/${parts[0]![1]}`)).status).toBe(200);

    // Blocking reload: the next part is waited for and then listed; malformed or far-ahead requests are 400.
    const last = parts.at(-1)!;
    const [msn, part] = [Number(last[2]), Number(last[3]) + 1];
    const next = await t.req(`/api/live/${cam.id}/hls/index.m3u8?_HLS_msn=${msn}&_HLS_part=${part}`);
    expect(next.status).toBe(200);
    const nextText = await next.text();
    expect(nextText.includes(`seg${String(msn).padStart(5, '0')}.${part}.m4s`) || nextText.includes(`seg${String(msn + 1).padStart(5, '0')}.`)).toBe(true);
    expect((await call(t, 'GET', `/api/live/${cam.id}/hls/index.m3u8?_HLS_msn=${msn + 50}&_HLS_part=0`)).status).toBe(400);
    expect((await call(t, 'GET', `/api/live/${cam.id}/hls/index.m3u8?_HLS_part=1`)).status).toBe(400);

    const media = (await call<{ token: string }>(t, 'GET', '/api/auth/media-access')).body;
    const tokenList = await (await fetch(`${t.base}/api/live/${cam.id}/hls/index.m3u8?token=${encodeURIComponent(media.token)}`)).text();
    expect(tokenList).toMatch(/\nseg\d{5}\.m4s\?token=/);
    expect(tokenList).toMatch(/#EXT-X-MAP:URI="init\d{5}\.mp4\?token=/);
    expect(tokenList).toMatch(/#EXT-X-PART:[^\n]*URI="seg\d{5}\.\d+\.m4s\?token=/);
    const tokenPart = /URI="(seg\d{5}\.\d+\.m4s\?token=[^"]+)"/.exec(tokenList)![1]!;
    expect((await fetch(`${t.base}/api/live/${cam.id}/hls/${tokenPart}`)).status).toBe(200);

    for (const bad of ['seg1.ts', 'seg000001.ts', 'index.ts', 'seg00001.mp4', 'seg00001..m4s', 'init1.mp4', '..%2Fvigil.db', '..%2F..%2Fsecret.key', 'seg00001.ts%00', 'seg00001.m4s%00']) {
      const r = await call<{ detail: string }>(t, 'GET', `/api/live/${cam.id}/hls/${bad}`);
      expect(r.status, bad).toBe(400);
      expect(typeof r.body.detail).toBe('string');
    }
    // Iris's segNNNNN.ts is still a valid name; no such file exists now that segments are fMP4.
    expect((await call(t, 'GET', `/api/live/${cam.id}/hls/seg99999.ts`)).status).toBe(404);
    expect((await call(t, 'GET', `/api/live/${cam.id}/hls/seg99999.m4s`)).status).toBe(404);

    expect((await call(t, 'POST', `/api/live/${cam.id}/hls/close`)).status).toBe(200);
    await until('session closed', () => t.app.container.manager.hlsSessionCount() === 0, 10_000);
    expect((await call(t, 'GET', `/api/live/${cam.id}/hls/close`)).status).toBe(200);

    await call(t, 'PUT', '/api/settings', { hls_max_sessions: 0 });
    const full = await call<{ detail: string }>(t, 'GET', `/api/live/${cam.id}/hls/index.m3u8`);
    expect(full.status).toBe(503);
    expect(full.body.detail).toMatch(/capacity/);
    await call(t, 'PUT', '/api/settings', { hls_max_sessions: 4, hls_enabled: false });
    const off = await call<{ detail: string }>(t, 'GET', `/api/live/${cam.id}/hls/index.m3u8`);
    expect(off.status).toBe(503);
    expect(off.body.detail).toMatch(/disabled/);
    await call(t, 'PUT', '/api/settings', { hls_enabled: true });
    expect((await call(t, 'GET', '/api/live/424242/hls/index.m3u8')).status).toBe(404);
  });

  it('documents the live media routes in /openapi.json', async () => {
    const doc = (await call<{ paths: Record<string, Record<string, unknown>> }>(t, 'GET', '/openapi.json')).body;
    for (const p of ['/api/live/{id}/snapshot', '/api/live/{id}/stream', '/api/live/{id}/hls/index.m3u8', '/api/live/{id}/hls/{segment}', '/api/live/{id}/hls/close']) {
      expect(doc.paths[p], p).toBeDefined();
    }
  });

  it('deleting the camera ends its streams and 404s its media', async () => {
    const ac = new AbortController();
    const res = await t.req(`/api/live/${cam.id}/stream?fps=2`, { signal: ac.signal });
    expect(res.status).toBe(200);
    await until('viewer open', () => t.app.container.liveViewers.count === 1, 5000);
    expect((await call(t, 'DELETE', `/api/cameras/${cam.id}`)).status).toBe(204);
    await until('stream ended', () => t.app.container.liveViewers.count === 0, 10_000);
    ac.abort();
    expect((await call(t, 'GET', `/api/live/${cam.id}/snapshot`)).status).toBe(404);
    expect((await call(t, 'GET', `/api/live/${cam.id}/stream`)).status).toBe(404);
  });
});
