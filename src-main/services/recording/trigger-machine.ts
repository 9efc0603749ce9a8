// Pure trigger state machine: one event per presence, pre/post-roll, min_trigger_frames and trigger_cooldown.
/** What any trigger source (motion now, object detection later) reports for one analysed frame. */
export interface TriggerBox {
  label: string;
  score: number;
  /** Normalised [x, y, w, h]. */
  box: [number, number, number, number];
}

export interface Trigger {
  label: string;
  score: number;
  boxes: TriggerBox[];
}

export interface TriggerConfig {
  pre_ms: number;
  post_ms: number;
  cooldown_ms: number;
  min_trigger_frames: number;
  /** Longest single event (0 = unlimited); a longer presence continues as a new event without pre-roll. */
  max_ms?: number;
}

export interface OpenPresence {
  started_ms: number;
  last_ms: number;
  label: string;
  best: { ts_ms: number; score: number; boxes: TriggerBox[] };
}

export interface TriggerState {
  /** Consecutive triggering frames while idle. */
  run: number;
  run_start_ms: number | null;
  open: OpenPresence | null;
  /** When the previous event ended (its last trigger); cooldown counts from here. */
  last_end_ms: number | null;
}

export type TriggerAction =
  | { kind: 'open'; started_ms: number; window_start_ms: number; label: string; score: number; boxes: TriggerBox[]; ts_ms: number }
  | { kind: 'extend'; last_ms: number; best: OpenPresence['best'] }
  | { kind: 'close'; started_ms: number; ended_ms: number; window_end_ms: number; best: OpenPresence['best'] };

export const initialTriggerState = (): TriggerState => ({ run: 0, run_start_ms: null, open: null, last_end_ms: null });

/**
 * Feed one analysed frame (trigger or null) at ts. Returns the new state and what happened.
 * An open event closes once post_ms has passed since its last trigger; a new one opens only after
 * min_trigger_frames consecutive triggers and once trigger_cooldown has passed since the previous event ended.
 */
export function stepTrigger(s: TriggerState, ts: number, t: Trigger | null, cfg: TriggerConfig): { state: TriggerState; actions: TriggerAction[] } {
  const actions: TriggerAction[] = [];
  let state = s;
  if (state.open && ts - state.open.last_ms >= cfg.post_ms) {
    const o = state.open;
    actions.push({ kind: 'close', started_ms: o.started_ms, ended_ms: o.last_ms, window_end_ms: o.last_ms + cfg.post_ms, best: o.best });
    state = { run: 0, run_start_ms: null, open: null, last_end_ms: o.last_ms };
  }
  if (state.open && t && cfg.max_ms && ts - state.open.started_ms >= cfg.max_ms) {
    const o = state.open;
    const best = { ts_ms: ts, score: t.score, boxes: t.boxes };
    actions.push({ kind: 'close', started_ms: o.started_ms, ended_ms: ts, window_end_ms: ts, best: o.best });
    actions.push({ kind: 'open', started_ms: ts, window_start_ms: ts, label: t.label, score: t.score, boxes: t.boxes, ts_ms: ts });
    return { state: { run: 0, run_start_ms: null, open: { started_ms: ts, last_ms: ts, label: t.label, best }, last_end_ms: ts }, actions };
  }
  if (state.open) {
    if (t) {
      const best = t.score > state.open.best.score ? { ts_ms: ts, score: t.score, boxes: t.boxes } : state.open.best;
      state = { ...state, open: { ...state.open, last_ms: ts, best } };
      actions.push({ kind: 'extend', last_ms: ts, best });
    }
    return { state, actions };
  }
  if (!t) return { state: { ...state, run: 0, run_start_ms: null }, actions };
  const coolingDown = state.last_end_ms !== null && ts - state.last_end_ms < cfg.cooldown_ms;
  if (coolingDown) return { state: { ...state, run: 0, run_start_ms: null }, actions };
  const run = state.run + 1;
  const runStart = state.run_start_ms ?? ts;
  if (run < Math.max(1, cfg.min_trigger_frames)) return { state: { ...state, run, run_start_ms: runStart }, actions };
  const best = { ts_ms: ts, score: t.score, boxes: t.boxes };
  actions.push({ kind: 'open', started_ms: runStart, window_start_ms: runStart - cfg.pre_ms, label: t.label, score: t.score, boxes: t.boxes, ts_ms: ts });
  return { state: { run: 0, run_start_ms: null, open: { started_ms: runStart, last_ms: ts, label: t.label, best }, last_end_ms: state.last_end_ms }, actions };
}

/** Close an open presence immediately (shutdown, camera stopped); the window ends post_ms after the last trigger. */
export function forceClose(s: TriggerState, cfg: TriggerConfig): { state: TriggerState; actions: TriggerAction[] } {
  if (!s.open) return { state: s, actions: [] };
  const o = s.open;
  return {
    state: { run: 0, run_start_ms: null, open: null, last_end_ms: o.last_ms },
    actions: [{ kind: 'close', started_ms: o.started_ms, ended_ms: o.last_ms, window_end_ms: o.last_ms + cfg.post_ms, best: o.best }],
  };
}
