// Integration (real: app over HTTP on 127.0.0.1:0, WorkerManager + ffmpeg, GStreamer RTSP camera, SQLite in a temp dir,
// a ws client; mock: none): MSE over WebSocket, on-demand MJPEG decoder and snapshots, all on one RTSP session per camera.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Camera } from '../../src-main/shared/contract/cameras.contract';
import { Fmp4Splitter, type Fmp4Chunk } from '../../src-main/workers/fmp4';
import { removeDir, startTestApp, type TestApp } from '../foundation/app-harness';
import { startRtspServer, type RtspServer } from '../support/rtsp-server';
import { API_KEY, call, isJpeg, until } from '../cameras/helpers';

let rtsp: RtspServer;
let t: TestApp;
let cam: Camera;

const wsUrl = (path: string) => `${t.base.replace(/^http/, 'ws')}${path}`;
const mediaToken = async () => (await call<{ token: string }>(t, 'GET', '/api/auth/media-access')).body.token;
const pidAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const argsOf = (pid: number): string => execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' });

interface MseSession {
  texts: string[];
  chunks: Fmp4Chunk[];
  firstBinary: Buffer | null;
  close(): void;
  closed: Promise<void>;
}

function openMse(url: string): Promise<MseSession> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const split = new Fmp4Splitter();
    const s: MseSession = { texts: [], chunks: [], firstBinary: null, close: () => ws.close(), closed: new Promise((r) => ws.once('close', () => r())) };
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) return void s.texts.push(data.toString());
      s.firstBinary ??= data;
      s.chunks.push(...split.push(data));
    });
    ws.once('open', () => resolve(s));
    ws.once('unexpected-response', (req, res) => {
      // A refused upgrade is a plain HTTP answer: drop its connection so it does not keep the server from closing.
      res.resume();
      req.destroy();
      reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode }));
    });
    ws.once('error', reject);
  });
}

/** Reads the MJPEG stream for `ms`; returns how many JPEG parts arrived. */
async function mjpegParts(path: string, ms: number): Promise<number> {
  const ac = new AbortController();
  const res = await t.req(path, { signal: ac.signal });
  expect(res.status).toBe(200);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  let text = '';
  const stopAt = Date.now() + ms;
  try {
    while (Date.now() < stopAt) {
      const r = await Promise.race([reader.read(), new Promise<null>((ok) => setTimeout(() => ok(null), Math.max(1, stopAt - Date.now())))]);
      if (r === null || r.done) break;
      text += Buffer.from(r.value).toString('latin1');
    }
  } finally {
    ac.abort();
    await reader.cancel().catch(() => undefined);
  }
  return text.split('--vigilframe').length - 1;
}

beforeAll(async () => {
  rtsp = await startRtspServer();
  t = await startTestApp({ apiKey: API_KEY });
  cam = (await call<Camera>(t, 'POST', '/api/cameras', { name: 'Gate', rtsp_url: rtsp.url, enabled: true, recording_mode: 'continuous', analysis_mode: 'off' })).body;
});

afterAll(async () => {
  await t?.stop();
  await rtsp?.stop();
  if (t) removeDir(t.dataDir);
});

