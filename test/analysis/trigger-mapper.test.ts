// Trigger mapping: which tracks trigger, the frame's label/score/boxes, the objects a presence saw, and events through the trigger machine.
import { describe, expect, it } from 'vitest';
import { DEFAULT_TRACKER_CONFIG, initialTrackerState, updateTracker, type Box, type Detection, type TrackView } from '../../src-main/services/analysis/tracker';
import {
  accumulateSeen,
  detectionTriggerConfig,
  initialPresenceState,
  mainObject,
  mapTrigger,
  parseTriggerClasses,
  stepPresence,
  type PresenceAction,
  type SeenObject,
} from '../../src-main/services/analysis/trigger-mapper';
import type { TriggerConfig } from '../../src-main/services/recording/trigger-machine';
import { CAR, DOG, PERSON, detect, evenTimes, linear, rng, type Actor } from './synthetic-scene';

const PERSONS = parseTriggerClasses('');

const tv = (over: Partial<TrackView> & Pick<TrackView, 'id'>): TrackView => ({
  label: 'person',
  class_id: 0,
  score: 0.8,
  box: [0.1, 0.1, 0.1, 0.2],
  hits: 3,
  age: 3,
  misses: 0,
  confirmed: true,
  matched: true,
  det_index: 0,
  first_ms: 0,
  last_ms: 1000,
  best_score: 0.8,
  best_box: [0.1, 0.1, 0.1, 0.2],
  best_ms: 1000,
  ...over,
});

const trig: TriggerConfig = { pre_ms: 5000, post_ms: 10_000, cooldown_ms: 0, min_trigger_frames: 1, max_ms: 120_000 };

interface Run {
  actions: PresenceAction[];
  kinds: string[];
  triggers: number;
}

/** Detector frames through tracker, mapper and trigger machine, as the integrator will wire them. */
function pipeline(frames: { ts: number; dets: Detection[] | null }[], classes = PERSONS, min_hits = 2, cfg = trig): Run {
  let tracker = initialTrackerState();
  let presence = initialPresenceState();
  const actions: PresenceAction[] = [];
  let triggers = 0;
  for (const f of frames) {
    let views: TrackView[] | null = null;
    if (f.dets) {
      const r = updateTracker(tracker, f.ts, f.dets, { ...DEFAULT_TRACKER_CONFIG, min_hits });
      tracker = r.state;
      views = r.tracks;
    }
    const p = stepPresence(presence, f.ts, views, classes, cfg);
    presence = p.state;
    if (p.trigger) triggers++;
    actions.push(...p.actions);
  }
  return { actions, kinds: actions.filter((a) => a.kind !== 'extend').map((a) => a.kind), triggers };
}

function sceneFrames(actors: Actor[], times: number[], seed = 1) {
  const random = rng(seed);
  return times.map((t) => ({ ts: t, dets: detect(actors, t, random).dets }));
}

const walker = (name: string, x: number, vx: number, enter = 0, leave = Number.POSITIVE_INFINITY, kind: { label: string; class_id: number } = PERSON): Actor => ({
  name,
  ...kind,
  size: [0.06, 0.2],
  at: linear([x, 0.5], [vx, 0], enter, leave),
});

const closes = (r: Run) => r.actions.filter((a): a is Extract<PresenceAction, { kind: 'close' }> => a.kind === 'close');

describe('parseTriggerClasses', () => {
  it('normalises the CSV and treats empty as person', () => {
    expect([...parseTriggerClasses('')]).toEqual(['person']);
    expect([...parseTriggerClasses(' , ')]).toEqual(['person']);
    expect([...parseTriggerClasses(' Person , car,car ')]).toEqual(['person', 'car']);
  });
});

describe('mapTrigger', () => {
  it('counts only confirmed tracks detected on this frame whose class triggers', () => {
    const classes = parseTriggerClasses('person,dog');
    expect(
      mapTrigger(
        [
          tv({ id: 1, confirmed: false, score: 0.99 }),
          tv({ id: 2, matched: false, misses: 1, det_index: null, score: 0.98 }),
          tv({ id: 3, label: 'car', class_id: 2, score: 0.97 }),
        ],
        classes,
      ),
    ).toBeNull();
    const t = mapTrigger([tv({ id: 4, score: 0.6 }), tv({ id: 5, label: 'dog', class_id: 16, score: 0.9, box: [0.5, 0.5, 0.1, 0.1] }), tv({ id: 6, score: 0.7 })], classes);
    expect(t).toEqual({
      label: 'dog',
      score: 0.9,
      track_id: 5,
      boxes: [
        { label: 'dog', score: 0.9, box: [0.5, 0.5, 0.1, 0.1], track_id: 5 },
        { label: 'person', score: 0.7, box: [0.1, 0.1, 0.1, 0.2], track_id: 6 },
        { label: 'person', score: 0.6, box: [0.1, 0.1, 0.1, 0.2], track_id: 4 },
      ],
    });
  });

  it('returns nothing for an empty frame', () => {
    expect(mapTrigger([], PERSONS)).toBeNull();
  });
});

