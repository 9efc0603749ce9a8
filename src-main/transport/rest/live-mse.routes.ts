// Live video over Media Source Extensions: the camera's copy stream (fragmented MP4) pushed down a WebSocket, no transcoding.
import fastifyWebsocket from '@fastify/websocket';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../../shared/errors';
import type { LiveChunk, LiveStreamSource } from '../../ports/live-stream.port';
import { media, type RestModule } from './http-server';
import type { RawRouteDoc } from './openapi';

export interface LiveMseDeps {
  cameras: { exists(id: number): boolean };
  live: LiveStreamSource;
  /** Open MSE viewers (observability and tests). */
  viewers?: { open(): void; close(): void };
}

/** Above this many unsent bytes a viewer is behind: fragments are skipped up to the next keyframe. */
export const MSE_MAX_BUFFERED = 4 * 1024 * 1024;

/** The first (text) message: the MIME type with codecs the browser checks with MediaSource.isTypeSupported (go2rtc's shape). */
export const mseTypeMessage = (codecs: string): string => JSON.stringify({ type: 'mse', value: `video/mp4; codecs="${codecs}"` });

function cameraId(req: FastifyRequest, cameras: LiveMseDeps['cameras']): number {
  const raw = (req.params as { id?: string }).id ?? '';
  if (!/^\d{1,12}$/.test(raw) || Number(raw) <= 0) throw new ApiError(422, [{ loc: ['path', 'id'], msg: 'Expected a positive integer', type: 'int_parsing' }]);
  const id = Number(raw);
  if (!cameras.exists(id)) throw new ApiError(404, `Camera ${id} not found`);
  return id;
}

function sameOrigin(origin: string, host: string | undefined): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

export interface MseSocket {
  send(data: string | Buffer): void;
  readonly bufferedAmount: number;
  readonly readyState: number;
  readonly OPEN: number;
}

/** One viewer: the codec message and init on every (re)start of the stream, then fragments, skipping to a keyframe when behind. */
export function mseViewer(socket: MseSocket): (c: LiveChunk) => void {
  let needKey = true;
  return (c) => {
    if (socket.readyState !== socket.OPEN) return;
    if (c.type === 'init') {
      needKey = true;
      socket.send(mseTypeMessage(c.init.codecs));
      socket.send(c.init.data);
      return;
    }
    if (socket.bufferedAmount > MSE_MAX_BUFFERED) needKey = true;
    if (needKey && !c.fragment.key) return;
    needKey = false;
    socket.send(c.fragment.data);
  };
}

export const liveMseRoutes =
  (d: LiveMseDeps): RestModule =>
  (app) => {
    // With the WebSocket plugin, every upgrade request goes through fastify's router; one refused with an HTTP answer
    // (401, 404, any path without a socket handler) must not leave its socket open, or it holds the server's close.
    app.addHook('onResponse', async (req, reply) => {
      if (req.headers.upgrade?.toLowerCase() === 'websocket' && reply.statusCode !== 101) req.raw.socket.destroy();
    });
    void app.register(async (scope) => {
      await scope.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });
      scope.route({
        method: 'GET',
        url: '/api/live/:id/mse',
        ...media('cameras:read'),
        // Validated before the upgrade, so a bad id or a foreign page gets a plain HTTP error, not a socket.
        preValidation: async (req) => {
          cameraId(req, d.cameras);
          // A cookie or an open (no-auth) server is ambient: a page on another origin must not ride it into the stream.
          const via = req.principal?.via;
          const origin = req.headers.origin;
          if (via !== 'api_key' && via !== 'media_token' && origin !== undefined && !sameOrigin(origin, req.headers.host)) throw new ApiError(403, 'Cross-origin request refused.');
        },
        // A plain GET (no upgrade) gets a JSON answer in the family's shape, not a bare socket error.
        handler: async () => {
          throw new ApiError(426, 'This route is a WebSocket: connect with Connection: Upgrade and Upgrade: websocket.', { Upgrade: 'websocket' }, { code: 'upgrade_required' });
        },
        wsHandler: (socket: MseSocket & { on(ev: string, fn: () => void): void }, req) => {
          const id = cameraId(req, d.cameras);
          d.viewers?.open();
          const off = d.live.subscribeLive(id, mseViewer(socket));
          let closed = false;
          const finish = () => {
            if (closed) return;
            closed = true;
            off();
            d.viewers?.close();
          };
          socket.on('close', finish);
          socket.on('error', finish);
          // Clients only ever say hello (go2rtc sends its supported codecs); nothing they send changes the stream.
          socket.on('message', () => undefined);
        },
      });
    });
    const docs: RawRouteDoc[] = [
      {
        method: 'GET',
        path: '/api/live/{id}/mse',
        tag: 'live',
        doc: 'WebSocket (upgrade) carrying the camera live stream for Media Source Extensions, copied from the one camera connection (no transcoding): first a text message {"type":"mse","value":"video/mp4; codecs=\\"…\\""}, then binary messages: the init segment and fragmented-MP4 fragments, starting at the latest keyframe. The text message repeats before a new init when the camera restarts. Auth as the other live routes (?token= for a browser).',
      },
    ];
    return docs;
  };
