// Flex Video API (/flex/*): thin routes onto Vigil's services in Flex's envelope {success, data} / {success:false, error}.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../../../shared/errors';
import type { AuthService } from '../../../../services/auth.service';
import type { PipelinesService } from '../../../../services/flex/pipelines.service';
import type { WebhooksService } from '../../../../services/flex/webhooks.service';
import type { FlexSettingsService } from '../../../../services/flex/flex-settings.service';
import type { CaptureDevicesService, FramegrabsService } from '../../../../services/flex/capture-devices.service';
import type { PushBus } from '../../../../services/push-bus';
import type { RawRouteDoc } from '../../openapi';
import { allow, PUBLIC, USER } from '../../platform/access';
import type { FamilyPlugin } from '../../http-server';
import { LOGIN_RATE_LIMIT } from '../../http-server';
import { flexFamily } from './flex.family';

export interface FlexDeps {
  version: string;
  auth: AuthService;
  pipelines: PipelinesService;
  webhooks: WebhooksService;
  settings: FlexSettingsService;
  devices: CaptureDevicesService;
  framegrabs: FramegrabsService;
  bus: PushBus;
  startedAt: number;
}

const ok = (data: unknown) => ({ success: true, data });
const param = (req: FastifyRequest, name: string): string => {
  const v = (req.params as Record<string, string | undefined>)[name] ?? '';
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/.test(v)) throw new ApiError(400, `Invalid ${name}.`, {}, { code: 'VALIDATION_ERROR' });
  return v;
};
const SSE_MAX_BUFFERED = 1024 * 1024;

