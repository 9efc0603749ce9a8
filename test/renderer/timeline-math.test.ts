// Timeline math: mapping, zoom limits, ticks, span merging/clipping/pixelising and event stepping.
import { describe, expect, it } from 'vitest';
import {
  DAY, HOUR, MAX_SPAN_MS, MIN_SPAN_MS, MINUTE, SECOND,
  bucketCount, clampToNow, clampView, clipSpans, covered, follow, formatDuration, mergeSpans, nextCovered, nextEventStart,
  pan, prevEventStart, selectionRange, spansToPixels, spriteFrame, tickStep, ticks, timeToX, wheelFactor, xToTime, zoomAt,
  type Span,
} from '../../src-renderer/src/features/timeline/timeline-math';

const T0 = Date.UTC(2026, 0, 10, 12, 0, 0);

describe('time ↔ pixel', () => {
  it('maps both ways', () => {
    const v = { start: T0, end: T0 + HOUR };
    expect(timeToX(T0 + 30 * MINUTE, v, 600)).toBe(300);
    expect(xToTime(150, v, 600)).toBe(T0 + 15 * MINUTE);
    expect(xToTime(timeToX(T0 + 1234, v, 777), v, 777)).toBeCloseTo(T0 + 1234, 3);
  });
});

describe('zoom', () => {
  it('keeps the anchor at its pixel', () => {
    const v = { start: T0, end: T0 + HOUR };
    const anchor = T0 + 15 * MINUTE;
    const z = zoomAt(v, anchor, 0.5);
    expect(z.end - z.start).toBe(30 * MINUTE);
    expect(timeToX(anchor, z, 1000)).toBeCloseTo(timeToX(anchor, v, 1000), 6);
  });
  it('stops at ~10 s and 7 days', () => {
    let v = { start: T0, end: T0 + HOUR };
    for (let i = 0; i < 100; i++) v = zoomAt(v, T0 + 100, 0.5);
    expect(v.end - v.start).toBe(MIN_SPAN_MS);
    expect(MIN_SPAN_MS).toBe(10 * SECOND);
    for (let i = 0; i < 100; i++) v = zoomAt(v, T0, 2);
    expect(v.end - v.start).toBe(MAX_SPAN_MS);
    expect(MAX_SPAN_MS).toBe(7 * DAY);
  });
  it('wheel factor: down zooms out, up zooms in, symmetric', () => {
    expect(wheelFactor(100)).toBeGreaterThan(1);
    expect(wheelFactor(-100)).toBeLessThan(1);
    expect(wheelFactor(100) * wheelFactor(-100)).toBeCloseTo(1, 10);
  });
  it('clampView fixes degenerate and oversized views around the centre', () => {
    const c = clampView({ start: T0, end: T0 + 30 * DAY });
    expect(c.end - c.start).toBe(MAX_SPAN_MS);
    expect((c.start + c.end) / 2).toBe(T0 + 15 * DAY);
    expect(clampView({ start: T0, end: T0 }).end - T0).toBe(MIN_SPAN_MS / 2);
  });
  it('pans and clamps to now', () => {
    const v = pan({ start: T0, end: T0 + HOUR }, 2 * HOUR);
    expect(v.start).toBe(T0 + 2 * HOUR);
    const c = clampToNow(v, T0 + HOUR, 0);
    expect(c).toEqual({ start: T0, end: T0 + HOUR });
  });
});

describe('ticks', () => {
  it('picks a nice step with enough room', () => {
    expect(tickStep({ start: T0, end: T0 + HOUR }, 1200, 80)).toBe(5 * MINUTE);
    expect(tickStep({ start: T0, end: T0 + 10 * SECOND }, 1000, 80)).toBe(SECOND);
    expect(tickStep({ start: T0, end: T0 + 7 * DAY }, 1000, 80)).toBe(DAY);
  });
  it('aligns to wall-clock boundaries and labels midnight with the date', () => {
    const v = { start: Date.UTC(2026, 0, 10, 22, 7), end: Date.UTC(2026, 0, 11, 2, 7) };
    const ts = ticks(v, 800, 80, 0);
    expect(ts.length).toBeGreaterThan(3);
    const step = tickStep(v, 800, 80);
    expect(step).toBe(30 * MINUTE);
    for (const t of ts) expect(t.t % step).toBe(0);
    const mid = ts.find((t) => t.major);
    expect(mid?.label).toBe('2026-01-11');
    expect(ts.find((t) => !t.major)?.label).toMatch(/^\d\d:\d\d$/);
    expect(ts.every((t) => t.x >= 0 && t.x <= 800)).toBe(true);
  });
  it('honours a timezone offset and shows seconds when zoomed in', () => {
    const v = { start: T0, end: T0 + 20 * SECOND };
    const ts = ticks(v, 1000, 80, -120);
    expect(ts[0]?.label).toBe('14:00:00');
  });
});

