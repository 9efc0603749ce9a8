// Backflow IoT camera proxy (/tenant/iot/*) and its tenant login: thin routes onto the IoT cameras service.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../../../shared/errors';
import { blockingReload } from '../../../../shared/hls';
import { SLUG } from '../../../../shared/slug';
import type { AuthService } from '../../../../services/auth.service';
import type { IotCamerasService } from '../../../../services/backflow/iot-cameras.service';
import type { RawRouteDoc } from '../../openapi';
import { allow } from '../../platform/access';
import { LOGIN_RATE_LIMIT, type FamilyPlugin } from '../../http-server';
import { backflowFamily } from './backflow.family';

const slugOf = (req: FastifyRequest): string => {
  const id = (req.params as { id?: string }).id ?? '';
  if (!SLUG.test(id)) throw new ApiError(400, 'Invalid camera id: expected a slug such as front-door.', {}, { code: 'VALIDATION_ERROR' });
  return id;
};

export const backflowFamilyPlugin = (d: { auth: AuthService; iot: IotCamerasService }): FamilyPlugin => ({
  family: backflowFamily,
  prefix: '/tenant',
  routes: (app: FastifyInstance) => {
    app.post('/auth/login', { config: { access: 'public', rateLimit: LOGIN_RATE_LIMIT } }, async (req) => {
      const b = (req.body ?? {}) as { username?: unknown; password?: unknown };
      if (typeof b.username !== 'string' || typeof b.password !== 'string') throw new ApiError(400, 'Expected {username, password}.', {}, { code: 'VALIDATION_ERROR' });
      const s = await d.auth.passwordLogin(b.username, b.password);
      return { token: s.token, tokenType: 'Bearer', expiresAt: new Date(s.expires_at * 1000).toISOString(), role: s.principal.role };
    });

    app.get('/iot', allow('iot:read'), async () => ({ cameras: d.iot.list() }));
    app.post('/iot', allow('iot:write'), async (req, reply) => reply.code(201).send(await d.iot.register(req.body)));
    app.get('/iot/:id', allow('iot:read'), async (req) => d.iot.get(slugOf(req)));
    app.put('/iot/:id', allow('iot:write'), async (req) => d.iot.update(slugOf(req), req.body));
    app.delete('/iot/:id', allow('iot:write'), async (req, reply) => reply.code(204).send(await d.iot.delete(slugOf(req))));
    app.get('/iot/:id/snapshot', allow('iot:read'), async (req, reply) => {
      const snap = await d.iot.snapshot(slugOf(req));
      const id = slugOf(req);
      if ((req.query as Record<string, unknown>).format === 'base64') {
        return reply.header('Cache-Control', 'no-store').send({ data: snap.jpeg.toString('base64'), mimeType: 'image/jpeg', filename: `${id}.jpg`, size: snap.jpeg.length, capturedAt: snap.capturedAt, camera: id });
      }
      return reply.header('Cache-Control', 'no-store').type('image/jpeg').send(snap.jpeg);
    });
    app.post('/iot/:id/stream/start', allow('iot:read'), async (req) => d.iot.startStream(slugOf(req)));
    app.post('/iot/:id/stream/stop', allow('iot:read'), async (req) => d.iot.stopStream(slugOf(req)));
    app.get('/iot/:id/stream/status', allow('iot:read'), async (req) => d.iot.streamStatus(slugOf(req)));
    app.get('/iot/:id/stream.m3u8', allow('iot:read'), async (req, reply) => {
      const query = req.query as Record<string, unknown>;
      const block = blockingReload(query);
      if (block === 'invalid') throw new ApiError(400, '_HLS_msn and _HLS_part must be non-negative integers, and _HLS_part needs _HLS_msn.', {}, { code: 'VALIDATION_ERROR' });
      const text = await d.iot.playlist(slugOf(req), typeof query.token === 'string' ? query.token : null, block);
      return reply.header('Cache-Control', 'no-cache, no-store').type('application/vnd.apple.mpegurl').send(text);
    });
    app.get('/iot/:id/stream/:segment', allow('iot:read'), async (req, reply) => {
      const s = await d.iot.segment(slugOf(req), (req.params as { segment?: string }).segment ?? '');
      return reply.header('Cache-Control', 'no-cache').header('Content-Length', String(s.file.size)).type(s.type).send(s.stream);
    });
    return BACKFLOW_DOCS;
  },
});

