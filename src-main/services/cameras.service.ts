// Cameras: CRUD over sealed sources, worker lifecycle on every mutation, derived status with push events, probe and demo seeding.
import type { z } from 'zod';
import { notFound, unprocessable } from '../shared/errors';
import { cameraCreateSchema, cameraUpdateSchema, cameraTuningShape, defaultTuning, type Camera, type CameraTuning } from '../shared/contract/cameras.contract';
import { COCO_CLASSES, DEFAULT_TRIGGER_CLASSES } from '../shared/coco-classes';
import type { Settings } from '../shared/settings';
import type { CameraRecord, CamerasRepository, CameraSource } from '../repositories/cameras.repository';
import type { CameraFilesRepository } from '../repositories/camera-files.repository';
import type { ProbeRepository, ProbeResult } from '../repositories/ffmpeg/probe.repository';
import type { Logger } from '../repositories/logger';
import type { CameraRuntime, SourceKind, WorkerManagerPort } from '../workers/camera-worker.types';
import type { CameraDataPurger } from './ingest.port';
import type { PushBus } from './push-bus';
import { deriveStatus, statusChanged, type DerivedStatus } from './camera-status';
import { applySourceUpdate, deriveKind, hostOf, kindMatchesUrl, looksLikeMjpeg, isEcho, sourceFromInput } from './camera-url';
import { maskUrl } from '../shared/credentials';
import { filePathOf, patternOf } from '../shared/source-url';

const DEMO_TUNING: Partial<CameraTuning> = { max_event_seconds: 30, post_seconds: 5 };

export type CameraCreateInput = z.output<typeof cameraCreateSchema>;
export type CameraUpdateInput = z.output<typeof cameraUpdateSchema>;
export interface ProbeInput {
  rtsp_url?: string | undefined;
  camera_id?: number | undefined;
  source_kind?: SourceKind | undefined;
  rtsp_transport?: 'tcp' | 'udp' | undefined;
  username?: string | undefined;
  password?: string | undefined;
}

export interface CamerasServiceDeps {
  repo: CamerasRepository;
  manager: WorkerManagerPort;
  settings: { get(): Settings };
  bus: PushBus;
  probe: ProbeRepository;
  files: CameraFilesRepository;
  /** Recording-side purge of events/clips/segment rows; optional until that service exists. */
  purger?: CameraDataPurger | null;
  log: Logger;
  now?: () => number;
  demo?: { enabled: boolean; streetVideo: string | null };
  /** Status tick (ms); about the worker heartbeat. */
  tickMs?: number;
  /** Throws 409 with a preview when a camera's retention change would delete recordings and is not confirmed. */
  retentionGuard?: (change: { id: number; mode: CameraTuning['recording_mode']; max_days: number | null; max_gb: number | null }, confirm: boolean) => void;
}

const TUNING_KEYS = Object.keys(cameraTuningShape) as (keyof CameraTuning)[];
/** One answer for "missing" and "not allowed", so the API never tells which files exist on the machine. */
export const MEDIA_FILE_REFUSED = "File not found in an allowed media folder (the data folder's media/ by default; see --media-dir).";
const PROBE_TIMEOUT_MS = 8000;
const CREATE_PROBE_TIMEOUT_MS = 4000;
const LAST_SEEN_PERSIST_MS = 10_000;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const parseIso = (s: string | null): number | null => {
  if (!s) return null;
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : null;
};

function isNetworkUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.hostname !== '' && !/\s/.test(url);
  } catch {
    return false;
  }
}

/** "Person, car" → "person,car"; empty → the default set; unknown names → 422 on trigger_classes. */
export function normaliseTriggerClasses(csv: string): string {
  const names = csv
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (names.length === 0) return DEFAULT_TRIGGER_CLASSES.join(',');
  const known = new Set<string>(COCO_CLASSES);
  const bad = names.filter((n) => !known.has(n));
  if (bad.length) throw unprocessable(['body', 'trigger_classes'], `Unknown class(es): ${bad.join(', ')}. See GET /api/cameras/detect/classes.`);
  return [...new Set(names)].join(',');
}

