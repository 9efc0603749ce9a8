// Pure supervisor decisions: restart backoff, stall detection, error classification and input fps.
import type { WorkerError, WorkerErrorKind } from './camera-worker.types';

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** A run that delivered frames for at least this long resets the backoff. */
  stableMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 30_000, stableMs: 10_000 };

/** Delay before restart number `attempt` (0-based): 1 s doubling to the 30 s cap. */
export function backoffDelay(attempt: number, p: BackoffPolicy = DEFAULT_BACKOFF): number {
  const n = Math.max(0, Math.floor(attempt));
  return Math.min(p.maxMs, p.initialMs * 2 ** Math.min(n, 30));
}

export interface RunSummary {
  /** Wall-clock ms the run started (spawn). */
  startedMs: number;
  /** Wall-clock ms of its first frame, or null if it produced none. */
  firstFrameMs: number | null;
  endedMs: number;
}

/** Next backoff attempt counter after a run ended: reset after a stable run, else one more. */
export function nextAttempt(attempt: number, run: RunSummary, p: BackoffPolicy = DEFAULT_BACKOFF): number {
  const stable = run.firstFrameMs !== null && run.endedMs - run.firstFrameMs >= p.stableMs;
  return stable ? 0 : attempt + 1;
}

/** Seconds without a frame after which a running ingest counts as stalled. Slow snapshot sources get longer. */
export function stallThresholdMs(kind: string, snapshotFps: number, baseMs = 10_000): number {
  // A pushed camera sends when it has something to send (presence-gated, 1 fps or less): silence is not a fault.
  if (kind === 'push') return Number.POSITIVE_INFINITY;
  if (kind === 'http' && snapshotFps > 0) return Math.max(baseMs, Math.ceil(4000 / snapshotFps));
  return baseMs;
}

/** Grace for the first frame of a fresh spawn (connect + probe) before it counts as stalled. */
export const FIRST_FRAME_GRACE_MS = 20_000;

export function isStalled(now: number, startedMs: number, lastFrameMs: number | null, thresholdMs: number): boolean {
  if (lastFrameMs === null || lastFrameMs < startedMs) return now - startedMs > Math.max(thresholdMs, FIRST_FRAME_GRACE_MS);
  return now - lastFrameMs > thresholdMs;
}

const PATTERNS: [RegExp, WorkerErrorKind][] = [
  [/401 Unauthorized|authorization failed|403 Forbidden|Unauthorized/i, 'auth'],
  [/404 Not Found|No such file or directory|Server returned 404|does not exist/i, 'not-found'],
  [/Connection refused|No route to host|Network is unreachable|Name or service not known|Cannot assign requested address|Host is unreachable/i, 'unreachable'],
  [/timed out|Connection timed out|timeout/i, 'timeout'],
  [/Invalid data found|could not find codec|Could not find codec|Error while decoding|non-existing PPS|moov atom not found|End of file/i, 'bad-stream'],
];

/** Classify why ffmpeg exited from the tail of its (already redacted) stderr. */
export function classifyExit(stderrTail: readonly string[], code: number | null, signal: string | null): WorkerError {
  const interesting = stderrTail.filter((l) => /error|fail|refused|unauthori|forbidden|not found|timed out|invalid|unreachable|no such/i.test(l));
  const text = interesting.join('\n');
  for (const [re, kind] of PATTERNS) {
    if (re.test(text)) return { kind, message: lastLine(interesting.filter((l) => re.test(l))) };
  }
  const why = signal ? `ffmpeg killed by ${signal}` : `ffmpeg exited with code ${code ?? 'null'}`;
  const tail = lastLine(interesting.length ? interesting : stderrTail);
  return { kind: 'exit', message: tail ? `${why}: ${tail}` : why };
}

function lastLine(lines: readonly string[]): string {
  const l = lines.at(-1) ?? '';
  return l.replace(/^(\[[^\]]+\]\s*)+/, '').trim().slice(0, 300);
}

/** Frames per second over a sliding window of arrival times (ms); drops entries older than the window. */
export function windowFps(arrivals: number[], now: number, windowMs = 5000): number {
  while (arrivals.length && (arrivals[0] ?? 0) < now - windowMs) arrivals.shift();
  if (arrivals.length < 2) return 0;
  const span = (arrivals.at(-1)! - arrivals[0]!) / 1000;
  return span > 0 ? Math.round(((arrivals.length - 1) / span) * 10) / 10 : 0;
}

/** After a run ended: how long to wait before the next spawn and the new attempt counter. */
export function planRestart(attempt: number, run: RunSummary, p: BackoffPolicy = DEFAULT_BACKOFF): { delayMs: number; attempt: number } {
  const a = nextAttempt(attempt, run, p) === 0 ? 0 : attempt;
  return { delayMs: backoffDelay(a, p), attempt: a + 1 };
}

export interface SegmentClock {
  /** Wall-clock ms of stream time 0 for the current run, or null before its first segment. */
  anchorMs: number | null;
  /** End of the previous segment handed off, or null. */
  lastEndMs: number | null;
  /** Drift (close time minus stream time, ms) of the previous segment when it was beyond the limit, else null. */
  pendingDriftMs?: number | null;
}

/** A drift this large is a jump of the source's clock (or a restart), taken at once. */
const CLOCK_JUMP_MS = 10_000;

/**
 * Wall-clock times of a closed segment from its stream-relative times (segment list) and the moment it closed.
 * Within a run, stream time keeps segments exactly contiguous. The anchor is re-taken on the close time when the two
 * disagree by more than `maxDriftMs` for two segments in a row by about the same amount (source clock skew), or by more
 * than 10 s at once (a jump). A single late close, which is the host reading the segment list late (a busy event loop),
 * does not move the timeline: re-anchoring on it would cut a gap before the segment and an overlap after it.
 * A small gap to the previous segment is closed.
 */
export function segmentTimes(clock: SegmentClock, startSec: number, endSec: number, closedMs: number, maxDriftMs = 3000): { startMs: number; endMs: number; clock: SegmentClock } {
  let anchor = clock.anchorMs ?? closedMs - endSec * 1000;
  let pending: number | null = null;
  const drift = closedMs - (anchor + endSec * 1000);
  if (Math.abs(drift) > maxDriftMs) {
    const prev = clock.pendingDriftMs ?? null;
    if (Math.abs(drift) > CLOCK_JUMP_MS || (prev !== null && Math.abs(prev - drift) < 1000)) anchor = closedMs - endSec * 1000;
    else pending = drift;
  }
  let startMs = Math.round(anchor + startSec * 1000);
  const endMs = Math.round(anchor + endSec * 1000);
  if (clock.lastEndMs !== null && Math.abs(startMs - clock.lastEndMs) < 1500 && clock.lastEndMs < endMs) startMs = clock.lastEndMs;
  return { startMs, endMs, clock: { anchorMs: anchor, lastEndMs: endMs, pendingDriftMs: pending } };
}