describe('spans', () => {
  it('merges overlapping and near spans, sorted', () => {
    const spans: Span[] = [[50, 60], [0, 10], [10, 20], [23, 30], [100, 90]];
    expect(mergeSpans(spans)).toEqual([[0, 20], [23, 30], [50, 60]]);
    expect(mergeSpans(spans, 3)).toEqual([[0, 30], [50, 60]]);
  });
  it('clips to a window', () => {
    const spans: Span[] = [[0, 10], [20, 30], [40, 50]];
    expect(clipSpans(spans, 5, 45)).toEqual([[5, 10], [20, 30], [40, 45]]);
    expect(clipSpans(spans, 10, 20)).toEqual([]);
    expect(covered(spans, 25)).toBe(true);
    expect(covered(spans, 35)).toBe(false);
    expect(nextCovered(spans, 35)).toBe(40);
    expect(nextCovered(spans, 45)).toBe(45);
    expect(nextCovered(spans, 55)).toBeNull();
  });
  it('pixelises 30 days × 4 s segments into at most one run per pixel, quickly', () => {
    const start = T0 - 30 * DAY;
    const raw: Span[] = [];
    for (let t = start; t < T0; t += 4 * SECOND) if ((t / (4 * SECOND)) % 500 !== 0) raw.push([t, t + 4 * SECOND]);
    const merged = mergeSpans(raw);
    expect(merged.length).toBeGreaterThan(1000);
    const view = { start: T0 - 7 * DAY, end: T0 };
    const px = spansToPixels(merged, view, 1200);
    expect(px.length).toBeLessThanOrEqual(1200);
    expect(px[0]?.[0]).toBeCloseTo(0, 6);
    for (let i = 1; i < px.length; i++) expect((px[i] as [number, number])[0]).toBeGreaterThanOrEqual((px[i - 1] as [number, number])[1]);
    const narrow = spansToPixels(merged, { start: T0 - 10 * MINUTE, end: T0 }, 1200);
    expect(narrow.length).toBeGreaterThanOrEqual(1);
  });
});

describe('events and playback helpers', () => {
  const starts = [100_000, 200_000, 300_000];
  it('steps to next/previous event', () => {
    expect(nextEventStart(starts, 150_000)).toBe(200_000);
    expect(nextEventStart(starts, 200_000)).toBe(300_000);
    expect(nextEventStart(starts, 300_000)).toBeNull();
    expect(prevEventStart(starts, 200_000)).toBe(100_000);
    expect(prevEventStart(starts, 100_000)).toBeNull();
  });
  it('follows a playhead that leaves the middle', () => {
    const v = { start: 0, end: 1000 };
    expect(follow(v, 500)).toBe(v);
    expect(follow(v, 950)).toEqual({ start: 450, end: 1450 });
  });
  it('normalises selections and sprite frames', () => {
    expect(selectionRange(5000, 1000)).toEqual([1000, 5000]);
    expect(selectionRange(1000, 1500)).toBeNull();
    expect(spriteFrame(0, 0, 100)).toBe(0);
    expect(spriteFrame(55, 0, 100)).toBe(5);
    expect(spriteFrame(100, 0, 100)).toBe(9);
    expect(spriteFrame(-5, 0, 100)).toBe(0);
    expect(bucketCount(1200)).toBe(300);
    expect(bucketCount(100_000)).toBe(2000);
  });
  it('formats durations', () => {
    expect(formatDuration(45_000)).toBe('45 s');
    expect(formatDuration(12 * MINUTE)).toBe('12 min');
    expect(formatDuration(3 * HOUR + 20 * MINUTE)).toBe('3 h 20 min');
    expect(formatDuration(52 * HOUR)).toBe('2 d 4 h');
  });
});
