// The Raspberry Pi camera's root API mapped onto Vigil's services: storage, settings, auth, media paths, archive counts, system.
import { ApiError, notFound } from '../../shared/errors';
import type { SensorConfigureInput, SensorStatus } from '../../shared/sensors';
import { sensorConfigureSchema } from '../../shared/sensors';
import { settingsPatchSchema, type Settings, type SettingsPatch } from '../../shared/settings';
import type { User } from '../../shared/contract/users.contract';
import type { EventDto } from '../../shared/contract/events.contract';
import { LOG_LEVELS, type LogLevel, type LogQuery } from '../logs/log-entries';
import type { Logger } from '../../repositories/logger';
import type { IssuedSession } from '../auth.service';
import type { TimelapseVideo } from '../stills/timelapse.service';
import type { Snapshot } from '../stills/snapshots.service';
import type { StorageStatus } from '../recording/retention.service';

/** Vigil never lets the disk fill: auto-delete "off" is the loosest limit it accepts. */
export const STORAGE_OFF_PERCENT = 99;
export const PI_PASSWORD_USER = 'admin';
export const PI_MIN_PASSWORD = 4;
export const DEFAULT_LOG_LIMIT = 500;

/** What a client of the Pi API sees of a file: its absolute path (the Pi answers absolute paths). */
export interface PiFile {
  path: string;
  size: number;
}

export interface PiCompatDeps {
  dataDir: string;
  version: string;
  settings: { get(): Settings; update(patch: SettingsPatch, opts?: { confirm?: boolean }): Settings };
  retention: { status(): StorageStatus; cleanup(): { deleted_segments: number; freed_bytes: number; deleted_exports: number } };
  sensors: {
    list(): { id: number; type: string; enabled: boolean }[];
    status(): SensorStatus[];
    configure(input: SensorConfigureInput): SensorStatus;
    enable(id: number): SensorStatus;
    disable(id: number): SensorStatus;
  };
  events: {
    get(id: number): EventDto;
    list(f: { from?: number; limit: number; offset: number }): { total: number };
    mediaPath(id: number, kind: 'clip' | 'thumbnail' | 'sprite'): { path: string; size: number };
  };
  timelapse: { list(): TimelapseVideo[] };
  snapshots: { list(): Snapshot[] };
  /** Data-root files: relative form of a path inside the root (else null), and a contained file to serve. */
  files: { relative(path: string): string | null; served(path: string, what: string): { path: string; size: number } };
  auth: { passwordLogin(username: string, password: string): Promise<IssuedSession>; regenerateKey(): { api_key: string } };
  users: { list(): User[]; update(id: number, patch: { password?: string }): Promise<User> };
  /** Stops and starts the cameras' ingests and the sensors (Vigil's equivalent of restarting the Pi's service). */
  restartCore: () => Promise<void>;
  log: Logger;
}

const CLIP = /^clips\/\d+\/\d{4}-\d{2}-\d{2}\/(\d+)\.mp4$/;
const TIMELAPSE = /^timelapse\/\d+\/timelapse_\d{8}\.mp4$/;
const RESTART_DELAY_MS = 1000;

export class PiCompatService {
  private restartTimer: NodeJS.Timeout | null = null;
  private restarting: Promise<void> = Promise.resolve();
  private stopped = false;
  constructor(private readonly d: PiCompatDeps) {}

  abs(rel: string): string {
    return `${this.d.dataDir.replace(/[\\/]+$/, '')}/${rel}`;
  }

  // --- storage ----------------------------------------------------------------------------------------

  storageStatus() {
    const st = this.d.retention.status();
    const max = this.d.settings.get().retention_max_percent;
    const total = st.total.used_bytes + st.total.free_bytes;
    return {
      enabled: max < STORAGE_OFF_PERCENT,
      max_percent: max,
      threshold: max,
      total_bytes: total,
      used_bytes: st.total.used_bytes,
      free_bytes: st.total.free_bytes,
      percent: st.total.percent,
      recordings_bytes: st.total.recordings_bytes,
      forecast_days: st.total.forecast_days,
    };
  }

