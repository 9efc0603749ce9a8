// The RTSP auth relay against a scripted RTSP camera in this process (Digest SHA-256 with qop=auth, which GStreamer's server
// does not offer): challenge → retry → pre-authorised requests with counted nc, URL/SDP rewriting, byte-exact interleaved
// data both ways, backpressure, token and connection limits, refused credentials and an unreachable camera.
// real: TCP sockets on 127.0.0.1, the relay. mock: the camera is a small scripted RTSP server.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src-main/repositories/logger';
import type { AuthRelay } from '../../src-main/repositories/net/camera-net.repository';
import { openRtspAuthRelay } from '../../src-main/repositories/net/rtsp-auth-relay';
import { RtspReader, headerValue, serialize, type RtspMessage } from '../../src-main/repositories/net/rtsp-message';
import { freePort } from '../support/rtsp-server';

const USER = 'admin';
const PASS = 'pa:ss@w0rd-relay';
const REALM = 'scripted camera';
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

interface Camera {
  port: number;
  url: string;
  /** Every request as the camera received it. */
  requests: { method: string; uri: string; authorization: string | undefined }[];
  unauthorized: number;
  /** Interleaved bytes the camera received from the client. */
  received: Buffer[];
  sockets: Set<Socket>;
  closed: number;
  /** Called on PLAY with the camera-side socket. */
  onPlay: (s: Socket) => void;
  server: Server;
}

