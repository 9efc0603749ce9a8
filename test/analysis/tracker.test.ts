// Tracker: id stability through crossings, gaps, irregular frame spacing and class flips; confirmation, ByteTrack's low-score stage, track death.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TRACKER_CONFIG,
  assignByCost,
  expireTracks,
  initialTrackerState,
  iou,
  predictBox,
  trackerConfigFromTuning,
  updateTracker,
  type Box,
  type Detection,
  type TrackerConfig,
  type TrackerState,
} from '../../src-main/services/analysis/tracker';
import { BICYCLE, CAR, DOG, PERSON, evenTimes, irregularTimes, linear, onlyId, rng, runFrames, runScene, wandering, type Actor, type SceneFrame } from './synthetic-scene';

const cfg: TrackerConfig = { ...DEFAULT_TRACKER_CONFIG, min_hits: 2 };
const person = (box: Box, score = 0.8): Detection => ({ ...PERSON, score, box });
const dog = (box: Box, score = 0.8): Detection => ({ ...DOG, score, box });

/** A walker: 6 % of the frame wide, 20 % high, moving `vx` of the frame per second. */
const walker = (name: string, cx: number, cy: number, vx: number, vy = 0, enter = 0, leave = Number.POSITIVE_INFINITY): Actor => ({
  name,
  ...PERSON,
  size: [0.06, 0.2],
  at: linear([cx, cy], [vx, vy], enter, leave),
});

