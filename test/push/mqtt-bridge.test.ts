// The MQTT bridge's less common paths against a real broker (real: Mosquitto on 127.0.0.1, MQTT.js, PushBus, settings
// service on a SQLite file; stand-ins: the cameras and events services, so detections, recognitions and a refused
// recording change can be produced without a detector, face models or a recording to lose).
import { mkdtempSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultTuning, type Camera } from '../../src-main/shared/contract/cameras.contract';
import { ApiError } from '../../src-main/shared/errors';
import type { CameraUpdateInput } from '../../src-main/services/cameras/cameras.service';
import { openDatabase, type Db } from '../../src-main/repositories/db/database';
import { silentLogger } from '../../src-main/repositories/logger';
import { MqttJsRepository } from '../../src-main/repositories/mqtt.repository';
import { SqliteSettingsRepository } from '../../src-main/repositories/settings.repository';
import { SecretBox, SqliteSecretsRepository } from '../../src-main/repositories/secrets.repository';
import { PushBus } from '../../src-main/services/push-bus';
import { SettingsService } from '../../src-main/services/settings.service';
import { MqttBridge } from '../../src-main/transport/push/mqtt-bridge';
import { removeDir } from '../foundation/app-harness';
import { until } from '../cameras/helpers';
import { startBroker, subscriber, type Broker } from '../support/mosquitto';

let broker: Broker;
let dir: string;
let db: Db;
let bus: PushBus;
let settings: SettingsService;
let bridge: MqttBridge;
let sub: Awaited<ReturnType<typeof subscriber>>;
/** Recording changes that would delete recordings are refused, as the retention guard does without confirm. */
let refuseOff = true;

const camera = (id: number, name: string): Camera =>
  ({ id, name, rtsp_url: 'file', source_kind: 'file', enabled: true, is_demo: false, has_credentials: false, status: 'online', last_seen: null, last_error: null, fps: 5, created_at: '', ...defaultTuning, recording_mode: 'events' }) as Camera;
const cams = [camera(1, 'Front'), camera(2, 'Back yard')];
const updates: CameraUpdateInput[] = [];

const payloads = (topic: string): string[] => sub.messages.filter((m) => m.topic === topic).map((m) => m.payload.toString());
const det = (label: string, confirmed = true) => ({ track_id: 1, label, score: 0.9, box: [0, 0, 0.1, 0.1] as [number, number, number, number], confirmed });

beforeAll(async () => {
  broker = await startBroker();
  dir = mkdtempSync(join(tmpdir(), 'vigil-mqtt-bridge-'));
  db = openDatabase({ file: join(dir, 'vigil.db'), logger: silentLogger() });
  bus = new PushBus();
  settings = new SettingsService(new SqliteSettingsRepository(db), bus, silentLogger(), new SqliteSecretsRepository(db, new SecretBox(randomBytes(32))));
  bridge = new MqttBridge({
    settings,
    bus,
    mqtt: new MqttJsRepository(),
    events: {
      get: () => {
        throw new ApiError(404, 'gone');
      },
    },
    cameras: {
      list: () => cams,
      update: (input) => {
        updates.push(input);
        if (input.recording_mode === 'off' && refuseOff) return Promise.reject(new ApiError(409, 'would delete recordings'));
        const c = cams.find((x) => x.id === input.id) as Camera;
        Object.assign(c, Object.fromEntries(Object.entries(input).filter(([k]) => k !== 'id')));
        bus.emit('camera.updated', { camera_id: c.id });
        return Promise.resolve(c);
      },
    },
    snapshot: () => Promise.resolve(null),
    log: silentLogger(),
    clientId: 'vigil-bridge-test',
    backoff: { minMs: 200, maxMs: 1000 },
  });
  bridge.start();
  sub = await subscriber(broker.url, ['#']);
  settings.update({ mqtt_url: broker.url, mqtt_topic_prefix: 'home/nvr' });
  await until('online', () => payloads('home/nvr/available').includes('online'), 20_000);
}, 60_000);