function pickTuning(input: Partial<CameraTuning>): Partial<CameraTuning> {
  const out: Partial<CameraTuning> = {};
  for (const k of TUNING_KEYS) if (input[k] !== undefined) (out as Record<string, unknown>)[k] = input[k];
  if (out.trigger_classes !== undefined) out.trigger_classes = normaliseTriggerClasses(out.trigger_classes);
  return out;
}

export class CamerasService {
  private readonly now: () => number;
  private readonly log: Logger;
  /** Last derived status per camera (for change detection) and when last_seen was last written. */
  private readonly derived = new Map<number, DerivedStatus>();
  private readonly persistedAt = new Map<number, number>();
  private readonly known = new Map<number, { enabled: boolean; stored: { status: CameraRecord['status']; last_seen_ms: number | null } }>();
  private readonly locks = new Map<number, Promise<unknown>>();
  private ticker: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly d: CamerasServiceDeps) {
    this.now = d.now ?? Date.now;
    this.log = d.log;
    for (const r of d.repo.list()) this.remember(r);
  }

  // --- lifecycle ---------------------------------------------------------------------------------

  /** Seeds the demo cameras on a database that never had a camera, starts every enabled camera and the status tick. */
  async start(): Promise<void> {
    if (this.d.demo?.enabled && !this.d.repo.everCreated()) this.seedDemo(this.d.demo.streetVideo);
    for (const r of this.d.repo.list()) if (r.enabled) this.startWorker(r);
    this.ticker = setInterval(() => this.tick(), this.d.tickMs ?? 1000);
    this.ticker.unref?.();
  }

  async stop(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    await this.d.manager.stopAll();
  }

  /** Demo scenes never stop moving: shorter events give a newcomer a finished clip within the first minute. */
  private seedDemo(streetVideo: string | null): void {
    const demos: { name: string; url: string; kind: SourceKind }[] = [];
    if (streetVideo && this.d.files.mediaFile(streetVideo)) demos.push({ name: 'Street (demo)', url: streetVideo, kind: 'file' });
    else this.log.warn('demo street video missing; seeding the test pattern only');
    demos.push({ name: 'Test pattern (demo)', url: 'pattern://testsrc2', kind: 'pattern' });
    for (const c of demos) {
      const id = this.d.repo.insert({ name: c.name, kind: c.kind, source: { url: c.url, username: null, password: null }, url_host: '', enabled: true, is_demo: true, tuning: { ...defaultTuning, ...DEMO_TUNING } });
      const rec = this.d.repo.get(id);
      if (rec) this.remember(rec);
      this.d.bus.emit('camera.added', { camera_id: id });
    }
    this.log.info({ count: demos.length }, 'demo cameras created');
  }

  // --- queries -----------------------------------------------------------------------------------

  exists(id: number): boolean {
    return this.known.has(id);
  }

  isEnabled(id: number): boolean {
    return this.known.get(id)?.enabled ?? false;
  }

  list(): Camera[] {
    return this.d.repo.list().map((r) => this.toDto(r));
  }

  get(id: number): Camera {
    return this.toDto(this.mustGet(id));
  }

  status(id: number): { status: DerivedStatus['status']; last_seen: string | null; fps: number; detector: string | null } {
    const r = this.mustGet(id);
    const s = this.observe(r.id);
    return { status: s.status, last_seen: iso(s.last_seen_ms), fps: s.fps, detector: null };
  }

  detectClasses(): { classes: string[]; default: string[] } {
    return { classes: [...COCO_CLASSES], default: [...DEFAULT_TRIGGER_CLASSES] };
  }

  // --- mutations ---------------------------------------------------------------------------------

  async create(input: CameraCreateInput): Promise<Camera> {
    const source = sourceFromInput(input.rtsp_url, input.username, input.password);
    const kind = await this.resolveKind(input.source_kind, source);
    const tuning: CameraTuning = { ...defaultTuning, ...pickTuning(input) };
    const id = this.d.repo.insert({ name: input.name, kind, source, url_host: hostOf(source.url), enabled: input.enabled, is_demo: false, tuning });
    const rec = this.mustGet(id);
    this.remember(rec);
    this.log.info({ camera_id: id, kind, host: rec.url_host }, 'camera created');
    if (rec.enabled) this.startWorker(rec);
    this.d.bus.emit('camera.added', { camera_id: id });
    return this.toDto(rec);
  }

  update(input: CameraUpdateInput): Promise<Camera> {
    return this.serial(input.id, async () => {
      const cur = this.mustGet(input.id);
      const { next: source, repointed, changed: sourceChanged } = applySourceUpdate(cur.source, input);
      let kind = cur.kind;
      if (input.source_kind !== undefined || repointed) kind = await this.resolveKind(input.source_kind, source, repointed ? undefined : cur.kind);
      const tuning: CameraTuning = { ...cur.tuning, ...pickTuning(input) };
      const tuningChanged = JSON.stringify(tuning) !== JSON.stringify(cur.tuning);
      if (tuning.recording_mode !== cur.tuning.recording_mode || tuning.retention_max_days !== cur.tuning.retention_max_days || tuning.retention_max_gb !== cur.tuning.retention_max_gb) {
        this.d.retentionGuard?.({ id: cur.id, mode: tuning.recording_mode, max_days: tuning.retention_max_days, max_gb: tuning.retention_max_gb }, input.confirm === true);
      }
      const enabled = input.enabled ?? cur.enabled;
      this.d.repo.update(cur.id, {
        name: input.name,
        kind: kind !== cur.kind ? kind : undefined,
        source: sourceChanged ? source : undefined,
        url_host: repointed ? hostOf(source.url) : undefined,
        enabled: input.enabled,
        tuning: tuningChanged ? tuning : undefined,
      });
      const rec = this.mustGet(cur.id);
      this.remember(rec);
      const runtimeChanged = sourceChanged || kind !== cur.kind || tuningChanged;
      if (repointed) {
        this.log.info({ camera_id: cur.id, host: rec.url_host }, 'camera repointed: purging its history');
        await this.stopWorker(cur.id);
        await this.purge(cur.id);
        this.derived.delete(cur.id);
        this.d.repo.setStatus(cur.id, { status: 'offline', last_seen: null, last_error: null });
        this.remember(this.mustGet(cur.id));
      }
      if (!enabled && cur.enabled) await this.stopWorker(cur.id);
      else if (enabled && (!cur.enabled || runtimeChanged)) this.startWorker(rec);
      this.d.bus.emit('camera.updated', { camera_id: cur.id });
      this.tickOne(cur.id);
      return this.toDto(this.mustGet(cur.id));
    });
  }

  delete(id: number): Promise<void> {
    return this.serial(id, async () => {
      this.mustGet(id);
      await this.stopWorker(id);
      await this.purge(id);
      this.d.repo.delete(id);
      this.known.delete(id);
      this.derived.delete(id);
      this.persistedAt.delete(id);
      this.log.info({ camera_id: id }, 'camera deleted');
      this.d.bus.emit('camera.removed', { camera_id: id });
    });
  }

  async probe(input: ProbeInput): Promise<ProbeResult> {
    let source: CameraSource;
    let kind: SourceKind | null;
    let transport = input.rtsp_transport ?? 'tcp';
    if (input.camera_id !== undefined && isEcho(input.rtsp_url)) {
      const cur = this.mustGet(input.camera_id);
      source = applySourceUpdate(cur.source, { username: input.username, password: input.password }).next;
      kind = input.source_kind ?? cur.kind;
      transport = input.rtsp_transport ?? cur.tuning.rtsp_transport;
    } else {
      if (isEcho(input.rtsp_url)) throw unprocessable(['body', 'rtsp_url'], 'Give a URL to test, or camera_id to test the stored one.');
      source = sourceFromInput(input.rtsp_url as string, input.username, input.password);
      kind = input.source_kind ?? deriveKind(source.url);
    }
    if (kind === null) throw unprocessable(['body', 'rtsp_url'], 'Unsupported URL: use rtsp://, rtsps://, http(s)://, file:// (or an absolute path) or pattern://');
    if (kind === 'file') {
      const real = this.d.files.mediaFile(filePathOf(source.url));
      if (!real) return { ok: false, source_kind: 'file', codec: null, width: null, height: null, fps: null, audio: null, error: MEDIA_FILE_REFUSED };
      source = { ...source, url: real };
    }
    return this.d.probe.probe({ kind, url: source.url, username: source.username, password: source.password, rtspTransport: transport, timeoutMs: PROBE_TIMEOUT_MS });
  }

  // --- internals ---------------------------------------------------------------------------------

  /** Validates the kind against the URL; for http(s) with no explicit kind, probes to tell a snapshot URL from MJPEG. */
  private async resolveKind(explicit: SourceKind | undefined, source: CameraSource, keep?: SourceKind): Promise<SourceKind> {
    const derived = deriveKind(source.url);
    if (derived === null) throw unprocessable(['body', 'rtsp_url'], 'Unsupported URL: use rtsp://, rtsps://, http(s)://, file:// (or an absolute path) or pattern://');
    if ((derived === 'rtsp' || derived === 'http') && !isNetworkUrl(source.url)) throw unprocessable(['body', 'rtsp_url'], 'Invalid URL: expected scheme://host[:port]/path');
    if (explicit !== undefined && !kindMatchesUrl(explicit, source.url)) throw unprocessable(['body', 'source_kind'], `source_kind ${explicit} does not match the URL scheme`);
    if (derived === 'file' && !this.d.files.mediaFile(filePathOf(source.url))) throw unprocessable(['body', 'rtsp_url'], MEDIA_FILE_REFUSED);
    if (derived === 'pattern' && !patternOf(source.url)) throw unprocessable(['body', 'rtsp_url'], 'Unknown test pattern; try pattern://testsrc2');
    if (explicit !== undefined) return explicit;
    if (keep !== undefined && kindMatchesUrl(keep, source.url)) return keep;
    if (derived !== 'http') return derived;
    const r = await this.d.probe.probe({ kind: 'http', url: source.url, username: source.username, password: source.password, rtspTransport: 'tcp', timeoutMs: CREATE_PROBE_TIMEOUT_MS });
    if (r.ok && r.source_kind) return r.source_kind;
    return looksLikeMjpeg(source.url) ? 'mjpeg' : 'http';
  }

  private runtime(r: CameraRecord): CameraRuntime {
    const s = r.source;
    return {
      id: r.id,
      kind: r.kind,
      url: r.kind === 'file' ? filePathOf(s.url) : s.url,
      username: s.username,
      password: s.password,
      rtspTransport: r.tuning.rtsp_transport,
      snapshotFps: r.tuning.snapshot_fps,
      record: r.tuning.recording_mode !== 'off',
    };
  }

  private startWorker(r: CameraRecord): void {
    try {
      // The owner may have narrowed the media folders since this camera was saved: re-check on every start.
      if (r.kind === 'file' && !this.d.files.mediaFile(filePathOf(r.source.url))) {
        this.log.warn({ camera_id: r.id }, 'file camera not started: its file is not in an allowed media folder');
        this.d.repo.setStatus(r.id, { status: 'error', last_seen: null, last_error: `file: ${MEDIA_FILE_REFUSED}` });
        return;
      }
      this.d.manager.start(this.runtime(r));
    } catch (err) {
      this.log.error({ camera_id: r.id, err: err instanceof Error ? err.message : String(err) }, 'could not start the camera worker');
    }
  }

  private async stopWorker(id: number): Promise<void> {
    await this.d.manager.stopHls(id).catch((err: unknown) => this.log.warn({ camera_id: id, err: String(err) }, 'stopping HLS failed'));
    await this.d.manager.stop(id);
  }

  /** Recording-side purge, then the camera folders; a failing purger is logged and never leaves the camera half-deleted. */
  private async purge(id: number): Promise<void> {
    try {
      if (this.d.purger) await this.d.purger.purgeCamera(id);
    } catch (err) {
      this.log.error({ camera_id: id, err: err instanceof Error ? err.message : String(err) }, 'purging camera history failed');
    }
    await this.d.manager.removeCameraFiles(id).catch((err: unknown) => this.log.warn({ camera_id: id, err: String(err) }, 'removing worker files failed'));
    await this.d.files.removeCameraData(id);
  }

  /** One mutation at a time per camera, so a quick disable/enable or update/delete cannot interleave. */
  private serial<T>(id: number, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(id) ?? Promise.resolve();
    const run = prev.catch(() => undefined).then(fn);
    const tail = run.catch(() => undefined);
    this.locks.set(id, tail);
    void tail.then(() => {
      if (this.locks.get(id) === tail) this.locks.delete(id);
    });
    return run;
  }

  private mustGet(id: number): CameraRecord {
    const r = this.d.repo.get(id);
    if (!r) throw notFound(`Camera ${id} not found`);
    return r;
  }

  private remember(r: CameraRecord): void {
    this.known.set(r.id, { enabled: r.enabled, stored: { status: r.status, last_seen_ms: parseIso(r.last_seen) } });
  }

  private deriveFor(id: number): DerivedStatus {
    const m = this.known.get(id);
    if (!m) return { status: 'offline', last_seen_ms: null, fps: 0, error: null };
    return deriveStatus({
      enabled: m.enabled,
      health: m.enabled ? this.d.manager.health(id) : null,
      stored: m.stored,
      now_ms: this.now(),
      stale_seconds: this.d.settings.get().status_stale_seconds,
    });
  }

  private tick(): void {
    for (const id of this.known.keys()) this.tickOne(id);
  }

  /** The current status; a change seen by a reader is persisted and pushed at once, so clients never see an unpushed state. */
  private observe(id: number): DerivedStatus {
    return this.tickOne(id) ?? this.deriveFor(id);
  }

  /** Persists and pushes a status change; also writes last_seen now and then so a restart has a recent fallback. */
  private tickOne(id: number): DerivedStatus | null {
    const m = this.known.get(id);
    if (!m) return null;
    const next = this.deriveFor(id);
    const prev = this.derived.get(id);
    this.derived.set(id, next);
    const now = this.now();
    const changed = statusChanged(prev, next);
    const persistDue = next.status === 'online' && now - (this.persistedAt.get(id) ?? 0) >= LAST_SEEN_PERSIST_MS;
    if (changed || persistDue) {
      const row = { status: next.status, last_seen: iso(next.last_seen_ms), last_error: next.error };
      try {
        this.d.repo.setStatus(id, row);
      } catch (err) {
        this.log.warn({ camera_id: id, err: String(err) }, 'could not persist camera status');
      }
      this.persistedAt.set(id, now);
      m.stored = { status: next.status, last_seen_ms: next.last_seen_ms };
    }
    if (changed) {
      if (prev) this.log.info({ camera_id: id, status: next.status, from: prev.status }, 'camera status changed');
      this.d.bus.emit('camera.status', { camera_id: id, status: next.status, last_seen: iso(next.last_seen_ms), fps: next.fps });
    }
    return next;
  }

  private toDto(r: CameraRecord): Camera {
    const s = this.observe(r.id);
    const hasCredentials = r.source.username !== null || r.source.password !== null;
    return {
      id: r.id,
      name: r.name,
      rtsp_url: maskUrl(r.source.url, hasCredentials),
      source_kind: r.kind,
      enabled: r.enabled,
      is_demo: r.is_demo,
      has_credentials: hasCredentials,
      status: s.status,
      last_seen: iso(s.last_seen_ms) ?? r.last_seen,
      last_error: s.status === 'error' ? s.error : null,
      fps: Math.round(s.fps * 10) / 10,
      created_at: r.created_at,
      ...r.tuning,
    };
  }
}

