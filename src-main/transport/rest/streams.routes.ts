// Streams family routes that are not contract operations: the pairing exchange and frame posts (X-Stream-Token, multipart).
import { z } from 'zod';
import { ApiError } from '../../shared/errors';
import { STREAM_FRAME_MAX_BYTES } from '../../shared/contract/streams.contract';
import type { StreamsService } from '../../services/streams/streams.service';
import type { RestModule } from './http-server';
import { registerImageUploads, uploadedImage } from './image-upload';

/** Pairing is the one public write: codes are unguessable (31^10), and this keeps anyone from trying. */
export const PAIR_RATE_LIMIT = { max: 20, timeWindow: 60_000 };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const pairBody = z.object({ code: z.string().trim().min(4).max(64) }).strict();

export const streamsRoutes =
  (streams: StreamsService): RestModule =>
  (app) => {
    app.post('/api/v1/streams/pair', { config: { access: 'public', rateLimit: PAIR_RATE_LIMIT } }, async (req) => {
      const body = pairBody.safeParse(req.body ?? {});
      if (!body.success) throw new ApiError(422, body.error.issues.map((i) => ({ loc: ['body', ...i.path.map(String)], msg: i.message, type: i.code })));
      return streams.pair(body.data.code);
    });
    app.register(async (scope) => {
      await registerImageUploads(scope, STREAM_FRAME_MAX_BYTES);
      // Public at the platform: the stream token in X-Stream-Token is this route's credential (checked by the service).
      scope.post('/api/v1/streams/:id/frame', { config: { access: 'public' } }, async (req) => {
        const id = (req.params as { id: string }).id;
        if (!UUID.test(id)) throw new ApiError(404, `Stream ${id} not found`, {}, { code: 'stream_not_found' });
        const token = req.headers['x-stream-token'];
        const upload = await uploadedImage(req, 'frame');
        return streams.verifyFrame(id, typeof token === 'string' ? token : undefined, { mimetype: upload.mimetype, data: await upload.read() });
      });
    });
    return [
      {
        method: 'POST',
        path: '/api/v1/streams/pair',
        tag: 'streams',
        public: true,
        doc: 'Exchange a pairing code (JSON {code}) for {stream_id, stream_token, policy_id}, once: the token is returned only here and stored as an Argon2id hash. 404 unknown code, 410 expired (10 minutes) or already used, 429 after 20 tries a minute. Public: the code is the credential.',
      },
      {
        method: 'POST',
        path: '/api/v1/streams/{id}/frame',
        tag: 'streams',
        public: true,
        doc: 'Verify one pushed frame: multipart `frame` (image/jpeg, ≤ 8 MiB, ≤ 40 MP read from the header before decoding), header X-Stream-Token. Answers the verification object {is_compliant, policy_id, detections[], reasons[], frame_id, latency_ms, correlation}. 401 wrong or missing token (or not paired), 404 unknown stream, 409 paused or archived (code stream_paused / stream_archived), 413 too large, 415 not a JPEG, 422 no `frame` part, 503 no detector loaded.',
      },
    ];
  };
