// Push events → an external MQTT broker in Frigate's topic convention, and per-camera set topics → the cameras service.
import type { Camera } from '../../shared/contract/cameras.contract';
import type { EventDto } from '../../shared/contract/events.contract';
import type { PushMessage } from '../../shared/push-events';
import type { Settings } from '../../shared/settings';
import type { Logger } from '../../repositories/logger';
import type { MqttConnection, MqttQos, MqttRepository } from '../../repositories/mqtt.repository';
import type { SecretName } from '../../services/settings.service';
import type { CameraUpdateInput } from '../../services/cameras/cameras.service';
import { cameraTopicNames, changedCounts, eventObject, featureState, objectCounts, parseSensorTopic, parseSetTopic, SET_FEATURES, type MqttEventObject, type SetFeature } from './mqtt-topics';

export interface MqttBridgeDeps {
  settings: {
    get(): Settings;
    secret(name: SecretName): string | null;
    onChange(fn: (next: Settings, prev: Settings) => void): () => void;
    onSecretChange(fn: (name: SecretName) => void): () => void;
  };
  bus: { subscribe(fn: (m: PushMessage) => void): () => void };
  mqtt: MqttRepository;
  events: { get(id: number): EventDto };
  cameras: { list(): Camera[]; update(input: CameraUpdateInput): Promise<Camera> };
  /** External sensors triggered over `<prefix>/sensors/<id>/set`. */
  sensors?: { trigger(id: number): unknown; release(id: number): unknown };
  /** The event's best-frame JPEG (its thumbnail), or null when it has none yet. */
  snapshot: (eventId: number) => Promise<Buffer | null>;
  log: Logger;
  clientId: string;
  /** Reconnect backoff bounds (tests shorten them). */
  backoff?: { minMs: number; maxMs: number };
}

export interface MqttStatus {
  enabled: boolean;
  connected: boolean;
  /** The broker URL (never carries credentials). */
  url: string | null;
  last_error: string | null;
}

const MQTT_KEYS = ['mqtt_url', 'mqtt_username', 'mqtt_topic_prefix', 'mqtt_qos', 'mqtt_tls_verify'] as const;
/** Events remembered for their `before` state; the oldest are forgotten beyond this. */
const MAX_TRACKED = 500;

interface Tracked {
  last: MqttEventObject;
  ended: boolean;
  snapshotSent: boolean;
}

