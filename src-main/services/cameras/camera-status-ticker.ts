// The camera status ticker: derives each camera's status from its worker heartbeat, persists changes and pushes them.
import type { CameraStatus } from '../../shared/contract/cameras.contract';
import type { Settings } from '../../shared/settings';
import type { CameraRecord, CamerasRepository } from '../../repositories/cameras.repository';
import type { Logger } from '../../repositories/logger';
import type { WorkerManagerPort } from '../../ports/camera-workers.port';
import type { PushBus } from '../push-bus';
import { deriveStatus, statusChanged, type DerivedStatus } from './camera-status';

const LAST_SEEN_PERSIST_MS = 10_000;

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const parseIso = (s: string | null): number | null => {
  if (!s) return null;
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : null;
};

export class CameraStatusTicker {
  /** Per known camera: its enabled flag and the persisted fallback status. */
  private readonly known = new Map<number, { enabled: boolean; stored: { status: CameraStatus; last_seen_ms: number | null } }>();
  /** Last derived status per camera (for change detection) and when last_seen was last written. */
  private readonly derived = new Map<number, DerivedStatus>();
  private readonly persistedAt = new Map<number, number>();
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly repo: Pick<CamerasRepository, 'setStatus'>,
    private readonly manager: Pick<WorkerManagerPort, 'health'>,
    private readonly settings: { get(): Settings },
    private readonly bus: PushBus,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {}

  start(tickMs: number): void {
    this.timer = setInterval(() => this.tick(), tickMs);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Takes a camera's stored row as the fallback (after every write to it). */
  remember(r: CameraRecord): void {
    this.known.set(r.id, { enabled: r.enabled, stored: { status: r.status, last_seen_ms: parseIso(r.last_seen) } });
  }

  /** Drops the last derived status, so the next observation counts as a change (after a repoint). */
  reset(id: number): void {
    this.derived.delete(id);
  }

  forget(id: number): void {
    this.known.delete(id);
    this.derived.delete(id);
    this.persistedAt.delete(id);
  }

  has(id: number): boolean {
    return this.known.has(id);
  }

  isEnabled(id: number): boolean {
    return this.known.get(id)?.enabled ?? false;
  }

  /** The current status; a change seen by a reader is persisted and pushed at once, so clients never see an unpushed state. */
  observe(id: number): DerivedStatus {
    return this.tickOne(id) ?? this.deriveFor(id);
  }

  /** One pass over every known camera (what the timer runs). */
  tick(): void {
    for (const id of this.known.keys()) this.tickOne(id);
  }

  /** Persists and pushes a status change; also writes last_seen now and then so a restart has a recent fallback. */
  tickOne(id: number): DerivedStatus | null {
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
        this.repo.setStatus(id, row);
      } catch (err) {
        this.log.warn({ camera_id: id, err: String(err) }, 'could not persist camera status');
      }
      this.persistedAt.set(id, now);
      m.stored = { status: next.status, last_seen_ms: next.last_seen_ms };
    }
    if (changed) {
      if (prev) this.log.info({ camera_id: id, status: next.status, from: prev.status }, 'camera status changed');
      this.bus.emit('camera.status', { camera_id: id, status: next.status, last_seen: iso(next.last_seen_ms), fps: next.fps });
    }
    return next;
  }


  private deriveFor(id: number): DerivedStatus {
    const m = this.known.get(id);
    if (!m) return { status: 'offline', last_seen_ms: null, fps: 0, error: null };
    return deriveStatus({
      enabled: m.enabled,
      health: m.enabled ? this.manager.health(id) : null,
      stored: m.stored,
      now_ms: this.now(),
      stale_seconds: this.settings.get().status_stale_seconds,
    });
  }
}