describe('detectionTriggerConfig', () => {
  it('converts seconds and leaves min_trigger_frames to the tracker', () => {
    expect(detectionTriggerConfig({ pre_seconds: 5, post_seconds: 10, trigger_cooldown: 30, max_event_seconds: 120 })).toEqual({
      pre_ms: 5000,
      post_ms: 10_000,
      cooldown_ms: 30_000,
      min_trigger_frames: 1,
      max_ms: 120_000,
    });
  });
});

describe('events from tracks', () => {
  it('opens one event per presence for a walker and closes it post_seconds after the last sighting', () => {
    const r = pipeline(sceneFrames([walker('ann', 0.1, 0.05, 0, 10_000)], evenTimes(0, 30_000, 500)));
    expect(r.kinds).toEqual(['open', 'close']);
    expect(r.actions[0]).toMatchObject({ kind: 'open', started_ms: 500, window_start_ms: -4500, label: 'person' });
    expect(closes(r)[0]).toMatchObject({ started_ms: 500, ended_ms: 10_000, window_end_ms: 20_000 });
  });

  it('never triggers on a one-frame false positive, however confident', () => {
    const frames = evenTimes(0, 20_000, 500).map((ts) => ({ ts, dets: ts === 3000 ? [{ ...PERSON, score: 0.99, box: [0.4, 0.4, 0.05, 0.15] as Box }] : [] }));
    const r = pipeline(frames);
    expect(r.triggers).toBe(0);
    expect(r.actions).toEqual([]);
  });

  it('needs min_trigger_frames consecutive frames of the same object, not of scattered flickers', () => {
    const flicker = evenTimes(0, 5000, 500).map((ts, k) => ({ ts, dets: [{ ...PERSON, score: 0.9, box: [0.05 + 0.15 * (k % 6), 0.1, 0.05, 0.15] as Box }] }));
    expect(pipeline(flicker, PERSONS, 3).actions).toEqual([]);
    const steady = pipeline(sceneFrames([walker('ann', 0.3, 0.02)], evenTimes(0, 5000, 500)), PERSONS, 3);
    expect(steady.actions[0]).toMatchObject({ kind: 'open', started_ms: 1000 });
  });

  it('produces no trigger for persons on a camera whose trigger_classes excludes person', () => {
    const people = sceneFrames([walker('ann', 0.1, 0.05), walker('bob', 0.9, -0.05)], evenTimes(0, 15_000, 500));
    const cars = parseTriggerClasses('car,truck');
    const r = pipeline(people, cars);
    expect(r.triggers).toBe(0);
    expect(r.actions).toEqual([]);
    const withCar = sceneFrames([walker('ann', 0.1, 0.05), walker('van', 0.2, 0.1, 4000, 9000, CAR)], evenTimes(0, 15_000, 500));
    const c = pipeline(withCar, cars);
    expect(c.kinds).toEqual(['open']);
    expect(c.actions[0]).toMatchObject({ label: 'car', started_ms: 4500 });
  });

  it('honours trigger_cooldown between presences', () => {
    const cfg = { ...trig, post_ms: 2000, cooldown_ms: 10_000 };
    // ann 0–3 s; bob 6–9 s (inside the cooldown after ann); cy 20–23 s (after it).
    const cast = [walker('ann', 0.2, 0.02, 0, 3000), walker('bob', 0.5, 0.02, 6000, 9000), walker('cy', 0.7, 0.02, 20_000, 23_000)];
    const r = pipeline(sceneFrames(cast, evenTimes(0, 30_000, 500)), PERSONS, 2, cfg);
    expect(r.kinds).toEqual(['open', 'close', 'open', 'close']);
    expect(r.actions.filter((a) => a.kind === 'open').map((a) => (a as { started_ms: number }).started_ms)).toEqual([500, 20_500]);
    const noCooldown = pipeline(sceneFrames(cast, evenTimes(0, 30_000, 500)), PERSONS, 2, { ...cfg, cooldown_ms: 0 });
    expect(noCooldown.kinds).toEqual(['open', 'close', 'open', 'close', 'open', 'close']);
  });

  it('lets an open event time out on frames the detector skipped', () => {
    const frames = [
      ...evenTimes(0, 2000, 500).map((ts) => ({ ts, dets: [{ ...PERSON, score: 0.8, box: [0.4, 0.4, 0.05, 0.15] as Box }] })),
      ...evenTimes(2200, 14_000, 200).map((ts) => ({ ts, dets: null })),
    ];
    const r = pipeline(frames);
    expect(r.kinds).toEqual(['open', 'close']);
    expect(closes(r)[0]).toMatchObject({ ended_ms: 2000, window_end_ms: 12_000 });
  });
});