describe('live MSE and on-demand decode', () => {
  it('analysis off: the camera ffmpeg decodes nothing (no decoded outputs, no filters), only the copy tee', async () => {
    expect(cam.analysis_mode).toBe('off');
    const pid = await until('the ingest ffmpeg', () => t.app.container.manager.pid(cam.id), 20_000);
    const args = argsOf(pid);
    expect(args).toContain('-c:v copy');
    expect(args).toContain('-f tee');
    for (const decoded of ['pipe:4', 'pipe:6', 'pipe:7', '-vf ', 'ppm', 'mjpeg', 'libx264']) expect(args).not.toContain(decoded);
    expect(t.app.container.manager.decoderPid(cam.id)).toBeNull();
  });

  it('an MSE viewer gets the codec string first, then the init segment, then fragments starting at a keyframe', async () => {
    const token = await mediaToken();
    const s = await openMse(wsUrl(`/api/live/${cam.id}/mse?token=${encodeURIComponent(token)}`));
    await until('init and a few fragments', () => s.chunks.filter((c) => c.type === 'fragment').length >= 5, 20_000);
    s.close();
    await s.closed;
    expect(JSON.parse(s.texts[0]!)).toEqual({ type: 'mse', value: expect.stringMatching(/^video\/mp4; codecs="avc1\.[0-9a-f]{6}"$/) });
    expect(s.firstBinary!.toString('latin1', 4, 8)).toBe('ftyp');
    const [init, first] = s.chunks;
    expect(init?.type).toBe('init');
    expect(first?.type === 'fragment' && first.fragment.key).toBe(true);
    // 100 ms fragments: a 10 fps camera gives about one frame per fragment, not a whole GOP.
    const frags = s.chunks.flatMap((c) => (c.type === 'fragment' ? [c.fragment] : []));
    expect(Math.max(...frags.slice(1).map((f) => f.videoSamples))).toBeLessThanOrEqual(3);
  });

  it('refuses a viewer without credentials (401) or for an unknown camera (404), before the upgrade', async () => {
    await expect(openMse(wsUrl(`/api/live/${cam.id}/mse`))).rejects.toMatchObject({ status: 401 });
    const token = await mediaToken();
    await expect(openMse(wsUrl(`/api/live/424242/mse?token=${encodeURIComponent(token)}`))).rejects.toMatchObject({ status: 404 });
    await expect(openMse(wsUrl(`/api/live/abc/mse?token=${encodeURIComponent(token)}`))).rejects.toMatchObject({ status: 422 });
  });

  it('a snapshot with no viewer decodes the latest keyframe once and caches it briefly; no decoder keeps running', async () => {
    const a = await t.req(`/api/live/${cam.id}/snapshot?annotated=0`);
    expect(a.status).toBe(200);
    const jpeg = Buffer.from(await a.arrayBuffer());
    expect(isJpeg(jpeg)).toBe(true);
    const b = await t.req(`/api/live/${cam.id}/snapshot?annotated=0`);
    expect(b.headers.get('x-frame-timestamp')).toBe(a.headers.get('x-frame-timestamp'));
    expect(t.app.container.manager.decoderPid(cam.id)).toBeNull();
  });

  it('recording + MSE viewer + MJPEG viewer + HLS together use ONE RTSP session; the MJPEG decoder starts on demand and exits after the last viewer', async () => {
    const token = await mediaToken();
    const mse = await openMse(wsUrl(`/api/live/${cam.id}/mse?token=${encodeURIComponent(token)}`));
    const hls = await t.req(`/api/live/${cam.id}/hls/index.m3u8`);
    expect(hls.status).toBe(200);
    const manager = t.app.container.manager;
    expect(manager.decoderPid(cam.id)).toBeNull();
    const parts = mjpegParts(`/api/live/${cam.id}/stream?annotated=0`, 4000);
    const decoder = await until('the on-demand decoder', () => manager.decoderPid(cam.id), 10_000);
    expect(argsOf(decoder)).toContain('-i pipe:0');
    expect(await parts).toBeGreaterThan(3);
    await until('MSE fragments', () => mse.chunks.length > 5, 10_000);

    // Recording went on all along, into the camera's segment folders.
    const segDir = join(t.dataDir, 'segments', String(cam.id));
    expect(existsSync(segDir) && readdirSync(segDir).some((d) => /^\d{4}-\d{2}-\d{2}$/.test(d))).toBe(true);
    expect(rtsp.connections()).toBe(1);
    expect(rtsp.openConnections()).toBe(1);

    mse.close();
    await mse.closed;
    // The last MJPEG viewer left: the decoder lingers a few seconds for a reconnect, then exits.
    await until('the decoder to stop', () => manager.decoderPid(cam.id) === null, 15_000);
    await until('the decoder process to exit', () => !pidAlive(decoder), 10_000);
    expect(rtsp.connections()).toBe(1);
  });

  it('documents the MSE route in /openapi.json', async () => {
    const doc = (await call<{ paths: Record<string, unknown> }>(t, 'GET', '/openapi.json')).body;
    expect(doc.paths['/api/live/{id}/mse']).toBeDefined();
  });
});
