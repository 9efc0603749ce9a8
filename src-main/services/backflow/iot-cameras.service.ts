// Backflow IoT camera proxy over Vigil's one camera store: slug ids, register/update/delete through the cameras
// service, snapshots (HTTP cameras fetched directly with their credentials, others from the ingest's latest frame),
// and HLS sessions from the same ingest that stop after 5 minutes without a viewer.
import { z } from 'zod';
import { ApiError, notFound } from '../../shared/errors';
import { BLOCKING_RELOAD_MS, firstPlaylist, HLS_REQUEST_NAME_RE, hlsFileType, mapPlaylistUris, withQuery } from '../../shared/hls';
import { uniqueSlug } from '../../shared/slug';
import { zodIssues } from '../../shared/zod-issues';
import type { Camera } from '../../shared/contract/cameras.contract';
import type { CameraSlugsRepository } from '../../repositories/camera-slugs.repository';
import type { HlsSession, LatestFrame } from '../../ports/camera-workers.port';
import type { Logger } from '../../repositories/logger';
import type { ServedFile } from '../../repositories/contained-path';


export const IOT_TYPES = ['rtsp', 'http', 'mjpeg', 'onvif'] as const;

const credentials = z.object({ username: z.string().max(256), password: z.string().max(256) }).strict();
const registerSchema = z
  .object({
    name: z.string().trim().min(1).max(120),
    type: z.enum(IOT_TYPES),
    connectionUrl: z.string().trim().min(1).max(2048),
    credentials: credentials.optional(),
    streamPath: z.string().max(1024).optional(),
  })
  .strict();
const updateSchema = registerSchema.partial().strict();

export interface IotCamera {
  id: string;
  name: string;
  type: (typeof IOT_TYPES)[number];
  connectionUrl: string;
  streamPath: string;
  hasCredentials: boolean;
  status: string;
  lastSeen: string | null;
  vigilCameraId: number;
  createdAt: string;
}

/** What the service needs of Vigil's cameras service and worker manager (one store, one ingest per camera). */
export interface IotCameraStore {
  list(): Camera[];
  get(id: number): Camera;
  create(i: { name: string; rtsp_url: string; source_kind: 'rtsp' | 'http' | 'mjpeg'; username?: string; password?: string }): Promise<Camera>;
  update(i: { id: number; name?: string; rtsp_url?: string; source_kind?: 'rtsp' | 'http' | 'mjpeg'; username?: string; password?: string }): Promise<Camera>;
  delete(id: number): Promise<void>;
  /** The stored source with credentials, for an HTTP snapshot fetch. */
  source(id: number): { kind: string; url: string; username: string | null; password: string | null };
}

export interface IotMedia {
  latest(cameraId: number): LatestFrame | null;
  /** A JPEG from an HTTP snapshot camera, fetched with Basic/Digest credentials (no ffmpeg). */
  fetchSnapshot(url: string, creds: { username: string; password: string } | null): Promise<Buffer>;
  startHls(cameraId: number): Promise<HlsSession>;
  stopHls(cameraId: number): Promise<void>;
  touchHls(cameraId: number): void;
  hasHls(cameraId: number): boolean;
  waitHls(cameraId: number, msn: number, part: number | null, timeoutMs: number): Promise<'ok' | 'too-far' | 'timeout' | 'gone'>;
}

export interface IotHlsFiles {
  readPlaylist(path: string): Promise<string | null>;
  segment(cameraId: number, dir: string | null, name: string): ServedFile;
  read(f: ServedFile): NodeJS.ReadableStream;
}

export interface IotDeps {
  cameras: IotCameraStore;
  hlsFiles: IotHlsFiles;
  slugs: CameraSlugsRepository;
  media: IotMedia;
  log: Logger;
  now: () => number;
  /** Stop a stream after this long without a viewer (Backflow: 5 minutes). */
  idleMs: number;
}

const invalid = (e: z.ZodError): ApiError => new ApiError(400, zodIssues(e), {}, { code: 'VALIDATION_ERROR' });
const onvifPlanned = (): ApiError => new ApiError(501, 'ONVIF cameras are planned but not supported yet: register the camera\'s RTSP stream with type "rtsp".', {}, { code: 'NOT_IMPLEMENTED' });

/** connectionUrl + streamPath as one URL; userinfo in the URL is refused (credentials go in `credentials`). */
function joinUrl(connectionUrl: string, streamPath: string | undefined): string {
  let u: URL;
  try {
    u = new URL(connectionUrl);
  } catch {
    throw new ApiError(400, 'connectionUrl is not a URL.', {}, { code: 'VALIDATION_ERROR' });
  }
  if (u.username || u.password) throw new ApiError(400, 'Put camera credentials in `credentials`, not in connectionUrl.', {}, { code: 'VALIDATION_ERROR' });
  if (!streamPath) return u.toString();
  const base = u.toString().replace(/\/+$/, '');
  return `${base}${streamPath.startsWith('/') ? '' : '/'}${streamPath}`;
}

