// Executes the pure retention plan (scheduled, on demand, and early when the disk passes its limit); storage status + forecast.
import type { z } from 'zod';
import type { storageSchema } from '../../shared/contract/events.contract';
import type { EventsRepository, ExportRow, ExportsRepository } from '../../repositories/events.repository';
import type { SegmentsRepository } from '../../repositories/segments.repository';
import type { DiskUsage, MediaFilesRepository } from '../../repositories/media-files.repository';
import type { Logger } from '../../repositories/logger';
import type { SettingsService } from '../settings.service';
import type { EventsService } from './events.service';
import type { CameraSettingsSource } from '../cameras/camera-settings';
import { planExportCleanup, planRetention, previewDiff, type CameraPolicy, type DiskState, type PlanSegment, type RetentionPolicy } from './retention-plan';
import { ApiError } from '../../shared/errors';
import type { Settings } from '../../shared/settings';

export type StorageStatus = z.output<typeof storageSchema>;

/** Hover frames and range sprites are regenerated on demand; a day-old cache entry is dropped. */
const CACHE_TTL_MS = 86_400_000;
/** Segments considered per run; a bigger backlog drains over the following runs. */
const CANDIDATES = 20_000;
/** Segments a change preview looks at: more than a run, so the preview of a drastic change is not cut at one run. */
const PREVIEW_CANDIDATES = 200_000;

/** A retention change as the operator proposes it: global limits and/or one camera's policy. */
export interface RetentionChange {
  global?: Pick<Settings, 'retention_max_days' | 'retention_max_gb' | 'retention_max_percent'>;
  camera?: { id: number } & Partial<CameraPolicy>;
}

export interface ChangePreview {
  segments: number;
  bytes: number;
  events: number;
  /** True when the archive has more segments than the preview looked at: the counts are a lower bound. */
  at_least: boolean;
  cameras: { camera_id: number; camera_name: string; segments: number; bytes: number; oldest_kept: string | null }[];
}


