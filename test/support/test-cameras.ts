// Test cameras on 127.0.0.1 for the non-RTSP source kinds: an MJPEG-over-HTTP camera and an HTTP-snapshot camera.
import { spawnSync } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { JpegSplitter } from '../../src-main/workers/frame-splitters';
import { VTEST } from './rtsp-server';

let cached: Buffer[] | null = null;

/** Real JPEG frames decoded from the fixture by ffmpeg (3 s at 5 fps, 320 wide), decoded once per process. */
export function fixtureJpegs(): Buffer[] {
  if (cached) return cached;
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', VTEST, '-t', '3', '-vf', 'fps=5,scale=320:-2', '-c:v', 'mjpeg', '-q:v', '5', '-f', 'image2pipe', 'pipe:1'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error('could not decode fixture frames: ' + r.stderr.toString());
  const frames = new JpegSplitter().push(r.stdout);
  if (frames.length < 5) throw new Error('fixture gave too few frames');
  cached = frames;
  return frames;
}

export interface HttpTestCamera {
  /** MJPEG stream: multipart/x-mixed-replace. */
  mjpegUrl: string;
  /** One JPEG per GET. */
  snapshotUrl: string;
  port: number;
  /** Connections to the MJPEG stream so far. */
  streamConnections(): number;
  snapshotRequests(): number;
  /** Requests refused with 401. */
  unauthorized(): number;
  stop(): Promise<void>;
}

export async function startHttpTestCamera(opts: { fps?: number; username?: string; password?: string } = {}): Promise<HttpTestCamera> {
  const frames = fixtureJpegs();
  const fps = opts.fps ?? 5;
  const started = Date.now();
  const current = (): Buffer => frames[Math.floor(((Date.now() - started) / 1000) * fps) % frames.length]!;
  let streams = 0;
  let snaps = 0;
  let refused = 0;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const authorized = (req: IncomingMessage): boolean => {
    if (!opts.username) return true;
    const want = 'Basic ' + Buffer.from(`${opts.username}:${opts.password ?? ''}`).toString('base64');
    return req.headers.authorization === want;
  };

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    if (!authorized(req)) {
      refused++;
      res.writeHead(401, { 'www-authenticate': 'Basic realm="cam"' }).end();
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/snapshot.jpg') {
      snaps++;
      const f = current();
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': f.length, 'cache-control': 'no-store' }).end(f);
      return;
    }
    if (path === '/stream.mjpg') {
      streams++;
      res.writeHead(200, { 'content-type': 'multipart/x-mixed-replace; boundary=vigilframe', 'cache-control': 'no-store', connection: 'close' });
      const push = (): void => {
        const f = current();
        res.write(`--vigilframe\r\nContent-Type: image/jpeg\r\nContent-Length: ${f.length}\r\n\r\n`);
        res.write(f);
        res.write('\r\n');
      };
      push();
      const t = setInterval(push, 1000 / fps);
      timers.add(t);
      const end = (): void => {
        clearInterval(t);
        timers.delete(t);
      };
      req.on('close', end);
      res.on('error', end);
      return;
    }
    res.writeHead(404).end();
  };

  const server: Server = createServer(handler);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = addr && typeof addr === 'object' ? addr.port : 0;
  return {
    mjpegUrl: `http://127.0.0.1:${port}/stream.mjpg`,
    snapshotUrl: `http://127.0.0.1:${port}/snapshot.jpg`,
    port,
    streamConnections: () => streams,
    snapshotRequests: () => snaps,
    unauthorized: () => refused,
    async stop() {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
