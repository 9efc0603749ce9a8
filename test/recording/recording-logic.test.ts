// Pure recording decisions: motion detection, trigger state machine, retention plan, coverage merge, HTTP Range, path containment.
import { describe, expect, it } from 'vitest';
import { buildMask, diffFrames, MotionDetector } from '../../src-main/workers/analysis/motion-detector';
import { initialTriggerState, stepTrigger, forceClose, type Trigger, type TriggerAction, type TriggerConfig } from '../../src-main/services/recording/trigger-machine';
import { planRetention, type PlanEvent, type PlanSegment, type RetentionPolicy } from '../../src-main/services/recording/retention-plan';
import { mergeSpans } from '../../src-main/services/recording/coverage';
import { parseRange } from '../../src-main/transport/rest/http-range';
import { containedPath } from '../../src-main/repositories/media-files.repository';

const W = 40;
const H = 30;
function frame(square: { x: number; y: number; s: number } | null, bg = 20): Buffer {
  const b = Buffer.alloc(W * H * 3, bg);
  if (square) for (let y = square.y; y < square.y + square.s; y++) for (let x = square.x; x < square.x + square.s; x++) b.fill(230, (y * W + x) * 3, (y * W + x) * 3 + 3);
  return b;
}

describe('motion detector', () => {
  const cfg = { threshold: 25, min_area: 0.01, masks: [] as [number, number][][] };

  it('reports nothing for the first frame or exact duplicates, and no motion for sub-threshold noise', () => {
    const d = new MotionDetector(cfg);
    expect(d.push(frame(null), W, H)).toBeNull();
    expect(d.push(frame(null), W, H)).toBeNull();
    expect(d.push(frame(null, 22), W, H)).toMatchObject({ motion: false, area: 0, box: null });
  });

  it('compares against the last distinct frame, so duplicated ingest frames do not break consecutive triggers', () => {
    const d = new MotionDetector(cfg);
    d.push(frame(null), W, H);
    expect(d.push(frame({ x: 0, y: 0, s: 8 }), W, H)?.motion).toBe(true);
    expect(d.push(frame({ x: 0, y: 0, s: 8 }), W, H)).toBeNull();
    expect(d.push(frame({ x: 10, y: 0, s: 8 }), W, H)?.motion).toBe(true);
  });

  it('finds a moving square with its normalised bounding box and changed area', () => {
    const d = new MotionDetector(cfg);
    d.push(frame(null), W, H);
    const r = d.push(frame({ x: 10, y: 5, s: 6 }), W, H);
    expect(r?.motion).toBe(true);
    expect(r?.area).toBeCloseTo(36 / (W * H), 6);
    expect(r?.box?.map((v) => Math.round(v * 1000) / 1000)).toEqual([0.25, 0.167, 0.15, 0.2]);
  });

  it('ignores changes below the threshold and areas below min_area', () => {
    const d = new MotionDetector(cfg);
    d.push(frame(null, 20), W, H);
    expect(d.push(frame(null, 40), W, H)?.motion).toBe(false);
    const small = new MotionDetector({ ...cfg, min_area: 0.05 });
    small.push(frame(null), W, H);
    expect(small.push(frame({ x: 0, y: 0, s: 6 }), W, H)?.motion).toBe(false);
  });

  it('ignores motion inside mask polygons and measures area over unmasked pixels only', () => {
    const mask: [number, number][][] = [[[0, 0], [0.5, 0], [0.5, 1], [0, 1]]];
    const d = new MotionDetector({ ...cfg, masks: mask });
    d.push(frame(null), W, H);
    expect(d.push(frame({ x: 2, y: 2, s: 8 }), W, H)?.motion).toBe(false);
    const m = buildMask(W, H, mask);
    expect(m.reduce((a, v) => a + v, 0)).toBe((W * H) / 2);
    const r = diffFrames(new Uint8Array(W * H), new Uint8Array(W * H).fill(255), W, H, m, cfg);
    expect(r.area).toBe(1);
  });
});

