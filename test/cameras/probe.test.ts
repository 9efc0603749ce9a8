// "Test connection" probe against real sources: the GStreamer RTSP camera, the fixture file, lavfi patterns and local HTTP cameras
// (real: ffprobe, RTSP server, HTTP servers on 127.0.0.1).
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceProbeRepository, imageSize } from '../../src-main/repositories/ffmpeg/probe.repository';
import { freePort, startRtspServer, VTEST, type RtspServer } from '../support/rtsp-server';

const NO_SIGNAL = readFileSync(join(__dirname, '..', '..', 'resources', 'demo', 'no-signal.jpg'));
const probe = new SourceProbeRepository(() => '/usr/bin/ffprobe');
const base = { username: null, password: null, rtspTransport: 'tcp' as const, timeoutMs: 8000 };

let rtsp: RtspServer;
let http: Server;
let httpUrl: string;

beforeAll(async () => {
  rtsp = await startRtspServer();
  http = createServer((req, res) => {
    if (req.url === '/snap.jpg') {
      if (req.headers.authorization !== `Basic ${Buffer.from('viewer:s3cret!').toString('base64')}`) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="cam"' }).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'image/jpeg' }).end(NO_SIGNAL);
    } else if (req.url === '/video.cgi') {
      res.writeHead(200, { 'Content-Type': 'multipart/x-mixed-replace; boundary=b' });
      const t = setInterval(() => res.write(Buffer.concat([Buffer.from(`--b\r\nContent-Type: image/jpeg\r\nContent-Length: ${NO_SIGNAL.length}\r\n\r\n`), NO_SIGNAL, Buffer.from('\r\n')])), 100);
      req.on('close', () => clearInterval(t));
    } else if (req.url === '/page') {
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html></html>');
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const a = http.address();
  httpUrl = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
afterAll(async () => {
  await rtsp?.stop();
  http?.closeAllConnections();
  await new Promise((r) => http?.close(r));
});

describe('probe', () => {
  it('reads codec, resolution and fps from the RTSP camera', async () => {
    const r = await probe.probe({ ...base, kind: 'rtsp', url: rtsp.url, username: 'admin', password: 'pw' });
    expect(r).toMatchObject({ ok: true, source_kind: 'rtsp', codec: 'h264', width: 768, height: 576, error: null });
  });

  it('gives the exact error for a closed RTSP port, with credentials redacted', async () => {
    const port = await freePort();
    const r = await probe.probe({ ...base, kind: 'rtsp', url: `rtsp://127.0.0.1:${port}/cam`, username: 'admin', password: 'hunter2hunter2' });
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/Connection refused/);
    expect(r.error).not.toContain('hunter2hunter2');
    expect(r.error).toContain(`rtsp://***@127.0.0.1:${port}/cam`);
  });

  it('probes the fixture file and a lavfi pattern', async () => {
    expect(await probe.probe({ ...base, kind: 'file', url: `file://${VTEST}` })).toMatchObject({ ok: true, width: 768, height: 576, fps: 10 });
    expect(await probe.probe({ ...base, kind: 'pattern', url: 'pattern://testsrc2' })).toMatchObject({ ok: true, codec: 'rawvideo', width: 640, height: 360 });
    const missing = await probe.probe({ ...base, kind: 'file', url: '/nonexistent/clip.avi' });
    expect(missing.error).toMatch(/No such file or directory/);
  });

  it('tells an HTTP snapshot from MJPEG and reports HTTP errors exactly', async () => {
    expect(await probe.probe({ ...base, kind: 'http', url: `${httpUrl}/snap.jpg`, username: 'viewer', password: 's3cret!' })).toMatchObject({
      ok: true,
      source_kind: 'http',
      codec: 'jpeg',
      width: 640,
      height: 360,
    });
    expect(await probe.probe({ ...base, kind: 'http', url: `${httpUrl}/video.cgi` })).toMatchObject({ ok: true, source_kind: 'mjpeg', codec: 'mjpeg', width: 640, height: 360 });
    expect((await probe.probe({ ...base, kind: 'http', url: `${httpUrl}/snap.jpg` })).error).toBe('HTTP 401 Unauthorized');
    expect((await probe.probe({ ...base, kind: 'http', url: `${httpUrl}/page` })).error).toMatch(/Unexpected content-type "text\/html"/);
  });

  it('imageSize parses JPEG SOF and rejects garbage', () => {
    expect(imageSize(NO_SIGNAL)).toEqual({ width: 640, height: 360, codec: 'jpeg' });
    expect(imageSize(Buffer.from('not an image'))).toBeNull();
  });
});