  /** {enabled, max_percent} → retention_max_percent (enabled:false = 99 %, the loosest limit). Applied without a preview, as on the Pi. */
  storageConfigure(body: unknown) {
    const b = object(body);
    if (b.enabled !== undefined && typeof b.enabled !== 'boolean') throw invalid('enabled must be a boolean');
    if (b.max_percent !== undefined && (typeof b.max_percent !== 'number' || !Number.isFinite(b.max_percent) || b.max_percent < 1 || b.max_percent > 98)) throw invalid('max_percent must be a number from 1 to 98');
    if (b.enabled === undefined && b.max_percent === undefined) throw invalid('Expected {enabled} and/or {max_percent}');
    const cur = this.d.settings.get().retention_max_percent;
    const wanted = b.enabled === false ? STORAGE_OFF_PERCENT : ((b.max_percent as number | undefined) ?? (cur < STORAGE_OFF_PERCENT ? cur : 85));
    this.d.settings.update({ retention_max_percent: wanted }, { confirm: true });
    return this.storageStatus();
  }

  storageCleanup() {
    return { message: 'Cleanup complete', ...this.d.retention.cleanup(), storage: this.storageStatus() };
  }

  // --- sensors: the Pi has one sensor; Vigil's registry has many. The "active" one is the first configured. --------

  private active(): { id: number } | undefined {
    return this.d.sensors.list()[0];
  }

  sensorConfigure(body: unknown): SensorStatus {
    const b = object(body);
    const parsed = sensorConfigureSchema.safeParse({ ...b, ...(b.id === undefined && this.active() ? { id: this.active()?.id } : {}) });
    if (!parsed.success) throw invalid(parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    return this.d.sensors.configure(parsed.data);
  }

  sensorStatus() {
    const all = this.d.sensors.status();
    const a = all[0];
    return {
      enabled: a?.enabled ?? false,
      armed: a?.armed ?? false,
      triggered: a?.triggered ?? false,
      suppressed: a?.suppressed ?? false,
      recording_from_sensor: a?.recording_from_sensor ?? false,
      config: a ?? null,
      sensors: all,
    };
  }

  sensorEnable(body: unknown, on: boolean): SensorStatus {
    const b = body === undefined || body === null ? {} : object(body);
    const id = b.id === undefined ? this.active()?.id : b.id;
    if (id === undefined) throw notFound('No sensor is configured: POST /sensor/configure first');
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 1) throw invalid('id must be a sensor id');
    return on ? this.d.sensors.enable(id) : this.d.sensors.disable(id);
  }

  // --- settings ----------------------------------------------------------------------------------------

  settingsView() {
    const s = this.d.settings.get();
    const a = this.d.sensors.status()[0];
    return {
      Sensor: a ? { type: a.type, gpio: a.gpio, enabled: a.enabled, hold_seconds: a.hold_seconds, invert_logic: a.invert_logic, calibration: a.calibration } : null,
      StorageLimit: { enabled: s.retention_max_percent < STORAGE_OFF_PERCENT, max_percent: s.retention_max_percent },
      CaptivePortal: { enabled: false },
      Timelapse: { enabled: s.timelapse_enabled, interval_minutes: s.timelapse_interval_minutes, fps: s.timelapse_fps, resolution: s.timelapse_resolution },
      Security: { enabled: s.auth_required },
    };
  }

  /** Sections as GET answers them; each present one is applied through its service. CaptivePortal can only stay off. */
  updateSettings(body: unknown) {
    const b = object(body);
    const known = ['Sensor', 'StorageLimit', 'CaptivePortal', 'Timelapse'];
    const unknown = Object.keys(b).filter((k) => !known.includes(k));
    if (unknown.length) throw invalid(`Unknown settings section(s): ${unknown.join(', ')} (expected ${known.join(', ')})`);
    const cp = b.CaptivePortal === undefined ? undefined : object(b.CaptivePortal, 'CaptivePortal');
    if (cp?.enabled === true) throw notSupported('The captive portal is a Raspberry Pi access-point feature; it is not supported on this host.');
    const tl = b.Timelapse === undefined ? undefined : this.timelapseConfig(object(b.Timelapse, 'Timelapse'));
    if (b.StorageLimit !== undefined) this.storageConfigure(object(b.StorageLimit, 'StorageLimit'));
    if (b.Sensor !== undefined) this.sensorConfigure(object(b.Sensor, 'Sensor'));
    if (tl) {
      const patch: SettingsPatch = {};
      if (tl.enabled !== undefined) patch.timelapse_enabled = tl.enabled;
      if (tl.interval_minutes !== undefined) patch.timelapse_interval_minutes = tl.interval_minutes;
      if (tl.fps !== undefined) patch.timelapse_fps = tl.fps;
      if (tl.resolution !== undefined) patch.timelapse_resolution = tl.resolution;
      this.d.settings.update(patch);
    }
    return this.settingsView();
  }

