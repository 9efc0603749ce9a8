// Pure timeline math: time↔pixel mapping, zoom/pan limits, tick generation, span merging/clipping and event stepping.

export type Span = readonly [number, number];

export interface View {
  /** Epoch ms at the left edge. */
  start: number;
  /** Epoch ms at the right edge. */
  end: number;
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Narrowest and widest visible durations. */
export const MIN_SPAN_MS = 10 * SECOND;
export const MAX_SPAN_MS = 7 * DAY;

export const duration = (v: View): number => v.end - v.start;

export function timeToX(t: number, v: View, width: number): number {
  return ((t - v.start) / duration(v)) * width;
}

export function xToTime(x: number, v: View, width: number): number {
  return v.start + (x / width) * duration(v);
}

/** Clamps the visible duration to [MIN_SPAN_MS, MAX_SPAN_MS], keeping the centre. */
export function clampView(v: View, min = MIN_SPAN_MS, max = MAX_SPAN_MS): View {
  const d = duration(v);
  const target = Math.min(max, Math.max(min, Number.isFinite(d) && d > 0 ? d : min));
  if (target === d) return v;
  const mid = (v.start + v.end) / 2;
  return { start: mid - target / 2, end: mid + target / 2 };
}

/**
 * Zooms around an anchor time that keeps its pixel position. factor < 1 zooms in, > 1 zooms out.
 * The result is clamped to the zoom limits with the anchor still fixed.
 */
export function zoomAt(v: View, anchor: number, factor: number, min = MIN_SPAN_MS, max = MAX_SPAN_MS): View {
  const d = duration(v);
  const nd = Math.min(max, Math.max(min, d * factor));
  const frac = d > 0 ? (anchor - v.start) / d : 0.5;
  const start = anchor - frac * nd;
  return { start, end: start + nd };
}

/** Wheel delta (pixels, as in WheelEvent.deltaY in pixel mode) → zoom factor; smooth and symmetric. */
export function wheelFactor(deltaY: number): number {
  return Math.exp(Math.max(-500, Math.min(500, deltaY)) * 0.002);
}

export function pan(v: View, deltaMs: number): View {
  return { start: v.start + deltaMs, end: v.end + deltaMs };
}

/** Keeps the view from panning past `now` (plus a small margin) so the live edge stays in reach. */
export function clampToNow(v: View, now: number, marginFrac = 0.05): View {
  const d = duration(v);
  const maxEnd = now + d * marginFrac;
  return v.end > maxEnd ? { start: maxEnd - d, end: maxEnd } : v;
}

const TICK_STEPS = [
  SECOND, 2 * SECOND, 5 * SECOND, 10 * SECOND, 15 * SECOND, 30 * SECOND,
  MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
  HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR,
  DAY, 2 * DAY,
];

/** Smallest "nice" step whose spacing is at least minPx pixels. */
export function tickStep(v: View, width: number, minPx = 80): number {
  const msPerPx = duration(v) / Math.max(1, width);
  for (const s of TICK_STEPS) if (s / msPerPx >= minPx) return s;
  return TICK_STEPS[TICK_STEPS.length - 1] as number;
}

export interface Tick {
  t: number;
  x: number;
  label: string;
  /** Starts a new day: the label carries the date. */
  major: boolean;
}

/**
 * Tick marks aligned to local wall-clock boundaries (tzOffsetMin as in Date#getTimezoneOffset for the view;
 * pass 0 for UTC). Labels are HH:MM, HH:MM:SS below a minute step, and the date at midnight.
 */
export function ticks(v: View, width: number, minPx = 80, tzOffsetMin = 0): Tick[] {
  const step = tickStep(v, width, minPx);
  const off = -tzOffsetMin * MINUTE;
  const first = Math.ceil((v.start + off) / step) * step - off;
  const out: Tick[] = [];
  for (let t = first; t <= v.end && out.length < 1000; t += step) {
    const local = new Date(t + off);
    const hh = String(local.getUTCHours()).padStart(2, '0');
    const mm = String(local.getUTCMinutes()).padStart(2, '0');
    const ss = String(local.getUTCSeconds()).padStart(2, '0');
    const midnight = local.getUTCHours() === 0 && local.getUTCMinutes() === 0 && local.getUTCSeconds() === 0;
    const label = midnight
      ? `${local.getUTCFullYear()}-${String(local.getUTCMonth() + 1).padStart(2, '0')}-${String(local.getUTCDate()).padStart(2, '0')}`
      : step < MINUTE
        ? `${hh}:${mm}:${ss}`
        : `${hh}:${mm}`;
    out.push({ t, x: timeToX(t, v, width), label, major: midnight });
  }
  return out;
}

/** Sorts and merges spans that overlap or are closer than gapMs. */
export function mergeSpans(spans: readonly Span[], gapMs = 0): Span[] {
  const sorted = spans.filter((s) => s[1] >= s[0]).slice().sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s - last[1] <= gapMs) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** Index of the first sorted, non-overlapping span whose end is after t (binary search). */
export function firstSpanEndingAfter(spans: readonly Span[], t: number): number {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((spans[mid] as Span)[1] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The parts of sorted, merged spans inside [from, to). */
export function clipSpans(spans: readonly Span[], from: number, to: number): Span[] {
  const out: Span[] = [];
  for (let i = firstSpanEndingAfter(spans, from); i < spans.length; i++) {
    const [s, e] = spans[i] as Span;
    if (s >= to) break;
    out.push([Math.max(s, from), Math.min(e, to)]);
  }
  return out;
}

/**
 * Pixel runs to draw for sorted, merged spans: only the visible ones, with neighbours closer than one pixel joined,
 * so the draw cost is bounded by the canvas width however many segments are loaded.
 */
export function spansToPixels(spans: readonly Span[], v: View, width: number): [number, number][] {
  const out: [number, number][] = [];
  const msPerPx = duration(v) / Math.max(1, width);
  for (const [s, e] of clipSpans(spans, v.start, v.end)) {
    const x0 = (s - v.start) / msPerPx;
    const x1 = Math.max(x0 + 1, (e - v.start) / msPerPx);
    const last = out[out.length - 1];
    if (last && x0 - last[1] < 1) last[1] = Math.max(last[1], x1);
    else out.push([x0, x1]);
  }
  return out;
}

/** Whether t falls inside sorted, merged spans. */
export function covered(spans: readonly Span[], t: number): boolean {
  const i = firstSpanEndingAfter(spans, t);
  const s = spans[i];
  return !!s && s[0] <= t;
}

/** Start of the next recorded instant at or after t, or null when nothing is recorded later. */
export function nextCovered(spans: readonly Span[], t: number): number | null {
  const i = firstSpanEndingAfter(spans, t);
  const s = spans[i];
  if (!s) return null;
  return Math.max(s[0], t);
}

/** Event start strictly after t (with a small epsilon so repeated presses advance), or null. */
export function nextEventStart(starts: readonly number[], t: number, epsMs = 500): number | null {
  let best: number | null = null;
  for (const s of starts) if (s > t + epsMs && (best === null || s < best)) best = s;
  return best;
}

export function prevEventStart(starts: readonly number[], t: number, epsMs = 500): number | null {
  let best: number | null = null;
  for (const s of starts) if (s < t - epsMs && (best === null || s > best)) best = s;
  return best;
}

/** Re-centres the view on t when t leaves the middle 80 %, so a following playhead stays on screen. */
export function follow(v: View, t: number, edge = 0.1): View {
  const d = duration(v);
  if (t >= v.start + d * edge && t <= v.end - d * edge) return v;
  return { start: t - d / 2, end: t + d / 2 };
}

/** Normalises a drag selection into an ordered range of at least minMs. */
export function selectionRange(a: number, b: number, minMs = SECOND): Span | null {
  const s = Math.min(a, b);
  const e = Math.max(a, b);
  return e - s >= minMs ? [s, e] : null;
}

/** Bucket count the activity histogram should ask for: about one bucket per 4 px, within the API's 1–2000. */
export function bucketCount(width: number, pxPerBucket = 4): number {
  return Math.max(1, Math.min(2000, Math.round(width / pxPerBucket)));
}

/** Index of the sprite frame (of `frames` evenly spaced over [start, end)) nearest to t. */
export function spriteFrame(t: number, start: number, end: number, frames = 10): number {
  if (end <= start) return 0;
  const f = Math.floor(((t - start) / (end - start)) * frames);
  return Math.max(0, Math.min(frames - 1, f));
}

/** Human duration: 45 s, 12 min, 3 h 20 min, 2 d 4 h. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** A stable colour per event label (known labels get fixed colours). */
export function labelColor(label: string): string {
  const fixed: Record<string, string> = { person: '#f0883e', motion: '#d29922', manual: '#a371f7', car: '#3fb950', truck: '#2ea043', dog: '#db61a2', cat: '#db61a2', bicycle: '#39c5cf' };
  if (fixed[label]) return fixed[label] as string;
  let h = 0;
  for (let i = 0; i < label.length; i++) h = (h * 31 + label.charCodeAt(i)) >>> 0;
  return `hsl(${h % 360} 60% 55%)`;
}

/**
 * The hover-sprite window containing t: windows are aligned multiples of a length chosen so each of its 10 frames spans
 * roughly 16 px at the current zoom (10 s … 30 min), so neighbouring hovers reuse one cached strip.
 */
export function spriteWindow(t: number, v: View, width: number, frames = 10, pxPerFrame = 16): Span {
  const msPerPx = duration(v) / Math.max(1, width);
  const len = Math.min(30 * MINUTE, Math.max(10 * SECOND, niceLen(msPerPx * pxPerFrame * frames)));
  const start = Math.floor(t / len) * len;
  return [start, start + len];
}

function niceLen(ms: number): number {
  for (const s of TICK_STEPS) if (s >= ms) return s;
  return TICK_STEPS[TICK_STEPS.length - 1] as number;
}
