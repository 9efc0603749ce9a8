// Decides, per analysis frame, whether the object detector runs: never, only if the frame has motion, or regardless of motion.
import type { CameraTuning } from '../../shared/contract/cameras.contract';

/** 'if-motion': run only if the worker found motion in this frame. */
export type DetectGate = 'never' | 'if-motion' | 'always';

export interface GateInput {
  ts_ms: number;
  /** Detection is on for this camera and a detector is loaded. */
  detection_enabled: boolean;
  /** The worker computes motion for this camera; without it 'if-motion' could never fire. */
  motion_enabled: boolean;
  /** Least time between two detector runs (detect_interval; 0 = every analysis frame). */
  interval_ms: number;
  /** When the detector last actually ran on this camera; null if never. */
  last_run_ms: number | null;
  /** The tracker holds at least one live track. */
  tracks_alive: boolean;
  /** An event is open for this camera. */
  presence_open: boolean;
  /** Run regardless of motion once this long has passed since the last run (0 = off). */
  keepalive_ms: number;
}

/** Objects that walk in under the motion threshold (small, far, slow, or masked edges) are still found within this. */
export const DEFAULT_KEEPALIVE_MS = 10_000;

/**
 * No run before interval_ms has passed since the last one. Past that, a live track or an open event forces a run
 * without motion, so someone standing still keeps their track and their event; so does the keep-alive, so an object
 * that arrived without registering motion is found eventually. A clock that stepped back counts as due.
 */
export function gateDetection(i: GateInput): DetectGate {
  if (!i.detection_enabled) return 'never';
  const elapsed = i.last_run_ms === null ? Number.POSITIVE_INFINITY : i.ts_ms - i.last_run_ms;
  const due = elapsed < 0 || elapsed >= i.interval_ms;
  if (!due) return 'never';
  if (!i.motion_enabled || i.tracks_alive || i.presence_open) return 'always';
  if (i.keepalive_ms > 0 && (elapsed < 0 || elapsed >= i.keepalive_ms)) return 'always';
  return 'if-motion';
}

/** The camera-derived part of a GateInput. */
export function gateSettingsFromTuning(
  t: Pick<CameraTuning, 'detect_interval' | 'motion_enabled'>,
  keepalive_ms: number = DEFAULT_KEEPALIVE_MS,
): Pick<GateInput, 'interval_ms' | 'motion_enabled' | 'keepalive_ms'> {
  return { interval_ms: Math.max(0, t.detect_interval) * 1000, motion_enabled: t.motion_enabled, keepalive_ms };
}