describe('trigger state machine', () => {
  const cfg: TriggerConfig = { pre_ms: 5000, post_ms: 10_000, cooldown_ms: 0, min_trigger_frames: 2 };
  const t: Trigger = { label: 'motion', score: 0.1, boxes: [] };
  const run = (steps: [number, Trigger | null][], c = cfg): TriggerAction[] => {
    let s = initialTriggerState();
    const out: TriggerAction[] = [];
    for (const [ts, trig] of steps) {
      const r = stepTrigger(s, ts, trig, c);
      s = r.state;
      out.push(...r.actions);
    }
    return out;
  };

  it('opens after min_trigger_frames consecutive triggers with the window pre_seconds before the first', () => {
    const a = run([[1000, t], [1500, null], [2000, t], [2500, t]]);
    expect(a).toEqual([expect.objectContaining({ kind: 'open', started_ms: 2000, window_start_ms: -3000 })]);
  });

  it('keeps one event per presence, extends on triggers, closes post_seconds after the last trigger', () => {
    const a = run([[0, t], [500, t], [5000, { ...t, score: 0.5 }], [14_000, null], [15_000, null], [16_000, t]]);
    expect(a.map((x) => x.kind)).toEqual(['open', 'extend', 'close']);
    const close = a[2] as Extract<TriggerAction, { kind: 'close' }>;
    expect(close).toMatchObject({ started_ms: 0, ended_ms: 5000, window_end_ms: 15_000 });
    expect(close.best.ts_ms).toBe(5000);
  });

  it('honours trigger_cooldown after an event ends', () => {
    const c = { ...cfg, post_ms: 1000, cooldown_ms: 5000, min_trigger_frames: 1 };
    const a = run([[0, t], [2000, null], [3000, t], [5500, t]], c);
    expect(a.map((x) => x.kind)).toEqual(['open', 'close', 'open']);
    expect(a[2]).toMatchObject({ started_ms: 5500 });
  });

  it('splits a presence longer than max_ms into back-to-back events without pre-roll overlap', () => {
    const c = { ...cfg, min_trigger_frames: 1, max_ms: 3000 };
    const a = run([[0, t], [1000, t], [2000, t], [3000, t], [4000, t]], c);
    expect(a.filter((x) => x.kind !== 'extend')).toEqual([
      expect.objectContaining({ kind: 'open', started_ms: 0 }),
      expect.objectContaining({ kind: 'close', started_ms: 0, ended_ms: 3000, window_end_ms: 3000 }),
      expect.objectContaining({ kind: 'open', started_ms: 3000, window_start_ms: 3000 }),
    ]);
  });

  it('forceClose ends an open presence at its last trigger', () => {
    let s = initialTriggerState();
    s = stepTrigger(s, 0, t, { ...cfg, min_trigger_frames: 1 }).state;
    expect(forceClose(s, cfg).actions).toEqual([expect.objectContaining({ kind: 'close', ended_ms: 0, window_end_ms: 10_000 })]);
    expect(forceClose(initialTriggerState(), cfg).actions).toEqual([]);
  });
});

