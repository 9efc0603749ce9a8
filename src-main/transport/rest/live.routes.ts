// Live media routes (Iris /api/live): snapshot, MJPEG from the camera's on-demand decoder, and on-demand HLS.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../shared/errors';
import { BLOCKING_RELOAD_MS, blockingReload, firstPlaylist, HLS_REQUEST_NAME_RE, hlsFileType, mapPlaylistUris, withQuery } from '../../shared/hls';
import type { Settings } from '../../shared/settings';
import type { LatestFrame, WorkerManagerPort } from '../../ports/camera-workers.port';
import type { HlsFilesRepository } from '../../repositories/hls-files.repository';
import { media, type RestModule } from './http-server';
import type { RawRouteDoc } from './openapi';

export interface LiveCameras {
  exists(id: number): boolean;
  isEnabled(id: number): boolean;
}

export interface LiveRoutesDeps {
  cameras: LiveCameras;
  manager: WorkerManagerPort;
  settings: { get(): Settings };
  noSignal: () => Buffer;
  /** Draws current detections on live frames (Iris's annotated snapshot/MJPEG); absent means raw frames. */
  annotator?: { frame(cameraId: number, f: LatestFrame): Promise<Buffer> };
  /** Session folders, playlists and segments, contained in the data root. */
  hlsFiles: HlsFilesRepository;
  /** Open MJPEG viewers (observability and tests). */
  viewers?: LiveViewers;
}

export class LiveViewers {
  private n = 0;
  open(): void {
    this.n++;
  }
  close(): void {
    this.n--;
  }
  get count(): number {
    return this.n;
  }
}

const BOUNDARY = 'vigilframe';

function cameraId(req: FastifyRequest, cameras: LiveCameras): number {
  const raw = (req.params as { id?: string }).id ?? '';
  if (!/^\d{1,12}$/.test(raw) || Number(raw) <= 0) throw new ApiError(422, [{ loc: ['path', 'id'], msg: 'Expected a positive integer', type: 'int_parsing' }]);
  const id = Number(raw);
  if (!cameras.exists(id)) throw new ApiError(404, `Camera ${id} not found`);
  return id;
}

function part(jpeg: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`--${BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`), jpeg, Buffer.from('\r\n')]);
}

/** Adds ?token= to every URI of the playlist (segments, parts, init) so a token-authenticated player can fetch them. */
export function withToken(playlist: string, token: string | null): string {
  if (!token) return playlist;
  const q = `token=${encodeURIComponent(token)}`;
  return mapPlaylistUris(playlist, (uri) => withQuery(uri, q));
}

/** Clamp the MJPEG ?fps= request to [1, cap]; missing or invalid means the cap. */
export function clampFps(requested: unknown, cap: number): number {
  const n = typeof requested === 'string' && requested.trim() !== '' ? Number(requested) : typeof requested === 'number' ? requested : NaN;
  if (!Number.isFinite(n)) return cap;
  return Math.min(cap, Math.max(1, n));
}