export class MqttBridge {
  private conn: MqttConnection | null = null;
  /** The prefix and QoS the connection was made with (its last will names them). */
  private connAs: { prefix: string; qos: MqttQos } | null = null;
  private unsubscribe: (() => void)[] = [];
  private names = new Map<number, string>();
  private readonly tracked = new Map<number, Tracked>();
  private readonly counts = new Map<number, Map<string, number>>();
  /** The recording mode a camera had before recordings/set OFF, restored by ON. */
  private readonly recordingBefore = new Map<number, Camera['recording_mode']>();
  private lastError: string | null = null;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly d: MqttBridgeDeps) {}

  start(): void {
    this.unsubscribe.push(
      this.d.bus.subscribe((m) => this.onPush(m)),
      this.d.settings.onChange((next, prev) => {
        if (MQTT_KEYS.some((k) => next[k] !== prev[k])) this.reconnect();
      }),
      this.d.settings.onSecretChange((name) => {
        if (name === 'mqtt_password') this.reconnect();
      }),
    );
    this.refreshNames();
    this.reconnect();
  }

  /** Publishes `offline` (retained) and disconnects; waits for the broker at most a few seconds. */
  async stop(): Promise<void> {
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    await this.serial(() => this.disconnect());
  }

  status(): MqttStatus {
    const url = this.d.settings.get().mqtt_url;
    return { enabled: url !== '', connected: this.conn?.connected ?? false, url: url || null, last_error: this.lastError };
  }

  private get prefix(): string {
    return this.d.settings.get().mqtt_topic_prefix;
  }

  private get qos(): MqttQos {
    return this.d.settings.get().mqtt_qos;
  }

  private serial<T>(fn: () => Promise<T> | T): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private reconnect(): void {
    void this.serial(async () => {
      await this.disconnect();
      this.connect();
    });
  }

  private async disconnect(): Promise<void> {
    const c = this.conn;
    const as = this.connAs;
    this.conn = null;
    this.connAs = null;
    if (c && as) await c.close({ topic: `${as.prefix}/available`, payload: 'offline', qos: as.qos, retain: true });
  }

  private connect(): void {
    const s = this.d.settings.get();
    this.lastError = null;
    if (!s.mqtt_url) return;
    const prefix = s.mqtt_topic_prefix;
    let conn: MqttConnection;
    try {
      conn = this.connectTo(s);
    } catch (err) {
      this.lastError = err instanceof Error ? err.message : String(err);
      this.d.log.warn({ url: s.mqtt_url, error: this.lastError }, 'mqtt client not started');
      return;
    }
    this.conn = conn;
    this.connAs = { prefix, qos: s.mqtt_qos };
    conn.on('connect', () => {
      if (this.conn !== conn) return;
      this.lastError = null;
      this.d.log.info({ url: s.mqtt_url }, 'mqtt connected');
      conn.subscribe([...SET_FEATURES.map((f) => `${prefix}/+/${f}/set`), ...(this.d.sensors ? [`${prefix}/sensors/+/set`] : [])], s.mqtt_qos);
      this.publish(`${prefix}/available`, 'online', true);
      for (const c of this.d.cameras.list()) this.publishStates(c);
    });
    conn.on('down', (error, retryInMs) => {
      if (this.conn !== conn) return;
      this.lastError = error;
      this.d.log.warn({ url: s.mqtt_url, error, retry_in_ms: retryInMs }, 'mqtt broker unreachable; retrying');
    });
    conn.on('message', (topic, payload) => {
      if (this.conn === conn) void this.onSet(topic, payload);
    });
  }

  private connectTo(s: Settings): MqttConnection {
    return this.d.mqtt.connect({
      url: s.mqtt_url,
      username: s.mqtt_username,
      password: this.d.settings.secret('mqtt_password'),
      clientId: this.d.clientId,
      will: { topic: `${s.mqtt_topic_prefix}/available`, payload: 'offline', qos: s.mqtt_qos, retain: true },
      rejectUnauthorized: s.mqtt_tls_verify,
      minDelayMs: this.d.backoff?.minMs,
      maxDelayMs: this.d.backoff?.maxMs,
    });
  }

  private publish(topic: string, payload: string | Buffer, retain = false): void {
    this.conn?.publish({ topic, payload, qos: this.qos, retain });
  }

  private refreshNames(): void {
    this.names = cameraTopicNames(this.d.cameras.list());
  }

  private cameraName(id: number | null): string {
    if (id === null) return 'unknown';
    if (!this.names.has(id)) this.refreshNames();
    return this.names.get(id) ?? `camera_${id}`;
  }

  private publishStates(c: Camera): void {
    const name = this.cameraName(c.id);
    for (const f of SET_FEATURES) this.publish(`${this.prefix}/${name}/${f}/state`, featureState(c, f), true);
  }

  private onPush(m: PushMessage): void {
    try {
      switch (m.name) {
        case 'camera.added':
        case 'camera.updated': {
          this.refreshNames();
          const c = this.d.cameras.list().find((x) => x.id === (m as PushMessage<'camera.updated'>).payload.camera_id);
          if (c && this.conn?.connected) this.publishStates(c);
          break;
        }
        case 'camera.removed':
          this.refreshNames();
          this.counts.delete((m as PushMessage<'camera.removed'>).payload.camera_id);
          break;
        case 'event.created':
        case 'event.updated':
          this.onEvent((m as PushMessage<'event.created'>).payload.event_id, m.name === 'event.created');
          break;
        case 'event.deleted':
          for (const id of (m as PushMessage<'event.deleted'>).payload.event_ids) this.tracked.delete(id);
          break;
        case 'detections':
          this.onDetections(m as PushMessage<'detections'>);
          break;
        case 'face.recognized':
          this.onRecognized(m as PushMessage<'face.recognized'>);
          break;
        default:
          break;
      }
    } catch (err) {
      this.d.log.warn({ err, event: m.name }, 'mqtt: push event not published');
    }
  }

  private onEvent(id: number, created: boolean): void {
    if (!this.conn) return;
    let e: EventDto;
    try {
      e = this.d.events.get(id);
    } catch {
      return; // deleted meanwhile
    }
    const camera = this.cameraName(e.camera_id);
    const obj = eventObject(e, camera);
    const t = this.tracked.get(id);
    if (t && JSON.stringify(t.last) === JSON.stringify(obj)) return;
    const type = created || !t ? 'new' : !e.open && !t.ended ? 'end' : 'update';
    this.publish(`${this.prefix}/events`, JSON.stringify({ type, before: t?.last ?? obj, after: obj }));
    if (e.source === 'motion' && (type === 'new' || type === 'end')) this.publish(`${this.prefix}/${camera}/motion`, e.open ? 'ON' : 'OFF');
    const next: Tracked = { last: obj, ended: (t?.ended ?? false) || !e.open, snapshotSent: t?.snapshotSent ?? false };
    this.tracked.set(id, next);
    if (this.tracked.size > MAX_TRACKED) this.tracked.delete(this.tracked.keys().next().value as number);
    if (!next.snapshotSent && obj.has_snapshot) {
      next.snapshotSent = true;
      const topic = `${this.prefix}/${camera}/${e.label}/snapshot`;
      void this.d.snapshot(id).then(
        (jpeg) => {
          if (jpeg) this.publish(topic, jpeg, true);
        },
        (err: unknown) => this.d.log.warn({ err, event_id: id }, 'mqtt: snapshot not readable'),
      );
    }
  }

  private onDetections(m: PushMessage<'detections'>): void {
    if (!this.conn?.connected) return;
    const { camera_id, detections } = m.payload;
    const next = objectCounts(detections);
    const changed = changedCounts(this.counts.get(camera_id) ?? new Map(), next);
    this.counts.set(camera_id, next);
    const camera = this.cameraName(camera_id);
    for (const [label, n] of changed) this.publish(`${this.prefix}/${camera}/${label}`, String(n));
  }

  private onRecognized(m: PushMessage<'face.recognized'>): void {
    const p = m.payload;
    this.publish(
      `${this.prefix}/tracked_object_update`,
      JSON.stringify({ type: 'face', id: p.event_id === null ? null : String(p.event_id), name: p.person_name, score: p.evidence, camera: this.cameraName(p.camera_id), track_id: p.track_id, timestamp: Date.now() / 1000 }),
    );
  }

  private async onSet(topic: string, payload: Buffer): Promise<void> {
    const sensor = parseSensorTopic(this.prefix, topic, payload);
    if (sensor && this.d.sensors) {
      try {
        if (sensor.on) this.d.sensors.trigger(sensor.id);
        else this.d.sensors.release(sensor.id);
      } catch (err) {
        this.d.log.warn({ err, sensor_id: sensor.id }, 'mqtt: sensor message refused');
      }
      return;
    }
    const set = parseSetTopic(this.prefix, topic, payload);
    if (!set) {
      this.d.log.warn({ topic }, 'mqtt: ignored a set message (expects <prefix>/<camera>/<detect|recordings|motion>/set with ON or OFF)');
      return;
    }
    this.refreshNames();
    const id = [...this.names].find(([, n]) => n === set.camera)?.[0];
    const cam = id === undefined ? undefined : this.d.cameras.list().find((c) => c.id === id);
    if (!cam) {
      this.d.log.warn({ topic }, 'mqtt: set message for an unknown camera');
      return;
    }
    try {
      await this.d.cameras.update({ id: cam.id, ...this.change(cam, set.feature, set.on) });
    } catch (err) {
      // e.g. recordings OFF when that would delete recordings: MQTT never confirms a deletion.
      this.d.log.warn({ err, camera_id: cam.id, feature: set.feature }, 'mqtt: set message refused');
      this.publishStates(cam);
    }
  }

  private change(cam: Camera, feature: SetFeature, on: boolean): Partial<CameraUpdateInput> {
    if (feature === 'detect') return { detect_enabled: on };
    if (feature === 'motion') return { motion_enabled: on };
    if (!on) {
      if (cam.recording_mode !== 'off') this.recordingBefore.set(cam.id, cam.recording_mode);
      return { recording_mode: 'off' };
    }
    return { recording_mode: cam.recording_mode !== 'off' ? cam.recording_mode : (this.recordingBefore.get(cam.id) ?? 'continuous') };
  }
}