function feed(frames: [number, Detection[]][], c = cfg, s: TrackerState = initialTrackerState()) {
  let state = s;
  const out = [];
  for (const [ts, dets] of frames) {
    const r = updateTracker(state, ts, dets, c);
    state = r.state;
    out.push(r);
  }
  return { state, out };
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

describe('iou', () => {
  it('is 1 for the same box, 0 for disjoint or touching boxes, and the exact ratio otherwise', () => {
    expect(iou([0.1, 0.1, 0.2, 0.2], [0.1, 0.1, 0.2, 0.2])).toBeCloseTo(1);
    expect(iou([0, 0, 0.1, 0.1], [0.1, 0, 0.1, 0.1])).toBe(0);
    expect(iou([0, 0, 0.2, 0.2], [0.1, 0, 0.2, 0.2])).toBeCloseTo(1 / 3);
  });
});

describe('assignByCost', () => {
  it('finds the assignment with most good pairs where a greedy highest-IoU pick would strand one', () => {
    // IoUs: A–X 0.9, A–Y 0.8, B–X 0.7, B–Y 0. Greedy takes A–X and leaves B alone.
    const cost = [
      [0.1, 0.2],
      [0.3, 1],
    ];
    expect(assignByCost(cost, 0.8)).toEqual([
      [0, 1],
      [1, 0],
    ]);
  });

  it('prefers leaving a row and a column unmatched to a pair worse than the limit, and never returns one', () => {
    expect(assignByCost([[0.9]], 0.8)).toEqual([]);
    // A–X is good; B–X is acceptable but taking it would force A onto a bad column.
    expect(assignByCost([[0.05, 0.85], [0.5, 1]], 0.8)).toEqual([[0, 0]]);
  });

  it('handles rectangular and empty matrices', () => {
    expect(assignByCost([], 0.8)).toEqual([]);
    expect(assignByCost([[]], 0.8)).toEqual([]);
    expect(assignByCost([[0.5, 0.1, 0.3]], 0.8)).toEqual([[0, 1]]);
    expect(assignByCost([[0.5], [0.1], [0.3]], 0.8)).toEqual([[1, 0]]);
  });
});

describe('tracker: identity', () => {
  it('keeps one id for a walker seen at irregular intervals and confirms it on the second hit', () => {
    const random = rng(7);
    const times = irregularTimes(0, 20_000, 150, 1500, random);
    const run = runScene([walker('ann', 0.1, 0.5, 0.04)], times, cfg, 7);
    const id = onlyId(run, 'ann');
    expect(id).toBe(1);
    expect(run.frames[0]!.tracks[0]).toMatchObject({ id, hits: 1, confirmed: false });
    expect(run.frames[1]!.tracks[0]).toMatchObject({ id, hits: 2, confirmed: true });
    const last = run.state.tracks[0]!;
    expect(last).toMatchObject({ hits: times.length, total_hits: times.length, age: times.length, misses: 0, first_ms: 0, last_ms: times.at(-1) });
  });

  it('keeps the ids of two people crossing paths', () => {
    const actors = [walker('ann', 0.2, 0.45, 0.05), walker('bob', 0.8, 0.5, -0.05)];
    const run = runScene(actors, evenTimes(0, 12_000, 500), cfg, 3);
    // They share the frame centre at t = 6 s, where their boxes overlap by most of their area.
    const f = run.frames.find((x) => x.frame.ts === 6000)!.frame;
    expect(iou(f.dets[0]!.box, f.dets[1]!.box)).toBeGreaterThan(0.5);
    const ann = onlyId(run, 'ann');
    const bob = onlyId(run, 'bob');
    expect(ann).not.toBe(bob);
    for (const ids of run.actorsOf.values()) expect(ids.size).toBe(1);
  });

  it('keeps the ids when one person is hidden behind the other for two frames while they cross', () => {
    const actors = [walker('ann', 0.2, 0.45, 0.05), walker('bob', 0.8, 0.47, -0.05)];
    const hidden = (name: string, t: number) => name === 'bob' && t >= 5500 && t <= 6000;
    const run = runScene(actors, evenTimes(0, 12_000, 500), cfg, 5, { hidden });
    expect(onlyId(run, 'ann')).not.toBe(onlyId(run, 'bob'));
    const during = run.frames.find((x) => x.frame.ts === 6000)!;
    const bob = during.tracks.find((t) => t.id === onlyId(run, 'bob'))!;
    expect(bob).toMatchObject({ matched: false, misses: 2, hits: 0, confirmed: true });
  });

  it('keeps the id of a person missed for one or two frames, and gives a new id after max_misses', () => {
    const c = { ...cfg, max_misses: 2, max_lost_ms: 60_000 };
    const a = walker('ann', 0.3, 0.5, 0.01);
    const short = runScene([a], evenTimes(0, 6000, 500), c, 1, { hidden: (_, t) => t === 2000 || (t >= 3500 && t <= 4000) });
    onlyId(short, 'ann');
    const long = runScene([a], evenTimes(0, 6000, 500), c, 1, { hidden: (_, t) => t >= 2000 && t <= 3000 });
    expect([...long.idsOf.get('ann')!]).toEqual([1, 2]);
    expect(long.frames.find((f) => f.frame.ts === 3000)!.ended).toEqual([1]);
  });

  it('gives a new person a new, higher id, never reusing one', () => {
    const actors = [walker('ann', 0.3, 0.5, 0, 0, 0, 3000), walker('bob', 0.3, 0.5, 0, 0, 9000), walker('cy', 0.7, 0.5, 0, 0, 1000)];
    const run = runScene(actors, evenTimes(0, 12_000, 500), cfg, 2);
    const [ann, bob, cy] = ['ann', 'bob', 'cy'].map((n) => onlyId(run, n));
    expect(ann).toBe(1);
    expect(cy).toBe(2);
    expect(bob).toBe(3);
    expect(run.state.next_id).toBe(4);
  });

  it('bridges a detector gap by predicting from elapsed time, where the last box no longer overlaps', () => {
    const a = walker('ann', 0.15, 0.5, 0.06);
    const times = [...evenTimes(0, 3000, 500), 5000, 5300, 6800];
    const run = runScene([a], times, cfg, 4, { jitter: 0.002 });
    const before = run.frames.find((f) => f.frame.ts === 3000)!.frame.dets[0]!.box;
    const after = run.frames.find((f) => f.frame.ts === 5000)!.frame.dets[0]!.box;
    expect(iou(before, after)).toBe(0);
    onlyId(run, 'ann');
  });

  it('picks up a fast object on its second detection although its boxes do not overlap (motion gate)', () => {
    const car: Actor = { name: 'car', ...CAR, size: [0.12, 0.08], at: linear([0.1, 0.6], [0.2, 0]) };
    const times = evenTimes(0, 3000, 500);
    const f = runScene([car], times, cfg, 8, { jitter: 0.002 }).frames;
    expect(iou(f[0]!.frame.dets[0]!.box, f[1]!.frame.dets[0]!.box)).toBeLessThan(cfg.tentative_match_iou);
    const gated = runScene([car], times, cfg, 8, { jitter: 0.002 });
    expect(onlyId(gated, 'car')).toBe(1);
    expect(gated.frames[1]!.tracks[0]).toMatchObject({ id: 1, confirmed: true });
    const iouOnly = runScene([car], times, { ...cfg, motion_gate: 0 }, 8, { jitter: 0.002 });
    expect(iouOnly.idsOf.get('car')!.size).toBe(times.length);
  });

  it('does not hand a well-tracked track to someone appearing beside it as it vanishes', () => {
    const b: Box = [0.4, 0.3, 0.06, 0.2];
    const frames: [number, Detection[]][] = evenTimes(0, 4000, 500).map((t) => [t, [person(b)]]);
    frames.push([4500, [person([0.5, 0.3, 0.06, 0.2])]]);
    const { out } = feed(frames);
    expect(out.at(-1)!.tracks).toEqual([
      expect.objectContaining({ id: 1, matched: false, misses: 1 }),
      expect.objectContaining({ id: 2, matched: true, hits: 1 }),
    ]);
  });

  it('keeps most ids in a busy scene of wandering people, far more than IoU matching alone', () => {
    let switchesGated = 0;
    let switchesIouOnly = 0;
    let actors = 0;
    let kept = 0;
    let swapped = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const random = rng(seed);
      const cast: Actor[] = Array.from({ length: 6 }, (_, i) => {
        const w = 0.04 + random() * 0.04;
        return { name: `p${i}`, ...PERSON, size: [w, 3 * w], at: wandering(random, random() * 5000, 10_000 + random() * 20_000, 0.02 + random() * 0.08) };
      });
      const times = irregularTimes(0, 30_000, 250, 1200, random);
      const hidden = () => random() < 0.05;
      const gated = runScene(cast, times, cfg, seed, { hidden });
      const iouOnly = runScene(cast, times, { ...cfg, motion_gate: 0 }, seed, { hidden });
      for (const ids of gated.idsOf.values()) {
        actors++;
        if (ids.size === 1) kept++;
        switchesGated += ids.size - 1;
      }
      for (const who of gated.actorsOf.values()) if (who.size > 1) swapped++;
      for (const ids of iouOnly.idsOf.values()) switchesIouOnly += ids.size - 1;
    }
    expect(actors).toBe(120);
    expect(kept / actors).toBeGreaterThan(0.95);
    expect(swapped).toBeLessThanOrEqual(5);
    expect(switchesGated * 20).toBeLessThan(switchesIouOnly);
  });

  it('learns velocity per second, not per frame, from unevenly spaced frames', () => {
    const a = walker('ann', 0.2, 0.4, 0.05, 0.02);
    const run = runScene([a], irregularTimes(0, 6000, 100, 900, rng(11)), cfg, 11, { jitter: 0.001 });
    const t = run.state.tracks[0]!;
    const at = run.state.ts_ms! + 1000;
    const p = predictBox(run.state, t, at, cfg);
    const [cx, cy] = a.at(at)!;
    expect(p[0] + p[2] / 2).toBeCloseTo(cx, 2);
    expect(p[1] + p[3] / 2).toBeCloseTo(cy, 2);
    expect(t.kf.cx.v).toBeCloseTo(0.05, 2);
    expect(t.kf.cy.v).toBeCloseTo(0.02, 2);
  });
});