afterAll(async () => {
  await bridge?.stop();
  await sub?.close();
  await broker?.stop();
  db?.close();
  if (dir) removeDir(dir);
});

describe('MQTT bridge', () => {
  it('publishes per-camera object counts only when they change, a vanished class as 0', async () => {
    bus.emit('detections', { camera_id: 1, ts: 1, model: 'm', detections: [det('person'), det('person'), det('car', false)] });
    bus.emit('detections', { camera_id: 1, ts: 2, model: 'm', detections: [det('person'), det('person')] });
    await until('counts', () => payloads('home/nvr/front/person').length === 1 && payloads('home/nvr/front/all').length === 1, 10_000);
    bus.emit('detections', { camera_id: 1, ts: 3, model: 'm', detections: [det('dog')] });
    await until('changed counts', () => payloads('home/nvr/front/person').includes('0'), 10_000);
    expect(payloads('home/nvr/front/person')).toEqual(['2', '0']);
    expect(payloads('home/nvr/front/dog')).toEqual(['1']);
    expect(payloads('home/nvr/front/all')).toEqual(['2', '1']);
    expect(payloads('home/nvr/front/car')).toEqual([]);
  });

  it('publishes a recognition on tracked_object_update', async () => {
    bus.emit('face.recognized', { camera_id: 2, track_id: 4, event_id: 17, person_id: 3, person_name: 'Ann', evidence: 0.93, faces: 3 });
    const m = await until('recognition', () => sub.messages.find((x) => x.topic === 'home/nvr/tracked_object_update'), 10_000);
    expect(JSON.parse(m.payload.toString())).toMatchObject({ type: 'face', id: '17', name: 'Ann', score: 0.93, camera: 'back_yard' });
  });

  it('recordings OFF that would delete recordings is refused and the state stays ON; ON restores the earlier mode', async () => {
    const states = () => payloads('home/nvr/back_yard/recordings/state');
    const before = states().length;
    sub.client.publish('home/nvr/back_yard/recordings/set', 'OFF');
    await until('state re-sent', () => states().length > before, 10_000);
    expect(states().at(-1)).toBe('ON');
    expect(cams[1]!.recording_mode).toBe('events');
    refuseOff = false;
    sub.client.publish('home/nvr/back_yard/recordings/set', 'OFF');
    await until('off', () => states().at(-1) === 'OFF', 10_000);
    sub.client.publish('home/nvr/back_yard/recordings/set', 'ON');
    await until('on', () => states().at(-1) === 'ON', 10_000);
    expect(cams[1]!.recording_mode).toBe('events');
    expect(updates.filter((u) => u.id === 2).map((u) => u.recording_mode)).toEqual(['off', 'off', 'events']);
  });

  it('drops messages while the broker is away instead of queueing them, and re-sends state on reconnect', async () => {
    await sub.close();
    await broker.kill();
    await until('down', () => !bridge.status().connected, 10_000);
    bus.emit('detections', { camera_id: 1, ts: 4, model: 'm', detections: [det('bicycle')] });
    await broker.restart();
    const fresh = await subscriber(broker.url, ['home/nvr/#']);
    try {
      await until('state re-sent after reconnect', () => fresh.messages.some((m) => m.topic === 'home/nvr/front/detect/state'), 20_000);
      await new Promise((r) => setTimeout(r, 500));
      expect(fresh.messages.filter((m) => m.topic === 'home/nvr/front/bicycle')).toEqual([]);
      expect(fresh.messages.find((m) => m.topic === 'home/nvr/available')?.payload.toString()).toBe('online');
    } finally {
      await fresh.close();
    }
    sub = await subscriber(broker.url, ['#']);
  }, 60_000);

  it('a prefix change says offline under the old prefix and online under the new one', async () => {
    settings.update({ mqtt_topic_prefix: 'vigil2' });
    await until('new prefix online', () => payloads('vigil2/available').includes('online'), 20_000);
    expect(payloads('home/nvr/available').at(-1)).toBe('offline');
  }, 30_000);
});
