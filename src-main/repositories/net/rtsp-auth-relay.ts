// A loopback RTSP relay per run: ffmpeg connects without credentials; requests go upstream with Basic/Digest, RTP interleaved untouched.
import { randomBytes } from 'node:crypto';
import { createServer, connect as netConnect, isIP, type Server, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Logger } from '../logger';
import { describeConnectError, type AuthRelay, type RelayFailure, type RelayOptions } from './camera-net.repository';
import { AuthSession } from './http-auth';
import { RtspReader, RtspUrlMap, headerValue, headerValues, isResponse, requestLine, serialize, statusOf, type RtspChunk, type RtspMessage } from './rtsp-message';
import { listenOnLoopback } from './listen-loopback';

const DEFAULT_MAX_CLIENTS = 4;
const FIRST_REQUEST_MS = 10_000;
const MAX_PENDING = 32;
const AUTH_HEADERS = new Set(['authorization', 'proxy-authorization']);

interface Pending {
  /** The rewritten request without Authorization, kept to retry it after a challenge. */
  message: RtspMessage;
  method: string;
  uri: string;
  sentAuth: boolean;
  attempts: number;
}

function reply(status: number, reason: string, cseq: string | undefined): Buffer {
  return Buffer.from(`RTSP/1.0 ${status} ${reason}\r\n${cseq !== undefined ? `CSeq: ${cseq}\r\n` : ''}\r\n`);
}

function withoutHeaders(m: RtspMessage, names: ReadonlySet<string>): RtspMessage {
  return { ...m, headers: m.headers.filter(([k]) => !names.has(k.toLowerCase())) };
}

/** Keeps only the TCP-interleaved alternatives of a SETUP's Transport header; null when none is left. */
export function tcpOnlyTransport(value: string): string | null {
  const kept = value.split(',').filter((t) => /^\s*RTP\/AVP(?:F)?\/TCP\b/i.test(t));
  return kept.length ? kept.map((t) => t.trim()).join(',') : null;
}

class RelaySession {
  private readonly clientReader = new RtspReader();
  private readonly upstreamReader = new RtspReader();
  private upstream: Socket | null = null;
  private state: 'await-first' | 'connecting' | 'open' | 'closed' = 'await-first';
  private readonly backlog: RtspChunk[] = [];
  private readonly pending = new Map<string, Pending>();
  private readonly auth: AuthSession;
  private readonly firstTimer: NodeJS.Timeout;
  /** Sockets paused until the other side drains. */
  private readonly held = new Set<Socket>();