describe('tracker: classes', () => {
  it('does not let a detection of another class take over a track', () => {
    const b: Box = [0.4, 0.3, 0.06, 0.2];
    const { out } = feed([
      [0, [person(b)]],
      [500, [person(b)]],
      [1000, [dog(b, 0.7)]],
      [1500, [person(b)]],
      [2000, [person(b)]],
      [2500, [person(b)]],
    ]);
    expect(out[2]!.tracks).toEqual([
      expect.objectContaining({ id: 1, label: 'person', matched: false, misses: 1 }),
      expect.objectContaining({ id: 2, label: 'dog', matched: true, confirmed: false }),
    ]);
    expect(out[3]!.tracks).toEqual([
      expect.objectContaining({ id: 1, label: 'person', matched: true, hits: 1 }),
      expect.objectContaining({ id: 2, label: 'dog', matched: false, confirmed: false }),
    ]);
    expect(out[4]!.ended).toEqual([2]);
    expect(out[5]!.state.tracks.map((t) => [t.id, t.label, t.total_hits])).toEqual([[1, 'person', 5]]);
  });

  it('tracks a rider and a bicycle that overlap as two objects', () => {
    const rider: Actor = { name: 'rider', ...PERSON, size: [0.05, 0.18], at: linear([0.1, 0.45], [0.08, 0]) };
    const bike: Actor = { name: 'bike', ...BICYCLE, size: [0.08, 0.1], at: linear([0.1, 0.52], [0.08, 0]) };
    const run = runScene([rider, bike], evenTimes(0, 8000, 400), cfg, 9);
    expect(onlyId(run, 'rider')).not.toBe(onlyId(run, 'bike'));
    expect(run.state.tracks.map((t) => t.label)).toEqual(['person', 'bicycle']);
  });
});

