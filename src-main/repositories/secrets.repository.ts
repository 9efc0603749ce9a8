// Secrets at rest: AES-256-GCM under a data key kept in a 0600 file (headless) or wrapped by Electron safeStorage.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from './db/database';

/** Supplies the 32-byte data key. Electron's shell provides a safeStorage-backed one. */
export interface KeyProvider {
  readonly kind: string;
  loadOrCreate(dataDir: string): Buffer;
}

export const fileKeyProvider: KeyProvider = {
  kind: 'file',
  loadOrCreate(dataDir) {
    const file = join(dataDir, 'secret.key');
    if (existsSync(file)) {
      const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
      if (key.length !== 32) throw new Error(`${file} is not a 32-byte base64 key`);
      chmodSync(file, 0o600);
      return key;
    }
    const key = randomBytes(32);
    writeFileSync(file, key.toString('base64'), { mode: 0o600, flag: 'wx' });
    return key;
  },
};

const VERSION = 1;

export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('SecretBox needs a 32-byte key');
  }

  seal(plain: string): Buffer {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, c.getAuthTag(), body]);
  }

  open(sealed: Buffer): string {
    if (sealed.length < 29 || sealed[0] !== VERSION) throw new Error('unknown secret format');
    const iv = sealed.subarray(1, 13);
    const tag = sealed.subarray(13, 29);
    const d = createDecipheriv('aes-256-gcm', this.key, iv);
    d.setAuthTag(tag);
    return Buffer.concat([d.update(sealed.subarray(29)), d.final()]).toString('utf8');
  }
}

export interface SecretsRepository {
  get(name: string): string | null;
  set(name: string, value: string): void;
}

export class SqliteSecretsRepository implements SecretsRepository {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  get(name: string): string | null {
    const row = this.db.prepare('SELECT value FROM secrets WHERE name = ?').get(name) as { value: Buffer } | undefined;
    return row ? this.box.open(row.value) : null;
  }

  set(name: string, value: string): void {
    this.db
      .prepare(
        `INSERT INTO secrets (name, value) VALUES (?, ?)
         ON CONFLICT(name) DO UPDATE SET value = excluded.value, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')`,
      )
      .run(name, this.box.seal(value));
  }
}
