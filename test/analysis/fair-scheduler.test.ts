// The fair scheduler (pure; real: nothing external): newest wins, drop counting, round-robin fairness, in-flight bound, budget and interval.
import { describe, expect, it } from 'vitest';
import { FairScheduler } from '../../src-main/workers/analysis/fair-scheduler';

const keys = (d: { key: number }[]) => d.map((x) => x.key);
const items = <T>(d: { item: T }[]) => d.map((x) => x.item);

describe('FairScheduler', () => {
  it('keeps only the newest pending frame per camera and counts the ones it replaced', () => {
    const s = new FairScheduler<string>({ maxInFlight: 1, budgetFps: null });
    expect(s.offer(1, 'a1', 0)).toBeNull();
    expect(s.offer(1, 'a2', 1)).toBe('a1');
    expect(s.offer(1, 'a3', 2)).toBe('a2');
    expect(s.stats(1)).toEqual({ offered: 3, dispatched: 0, dropped: 2, pending: true, inFlight: false });
    const out = s.take(3);
    expect(out).toEqual([{ key: 1, item: 'a3', since: 2 }]);
    expect(s.stats(1)).toEqual({ offered: 3, dispatched: 1, dropped: 2, pending: false, inFlight: true });
  });

  it('holds frames while max in flight are out and lets the next go when one comes back', () => {
    const s = new FairScheduler<string>({ maxInFlight: 1, budgetFps: null });
    s.offer(1, 'a', 0);
    s.offer(2, 'b', 0);
    expect(items(s.take(0))).toEqual(['a']);
    expect(s.take(1)).toEqual([]);
    expect(s.wakeAt(1)).toBeNull();
    s.offer(1, 'a2', 2);
    s.done(1, 'a');
    expect(items(s.take(3))).toEqual(['b']);
    s.done(2, 'b');
    expect(items(s.take(4))).toEqual(['a2']);
  });

  it('serves cameras round-robin: a busy camera cannot starve a quiet one', () => {
    const s = new FairScheduler<string>({ maxInFlight: 1, budgetFps: null });
    const served: number[] = [];
    let t = 0;
    for (let round = 0; round < 30; round++) {
      // Camera 1 sends three frames for every one of cameras 2 and 3.
      for (let i = 0; i < 3; i++) s.offer(1, `c1-${round}-${i}`, t);
      s.offer(2, `c2-${round}`, t);
      if (round % 2 === 0) s.offer(3, `c3-${round}`, t);
      const [d] = s.take(++t);
      if (!d) continue;
      served.push(d.key);
      s.done(d.key, d.item);
    }
    const count = (k: number) => served.filter((x) => x === k).length;
    expect(served.slice(0, 3)).toEqual([1, 2, 3]);
    expect(Math.abs(count(1) - count(2))).toBeLessThanOrEqual(1);
    expect(count(3)).toBeGreaterThanOrEqual(8);
    expect(s.stats(1)!.dropped).toBeGreaterThan(s.stats(2)!.dropped);
  });

  it('dispatches up to max_batch frames at once, one per camera, in ring order', () => {
    const s = new FairScheduler<string>({ maxInFlight: 2, budgetFps: null });
    for (const k of [1, 2, 3]) s.offer(k, `f${k}`, 0);
    const first = s.take(0);
    expect(keys(first)).toEqual([1, 2]);
    s.offer(1, 'f1b', 1);
    expect(s.take(1)).toEqual([]);
    for (const d of first) s.done(d.key, d.item);
    expect(keys(s.take(2))).toEqual([3, 1]);
  });

  it('holds a camera back for its minimum interval and says when it is due', () => {
    const s = new FairScheduler<string>({ maxInFlight: 1, budgetFps: null });
    s.offer(1, 'a', 0, 500);
    const [d] = s.take(0);
    s.done(1, d!.item);
    s.offer(1, 'b', 100, 500);
    expect(s.take(100)).toEqual([]);
    expect(s.wakeAt(100)).toBe(500);
    s.offer(1, 'c', 300, 500);
    expect(items(s.take(500))).toEqual(['c']);
    expect(s.stats(1)!.dropped).toBe(1);
  });

  it('keeps to a global budget across cameras', () => {
    const s = new FairScheduler<number>({ maxInFlight: 1, budgetFps: 4 });
    let analysed = 0;
    // Three cameras at 10 fps each for 5 s; like the engine, take() runs on every offer and when wakeAt() says so.
    let wake: number | null = null;
    for (let t = 0; t <= 5000; t++) {
      const arrival = t % 100 === 0;
      if (arrival) for (const k of [1, 2, 3]) s.offer(k, t, t);
      if (!arrival && t !== wake) continue;
      for (const d of s.take(t)) {
        analysed++;
        s.done(d.key, d.item);
      }
      wake = s.wakeAt(t);
    }
    expect(analysed).toBeGreaterThanOrEqual(20);
    expect(analysed).toBeLessThanOrEqual(21);
    const per = [1, 2, 3].map((k) => s.stats(k)!.dispatched);
    expect(Math.max(...per) - Math.min(...per)).toBeLessThanOrEqual(1);
  });

  it('reports when the budget frees the next frame', () => {
    const s = new FairScheduler<number>({ maxInFlight: 1, budgetFps: 2 });
    s.offer(1, 1, 0);
    const [d] = s.take(0);
    s.done(1, d!.item);
    s.offer(1, 2, 10);
    expect(s.take(10)).toEqual([]);
    expect(s.wakeAt(10)).toBe(500);
    expect(items(s.take(500))).toEqual([2]);
  });

  it('forgets a camera: its pending frame comes back, a late done() of its old frame is ignored', () => {
    const s = new FairScheduler<string>({ maxInFlight: 1, budgetFps: null });
    s.offer(1, 'a', 0);
    const [d] = s.take(0);
    s.offer(1, 'b', 1);
    expect(s.remove(1)).toBe('b');
    expect(s.outstanding).toBe(0);
    s.offer(1, 'c', 2);
    const [e] = s.take(2);
    s.done(1, d!.item);
    expect(s.outstanding).toBe(1);
    s.done(1, e!.item);
    expect(s.outstanding).toBe(0);
  });

  it('drains every pending frame on stop', () => {
    const s = new FairScheduler<string>({ maxInFlight: 1, budgetFps: null });
    s.offer(1, 'a', 0);
    s.offer(2, 'b', 0);
    s.take(0);
    expect(items(s.drain())).toEqual(['b']);
    expect(s.wakeAt(1)).toBeNull();
  });
});
