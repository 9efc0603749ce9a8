// RTSP on the wire for the relay: an incremental reader of messages and interleaved frames, and URL rewriting between origins.

export interface RtspMessage {
  /** "OPTIONS rtsp://h/s RTSP/1.0" or "RTSP/1.0 200 OK". */
  startLine: string;
  /** In order, names as received. */
  headers: [string, string][];
  body: Buffer;
}

export type RtspChunk = { type: 'message'; message: RtspMessage } | { type: 'raw'; data: Buffer };

export const MAX_HEADER_BYTES = 64 * 1024;
export const MAX_BODY_BYTES = 1024 * 1024;

export class RtspProtocolError extends Error {}

/**
 * Splits a byte stream into RTSP messages and interleaved data. Interleaved frames ('$', channel, 16-bit length)
 * come out as raw bytes, untouched and unbuffered beyond their 4-byte header; a message is held only until complete.
 */
export class RtspReader {
  private buf: Buffer = Buffer.alloc(0);
  /** Bytes of the current interleaved frame still to pass through. */
  private passthrough = 0;

  push(chunk: Buffer): RtspChunk[] {
    const out: RtspChunk[] = [];
    let data = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    this.buf = Buffer.alloc(0);
    while (data.length) {
      if (this.passthrough > 0) {
        const n = Math.min(this.passthrough, data.length);
        out.push({ type: 'raw', data: data.subarray(0, n) });
        this.passthrough -= n;
        data = data.subarray(n);
        continue;
      }
      if (data[0] === 0x24) {
        if (data.length < 4) break;
        this.passthrough = 4 + data.readUInt16BE(2);
        continue;
      }
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) {
        if (data.length > MAX_HEADER_BYTES) throw new RtspProtocolError('RTSP header too large');
        break;
      }
      const head = data.subarray(0, end).toString('utf8');
      const lines = head.split('\r\n');
      const startLine = (lines.shift() ?? '').trim();
      const headers: [string, string][] = [];
      for (const line of lines) {
        const colon = line.indexOf(':');
        if (colon > 0) headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
      }
      const length = Number(headerValue(headers, 'content-length') ?? '0');
      if (!Number.isInteger(length) || length < 0 || length > MAX_BODY_BYTES) throw new RtspProtocolError('RTSP body too large');
      if (data.length < end + 4 + length) {
        if (data.length > MAX_HEADER_BYTES + MAX_BODY_BYTES) throw new RtspProtocolError('RTSP message too large');
        break;
      }
      const body = Buffer.from(data.subarray(end + 4, end + 4 + length));
      out.push({ type: 'message', message: { startLine, headers, body } });
      data = data.subarray(end + 4 + length);
    }
    if (data.length) this.buf = Buffer.from(data);
    return out;
  }
}

export function headerValue(headers: readonly [string, string][], name: string): string | undefined {
  const n = name.toLowerCase();
  return headers.find(([k]) => k.toLowerCase() === n)?.[1];
}

export function headerValues(headers: readonly [string, string][], name: string): string[] {
  const n = name.toLowerCase();
  return headers.filter(([k]) => k.toLowerCase() === n).map(([, v]) => v);
}

export function isResponse(m: RtspMessage): boolean {
  return /^RTSP\/\d/i.test(m.startLine);
}

export function statusOf(m: RtspMessage): number | null {
  const s = /^RTSP\/\d\.\d\s+(\d{3})/i.exec(m.startLine);
  return s ? Number(s[1]) : null;
}

/** Request line parts; null for a response. */
export function requestLine(m: RtspMessage): { method: string; uri: string; version: string } | null {
  if (isResponse(m)) return null;
  const [method, uri, version] = m.startLine.split(/\s+/);
  return method && uri && version ? { method, uri, version } : null;
}