export class RetentionService {
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    private readonly segments: SegmentsRepository,
    private readonly events: EventsRepository,
    private readonly exportsRepo: ExportsRepository,
    private readonly eventsService: EventsService,
    private readonly files: MediaFilesRepository,
    private readonly cameras: CameraSettingsSource,
    private readonly settings: SettingsService,
    private readonly log: Logger,
    private readonly now: () => number,
    private readonly disk: () => DiskUsage = () => files.disk(),
  ) {}

  start(intervalMs = 60_000): void {
    this.timer = setInterval(() => this.cleanup(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  policy(): RetentionPolicy {
    const s = this.settings.get();
    return {
      now_ms: this.now(),
      // The warm buffer must also hold the longest pre-roll, or an event would open over already-purged footage.
      warm_ms: Math.max(s.segment_retention_seconds, ...this.cameras.list().map((c) => c.tuning.pre_seconds + 2 * s.segment_seconds)) * 1000,
      max_days: s.retention_max_days,
      max_gb: s.retention_max_gb,
      max_percent: s.retention_max_percent,
      cameras: Object.fromEntries(this.cameras.list().map((c) => [c.id, { mode: c.tuning.recording_mode, max_days: c.tuning.retention_max_days, max_gb: c.tuning.retention_max_gb }])),
    };
  }

  /** Cheap check after each indexed segment: purge by the plan as soon as the disk passes max_percent. */
  checkDisk(): void {
    const d = this.disk();
    if (d.total_bytes > 0 && ((d.total_bytes - d.free_bytes) / d.total_bytes) * 100 > this.settings.get().retention_max_percent) this.cleanup();
  }

  /** Oldest-first candidates the plan looks at (plus each events-mode camera's oldest past the warm buffer). */
  private candidates(policy: RetentionPolicy, limit: number, extraCameras: number[] = []): Map<number, PlanSegment> {
    // A bounded, oldest-first slice: totals come from an aggregate, so the plan never needs every row of a large archive.
    const byId = new Map(this.segments.forRetention(limit).map((s) => [s.id, s]));
    for (const [id, cp] of Object.entries(policy.cameras)) {
      if (cp.mode === 'continuous') continue;
      for (const s of this.segments.forRetention(limit, Number(id), policy.now_ms - policy.warm_ms)) byId.set(s.id, s);
    }
    for (const id of extraCameras) for (const s of this.segments.forRetention(limit, id)) byId.set(s.id, s);
    return byId;
  }

  /**
   * `openAsClosed`: treat events that are still open as if they ended now. An open event protects its footage only
   * until it closes, so a preview that counted it protected would understate what a change goes on to delete.
   */
  private plan(policy: RetentionPolicy, segs: PlanSegment[], disk: DiskState, openAsClosed = false) {
    // Byte totals need a full aggregate: only pay for it when a GB cap is configured.
    const capped = policy.max_gb !== null || Object.values(policy.cameras).some((c) => c.max_gb !== null);
    const stats = capped ? this.segments.stats() : [];
    const totals = { all: stats.reduce((a, r) => a + r.bytes, 0), cameras: Object.fromEntries(stats.map((r) => [r.camera_id, r.bytes])) };
    const now = policy.now_ms;
    const evs = this.events.windows().map((e) => {
      const ev = { ...e, retain: !!e.retain };
      return openAsClosed && (ev.ended_ms === null || ev.window_end_ms === null) ? { ...ev, ended_ms: ev.ended_ms ?? now, window_end_ms: Math.max(ev.window_end_ms ?? now, now) } : ev;
    });
    return planRetention(segs, evs, policy, disk, totals);
  }

  /** Exports go before any recording: their own age and size limits, then as much of the disk excess as they cover. */
  private exportPlan(disk: DiskState, maxPercent: number): { rows: ExportRow[]; bytes: number } {
    const s = this.settings.get();
    const rows = this.exportsRepo.removable();
    const sized = rows.map((r) => ({ id: r.id, created_ms: r.created_ms ?? 0, bytes: r.bytes ?? (r.file_path ? (this.files.size(r.file_path) ?? 0) : 0) }));
    const excess = disk.total_bytes > 0 ? disk.total_bytes - disk.free_bytes - (maxPercent / 100) * disk.total_bytes : 0;
    const plan = planExportCleanup(sized, { now_ms: this.now(), max_days: s.exports_max_days, max_gb: s.exports_max_gb }, excess);
    const ids = new Set(plan.ids);
    return { rows: rows.filter((r) => ids.has(r.id)), bytes: plan.bytes };
  }

  cleanup(): { deleted_segments: number; freed_bytes: number; deleted_exports: number } {
    if (this.running) return { deleted_segments: 0, freed_bytes: 0, deleted_exports: 0 };
    this.running = true;
    try {
      const policy = this.policy();
      const disk = this.disk();
      const ex = this.exportPlan(disk, policy.max_percent);
      for (const r of ex.rows) {
        this.files.remove(r.file_path);
        this.files.remove(`exports/${r.id}.manifest.json`);
        this.exportsRepo.delete(r.id);
      }
      const byId = this.candidates(policy, CANDIDATES);
      const plan = this.plan(policy, [...byId.values()], { total_bytes: disk.total_bytes, free_bytes: disk.free_bytes + ex.bytes });
      const ids = plan.segments.map((d) => d.id);
      for (const id of ids) this.files.remove(this.segments.byId(id)?.path);
      this.segments.deleteIds(ids);
      if (plan.events.length) this.eventsService.deleteIds(plan.events);
      const stale = this.now() - CACHE_TTL_MS;
      for (const f of this.files.walk('cache')) if (f.mtime_ms < stale) this.files.remove(f.rel);
      if (ids.length || plan.events.length || ex.rows.length) this.log.info({ segments: ids.length, events: plan.events.length, exports: ex.rows.length, freed: plan.freed_bytes + ex.bytes }, 'retention applied');
      return { deleted_segments: ids.length, freed_bytes: ids.reduce((a, id) => a + (byId.get(id)?.bytes ?? 0), 0) + ex.bytes, deleted_exports: ex.rows.length };
    } finally {
      this.running = false;
    }
  }

  /** What a proposed change would delete beyond what today's policy deletes; null when it deletes nothing more. */
  previewChange(change: RetentionChange): ChangePreview | null {
    const before = this.policy();
    const after: RetentionPolicy = { ...before, cameras: { ...before.cameras } };
    if (change.global) {
      after.max_days = change.global.retention_max_days;
      after.max_gb = change.global.retention_max_gb;
      after.max_percent = change.global.retention_max_percent;
    }
    if (change.camera) {
      const { id, ...cp } = change.camera;
      const cur = before.cameras[id] ?? { mode: 'continuous', max_days: null, max_gb: null };
      after.cameras[id] = { ...cur, ...cp };
    }
    const extra = change.camera ? [change.camera.id] : [];
    const byId = this.candidates(after, PREVIEW_CANDIDATES, extra);
    for (const [k, v] of this.candidates(before, PREVIEW_CANDIDATES, extra)) byId.set(k, v);
    const segs = [...byId.values()];
    const disk = this.disk();
    const freeAfterExports = (p: RetentionPolicy) => ({ total_bytes: disk.total_bytes, free_bytes: disk.free_bytes + this.exportPlan(disk, p.max_percent).bytes });
    const diff = previewDiff(segs, this.plan(before, segs, freeAfterExports(before), true), this.plan(after, segs, freeAfterExports(after), true));
    if (diff.segments === 0 && diff.events === 0) return null;
    const names = new Map(this.cameras.list().map((c) => [c.id, c.name]));
    const counted = new Map(this.segments.stats().map((r) => [r.camera_id, r.segments]));
    const seen = new Map<number, number>();
    for (const s of segs) seen.set(s.camera_id, (seen.get(s.camera_id) ?? 0) + 1);
    return {
      segments: diff.segments,
      bytes: diff.bytes,
      events: diff.events,
      at_least: [...counted].some(([cam, n]) => (seen.get(cam) ?? 0) < n),
      cameras: diff.cameras.map((c) => ({
        camera_id: c.camera_id,
        camera_name: names.get(c.camera_id) ?? `#${c.camera_id}`,
        segments: c.segments,
        bytes: c.bytes,
        oldest_kept: c.oldest_kept_ms !== null ? new Date(c.oldest_kept_ms).toISOString() : null,
      })),
    };
  }

  /** Throws 409 with the preview when the change deletes recordings and was not confirmed. */
  confirmChange(change: RetentionChange, confirm: boolean): void {
    if (confirm) return;
    const preview = this.previewChange(change);
    if (!preview) return;
    const gbText = (preview.bytes / 1e9).toFixed(2);
    throw new ApiError(
      409,
      `This retention change would delete ${preview.at_least ? 'at least ' : ''}${preview.segments} recorded segment(s) (${gbText} GB)${preview.events ? ` and ${preview.events} event(s)` : ''}. Resend it with "confirm": true to apply it.`,
      {},
      { code: 'CONFIRMATION_REQUIRED', data: { preview } },
    );
  }

  status(): StorageStatus {
    const d = this.disk();
    const s = this.settings.get();
    const stats = new Map(this.segments.stats().map((r) => [r.camera_id, r]));
    const rates = new Map(this.segments.recentRate(this.now() - 3_600_000).map((r) => [r.camera_id, r]));
    const recordings = this.segments.totalBytes();
    const used = d.total_bytes - d.free_bytes;
    const byPercent = (s.retention_max_percent / 100) * d.total_bytes - (used - recordings);
    const allowed = Math.max(0, s.retention_max_gb !== null ? Math.min(byPercent, s.retention_max_gb * 1e9) : byPercent);
    const perDay = (bps: number) => (bps / 8) * 86_400;
    const cams = this.cameras.list().map((c) => {
      const st = stats.get(c.id);
      const rate = rates.get(c.id);
      const bps = rate && rate.seconds > 0 ? (rate.bytes * 8) / rate.seconds : 0;
      const camAllowed = c.tuning.retention_max_gb !== null ? Math.min(allowed, c.tuning.retention_max_gb * 1e9) : allowed;
      return {
        camera_id: c.id,
        camera_name: c.name,
        bytes: st?.bytes ?? 0,
        segments: st?.segments ?? 0,
        oldest: st?.oldest_ms != null ? new Date(st.oldest_ms).toISOString() : null,
        newest: st?.newest_ms != null ? new Date(st.newest_ms).toISOString() : null,
        bitrate_bps: Math.round(bps),
        forecast_days: bps > 0 ? capDays(camAllowed / perDay(bps), c.tuning.retention_max_days ?? s.retention_max_days) : null,
      };
    });
    const totalPerDay = cams.reduce((a, c) => a + perDay(c.bitrate_bps), 0);
    const ex = this.exportsRepo.totals();
    return {
      total: {
        used_bytes: used,
        free_bytes: d.free_bytes,
        percent: d.total_bytes ? Math.round((used / d.total_bytes) * 1000) / 10 : 0,
        recordings_bytes: recordings,
        exports_bytes: ex.bytes,
        forecast_days: totalPerDay > 0 ? capDays(allowed / totalPerDay, s.retention_max_days) : null,
      },
      exports: { count: ex.count, bytes: ex.bytes, max_gb: s.exports_max_gb, max_days: s.exports_max_days },
      cameras: cams,
      policy: { max_days: s.retention_max_days, max_gb: s.retention_max_gb, max_percent: s.retention_max_percent },
    };
  }
}

const capDays = (days: number, maxDays: number | null): number => Math.round((maxDays !== null ? Math.min(days, maxDays) : days) * 10) / 10;