  constructor(
    private readonly relay: RtspAuthRelay,
    private readonly client: Socket,
  ) {
    this.auth = new AuthSession(relay.o.credentials);
    client.setNoDelay(true);
    client.on('data', (d: Buffer) => this.onClientData(d));
    client.on('error', () => this.close());
    client.on('close', () => this.close());
    this.firstTimer = setTimeout(() => this.state === 'await-first' && this.close(), FIRST_REQUEST_MS);
    this.firstTimer.unref();
  }

  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.firstTimer);
    this.client.destroy();
    this.upstream?.destroy();
    this.relay.sessionClosed(this);
  }

  private onClientData(chunk: Buffer): void {
    let items: RtspChunk[];
    try {
      items = this.clientReader.push(chunk);
    } catch {
      this.close();
      return;
    }
    for (const item of items) {
      if (this.state === 'closed') return;
      if (this.state === 'open') this.toUpstream(item);
      else if (this.state === 'connecting') this.backlog.push(item);
      else this.first(item);
    }
  }

  /** The first request must carry the relay's path token; anything else is answered 404 and the connection closed. */
  private first(item: RtspChunk): void {
    const req = item.type === 'message' ? requestLine(item.message) : null;
    if (!req || this.relay.tokenCheck(req.uri) !== 'ok') {
      const cseq = item.type === 'message' ? headerValue(item.message.headers, 'cseq') : undefined;
      this.client.end(reply(404, 'Not Found', cseq));
      clearTimeout(this.firstTimer);
      this.state = 'closed';
      this.relay.sessionClosed(this);
      return;
    }
    clearTimeout(this.firstTimer);
    this.backlog.push(item);
    this.state = 'connecting';
    this.client.pause();
    this.connectUpstream();
  }

  private connectUpstream(): void {
    const { host, port, tls } = this.relay.target;
    const sock = tls ? tlsConnect({ host, port, servername: isIP(host) ? undefined : host, rejectUnauthorized: false }) : netConnect({ host, port });
    this.upstream = sock;
    const timer = setTimeout(() => fail({ kind: 'timeout', message: 'Connection timed out' }), this.relay.o.connectTimeoutMs ?? 5000);
    const fail = (f: RelayFailure): void => {
      clearTimeout(timer);
      if (this.state !== 'connecting') return;
      this.relay.setFailure(f);
      sock.destroy();
      for (const item of this.backlog) {
        if (item.type === 'message' && !isResponse(item.message)) this.client.write(reply(503, 'Service Unavailable', headerValue(item.message.headers, 'cseq')));
      }
      this.backlog.length = 0;
      this.state = 'closed';
      this.client.end();
      this.relay.sessionClosed(this);
    };
    sock.once(tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      if (this.state !== 'connecting') {
        sock.destroy();
        return;
      }
      sock.setNoDelay(true);
      this.state = 'open';
      sock.on('data', (d: Buffer) => this.onUpstreamData(d));
      sock.on('close', () => this.close());
      for (const item of this.backlog.splice(0)) this.toUpstream(item);
      if (!this.held.has(this.client)) this.client.resume();
    });
    sock.on('error', (err) => {
      if (this.state === 'connecting') fail(describeConnectError(err));
      else this.close();
    });
  }

  private toUpstream(item: RtspChunk): void {
    if (item.type === 'raw') {
      this.write(this.upstream, this.client, item.data);
      return;
    }
    const m = item.message;
    const req = requestLine(m);
    if (req) {
      const check = this.relay.tokenCheck(req.uri);
      if (check === 'bad') {
        this.write(this.client, this.upstream, reply(404, 'Not Found', headerValue(m.headers, 'cseq')));
        return;
      }
      if (req.method.toUpperCase() === 'SETUP') {
        const transport = tcpOnlyTransport(headerValue(m.headers, 'transport') ?? '');
        if (transport === null) {
          this.write(this.client, this.upstream, reply(461, 'Unsupported Transport', headerValue(m.headers, 'cseq')));
          return;
        }
        m.headers = m.headers.map(([k, v]): [string, string] => (k.toLowerCase() === 'transport' ? [k, transport] : [k, v]));
      }
    }
    const out = this.relay.map.rewrite(withoutHeaders(m, AUTH_HEADERS), 'upstream');
    const outReq = requestLine(out);
    const cseq = headerValue(out.headers, 'cseq');
    if (outReq && cseq !== undefined) {
      const p: Pending = { message: out, method: outReq.method, uri: outReq.uri, sentAuth: false, attempts: 0 };
      this.pending.set(cseq, p);
      if (this.pending.size > MAX_PENDING) this.pending.delete(this.pending.keys().next().value as string);
      this.sendPending(p);
    } else this.write(this.upstream, this.client, serialize(out));
  }

  private sendPending(p: Pending): void {
    const authorization = this.auth.authorization(p.method, p.uri, p.message.body);
    p.sentAuth = authorization !== null;
    const m = authorization ? { ...p.message, headers: [...p.message.headers, ['Authorization', authorization] as [string, string]] } : p.message;
    this.write(this.upstream, this.client, serialize(m));
  }

  private onUpstreamData(chunk: Buffer): void {
    let items: RtspChunk[];
    try {
      items = this.upstreamReader.push(chunk);
    } catch {
      this.close();
      return;
    }
    for (const item of items) {
      if (this.state === 'closed') return;
      if (item.type === 'raw') this.write(this.client, this.upstream, item.data);
      else this.fromUpstream(item.message);
    }
  }

  private fromUpstream(m: RtspMessage): void {
    let out = m;
    const status = statusOf(m);
    const cseq = headerValue(m.headers, 'cseq');
    const p = cseq !== undefined && isResponse(m) ? this.pending.get(cseq) : undefined;
    if (p && cseq !== undefined) this.pending.delete(cseq);
    if (p && status === 401) {
      const challenges = headerValues(m.headers, 'www-authenticate');
      if (p.attempts < 2 && this.auth.accept(challenges, p.sentAuth)) {
        p.attempts++;
        this.pending.set(cseq as string, p);
        if (p.attempts === 1) this.relay.o.log.debug({ scheme: this.auth.scheme }, 'camera asked for credentials; answering the challenge');
        this.sendPending(p);
        return;
      }
      this.relay.setFailure({ kind: 'auth', message: p.sentAuth ? 'the camera refused the credentials' : 'the camera asked for an unsupported authentication scheme' });
      out = withoutHeaders(m, new Set(['www-authenticate']));
    } else if (p && status !== null && status >= 200 && status < 300) this.relay.setFailure(null);
    this.write(this.client, this.upstream, serialize(this.relay.map.rewrite(out, 'client')));
  }

  /** Writes toward `to`; when its buffer is full, holds `from` until it drains, so nothing buffers without bound. */
  private write(to: Socket | null, from: Socket | null, data: Buffer): void {
    if (!to || to.destroyed || this.state === 'closed') return;
    if (!to.write(data) && from && !this.held.has(from)) {
      this.held.add(from);
      from.pause();
      to.once('drain', () => {
        this.held.delete(from);
        if (this.state === 'open') from.resume();
      });
    }
  }
}

