// Bench: the timeline's per-frame draw input for 30 days × 8 cameras of 4 s segments — pixel runs (what the canvas
// draws) against the naive one-rect-per-segment walk, measured in the same run, as a ratio.
import { pathToFileURL } from 'node:url';
import { DAY, HOUR, mergeSpans, spansToPixels, timeToX, type Span, type View } from '../src-renderer/src/features/timeline/timeline-math';
import { median, ms, now, percentile, printRows, type BenchRow } from './bench-util';

const DAYS = 30;
const CAMERAS = 8;
const SEG_MS = 4000;
const WIDTH = 1600;

/** Raw per-segment spans with a gap every ~10 min (restarts), as the UI would get with min_gap_ms = 0. */
function segments(end: number): Span[][] {
  const start = end - DAYS * DAY;
  return Array.from({ length: CAMERAS }, (_, c) => {
    const out: Span[] = [];
    let i = c;
    for (let t = start + c * 97; t < end; t += SEG_MS, i++) if (i % 150 !== 0) out.push([t, t + SEG_MS - 1]);
    return out;
  });
}

function naive(spans: readonly Span[][], v: View): number {
  let rects = 0;
  for (const lane of spans)
    for (const [s, e] of lane) {
      if (e < v.start || s > v.end) continue;
      const x0 = timeToX(s, v, WIDTH);
      if (timeToX(e, v, WIDTH) - x0 >= 0) rects++;
    }
  return rects;
}

function runs(merged: readonly Span[][], v: View): number {
  let rects = 0;
  for (const lane of merged) rects += spansToPixels(lane, v, WIDTH).length;
  return rects;
}

function time(fn: () => number, n = 15): { med: number; p95: number; out: number } {
  const t: number[] = [];
  let out = 0;
  for (let i = 0; i < n; i++) {
    const q = now();
    out = fn();
    t.push(ms(q));
  }
  return { med: median(t), p95: percentile(t, 95), out };
}

export async function run(): Promise<BenchRow[]> {
  const end = Date.UTC(2026, 10, 1);
  const raw = segments(end);
  const count = raw.reduce((a, l) => a + l.length, 0);
  const q = now();
  const merged = raw.map((l) => mergeSpans(l, 2000));
  const mergeMs = ms(q);
  const rows: BenchRow[] = [{ name: 'timeline: merge 30 d × 8 cams of segments', value: mergeMs, unit: 'ms', note: `${count} segments → ${merged.reduce((a, l) => a + l.length, 0)} spans, once per load` }];
  const views: [string, View][] = [
    ['7 d view', { start: end - 7 * DAY, end }],
    ['1 h view', { start: end - HOUR, end }],
  ];
  for (const [label, v] of views) {
    const fast = time(() => runs(merged, v));
    const slow = time(() => naive(raw, v), 5);
    rows.push({
      name: `timeline frame, ${label} (8 lanes)`,
      value: fast.med,
      unit: 'ms',
      baseline: slow.med,
      ratio: fast.med / Math.max(1e-6, slow.med),
      note: `${fast.out} rects drawn vs ${slow.out} per-segment rects; p95 ${fast.p95.toFixed(2)} ms`,
    });
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void run().then(printRows);
