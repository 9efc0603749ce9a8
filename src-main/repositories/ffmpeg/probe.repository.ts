// "Test connection": ffprobe (arg array, hard timeout; RTSP with credentials through the loopback relay) for rtsp/file/pattern, an HTTP GET for snapshot/MJPEG URLs.
import { spawn } from 'node:child_process';
import { hasCredentials, maskUrl, redact, resolveCredentials } from '../../shared/credentials';
import { filePathOf, patternLavfi, patternOf } from '../../shared/source-url';
import type { SourceKind } from '../../shared/contract/cameras.contract';
import { silentLogger, type Logger } from '../logger';
import { NodeCameraNetRepository, type AuthRelay, type CameraNetRepository } from '../net/camera-net.repository';

export interface ProbeRequest {
  kind: SourceKind;
  /** URL without userinfo. */
  url: string;
  username: string | null;
  password: string | null;
  rtspTransport: 'tcp' | 'udp';
  timeoutMs: number;
}

export interface ProbeResult {
  ok: boolean;
  source_kind: SourceKind | null;
  codec: string | null;
  width: number | null;
  height: number | null;
  fps: number | null;
  audio: string | null;
  error: string | null;
}

export interface ProbeRepository {
  probe(req: ProbeRequest): Promise<ProbeResult>;
}

const fail = (kind: SourceKind | null, error: string): ProbeResult => ({ ok: false, source_kind: kind, codec: null, width: null, height: null, fps: null, audio: null, error });

/** Width/height of a JPEG (from its SOFn marker) or PNG (IHDR); null when the bytes are neither or truncated. */
export function imageSize(b: Buffer): { width: number; height: number; codec: 'jpeg' | 'png' } | null {
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47) return { width: b.readUInt32BE(16), height: b.readUInt32BE(20), codec: 'png' };
  const start = b.indexOf(Buffer.from([0xff, 0xd8]));
  if (start < 0) return null;
  let i = start + 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) {
      i++;
      continue;
    }
    const marker = b[i + 1] as number;
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    const len = b.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7), codec: 'jpeg' };
    }
    i += 2 + len;
  }
  return null;
}

/** "30000/1001" → 29.97 */
export function parseRate(r: string | undefined): number | null {
  if (!r) return null;
  const [n, d] = r.split('/').map(Number) as [number, number | undefined];
  const v = d ? n / d : n;
  return Number.isFinite(v) && v > 0 && v < 1000 ? Math.round(v * 100) / 100 : null;
}

interface FfprobeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
}

export class SourceProbeRepository implements ProbeRepository {
  constructor(
    private readonly ffprobe: () => string | null,
    private readonly net: CameraNetRepository = new NodeCameraNetRepository(),
    private readonly log: Logger = silentLogger(),
  ) {}

  async probe(req: ProbeRequest): Promise<ProbeResult> {
    if (req.kind === 'http' || req.kind === 'mjpeg') return this.probeHttp(req);
    if (req.kind !== 'rtsp') return this.probeFfprobe(req, this.ffprobeArgs(req), null);
    const src = resolveCredentials(req.url, req.username, req.password);
    if (!hasCredentials(src)) return this.probeFfprobe(req, this.ffprobeArgs(req, src.url, req.rtspTransport), null);
    // Opened for this probe only and closed after it: ffprobe sees a loopback URL, never the credentials.
    let relay: AuthRelay;
    try {
      relay = await this.net.rtspRelay({ upstream: src.url, credentials: { username: src.username, password: src.password ?? '' }, log: this.log, connectTimeoutMs: Math.max(1000, req.timeoutMs - 1000) });
    } catch {
      // Not a usable rtsp:// URL (no host, another scheme): a probe result, never a 500.
      return fail(req.kind, `Invalid RTSP URL: ${maskUrl(req.url, true)}`);
    }
    try {
      return await this.probeFfprobe(req, this.ffprobeArgs(req, relay.url, 'tcp'), relay);
    } finally {
      await relay.close();
    }
  }

  private ffprobeArgs(req: ProbeRequest, rtspUrl?: string, transport?: 'tcp' | 'udp'): string[] | string {
    const base = ['-v', 'error', '-print_format', 'json', '-show_streams'];
    if (req.kind === 'rtsp') {
      return [...base, '-rtsp_transport', transport ?? req.rtspTransport, '-timeout', String(Math.max(1, Math.floor(req.timeoutMs * 1000))), '-i', rtspUrl ?? resolveCredentials(req.url, null, null).url];
    }
    if (req.kind === 'pattern') {
      if (!patternOf(req.url)) return `Unknown test pattern in ${req.url}`;
      return [...base, '-f', 'lavfi', '-i', patternLavfi(req.url)];
    }
    return [...base, '-i', filePathOf(req.url)];
  }