  // --- auth: the Pi's one dashboard password is the password of Vigil's user "admin" ---------------------------

  /** {password} → a session token of the user "admin" (7 days, revocable); {valid:false} on a wrong password. */
  async validate(body: unknown): Promise<{ valid: true; token: string; expires_at: string } | { valid: false }> {
    const b = object(body);
    if (typeof b.password !== 'string' || b.password.length === 0 || b.password.length > 1024) throw invalid('Expected {password}');
    try {
      const s = await this.d.auth.passwordLogin(PI_PASSWORD_USER, b.password);
      return { valid: true, token: s.token, expires_at: new Date(s.expires_at * 1000).toISOString() };
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return { valid: false };
      throw err;
    }
  }

  /** A new API key; every session token ends with it (the Pi's "all sessions log in again"). */
  regenerate(): { token: string } {
    return { token: this.d.auth.regenerateKey().api_key };
  }

  async setPassword(body: unknown): Promise<{ message: string }> {
    const b = object(body);
    if (typeof b.current !== 'string' || typeof b.new !== 'string') throw invalid('Expected {current, new}');
    if (b.new.length < PI_MIN_PASSWORD) throw invalid(`The new password must be at least ${PI_MIN_PASSWORD} characters`);
    if (b.new.length > 1024) throw invalid('The new password is too long');
    const admin = this.d.users.list().find((u) => u.username === PI_PASSWORD_USER);
    if (!admin) throw new ApiError(409, `There is no user "${PI_PASSWORD_USER}" whose password the dashboard password is: add one under Users first.`, {}, { code: 'NO_ADMIN_USER' });
    const ok = await this.validate({ password: b.current });
    if (!ok.valid) throw new ApiError(403, 'The current password is wrong', {}, { code: 'FORBIDDEN' });
    await this.d.users.update(admin.id, { password: b.new });
    return { message: 'Password updated' };
  }

  // --- media ------------------------------------------------------------------------------------------

  /**
   * The thumbnail or sprite of a recording named by its path: an event clip (clips/<camera>/<day>/<event>.mp4, absolute or
   * data-root-relative) or, for a thumbnail, a stitched timelapse. 400 for anything else or outside the data folder.
   */
  media(videoPath: unknown, kind: 'thumbnail' | 'sprite'): { path: string; size: number } {
    if (typeof videoPath !== 'string' || videoPath === '' || videoPath.includes('\0') || videoPath.length > 1024) throw invalid('video_path is required');
    const rel = this.d.files.relative(videoPath);
    if (!rel) throw invalid('video_path must be a recording inside the data folder');
    const clip = CLIP.exec(rel);
    if (clip) {
      const id = Number(clip[1]);
      const ev = this.d.events.get(id);
      if (!ev.clip_url || this.d.files.relative(this.d.events.mediaPath(id, 'clip').path) !== rel) throw notFound('No such recording');
      return this.d.events.mediaPath(id, kind);
    }
    if (TIMELAPSE.test(rel) && kind === 'thumbnail') {
      const v = this.d.timelapse.list().find((x) => x.path === rel);
      if (!v?.thumbnail) throw notFound('No thumbnail for that timelapse');
      return this.d.files.served(v.thumbnail, 'Thumbnail');
    }
    throw invalid(kind === 'sprite' ? 'Only event clips (clips/<camera>/<day>/<event>.mp4) have sprites' : 'Only event clips (clips/<camera>/<day>/<event>.mp4) and timelapse videos have thumbnails');
  }

  /** Events, timelapse videos and snapshots created after `since` (ISO); 0 when it is missing or not a time. */
  newCount(since: unknown): { count: number } {
    const ms = typeof since === 'string' && since.length <= 64 ? Date.parse(since) : NaN;
    if (!Number.isFinite(ms)) return { count: 0 };
    const events = this.d.events.list({ from: ms + 1, limit: 1, offset: 0 }).total;
    const timelapses = this.d.timelapse.list().filter((v) => Date.parse(v.mtime) > ms).length;
    const snapshots = this.d.snapshots.list().filter((s) => Date.parse(s.created_at) > ms).length;
    return { count: events + timelapses + snapshots };
  }

  // --- logs ---------------------------------------------------------------------------------------------

