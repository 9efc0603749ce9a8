// Backflow's slug ids of cameras (cameras.slug): set once, unique, kept across renames.
import type { Db } from './db/database';

export interface CameraSlugsRepository {
  /** camera id → slug, for the cameras that have one. */
  all(): Map<number, string>;
  /** False when another camera holds the slug. */
  set(cameraId: number, slug: string): boolean;
}

export class SqliteCameraSlugsRepository implements CameraSlugsRepository {
  constructor(private readonly db: Db) {}

  all(): Map<number, string> {
    return new Map((this.db.prepare('SELECT id, slug FROM cameras WHERE slug IS NOT NULL').all() as { id: number; slug: string }[]).map((r) => [r.id, r.slug]));
  }

  set(cameraId: number, slug: string): boolean {
    try {
      return this.db.prepare('UPDATE cameras SET slug = ? WHERE id = ?').run(slug, cameraId).changes > 0;
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return false;
      throw err;
    }
  }
}
