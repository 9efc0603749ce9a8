// MQTT broker connection (MQTT.js): last will, publish/subscribe, and reconnects with exponential backoff that never block.
import mqtt, { type MqttClient } from 'mqtt';

export type MqttQos = 0 | 1 | 2;

export interface MqttMessage {
  topic: string;
  payload: string | Buffer;
  qos: MqttQos;
  retain: boolean;
}

export interface MqttConnectOptions {
  /** mqtt:// or mqtts:// without userinfo: credentials travel in username/password only. */
  url: string;
  username: string | null;
  password: string | null;
  clientId: string;
  /** Published by the broker when this client disappears without a clean disconnect. */
  will: MqttMessage;
  /** For mqtts://: refuse a certificate that does not verify (false only for self-signed home brokers). */
  rejectUnauthorized: boolean;
  /** Backoff bounds; tests shorten them. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

export interface MqttConnectionEvents {
  /** Connected (first time and after every reconnect): subscriptions and retained state are (re)sent here. */
  connect: () => void;
  /** Lost the broker or failed to reach it; `error` says why when known (never contains the password). */
  down: (error: string | null, retryInMs: number) => void;
  message: (topic: string, payload: Buffer) => void;
}

export interface MqttConnection {
  readonly connected: boolean;
  /** Fire and forget: a publish while disconnected is dropped, never queued without bound. */
  publish(m: MqttMessage): void;
  subscribe(topics: string[], qos: MqttQos): void;
  on<E extends keyof MqttConnectionEvents>(event: E, fn: MqttConnectionEvents[E]): void;
  /** Publishes `last` (when connected) and disconnects cleanly; no reconnect afterwards. */
  close(last?: MqttMessage): Promise<void>;
}

export interface MqttRepository {
  connect(o: MqttConnectOptions): MqttConnection;
}

/** Delay before reconnect attempt `attempt` (0-based): doubles from min to max, with up to 20 % jitter below. */
export function reconnectDelay(attempt: number, minMs = 1000, maxMs = 60_000, random: () => number = Math.random): number {
  const base = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return Math.max(minMs, Math.round(base * (1 - 0.2 * random())));
}

class MqttJsConnection implements MqttConnection {
  private readonly client: MqttClient;
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;
  private closing = false;
  private lastError: string | null = null;
  private readonly listeners: { [E in keyof MqttConnectionEvents]: MqttConnectionEvents[E][] } = { connect: [], down: [], message: [] };

  constructor(private readonly o: MqttConnectOptions) {
    this.client = mqtt.connect(o.url, {
      clientId: o.clientId,
      username: o.username ?? undefined,
      password: o.password ?? undefined,
      will: { topic: o.will.topic, payload: Buffer.from(o.will.payload), qos: o.will.qos, retain: o.will.retain },
      rejectUnauthorized: o.rejectUnauthorized,
      clean: true,
      // Reconnects are scheduled here with backoff (MQTT.js retries at a fixed period).
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      keepalive: 30,
      queueQoSZero: false,
      resubscribe: false,
    });
    this.client.on('connect', () => {
      this.attempt = 0;
      this.lastError = null;
      for (const fn of this.listeners.connect) fn();
    });
    this.client.on('message', (topic, payload) => {
      for (const fn of this.listeners.message) fn(topic, payload);
    });
    // Errors arrive here (refused, bad credentials, TLS); 'close' follows and schedules the retry.
    this.client.on('error', (err) => {
      this.lastError = err.message;
    });
    this.client.on('close', () => this.scheduleReconnect());
  }

  get connected(): boolean {
    return this.client.connected;
  }

  private scheduleReconnect(): void {
    if (this.closing || this.timer) return;
    const delay = reconnectDelay(this.attempt++, this.o.minDelayMs, this.o.maxDelayMs);
    for (const fn of this.listeners.down) fn(this.lastError, delay);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.closing) this.client.reconnect();
    }, delay);
    this.timer.unref();
  }

  publish(m: MqttMessage): void {
    if (!this.client.connected) return;
    this.client.publish(m.topic, m.payload, { qos: m.qos, retain: m.retain }, () => undefined);
  }

  subscribe(topics: string[], qos: MqttQos): void {
    if (!this.client.connected || !topics.length) return;
    this.client.subscribe(topics, { qos }, () => undefined);
  }

  on<E extends keyof MqttConnectionEvents>(event: E, fn: MqttConnectionEvents[E]): void {
    this.listeners[event].push(fn);
  }

  async close(last?: MqttMessage): Promise<void> {
    this.closing = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (last && this.client.connected) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 2000);
        this.client.publish(last.topic, last.payload, { qos: last.qos, retain: last.retain }, () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    // A broker that is gone cannot acknowledge a DISCONNECT: force after a short wait.
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => this.client.end(true, {}, () => resolve()), 2000);
      this.client.end(false, {}, () => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}

export class MqttJsRepository implements MqttRepository {
  connect(o: MqttConnectOptions): MqttConnection {
    return new MqttJsConnection(o);
  }
}