  /** ?limit (default 500, capped at 2000 by the logs service), ?level (ERROR, WARNING, INFO, DEBUG), ?search. */
  logQuery(q: Record<string, unknown>): LogQuery {
    const out: LogQuery = { limit: DEFAULT_LOG_LIMIT };
    if (q.limit !== undefined) {
      const n = Number(q.limit);
      if (typeof q.limit !== 'string' || !/^\d+$/.test(q.limit) || n < 1) throw invalid('limit must be a positive integer');
      out.limit = n;
    }
    if (q.level !== undefined) {
      const l = typeof q.level === 'string' ? q.level.toUpperCase() : '';
      if (!(LOG_LEVELS as readonly string[]).includes(l)) throw invalid(`level must be one of ${LOG_LEVELS.join(', ')}`);
      out.level = l as LogLevel;
    }
    if (q.search !== undefined) {
      if (typeof q.search !== 'string' || q.search.length > 200) throw invalid('search must be a string of at most 200 characters');
      if (q.search) out.search = q.search;
    }
    return out;
  }

  // --- system -----------------------------------------------------------------------------------------

  deployInfo() {
    return { git_branch: null, git_commit: null, version: this.d.version };
  }

  updateCheck() {
    return { available: false, commits_behind: 0, current_version: this.d.version, error: 'Update checks are not available on this host: Vigil has no network update channel; install new releases from the project page.' };
  }

  /** Answers first, restarts 1 s later (like the Pi): camera ingests and sensors stop and start again. */
  restart(): { message: string } {
    if (this.restartTimer) return { message: 'Restarting services...' };
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.stopped) return;
      this.d.log.info('restarting the core services (Pi /system/restart)');
      this.restarting = this.d.restartCore().catch((err: unknown) => this.d.log.error({ err }, 'core restart failed'));
    }, RESTART_DELAY_MS);
    this.restartTimer.unref();
    return { message: 'Restarting services...' };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    await this.restarting;
  }

  /** A Pi-only feature: the 501 every such route answers. */
  notSupported(what: string): never {
    throw notSupported(`${what} is a Raspberry Pi hardware feature; it is not supported on this host.`);
  }

  timelapseList(): (TimelapseVideo & { relative_path: string })[] {
    return this.d.timelapse.list().map((v) => ({ ...v, relative_path: v.path, path: this.abs(v.path), ...(v.thumbnail ? { thumbnail: this.abs(v.thumbnail) } : {}) }));
  }

  snapshotList(): (Snapshot & { relative_path: string })[] {
    return this.d.snapshots.list().map((s) => ({ ...s, relative_path: s.path, path: this.abs(s.path) }));
  }

  /** {enabled, interval_minutes, fps, resolution}: the timelapse settings (validated by the settings service). */
  timelapseConfig(body: unknown): { enabled?: boolean; interval_minutes?: number; fps?: number; resolution?: Settings['timelapse_resolution'] } {
    const b = object(body);
    const keys = ['enabled', 'interval_minutes', 'fps', 'resolution'];
    const unknown = Object.keys(b).filter((k) => !keys.includes(k));
    if (unknown.length) throw invalid(`Unknown field(s): ${unknown.join(', ')}`);
    // The document's default is written "640x480"; the accepted values use a colon.
    const resolution = typeof b.resolution === 'string' ? b.resolution.replace(/^(\d+)x(\d+)$/, '$1:$2') : b.resolution;
    const c = { ...b, ...(b.resolution !== undefined ? { resolution } : {}) } as ReturnType<PiCompatService['timelapseConfig']>;
    // The settings service parses what it stores; a bad value is the caller's 400 here, not a thrown schema error.
    const p = settingsPatchSchema.safeParse({ timelapse_enabled: c.enabled, timelapse_interval_minutes: c.interval_minutes, timelapse_fps: c.fps, timelapse_resolution: c.resolution });
    if (!p.success) throw invalid(p.error.issues.map((i) => `${String(i.path[0] ?? 'body').replace('timelapse_', '')}: ${i.message}`).join('; '));
    return c;
  }
}

const invalid = (msg: string): ApiError => new ApiError(400, msg, {}, { code: 'VALIDATION_ERROR' });
const notSupported = (msg: string): ApiError => new ApiError(501, msg, {}, { code: 'NOT_SUPPORTED' });

function object(body: unknown, what = 'body'): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw invalid(`${what} must be a JSON object`);
  return body as Record<string, unknown>;
}
