// A loopback HTTP relay per run: ffmpeg GETs http://127.0.0.1:port/token; the relay fetches the camera URL with Basic/Digest and streams it back.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { describeConnectError, type AuthRelay, type RelayFailure, type RelayOptions } from './camera-net.repository';
import type { HttpAuthClient } from './http-auth-client';
import { listenOnLoopback } from './listen-loopback';

const DEFAULT_MAX_CLIENTS = 4;
const PASSED_HEADERS = ['content-type', 'content-length', 'cache-control', 'last-modified', 'etag'];

export class HttpAuthRelay implements AuthRelay {
  private readonly server: Server;
  private readonly token = randomBytes(16).toString('hex');
  private readonly active = new Set<AbortController>();
  private lastFailure: RelayFailure | null = null;
  private closed = false;
  url = '';

  constructor(
    private readonly o: RelayOptions,
    private readonly client: HttpAuthClient,
  ) {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.maxConnections = (o.maxClients ?? DEFAULT_MAX_CLIENTS) * 2;
    this.server.headersTimeout = 10_000;
  }

  async listen(): Promise<void> {
    const port = await listenOnLoopback(this.server);
    this.server.on('error', (err) => this.o.log.warn({ err: err.message }, 'HTTP relay server error'));
    this.url = `http://127.0.0.1:${port}/${this.token}`;
  }

  private setFailure(f: RelayFailure | null): void {
    if (f && (this.lastFailure?.kind !== f.kind || this.lastFailure.message !== f.message)) this.o.log.warn({ kind: f.kind, reason: f.message }, 'HTTP relay: camera not served');
    this.lastFailure = f;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.url !== `/${this.token}`) {
      res.writeHead(404, { connection: 'close' }).end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', connection: 'close' }).end();
      return;
    }
    if (this.active.size >= (this.o.maxClients ?? DEFAULT_MAX_CLIENTS)) {
      res.writeHead(503, { connection: 'close' }).end();
      return;
    }
    const ac = new AbortController();
    this.active.add(ac);
    res.on('close', () => ac.abort());
    const timer = setTimeout(() => ac.abort(), this.o.connectTimeoutMs ?? 5000);
    try {
      const up = await this.client.fetch(this.o.upstream, { method: req.method, signal: ac.signal, redirect: 'follow', headers: { accept: req.headers.accept ?? '*/*' } });
      clearTimeout(timer);
      if (this.client.refused()) this.setFailure({ kind: 'auth', message: 'the camera refused the credentials' });
      else if (up.status === 401) this.setFailure({ kind: 'auth', message: 'the camera asked for an unsupported authentication scheme' });
      else if (up.ok) this.setFailure(null);
      const headers: Record<string, string> = { connection: 'close' };
      for (const h of PASSED_HEADERS) {
        const v = up.headers.get(h);
        if (v !== null) headers[h] = v;
      }
      res.writeHead(up.status, up.statusText, headers);
      if (!up.body || req.method === 'HEAD') {
        await up.body?.cancel().catch(() => undefined);
        res.end();
        return;
      }
      await pipeline(Readable.fromWeb(up.body as WebReadableStream<Uint8Array>), res);
    } catch (err) {
      clearTimeout(timer);
      if (this.closed || res.destroyed || res.writableEnded) return;
      if (!res.headersSent) {
        const f = ac.signal.aborted ? { kind: 'timeout' as const, message: 'Connection timed out' } : describeConnectError(err);
        this.setFailure(f);
        res.writeHead(502, { connection: 'close' }).end();
      } else res.destroy();
    } finally {
      clearTimeout(timer);
      this.active.delete(ac);
    }
  }

  failure(): RelayFailure | null {
    return this.lastFailure;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const ac of this.active) ac.abort();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export async function openHttpAuthRelay(o: RelayOptions, client: HttpAuthClient): Promise<AuthRelay> {
  const relay = new HttpAuthRelay(o, client);
  await relay.listen();
  return relay;
}