function checkDigest(auth: string | undefined, method: string, uri: string, nonce: string): boolean {
  if (!auth?.startsWith('Digest ')) return false;
  const p: Record<string, string> = {};
  for (const m of auth.slice(7).matchAll(/(\w+)=("([^"]*)"|[^,\s]+)/g)) p[m[1]!] = m[3] ?? m[2]!;
  if (p.username !== USER || p.realm !== REALM || p.nonce !== nonce || p.uri !== uri || p.qop !== 'auth' || p.algorithm !== 'SHA-256' || p.opaque !== 'op') return false;
  const expected = sha(`${sha(`${USER}:${REALM}:${PASS}`)}:${nonce}:${p.nc}:${p.cnonce}:auth:${sha(`${method}:${uri}`)}`);
  return p.response === expected;
}

/** A throwaway self-signed certificate, as cameras serving rtsps:// usually have. */
function selfSigned(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rtsps-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=camera', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function startCamera(opts: { tls?: boolean } = {}): Promise<Camera> {
  const nonce = randomBytes(8).toString('hex');
  const cam = { requests: [], unauthorized: 0, received: [], sockets: new Set<Socket>(), closed: 0, onPlay: () => undefined } as unknown as Camera;
  const handler = (sock: Socket): void => {
    cam.sockets.add(sock);
    sock.on('close', () => {
      cam.sockets.delete(sock);
      cam.closed++;
    });
    sock.on('error', () => undefined);
    const reader = new RtspReader();
    sock.on('data', (d: Buffer) => {
      for (const c of reader.push(d)) {
        if (c.type === 'raw') {
          cam.received.push(Buffer.from(c.data));
          continue;
        }
        const [method, uri] = c.message.startLine.split(' ') as [string, string];
        const cseq = headerValue(c.message.headers, 'cseq') ?? '0';
        const authorization = headerValue(c.message.headers, 'authorization');
        cam.requests.push({ method, uri, authorization });
        const send = (status: string, headers: [string, string][] = [], body = ''): void => {
          sock.write(serialize({ startLine: `RTSP/1.0 ${status}`, headers: [['CSeq', cseq], ...headers], body: Buffer.from(body) }));
        };
        if (!checkDigest(authorization, method, uri, nonce)) {
          cam.unauthorized++;
          send('401 Unauthorized', [
            ['WWW-Authenticate', `Digest realm="${REALM}", nonce="${nonce}", algorithm=MD5, qop="auth", opaque="op"`],
            ['WWW-Authenticate', `Digest realm="${REALM}", nonce="${nonce}", algorithm=SHA-256, qop="auth", opaque="op"`],
            ['WWW-Authenticate', `Basic realm="${REALM}"`],
          ]);
          continue;
        }
        if (method === 'OPTIONS') send('200 OK', [['Public', 'OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN']]);
        else if (method === 'DESCRIBE') {
          const sdp = `v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=cam\r\na=control:${cam.url}/\r\nm=video 0 RTP/AVP 96\r\na=control:${cam.url}/trackID=0\r\n`;
          send('200 OK', [['Content-Base', `${cam.url}/`], ['Content-Type', 'application/sdp']], sdp);
        } else if (method === 'SETUP') send('200 OK', [['Transport', headerValue(c.message.headers, 'transport') ?? ''], ['Session', '12345678;timeout=60']]);
        else if (method === 'PLAY') {
          send('200 OK', [['Session', '12345678'], ['RTP-Info', `url=${cam.url}/trackID=0;seq=1;rtptime=0`]]);
          cam.onPlay(sock);
        } else send('200 OK');
      }
    });
  };
  cam.server = opts.tls ? createTlsServer(selfSigned(), handler) : createServer(handler);
  await new Promise<void>((r) => cam.server.listen(0, '127.0.0.1', r));
  const a = cam.server.address();
  cam.port = a && typeof a === 'object' ? a.port : 0;
  cam.url = `${opts.tls ? 'rtsps' : 'rtsp'}://127.0.0.1:${cam.port}/cam`;
  return cam;
}

/** A minimal RTSP client: sequential requests, interleaved data collected. */
class Client {
  readonly sock: Socket;
  private readonly reader = new RtspReader();
  private readonly waiting: ((m: RtspMessage) => void)[] = [];
  readonly data: Buffer[] = [];
  private cseq = 0;
  readonly closed: Promise<void>;

  constructor(url: string) {
    const u = new URL(url.replace(/^rtsp:/, 'http:'));
    this.sock = connect(Number(u.port), u.hostname);
    this.sock.on('error', () => undefined);
    this.closed = new Promise((r) => this.sock.on('close', () => r()));
    this.sock.on('data', (d: Buffer) => {
      for (const c of this.reader.push(d)) {
        if (c.type === 'raw') this.data.push(Buffer.from(c.data));
        else this.waiting.shift()?.(c.message);
      }
    });
  }

  request(method: string, uri: string, headers: [string, string][] = []): Promise<RtspMessage> {
    const p = new Promise<RtspMessage>((resolve, reject) => {
      this.waiting.push(resolve);
      this.sock.once('close', () => reject(new Error(`connection closed during ${method}`)));
    });
    this.sock.write(serialize({ startLine: `${method} ${uri} RTSP/1.0`, headers: [['CSeq', String(++this.cseq)], ...headers], body: Buffer.alloc(0) }));
    return p;
  }
}

const frame = (channel: number, payload: Buffer): Buffer => Buffer.concat([Buffer.from([0x24, channel, payload.length >> 8, payload.length & 0xff]), payload]);
const waitUntil = async (what: string, fn: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

let cam: Camera | null = null;
let relay: AuthRelay | null = null;
afterEach(async () => {
  await relay?.close();
  relay = null;
  if (cam) {
    for (const s of cam.sockets) s.destroy();
    await new Promise((r) => cam!.server.close(r));
    cam = null;
  }
});

describe('rtsp auth relay', () => {
  it('answers the Digest SHA-256 challenge once, pre-authorises the rest and rewrites URLs both ways', async () => {
    cam = await startCamera();
    relay = await openRtspAuthRelay({ upstream: cam.url, credentials: { username: USER, password: PASS }, log: silentLogger() });
    expect(relay.url).toMatch(/^rtsp:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{32}\/cam$/);
    const c = new Client(relay.url);
    expect((await c.request('OPTIONS', relay.url)).startLine).toBe('RTSP/1.0 200 OK');
    const describe = await c.request('DESCRIBE', relay.url, [['Accept', 'application/sdp']]);
    expect(headerValue(describe.headers, 'content-base')).toBe(`${relay.url}/`);
    expect(describe.body.toString()).toContain(`a=control:${relay.url}/trackID=0`);
    expect(describe.body.toString()).not.toContain(cam.url);
    const setup = await c.request('SETUP', `${relay.url}/trackID=0`, [['Transport', 'RTP/AVP/TCP;unicast;interleaved=0-1']]);
    expect(headerValue(setup.headers, 'transport')).toBe('RTP/AVP/TCP;unicast;interleaved=0-1');
    const play = await c.request('PLAY', `${relay.url}/`, [['Session', '12345678']]);
    expect(headerValue(play.headers, 'rtp-info')).toBe(`url=${relay.url}/trackID=0;seq=1;rtptime=0`);

    // One 401 for the whole session; every request reached the camera with its own URLs and a counted nonce.
    expect(cam.unauthorized).toBe(1);
    expect(cam.requests.map((r) => `${r.method} ${r.uri}`)).toEqual([`OPTIONS ${cam.url}`, `OPTIONS ${cam.url}`, `DESCRIBE ${cam.url}`, `SETUP ${cam.url}/trackID=0`, `PLAY ${cam.url}/`]);
    expect(cam.requests.slice(1).map((r) => /nc=(\w+)/.exec(r.authorization ?? '')?.[1])).toEqual(['00000001', '00000002', '00000003', '00000004']);
    expect(relay.failure()).toBeNull();
  });

  it('passes interleaved RTP/RTCP through byte for byte, both ways, and holds the camera back while the client does not read', async () => {
    cam = await startCamera();
    // 32 MB: far more than the socket buffers between camera, relay and client can hold.
    const payloads = Array.from({ length: 24_000 }, (_v, i) => randomBytes(1000 + (i % 800)));
    const total = payloads.reduce((n, p) => n + p.length + 4, 0);
    let sent = 0;
    let sentBytes = 0;
    cam.onPlay = (s) => {
      const pump = (): void => {
        while (sent < payloads.length) {
          const f = frame(0, payloads[sent]!);
          const ok = s.write(f);
          sent++;
          sentBytes += f.length;
          if (!ok) {
            s.once('drain', pump);
            return;
          }
        }
      };
      pump();
    };
    relay = await openRtspAuthRelay({ upstream: cam.url, credentials: { username: USER, password: PASS }, log: silentLogger() });
    const c = new Client(relay.url);
    await c.request('DESCRIBE', relay.url);
    await c.request('SETUP', `${relay.url}/trackID=0`, [['Transport', 'RTP/AVP/TCP;unicast;interleaved=0-1']]);
    c.sock.pause();
    c.sock.write(serialize({ startLine: `PLAY ${relay.url}/ RTSP/1.0`, headers: [['CSeq', '9'], ['Session', '12345678']], body: Buffer.alloc(0) }));
    await new Promise((r) => setTimeout(r, 1000));
    // The client reads nothing: the relay must stop reading the camera (what is in flight is kernel socket buffers).
    expect(sentBytes).toBeLessThan(total / 2);
    c.sock.resume();
    await waitUntil('all frames at the client', () => c.data.reduce((n, d) => n + d.length, 0) >= total, 15_000);
    expect(Buffer.concat(c.data).equals(Buffer.concat(payloads.map((p) => frame(0, p))))).toBe(true);

    const rtcp = [randomBytes(52), randomBytes(8)].map((p) => frame(1, p));
    c.sock.write(Buffer.concat(rtcp));
    await waitUntil('RTCP at the camera', () => Buffer.concat(cam!.received).length >= 64);
    expect(Buffer.concat(cam.received).equals(Buffer.concat(rtcp))).toBe(true);

    // The client leaving closes the camera connection.
    const closedBefore = cam.closed;
    c.sock.destroy();
    await waitUntil('the camera connection to close', () => cam!.closed > closedBefore);
  }, 20_000);

  it('talks TLS to an rtsps:// camera while the client speaks plain RTSP on loopback', async () => {
    cam = await startCamera({ tls: true });
    relay = await openRtspAuthRelay({ upstream: cam.url, credentials: { username: USER, password: PASS }, log: silentLogger() });
    expect(relay.url).toMatch(/^rtsp:\/\/127\.0\.0\.1:/);
    const c = new Client(relay.url);
    const d = await c.request('DESCRIBE', relay.url);
    expect(d.startLine).toBe('RTSP/1.0 200 OK');
    expect(headerValue(d.headers, 'content-base')).toBe(`${relay.url}/`);
    expect(cam.requests.at(-1)?.uri).toBe(cam.url);
  });

  it('forces TCP: a UDP-only SETUP is refused by the relay itself', async () => {
    cam = await startCamera();
    relay = await openRtspAuthRelay({ upstream: cam.url, credentials: { username: USER, password: PASS }, log: silentLogger() });
    const c = new Client(relay.url);
    await c.request('DESCRIBE', relay.url);
    const before = cam.requests.length;
    expect((await c.request('SETUP', `${relay.url}/trackID=0`, [['Transport', 'RTP/AVP;unicast;client_port=5000-5001']])).startLine).toBe('RTSP/1.0 461 Unsupported Transport');
    expect(cam.requests.length).toBe(before);
  });

  it('refuses a wrong path token with 404 and never connects to the camera for it', async () => {
    cam = await startCamera();
    relay = await openRtspAuthRelay({ upstream: cam.url, credentials: { username: USER, password: PASS }, log: silentLogger() });
    const wrong = relay.url.replace(/\/[0-9a-f]{32}\//, `/${'0'.repeat(32)}/`);
    const c = new Client(wrong);
    expect((await c.request('DESCRIBE', wrong)).startLine).toBe('RTSP/1.0 404 Not Found');
    await c.closed;
    const bare = new Client(relay.url);
    expect((await bare.request('DESCRIBE', relay.url.replace(/\/[0-9a-f]{32}\/cam$/, '/cam'))).startLine).toBe('RTSP/1.0 404 Not Found');
    expect(cam.requests).toEqual([]);
  });

  it('limits concurrent clients and closes them all on close()', async () => {
    cam = await startCamera();
    relay = await openRtspAuthRelay({ upstream: cam.url, credentials: { username: USER, password: PASS }, log: silentLogger(), maxClients: 2 });
    const a = new Client(relay.url);
    const b = new Client(relay.url);
    await a.request('OPTIONS', relay.url);
    await b.request('OPTIONS', relay.url);
    const extra = new Client(relay.url);
    await expect(extra.request('OPTIONS', relay.url)).rejects.toThrow(/closed/);
    await relay.close();
    await Promise.all([a.closed, b.closed]);
    await waitUntil('camera connections closed', () => cam!.sockets.size === 0);
  });

  it('refused credentials reach the client as a plain 401 and are reported as an auth failure', async () => {
    cam = await startCamera();
    relay = await openRtspAuthRelay({ upstream: cam.url, credentials: { username: USER, password: 'wrong' }, log: silentLogger() });
    const c = new Client(relay.url);
    const r = await c.request('DESCRIBE', relay.url);
    expect(r.startLine).toBe('RTSP/1.0 401 Unauthorized');
    // Without a challenge the client (ffmpeg) does not retry on its own, so the camera sees two attempts, not four.
    expect(headerValue(r.headers, 'www-authenticate')).toBeUndefined();
    expect(cam.requests).toHaveLength(2);
    expect(relay.failure()).toEqual({ kind: 'auth', message: 'the camera refused the credentials' });
  });

  it('an unreachable camera gives the client a 503 and the relay an unreachable failure', async () => {
    const port = await freePort();
    relay = await openRtspAuthRelay({ upstream: `rtsp://127.0.0.1:${port}/cam`, credentials: { username: USER, password: PASS }, log: silentLogger() });
    const c = new Client(relay.url);
    expect((await c.request('OPTIONS', relay.url)).startLine).toBe('RTSP/1.0 503 Service Unavailable');
    expect(relay.failure()).toEqual({ kind: 'unreachable', message: 'Connection refused' });
  });
});
