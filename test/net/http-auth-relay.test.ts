// The HTTP auth relay: only its token path is served, clients are limited, an unreachable camera is a 502 with a reason,
// and a client that leaves (or close()) ends the camera request. real: HTTP on 127.0.0.1, fetch, the relay. mock: nothing.
import { createServer, type Server, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src-main/repositories/logger';
import { NodeCameraNetRepository, type AuthRelay } from '../../src-main/repositories/net/camera-net.repository';
import { freePort } from '../support/rtsp-server';

const net = new NodeCameraNetRepository();
const creds = { username: 'u', password: 'p4ss' };
let relay: AuthRelay | null = null;
let server: Server | null = null;
const open = new Set<ServerResponse>();
let closedStreams = 0;

async function camera(): Promise<string> {
  server = createServer((req, res) => {
    if (req.headers.authorization !== 'Basic ' + Buffer.from('u:p4ss').toString('base64')) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="c"' }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'multipart/x-mixed-replace; boundary=b' });
    res.write('--b\r\n');
    open.add(res);
    res.on('close', () => {
      open.delete(res);
      closedStreams++;
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const a = server.address();
  return `http://127.0.0.1:${a && typeof a === 'object' ? a.port : 0}/video.mjpg`;
}

const waitUntil = async (fn: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

afterEach(async () => {
  await relay?.close();
  relay = null;
  server?.closeAllConnections();
  await new Promise((r) => (server ? server.close(r) : r(null)));
  server = null;
});

describe('http auth relay', () => {
  it('serves only its token path and GET, streams the camera with credentials, and limits clients', async () => {
    relay = await net.httpRelay({ upstream: await camera(), credentials: creds, log: silentLogger(), maxClients: 2 });
    expect(relay.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{32}$/);
    expect((await fetch(relay.url.replace(/[0-9a-f]{32}$/, 'x'.repeat(32)))).status).toBe(404);
    expect((await fetch(relay.url, { method: 'POST' })).status).toBe(405);
    const a = new AbortController();
    const b = new AbortController();
    const ra = await fetch(relay.url, { signal: a.signal });
    const rb = await fetch(relay.url, { signal: b.signal });
    expect([ra.status, rb.status]).toEqual([200, 200]);
    expect(ra.headers.get('content-type')).toBe('multipart/x-mixed-replace; boundary=b');
    expect((await fetch(relay.url)).status).toBe(503);
    // A client that leaves ends its camera request.
    a.abort();
    await waitUntil(() => closedStreams >= 1);
    // close() ends the rest.
    await relay.close();
    await waitUntil(() => open.size === 0);
  });

  it('an unreachable camera is a 502 and an unreachable failure', async () => {
    relay = await net.httpRelay({ upstream: `http://127.0.0.1:${await freePort()}/video.mjpg`, credentials: creds, log: silentLogger() });
    expect((await fetch(relay.url)).status).toBe(502);
    expect(relay.failure()).toEqual({ kind: 'unreachable', message: 'Connection refused' });
  });

  it('refused credentials are a 401 and an auth failure', async () => {
    relay = await net.httpRelay({ upstream: await camera(), credentials: { username: 'u', password: 'nope' }, log: silentLogger() });
    expect((await fetch(relay.url)).status).toBe(401);
    expect(relay.failure()).toEqual({ kind: 'auth', message: 'the camera refused the credentials' });
  });
});