describe('tracker: confirmation and scores', () => {
  it('confirms a track at min_hits consecutive hits and keeps it confirmed through a miss', () => {
    const b: Box = [0.4, 0.3, 0.06, 0.2];
    const c = { ...cfg, min_hits: 3 };
    const { out } = feed(
      [
        [0, [person(b)]],
        [500, [person(b)]],
        [1000, [person(b)]],
        [1500, []],
        [2000, [person(b)]],
      ],
      c,
    );
    expect(out.map((r) => r.tracks[0]?.confirmed)).toEqual([false, false, true, true, true]);
    expect(out.map((r) => r.tracks[0]?.hits)).toEqual([1, 2, 3, 0, 1]);
  });

  it('drops a one-frame false positive after max_tentative_misses without ever confirming it', () => {
    const { out } = feed([
      [0, [person([0.7, 0.1, 0.05, 0.1], 0.9)]],
      [500, []],
      [1000, []],
    ]);
    expect(out.map((r) => r.tracks.map((t) => [t.id, t.confirmed, t.misses]))).toEqual([[[1, false, 0]], [[1, false, 1]], []]);
    expect(out[2]!.ended).toEqual([1]);
    const strict = feed([[0, [person([0.7, 0.1, 0.05, 0.1], 0.9)]], [500, []]], { ...cfg, max_tentative_misses: 0 });
    expect(strict.out[1]!.ended).toEqual([1]);
  });

  it('restarts the count when an unconfirmed track is missed', () => {
    const b: Box = [0.4, 0.3, 0.06, 0.2];
    const c = { ...cfg, min_hits: 3 };
    const { out } = feed(
      [
        [0, [person(b)]],
        [500, [person(b)]],
        [1000, []],
        [1500, [person(b)]],
        [2000, [person(b)]],
        [2500, [person(b)]],
      ],
      c,
    );
    expect(out.map((r) => r.tracks.map((t) => [t.id, t.hits, t.confirmed]))).toEqual([
      [[1, 1, false]],
      [[1, 2, false]],
      [[1, 0, false]],
      [[1, 1, false]],
      [[1, 2, false]],
      [[1, 3, true]],
    ]);
  });

  it('continues a confirmed track with low-score detections but never starts one from them (ByteTrack)', () => {
    const a = walker('ann', 0.2, 0.5, 0.04);
    const random = rng(3);
    const frames: SceneFrame[] = evenTimes(0, 4000, 500).map((t) => {
      const f = { ...(t >= 2000 ? runOcclusion(a, t, random) : runClear(a, t, random)) };
      return f;
    });
    // a low-score box somewhere else never becomes a track
    frames.push({ ts: 4500, dets: [...frames.at(-1)!.dets.map((d) => ({ ...d, box: shift(d.box, 0.02) })), { ...PERSON, score: 0.3, box: [0.8, 0.1, 0.05, 0.15] }], owners: ['ann', 'ghost'] });
    const run = runFrames(frames, cfg);
    const id = onlyId(run, 'ann');
    expect(run.idsOf.has('ghost')).toBe(false);
    const last = run.frames.at(-1)!.tracks;
    expect(last).toEqual([expect.objectContaining({ id, matched: true, misses: 0 })]);
    expect(last[0]!.score).toBeLessThan(cfg.high_score);
    expect(last[0]!.best_score).toBeGreaterThanOrEqual(cfg.high_score);
  });

  it('records the best score with its box and time', () => {
    const { state } = feed([
      [0, [person([0.1, 0.1, 0.1, 0.2], 0.6)]],
      [500, [person([0.11, 0.1, 0.1, 0.2], 0.95)]],
      [1000, [person([0.12, 0.1, 0.1, 0.2], 0.7)]],
    ]);
    expect(state.tracks[0]).toMatchObject({ best_score: 0.95, best_box: [0.11, 0.1, 0.1, 0.2], best_ms: 500, score: 0.7, box: [0.12, 0.1, 0.1, 0.2] });
  });
});

function runClear(a: Actor, t: number, random: () => number): SceneFrame {
  const c = a.at(t)!;
  return { ts: t, dets: [{ ...PERSON, score: 0.7 + random() * 0.2, box: [c[0] - 0.03, c[1] - 0.1, 0.06, 0.2] }], owners: ['ann'] };
}

/** Half hidden behind something: the detector is much less sure. */
function runOcclusion(a: Actor, t: number, random: () => number): SceneFrame {
  const c = a.at(t)!;
  return { ts: t, dets: [{ ...PERSON, score: 0.2 + random() * 0.2, box: [c[0] - 0.03, c[1] - 0.1, 0.06, 0.2] }], owners: ['ann'] };
}

const shift = (b: Box, dx: number): Box => [b[0] + dx, b[1], b[2], b[3]];

