// Opens the SQLite file in WAL mode, backs it up and applies pending migrations in one transaction each.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import type { Logger } from '../logger';
import { migrations as allMigrations, type Migration } from './migrations';

export type Db = Database;

export interface OpenOptions {
  file: string;
  logger?: Logger;
  /** Migrate up to this version only (tests of migration N use N-1). */
  targetVersion?: number;
  migrations?: Migration[];
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function openDatabase(opts: OpenOptions): Db {
  const list = opts.migrations ?? allMigrations;
  const target = opts.targetVersion ?? list.length;
  const existed = existsSync(opts.file);
  const db = new BetterSqlite3(opts.file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  try {
    migrate(db, list, target, existed ? opts.file : null, opts.logger);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

export function migrate(db: Db, list: Migration[], target: number, fileForBackup: string | null, logger?: Logger): void {
  list.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${m.name} is numbered ${m.version}, expected ${i + 1}`);
  });
  const current = schemaVersion(db);
  if (current > list.length) throw new Error(`database schema v${current} is newer than this Vigil (v${list.length}); refusing to open it`);
  if (current >= target) return;
  if (fileForBackup && current > 0) {
    const dir = join(fileForBackup, '..', 'backups');
    mkdirSync(dir, { recursive: true });
    const backup = join(dir, `vigil-v${current}-${new Date().toISOString().replace(/[:.]/g, '-')}.db`);
    db.pragma('wal_checkpoint(TRUNCATE)');
    copyFileSync(fileForBackup, backup);
    logger?.info({ backup, from: current, to: target }, 'database backed up before migration');
  }
  for (const m of list.slice(current, target)) {
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
    logger?.info({ version: m.version, name: m.name }, 'migration applied');
  }
}
