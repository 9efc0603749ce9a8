// Webhooks: pipeline and Vigil events POSTed as JSON with an HMAC-SHA256 signature over "<timestamp>.<body>", retried
// with exponential backoff, each attempt kept in the hook's delivery history. Every delivery runs on its own: a slow or
// dead receiver costs its own attempts (each bounded by a timeout) and never delays another hook or the caller.
import { createHmac, randomBytes } from 'node:crypto';
import { ApiError, notFound } from '../../shared/errors';
import { webhookCreateSchema, type FlexSettings, type WebhookEvent } from '../../shared/flex';
import { zodIssues } from '../../shared/zod-issues';
import type { PushMessage } from '../../shared/push-events';
import type { DeliveryRow, FlexStore, WebhookRow } from '../../repositories/flex/flex-store.repository';
import type { WebhookSender } from '../../repositories/net/webhook-sender.repository';
import type { Logger } from '../../repositories/logger';
import type { PushBus } from '../push-bus';

export const SIGNATURE_HEADER = 'X-Flex-Signature';
export const TIMESTAMP_HEADER = 'X-Flex-Timestamp';
export const EVENT_HEADER = 'X-Flex-Event';
const HISTORY = 100;
/** Deliveries of one hook in flight at once; more wait in its queue (bounded: the oldest waiting are dropped). */
const PER_HOOK_CONCURRENCY = 4;
const PER_HOOK_QUEUE = 500;

