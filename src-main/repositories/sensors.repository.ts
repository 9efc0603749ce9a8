// Sensor registry rows, kept as one JSON value under the settings table's `sensor_registry` key (like the Pi's settings.json).
import type { SensorConfig } from '../shared/sensors';
import type { Db } from './db/database';

export interface SensorsRepository {
  list(): SensorConfig[];
  /** Replaces the whole registry in one write. */
  save(sensors: SensorConfig[]): void;
}

const KEY = 'sensor_registry';

export class SqliteSensorsRepository implements SensorsRepository {
  constructor(private readonly db: Db) {}

  list(): SensorConfig[] {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(KEY) as { value: string } | undefined;
    if (!row) return [];
    try {
      const v = JSON.parse(row.value) as unknown;
      return Array.isArray(v) ? (v as SensorConfig[]) : [];
    } catch {
      return [];
    }
  }

  save(sensors: SensorConfig[]): void {
    this.db
      .prepare(
        `INSERT INTO settings (key, value) VALUES (?, ?)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')`,
      )
      .run(KEY, JSON.stringify(sensors));
  }
}
