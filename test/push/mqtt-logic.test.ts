// Pure MQTT mapping, backoff and the write-only broker password (real: SQLite file, AES-GCM secret box; mock: none).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { reconnectDelay } from '../../src-main/repositories/mqtt.repository';
import { cameraTopicNames, changedCounts, eventObject, featureState, objectCounts, parseSensorTopic, parseSetTopic } from '../../src-main/transport/push/mqtt-topics';
import { settingsSchema } from '../../src-main/shared/settings';
import { openDatabase } from '../../src-main/repositories/db/database';
import { silentLogger } from '../../src-main/repositories/logger';
import { SqliteSettingsRepository } from '../../src-main/repositories/settings.repository';
import { SecretBox, SqliteSecretsRepository } from '../../src-main/repositories/secrets.repository';
import { SettingsService } from '../../src-main/services/settings.service';
import { PushBus } from '../../src-main/services/push-bus';
import type { EventDto } from '../../src-main/shared/contract/events.contract';
import { removeDir } from '../foundation/app-harness';

describe('MQTT topic mapping', () => {
  it('names cameras as one safe topic level and separates equal names by id', () => {
    const names = cameraTopicNames([
      { id: 1, name: 'Front Door' },
      { id: 2, name: 'front door' },
      { id: 3, name: 'Garage/#+' },
      { id: 4, name: '***' },
    ]);
    expect([...names]).toEqual([
      [1, 'front_door_1'],
      [2, 'front_door_2'],
      [3, 'garage'],
      [4, 'camera_4'],
    ]);
  });

  it('parses only <prefix>/<camera>/<detect|recordings|motion>/set with ON or OFF', () => {
    expect(parseSetTopic('vigil', 'vigil/front/detect/set', Buffer.from('OFF'))).toEqual({ camera: 'front', feature: 'detect', on: false });
    expect(parseSetTopic('a/b', 'a/b/front/recordings/set', ' on\n')).toEqual({ camera: 'front', feature: 'recordings', on: true });
    expect(parseSetTopic('vigil', 'vigil/front/motion/set', 'maybe')).toBeNull();
    expect(parseSetTopic('vigil', 'vigil/front/snapshots/set', 'ON')).toBeNull();
    expect(parseSetTopic('vigil', 'other/front/detect/set', 'ON')).toBeNull();
    expect(parseSetTopic('vigil', 'vigil/front/detect/state', 'ON')).toBeNull();
    expect(parseSetTopic('vigil', 'vigil/a/b/detect/set', 'ON')).toBeNull();
  });

  it('parses <prefix>/sensors/<id>/set for external sensors', () => {
    expect(parseSensorTopic('vigil', 'vigil/sensors/12/set', 'ON')).toEqual({ id: 12, on: true });
    expect(parseSensorTopic('a/b', 'a/b/sensors/3/set', 'off')).toEqual({ id: 3, on: false });
    expect(parseSensorTopic('vigil', 'vigil/sensors/x/set', 'ON')).toBeNull();
    expect(parseSensorTopic('vigil', 'vigil/sensors/1/set', 'toggle')).toBeNull();
    expect(parseSensorTopic('vigil', 'other/sensors/1/set', 'ON')).toBeNull();
  });

  it('reports feature states as ON/OFF', () => {
    const c = { detect_enabled: false, motion_enabled: true, recording_mode: 'off' as const };
    expect([featureState(c, 'detect'), featureState(c, 'motion'), featureState(c, 'recordings')]).toEqual(['OFF', 'ON', 'OFF']);
  });

  it('counts confirmed objects per class and publishes a vanished class as 0', () => {
    const d = (label: string, confirmed = true) => ({ track_id: 1, label, score: 0.9, box: [0, 0, 1, 1] as [number, number, number, number], confirmed });
    const a = objectCounts([d('person'), d('person'), d('car', false)]);
    expect([...a]).toEqual([
      ['all', 2],
      ['person', 2],
    ]);
    const b = objectCounts([d('car')]);
    expect(changedCounts(a, b).sort()).toEqual([
      ['all', 1],
      ['car', 1],
      ['person', 0],
    ]);
    expect(changedCounts(b, b)).toEqual([]);
  });

  it("maps an event onto Frigate's fields in seconds", () => {
    const e: EventDto = {
      id: 7, camera_id: 2, camera_name: 'Front', label: 'person', source: 'detection', score: 0.8,
      started_at: '2026-01-01T00:00:01.500Z', ended_at: null, window_start: '2026-01-01T00:00:00.000Z', window_end: null, duration: 1, open: true, retain: false,
      person_id: 3, person_name: 'Ann', identity_id: null, boxes: [{ label: 'person', score: 0.8, box: [0.1, 0.1, 0.2, 0.5] }],
      objects: [{ track_id: 1, label: 'person', best_score: 0.8, first_seen: '2026-01-01T00:00:01.500Z', last_seen: '2026-01-01T00:00:01.500Z', box: [0.1, 0.1, 0.2, 0.5] }],
      clip_url: null, thumbnail_url: '/api/events/7/thumbnail', sprite_url: null, created_at: '2026-01-01T00:00:01.500Z',
    };
    expect(eventObject(e, 'front')).toMatchObject({ id: '7', camera: 'front', label: 'person', sub_label: ['Ann', null], start_time: Date.parse(e.started_at) / 1000, end_time: null, active: true, has_snapshot: true, has_clip: false, objects: ['person'] });
  });
});

