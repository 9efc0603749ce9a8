// Pure timeline helpers: merge segment spans into coverage and bucket activity.
export type Span = [number, number];

/** Merge sorted-or-not spans, joining gaps up to minGapMs, clipped to [from, to). */
export function mergeSpans(spans: Span[], from: number, to: number, minGapMs: number): Span[] {
  const sorted = spans.filter(([a, b]) => b > from && a < to).sort((x, y) => x[0] - y[0]);
  const out: Span[] = [];
  for (const [a0, b0] of sorted) {
    const a = Math.max(a0, from);
    const b = Math.min(b0, to);
    const last = out[out.length - 1];
    if (last && a - last[1] <= minGapMs) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

export function bucketIndex(ts: number, from: number, bucketMs: number, buckets: number): number {
  const i = Math.floor((ts - from) / bucketMs);
  return i < 0 || i >= buckets ? -1 : i;
}