export const flexFamilyPlugin = (d: FlexDeps): FamilyPlugin => ({
  family: flexFamily,
  prefix: '/flex',
  routes: (app: FastifyInstance) => {
    // Flex takes JSON bodies only: anything else is 415 UNSUPPORTED_MEDIA_TYPE, not a string to validate.
    app.addHook('preValidation', async (req) => {
      if (req.body === undefined || req.body === null) return;
      const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
      if (type !== 'application/json') throw new ApiError(415, `Expected Content-Type: application/json, got ${type || 'none'}.`, {}, { code: 'UNSUPPORTED_MEDIA_TYPE' });
    });
    const health = async () => ok({ status: 'ok', uptime_s: Math.round((Date.now() - d.startedAt) / 1000) });
    app.get('/health', PUBLIC, health);
    app.get('/healthz', PUBLIC, health);
    app.get('/version', USER, async () => ok({ version: d.version, product: 'Vigil', api: 'flex-compatible' }));

    app.post('/auth/login', { config: { access: 'public', rateLimit: LOGIN_RATE_LIMIT } }, async (req) => {
      const b = (req.body ?? {}) as { username?: unknown; password?: unknown };
      if (typeof b.password !== 'string' || b.password.length === 0 || (b.username !== undefined && typeof b.username !== 'string')) throw new ApiError(400, 'Expected {password} (and optionally {username}, default "admin").', {}, { code: 'VALIDATION_ERROR' });
      const s = await d.auth.passwordLogin(typeof b.username === 'string' ? b.username : 'admin', b.password);
      return ok({ token: s.token, expires_at: new Date(s.expires_at * 1000).toISOString(), user: { name: s.principal.name, role: s.principal.role } });
    });

    app.get('/pipeline', allow('cameras:read'), async () => ok(d.pipelines.list()));
    app.post('/pipeline', allow('cameras:write'), async (req, reply) => reply.code(201).send(ok(d.pipelines.create(req.body))));
    app.get('/pipeline/:id', allow('cameras:read'), async (req) => ok(d.pipelines.get(param(req, 'id'))));
    app.put('/pipeline/:id', allow('cameras:write'), async (req) => ok(d.pipelines.update(param(req, 'id'), req.body)));
    app.delete('/pipeline/:id', allow('cameras:write'), async (req) => ok(await d.pipelines.delete(param(req, 'id')).then(() => ({ deleted: true }))));
    app.put('/pipeline/:id/play', allow('cameras:write'), async (req) => ok(await d.pipelines.play(param(req, 'id'))));
    app.put('/pipeline/:id/stop', allow('cameras:write'), async (req) => ok(await d.pipelines.stop(param(req, 'id'))));
    app.get('/pipeline/:id/status', allow('cameras:read'), async (req) => ok(d.pipelines.status(param(req, 'id'))));

    app.get('/cameras', allow('cameras:read'), async () => ok(d.devices.cameras()));
    app.get('/camera', allow('cameras:read'), async (req) => ok(await d.devices.capabilities((req.query as Record<string, unknown>).path)));
    app.get('/cameras/events', { ...allow('cameras:read'), exposeHeadRoute: false }, (req: FastifyRequest, reply: FastifyReply) => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
      res.write(': connected\n\n');
      const write = (event: string, data: unknown) => {
        if (res.writableLength > SSE_MAX_BUFFERED) res.destroy();
        else res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      };
      const unwatch = d.devices.watch();
      const unsubscribe = d.bus.subscribe((m) => {
        if (m.name === 'capture.added') write('camera_added', m.payload);
        else if (m.name === 'capture.removed') write('camera_removed', m.payload);
        else if (m.name === 'pipeline.status') {
          const p = m.payload as { id: string; state: string; error: string | null };
          write('pipeline_status', p);
          if (p.state === 'error') write('pipeline_error', { id: p.id, message: p.error });
        }
      });
      const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
      req.raw.on('close', () => {
        clearInterval(ping);
        unsubscribe();
        unwatch();
      });
    });

    app.get('/settings', allow('system:read'), async () => ok(d.settings.get()));
    app.put('/settings', allow('system:write'), async (req) => ok(d.settings.update(req.body)));

    app.get('/files/framegrabs', allow('events:read'), async (req) => ok(d.framegrabs.list((req.query as Record<string, unknown>).pipeline_id)));
    app.get('/files/framegrabs/:file', allow('events:read'), async (req, reply) => {
      const f = d.framegrabs.get(param(req, 'file'));
      return reply.type('image/jpeg').header('Content-Length', String(f.served.size)).header('Content-Disposition', `inline; filename="${f.file}"`).send(d.framegrabs.stream(f));
    });
    app.delete('/files/framegrabs/:file', { config: { access: 'events:write', rateLimit: { max: 60, timeWindow: 60_000 } } }, async (req) => ok(await d.framegrabs.delete(param(req, 'file')).then(() => ({ deleted: 1 }))));
    app.delete('/files/framegrabs', { config: { access: 'events:write', rateLimit: { max: 10, timeWindow: 60_000 } } }, async (req) => {
      const pid = (req.query as Record<string, unknown>).pipeline_id;
      if (pid === undefined) throw new ApiError(400, 'pipeline_id is required to delete framegrabs in bulk.', {}, { code: 'VALIDATION_ERROR' });
      return ok(await d.framegrabs.deleteForPipeline(pid));
    });

    app.get('/audio-devices', allow('cameras:read'), async () => ok(d.devices.audioDevices()));

    app.post('/webhooks', allow('system:write'), async (req, reply) => reply.code(201).send(ok(d.webhooks.create(req.body))));
    app.get('/webhooks', allow('system:read'), async () => ok(d.webhooks.list()));
    app.delete('/webhooks/:id', allow('system:write'), async (req) => ok((d.webhooks.delete(param(req, 'id')), { deleted: true })));
    app.get('/webhooks/:id/deliveries', allow('system:read'), async (req) => ok(d.webhooks.deliveries(param(req, 'id'))));

    return FLEX_DOCS;
  },
});

