// Cameras: CRUD over sealed sources and the worker lifecycle on every mutation; sources, status and demo seeding are its parts.
import type { z } from 'zod';
import { notFound } from '../../shared/errors';
import { cameraCreateSchema, cameraUpdateSchema, cameraTuningShape, defaultTuning, type Camera, type CameraTuning, type cameraStatusSchema } from '../../shared/contract/cameras.contract';
import type { Settings } from '../../shared/settings';
import { maskUrl } from '../../shared/credentials';
import type { CameraRecord, CamerasRepository, NewCamera } from '../../repositories/cameras.repository';
import type { CameraFilesRepository } from '../../repositories/camera-files.repository';
import type { ProbeRepository, ProbeResult } from '../../repositories/ffmpeg/probe.repository';
import type { Logger } from '../../repositories/logger';
import type { WorkerManagerPort } from '../../ports/camera-workers.port';
import type { PushBus } from '../push-bus';
import type { DerivedStatus } from './camera-status';
import { applySourceUpdate, hostOf, sourceFromInput } from './camera-url';
import { effectiveAnalysisMode } from './analysis-mode';
import { CameraSources, MEDIA_FILE_REFUSED, runtimeOf, type ProbeInput } from './camera-sources';
import { CameraStatusTicker, iso } from './camera-status-ticker';
import type { CameraSettingsCache } from './camera-settings';
import { demoCameras } from './demo-cameras';
import { detectClasses, normaliseTriggerClasses } from './trigger-classes';

export type CameraCreateInput = z.output<typeof cameraCreateSchema>;
export type CameraUpdateInput = z.output<typeof cameraUpdateSchema>;

/** Camera lifecycle hook that the recording side implements (purge on delete / repoint). */
export interface CameraDataPurger {
  /** Remove every event, clip, thumbnail and segment of the camera (files first, then rows). */
  purgeCamera(cameraId: number): Promise<void>;
}

export type CameraDetectorStatus = NonNullable<z.output<typeof cameraStatusSchema>['detector']>;

export interface CamerasServiceDeps {
  repo: CamerasRepository;
  /** The settings other services read; invalidated after every write to a camera. */
  cameraSettings: CameraSettingsCache;
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
  /** The detector's input size for a camera that detects (its analysis frames are fitted into it by ffmpeg), else null. */
  analysisFit?: (tuning: CameraTuning) => number | null;
  /** Full-resolution face frames per second for a camera with these settings (null: no face capture). */
  faceFps?: (tuning: CameraTuning) => number | null;
  /** Live detector figures for the status route; null when the camera does not detect. */
  detectorStatus?: (cameraId: number) => CameraDetectorStatus | null;
  /** Throws 409 with a preview when a camera's retention change would delete recordings and is not confirmed. */
  retentionGuard?: (change: { id: number; mode: CameraTuning['recording_mode']; max_days: number | null; max_gb: number | null }, confirm: boolean) => void;
}

const TUNING_KEYS = Object.keys(cameraTuningShape) as (keyof CameraTuning)[];

function pickTuning(input: Partial<CameraTuning>): Partial<CameraTuning> {
  const out: Partial<CameraTuning> = {};
  for (const k of TUNING_KEYS) if (input[k] !== undefined) (out as Record<string, unknown>)[k] = input[k];
  if (out.trigger_classes !== undefined) out.trigger_classes = normaliseTriggerClasses(out.trigger_classes);
  return out;
}

export class CamerasService {
  private readonly log: Logger;
  private readonly sources: CameraSources;
  private readonly ticker: CameraStatusTicker;
  private readonly locks = new Map<number, Promise<unknown>>();

  constructor(private readonly d: CamerasServiceDeps) {
    this.log = d.log;
    this.sources = new CameraSources(d.probe, d.files);
    this.ticker = new CameraStatusTicker(d.repo, d.manager, d.settings, d.bus, d.log, d.now ?? Date.now);
    for (const r of d.repo.list()) this.ticker.remember(r);
  }

  // --- lifecycle ---------------------------------------------------------------------------------

  /** Seeds the demo cameras on a database that never had a camera, starts every enabled camera and the status tick. */
  async start(): Promise<void> {
    if (this.d.demo?.enabled && !this.d.repo.everCreated()) this.seedDemo(this.d.demo.streetVideo);
    for (const r of this.d.repo.list()) if (r.enabled) this.startWorker(r);
    this.ticker.start(this.d.tickMs ?? 1000);
  }

  async stop(): Promise<void> {
    this.ticker.stop();
    await this.d.manager.stopAll();
  }

  private seedDemo(streetVideo: string | null): void {
    const plan = demoCameras(streetVideo, (path) => this.sources.mediaFile(path) !== null);
    if (plan.streetMissing) this.log.warn('demo street video missing; seeding the test pattern only');
    for (const c of plan.cameras) {
      const id = this.insert(c);
      this.d.bus.emit('camera.added', { camera_id: id });
    }
    this.log.info({ count: plan.cameras.length }, 'demo cameras created');
  }

  // --- queries -----------------------------------------------------------------------------------

  exists(id: number): boolean {
    return this.ticker.has(id);
  }

  isEnabled(id: number): boolean {
    return this.ticker.isEnabled(id);
  }

  list(): Camera[] {
    return this.d.repo.list().map((r) => this.toDto(r));
  }

  /** The stored source with its credentials, for a caller that fetches it itself (Backflow's HTTP snapshots). */
  source(id: number): { kind: string; url: string; username: string | null; password: string | null } {
    const r = this.mustGet(id);
    return { kind: r.kind, ...r.source };
  }