export const sign = (secret: string, timestamp: string, body: string): string => `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;

export interface WebhookView {
  id: string;
  url: string;
  events: WebhookEvent[] | null;
  created_at: string;
}

export interface WebhooksDeps {
  store: FlexStore;
  sender: WebhookSender;
  settings: () => FlexSettings;
  bus: PushBus;
  /** Whether an event has ended (so its update is "closed"). */
  eventEnded: (eventId: number) => boolean;
  log: Logger;
  now: () => number;
  /** Backoff before attempt n+1 (ms); 1 s, 2 s, 4 s… by default. */
  backoffMs?: (attempt: number) => number;
  sleep?: (ms: number) => Promise<void>;
}

const view = (h: WebhookRow): WebhookView => ({ id: h.id, url: h.url, events: h.events, created_at: new Date(h.created_ms).toISOString() });

export class WebhooksService {
  private readonly queues = new Map<string, { running: number; waiting: (() => Promise<void>)[] }>();
  private readonly closedEvents = new Set<number>();
  private readonly offline = new Set<number>();
  private unsubscribe: (() => void) | null = null;
  private stopped = false;
  private readonly inFlight = new Set<Promise<void>>();
  /** Aborts requests in flight at shutdown, so a hanging receiver cannot hold the stop for its timeout. */
  private readonly cancel = new AbortController();

  constructor(private readonly d: WebhooksDeps) {}

  list(): WebhookView[] {
    return this.d.store.webhooks().map(view);
  }

  create(body: unknown): WebhookView & { secret: string } {
    const parsed = webhookCreateSchema.safeParse(body);
    if (!parsed.success) throw new ApiError(400, zodIssues(parsed.error), {}, { code: 'VALIDATION_ERROR' });
    const row: WebhookRow = { id: randomBytes(8).toString('hex'), url: parsed.data.url, events: parsed.data.events ?? null, secret: parsed.data.secret ?? randomBytes(24).toString('base64url'), created_ms: this.d.now() };
    this.d.store.addWebhook(row);
    return { ...view(row), secret: row.secret };
  }

  delete(id: string): void {
    if (!this.d.store.deleteWebhook(id)) throw notFound(`Webhook ${id} not found`);
    this.queues.delete(id);
  }

  deliveries(id: string): Omit<DeliveryRow, 'webhook_id'>[] {
    if (!this.d.store.webhook(id)) throw notFound(`Webhook ${id} not found`);
    return this.d.store.deliveries(id, HISTORY).map(({ webhook_id: _w, ...r }) => r);
  }

  /** Turns push events into webhook events. */
  start(): void {
    this.unsubscribe = this.d.bus.subscribe((m) => {
      for (const [event, data] of this.translate(m)) this.dispatch(event, data);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    for (const q of this.queues.values()) q.waiting.length = 0;
    this.cancel.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  private translate(m: PushMessage): [WebhookEvent, Record<string, unknown>][] {
    switch (m.name) {
      case 'pipeline.status': {
        const p = m.payload as PushMessage<'pipeline.status'>['payload'];
        return p.state === 'error' ? [['pipeline.status', p], ['pipeline.error', { id: p.id, message: p.error }]] : [['pipeline.status', p]];
      }
      case 'event.created':
        return [['event.opened', m.payload as Record<string, unknown>]];
      case 'event.updated': {
        const p = m.payload as PushMessage<'event.updated'>['payload'];
        if (this.closedEvents.has(p.event_id) || !this.d.eventEnded(p.event_id)) return [];
        this.closedEvents.add(p.event_id);
        if (this.closedEvents.size > 10_000) this.closedEvents.delete(this.closedEvents.values().next().value as number);
        return [['event.closed', p]];
      }
      case 'face.recognized': {
        const p = m.payload as PushMessage<'face.recognized'>['payload'];
        return p.person_id === null ? [] : [['person.recognized', p]];
      }
      case 'camera.status': {
        const p = m.payload as PushMessage<'camera.status'>['payload'];
        const down = p.status !== 'online';
        if (down === this.offline.has(p.camera_id)) return [];
        if (down) this.offline.add(p.camera_id);
        else this.offline.delete(p.camera_id);
        return [[down ? 'camera.offline' : 'camera.online', p]];
      }
      default:
        return [];
    }
  }

  /** Queues the event for every hook that wants it; returns at once. */
  dispatch(event: WebhookEvent, data: Record<string, unknown>): void {
    if (this.stopped) return;
    const ts = this.d.now();
    for (const hook of this.d.store.webhooks()) {
      if (hook.events && !hook.events.includes(event)) continue;
      const body = JSON.stringify({ id: randomBytes(8).toString('hex'), event, timestamp: new Date(ts).toISOString(), data });
      this.enqueue(hook.id, () => this.deliver(hook, event, body));
    }
  }

  private enqueue(hookId: string, job: () => Promise<void>): void {
    let q = this.queues.get(hookId);
    if (!q) {
      q = { running: 0, waiting: [] };
      this.queues.set(hookId, q);
    }
    q.waiting.push(job);
    if (q.waiting.length > PER_HOOK_QUEUE) {
      q.waiting.shift();
      this.d.log.warn({ webhook: hookId }, 'webhook queue full: the oldest waiting delivery was dropped');
    }
    this.pump(q);
  }

  private pump(q: { running: number; waiting: (() => Promise<void>)[] }): void {
    while (q.running < PER_HOOK_CONCURRENCY && q.waiting.length > 0) {
      const job = q.waiting.shift() as () => Promise<void>;
      q.running++;
      const p = job()
        .catch((err: unknown) => this.d.log.error({ err: String(err) }, 'webhook delivery failed unexpectedly'))
        .finally(() => {
          q.running--;
          this.inFlight.delete(p);
          this.pump(q);
        });
      this.inFlight.add(p);
    }
  }

  private async deliver(hook: WebhookRow, event: WebhookEvent, body: string): Promise<void> {
    const s = this.d.settings();
    const backoff = this.d.backoffMs ?? ((n: number) => 1000 * 2 ** (n - 1));
    const sleep = this.d.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref()));
    for (let attempt = 1; attempt <= s.webhook_max_attempts && !this.stopped; attempt++) {
      const timestamp = String(Math.floor(this.d.now() / 1000));
      const t0 = this.d.now();
      const r = await this.d.sender.post(hook.url, body, { [SIGNATURE_HEADER]: sign(hook.secret, timestamp, body), [TIMESTAMP_HEADER]: timestamp, [EVENT_HEADER]: event }, s.webhook_timeout_s * 1000, this.cancel.signal);
      this.d.store.addDelivery({ webhook_id: hook.id, event, attempt, ok: r.ok, status: r.status, error: r.error, duration_ms: this.d.now() - t0, at_ms: t0 }, HISTORY);
      if (r.ok || this.stopped) return;
      if (attempt < s.webhook_max_attempts) await sleep(backoff(attempt));
    }
  }
}
