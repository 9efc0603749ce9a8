// A triggered sensor records like motion (real: app, SQLite file, ffmpeg file camera recording segments, event recorder
// and clip finalizer; mock: nothing — the mock sensor type is Vigil's own API-driven sensor).
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Camera } from '../../src-main/shared/contract/cameras.contract';
import type { EventDto } from '../../src-main/shared/contract/events.contract';
import { removeDir, startTestApp, type TestApp } from '../foundation/app-harness';
import { API_KEY, call, until } from '../cameras/helpers';
import { VTEST } from '../support/rtsp-server';

let t: TestApp;
let media: string;
let cam: Camera;
let other: Camera;

const sensorEvents = async (cameraId: number): Promise<EventDto[]> => (await call<{ items: EventDto[] }>(t, 'GET', `/api/events?camera_id=${cameraId}&label=sensor`)).body.items;

beforeAll(async () => {
  media = mkdtempSync(join(tmpdir(), 'vigil-sensor-media-'));
  copyFileSync(VTEST, join(media, 'street.avi'));
  t = await startTestApp({ apiKey: API_KEY, args: ['--media-dir', media] });
  expect((await call(t, 'PUT', '/api/settings', { detector_model: null, segment_seconds: 2 })).status).toBe(200);
  // Motion off: every event on these cameras comes from the sensor.
  cam = (await call<Camera>(t, 'POST', '/api/cameras', { name: 'Door', rtsp_url: join(media, 'street.avi'), motion_enabled: false, detect_enabled: false, pre_seconds: 1 })).body;
  other = (await call<Camera>(t, 'POST', '/api/cameras', { name: 'Yard', rtsp_url: join(media, 'street.avi'), motion_enabled: false, detect_enabled: false })).body;
  await until('recording', () => (t.app.container.db.prepare('SELECT COUNT(*) FROM segments WHERE camera_id = ?').pluck().get(cam.id) as number) >= 2, 60_000, 500);
}, 120_000);

afterAll(async () => {
  await t?.stop();
  if (t) removeDir(t.dataDir);
  if (media) removeDir(media);
});

describe('sensor-triggered recording', () => {
  it('a mock sensor opens an event on its camera, held hold_seconds after release, with a playable clip', async () => {
    const sensors = t.app.container.sensors;
    const s = sensors.configure({ type: 'mock', camera_ids: [cam.id], hold_seconds: 3 });
    expect(sensors.mockTrigger()).toMatchObject({ id: s.id, triggered: true, recording_from_sensor: true });
    const open = await until('an open sensor event', async () => (await sensorEvents(cam.id)).find((e) => e.open), 15_000);
    expect(open).toMatchObject({ source: 'manual', label: 'sensor', camera_id: cam.id });
    expect(await sensorEvents(other.id)).toEqual([]);
    await new Promise((r) => setTimeout(r, 3000));
    const released = Date.now();
    expect(sensors.mockRelease()).toMatchObject({ triggered: false, recording_from_sensor: true });
    // Still open within the hold, closed after it.
    await new Promise((r) => setTimeout(r, 1000));
    expect((await sensorEvents(cam.id)).find((e) => e.id === open.id)?.open).toBe(true);
    const closed = await until('the event closed', async () => (await sensorEvents(cam.id)).find((e) => e.id === open.id && !e.open), 30_000, 250);
    expect(Date.now() - released).toBeGreaterThanOrEqual(2500);
    expect(Math.abs(Date.parse(closed.ended_at as string) - released)).toBeLessThan(1500);
    expect(Date.parse(closed.window_end as string) - Date.parse(closed.ended_at as string)).toBe(3000);
    expect(closed.duration).toBeGreaterThanOrEqual(2.5);
    expect(sensors.statusOne(s.id).recording_from_sensor).toBe(false);
    const withClip = await until('its clip', async () => (await sensorEvents(cam.id)).find((e) => e.id === open.id && e.clip_url), 60_000, 500);
    const clip = await t.req(withClip.clip_url as string);
    expect(clip.status).toBe(200);
    expect((await clip.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
  }, 120_000);

  it('an external sensor watching every camera opens one event per recording camera', async () => {
    const sensors = t.app.container.sensors;
    const ext = sensors.configure({ type: 'external', name: 'Alarm panel', hold_seconds: 1 });
    sensors.trigger(ext.id);
    await until('events on both cameras', async () => (await sensorEvents(cam.id)).some((e) => e.open) && (await sensorEvents(other.id)).some((e) => e.open), 15_000);
    sensors.release(ext.id);
    await until('both closed', async () => [...(await sensorEvents(cam.id)), ...(await sensorEvents(other.id))].every((e) => !e.open), 30_000, 250);
    // A camera that records nothing gets no event.
    expect((await call(t, 'PUT', `/api/cameras/${other.id}`, { recording_mode: 'off', confirm: true })).status).toBe(200);
    const before = (await sensorEvents(other.id)).length;
    sensors.trigger(ext.id);
    await until('an event on the recording camera', async () => (await sensorEvents(cam.id)).some((e) => e.open), 15_000);
    expect((await sensorEvents(other.id)).length).toBe(before);
    sensors.release(ext.id);
  }, 90_000);
});