  private probeFfprobe(req: ProbeRequest, args: string[] | string, relay: AuthRelay | null): Promise<ProbeResult> {
    const bin = this.ffprobe();
    if (!bin) return Promise.resolve(fail(req.kind, 'ffprobe was not found: install ffmpeg or start Vigil with --ffmpeg'));
    if (typeof args === 'string') return Promise.resolve(fail(req.kind, args));
    const secrets = [req.password];
    const shown = maskUrl(req.url, relay !== null);
    // ffprobe names the relay's URL; the user recognises the camera's (masked), and the relay's token stays out of replies.
    const clean = (text: string): string => redact(relay ? text.split(relay.url).join(shown) : text, secrets);
    const relayError = (): string | null => {
      const f = relay?.failure();
      return f ? `${shown}: ${f.message}` : null;
    };
    return new Promise((resolve) => {
      const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, req.timeoutMs + 2000);
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => {
        if (err.length < 16_384) err += d.toString();
      });
      child.once('error', (e) => {
        clearTimeout(timer);
        resolve(fail(req.kind, clean(e.message)));
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        if (timedOut) return resolve(fail(req.kind, `Timed out after ${Math.round(req.timeoutMs / 1000)} s waiting for the source`));
        const text = relayError() ?? clean(err.trim().split('\n').filter(Boolean).slice(-3).join('\n'));
        let streams: FfprobeStream[] = [];
        try {
          streams = (JSON.parse(out || '{}') as { streams?: FfprobeStream[] }).streams ?? [];
        } catch {
          streams = [];
        }
        const video = streams.find((s) => s.codec_type === 'video');
        if (code !== 0 || !video) return resolve(fail(req.kind, text || (code === 0 ? 'The source has no video stream' : `ffprobe exited with code ${code}`)));
        const audio = streams.find((s) => s.codec_type === 'audio');
        resolve({
          ok: true,
          source_kind: req.kind,
          codec: video.codec_name ?? null,
          width: video.width ?? null,
          height: video.height ?? null,
          fps: parseRate(video.avg_frame_rate) ?? parseRate(video.r_frame_rate),
          audio: audio?.codec_name ?? null,
          error: null,
        });
      });
    });
  }

  private async probeHttp(req: ProbeRequest): Promise<ProbeResult> {
    const secrets = [req.password];
    const src = resolveCredentials(req.url, req.username, req.password);
    const http = this.net.httpClient(hasCredentials(src) ? { username: src.username, password: src.password ?? '' } : null);
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), req.timeoutMs);
    try {
      const res = await http.fetch(src.url, { headers: { Accept: 'image/*, multipart/x-mixed-replace' }, signal: ac.signal, redirect: 'follow' });
      if (!res.ok) {
        void res.body?.cancel().catch(() => undefined);
        return fail(req.kind, `HTTP ${res.status} ${res.statusText}`.trim());
      }
      const type = (res.headers.get('content-type') ?? '').toLowerCase();
      const mjpeg = type.startsWith('multipart/x-mixed-replace');
      if (!mjpeg && !type.startsWith('image/')) {
        void res.body?.cancel().catch(() => undefined);
        return fail(req.kind, `Unexpected content-type "${type || 'none'}": expected image/* (snapshot) or multipart/x-mixed-replace (MJPEG)`);
      }
      const reader = res.body?.getReader();
      const chunks: Buffer[] = [];
      let total = 0;
      let size: ReturnType<typeof imageSize> = null;
      while (reader && total < 4 * 1024 * 1024) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(Buffer.from(value));
        total += value.length;
        size = imageSize(Buffer.concat(chunks));
        if (size && mjpeg) break;
      }
      void reader?.cancel().catch(() => undefined);
      if (!size) size = imageSize(Buffer.concat(chunks));
      return {
        ok: true,
        source_kind: mjpeg ? 'mjpeg' : 'http',
        codec: mjpeg ? 'mjpeg' : (size?.codec ?? type.replace('image/', '')),
        width: size?.width ?? null,
        height: size?.height ?? null,
        fps: null,
        audio: null,
        error: null,
      };
    } catch (e) {
      if (ac.signal.aborted) return fail(req.kind, `Timed out after ${Math.round(req.timeoutMs / 1000)} s waiting for the source`);
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const msg = cause?.message ?? (e instanceof Error ? e.message : String(e));
      return fail(req.kind, redact(msg, secrets));
    } finally {
      clearTimeout(timer);
    }
  }
}