export function serialize(m: RtspMessage): Buffer {
  const headers = m.headers.filter(([k]) => k.toLowerCase() !== 'content-length');
  if (m.body.length) headers.push(['Content-Length', String(m.body.length)]);
  const head = [m.startLine, ...headers.map(([k, v]) => `${k}: ${v}`)].join('\r\n') + '\r\n\r\n';
  return m.body.length ? Buffer.concat([Buffer.from(head, 'utf8'), m.body]) : Buffer.from(head, 'utf8');
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** What may follow an origin (or the relay's path token) in a URL. */
const BOUNDARY = `(?=[/?;#\\s"',>]|$)`;
const DEFAULT_PORT: Record<string, number> = { rtsp: 554, rtsps: 322, rtspu: 554 };

/** Headers whose values never carry a URL of the stream (and must not be touched). */
const OPAQUE_HEADERS = new Set(['authorization', 'www-authenticate', 'proxy-authorization', 'proxy-authenticate', 'cseq', 'session', 'transport', 'content-length']);
const TEXT_BODY = /^(application\/sdp|text\/)/i;

/**
 * Maps URLs between the relay's loopback base (rtsp://127.0.0.1:port/token) and the camera's origin (rtsp[s]://host[:port]).
 * Toward the camera only the relay base with the right token is rewritten; toward the client every spelling of the
 * camera's origin (with or without its default port, any userinfo) becomes the relay base.
 */
export class RtspUrlMap {
  private readonly toUpstreamRe: RegExp;
  private readonly toClientRe: RegExp;
  readonly upstreamOrigin: string;

  constructor(
    readonly relayBase: string,
    upstreamUrl: string,
  ) {
    const m = /^(rtsps?):\/\/([^/?#]*)/i.exec(upstreamUrl);
    if (!m) throw new Error('not an rtsp URL');
    const scheme = (m[1] as string).toLowerCase();
    const authority = (m[2] as string).slice((m[2] as string).lastIndexOf('@') + 1);
    this.upstreamOrigin = `${scheme}://${authority}`;
    const hp = /^(\[[^\]]+\]|[^:]*)(?::(\d+))?$/.exec(authority);
    const host = hp?.[1] ?? authority;
    const port = hp?.[2] ? Number(hp[2]) : (DEFAULT_PORT[scheme] as number);
    const portRe = port === DEFAULT_PORT[scheme] ? `(?::${port})?` : `:${port}`;
    this.toClientRe = new RegExp(`rtsps?://(?:[^/@\\s"']*@)?${escapeRe(host)}${portRe}${BOUNDARY}`, 'gi');
    this.toUpstreamRe = new RegExp(`${escapeRe(relayBase)}${BOUNDARY}`, 'g');
  }

  /** The URL the client opens for the camera URL: the relay base plus the camera URL's path and query. */
  clientUrl(upstreamUrl: string): string {
    const rest = /^rtsps?:\/\/[^/?#]*(.*)$/i.exec(upstreamUrl)?.[1] ?? '';
    return this.relayBase + rest;
  }

  toUpstream(text: string): string {
    return text.replace(this.toUpstreamRe, this.upstreamOrigin);
  }

  toClient(text: string): string {
    return text.replace(this.toClientRe, this.relayBase);
  }

  /** Rewrites a message's request URI, URL-carrying headers and a textual (SDP) body in one direction. */
  rewrite(m: RtspMessage, direction: 'upstream' | 'client'): RtspMessage {
    const map = direction === 'upstream' ? (s: string) => this.toUpstream(s) : (s: string) => this.toClient(s);
    const req = requestLine(m);
    const startLine = req ? `${req.method} ${map(req.uri)} ${req.version}` : m.startLine;
    const headers = m.headers.map(([k, v]): [string, string] => [k, OPAQUE_HEADERS.has(k.toLowerCase()) ? v : map(v)]);
    const type = headerValue(m.headers, 'content-type') ?? '';
    const body = m.body.length && TEXT_BODY.test(type) ? Buffer.from(map(m.body.toString('utf8')), 'utf8') : m.body;
    return { startLine, headers, body };
  }
}
