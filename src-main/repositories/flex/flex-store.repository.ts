// Flex family storage in SQLite: pipeline specs, webhooks (secret sealed at rest) with their delivery history, settings.
import type { Db } from '../db/database';
import type { SecretBox } from '../secrets.repository';
import type { PipelineSpec, WebhookEvent } from '../../shared/flex';

export interface PipelineRow {
  id: string;
  spec: PipelineSpec;
  created_ms: number;
  updated_ms: number;
}

export interface WebhookRow {
  id: string;
  url: string;
  events: WebhookEvent[] | null;
  secret: string;
  created_ms: number;
}

export interface DeliveryRow {
  id: number;
  webhook_id: string;
  event: string;
  attempt: number;
  ok: boolean;
  status: number | null;
  error: string | null;
  duration_ms: number;
  at_ms: number;
}

export interface FlexStore {
  pipelines(): PipelineRow[];
  pipeline(id: string): PipelineRow | null;
  putPipeline(row: PipelineRow): void;
  deletePipeline(id: string): boolean;
  webhooks(): WebhookRow[];
  webhook(id: string): WebhookRow | null;
  addWebhook(row: WebhookRow): void;
  deleteWebhook(id: string): boolean;
  /** Appends a delivery attempt and keeps the newest `keep` of the hook. */
  addDelivery(d: Omit<DeliveryRow, 'id'>, keep: number): void;
  deliveries(webhookId: string, limit: number): DeliveryRow[];
  settings(): Record<string, unknown>;
  putSettings(values: Record<string, unknown>): void;
}

export class SqliteFlexStore implements FlexStore {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  pipelines(): PipelineRow[] {
    return (this.db.prepare('SELECT id, spec_json, created_ms, updated_ms FROM pipelines ORDER BY created_ms, id').all() as { id: string; spec_json: string; created_ms: number; updated_ms: number }[]).map(
      (r) => ({ id: r.id, spec: JSON.parse(r.spec_json) as PipelineSpec, created_ms: r.created_ms, updated_ms: r.updated_ms }),
    );
  }

  pipeline(id: string): PipelineRow | null {
    const r = this.db.prepare('SELECT id, spec_json, created_ms, updated_ms FROM pipelines WHERE id = ?').get(id) as { id: string; spec_json: string; created_ms: number; updated_ms: number } | undefined;
    return r ? { id: r.id, spec: JSON.parse(r.spec_json) as PipelineSpec, created_ms: r.created_ms, updated_ms: r.updated_ms } : null;
  }

  putPipeline(row: PipelineRow): void {
    this.db
      .prepare('INSERT INTO pipelines (id, name, spec_json, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name, spec_json = excluded.spec_json, updated_ms = excluded.updated_ms')
      .run(row.id, row.spec.name, JSON.stringify(row.spec), row.created_ms, row.updated_ms);
  }

  deletePipeline(id: string): boolean {
    return this.db.prepare('DELETE FROM pipelines WHERE id = ?').run(id).changes > 0;
  }

  private hook(r: { id: string; url: string; events_json: string; secret_enc: Buffer; created_ms: number }): WebhookRow {
    return { id: r.id, url: r.url, events: JSON.parse(r.events_json) as WebhookEvent[] | null, secret: this.box.open(r.secret_enc), created_ms: r.created_ms };
  }

  webhooks(): WebhookRow[] {
    return (this.db.prepare('SELECT id, url, events_json, secret_enc, created_ms FROM webhooks ORDER BY created_ms, id').all() as Parameters<SqliteFlexStore['hook']>[0][]).map((r) => this.hook(r));
  }

  webhook(id: string): WebhookRow | null {
    const r = this.db.prepare('SELECT id, url, events_json, secret_enc, created_ms FROM webhooks WHERE id = ?').get(id) as Parameters<SqliteFlexStore['hook']>[0] | undefined;
    return r ? this.hook(r) : null;
  }

  addWebhook(row: WebhookRow): void {
    this.db.prepare('INSERT INTO webhooks (id, url, events_json, secret_enc, created_ms) VALUES (?, ?, ?, ?, ?)').run(row.id, row.url, JSON.stringify(row.events), this.box.seal(row.secret), row.created_ms);
  }

  deleteWebhook(id: string): boolean {
    return this.db.prepare('DELETE FROM webhooks WHERE id = ?').run(id).changes > 0;
  }

  addDelivery(d: Omit<DeliveryRow, 'id'>, keep: number): void {
    this.db.transaction(() => {
      // The hook may have been deleted while this attempt ran.
      if (!this.db.prepare('SELECT 1 FROM webhooks WHERE id = ?').get(d.webhook_id)) return;
      this.db
        .prepare('INSERT INTO webhook_deliveries (webhook_id, event, attempt, ok, status, error, duration_ms, at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(d.webhook_id, d.event, d.attempt, d.ok ? 1 : 0, d.status, d.error, d.duration_ms, d.at_ms);
      this.db.prepare('DELETE FROM webhook_deliveries WHERE webhook_id = ? AND id NOT IN (SELECT id FROM webhook_deliveries WHERE webhook_id = ? ORDER BY id DESC LIMIT ?)').run(d.webhook_id, d.webhook_id, keep);
    })();
  }

  deliveries(webhookId: string, limit: number): DeliveryRow[] {
    return (
      this.db.prepare('SELECT id, webhook_id, event, attempt, ok, status, error, duration_ms, at_ms FROM webhook_deliveries WHERE webhook_id = ? ORDER BY id DESC LIMIT ?').all(webhookId, limit) as (Omit<DeliveryRow, 'ok'> & { ok: number })[]
    ).map((r) => ({ ...r, ok: r.ok === 1 }));
  }

  settings(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const r of this.db.prepare('SELECT key, value_json FROM flex_settings').all() as { key: string; value_json: string }[]) out[r.key] = JSON.parse(r.value_json) as unknown;
    return out;
  }

  putSettings(values: Record<string, unknown>): void {
    const put = this.db.prepare('INSERT INTO flex_settings (key, value_json) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json');
    this.db.transaction(() => {
      for (const [k, v] of Object.entries(values)) put.run(k, JSON.stringify(v));
    })();
  }
}
