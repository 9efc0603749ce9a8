// Raw recordings routes: HLS VOD playlist + segments for any range, timeline hover frame/sprite, export download.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../shared/errors';
import { zTimeMs } from '../../shared/time';
import type { RecordingsService } from '../../services/recording/recordings.service';
import type { MediaFilesRepository } from '../../repositories/media-files.repository';
import { media, type RestModule } from './http-server';
import { sendRanged } from './http-range';

const invalid = (loc: string[], msg: string) => new ApiError(422, [{ loc, msg, type: 'value_error' }]);

const intParam = (req: FastifyRequest, name: string): number => {
  const raw = (req.params as Record<string, string | undefined>)[name] ?? '';
  if (!/^\d{1,15}$/.test(raw) || Number(raw) < 1) throw invalid(['path', name], 'Expected a positive integer');
  return Number(raw);
};

const timeQuery = (req: FastifyRequest, name: string): number => {
  const q = req.query as Record<string, unknown>;
  const r = zTimeMs.safeParse(q[name]);
  if (!r.success) throw invalid(['query', name], q[name] === undefined ? 'Field required' : 'Expected an ISO-8601 time or epoch milliseconds');
  return r.data;
};

/** Aborts when the client disconnects before its response has been sent: a render nobody waits for is dropped. */
const clientGone = (req: FastifyRequest, reply: FastifyReply): AbortSignal => {
  const ac = new AbortController();
  const res = reply.raw;
  if (res.destroyed || req.raw.socket.destroyed) ac.abort();
  else
    res.once('close', () => {
      if (!res.writableFinished) ac.abort();
    });
  return ac.signal;
};

export const recordingsRoutes =
  (rec: RecordingsService, files: MediaFilesRepository): RestModule =>
  (app) => {
    app.get('/api/recordings/:camera_id/vod.m3u8', media('events:read'), (req, reply) => {
      const token = (req.query as Record<string, unknown>).token;
      const query = typeof token === 'string' && token.length > 0 && token.length < 512 ? `?token=${encodeURIComponent(token)}` : '';
      const body = rec.vodPlaylist(intParam(req, 'camera_id'), timeQuery(req, 'from'), timeQuery(req, 'to'), query);
      return reply.header('Content-Type', 'application/vnd.apple.mpegurl').header('Cache-Control', 'no-cache').send(body);
    });
    app.route({
      method: ['GET', 'HEAD'],
      url: '/api/recordings/:camera_id/segments/:file',
      ...media('events:read'),
      handler: (req, reply) => {
        const m = /^(\d{1,15})\.ts$/.exec((req.params as { file: string }).file);
        if (!m) throw new ApiError(400, 'Invalid segment name');
        const f = rec.segmentFile(intParam(req, 'camera_id'), Number(m[1]));
        return sendRanged(req, reply, f, 'video/mp2t', (r) => files.read(f.path, r), { 'Cache-Control': 'private, max-age=86400' });
      },
    });
    for (const url of ['/api/recordings/:camera_id/frame.jpg', '/api/recordings/:camera_id/frame']) {
      app.get(url, media('events:read'), async (req, reply) => {
        const q = req.query as Record<string, unknown>;
        const w = Number(q.w ?? 320);
        if (!Number.isInteger(w) || w < 32 || w > 1920) throw invalid(['query', 'w'], 'Expected an integer width 32–1920');
        const f = await rec.frameAt(intParam(req, 'camera_id'), timeQuery(req, q.ts === undefined && q.t !== undefined ? 't' : 'ts'), w, clientGone(req, reply));
        return sendRanged(req, reply, f, 'image/jpeg', (r) => files.read(f.path, r), { 'Cache-Control': 'private, max-age=86400' });
      });
    }
    app.get('/api/recordings/:camera_id/sprite.jpg', media('events:read'), async (req, reply) => {
      const f = await rec.rangeSprite(intParam(req, 'camera_id'), timeQuery(req, 'from'), timeQuery(req, 'to'), clientGone(req, reply));
      return sendRanged(req, reply, f, 'image/jpeg', (r) => files.read(f.path, r), { 'Cache-Control': 'private, max-age=86400' });
    });
    app.route({
      method: ['GET', 'HEAD'],
      url: '/api/recordings/exports/:export_id/file',
      ...media('events:read'),
      handler: (req, reply) => {
        const id = (req.params as { export_id: string }).export_id;
        if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new ApiError(400, 'Invalid export id');
        const f = rec.exportFile(id);
        return sendRanged(req, reply, f, 'video/mp4', (r) => files.read(f.path, r), { 'Content-Disposition': `attachment; filename="${f.name}"` });
      },
    });
    return [
      { method: 'GET', path: '/api/recordings/{camera_id}/vod.m3u8', tag: 'recordings', doc: 'HLS VOD playlist (?from&to, ISO or epoch ms) over the recorded segments, no re-encode; gaps are discontinuities.', produces: 'application/vnd.apple.mpegurl' },
      { method: 'GET', path: '/api/recordings/{camera_id}/segments/{segment_id}.ts', tag: 'recordings', doc: 'One recorded MPEG-TS segment (Range supported).', produces: 'video/mp2t' },
      { method: 'GET', path: '/api/recordings/{camera_id}/frame.jpg', tag: 'recordings', doc: 'Timeline hover: the recorded frame at ?ts (or ?t), ?w px wide (default 320) JPEG; also served as /frame. 503 with Retry-After when the render queue is full.', produces: 'image/jpeg' },
      { method: 'GET', path: '/api/recordings/{camera_id}/sprite.jpg', tag: 'recordings', doc: 'Timeline hover-scrub strip: 10 frames of ?from..?to (≤30 min) in one 1600×90 JPEG. 503 with Retry-After when the render queue is full.', produces: 'image/jpeg' },
      { method: 'GET', path: '/api/recordings/exports/{export_id}/file', tag: 'recordings', doc: 'Download a finished export (MP4).', produces: 'video/mp4' },
    ];
  };