describe('tracker: death and hygiene', () => {
  it('ends a track lost for longer than max_lost_ms even if no detector frame ran meanwhile', () => {
    const b: Box = [0.4, 0.3, 0.06, 0.2];
    const { out } = feed([
      [0, [person(b)]],
      [500, [person(b)]],
      [6000, [person(b)]],
    ]);
    expect(out[2]!.ended).toEqual([1]);
    expect(out[2]!.tracks).toEqual([expect.objectContaining({ id: 2, hits: 1 })]);
  });

  it('expireTracks drops stale tracks between detector runs', () => {
    const { state } = feed([
      [0, [person([0.4, 0.3, 0.06, 0.2])]],
      [500, [person([0.4, 0.3, 0.06, 0.2])]],
    ]);
    expect(expireTracks(state, 5000, cfg).ended).toEqual([]);
    const r = expireTracks(state, 5600, cfg);
    expect(r.ended).toEqual([1]);
    expect(r.state.tracks).toEqual([]);
    expect(r.state.next_id).toBe(2);
  });

  it('ends a missed track whose prediction has left the frame', () => {
    const a = walker('ann', 0.8, 0.5, 0.2);
    const run = runScene([a], evenTimes(0, 3000, 250), { ...cfg, max_misses: 100, max_lost_ms: 60_000 }, 6);
    const endAt = run.frames.find((f) => f.ended.length)!;
    expect(endAt.ended).toEqual([1]);
    expect(endAt.frame.ts).toBeLessThanOrEqual(2000);
  });

  it('ignores unusable detections and those below low_score', () => {
    const { out } = feed([
      [
        0,
        [
          person([Number.NaN, 0.1, 0.1, 0.1]),
          person([0.1, 0.1, 0, 0.1]),
          person([0.1, 0.1, 0.1, 0.1], 0.05),
          person([0.1, 0.1, 0.1, 0.1], 0.3),
          person([0.5, 0.5, 0.1, 0.1], 0.6),
        ],
      ],
    ]);
    expect(out[0]!.tracks).toEqual([expect.objectContaining({ id: 1, det_index: 4 })]);
  });

  it('treats a frame older than the state as simultaneous', () => {
    const b: Box = [0.4, 0.3, 0.06, 0.2];
    const { out } = feed([
      [1000, [person(b)]],
      [900, [person(b)]],
    ]);
    expect(out[1]!.state.ts_ms).toBe(1000);
    expect(out[1]!.tracks).toEqual([expect.objectContaining({ id: 1, hits: 2, last_ms: 1000 })]);
  });

  it('never mutates its input and keeps state as plain data that survives JSON', () => {
    const actors = [walker('ann', 0.2, 0.45, 0.05), walker('bob', 0.8, 0.5, -0.05)];
    const random = rng(21);
    const frames = evenTimes(0, 10_000, 500).map((t) => detect2(actors, t, random));
    const half = runFrames(frames.slice(0, 10), cfg);
    const frozen = deepFreeze(structuredClone(half.state));
    const restored = JSON.parse(JSON.stringify(half.state)) as TrackerState;
    expect(restored).toEqual(half.state);
    const a = runFrames(frames.slice(10), cfg, frozen);
    const b = runFrames(frames.slice(10), cfg, restored);
    expect(b.state).toEqual(a.state);
    expect(a.state.tracks.map((t) => t.id)).toEqual([1, 2]);
  });
});

function detect2(actors: readonly Actor[], t: number, random: () => number): SceneFrame {
  const dets: Detection[] = [];
  const owners: string[] = [];
  for (const a of actors) {
    const c = a.at(t)!;
    dets.push({ ...PERSON, score: 0.6 + random() * 0.3, box: [c[0] - a.size[0] / 2, c[1] - a.size[1] / 2, a.size[0], a.size[1]] });
    owners.push(a.name);
  }
  return { ts: t, dets, owners };
}

describe('trackerConfigFromTuning', () => {
  it('takes detect_conf and min_trigger_frames, and stretches the time limit for slow detect_interval', () => {
    const c = trackerConfigFromTuning({ detect_conf: 0.35, min_trigger_frames: 4, detect_interval: 0.5 });
    expect(c).toMatchObject({ high_score: 0.35, new_track_score: 0.35, low_score: 0.1, min_hits: 4, max_lost_ms: 5000 });
    expect(trackerConfigFromTuning({ detect_conf: 0.05, min_trigger_frames: 1, detect_interval: 10 })).toMatchObject({ low_score: 0.05, max_lost_ms: 30_000 });
    expect(trackerConfigFromTuning({ detect_conf: 0.5, min_trigger_frames: 2, detect_interval: 0 }, { max_misses: 3 }).max_misses).toBe(3);
  });
});
