// Settings rows: one JSON value per key in the settings table.
import type { Db } from './db/database';

export interface SettingsRepository {
  readAll(): Record<string, unknown>;
  writeMany(values: Record<string, unknown>): void;
}

export class SqliteSettingsRepository implements SettingsRepository {
  constructor(private readonly db: Db) {}

  readAll(): Record<string, unknown> {
    const rows = this.db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[];
    const out: Record<string, unknown> = {};
    for (const r of rows) {
      try {
        out[r.key] = JSON.parse(r.value);
      } catch {
        // A hand-edited, unparseable row falls back to the default rather than blocking start-up.
      }
    }
    return out;
  }

  writeMany(values: Record<string, unknown>): void {
    const stmt = this.db.prepare(
      `INSERT INTO settings (key, value) VALUES (?, ?)
       ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')`,
    );
    this.db.transaction(() => {
      for (const [k, v] of Object.entries(values)) stmt.run(k, JSON.stringify(v));
    })();
  }
}