describe('reconnect backoff', () => {
  it('doubles from the minimum up to the maximum, jitter only below', () => {
    const none = () => 0;
    expect([0, 1, 2, 3, 10, 100].map((a) => reconnectDelay(a, 1000, 30_000, none))).toEqual([1000, 2000, 4000, 8000, 30_000, 30_000]);
    for (let a = 0; a < 20; a++) {
      const d = reconnectDelay(a, 500, 10_000);
      expect(d).toBeGreaterThanOrEqual(500);
      expect(d).toBeLessThanOrEqual(10_000);
    }
  });
});

describe('MQTT settings', () => {
  it('accept mqtt:// and mqtts:// brokers without credentials, or empty for off', () => {
    const ok = ['', 'mqtt://127.0.0.1:1883', 'mqtts://broker.lan', 'mqtt://[::1]:1883/'];
    for (const mqtt_url of ok) expect(settingsSchema.safeParse({ mqtt_url }).success, mqtt_url).toBe(true);
    const bad = ['http://x', 'mqtt://user:pw@host', 'mqtt://host/topic', 'mqtt://', 'mqtt://a b', 'tcp://host:1883'];
    for (const mqtt_url of bad) expect(settingsSchema.safeParse({ mqtt_url }).success, mqtt_url).toBe(false);
    expect(settingsSchema.parse({})).toMatchObject({ mqtt_url: '', mqtt_topic_prefix: 'vigil', mqtt_qos: 0, mqtt_username: null });
    for (const p of ['a/+', '#', 'a//b', '/a', 'a b']) expect(settingsSchema.safeParse({ mqtt_topic_prefix: p }).success, p).toBe(false);
  });

  it('store the password sealed, answer only whether it is set, and tell the MQTT side when it changes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-mqtt-settings-'));
    const db = openDatabase({ file: join(dir, 'vigil.db'), logger: silentLogger() });
    try {
      const secrets = new SqliteSecretsRepository(db, new SecretBox(randomBytes(32)));
      const svc = new SettingsService(new SqliteSettingsRepository(db), new PushBus(), silentLogger(), secrets);
      const changed: string[] = [];
      svc.onSecretChange((n) => changed.push(n));
      expect(svc.view().mqtt_password_set).toBe(false);
      const v = svc.updateWithSecrets({ mqtt_url: 'mqtt://127.0.0.1:1883', mqtt_password: 'hunter22' });
      expect(v).toMatchObject({ mqtt_url: 'mqtt://127.0.0.1:1883', mqtt_password_set: true });
      expect(JSON.stringify(v)).not.toContain('hunter22');
      expect(svc.secret('mqtt_password')).toBe('hunter22');
      const raw = db.prepare("SELECT value FROM secrets WHERE name = 'settings.mqtt_password'").pluck().get() as Buffer;
      expect(raw.includes(Buffer.from('hunter22'))).toBe(false);
      svc.updateWithSecrets({ mqtt_password: 'hunter22' });
      expect(changed).toEqual(['mqtt_password']);
      // A rejected update writes no password.
      expect(() => svc.updateWithSecrets({ mqtt_url: 'nope', mqtt_password: 'other' })).toThrow();
      expect(svc.secret('mqtt_password')).toBe('hunter22');
      svc.updateWithSecrets({ mqtt_password: null });
      expect(svc.view().mqtt_password_set).toBe(false);
      expect(changed).toEqual(['mqtt_password', 'mqtt_password']);
    } finally {
      db.close();
      removeDir(dir);
    }
  });
});
