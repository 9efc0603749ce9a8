// Raspberry Pi camera root routes: thin adapters onto the stills, sensors, health, logs, retention, auth and events services.
import type { ReadStream } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../../../shared/errors';
import type { PushBus } from '../../../../services/push-bus';
import type { PushEventMap } from '../../../../shared/push-events';
import type { PiCompatService } from '../../../../services/pi/pi-compat.service';
import type { TimelapseService } from '../../../../services/stills/timelapse.service';
import type { SnapshotsService } from '../../../../services/stills/snapshots.service';
import type { SensorsService } from '../../../../services/sensors/sensors.service';
import type { HealthAlertsService } from '../../../../services/health-alerts.service';
import type { LogsService } from '../../../../services/logs/logs.service';
import type { SystemService } from '../../../../services/system.service';
import type { SettingsService } from '../../../../services/settings.service';
import type { AuthService } from '../../../../services/auth.service';
import type { RawRouteDoc } from '../../openapi';
import { allow, media, PUBLIC } from '../../platform/access';
import { credentialsOf } from '../../platform/auth.plugin';
import { parseRange, sendRanged } from '../../http-range';
import { LOGIN_RATE_LIMIT, type FamilyPlugin } from '../../http-server';
import { piFamily } from './pi.family';

export interface PiDeps {
  pi: PiCompatService;
  timelapse: TimelapseService;
  snapshots: SnapshotsService;
  sensors: SensorsService;
  health: HealthAlertsService;
  logs: LogsService;
  system: SystemService;
  settings: SettingsService;
  auth: AuthService;
  bus: PushBus;
  /** Opens a contained file found by a service (bounded chunks, no symlink followed). */
  read: (f: { path: string; size: number }, range?: { start: number; end: number }) => ReadStream;
}

const SSE_MAX_BUFFERED = 1024 * 1024;
const DAY_CACHE = { 'Cache-Control': 'private, max-age=86400' };
const q = (req: FastifyRequest): Record<string, unknown> => (req.query ?? {}) as Record<string, unknown>;
const b = (req: FastifyRequest): Record<string, unknown> => {
  const body = req.body;
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new ApiError(400, 'Expected a JSON object body', {}, { code: 'VALIDATION_ERROR' });
  return body as Record<string, unknown>;
};
const str = (v: unknown, name: string): string => {
  if (typeof v !== 'string' || v === '') throw new ApiError(400, `${name} is required`, {}, { code: 'VALIDATION_ERROR' });
  return v;
};
const optionalCamera = (body: Record<string, unknown>): number | undefined => {
  const c = body.camera_id;
  if (c === undefined) return undefined;
  if (typeof c !== 'number' || !Number.isInteger(c) || c < 1) throw new ApiError(400, 'camera_id must be a camera id', {}, { code: 'VALIDATION_ERROR' });
  return c;
};