export const liveRoutes =
  (d: LiveRoutesDeps): RestModule =>
  (app) => {
    const hlsDirs = new Map<number, string>();

    const render = (id: number, f: LatestFrame, req: FastifyRequest): Promise<Buffer> | Buffer => {
      const raw = (req.query as Record<string, unknown>).annotated === '0';
      return d.annotator && !raw ? d.annotator.frame(id, f) : f.jpeg;
    };

    app.get('/api/live/:id/snapshot', media('cameras:read'), async (req, reply) => {
      const id = cameraId(req, d.cameras);
      const f = await d.manager.snapshot(id);
      if (f) reply.header('X-Frame-Timestamp', String(f.ts_ms));
      return reply.header('Cache-Control', 'no-store').type('image/jpeg').send(f ? await render(id, f, req) : d.noSignal());
    });

    app.get('/api/live/:id/stream', { ...media('cameras:read'), exposeHeadRoute: false }, (req: FastifyRequest, reply: FastifyReply) => {
      const id = cameraId(req, d.cameras);
      const fps = clampFps((req.query as Record<string, unknown>).fps, d.settings.get().live_mjpeg_fps);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'Content-Type': `multipart/x-mixed-replace; boundary=${BOUNDARY}`,
        'Cache-Control': 'no-cache, no-store, must-revalidate',
        Pragma: 'no-cache',
        Connection: 'close',
        'X-Accel-Buffering': 'no',
        'X-Content-Type-Options': 'nosniff',
      });
      d.viewers?.open();
      let lastSeq = -1;
      let congested = false;
      let closed = false;
      let busy = false;
      const send = async (f: LatestFrame | null) => {
        if (congested || closed || busy) return;
        busy = true;
        try {
          if (f) lastSeq = f.seq;
          const jpeg = f ? await render(id, f, req) : d.noSignal();
          if (closed) return;
          if (!res.write(part(jpeg))) {
            congested = true;
            res.once('drain', () => (congested = false));
          }
        } finally {
          busy = false;
        }
      };
      // Holding a frame subscription keeps the camera's decoder running while this viewer is connected.
      const unwatch = d.manager.onFrame(id, () => undefined);
      void send(d.manager.latest(id));
      const timer = setInterval(() => {
        if (!d.cameras.exists(id)) return finish();
        const f = d.manager.latest(id);
        if (f && f.seq !== lastSeq) void send(f);
      }, Math.round(1000 / fps));
      const finish = () => {
        if (closed) return;
        closed = true;
        clearInterval(timer);
        unwatch();
        d.viewers?.close();
        if (!res.writableEnded) res.end();
      };
      req.raw.on('close', finish);
      res.on('close', finish);
      res.on('error', finish);
    });

    const startHls = async (id: number): Promise<string> => {
      const s = d.settings.get();
      if (!s.hls_enabled) throw new ApiError(503, 'HLS is disabled (settings.hls_enabled).');
      if (!d.cameras.isEnabled(id)) throw new ApiError(503, `Camera ${id} is disabled.`);
      if (!d.manager.hasHls(id) && d.manager.hlsSessionCount() >= s.hls_max_sessions) throw new ApiError(503, `HLS is at capacity (${s.hls_max_sessions} sessions).`);
      try {
        const session = await d.manager.startHls(id);
        const dir = d.hlsFiles.sessionDir(session.dir, session.playlist);
        if (!dir) throw Object.assign(new Error('HLS session outside the data root'), { kind: 'outside' });
        hlsDirs.set(id, dir);
        return session.playlist;
      } catch (err) {
        hlsDirs.delete(id);
        if (err instanceof ApiError) throw err;
        // The reason is logged with the request id; the client gets a fixed sentence per kind, never exception text.
        const kind = (err as { kind?: string }).kind;
        if (kind === 'hls-closed') throw new ApiError(409, 'The HLS session was closed while it was starting; request the playlist again to reopen it.');
        if (kind === 'hls-timeout') throw new ApiError(503, 'No live segments yet: the camera is not delivering. Retry shortly.', { 'Retry-After': '2' });
        if (kind === 'not-running') throw new ApiError(503, `Camera ${id} is not running.`, { 'Retry-After': '2' });
        throw err;
      }
    };

    app.get('/api/live/:id/hls/index.m3u8', { ...media('cameras:read'), exposeHeadRoute: false }, async (req, reply) => {
      const id = cameraId(req, d.cameras);
      const query = req.query as Record<string, unknown>;
      const block = blockingReload(query);
      if (block === 'invalid') throw new ApiError(400, '_HLS_msn and _HLS_part must be non-negative integers, and _HLS_part needs _HLS_msn.');
      const playlist = await startHls(id);
      d.manager.touchHls(id);
      if (block) {
        // Low-latency HLS blocking reload: answer once the playlist holds the asked-for part (RFC 8216bis 6.2.5.2).
        const r = await d.manager.waitHls(id, block.msn, block.part, BLOCKING_RELOAD_MS);
        if (r === 'too-far') throw new ApiError(400, `_HLS_msn=${block.msn} is more than two segments past the end of the playlist.`);
        if (r === 'timeout') throw new ApiError(503, 'The requested part did not arrive in time; reload the playlist.', { 'Retry-After': '1' });
        if (r === 'gone') throw new ApiError(409, 'The HLS session was closed; request the playlist again to reopen it.');
      }
      const text = await firstPlaylist(() => d.hlsFiles.readPlaylist(playlist), {
        check: () => {
          if (!d.cameras.exists(id)) throw new ApiError(404, `Camera ${id} not found`);
        },
      });
      if (!text) throw new ApiError(503, 'The HLS playlist is not ready yet; retry shortly.', { 'Retry-After': '2' });
      const token = query.token;
      return reply
        .header('Cache-Control', 'no-cache, no-store')
        .header('X-Accel-Buffering', 'no')
        .type('application/vnd.apple.mpegurl')
        .send(withToken(text, typeof token === 'string' ? token : null));
    });

    const close = async (req: FastifyRequest) => {
      const id = cameraId(req, d.cameras);
      hlsDirs.delete(id);
      await d.manager.stopHls(id);
      return { ok: true };
    };
    app.get('/api/live/:id/hls/close', media('cameras:read'), close);
    app.post('/api/live/:id/hls/close', media('cameras:read'), close);

    app.get('/api/live/:id/hls/:segment', media('cameras:read'), async (req, reply) => {
      const id = cameraId(req, d.cameras);
      const name = (req.params as { segment?: string }).segment ?? '';
      if (!HLS_REQUEST_NAME_RE.test(name)) throw new ApiError(400, 'Invalid segment name: expected initNNNNN.mp4, segNNNNN.m4s or segNNNNN.K.m4s');
      const f = d.hlsFiles.segment(id, hlsDirs.get(id) ?? null, name);
      d.manager.touchHls(id);
      return reply
        .header('Cache-Control', 'no-cache')
        .header('X-Accel-Buffering', 'no')
        .header('Content-Length', String(f.size))
        .type(hlsFileType(name))
        .send(d.hlsFiles.read(f));
    });

    const docs: RawRouteDoc[] = [
      { method: 'GET', path: '/api/live/{id}/snapshot', tag: 'live', produces: 'image/jpeg', doc: 'Latest frame as image/jpeg (with no viewer, the latest keyframe decoded once and cached briefly) with the current detections drawn (boxes, class, score, track; ?annotated=0 for the raw frame); a "no signal" JPEG (200) before the first frame; 404 only for an unknown camera.' },
      { method: 'GET', path: '/api/live/{id}/stream', tag: 'live', produces: 'multipart/x-mixed-replace', doc: 'MJPEG stream from a decoder fed the in-memory copy stream (started by the first viewer, stopped shortly after the last), annotated like the snapshot (?annotated=0 for raw); ?fps= is clamped to [1, live_mjpeg_fps]; a part is pushed only when the frame changed.' },
      { method: 'GET', path: '/api/live/{id}/hls/index.m3u8', tag: 'live', produces: 'application/vnd.apple.mpegurl', doc: 'Starts (idempotently) the HLS session from the camera ingest and serves its playlist: low-latency HLS (fMP4 parts of about 0.2 s in keyframe-aligned segments of about 1 s, cut from the in-memory copy stream, no second camera connection). A blocking reload (?_HLS_msn=&_HLS_part=) is held until that part exists (400 when more than two segments ahead, 503 after 6 s). 503 when HLS is disabled or at capacity.' },
      { method: 'GET', path: '/api/live/{id}/hls/{segment}', tag: 'live', produces: 'video/iso.segment', doc: 'One file of the session: initNNNNN.mp4 (init segment), segNNNNN.m4s (segment) or segNNNNN.K.m4s (part). Other names are 400; Iris\'s segNNNNN.ts is accepted as a name and answers 404.' },
      { method: 'GET', path: '/api/live/{id}/hls/close', tag: 'live', doc: 'Stop the camera HLS session (player close).' },
      { method: 'POST', path: '/api/live/{id}/hls/close', tag: 'live', doc: 'Stop the camera HLS session (sendBeacon).' },
    ];
    return docs;
  };
