// Detector gating: detect_interval, motion, live tracks, open events and the keep-alive, alone and over a whole scene.
import { describe, expect, it } from 'vitest';
import { DEFAULT_KEEPALIVE_MS, gateDetection, gateSettingsFromTuning, type DetectGate, type GateInput } from '../../src-main/services/analysis/gate';
import { DEFAULT_TRACKER_CONFIG, expireTracks, initialTrackerState, updateTracker } from '../../src-main/services/analysis/tracker';
import { initialPresenceState, parseTriggerClasses, stepPresence, type PresenceAction } from '../../src-main/services/analysis/trigger-mapper';
import { PERSON, detect, isMoving, pausing, rng, type Actor } from './synthetic-scene';

const base: GateInput = {
  ts_ms: 100_000,
  detection_enabled: true,
  motion_enabled: true,
  interval_ms: 500,
  last_run_ms: 99_000,
  tracks_alive: false,
  presence_open: false,
  keepalive_ms: 10_000,
};
const gate = (over: Partial<GateInput>): DetectGate => gateDetection({ ...base, ...over });

describe('gateDetection', () => {
  it('never runs when detection is off for the camera', () => {
    expect(gate({ detection_enabled: false, tracks_alive: true, presence_open: true, last_run_ms: null })).toBe('never');
  });

  it('waits detect_interval between runs whatever else is going on', () => {
    expect(gate({ last_run_ms: 99_700, tracks_alive: true })).toBe('never');
    expect(gate({ last_run_ms: 99_500, tracks_alive: true })).toBe('always');
    expect(gate({ last_run_ms: 99_999, interval_ms: 0 })).toBe('if-motion');
    expect(gate({ last_run_ms: 100_000, interval_ms: 0 })).toBe('if-motion');
  });

  it('runs on motion only when nothing is tracked, no event is open and the keep-alive is not due', () => {
    expect(gate({})).toBe('if-motion');
  });

  it('runs without motion while a track is alive or an event is open, so a still person keeps both', () => {
    expect(gate({ tracks_alive: true })).toBe('always');
    expect(gate({ presence_open: true })).toBe('always');
  });

  it('runs without motion when the camera computes no motion', () => {
    expect(gate({ motion_enabled: false })).toBe('always');
    expect(gate({ motion_enabled: false, last_run_ms: 99_800 })).toBe('never');
  });

  it('runs a keep-alive check once keepalive_ms has passed since the last run, and on the first frame', () => {
    expect(gate({ last_run_ms: 90_001 })).toBe('if-motion');
    expect(gate({ last_run_ms: 90_000 })).toBe('always');
    expect(gate({ last_run_ms: null })).toBe('always');
    expect(gate({ last_run_ms: 0, keepalive_ms: 0 })).toBe('if-motion');
    expect(gate({ last_run_ms: null, keepalive_ms: 0 })).toBe('if-motion');
  });

  it('treats a clock that stepped back as due', () => {
    expect(gate({ last_run_ms: 200_000 })).toBe('always');
  });

  it('takes interval and motion from the camera tuning', () => {
    expect(gateSettingsFromTuning({ detect_interval: 1.5, motion_enabled: true })).toEqual({ interval_ms: 1500, motion_enabled: true, keepalive_ms: DEFAULT_KEEPALIVE_MS });
    expect(gateSettingsFromTuning({ detect_interval: 0, motion_enabled: false }, 0)).toEqual({ interval_ms: 0, motion_enabled: false, keepalive_ms: 0 });
  });
});

describe('a scene through gate, tracker and trigger mapping', () => {
  // Empty for 30 s; a person walks in at 4 %/s, stands still from 40 s to 70 s, walks on and leaves the frame.
  const ann: Actor = { name: 'ann', ...PERSON, size: [0.06, 0.2], at: (t) => (t < 30_000 ? null : pausing([0.05, 0.5], [0.04, 0], 10_000, 40_000)(t - 30_000)) };
  const classes = parseTriggerClasses('person');
  const trig = { pre_ms: 5000, post_ms: 10_000, cooldown_ms: 0, min_trigger_frames: 1, max_ms: 300_000 };
  const tcfg = DEFAULT_TRACKER_CONFIG;

  function run(useTrackRule: boolean) {
    const random = rng(12);
    let tracker = initialTrackerState();
    let presence = initialPresenceState();
    let lastRun: number | null = null;
    const runs: number[] = [];
    const actions: PresenceAction[] = [];
    for (let ts = 0; ts <= 120_000; ts += 150 + Math.round(random() * 100)) {
      const motion = isMoving(ann, ts);
      const g = gateDetection({
        ts_ms: ts,
        detection_enabled: true,
        motion_enabled: true,
        interval_ms: 500,
        last_run_ms: lastRun,
        tracks_alive: useTrackRule && tracker.tracks.length > 0,
        presence_open: useTrackRule && presence.trigger.open !== null,
        keepalive_ms: 10_000,
      });
      let views = null;
      if (g === 'always' || (g === 'if-motion' && motion)) {
        lastRun = ts;
        runs.push(ts);
        const r = updateTracker(tracker, ts, detect([ann], ts, random).dets, tcfg);
        tracker = r.state;
        views = r.tracks;
      } else tracker = expireTracks(tracker, ts, tcfg).state;
      const p = stepPresence(presence, ts, views, classes, trig);
      presence = p.state;
      actions.push(...p.actions);
    }
    return { runs, actions: actions.filter((a) => a.kind !== 'extend') };
  }

  it('keeps detecting a person who stands still, so their event stays open, and idles on an empty scene', () => {
    const { runs, actions } = run(true);
    const between = (a: number, b: number) => runs.filter((t) => t >= a && t < b).length;
    expect(between(0, 30_000)).toBeLessThanOrEqual(4);
    const still = runs.filter((t) => t >= 40_500 && t < 69_500);
    const gaps = still.slice(1).map((t, i) => t - still[i]!);
    // Every detect_interval, to within one analysis frame (at most 250 ms apart here).
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(500);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(750);
    expect(actions.map((a) => a.kind)).toEqual(['open', 'close']);
    const close = actions[1] as Extract<PresenceAction, { kind: 'close' }>;
    expect(close.started_ms).toBeLessThan(31_000);
    // She leaves the frame at about 84.5 s.
    expect(close.ended_ms).toBeGreaterThan(84_000);
    expect(close.objects).toHaveLength(1);
  });

  it('without the live-track rule the standing person is lost and the presence splits in two', () => {
    const { runs, actions } = run(false);
    expect(runs.filter((t) => t >= 40_500 && t < 69_500).length).toBeLessThanOrEqual(3);
    expect(actions.map((a) => a.kind)).toEqual(['open', 'close', 'open', 'close']);
  });
});