export const piFamilyPlugin = (d: PiDeps): FamilyPlugin => ({
  family: piFamily,
  // Root routes: the family claims its documented prefixes (piFamily.prefixes), not one URL prefix.
  prefix: '',
  routes: (app: FastifyInstance) => {
    // An unsatisfiable Range is refused here, so its 416 is in the Pi shape too (sendRanged answers Iris's).
    const ranged = (req: FastifyRequest, reply: FastifyReply, f: { path: string; size: number }, type: string) => {
      if (parseRange(req.headers.range, f.size).kind === 'unsatisfiable') throw new ApiError(416, 'Requested range not satisfiable', { 'Content-Range': `bytes */${f.size}` });
      return sendRanged(req, reply, f, type, (r) => d.read(f, r), DAY_CACHE);
    };
    const image = (reply: FastifyReply, req: FastifyRequest, f: { path: string; size: number }) => ranged(req, reply, f, 'image/jpeg');

    // --- settings and storage -----------------------------------------------------------------------
    app.get('/settings', allow('system:read'), async () => d.pi.settingsView());
    app.post('/settings', allow('system:write'), async (req) => d.pi.updateSettings(req.body));
    app.get('/storage/status', allow('system:read'), async () => d.pi.storageStatus());
    app.post('/storage/configure', allow('system:write'), async (req) => d.pi.storageConfigure(req.body));
    app.post('/storage/cleanup', allow('system:write'), async () => d.pi.storageCleanup());

    // --- sensors ------------------------------------------------------------------------------------
    app.get('/sensor/types', allow('system:read'), async () => d.sensors.types());
    app.post('/sensor/configure', allow('system:write'), async (req) => d.pi.sensorConfigure(req.body));
    app.get('/sensor/status', allow('system:read'), async () => d.pi.sensorStatus());
    app.post('/sensor/enable', allow('system:write'), async (req) => d.pi.sensorEnable(req.body, true));
    app.post('/sensor/disable', allow('system:write'), async (req) => d.pi.sensorEnable(req.body, false));
    app.post('/sensor/test', allow('system:write'), async (req) => d.sensors.test(b(req) as Parameters<SensorsService['test']>[0]));
    app.post('/sensor/mock/trigger', allow('system:write'), async () => d.sensors.mockTrigger());
    app.post('/sensor/mock/release', allow('system:write'), async () => d.sensors.mockRelease());

    // --- Bluetooth and other Pi hardware: 501 -------------------------------------------------------
    for (const path of ['/bt/scan', '/bt/discoverable', '/devices/bt/add', '/devices/bt/remove', '/bluetooth/scan', '/bluetooth/pair', '/bluetooth/discoverable']) {
      app.post(path, allow('system:write'), async () => d.pi.notSupported('Bluetooth pairing and presence'));
    }
    app.post('/system/reboot', allow('system:write'), async () => d.pi.notSupported('Rebooting the device'));
    app.get('/captive-portal', allow('system:read'), async () => d.pi.notSupported('The captive portal'));
    app.post('/captive-portal', allow('system:write'), async () => d.pi.notSupported('The captive portal'));

    // --- timelapse ----------------------------------------------------------------------------------
    app.get('/timelapse/status', allow('events:read'), async () => d.timelapse.status());
    app.post('/timelapse/configure', allow('system:write'), async (req) => d.timelapse.configure(d.pi.timelapseConfig(req.body)));
    app.post('/timelapse/start', allow('system:write'), async () => d.timelapse.configure({ enabled: true }));
    app.post('/timelapse/stop', allow('system:write'), async () => d.timelapse.configure({ enabled: false }));
    app.get('/timelapse', allow('events:read'), async () => d.pi.timelapseList());
    app.get('/timelapse/video', media('events:read'), async (req, reply) => {
      const f = d.timelapse.video(str(q(req).path, 'path'));
      return ranged(req, reply, f, 'video/mp4');
    });
    app.post('/timelapse/delete', allow('events:write'), async (req) => d.timelapse.delete(str(b(req).path, 'path')).then(() => ({ message: 'Deleted' })));

    // --- snapshots ----------------------------------------------------------------------------------
    app.post('/snapshot', allow('events:write'), async (req) => d.snapshots.save(optionalCamera(b(req))).then((s) => ({ ...s, relative_path: s.path, path: d.pi.abs(s.path) })));
    app.get('/snapshots', allow('events:read'), async () => d.pi.snapshotList());
    app.get('/snapshot_image', media('events:read'), async (req, reply) => image(reply, req, d.snapshots.image(str(q(req).path, 'path'))));
    app.post('/delete_snapshot', allow('events:write'), async (req) => d.snapshots.delete(str(b(req).snapshot_path ?? b(req).path, 'snapshot_path')).then(() => ({ message: 'Deleted' })));

    // --- recording media and the archive badge ------------------------------------------------------
    app.get('/thumbnail', media('events:read'), async (req, reply) => image(reply, req, d.pi.media(q(req).video_path, 'thumbnail')));
    app.get('/sprite', media('events:read'), async (req, reply) => image(reply, req, d.pi.media(q(req).video_path, 'sprite')));
    app.get('/thumbnail/:file', media('events:read'), async (req, reply) => image(reply, req, d.pi.media((req.params as { file?: string }).file, 'thumbnail')));
    app.get('/sprite/:file', media('events:read'), async (req, reply) => image(reply, req, d.pi.media((req.params as { file?: string }).file, 'sprite')));
    app.get('/archive/new_count', allow('events:read'), async (req) => d.pi.newCount(q(req).since));
    app.get('/archive/count', allow('events:read'), async (req) => d.pi.newCount(q(req).since));

    // --- logs ---------------------------------------------------------------------------------------
    app.get('/logs/api', allow('system:read'), async (req) => d.logs.entries('api', d.pi.logQuery(q(req))));
    app.get('/logs', allow('system:read'), async (req) => d.logs.entries('api', d.pi.logQuery(q(req))));
    app.get('/logs/mediamtx', allow('system:read'), async (req) => d.logs.entries('media', d.pi.logQuery(q(req))));
    app.get('/logs/install', allow('system:read'), async () => d.logs.scripts());
    app.get('/logs/scripts', allow('system:read'), async () => d.logs.scripts());
    app.get('/logs/script/:category/:file', allow('system:read'), async (req, reply) => {
      const p = req.params as { category?: string; file?: string };
      return reply.type('text/plain; charset=utf-8').send(d.logs.script(p.category ?? '', p.file ?? ''));
    });

    // --- auth ---------------------------------------------------------------------------------------
    app.get('/auth/status', PUBLIC, async (req) => {
      const c = credentialsOf(req, d.settings, true);
      const given = c.authorization !== undefined || c.queryToken !== undefined;
      let valid: boolean | null = null;
      if (given) valid = await d.auth.authenticate({ authorization: c.authorization, queryToken: c.queryToken }).then((p) => p.via !== 'media_token' && p.via !== 'anonymous', () => false);
      return { enabled: d.settings.get().auth_required, valid };
    });
    app.post('/auth/validate', { config: { access: 'public', rateLimit: LOGIN_RATE_LIMIT } }, async (req) => d.pi.validate(req.body));
    app.post('/auth/regenerate', allow('system:write'), async () => d.pi.regenerate());
    app.post('/auth/set-password', { config: { access: 'system:write', rateLimit: LOGIN_RATE_LIMIT } }, async (req) => d.pi.setPassword(req.body));

    // --- system -------------------------------------------------------------------------------------
    app.get('/system_alert_state', allow('system:read'), async () => d.health.sample());
    app.get('/system/alert', allow('system:read'), async () => d.health.sample());
    app.get('/system_info', allow('system:read'), async (req) => d.system.system(req.principal ?? { email: null, name: 'anonymous', via: 'anonymous', role: 'viewer' }));
    app.post('/system/restart', allow('system:write'), async () => d.pi.restart());
    app.get('/system/update/check', allow('system:read'), async () => d.pi.updateCheck());
    app.get('/deploy_info', allow('system:read'), async () => d.pi.deployInfo());

    // --- server-sent events -------------------------------------------------------------------------
    app.get('/events', { ...allow('events:read'), exposeHeadRoute: false }, (req: FastifyRequest, reply: FastifyReply) => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
      res.write(': connected\n\n');
      const write = (event: string, data: unknown) => {
        if (res.writableLength > SSE_MAX_BUFFERED) res.destroy();
        else res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      };
      const unsubscribe = d.bus.subscribe((m) => {
        if (m.name === 'system.alert') write('system_alert', m.payload);
        else if (m.name === 'event.created') write('archive_updated', { kind: 'recording', ...m.payload });
        else if (m.name === 'archive.changed') {
          const p = m.payload as PushEventMap['archive.changed'];
          write('archive_updated', { ...p, path: d.pi.abs(p.path) });
        }
      });
      const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
      req.raw.on('close', () => {
        clearInterval(ping);
        unsubscribe();
      });
    });
    return PI_DOCS;
  },
});