export class RtspAuthRelay implements AuthRelay {
  private readonly server: Server;
  private readonly sessions = new Set<RelaySession>();
  private readonly token = randomBytes(16).toString('hex');
  private lastFailure: RelayFailure | null = null;
  private closed = false;
  map!: RtspUrlMap;
  url = '';
  readonly target: { host: string; port: number; tls: boolean };
  private readonly log: Logger;

  constructor(readonly o: RelayOptions) {
    const m = /^(rtsps?):\/\/(?:[^/?#@]*@)?(\[[^\]]+\]|[^/?#:]+)(?::(\d+))?/i.exec(o.upstream);
    if (!m) throw new Error('the RTSP relay needs an rtsp:// or rtsps:// URL');
    const tls = (m[1] as string).toLowerCase() === 'rtsps';
    this.target = { host: (m[2] as string).replace(/^\[|\]$/g, ''), port: m[3] ? Number(m[3]) : tls ? 322 : 554, tls };
    this.log = o.log;
    this.server = createServer((sock) => this.onConnection(sock));
    this.server.maxConnections = o.maxClients ?? DEFAULT_MAX_CLIENTS;
  }

  async listen(): Promise<void> {
    const port = await listenOnLoopback(this.server);
    this.server.on('error', (err) => this.log.warn({ err: err.message }, 'RTSP relay server error'));
    this.map = new RtspUrlMap(`rtsp://127.0.0.1:${port}/${this.token}`, this.o.upstream);
    this.url = this.map.clientUrl(this.o.upstream);
  }

  private onConnection(sock: Socket): void {
    if (this.closed || this.sessions.size >= (this.o.maxClients ?? DEFAULT_MAX_CLIENTS)) {
      sock.destroy();
      return;
    }
    this.sessions.add(new RelaySession(this, sock));
  }

  /** 'ok': the relay base with this token; 'bad': the relay's address with another token; 'foreign': any other URI. */
  tokenCheck(uri: string): 'ok' | 'bad' | 'foreign' {
    const base = this.map.relayBase;
    if (uri === base || (uri.startsWith(base) && /[/?;]/.test(uri[base.length] ?? ''))) return 'ok';
    const origin = base.slice(0, base.lastIndexOf('/'));
    if (uri === '*' || !(uri === origin || uri.startsWith(origin + '/'))) return 'foreign';
    return 'bad';
  }

  sessionClosed(s: RelaySession): void {
    this.sessions.delete(s);
  }

  setFailure(f: RelayFailure | null): void {
    if (f && (this.lastFailure?.kind !== f.kind || this.lastFailure.message !== f.message)) this.log.warn({ kind: f.kind, reason: f.message }, 'RTSP relay: camera not served');
    this.lastFailure = f;
  }

  failure(): RelayFailure | null {
    return this.lastFailure;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of [...this.sessions]) s.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export async function openRtspAuthRelay(o: RelayOptions): Promise<AuthRelay> {
  const relay = new RtspAuthRelay(o);
  await relay.listen();
  return relay;
}
