// Fault tests: the RTSP server goes away and comes back, ffmpeg is killed; the supervisor recovers with no manual restart.
// real: ffmpeg, GStreamer RTSP server on 127.0.0.1, signals, process table. mock: nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRtspServer, type RtspServer } from '../support/rtsp-server';
import { createHarness, ffmpegProcesses, runtime, waitFor, type Harness } from './harness';

let rtsp: RtspServer;
let h: Harness;

beforeAll(async () => {
  rtsp = await startRtspServer();
  // A shorter stall threshold keeps the test quick; the production default is 10 s.
  h = createHarness({ segment_seconds: 2, live_mjpeg_fps: 5 }, { stallMs: 5000, stopGraceMs: 2000 });
});

afterAll(async () => {
  await h?.cleanup();
  await rtsp?.stop();
});

const freshFrame = (after: number) => () => {
  const f = h.manager.latest(1);
  return f && f.ts_ms > after ? f : null;
};

describe('supervisor faults', () => {
  it('server down → backoff with the error and stale health; server back → frames again by itself', async () => {
    h.manager.start(runtime(1, 'rtsp', rtsp.url));
    // A viewer keeps the on-demand decoder running, across the ingest's restarts.
    h.manager.onFrame(1, () => undefined);
    await waitFor('first frame', freshFrame(0), 20_000);

    const downAt = Date.now();
    await rtsp.stop();
    const failed = await waitFor('backoff state', () => h.states.find((s) => s.camera_id === 1 && s.state === 'backoff' && s.last_error), 20_000);
    expect(Date.now() - downAt).toBeLessThan(20_000);
    expect(failed.last_error).toMatch(/^(unreachable|timeout|bad-stream|exit|stall):/);
    expect(failed.pid).toBeNull();
    // The heartbeat ages: the last frame is older than the moment the server went down.
    await waitFor('stale health', () => Date.now() - (h.manager.health(1)!.lastFrameMs ?? 0) > 2000, 10_000);
    expect(h.manager.health(1)!.state.state).not.toBe('running');
    // Retries while the server is down stay in backoff (no error/offline flapping per retry).
    await new Promise((r) => setTimeout(r, 3000));
    const since = h.states.slice(h.states.indexOf(failed)).filter((s) => s.camera_id === 1);
    expect(since.length).toBeGreaterThan(1);
    expect(since.every((s) => s.state === 'backoff')).toBe(true);
    expect(since.at(-1)!.restarts).toBeGreaterThan(0);

    const upAt = Date.now();
    await rtsp.restart();
    await waitFor('frames after the server came back', freshFrame(upAt), 40_000);
    await waitFor('running again', () => h.manager.health(1)!.state.state === 'running', 5000);
    expect(h.manager.health(1)!.state.restarts).toBeGreaterThan(0);
  });

  it('kill -9 of ffmpeg → the supervisor restarts it', async () => {
    const pid = await waitFor('a running child', () => h.manager.pid(1), 10_000);
    const restartsBefore = h.manager.health(1)!.state.restarts;
    process.kill(pid, 'SIGKILL');
    const killedAt = Date.now();
    const next = await waitFor('a new child', () => {
      const p = h.manager.pid(1);
      return p !== null && p !== pid ? p : null;
    }, 20_000);
    await waitFor('frames from the new child', freshFrame(killedAt), 20_000);
    expect(next).not.toBe(pid);
    expect(h.manager.health(1)!.state.restarts).toBe(restartsBefore + 1);
    expect(ffmpegProcesses(h.dataDir).map((p) => p.pid)).toEqual([next]);
  });

  it('stopAll leaves no ffmpeg child, zombie or orphan', async () => {
    const pid = h.manager.pid(1);
    await h.manager.stopAll();
    expect(h.manager.states()).toEqual([]);
    const left = ffmpegProcesses(h.dataDir);
    expect(left).toEqual([]);
    expect(ffmpegProcesses('').filter((p) => p.pid === pid || (p.ppid === process.pid && p.stat.startsWith('Z')))).toEqual([]);
  });
});
