// MQTT end to end (real: app over HTTP, SQLite file, ffmpeg file camera, Mosquitto broker on 127.0.0.1 with a password
// file, MQTT.js subscriber; mock: none): Frigate topics from a real camera event, a set topic, broker loss and reconnect.
import { copyFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Camera } from '../../src-main/shared/contract/cameras.contract';
import { removeDir, startTestApp, type TestApp } from '../foundation/app-harness';
import { API_KEY, call, isJpeg, until } from '../cameras/helpers';
import { VTEST } from '../support/rtsp-server';
import { startBroker, subscriber, type Broker, type Received } from '../support/mosquitto';

const USER = { name: 'vigil', password: 'broker-secret-4711' };
const PREFIX = 'vigiltest';
let broker: Broker;
let t: TestApp;
let media: string;
let sub: Awaited<ReturnType<typeof subscriber>>;
let cam: Camera;

const json = (m: Received): { type: string; before: Record<string, unknown>; after: Record<string, unknown> } => JSON.parse(m.payload.toString()) as never;
const segments = (): number => t.app.container.db.prepare('SELECT COUNT(*) FROM segments WHERE camera_id = ?').pluck().get(cam.id) as number;

beforeAll(async () => {
  broker = await startBroker({ user: USER });
  media = mkdtempSync(join(tmpdir(), 'vigil-mqtt-media-'));
  copyFileSync(VTEST, join(media, 'street.avi'));
  t = await startTestApp({ apiKey: API_KEY, args: ['--media-dir', media] });
  sub = await subscriber(broker.url, [`${PREFIX}/#`], { username: USER.name, password: USER.password });
}, 60_000);

afterAll(async () => {
  await sub?.close();
  await t?.stop();
  await broker?.stop();
  if (t) removeDir(t.dataDir);
  if (media) removeDir(media);
});

