// Turns the tracker's view of one analysed frame into the trigger machine's input, and keeps the list of objects each presence saw.
import { DEFAULT_TRIGGER_CLASSES } from '../../shared/coco-classes';
import type { CameraTuning } from '../../shared/contract/cameras.contract';
import {
  initialTriggerState,
  stepTrigger,
  type Trigger,
  type TriggerAction,
  type TriggerBox,
  type TriggerConfig,
  type TriggerState,
} from '../recording/trigger-machine';
import type { Box, TrackView } from './tracker';

export interface TrackedTriggerBox extends TriggerBox {
  track_id: number;
}

/** A Trigger whose boxes also name their tracks; boxes are ordered by score, highest first. */
export interface DetectionTrigger extends Trigger {
  boxes: TrackedTriggerBox[];
  /** The track that gave the frame its label and score. */
  track_id: number;
}

/** One object a presence saw, over the frames fed while that presence was open. */
export interface SeenObject {
  track_id: number;
  label: string;
  best_score: number;
  first_ms: number;
  last_ms: number;
  best_box: Box;
  best_ms: number;
}

/** "Person, car" → {person, car}; empty means the default set (person). */
export function parseTriggerClasses(csv: string): ReadonlySet<string> {
  const names = csv
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  return new Set(names.length ? names : DEFAULT_TRIGGER_CLASSES);
}

const byScore = (a: TrackView, b: TrackView): number => b.score - a.score || a.id - b.id;

/** The tracks that trigger on this frame: confirmed, detected on this frame (not merely predicted) and of a trigger class. */
export function triggeringTracks(tracks: readonly TrackView[], classes: ReadonlySet<string>): TrackView[] {
  return tracks.filter((t) => t.confirmed && t.matched && classes.has(t.label)).sort(byScore);
}

/**
 * The frame's trigger, or null when no track counts. Its label and score are those of the highest-scoring track
 * (not the most frequent class): the trigger machine keeps the frame with the highest trigger score as the event's
 * best frame, so label, score and thumbnail all describe the same object.
 */
export function mapTrigger(tracks: readonly TrackView[], classes: ReadonlySet<string>): DetectionTrigger | null {
  const counted = triggeringTracks(tracks, classes);
  const top = counted[0];
  if (!top) return null;
  return {
    label: top.label,
    score: top.score,
    track_id: top.id,
    boxes: counted.map((t) => ({ label: t.label, score: t.score, box: [...t.box], track_id: t.id })),
  };
}

/**
 * Add this frame's triggering tracks to a presence's objects. A track new to the list starts no earlier than
 * `since_ms` (the presence's window start), so an object carried over a max_event_seconds split does not claim
 * time or a best box from the previous event.
 */
export function accumulateSeen(seen: readonly SeenObject[], tracks: readonly TrackView[], classes: ReadonlySet<string>, since_ms: number): SeenObject[] {
  const out = new Map<number, SeenObject>(seen.map((o) => [o.track_id, o]));
  for (const t of triggeringTracks(tracks, classes)) {
    const o = out.get(t.id);
    if (!o) {
      const bestInside = t.best_ms >= since_ms;
      out.set(t.id, {
        track_id: t.id,
        label: t.label,
        best_score: bestInside ? t.best_score : t.score,
        best_box: bestInside ? [...t.best_box] : [...t.box],
        best_ms: bestInside ? t.best_ms : t.last_ms,
        first_ms: Math.max(t.first_ms, since_ms),
        last_ms: t.last_ms,
      });
      continue;
    }
    const better = t.score > o.best_score;
    out.set(t.id, {
      ...o,
      last_ms: Math.max(o.last_ms, t.last_ms),
      best_score: better ? t.score : o.best_score,
      best_box: better ? [...t.box] : o.best_box,
      best_ms: better ? t.last_ms : o.best_ms,
    });
  }
  return [...out.values()].sort((a, b) => a.first_ms - b.first_ms || a.track_id - b.track_id);
}

/** The presence's main object: the highest best score, then the earliest seen. Its label is the event's label. */
export function mainObject(seen: readonly SeenObject[]): SeenObject | null {
  let best: SeenObject | null = null;
  for (const o of seen) {
    if (!best || o.best_score > best.best_score || (o.best_score === best.best_score && o.first_ms < best.first_ms)) best = o;
  }
  return best;
}

/**
 * Trigger machine settings for detection events. min_trigger_frames is already applied per track by the tracker
 * (a track triggers only once confirmed), so the machine opens on the first triggering frame; applying it again
 * would count frames twice and let frames skipped by detect_interval reset the count.
 */
export function detectionTriggerConfig(t: Pick<CameraTuning, 'pre_seconds' | 'post_seconds' | 'trigger_cooldown' | 'max_event_seconds'>): TriggerConfig {
  return {
    pre_ms: t.pre_seconds * 1000,
    post_ms: t.post_seconds * 1000,
    cooldown_ms: t.trigger_cooldown * 1000,
    min_trigger_frames: 1,
    max_ms: t.max_event_seconds * 1000,
  };
}

export interface PresenceState {
  trigger: TriggerState;
  /** Objects of the open presence; empty while idle. */
  seen: SeenObject[];
  /** Window start of the open presence. */
  since_ms: number | null;
}

type CloseAction = Extract<TriggerAction, { kind: 'close' }>;

/** Trigger actions, with the closing presence's objects and main object attached to each close. */
export type PresenceAction = Exclude<TriggerAction, CloseAction> | (CloseAction & { objects: SeenObject[]; main: SeenObject | null });

export const initialPresenceState = (): PresenceState => ({ trigger: initialTriggerState(), seen: [], since_ms: null });

/**
 * One analysed frame through trigger mapping and the trigger machine. Pass `tracks: null` for a frame on which the
 * detector did not run: it lets an open presence time out on schedule without counting as an empty detection.
 * Cooldown, post-roll and max_event_seconds are the trigger machine's.
 */
export function stepPresence(
  state: PresenceState,
  ts_ms: number,
  tracks: readonly TrackView[] | null,
  classes: ReadonlySet<string>,
  cfg: TriggerConfig,
): { state: PresenceState; trigger: DetectionTrigger | null; actions: PresenceAction[] } {
  const trigger = tracks ? mapTrigger(tracks, classes) : null;
  const r = stepTrigger(state.trigger, ts_ms, trigger, cfg);
  let seen = state.seen;
  let since = state.since_ms;
  const actions: PresenceAction[] = [];
  for (const a of r.actions) {
    if (a.kind === 'close') {
      actions.push({ ...a, objects: seen, main: mainObject(seen) });
      seen = [];
      since = null;
    } else if (a.kind === 'open') {
      since = a.window_start_ms;
      seen = accumulateSeen([], tracks ?? [], classes, since);
      actions.push(a);
    } else {
      seen = accumulateSeen(seen, tracks ?? [], classes, since ?? ts_ms);
      actions.push(a);
    }
  }
  return { state: { trigger: r.state, seen, since_ms: since }, trigger, actions };
}