describe('retention plan', () => {
  const DAY = 86_400_000;
  const now = 100 * DAY;
  const seg = (id: number, cam: number, start: number, bytes = 1e9): PlanSegment => ({ id, camera_id: cam, start_ms: start, end_ms: start + 4000, bytes });
  const policy = (o: Partial<RetentionPolicy> = {}): RetentionPolicy => ({ now_ms: now, warm_ms: 900_000, max_days: null, max_gb: null, max_percent: 85, cameras: {}, ...o });
  const noDisk = { total_bytes: 0, free_bytes: 0 };
  const ev = (o: Partial<PlanEvent>): PlanEvent => ({ id: 1, camera_id: 1, started_ms: 0, window_start_ms: 0, window_end_ms: 0, ended_ms: 0, retain: false, ...o });

  it('deletes segments older than max_days but never those of protected or open events', () => {
    const segs = [seg(1, 1, now - 40 * DAY), seg(2, 1, now - 39 * DAY), seg(3, 1, now - 38 * DAY), seg(4, 1, now - 1000)];
    const events = [ev({ id: 7, window_start_ms: now - 39 * DAY, window_end_ms: now - 39 * DAY + 10, retain: true }), ev({ id: 8, window_start_ms: now - 38 * DAY, window_end_ms: null, ended_ms: null })];
    const p = planRetention(segs, events, policy({ max_days: 30 }), noDisk);
    expect(p.segments).toEqual([{ id: 1, reason: 'days' }]);
    expect(p.events).toEqual([]);
  });

  it('events mode keeps only event windows plus the warm buffer', () => {
    const segs = [seg(1, 1, now - 3_600_000), seg(2, 1, now - 1_800_000), seg(3, 1, now - 60_000), seg(4, 2, now - 3_600_000)];
    const events = [ev({ window_start_ms: now - 1_800_000 - 1000, window_end_ms: now - 1_800_000 + 1000 })];
    const p = planRetention(segs, events, policy({ cameras: { 1: { mode: 'events', max_days: null, max_gb: null }, 2: { mode: 'continuous', max_days: null, max_gb: null } } }), noDisk);
    expect(p.segments).toEqual([{ id: 1, reason: 'mode' }]);
  });

  it('trims oldest-first to per-camera and global GB caps, skipping protected segments', () => {
    const segs = [seg(1, 1, 1000), seg(2, 2, 2000), seg(3, 1, 3000), seg(4, 1, 4000), seg(5, 2, 5000)];
    const events = [ev({ camera_id: 1, window_start_ms: 1000, window_end_ms: 1500, retain: true })];
    const cams = { 1: { mode: 'continuous' as const, max_days: null, max_gb: 2 } };
    expect(planRetention(segs, events, policy({ cameras: cams }), noDisk).segments).toEqual([{ id: 3, reason: 'camera_gb' }]);
    expect(planRetention(segs, events, policy({ max_gb: 3 }), noDisk).segments.map((s) => s.id)).toEqual([2, 3]);
  });

  it('uses supplied totals when given only the oldest candidates', () => {
    const oldest = [seg(1, 1, 1000), seg(2, 1, 2000)];
    // 5 GB indexed in total but only the two oldest are loaded: a 3 GB cap must still delete both.
    const p = planRetention(oldest, [], policy({ max_gb: 3 }), noDisk, { all: 5e9, cameras: { 1: 5e9 } });
    expect(p.segments.map((s) => s.id)).toEqual([1, 2]);
    expect(planRetention(oldest, [], policy({ max_gb: 3 }), noDisk).segments).toEqual([]);
  });

  it('frees space oldest-first when the disk passes max_percent (simulated disk)', () => {
    const segs = [seg(1, 1, 1000), seg(2, 1, 2000), seg(3, 1, 3000)];
    const p = planRetention(segs, [], policy({ max_percent: 80 }), { total_bytes: 10e9, free_bytes: 0.5e9 });
    expect(p.segments.map((s) => s.id)).toEqual([1, 2]);
    expect(p.freed_bytes).toBe(2e9);
    expect(planRetention(segs, [], policy({ max_percent: 80 }), { total_bytes: 10e9, free_bytes: 5e9 }).segments).toEqual([]);
  });

  it('drops closed, unprotected events older than max_days', () => {
    const events = [ev({ id: 1, window_end_ms: now - 31 * DAY }), ev({ id: 2, window_end_ms: now - 31 * DAY, retain: true }), ev({ id: 3, window_end_ms: now - DAY })];
    expect(planRetention([], events, policy({ max_days: 30 }), noDisk).events).toEqual([1]);
  });
});

describe('coverage merge', () => {
  it('merges spans across small gaps and clips to the range', () => {
    expect(mergeSpans([[0, 4000], [4500, 8000], [20_000, 24_000], [30_000, 40_000]], 1000, 35_000, 2000)).toEqual([[1000, 8000], [20_000, 24_000], [30_000, 35_000]]);
  });
});

describe('HTTP Range', () => {
  it('parses a-b, a-, suffix -N and rejects unsatisfiable ranges', () => {
    expect(parseRange(undefined, 100)).toEqual({ kind: 'full' });
    expect(parseRange('bytes=0-9', 100)).toEqual({ kind: 'partial', start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ kind: 'partial', start: 90, end: 99 });
    expect(parseRange('bytes=90-500', 100)).toEqual({ kind: 'partial', start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ kind: 'partial', start: 90, end: 99 });
    expect(parseRange('bytes=-500', 100)).toEqual({ kind: 'partial', start: 0, end: 99 });
    expect(parseRange('bytes=100-', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=50-10', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=-0', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=0-1,5-6', 100)).toEqual({ kind: 'full' });
    expect(parseRange('items=0-1', 100)).toEqual({ kind: 'full' });
  });
});

describe('path containment', () => {
  it('keeps paths inside the data root and refuses escapes', () => {
    expect(containedPath('/data/v', 'clips/1/a.mp4')).toBe('/data/v/clips/1/a.mp4');
    expect(containedPath('/data/v', '/data/v/thumbs/x.jpg')).toBe('/data/v/thumbs/x.jpg');
    expect(containedPath('/data/v', '../etc/passwd')).toBeNull();
    expect(containedPath('/data/v', 'clips/../../v2/x')).toBeNull();
    expect(containedPath('/data/v', '/data/v2/x')).toBeNull();
    expect(containedPath('/data/v', '/etc/passwd')).toBeNull();
    expect(containedPath('/data/v', 'a/../b..c')).toBe('/data/v/b..c');
  });
});