describe('objects seen', () => {
  it('lists every triggering object of a presence with its best score and box, and starts afresh for the next one', () => {
    const classes = parseTriggerClasses('person,dog');
    const cast: Actor[] = [
      walker('ann', 0.1, 0.04, 0, 12_000),
      walker('bob', 0.9, -0.04, 3000, 10_000),
      { name: 'rex', ...DOG, size: [0.08, 0.06], at: linear([0.5, 0.8], [0.02, 0], 5000, 8000) },
      walker('car', 0.3, 0.05, 2000, 6000, CAR),
      walker('dan', 0.5, 0.01, 40_000, 43_000),
    ];
    const r = pipeline(sceneFrames(cast, evenTimes(0, 60_000, 500), 4), classes);
    const [first, second] = closes(r);
    expect(r.kinds).toEqual(['open', 'close', 'open', 'close']);
    expect(first!.objects.map((o) => [o.label, o.first_ms, o.last_ms])).toEqual([
      ['person', 0, 12_000],
      ['person', 3000, 10_000],
      ['dog', 5000, 8000],
    ]);
    for (const o of first!.objects) {
      expect(o.best_score).toBeGreaterThanOrEqual(0.6);
      expect(o.best_ms).toBeGreaterThanOrEqual(o.first_ms);
      expect(o.best_ms).toBeLessThanOrEqual(o.last_ms);
    }
    expect(new Set(first!.objects.map((o) => o.track_id)).size).toBe(3);
    expect(first!.main).toEqual(mainObject(first!.objects));
    expect(first!.best.score).toBe(first!.main!.best_score);
    expect(second!.objects.map((o) => [o.label, o.first_ms, o.last_ms])).toEqual([['person', 40_000, 43_000]]);
  });

  it('splits a presence longer than max_event_seconds and starts the new list at the split', () => {
    const r = pipeline(sceneFrames([walker('ann', 0.1, 0.01)], evenTimes(0, 25_000, 500)), PERSONS, 2, { ...trig, max_ms: 10_000 });
    const c = closes(r);
    expect(r.kinds.slice(0, 4)).toEqual(['open', 'close', 'open', 'close']);
    expect(c[0]!.objects).toEqual([expect.objectContaining({ first_ms: 0, last_ms: 10_000 })]);
    // The frame that splits belongs to the next event.
    expect(c[1]!.objects).toEqual([expect.objectContaining({ first_ms: 10_500, last_ms: 20_000 })]);
    expect(c[0]!.objects[0]!.track_id).toBe(c[1]!.objects[0]!.track_id);
    expect(c[1]!.objects[0]!.best_ms).toBeGreaterThanOrEqual(10_500);
  });

  it('accumulateSeen keeps the best observation and widens the time span', () => {
    const a = accumulateSeen([], [tv({ id: 7, score: 0.6, last_ms: 1000, first_ms: 200, best_score: 0.7, best_ms: 500, best_box: [0.2, 0.2, 0.1, 0.1] })], PERSONS, 0);
    expect(a).toEqual([{ track_id: 7, label: 'person', best_score: 0.7, best_box: [0.2, 0.2, 0.1, 0.1], best_ms: 500, first_ms: 200, last_ms: 1000 }]);
    const b = accumulateSeen(a, [tv({ id: 7, score: 0.9, last_ms: 1500, box: [0.3, 0.2, 0.1, 0.1] }), tv({ id: 8, confirmed: false })], PERSONS, 0);
    expect(b).toEqual([{ track_id: 7, label: 'person', best_score: 0.9, best_box: [0.3, 0.2, 0.1, 0.1], best_ms: 1500, first_ms: 200, last_ms: 1500 }]);
    const c = accumulateSeen(b, [tv({ id: 7, score: 0.5, last_ms: 2000 })], PERSONS, 0);
    expect(c[0]).toMatchObject({ best_score: 0.9, best_ms: 1500, last_ms: 2000 });
    expect(b[0]!.last_ms).toBe(1500);
  });

  it('a track carried into a presence claims nothing from before its start', () => {
    const seen = accumulateSeen([], [tv({ id: 3, first_ms: 0, best_ms: 1000, best_score: 0.95, score: 0.7, last_ms: 8000, box: [0.5, 0.1, 0.1, 0.2] })], PERSONS, 5000);
    expect(seen).toEqual([{ track_id: 3, label: 'person', first_ms: 5000, last_ms: 8000, best_score: 0.7, best_box: [0.5, 0.1, 0.1, 0.2], best_ms: 8000 }]);
  });

  it('mainObject picks the highest best score, then the earliest', () => {
    const o = (track_id: number, best_score: number, first_ms: number, label = 'person'): SeenObject => ({ track_id, label, best_score, first_ms, last_ms: first_ms + 1, best_box: [0, 0, 0.1, 0.1], best_ms: first_ms });
    expect(mainObject([])).toBeNull();
    expect(mainObject([o(1, 0.7, 0), o(2, 0.9, 100, 'dog'), o(3, 0.9, 50)])!.track_id).toBe(3);
  });
});