const t = (tag: string) => `flex: ${tag}`;
export const FLEX_DOCS: RawRouteDoc[] = [
  { method: 'GET', path: '/flex/health', tag: t('health'), public: true, doc: 'Health check (public): {success, data:{status, uptime_s}}.' },
  { method: 'GET', path: '/flex/healthz', tag: t('health'), public: true, doc: 'Kubernetes health check (public), same answer as /flex/health.' },
  { method: 'GET', path: '/flex/version', tag: t('health'), doc: 'Version information.' },
  { method: 'POST', path: '/flex/auth/login', tag: t('auth'), public: true, doc: 'Exchange {password} (user "admin") or {username, password} for a session token (JWT, 7 days, survives a restart): use it as `Authorization: Bearer`. The Iris API key and personal keys are accepted as bearer tokens too. 5 attempts per 15 minutes per address, then 429 RATE_LIMITED with Retry-After.' },
  { method: 'GET', path: '/flex/pipeline', tag: t('pipelines'), doc: 'List pipelines with their state.' },
  { method: 'POST', path: '/flex/pipeline', tag: t('pipelines'), status: 201, doc: 'Create a pipeline: {name, source:{camera_id}|{device:"/dev/videoN"}, output:{kind: rtsp|srt|rtmp|hls|record, url?}, video: auto|encode, framegrab_interval_s?}. The id is a slug of the name. A Vigil camera is read from its one ingest (live HLS, H.264), so `auto` copies it without re-encoding to every output.' },
  { method: 'GET', path: '/flex/pipeline/{id}', tag: t('pipelines'), doc: 'Get a pipeline.' },
  { method: 'PUT', path: '/flex/pipeline/{id}', tag: t('pipelines'), doc: 'Replace a pipeline spec (409 CONFLICT while it plays).' },
  { method: 'DELETE', path: '/flex/pipeline/{id}', tag: t('pipelines'), doc: 'Stop and delete a pipeline.' },
  { method: 'PUT', path: '/flex/pipeline/{id}/play', tag: t('pipelines'), doc: 'Start a pipeline and wait until media flows; 504 PIPELINE_START_TIMEOUT after settings.pipeline_start_timeout_s, 500 GSTREAMER_ERROR with the reason when ffmpeg fails, 503 GSTREAMER_UNAVAILABLE when the camera is not delivering yet.' },
  { method: 'PUT', path: '/flex/pipeline/{id}/stop', tag: t('pipelines'), doc: 'Stop a pipeline.' },
  { method: 'GET', path: '/flex/pipeline/{id}/status', tag: t('pipelines'), doc: 'Pipeline state (stopped, starting, playing, error), error, started_at, uptime_s.' },
  { method: 'GET', path: '/flex/cameras', tag: t('cameras'), doc: 'Local capture devices (V4L2 /dev/video*); an empty list where there are none.' },
  { method: 'GET', path: '/flex/camera', tag: t('cameras'), doc: 'Capabilities of a capture device: ?path=/dev/videoN → formats and frame sizes (ffmpeg -list_formats).' },
  { method: 'GET', path: '/flex/cameras/events', tag: t('cameras'), produces: 'text/event-stream', doc: 'Server-sent events: camera_added, camera_removed ({device_path, device_name}), pipeline_status ({id, state, error}), pipeline_error ({id, message}).' },
  { method: 'GET', path: '/flex/settings', tag: t('settings'), doc: 'Settings: device_name, pipeline_start_timeout_s, webhook_timeout_s, webhook_max_attempts.' },
  { method: 'PUT', path: '/flex/settings', tag: t('settings'), doc: 'Partial update of the settings; unknown keys are a 400 VALIDATION_ERROR.' },
  { method: 'GET', path: '/flex/files/framegrabs', tag: t('files'), doc: 'Framegrabs written by pipelines with framegrab_interval_s (newest first); ?pipeline_id= filters.' },
  { method: 'GET', path: '/flex/files/framegrabs/{file}', tag: t('files'), produces: 'image/jpeg', doc: 'Download a framegrab; names are `<pipeline>--<time>.jpg`, validated and contained in the data folder.' },
  { method: 'DELETE', path: '/flex/files/framegrabs/{file}', tag: t('files'), doc: 'Delete a framegrab (60 per minute, then 429 RATE_LIMITED).' },
  { method: 'DELETE', path: '/flex/files/framegrabs', tag: t('files'), doc: 'Delete every framegrab of ?pipeline_id= (10 per minute, then 429 RATE_LIMITED).' },
  { method: 'GET', path: '/flex/audio-devices', tag: t('audio'), doc: 'ALSA capture devices ({id: "hw:C,D", card, device, name}); empty where there are none.' },
  { method: 'POST', path: '/flex/webhooks', tag: t('webhooks'), status: 201, doc: 'Register {url, events?, secret?}. Events: pipeline.status, pipeline.error, event.opened, event.closed, person.recognized, camera.offline, camera.online. Each POST carries X-Flex-Signature: sha256=HMAC-SHA256(secret, "<X-Flex-Timestamp>.<body>"), X-Flex-Timestamp (epoch s) and X-Flex-Event; failures are retried with exponential backoff (1 s, 2 s, 4 s…). The secret is returned once.' },
  { method: 'GET', path: '/flex/webhooks', tag: t('webhooks'), doc: 'List webhooks (secrets are never returned).' },
  { method: 'DELETE', path: '/flex/webhooks/{id}', tag: t('webhooks'), doc: 'Unregister a webhook.' },
  { method: 'GET', path: '/flex/webhooks/{id}/deliveries', tag: t('webhooks'), doc: 'Vigil: the last 100 delivery attempts of a webhook (event, attempt, ok, status, error, duration_ms).' },
];