function splitUrl(masked: string): { connectionUrl: string; streamPath: string } {
  try {
    const u = new URL(masked);
    return { connectionUrl: `${u.protocol}//${u.host}`, streamPath: `${u.pathname === '/' ? '' : u.pathname}${u.search}` };
  } catch {
    return { connectionUrl: masked, streamPath: '' };
  }
}

export class IotCamerasService {
  private readonly streams = new Map<number, { started_ms: number; last_view_ms: number }>();
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly d: IotDeps) {}

  start(): void {
    this.timer = setInterval(() => void this.sweepIdle(this.d.now()), 5000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.all([...this.streams.keys()].map((id) => this.d.media.stopHls(id).catch(() => undefined)));
    this.streams.clear();
  }

  /** Gives every camera without a slug one from its name (once: renames keep it). */
  private slugs(): Map<number, string> {
    const have = this.d.slugs.all();
    for (const c of this.d.cameras.list()) {
      if (have.has(c.id)) continue;
      const taken = new Set(have.values());
      let slug = uniqueSlug(c.name, (s) => taken.has(s));
      while (!this.d.slugs.set(c.id, slug)) {
        taken.add(slug);
        slug = uniqueSlug(c.name, (s) => taken.has(s));
      }
      have.set(c.id, slug);
    }
    return have;
  }

  private resolve(slug: string): number {
    for (const [id, s] of this.slugs()) if (s === slug) return id;
    throw notFound(`Camera ${slug} not found`);
  }

  private view(c: Camera, slug: string): IotCamera {
    const kind = c.source_kind === 'http' || c.source_kind === 'mjpeg' ? c.source_kind : 'rtsp';
    // The masked URL never holds credentials (rtsp://***@host): drop that marker as well.
    const { connectionUrl, streamPath } = splitUrl(c.rtsp_url.replace(/\/\/[^/@]*@/, '//'));
    return { id: slug, name: c.name, type: kind, connectionUrl, streamPath, hasCredentials: c.has_credentials, status: c.status, lastSeen: c.last_seen, vigilCameraId: c.id, createdAt: c.created_at };
  }

  list(): IotCamera[] {
    const slugs = this.slugs();
    return this.d.cameras.list().map((c) => this.view(c, slugs.get(c.id) as string));
  }

  get(slug: string): IotCamera {
    return this.view(this.d.cameras.get(this.resolve(slug)), slug);
  }

  async register(body: unknown): Promise<IotCamera> {
    const p = registerSchema.safeParse(body);
    if (!p.success) throw invalid(p.error);
    if (p.data.type === 'onvif') throw onvifPlanned();
    const cam = await this.d.cameras.create({ name: p.data.name, rtsp_url: joinUrl(p.data.connectionUrl, p.data.streamPath), source_kind: p.data.type, ...(p.data.credentials ?? {}) });
    return this.view(cam, this.slugs().get(cam.id) as string);
  }

  async update(slug: string, body: unknown): Promise<IotCamera> {
    const id = this.resolve(slug);
    const p = updateSchema.safeParse(body);
    if (!p.success) throw invalid(p.error);
    if (p.data.type === 'onvif') throw onvifPlanned();
    const current = this.view(this.d.cameras.get(id), slug);
    const urlChanged = p.data.connectionUrl !== undefined || p.data.streamPath !== undefined;
    const cam = await this.d.cameras.update({
      id,
      ...(p.data.name !== undefined ? { name: p.data.name } : {}),
      ...(urlChanged ? { rtsp_url: joinUrl(p.data.connectionUrl ?? current.connectionUrl, p.data.streamPath ?? current.streamPath) } : {}),
      ...(p.data.type ? { source_kind: p.data.type } : {}),
      ...(p.data.credentials ?? {}),
    });
    return this.view(cam, slug);
  }

  async delete(slug: string): Promise<void> {
    const id = this.resolve(slug);
    this.streams.delete(id);
    await this.d.cameras.delete(id);
  }

  /** A JPEG of the camera now: HTTP cameras are fetched with their credentials, others come from the running ingest. */
  async snapshot(slug: string): Promise<{ jpeg: Buffer; capturedAt: string }> {
    const id = this.resolve(slug);
    const src = this.d.cameras.source(id);
    if (src.kind === 'http') {
      const creds = src.username !== null ? { username: src.username, password: src.password ?? '' } : null;
      return { jpeg: await this.d.media.fetchSnapshot(src.url, creds), capturedAt: new Date(this.d.now()).toISOString() };
    }
    const deadline = this.d.now() + 10_000;
    for (;;) {
      const f = this.d.media.latest(id);
      if (f) return { jpeg: f.jpeg, capturedAt: new Date(f.ts_ms).toISOString() };
      if (this.d.now() > deadline) throw new ApiError(503, `Camera ${slug} has not delivered a frame yet; retry shortly.`, { 'Retry-After': '2' });
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async startStream(slug: string): Promise<ReturnType<IotCamerasService['streamStatus']>> {
    const id = this.resolve(slug);
    try {
      await this.d.media.startHls(id);
    } catch (err) {
      const kind = (err as { kind?: string }).kind;
      if (kind === 'hls-timeout' || kind === 'not-running') throw new ApiError(503, `Camera ${slug} is not delivering video yet; retry shortly.`, { 'Retry-After': '2' });
      throw err;
    }
    const now = this.d.now();
    this.streams.set(id, { started_ms: this.streams.get(id)?.started_ms ?? now, last_view_ms: now });
    this.d.media.touchHls(id);
    return this.streamStatus(slug);
  }

  async stopStream(slug: string): Promise<ReturnType<IotCamerasService['streamStatus']>> {
    const id = this.resolve(slug);
    this.streams.delete(id);
    await this.d.media.stopHls(id);
    return this.streamStatus(slug);
  }

  streamStatus(slug: string): { id: string; streaming: boolean; startedAt: string | null; lastViewerAt: string | null; idleStopAt: string | null; playlist: string } {
    const id = this.resolve(slug);
    const s = this.streams.get(id);
    const live = s !== undefined && this.d.media.hasHls(id);
    const iso = (ms: number) => new Date(ms).toISOString();
    return { id: slug, streaming: live, startedAt: live ? iso(s.started_ms) : null, lastViewerAt: live ? iso(s.last_view_ms) : null, idleStopAt: live ? iso(s.last_view_ms + this.d.idleMs) : null, playlist: `/tenant/iot/${slug}/stream.m3u8` };
  }

  /** A viewer fetched the playlist or a segment: the stream lives on; its session folder. */
  private async viewed(slug: string): Promise<{ cameraId: number; session: HlsSession }> {
    const id = this.resolve(slug);
    const s = this.streams.get(id);
    if (!s) throw new ApiError(409, `The stream of ${slug} is not started: POST /tenant/iot/${slug}/stream/start first.`);
    s.last_view_ms = this.d.now();
    this.d.media.touchHls(id);
    // Idempotent while the session runs: it only names the session's folder and playlist.
    return { cameraId: id, session: await this.d.media.startHls(id) };
  }

  /**
   * The live playlist with its URIs under /tenant/iot/<slug>/stream/ (and ?token= carried on). A low-latency client's
   * blocking reload (`block`) is held until the playlist holds that part.
   */
  async playlist(slug: string, token: string | null, block: { msn: number; part: number | null } | null = null): Promise<string> {
    const { cameraId, session } = await this.viewed(slug);
    if (block) {
      const r = await this.d.media.waitHls(cameraId, block.msn, block.part, BLOCKING_RELOAD_MS);
      if (r === 'too-far') throw new ApiError(400, `_HLS_msn=${block.msn} is more than two segments past the end of the playlist.`, {}, { code: 'VALIDATION_ERROR' });
      if (r === 'timeout') throw new ApiError(503, 'The requested part did not arrive in time; reload the playlist.', { 'Retry-After': '1' });
      if (r === 'gone') throw new ApiError(409, `The stream of ${slug} stopped: POST /tenant/iot/${slug}/stream/start again.`);
    }
    const text = await firstPlaylist(() => this.d.hlsFiles.readPlaylist(session.playlist), { now: this.d.now });
    if (!text) throw new ApiError(503, 'The HLS playlist is not ready yet; retry shortly.', { 'Retry-After': '2' });
    const q = token ? `token=${encodeURIComponent(token)}` : null;
    return mapPlaylistUris(text, (uri) => (q ? withQuery(`stream/${uri}`, q) : `stream/${uri}`));
  }

  async segment(slug: string, name: string): Promise<{ file: ServedFile; stream: NodeJS.ReadableStream; type: string }> {
    if (!HLS_REQUEST_NAME_RE.test(name)) throw new ApiError(400, 'Invalid segment name: expected initNNNNN.mp4, segNNNNN.m4s or segNNNNN.K.m4s', {}, { code: 'VALIDATION_ERROR' });
    const { cameraId, session } = await this.viewed(slug);
    const file = this.d.hlsFiles.segment(cameraId, session.dir, name);
    return { file, stream: this.d.hlsFiles.read(file), type: hlsFileType(name) };
  }

  /** Keeps started streams alive between viewer requests and stops those idle for idleMs. */
  async sweepIdle(now: number): Promise<string[]> {
    const stopped: string[] = [];
    const slugs = this.d.slugs.all();
    for (const [id, s] of this.streams) {
      if (now - s.last_view_ms >= this.d.idleMs) {
        this.streams.delete(id);
        await this.d.media.stopHls(id).catch((err: unknown) => this.d.log.warn({ camera_id: id, err: String(err) }, 'stopping an idle stream failed'));
        stopped.push(slugs.get(id) ?? String(id));
      } else {
        this.d.media.touchHls(id);
      }
    }
    return stopped;
  }
}
