// Data key wrapped by Electron's safeStorage (OS keychain / DPAPI / libsecret); typed structurally, no electron import.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileKeyProvider, type KeyProvider } from './secrets.repository';

export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(enc: Buffer): string;
}

export function safeStorageKeyProvider(safe: SafeStorageLike): KeyProvider {
  return {
    kind: 'safeStorage',
    loadOrCreate(dataDir) {
      if (!safe.isEncryptionAvailable()) return fileKeyProvider.loadOrCreate(dataDir);
      const file = join(dataDir, 'secret.key.safe');
      if (existsSync(file)) return Buffer.from(safe.decryptString(readFileSync(file)), 'base64');
      // Migrate a headless-created key so credentials stay readable when a data dir moves to the desktop app.
      const key = existsSync(join(dataDir, 'secret.key')) ? fileKeyProvider.loadOrCreate(dataDir) : randomBytes(32);
      writeFileSync(file, safe.encryptString(key.toString('base64')), { mode: 0o600 });
      return key;
    },
  };
}
