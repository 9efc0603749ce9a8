// Integration: HTTP cameras behind Basic and Digest (MD5, qop=auth) auth. MJPEG reaches ffmpeg through the loopback HTTP relay,
// snapshots and the probe answer the challenge in-process; no process ever has the password in its arguments.
// real: ffmpeg, Node HTTP servers on 127.0.0.1 serving JPEGs decoded from the fixture, the relay, /proc. mock: nothing.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceProbeRepository } from '../../src-main/repositories/ffmpeg/probe.repository';
import { processesWith, secretForms } from '../support/process-args';
import { fixtureJpegs } from '../support/test-cameras';
import { createHarness, ffmpegProcesses, jpegSize, runtime, waitFor, type Harness } from './harness';

const USER = 'viewer';
const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

interface AuthCamera {
  url: string;
  port: number;
  password: string;
  refused: () => number;
  /** nc values seen per Digest request, in order. */
  ncs: string[];
  streams: () => number;
  stop(): Promise<void>;
}

async function startAuthCamera(method: 'basic' | 'digest'): Promise<AuthCamera> {
  const password = `Pw:${method}@${randomBytes(6).toString('hex')}`;
  const nonce = randomBytes(12).toString('hex');
  const realm = 'vigil test camera';
  const frames = fixtureJpegs();
  const ncs: string[] = [];
  let refused = 0;
  let streams = 0;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const authorized = (req: IncomingMessage): boolean => {
    const h = req.headers.authorization ?? '';
    if (method === 'basic') return h === 'Basic ' + Buffer.from(`${USER}:${password}`).toString('base64');
    if (!h.startsWith('Digest ')) return false;
    const p: Record<string, string> = {};
    for (const m of h.slice(7).matchAll(/(\w+)=("([^"]*)"|[^,\s]+)/g)) p[m[1]!] = m[3] ?? m[2]!;
    if (p.username !== USER || p.realm !== realm || p.nonce !== nonce || p.uri !== req.url || p.qop !== 'auth' || !p.nc || !p.cnonce) return false;
    const ok = p.response === md5(`${md5(`${USER}:${realm}:${password}`)}:${nonce}:${p.nc}:${p.cnonce}:auth:${md5(`${req.method}:${req.url}`)}`);
    if (ok) ncs.push(p.nc);
    return ok;
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (!authorized(req)) {
      refused++;
      const challenge = method === 'basic' ? `Basic realm="${realm}"` : `Digest realm="${realm}", qop="auth", nonce="${nonce}", opaque="abc", algorithm=MD5`;
      res.writeHead(401, { 'www-authenticate': challenge }).end();
      return;
    }
    let i = 0;
    if (req.url === '/snapshot.jpg') {
      const f = frames[i++ % frames.length]!;
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': f.length }).end(f);
      return;
    }
    if (req.url === '/video.mjpg?res=full') {
      streams++;
      res.writeHead(200, { 'content-type': 'multipart/x-mixed-replace; boundary=frame' });
      const push = (): void => {
        const f = frames[i++ % frames.length]!;
        res.write(`--frame\r\nContent-Type: image/jpeg\r\nContent-Length: ${f.length}\r\n\r\n`);
        res.write(f);
        res.write('\r\n');
      };
      push();
      const t = setInterval(push, 200);
      timers.add(t);
      req.on('close', () => {
        clearInterval(t);
        timers.delete(t);
      });
      return;
    }
    res.writeHead(404).end();
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  const port = a && typeof a === 'object' ? a.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    password,
    ncs,
    refused: () => refused,
    streams: () => streams,
    async stop() {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

const probe = new SourceProbeRepository(() => '/usr/bin/ffprobe');

for (const method of ['basic', 'digest'] as const) {
  describe(`http camera with ${method} credentials`, () => {
    let cam: AuthCamera;
    let h: Harness;
    beforeAll(async () => {
      cam = await startAuthCamera(method);
      h = createHarness({ segment_seconds: 2, analysis_fps: 1, live_mjpeg_fps: 5 }, { stopGraceMs: 2000 });
    });
    afterAll(async () => {
      await h?.cleanup();
      await cam?.stop();
    });

    it('MJPEG goes through the relay and snapshots are fetched in-process; the password is in no process arguments', async () => {
      const secrets = secretForms(USER, cam.password);
      h.manager.start(runtime(1, 'mjpeg', `${cam.url}/video.mjpg?res=full`, { username: USER, password: cam.password }));
      h.manager.start(runtime(2, 'http', `${cam.url}/snapshot.jpg`, { username: USER, password: cam.password, snapshotFps: 4 }));
      for (const id of [1, 2]) h.manager.onFrame(id, () => undefined);
      const f1 = await waitFor('an MJPEG frame through the relay', () => h.manager.latest(1), 20_000);
      const f2 = await waitFor('a snapshot frame', () => h.manager.latest(2), 20_000);
      expect(jpegSize(f1.jpeg)).toEqual({ width: 320, height: 240 });
      expect(jpegSize(f2.jpeg)).toEqual({ width: 320, height: 240 });
      await waitFor('a few snapshots', () => (method === 'digest' ? cam.ncs.length >= 4 : true), 10_000);

      const [ffmpeg] = ffmpegProcesses(h.dataDir).filter((p) => p.pid === h.manager.pid(1));
      expect(ffmpeg?.args).toMatch(/-i http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{32} /);
      expect(ffmpeg?.args).not.toContain(String(cam.port));
      expect(await processesWith(secrets)).toEqual([]);
      expect(cam.streams()).toBe(1);
      // One challenge per client (the relay's and the poller's); later snapshots are pre-authorised, Digest counting nc up.
      expect(cam.refused()).toBe(2);
      if (method === 'digest') expect(Math.max(...cam.ncs.map((n) => parseInt(n, 16)))).toBeGreaterThanOrEqual(3);

      const probed = await probe.probe({ kind: 'http', url: `${cam.url}/video.mjpg?res=full`, username: USER, password: cam.password, rtspTransport: 'tcp', timeoutMs: 5000 });
      expect(probed).toMatchObject({ ok: true, source_kind: 'mjpeg', width: 320, height: 240 });
      expect(JSON.stringify(h.states)).not.toContain(cam.password);
      await h.manager.stop(1);
      await h.manager.stop(2);
    });

    it('a wrong password is an auth error for MJPEG, snapshots and the probe', async () => {
      const wrong = `Wrong:${randomBytes(6).toString('hex')}`;
      h.manager.start(runtime(3, 'mjpeg', `${cam.url}/video.mjpg?res=full`, { username: USER, password: wrong }));
      h.manager.start(runtime(4, 'http', `${cam.url}/snapshot.jpg`, { username: USER, password: wrong, snapshotFps: 4 }));
      for (const id of [3, 4]) {
        const s = await waitFor(`an auth error for camera ${id}`, () => h.states.find((x) => x.camera_id === id && (x.last_error ?? '').startsWith('auth:')), 15_000);
        expect(s.last_error).toBe('auth: the camera refused the credentials');
      }
      expect(await processesWith(secretForms(USER, wrong))).toEqual([]);
      expect(JSON.stringify(h.states)).not.toContain(wrong);
      const probed = await probe.probe({ kind: 'http', url: `${cam.url}/snapshot.jpg`, username: USER, password: wrong, rtspTransport: 'tcp', timeoutMs: 5000 });
      expect(probed).toMatchObject({ ok: false, error: 'HTTP 401 Unauthorized' });
    });
  });
}
