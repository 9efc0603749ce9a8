// Pure status derivation for a camera from its enabled flag, the worker heartbeat and the persisted row.
import type { CameraStatus } from '../../shared/contract/cameras.contract';
import type { CameraHealth } from '../../ports/camera-workers.port';

export interface StatusInput {
  enabled: boolean;
  /** The live worker's health, or null when no worker runs for this camera. */
  health: CameraHealth | null;
  /** Persisted fallback (last known). */
  stored: { status: CameraStatus; last_seen_ms: number | null };
  now_ms: number;
  stale_seconds: number;
}

export interface DerivedStatus {
  status: CameraStatus;
  last_seen_ms: number | null;
  fps: number;
  error: string | null;
}

/**
 * disabled → offline; worker error (or backing off after a failure) → error;
 * online only while the last frame is younger than stale_seconds; no worker → the persisted row, made stale by age.
 */
export function deriveStatus(i: StatusInput): DerivedStatus {
  const lastSeen = i.health?.lastFrameMs ?? i.stored.last_seen_ms;
  const fresh = lastSeen !== null && i.now_ms - lastSeen <= i.stale_seconds * 1000;
  if (!i.enabled) return { status: 'offline', last_seen_ms: lastSeen, fps: 0, error: null };
  const h = i.health;
  if (h === null) {
    const status = i.stored.status === 'online' && !fresh ? 'offline' : i.stored.status;
    return { status, last_seen_ms: lastSeen, fps: 0, error: null };
  }
  if (h.state.state === 'error' || h.state.state === 'backoff') {
    return { status: 'error', last_seen_ms: lastSeen, fps: 0, error: h.state.last_error ?? 'worker error' };
  }
  if (h.state.state === 'running' && h.lastFrameMs !== null && fresh) {
    return { status: 'online', last_seen_ms: lastSeen, fps: h.fps, error: null };
  }
  return { status: 'offline', last_seen_ms: lastSeen, fps: fresh ? h.fps : 0, error: null };
}

/** Whether a status change is worth a push event / a row write (fps jitter is not). */
export function statusChanged(prev: DerivedStatus | undefined, next: DerivedStatus): boolean {
  return !prev || prev.status !== next.status || prev.error !== next.error;
}
