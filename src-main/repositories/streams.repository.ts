// Push streams, their policies, pairing-code digests and the verification log, in SQLite.
import type { Db } from './db/database';

export interface StreamRow {
  id: string;
  camera_id: number | null;
  name: string;
  location: string | null;
  asset_type: string | null;
  region: string | null;
  expected_throughput: number | null;
  site_id: string | null;
  policy_id: string | null;
  status: 'active' | 'paused' | 'archived';
  group_id: string | null;
  last_frame_ms: number | null;
  token_hash: string | null;
  created_ms: number;
  updated_ms: number;
}

export type StreamFields = Omit<StreamRow, 'id' | 'camera_id' | 'last_frame_ms' | 'token_hash' | 'created_ms' | 'updated_ms'>;

export interface PolicyRow {
  id: string;
  name: string;
  /** JSON of the rules. */
  rules: string;
  created_ms: number;
  updated_ms: number;
}

export interface VerificationRow {
  frame_id: string;
  stream_id: string;
  policy_id: string | null;
  decision_id: string | null;
  ts_ms: number;
  is_compliant: boolean;
  /** JSON. */
  detections: string;
  /** JSON. */
  reasons: string;
  latency_ms: number;
}

export interface StreamsRepository {
  list(status?: StreamRow['status']): StreamRow[];
  get(id: string): StreamRow | undefined;
  insert(id: string, f: StreamFields, now: number): void;
  update(id: string, patch: Partial<StreamFields>, now: number): boolean;
  delete(id: string): boolean;
  setToken(id: string, hash: string, now: number): void;
  setCamera(id: string, cameraId: number | null): void;
  touchFrame(id: string, ts: number): void;

  addCode(digest: string, streamId: string, expiresMs: number, now: number): void;
  code(digest: string): { stream_id: string; expires_ms: number; consumed_ms: number | null } | undefined;
  /** Marks the code used; false when another exchange already did (single use under concurrency). */
  consumeCode(digest: string, now: number): boolean;
  /** Drops codes that expired before `beforeMs` (they only answer "expired" until then). */
  purgeCodes(beforeMs: number): number;

  listPolicies(): PolicyRow[];
  policy(id: string): PolicyRow | undefined;
  insertPolicy(p: PolicyRow): void;
  updatePolicy(id: string, patch: { name?: string; rules?: string }, now: number): boolean;
  deletePolicy(id: string): boolean;
  streamsUsing(policyId: string): string[];

  addVerification(v: VerificationRow): void;
  recentVerifications(streamId: string, limit: number): VerificationRow[];
}

const STREAM_COLUMNS = ['name', 'location', 'asset_type', 'region', 'expected_throughput', 'site_id', 'policy_id', 'status', 'group_id'] as const;

export class SqliteStreamsRepository implements StreamsRepository {
  constructor(private readonly db: Db) {}

  list(status?: StreamRow['status']): StreamRow[] {
    return (status
      ? this.db.prepare('SELECT * FROM streams WHERE status = ? ORDER BY created_ms DESC, id').all(status)
      : this.db.prepare('SELECT * FROM streams ORDER BY created_ms DESC, id').all()) as StreamRow[];
  }

  get(id: string): StreamRow | undefined {
    return this.db.prepare('SELECT * FROM streams WHERE id = ?').get(id) as StreamRow | undefined;
  }

  insert(id: string, f: StreamFields, now: number): void {
    this.db
      .prepare(
        `INSERT INTO streams (id, name, location, asset_type, region, expected_throughput, site_id, policy_id, status, group_id, created_ms, updated_ms)
         VALUES (@id, @name, @location, @asset_type, @region, @expected_throughput, @site_id, @policy_id, @status, @group_id, @now, @now)`,
      )
      .run({ ...f, id, now });
  }

  update(id: string, patch: Partial<StreamFields>, now: number): boolean {
    const cols = STREAM_COLUMNS.filter((c) => patch[c] !== undefined);
    const sets = [...cols.map((c) => `${c} = @${c}`), 'updated_ms = @now'].join(', ');
    return this.db.prepare(`UPDATE streams SET ${sets} WHERE id = @id`).run({ ...Object.fromEntries(cols.map((c) => [c, patch[c]])), id, now }).changes > 0;
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM streams WHERE id = ?').run(id).changes > 0;
  }