const t = (tag: string) => `pi: ${tag}`;
const NS = '501 NOT_SUPPORTED: a Raspberry Pi hardware feature that this host does not have.';
export const PI_DOCS: RawRouteDoc[] = [
  { method: 'GET', path: '/settings', tag: t('settings'), doc: 'The Pi settings file mapped onto Vigil: {Sensor (the first configured sensor, or null), StorageLimit {enabled, max_percent} (= retention_max_percent; 99 % is "off"), CaptivePortal {enabled:false} (not on this host), Timelapse {enabled, interval_minutes, fps, resolution}, Security {enabled} (= auth_required)}.' },
  { method: 'POST', path: '/settings', tag: t('settings'), doc: 'Apply any of the GET sections: Sensor → /sensor/configure, StorageLimit → /storage/configure, Timelapse → /timelapse/configure; CaptivePortal can only stay disabled (true answers 501). Unknown sections are 400. Answers the new settings.' },
  { method: 'GET', path: '/storage/status', tag: t('storage'), doc: 'Disk usage of the data folder and the auto-delete threshold: {enabled, max_percent, threshold, total_bytes, used_bytes, free_bytes, percent, recordings_bytes, forecast_days}. Vigil always deletes the oldest recordings past the threshold; enabled:false means the loosest limit, 99 %.' },
  { method: 'POST', path: '/storage/configure', tag: t('storage'), doc: '{enabled, max_percent (1-98)} → Vigil\'s retention_max_percent (enabled:false sets 99 %, since Vigil never lets the disk fill). Applied at once like on the Pi (no confirmation preview).' },
  { method: 'POST', path: '/storage/cleanup', tag: t('storage'), doc: 'Run the retention service now: {message, deleted_segments, freed_bytes, deleted_exports, storage}.' },
  { method: 'GET', path: '/sensor/types', tag: t('sensors'), doc: 'Every sensor type with wiring info, default GPIO and calibration schema.' },
  { method: 'POST', path: '/sensor/configure', tag: t('sensors'), doc: 'Configure THE sensor (the Pi has one; Vigil\'s registry can hold several and this changes the first, or creates it): {type, gpio, enabled, hold_seconds, invert_logic, calibration, camera_ids?}. GPIO types enabled on a host without a GPIO chip answer 409 GPIO_UNAVAILABLE; use type "mock" or "external" here.' },
  { method: 'GET', path: '/sensor/status', tag: t('sensors'), doc: '{enabled, armed, triggered, suppressed, recording_from_sensor, config} of the active sensor, plus sensors: every configured sensor.' },
  { method: 'POST', path: '/sensor/enable', tag: t('sensors'), doc: 'Enable the active sensor (or {id}); 404 when none is configured.' },
  { method: 'POST', path: '/sensor/disable', tag: t('sensors'), doc: 'Disable the active sensor (or {id}); a disabled sensor is suppressed.' },
  { method: 'POST', path: '/sensor/test', tag: t('sensors'), doc: 'Read a GPIO line now: {type, gpio} → {type, gpio, level, active}; 409 GPIO_UNAVAILABLE where no GPIO chip exists, 400 for a non-GPIO type.' },
  { method: 'POST', path: '/sensor/mock/trigger', tag: t('sensors'), doc: 'Trigger the enabled mock sensor: its cameras record like on motion (409 NO_MOCK_SENSOR without one).' },
  { method: 'POST', path: '/sensor/mock/release', tag: t('sensors'), doc: 'Release the mock sensor: recordings continue hold_seconds, then close.' },
  { method: 'POST', path: '/bt/scan', tag: t('bluetooth'), doc: NS },
  { method: 'POST', path: '/bt/discoverable', tag: t('bluetooth'), doc: NS },
  { method: 'POST', path: '/devices/bt/add', tag: t('bluetooth'), doc: NS },
  { method: 'POST', path: '/devices/bt/remove', tag: t('bluetooth'), doc: NS },
  { method: 'POST', path: '/bluetooth/scan', tag: t('bluetooth'), doc: `Alias of /bt/scan (the document's summary table). ${NS}` },
  { method: 'POST', path: '/bluetooth/pair', tag: t('bluetooth'), doc: `The document's summary table name for pairing. ${NS}` },
  { method: 'POST', path: '/bluetooth/discoverable', tag: t('bluetooth'), doc: `Alias of /bt/discoverable. ${NS}` },
  { method: 'POST', path: '/system/reboot', tag: t('system'), doc: `Rebooting the computer is not Vigil's to do. ${NS}` },
  { method: 'GET', path: '/captive-portal', tag: t('system'), doc: `The captive portal is a Pi access-point feature. ${NS}` },
  { method: 'POST', path: '/captive-portal', tag: t('system'), doc: NS },
  { method: 'GET', path: '/timelapse/status', tag: t('timelapse'), doc: '{enabled, interval_minutes, fps, resolution, today_frame_count, last_capture} over every camera, plus cameras: the same per camera.' },
  { method: 'POST', path: '/timelapse/configure', tag: t('timelapse'), doc: '{enabled, interval_minutes (1-60), fps (1-60), resolution ("original", "640:480", "320:240"; "640x480" is read as "640:480")}: Vigil\'s timelapse settings, for every enabled camera.' },
  { method: 'POST', path: '/timelapse/start', tag: t('timelapse'), doc: 'Start timelapse capture (the summary table\'s name for configure {enabled:true}).' },
  { method: 'POST', path: '/timelapse/stop', tag: t('timelapse'), doc: 'Stop timelapse capture (configure {enabled:false}).' },
  { method: 'GET', path: '/timelapse', tag: t('timelapse'), doc: 'Stitched timelapse MP4s of every camera, newest first: [{path (absolute), date, size, mtime, thumbnail?, camera_id, relative_path}].' },
  { method: 'GET', path: '/timelapse/video', tag: t('timelapse'), produces: 'video/mp4', doc: 'Stream ?path= (absolute or data-relative) with Range. Only timelapse_*.mp4 inside the timelapse folder: anything else 400, missing 404.' },
  { method: 'POST', path: '/timelapse/delete', tag: t('timelapse'), doc: 'Delete {path}: only timelapse_*.mp4 inside the timelapse folder (400 otherwise, 404 missing); its thumbnail goes with it.' },
  { method: 'POST', path: '/snapshot', tag: t('media'), doc: 'Save a JPEG of the first enabled camera (or {camera_id}) from its newest recorded segment: {path (absolute), size, camera_id, created_at, relative_path}. 409 when the camera has recorded nothing in 2 minutes, 500 when ffmpeg fails.' },
  { method: 'GET', path: '/snapshots', tag: t('media'), doc: 'Every snapshot_*.jpg in the snapshots folder, newest first: [{path, size, camera_id, created_at, relative_path}].' },
  { method: 'GET', path: '/snapshot_image', tag: t('media'), produces: 'image/jpeg', doc: 'The JPEG of ?path=; cached 24 h. 400 outside the snapshots folder or not snapshot_*.jpg, 404 missing.' },
  { method: 'POST', path: '/delete_snapshot', tag: t('media'), doc: 'Delete {snapshot_path}: only snapshot_*.jpg inside the snapshots folder (traversal 400, missing 404).' },
  { method: 'GET', path: '/thumbnail', tag: t('media'), produces: 'image/jpeg', doc: 'Thumbnail of ?video_path=: an event clip (clips/<camera>/<day>/<event>.mp4, absolute or data-relative, as in the event\'s files) or a stitched timelapse. 400 for other or outside paths, 404 when none exists; cached 24 h.' },
  { method: 'GET', path: '/sprite', tag: t('media'), produces: 'image/jpeg', doc: 'Hover-scrub sprite (10 frames in a strip) of the event clip ?video_path=; 404 when none was made (very short clips); cached 24 h.' },
  { method: 'GET', path: '/thumbnail/{file}', tag: t('media'), produces: 'image/jpeg', doc: 'The summary table\'s form: {file} is the URL-encoded video path, as ?video_path=.' },
  { method: 'GET', path: '/sprite/{file}', tag: t('media'), produces: 'image/jpeg', doc: 'The summary table\'s form: {file} is the URL-encoded video path, as ?video_path=.' },
  { method: 'GET', path: '/archive/new_count', tag: t('archive'), doc: '{count}: events (recordings) started, timelapse videos written and snapshots saved after ?since= (ISO time); 0 when since is missing or invalid.' },
  { method: 'GET', path: '/archive/count', tag: t('archive'), doc: 'The summary table\'s name for /archive/new_count.' },
  { method: 'GET', path: '/logs/api', tag: t('logs'), doc: 'Vigil\'s own log entries newest first: [{ts, level, source, message}]; ?limit (default 500, capped at 2000), ?level (ERROR, WARNING, INFO, DEBUG), ?search (case-insensitive).' },
  { method: 'GET', path: '/logs', tag: t('logs'), doc: 'The summary table\'s name for /logs/api.' },
  { method: 'GET', path: '/logs/mediamtx', tag: t('logs'), doc: 'Vigil\'s media server is ffmpeg: its log lines, levels normalised to ERROR/WARNING/INFO/DEBUG; same parameters as /logs/api.' },
  { method: 'GET', path: '/logs/install', tag: t('logs'), doc: 'Log files of every other folder under <data>/logs, newest first: [{name: "<category>/<file>", category, size, modified}].' },
  { method: 'GET', path: '/logs/scripts', tag: t('logs'), doc: 'The summary table\'s name for /logs/install.' },
  { method: 'GET', path: '/logs/script/{category}/{file}', tag: t('logs'), produces: 'text/plain', doc: 'The text of one log file; each of category and file one plain name (400 otherwise, never outside the log folder), 404 missing.' },
  { method: 'GET', path: '/auth/status', tag: t('auth'), public: true, doc: '{enabled (= auth_required), valid}: valid is null without a token, else whether the Bearer header or ?token= is a valid credential. Exempt from auth.' },
  { method: 'POST', path: '/auth/validate', tag: t('auth'), public: true, doc: 'Dashboard login: {password} is the password of the Vigil user "admin" → {valid:true, token, expires_at}, a 7-day session token (revocable, ended by a password change or /auth/regenerate; the long-lived API key is never handed out for a password), or {valid:false}. Exempt; 5 attempts per 15 minutes per address, then 429 with Retry-After.' },
  { method: 'POST', path: '/auth/regenerate', tag: t('auth'), doc: 'New API key → {token}; every session token ends with it (all sessions log in again). 409 when the key comes from VIGIL_API_KEY.' },
  { method: 'POST', path: '/auth/set-password', tag: t('auth'), doc: '{current, new}: change the "admin" user\'s password; 403 when current is wrong, 400 when new is under 4 characters, 409 when there is no user "admin". It ends that user\'s sessions. Rate-limited like the logins.' },
  { method: 'GET', path: '/system_alert_state', tag: t('system'), doc: 'Health alert state sampled now: {overall: ok|warn|critical, alerts {cpu_temp, throttle, storage, sd_health}, values}. CPU temperature ≥65 warn, ≥80 critical (where the OS exposes it; else unavailable), storage ≥85/≥95 %, SD life_time_est where readable. Transitions are pushed on /events as system_alert.' },
  { method: 'GET', path: '/system/alert', tag: t('system'), doc: 'The summary table\'s name for /system_alert_state.' },
  { method: 'GET', path: '/system_info', tag: t('system'), doc: 'Vigil\'s system information (version, platform, ffmpeg, detector, disk, workers).' },
  { method: 'POST', path: '/system/restart', tag: t('system'), doc: 'Restart Vigil\'s core services: answered first, then 1 s later every camera ingest and the sensors stop and start again. {message: "Restarting services..."}.' },
  { method: 'GET', path: '/system/update/check', tag: t('system'), doc: 'Vigil has no network update channel: always {available:false, commits_behind:0, current_version, error} (the document\'s no-network answer).' },
  { method: 'GET', path: '/deploy_info', tag: t('system'), doc: '{git_branch: null, git_commit: null, version}: Vigil runs from a release, not a git checkout.' },
  { method: 'GET', path: '/events', tag: t('events'), produces: 'text/event-stream', doc: 'Server-sent events; the token may ride as ?token=. system_alert (a health metric changed level: the whole state plus changed) and archive_updated ({kind: recording, event_id, camera_id} for a new event; {kind: timelapse|snapshot, change, path} for stills).' },
];