describe('MQTT to a real broker', () => {
  it('takes the broker settings with a write-only password that is sealed at rest and never returned or logged', async () => {
    const r = await call<Record<string, unknown>>(t, 'PUT', '/api/settings', {
      detector_model: null,
      segment_seconds: 2,
      mqtt_url: broker.url,
      mqtt_username: USER.name,
      mqtt_password: USER.password,
      mqtt_topic_prefix: PREFIX,
      mqtt_qos: 1,
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ mqtt_url: broker.url, mqtt_username: USER.name, mqtt_password_set: true, mqtt_qos: 1 });
    expect(r.body).not.toHaveProperty('mqtt_password');
    expect(r.text).not.toContain(USER.password);
    const whole = await call<Record<string, unknown>>(t, 'GET', '/api/settings');
    expect(whole.text).not.toContain(USER.password);
    // A settings object read with GET can be sent back whole; the read-only flag changes nothing.
    expect((await call(t, 'PUT', '/api/settings', { ...whole.body, mqtt_password_set: false })).body).toMatchObject({ mqtt_password_set: true });
    const bad = await call(t, 'PUT', '/api/settings', { mqtt_url: `mqtt://u:p@127.0.0.1:${broker.port}` });
    expect(bad.status).toBe(422);
    expect((await call(t, 'PUT', '/api/settings', { mqtt_topic_prefix: 'a/#' })).status).toBe(422);
    await until('availability online', () => sub.messages.find((m) => m.topic === `${PREFIX}/available` && m.payload.toString() === 'online'), 30_000);
    const late = await subscriber(broker.url, [`${PREFIX}/available`], { username: USER.name, password: USER.password });
    try {
      const retained = await until('retained availability', () => late.messages.find((m) => m.topic === `${PREFIX}/available`), 10_000);
      expect({ payload: retained.payload.toString(), retain: retained.retain }).toEqual({ payload: 'online', retain: true });
    } finally {
      await late.close();
    }
    const rows = t.app.container.db.prepare('SELECT value FROM secrets').all() as { value: Buffer }[];
    expect(rows.some((row) => row.value.includes(Buffer.from(USER.password)))).toBe(false);
    expect(t.app.container.db.prepare("SELECT COUNT(*) FROM settings WHERE value LIKE '%' || ? || '%'").pluck().get(USER.password)).toBe(0);
    const logs = readdirSync(join(t.dataDir, 'logs')).map((f) => readFileSync(join(t.dataDir, 'logs', f), 'utf8')).join('\n');
    expect(logs).not.toContain(USER.password);
  });

  it('a wrong password is refused by the broker and reported; the right one reconnects', async () => {
    const mqtt = t.app.container.mqtt;
    t.app.container.settings.updateWithSecrets({ mqtt_password: 'wrong-password' });
    const down = await until('the refusal reported', () => {
      const s = mqtt.status();
      return !s.connected && s.last_error ? s : null;
    }, 30_000);
    expect(down.last_error).toMatch(/not authori[sz]ed|bad user name or password/i);
    expect(down.last_error).not.toContain('wrong-password');
    t.app.container.settings.updateWithSecrets({ mqtt_password: USER.password });
    await until('connected again', () => mqtt.status().connected, 30_000);
  }, 60_000);

  it("publishes a real camera's events with before/after and its retained feature states", async () => {
    const r = await call<Camera>(t, 'POST', '/api/cameras', { name: 'Front Door', rtsp_url: join(media, 'street.avi'), pre_seconds: 1, post_seconds: 2, min_trigger_frames: 1, motion_min_area: 0.002 });
    expect(r.status).toBe(201);
    cam = r.body;
    const state = await until('detect state', () => sub.messages.find((m) => m.topic === `${PREFIX}/front_door/detect/state`), 30_000);
    expect(state.payload.toString()).toBe('ON');
    expect(sub.messages.find((m) => m.topic === `${PREFIX}/front_door/recordings/state`)?.payload.toString()).toBe('ON');
    const created = await until('an events message', () => sub.messages.find((m) => m.topic === `${PREFIX}/events` && json(m).type === 'new'), 90_000, 500);
    const body = json(created);
    expect(body.after).toMatchObject({ camera: 'front_door', camera_id: cam.id, label: 'motion', source: 'motion', active: true, end_time: null, false_positive: false });
    expect(body.before).toEqual(body.after);
    expect(typeof body.after.start_time).toBe('number');
    expect(sub.messages.some((m) => m.topic === `${PREFIX}/front_door/motion` && m.payload.toString() === 'ON')).toBe(true);
  }, 120_000);

  it('a detect/set OFF message turns detection off for that camera and its state follows', async () => {
    sub.client.publish(`${PREFIX}/front_door/detect/set`, 'OFF');
    await until('detect_enabled false', async () => (await call<Camera>(t, 'GET', `/api/cameras/${cam.id}`)).body.detect_enabled === false, 30_000);
    await until('detect state OFF', () => sub.messages.some((m) => m.topic === `${PREFIX}/front_door/detect/state` && m.payload.toString() === 'OFF'), 30_000);
    sub.client.publish(`${PREFIX}/front_door/motion/set`, 'sideways');
    sub.client.publish(`${PREFIX}/no_such_camera/detect/set`, 'ON');
    await new Promise((r) => setTimeout(r, 500));
    expect((await call<Camera>(t, 'GET', `/api/cameras/${cam.id}`)).body).toMatchObject({ detect_enabled: false, motion_enabled: true });
  }, 60_000);

  it('an external sensor is triggered and released over <prefix>/sensors/<id>/set', async () => {
    const sensors = t.app.container.sensors;
    const ext = sensors.configure({ type: 'external', name: 'Door bell', camera_ids: [cam.id], hold_seconds: 1 });
    sub.client.publish(`${PREFIX}/sensors/${ext.id}/set`, 'ON');
    await until('sensor triggered', () => sensors.statusOne(ext.id).triggered, 15_000);
    sub.client.publish(`${PREFIX}/sensors/${ext.id}/set`, 'OFF');
    await until('sensor released', () => !sensors.statusOne(ext.id).triggered && sensors.statusOne(ext.id).last_released_at !== null, 15_000);
    sensors.remove(ext.id);
  }, 60_000);

  it('killing the broker loses no recording; Vigil reconnects and announces itself again', async () => {
    await until('recording', () => segments() >= 2, 60_000, 500);
    await sub.close();
    await broker.kill();
    await until('disconnect noticed', () => !t.app.container.mqtt.status().connected, 30_000);
    const before = segments();
    await until('3 more segments while the broker is down', () => segments() >= before + 3, 60_000, 500);
    expect((await call<Camera>(t, 'GET', `/api/cameras/${cam.id}`)).body.status).toBe('online');
    expect((await call(t, 'GET', '/api/settings')).status).toBe(200);
    await broker.restart();
    sub = await subscriber(broker.url, [`${PREFIX}/#`], { username: USER.name, password: USER.password });
    await until('online again', () => sub.messages.find((m) => m.topic === `${PREFIX}/available` && m.payload.toString() === 'online'), 90_000, 250);
    expect(t.app.container.mqtt.status()).toMatchObject({ enabled: true, connected: true });
  }, 240_000);

  it('an event that ends publishes type end and its best-frame snapshot as a retained JPEG', async () => {
    expect((await call(t, 'PUT', `/api/cameras/${cam.id}`, { enabled: false })).status).toBe(200);
    const end = await until('an end message', () => sub.messages.find((m) => m.topic === `${PREFIX}/events` && json(m).type === 'end'), 60_000, 500);
    expect(json(end).after).toMatchObject({ camera: 'front_door', active: false });
    expect(typeof json(end).after.end_time).toBe('number');
    expect(json(end).before.active).toBe(true);
    const snap = await until('a snapshot', () => sub.messages.find((m) => m.topic === `${PREFIX}/front_door/motion/snapshot`), 60_000, 500);
    expect(isJpeg(snap.payload)).toBe(true);
    expect(sub.messages.some((m) => m.topic === `${PREFIX}/front_door/motion` && m.payload.toString() === 'OFF')).toBe(true);
  }, 150_000);

  it('clearing the URL disconnects and publishes offline', async () => {
    const watch = await subscriber(broker.url, [`${PREFIX}/available`], { username: USER.name, password: USER.password });
    try {
      expect((await call(t, 'PUT', '/api/settings', { mqtt_url: '' })).status).toBe(200);
      await until('offline', () => watch.messages.find((m) => m.payload.toString() === 'offline'), 30_000);
      expect(t.app.container.mqtt.status()).toMatchObject({ enabled: false, connected: false });
    } finally {
      await watch.close();
    }
  }, 60_000);
});