  setToken(id: string, hash: string, now: number): void {
    this.db.prepare('UPDATE streams SET token_hash = ?, updated_ms = ? WHERE id = ?').run(hash, now, id);
  }

  setCamera(id: string, cameraId: number | null): void {
    this.db.prepare('UPDATE streams SET camera_id = ? WHERE id = ?').run(cameraId, id);
  }

  touchFrame(id: string, ts: number): void {
    this.db.prepare('UPDATE streams SET last_frame_ms = MAX(COALESCE(last_frame_ms, 0), ?) WHERE id = ?').run(ts, id);
  }

  addCode(digest: string, streamId: string, expiresMs: number, now: number): void {
    this.db.prepare('INSERT INTO stream_pairing_codes (code_digest, stream_id, expires_ms, created_ms) VALUES (?, ?, ?, ?)').run(digest, streamId, expiresMs, now);
  }

  code(digest: string): { stream_id: string; expires_ms: number; consumed_ms: number | null } | undefined {
    return this.db.prepare('SELECT stream_id, expires_ms, consumed_ms FROM stream_pairing_codes WHERE code_digest = ?').get(digest) as { stream_id: string; expires_ms: number; consumed_ms: number | null } | undefined;
  }

  consumeCode(digest: string, now: number): boolean {
    return this.db.prepare('UPDATE stream_pairing_codes SET consumed_ms = ? WHERE code_digest = ? AND consumed_ms IS NULL').run(now, digest).changes > 0;
  }

  purgeCodes(beforeMs: number): number {
    return this.db.prepare('DELETE FROM stream_pairing_codes WHERE expires_ms < ?').run(beforeMs).changes;
  }

  listPolicies(): PolicyRow[] {
    return this.db.prepare('SELECT * FROM stream_policies ORDER BY name COLLATE NOCASE, id').all() as PolicyRow[];
  }

  policy(id: string): PolicyRow | undefined {
    return this.db.prepare('SELECT * FROM stream_policies WHERE id = ?').get(id) as PolicyRow | undefined;
  }

  insertPolicy(p: PolicyRow): void {
    this.db.prepare('INSERT INTO stream_policies (id, name, rules, created_ms, updated_ms) VALUES (@id, @name, @rules, @created_ms, @updated_ms)').run(p);
  }

  updatePolicy(id: string, patch: { name?: string; rules?: string }, now: number): boolean {
    return this.db.prepare('UPDATE stream_policies SET name = COALESCE(?, name), rules = COALESCE(?, rules), updated_ms = ? WHERE id = ?').run(patch.name ?? null, patch.rules ?? null, now, id).changes > 0;
  }

  deletePolicy(id: string): boolean {
    return this.db.prepare('DELETE FROM stream_policies WHERE id = ?').run(id).changes > 0;
  }

  streamsUsing(policyId: string): string[] {
    return this.db.prepare('SELECT id FROM streams WHERE policy_id = ? ORDER BY id').pluck().all(policyId) as string[];
  }

  addVerification(v: VerificationRow): void {
    this.db
      .prepare(
        `INSERT INTO stream_verifications (frame_id, stream_id, policy_id, decision_id, ts_ms, is_compliant, detections, reasons, latency_ms)
         VALUES (@frame_id, @stream_id, @policy_id, @decision_id, @ts_ms, @is_compliant, @detections, @reasons, @latency_ms)`,
      )
      .run({ ...v, is_compliant: v.is_compliant ? 1 : 0 });
  }

  recentVerifications(streamId: string, limit: number): VerificationRow[] {
    const rows = this.db.prepare('SELECT * FROM stream_verifications WHERE stream_id = ? ORDER BY ts_ms DESC LIMIT ?').all(streamId, limit) as (Omit<VerificationRow, 'is_compliant'> & { is_compliant: number })[];
    return rows.map((r) => ({ ...r, is_compliant: r.is_compliant === 1 }));
  }
}
