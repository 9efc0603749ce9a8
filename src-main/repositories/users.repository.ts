// Users in SQLite: role, Argon2id password hash, SHA-256 of the personal API key; plus revoked session token ids.
import type { Db } from './db/database';
import type { Role } from '../shared/access';

export interface UserRow {
  id: number;
  username: string;
  role: Role;
  password_hash: string;
  has_api_key: boolean;
  sessions_epoch: number;
  created_ms: number;
}

export interface UsersRepository {
  list(): UserRow[];
  get(id: number): UserRow | null;
  byUsername(username: string): UserRow | null;
  byApiKeyHash(hash: Buffer): UserRow | null;
  /** Null when the username is taken. */
  insert(u: { username: string; role: Role; password_hash: string; created_ms: number }): UserRow | null;
  update(id: number, patch: { role?: Role; password_hash?: string; bumpEpoch?: boolean }): UserRow | null;
  setApiKeyHash(id: number, hash: Buffer): void;
  delete(id: number): boolean;
  revoke(jti: string, expiresMs: number): void;
  isRevoked(jti: string): boolean;
  /** Drops revocations whose token has expired anyway; returns how many. */
  sweepRevoked(now: number): number;
}

type Raw = Omit<UserRow, 'has_api_key'> & { api_key_hash: Buffer | null };
const COLS = 'id, username, role, password_hash, api_key_hash, sessions_epoch, created_ms';
const toRow = (r: Raw | undefined): UserRow | null => {
  if (!r) return null;
  const { api_key_hash, ...rest } = r;
  return { ...rest, has_api_key: api_key_hash !== null };
};

export class SqliteUsersRepository implements UsersRepository {
  constructor(private readonly db: Db) {}

  list(): UserRow[] {
    return (this.db.prepare(`SELECT ${COLS} FROM users ORDER BY id`).all() as Raw[]).map((r) => toRow(r) as UserRow);
  }

  get(id: number): UserRow | null {
    return toRow(this.db.prepare(`SELECT ${COLS} FROM users WHERE id = ?`).get(id) as Raw | undefined);
  }

  byUsername(username: string): UserRow | null {
    return toRow(this.db.prepare(`SELECT ${COLS} FROM users WHERE username = ?`).get(username) as Raw | undefined);
  }

  byApiKeyHash(hash: Buffer): UserRow | null {
    return toRow(this.db.prepare(`SELECT ${COLS} FROM users WHERE api_key_hash = ?`).get(hash) as Raw | undefined);
  }

  insert(u: { username: string; role: Role; password_hash: string; created_ms: number }): UserRow | null {
    const r = this.db.prepare('INSERT OR IGNORE INTO users (username, role, password_hash, created_ms) VALUES (?, ?, ?, ?)').run(u.username, u.role, u.password_hash, u.created_ms);
    return r.changes === 0 ? null : this.get(Number(r.lastInsertRowid));
  }

  update(id: number, patch: { role?: Role; password_hash?: string; bumpEpoch?: boolean }): UserRow | null {
    this.db
      .prepare('UPDATE users SET role = COALESCE(?, role), password_hash = COALESCE(?, password_hash), sessions_epoch = sessions_epoch + ? WHERE id = ?')
      .run(patch.role ?? null, patch.password_hash ?? null, patch.bumpEpoch ? 1 : 0, id);
    return this.get(id);
  }

  setApiKeyHash(id: number, hash: Buffer): void {
    this.db.prepare('UPDATE users SET api_key_hash = ? WHERE id = ?').run(hash, id);
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM users WHERE id = ?').run(id).changes > 0;
  }

  revoke(jti: string, expiresMs: number): void {
    this.db.prepare('INSERT OR REPLACE INTO revoked_tokens (jti, expires_ms) VALUES (?, ?)').run(jti, expiresMs);
  }

  isRevoked(jti: string): boolean {
    return this.db.prepare('SELECT 1 FROM revoked_tokens WHERE jti = ?').get(jti) !== undefined;
  }

  sweepRevoked(now: number): number {
    return this.db.prepare('DELETE FROM revoked_tokens WHERE expires_ms < ?').run(now).changes;
  }
}
