// The cameras table: the source URL and credentials are sealed with AES-256-GCM; tuning lives in a zod-checked JSON column.
import { parseStoredTuning, type CameraStatus, type CameraTuning, type SourceKind } from '../shared/contract/cameras.contract';
import type { Db } from './db/database';
import type { SecretBox } from './secrets.repository';

/** The decrypted source. Only the worker runtime and the probe ever see it; it never leaves the server. */
export interface CameraSource {
  url: string;
  username: string | null;
  password: string | null;
}

export interface CameraRecord {
  id: number;
  name: string;
  kind: SourceKind;
  source: CameraSource;
  url_host: string;
  enabled: boolean;
  is_demo: boolean;
  tuning: CameraTuning;
  status: CameraStatus;
  last_seen: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

/** What other services read of a camera: no sealed source is opened to answer it. */
export type CameraSettingsRecord = Pick<CameraRecord, 'id' | 'name' | 'kind' | 'enabled' | 'tuning'>;

export type NewCamera = Pick<CameraRecord, 'name' | 'kind' | 'source' | 'url_host' | 'enabled' | 'is_demo' | 'tuning'>;

export type CameraPatch = Partial<Omit<NewCamera, 'is_demo'>>;

export interface CamerasRepository {
  list(): CameraRecord[];
  get(id: number): CameraRecord | null;
  listSettings(): CameraSettingsRecord[];
  getSettings(id: number): CameraSettingsRecord | null;
  insert(c: NewCamera): number;
  update(id: number, patch: CameraPatch): void;
  setStatus(id: number, s: { status: CameraStatus; last_seen: string | null; last_error: string | null }): void;
  delete(id: number): boolean;
  /** True once any camera was ever created in this database (deleted ones included). */
  everCreated(): boolean;
}

interface Row {
  id: number;
  name: string;
  source_kind: SourceKind;
  url_enc: Buffer;
  url_host: string;
  enabled: number;
  is_demo: number;
  recording_mode: CameraTuning['recording_mode'];
  config: string;
  status: CameraStatus;
  last_seen: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

type SettingsRow = Pick<Row, 'id' | 'name' | 'source_kind' | 'enabled' | 'recording_mode' | 'config'>;
const SETTINGS_COLUMNS = 'id, name, source_kind, enabled, recording_mode, config';

const toSettings = (r: SettingsRow): CameraSettingsRecord => ({ id: r.id, name: r.name, kind: r.source_kind, enabled: r.enabled === 1, tuning: parseStoredTuning(r.config, r.recording_mode) });

export class SqliteCamerasRepository implements CamerasRepository {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  private seal(s: CameraSource): Buffer {
    return this.box.seal(JSON.stringify({ url: s.url, username: s.username, password: s.password }));
  }

  private open(b: Buffer): CameraSource {
    const v = JSON.parse(this.box.open(b)) as Partial<CameraSource>;
    return { url: String(v.url ?? ''), username: v.username ?? null, password: v.password ?? null };
  }

  private toRecord(r: Row): CameraRecord {
    return {
      id: r.id,
      name: r.name,
      kind: r.source_kind,
      source: this.open(r.url_enc),
      url_host: r.url_host,
      enabled: r.enabled === 1,
      is_demo: r.is_demo === 1,
      tuning: parseStoredTuning(r.config, r.recording_mode),
      status: r.status,
      last_seen: r.last_seen,
      last_error: r.last_error,
      created_at: r.created_at,
      updated_at: r.updated_at,
    };
  }

  list(): CameraRecord[] {
    return (this.db.prepare('SELECT * FROM cameras ORDER BY id').all() as Row[]).map((r) => this.toRecord(r));
  }

  get(id: number): CameraRecord | null {
    const r = this.db.prepare('SELECT * FROM cameras WHERE id = ?').get(id) as Row | undefined;
    return r ? this.toRecord(r) : null;
  }

  listSettings(): CameraSettingsRecord[] {
    return (this.db.prepare(`SELECT ${SETTINGS_COLUMNS} FROM cameras ORDER BY id`).all() as SettingsRow[]).map(toSettings);
  }

  getSettings(id: number): CameraSettingsRecord | null {
    const r = this.db.prepare(`SELECT ${SETTINGS_COLUMNS} FROM cameras WHERE id = ?`).get(id) as SettingsRow | undefined;
    return r ? toSettings(r) : null;
  }

  insert(c: NewCamera): number {
    const { recording_mode, ...config } = c.tuning;
    const info = this.db
      .prepare(
        `INSERT INTO cameras (name, source_kind, url_enc, url_host, enabled, is_demo, recording_mode, config)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(c.name, c.kind, this.seal(c.source), c.url_host, c.enabled ? 1 : 0, c.is_demo ? 1 : 0, recording_mode, JSON.stringify(config));
    return Number(info.lastInsertRowid);
  }

  update(id: number, p: CameraPatch): void {
    const sets: string[] = [];
    const args: unknown[] = [];
    const set = (col: string, v: unknown) => {
      sets.push(`${col} = ?`);
      args.push(v);
    };
    if (p.name !== undefined) set('name', p.name);
    if (p.kind !== undefined) set('source_kind', p.kind);
    if (p.source !== undefined) set('url_enc', this.seal(p.source));
    if (p.url_host !== undefined) set('url_host', p.url_host);
    if (p.enabled !== undefined) set('enabled', p.enabled ? 1 : 0);
    if (p.tuning !== undefined) {
      const { recording_mode, ...config } = p.tuning;
      set('recording_mode', recording_mode);
      set('config', JSON.stringify(config));
    }
    if (sets.length === 0) return;
    sets.push(`updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')`);
    this.db.prepare(`UPDATE cameras SET ${sets.join(', ')} WHERE id = ?`).run(...args, id);
  }

  setStatus(id: number, s: { status: CameraStatus; last_seen: string | null; last_error: string | null }): void {
    this.db.prepare('UPDATE cameras SET status = ?, last_seen = ?, last_error = ? WHERE id = ?').run(s.status, s.last_seen, s.last_error, id);
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM cameras WHERE id = ?').run(id).changes > 0;
  }

  everCreated(): boolean {
    const r = this.db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'cameras'`).get() as { seq: number } | undefined;
    return (r?.seq ?? 0) > 0 || (this.db.prepare('SELECT COUNT(*) AS n FROM cameras').get() as { n: number }).n > 0;
  }
}
