// Unit: restart backoff, stall detection, exit classification and fps of the camera supervisor.
import { describe, expect, it } from 'vitest';
import { backoffDelay, classifyExit, isStalled, planRestart, segmentTimes, stallThresholdMs, windowFps, FIRST_FRAME_GRACE_MS } from '../../src-main/workers/supervisor-policy';

describe('backoff', () => {
  it('1 s doubling to a 30 s cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 20].map((a) => backoffDelay(a))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('failing runs escalate; a stable run resets', () => {
    const fail = (t: number) => ({ startedMs: t, firstFrameMs: null, endedMs: t + 500 });
    let attempt = 0;
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      const p = planRestart(attempt, fail(i * 1000));
      delays.push(p.delayMs);
      attempt = p.attempt;
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    const stable = planRestart(attempt, { startedMs: 0, firstFrameMs: 1000, endedMs: 60_000 });
    expect(stable).toEqual({ delayMs: 1000, attempt: 1 });
    const short = planRestart(attempt, { startedMs: 0, firstFrameMs: 1000, endedMs: 3000 });
    expect(short.delayMs).toBe(30000);
  });
});

describe('stall detection', () => {
  it('no frame for the threshold after frames flowed', () => {
    expect(isStalled(20_000, 0, 15_000, 10_000)).toBe(false);
    expect(isStalled(26_000, 0, 15_000, 10_000)).toBe(true);
  });

  it('a fresh spawn gets a first-frame grace', () => {
    expect(isStalled(FIRST_FRAME_GRACE_MS - 1, 0, null, 10_000)).toBe(false);
    expect(isStalled(FIRST_FRAME_GRACE_MS + 1, 0, null, 10_000)).toBe(true);
    expect(isStalled(5000 + FIRST_FRAME_GRACE_MS - 1, 5000, 4000, 10_000)).toBe(false);
  });

  it('slow snapshot sources get a longer threshold', () => {
    expect(stallThresholdMs('rtsp', 2)).toBe(10_000);
    expect(stallThresholdMs('http', 0.2)).toBe(20_000);
  });

  it('a push camera (Streams) is never stalled by silence: it sends only when something is there', () => {
    const t = stallThresholdMs('push', 0);
    expect(t).toBe(Number.POSITIVE_INFINITY);
    expect(isStalled(10 * 3_600_000, 0, 1000, t)).toBe(false);
    expect(isStalled(10 * 3_600_000, 0, null, t)).toBe(false);
  });
});

describe('classifyExit', () => {
  it('maps ffmpeg errors to kinds', () => {
    expect(classifyExit(['[tcp @ 0x1] [error] Connection to tcp://127.0.0.1:9?timeout=0 failed: Connection refused'], 1, null).kind).toBe('unreachable');
    expect(classifyExit(['[rtsp @ 0x1] [error] method DESCRIBE failed: 401 Unauthorized'], 1, null).kind).toBe('auth');
    expect(classifyExit(['[http @ 0x1] [error] HTTP error 404 Not Found'], 1, null).kind).toBe('not-found');
    expect(classifyExit(['[error] av_interleaved_write_frame(): Invalid data found when processing input'], 1, null).kind).toBe('bad-stream');
    const killed = classifyExit(['[info] frame=1'], null, 'SIGKILL');
    expect(killed).toEqual({ kind: 'exit', message: 'ffmpeg killed by SIGKILL: frame=1' });
  });
});

describe('windowFps', () => {
  it('counts arrivals over the window and forgets old ones', () => {
    const a = Array.from({ length: 51 }, (_x, i) => 10_000 + i * 100);
    expect(windowFps(a, 15_000)).toBe(10);
    expect(windowFps(a, 40_000)).toBe(0);
    expect(a).toHaveLength(0);
  });
});

describe('classifyExit messages', () => {
  it('strips the ffmpeg context and level prefixes', () => {
    expect(classifyExit(['[tcp @ 0x1] [error] Connection to tcp://127.0.0.1:9 failed: Connection refused'], 1, null).message).toBe('Connection to tcp://127.0.0.1:9 failed: Connection refused');
  });
});

describe('segmentTimes', () => {
  it('anchors a run on its first close and keeps segments contiguous from stream time', () => {
    let clock = { anchorMs: null as number | null, lastEndMs: null as number | null };
    const a = segmentTimes(clock, 0, 4.04, 10_000 + 4040 + 120);
    expect([a.startMs, a.endMs]).toEqual([10_120, 14_160]);
    clock = a.clock;
    // closed late (loaded machine): stream time wins, no gap or overlap
    const b = segmentTimes(clock, 4.04, 8.0, 19_500);
    expect([b.startMs, b.endMs]).toEqual([14_160, 18_120]);
    clock = b.clock;
    // a big drift re-anchors on the close time
    const c = segmentTimes(clock, 8.0, 12.0, 40_000);
    expect(c.endMs).toBe(40_000);
    expect(c.startMs).toBe(36_000);
  });

  it('a single late close (the host read the list late) keeps stream time; a sustained drift re-anchors on its second segment', () => {
    const a = segmentTimes({ anchorMs: null, lastEndMs: null }, 0, 4, 14_000);
    // Read 3.5 s late by a stalled event loop: the timeline stays contiguous, no gap before it nor overlap after it.
    const b = segmentTimes(a.clock, 4, 8, 18_000 + 3500);
    expect([b.startMs, b.endMs]).toEqual([14_000, 18_000]);
    const c = segmentTimes(b.clock, 8, 12, 22_050);
    expect([c.startMs, c.endMs]).toEqual([18_000, 22_000]);
    // The source's clock runs 4 s behind from here on: the second segment that says so moves the anchor.
    const d = segmentTimes(c.clock, 12, 16, 30_000);
    expect([d.startMs, d.endMs]).toEqual([22_000, 26_000]);
    const e = segmentTimes(d.clock, 16, 20, 34_100);
    expect(e.endMs).toBe(34_100);
    expect(e.clock.pendingDriftMs).toBeNull();
  });

  it('closes a small gap to the previous run', () => {
    const t = segmentTimes({ anchorMs: null, lastEndMs: 9_500 }, 0, 2, 12_000);
    expect([t.startMs, t.endMs]).toEqual([9_500, 12_000]);
  });
});