  get(id: number): Camera {
    return this.toDto(this.mustGet(id));
  }

  status(id: number): { status: DerivedStatus['status']; last_seen: string | null; fps: number; detector: CameraDetectorStatus | null } {
    const r = this.mustGet(id);
    const s = this.ticker.observe(r.id);
    return { status: s.status, last_seen: iso(s.last_seen_ms), fps: s.fps, detector: r.enabled ? (this.d.detectorStatus?.(r.id) ?? null) : null };
  }

  /** Re-derives every running camera's runtime (e.g. the detector model changed its input size); changed ones restart. */
  reapplyRuntimes(): void {
    for (const r of this.d.repo.list()) if (r.enabled) this.startWorker(r);
  }

  detectClasses(): { classes: string[]; default: string[] } {
    return detectClasses();
  }

  // --- mutations ---------------------------------------------------------------------------------

  async create(input: CameraCreateInput): Promise<Camera> {
    const source = sourceFromInput(input.rtsp_url, input.username, input.password);
    const kind = await this.sources.resolveKind(input.source_kind, source);
    const tuning: CameraTuning = { ...defaultTuning, ...pickTuning(input) };
    const id = this.insert({ name: input.name, kind, source, url_host: hostOf(source.url), enabled: input.enabled, is_demo: false, tuning });
    const rec = this.mustGet(id);
    this.log.info({ camera_id: id, kind, host: rec.url_host }, 'camera created');
    if (rec.enabled) this.startWorker(rec);
    this.d.bus.emit('camera.added', { camera_id: id });
    return this.toDto(rec);
  }

  /**
   * The camera a push stream's frames are recorded on (kind 'push', url push://<stream id>). Only the streams service
   * makes these: no URL a user types derives this kind.
   */
  createPushCamera(name: string, streamId: string): Camera {
    const source = { url: `push://${streamId}`, username: null, password: null };
    const id = this.insert({ name, kind: 'push', source, url_host: '', enabled: true, is_demo: false, tuning: { ...defaultTuning } });
    const rec = this.mustGet(id);
    this.log.info({ camera_id: id, stream_id: streamId }, 'push camera created');
    this.startWorker(rec);
    this.d.bus.emit('camera.added', { camera_id: id });
    return this.toDto(rec);
  }

  update(input: CameraUpdateInput): Promise<Camera> {
    return this.serial(input.id, async () => {
      const cur = this.mustGet(input.id);
      const { next: source, repointed, changed: sourceChanged } = applySourceUpdate(cur.source, input);
      let kind = cur.kind;
      if (input.source_kind !== undefined || repointed) kind = await this.sources.resolveKind(input.source_kind, source, repointed ? undefined : cur.kind);
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
      this.d.cameraSettings.invalidate();
      const rec = this.mustGet(cur.id);
      this.ticker.remember(rec);
      const runtimeChanged = sourceChanged || kind !== cur.kind || tuningChanged;
      if (repointed) {
        this.log.info({ camera_id: cur.id, host: rec.url_host }, 'camera repointed: purging its history');
        await this.stopWorker(cur.id);
        await this.purge(cur.id);
        this.ticker.reset(cur.id);
        this.d.repo.setStatus(cur.id, { status: 'offline', last_seen: null, last_error: null });
        this.ticker.remember(this.mustGet(cur.id));
      }
      if (!enabled && cur.enabled) await this.stopWorker(cur.id);
      else if (enabled && (!cur.enabled || runtimeChanged)) this.startWorker(rec);
      this.d.bus.emit('camera.updated', { camera_id: cur.id });
      this.ticker.tickOne(cur.id);
      return this.toDto(this.mustGet(cur.id));
    });
  }

  delete(id: number): Promise<void> {
    return this.serial(id, async () => {
      this.mustGet(id);
      await this.stopWorker(id);
      await this.purge(id);
      this.d.repo.delete(id);
      this.d.cameraSettings.invalidate();
      this.ticker.forget(id);
      this.log.info({ camera_id: id }, 'camera deleted');
      this.d.bus.emit('camera.removed', { camera_id: id });
    });
  }

  probe(input: ProbeInput): Promise<ProbeResult> {
    return this.sources.probe(input, (id) => this.mustGet(id));
  }

  // --- internals ---------------------------------------------------------------------------------

  /** Every new camera row goes through here: settings readers and the status ticker learn of it at once. */
  private insert(c: NewCamera): number {
    const id = this.d.repo.insert(c);
    this.d.cameraSettings.invalidate();
    const rec = this.d.repo.get(id);
    if (rec) this.ticker.remember(rec);
    return id;
  }

  private startWorker(r: CameraRecord): void {
    try {
      // The owner may have narrowed the media folders since this camera was saved: re-check on every start.
      if (r.kind === 'file' && !this.sources.mediaFile(r.source.url)) {
        this.log.warn({ camera_id: r.id }, 'file camera not started: its file is not in an allowed media folder');
        this.d.repo.setStatus(r.id, { status: 'error', last_seen: null, last_error: `file: ${MEDIA_FILE_REFUSED}` });
        return;
      }
      const analysisFit = this.d.analysisFit?.(r.tuning) ?? null;
      const faceFps = this.d.faceFps?.(r.tuning) ?? null;
      this.d.manager.start({ ...runtimeOf(r), analysisFit, faceFps, analysis: effectiveAnalysisMode(r.tuning, { detects: analysisFit !== null, faces: faceFps !== null }) });
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

  private toDto(r: CameraRecord): Camera {
    const s = this.ticker.observe(r.id);
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
