// Unit tests for status derivation (Iris semantics) and the MJPEG fps clamp.
import { describe, expect, it } from 'vitest';
import { deriveStatus, statusChanged, type StatusInput } from '../../src-main/services/cameras/camera-status';
import { clampFps } from '../../src-main/transport/rest/live.routes';
import type { CameraHealth } from '../../src-main/ports/camera-workers.port';

const now = 1_000_000;
const health = (state: CameraHealth['state']['state'], lastFrameMs: number | null, last_error: string | null = null): CameraHealth => ({
  lastFrameMs,
  fps: 10,
  state: { camera_id: 1, state, pid: 1, restarts: 0, last_error },
});
const base: StatusInput = { enabled: true, health: null, stored: { status: 'offline', last_seen_ms: null }, now_ms: now, stale_seconds: 30 };

describe('deriveStatus', () => {
  it('disabled is offline whatever the worker says', () => {
    expect(deriveStatus({ ...base, enabled: false, health: health('running', now) }).status).toBe('offline');
  });
  it('a fresh running worker is online with its fps', () => {
    expect(deriveStatus({ ...base, health: health('running', now - 500) })).toEqual({ status: 'online', last_seen_ms: now - 500, fps: 10, error: null });
  });
  it('a heartbeat older than status_stale_seconds is offline', () => {
    expect(deriveStatus({ ...base, health: health('running', now - 31_000) }).status).toBe('offline');
    expect(deriveStatus({ ...base, health: health('running', now - 29_000) }).status).toBe('online');
    expect(deriveStatus({ ...base, stale_seconds: 5, health: health('running', now - 6_000) }).status).toBe('offline');
  });
  it('worker error or backoff is error, carrying the message', () => {
    expect(deriveStatus({ ...base, health: health('error', now, 'Connection refused') })).toMatchObject({ status: 'error', error: 'Connection refused' });
    expect(deriveStatus({ ...base, health: health('backoff', now - 2000, 'EOF') }).status).toBe('error');
  });
  it('starting without frames is offline', () => {
    expect(deriveStatus({ ...base, health: health('starting', null) }).status).toBe('offline');
  });
  it('without a worker, the persisted row is used and goes stale', () => {
    expect(deriveStatus({ ...base, stored: { status: 'online', last_seen_ms: now - 1000 } }).status).toBe('online');
    expect(deriveStatus({ ...base, stored: { status: 'online', last_seen_ms: now - 60_000 } }).status).toBe('offline');
  });
  it('statusChanged ignores fps jitter', () => {
    const a = deriveStatus({ ...base, health: health('running', now) });
    expect(statusChanged(a, { ...a, fps: 9.5 })).toBe(false);
    expect(statusChanged(a, { ...a, status: 'offline' })).toBe(true);
    expect(statusChanged(undefined, a)).toBe(true);
  });
});

describe('clampFps', () => {
  it('clamps to [1, cap] and defaults to the cap', () => {
    expect(clampFps('5', 10)).toBe(5);
    expect(clampFps('50', 10)).toBe(10);
    expect(clampFps('0', 10)).toBe(1);
    expect(clampFps('-3', 10)).toBe(1);
    expect(clampFps('abc', 10)).toBe(10);
    expect(clampFps(undefined, 10)).toBe(10);
    expect(clampFps('0.5', 10)).toBe(1);
  });
});