const tag = 'backflow: iot';
export const BACKFLOW_DOCS: RawRouteDoc[] = [
  { method: 'POST', path: '/tenant/auth/login', tag: 'backflow: auth', public: true, doc: 'Tenant token: {username, password} → {token, tokenType, expiresAt, role} (JWT, 7 days, survives a restart). The Iris API key and personal keys are accepted as bearer tokens too. 5 attempts per 15 minutes per address, then 429 with Retry-After.' },
  { method: 'GET', path: '/tenant/iot', tag, doc: 'List all cameras ({cameras:[…]}): every Vigil camera, addressed by a slug id made from its name (kept across renames). Credentials are never returned. RBAC resource iot (read: every role).' },
  { method: 'POST', path: '/tenant/iot', tag, status: 201, doc: 'Register a camera: {name, type: rtsp|http|mjpeg|onvif, connectionUrl, credentials:{username,password}, streamPath}. It becomes a Vigil camera (one store, one ingest). onvif answers 501 NOT_IMPLEMENTED (planned). Credentials are encrypted at rest and never returned. Needs iot write (admin).' },
  { method: 'GET', path: '/tenant/iot/{id}', tag, doc: 'Camera details (no credentials; hasCredentials says whether some are stored).' },
  { method: 'PUT', path: '/tenant/iot/{id}', tag, doc: 'Update a camera (any subset of the register fields); the slug id stays.' },
  { method: 'DELETE', path: '/tenant/iot/{id}', tag, doc: 'Delete a camera (its Vigil recordings and events go with it). 204.' },
  { method: 'GET', path: '/tenant/iot/{id}/snapshot', tag, produces: 'image/jpeg', doc: 'Capture a JPEG snapshot. HTTP cameras are fetched directly with basic/digest auth (no ffmpeg); RTSP/MJPEG cameras answer their ingest\'s latest frame. ?format=base64 → {data, mimeType, filename, size, capturedAt, camera} for workflow steps.' },
  { method: 'POST', path: '/tenant/iot/{id}/stream/start', tag, doc: 'Start HLS from the camera\'s ingest (no second camera connection); it stops after 5 minutes without a viewer request.' },
  { method: 'POST', path: '/tenant/iot/{id}/stream/stop', tag, doc: 'Stop the HLS stream.' },
  { method: 'GET', path: '/tenant/iot/{id}/stream/status', tag, doc: 'Stream status: {streaming, startedAt, lastViewerAt, idleStopAt, playlist}.' },
  { method: 'GET', path: '/tenant/iot/{id}/stream.m3u8', tag, produces: 'application/vnd.apple.mpegurl', doc: 'Low-latency HLS playlist (409 before stream/start): fMP4 parts and segments cut from the camera\'s in-memory copy stream; URIs are relative (stream/segNNNNN.m4s, stream/segNNNNN.K.m4s, stream/initNNNNN.mp4) and carry ?token= when the playlist was fetched with one. A blocking reload (?_HLS_msn=&_HLS_part=) is held until that part exists.' },
  { method: 'GET', path: '/tenant/iot/{id}/stream/{segment}', tag, produces: 'video/iso.segment', doc: 'One file of the stream (initNNNNN.mp4, segNNNNN.m4s or segNNNNN.K.m4s; else 400 VALIDATION_ERROR; segNNNNN.ts is accepted as a name and answers 404).' },
];
