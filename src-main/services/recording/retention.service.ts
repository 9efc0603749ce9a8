// Executes the pure retention plan (scheduled, on demand, and early when the disk passes its limit); storage status + forecast.
import type { z } from 'zod';
import type { storageSchema } from '../../shared/contract/events.contract';
import type { EventsRepository } from '../../repositories/events.repository';
import type { SegmentsRepository } from '../../repositories/segments.repository';
import type { DiskUsage, MediaFilesRepository } from '../../repositories/media-files.repository';
import type { Logger } from '../../repositories/logger';
import type { SettingsService } from '../settings.service';
import type { EventsService } from './events.service';
import type { RecordingCameraSource } from './recording-cameras';
import { planRetention, type RetentionPolicy } from './retention-plan';

export type StorageStatus = z.output<typeof storageSchema>;

/** Hover frames and range sprites are regenerated on demand; a day-old cache entry is dropped. */
const CACHE_TTL_MS = 86_400_000;
/** Segments considered per run; a bigger backlog drains over the following runs. */
const CANDIDATES = 20_000;


export class RetentionService {
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    private readonly segments: SegmentsRepository,
    private readonly events: EventsRepository,
    private readonly eventsService: EventsService,
    private readonly files: MediaFilesRepository,
    private readonly cameras: RecordingCameraSource,
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

  cleanup(): { deleted_segments: number; freed_bytes: number } {
    if (this.running) return { deleted_segments: 0, freed_bytes: 0 };
    this.running = true;
    try {
      const policy = this.policy();
      // A bounded, oldest-first slice (plus each events-mode camera's oldest segments past the warm buffer);
      // totals come from an aggregate, so the plan never needs every row of a large archive in memory.
      const byId = new Map(this.segments.forRetention(CANDIDATES).map((s) => [s.id, s]));
      for (const [id, cp] of Object.entries(policy.cameras)) {
        if (cp.mode === 'continuous') continue;
        for (const s of this.segments.forRetention(CANDIDATES, Number(id), policy.now_ms - policy.warm_ms)) byId.set(s.id, s);
      }
      // Byte totals need a full aggregate: only pay for it when a GB cap is configured.
      const capped = policy.max_gb !== null || Object.values(policy.cameras).some((c) => c.max_gb !== null);
      const stats = capped ? this.segments.stats() : [];
      const totals = { all: stats.reduce((a, r) => a + r.bytes, 0), cameras: Object.fromEntries(stats.map((r) => [r.camera_id, r.bytes])) };
      const evs = this.events.windows().map((e) => ({ ...e, retain: !!e.retain }));
      const plan = planRetention([...byId.values()], evs, policy, this.disk(), totals);
      const ids = plan.segments.map((d) => d.id);
      for (const id of ids) this.files.remove(this.segments.byId(id)?.path);
      this.segments.deleteIds(ids);
      if (plan.events.length) this.eventsService.deleteIds(plan.events);
      const stale = this.now() - CACHE_TTL_MS;
      for (const f of this.files.walk('cache')) if (f.mtime_ms < stale) this.files.remove(f.rel);
      if (ids.length || plan.events.length) this.log.info({ segments: ids.length, events: plan.events.length, freed: plan.freed_bytes }, 'retention applied');
      return { deleted_segments: ids.length, freed_bytes: ids.reduce((a, id) => a + (byId.get(id)?.bytes ?? 0), 0) };
    } finally {
      this.running = false;
    }
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
    return {
      total: {
        used_bytes: used,
        free_bytes: d.free_bytes,
        percent: d.total_bytes ? Math.round((used / d.total_bytes) * 1000) / 10 : 0,
        recordings_bytes: recordings,
        forecast_days: totalPerDay > 0 ? capDays(allowed / totalPerDay, s.retention_max_days) : null,
      },
      cameras: cams,
      policy: { max_days: s.retention_max_days, max_gb: s.retention_max_gb, max_percent: s.retention_max_percent },
    };
  }
}

const capDays = (days: number, maxDays: number | null): number => Math.round((maxDays !== null ? Math.min(days, maxDays) : days) * 10) / 10;
