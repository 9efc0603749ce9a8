// Secrets at rest (real: files in a temp dir, node crypto; stand-in: a reversible safeStorage, since no OS keychain exists here).
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fileKeyProvider, SecretBox } from '../../src-main/repositories/secrets.repository';
import { safeStorageKeyProvider, type SafeStorageLike } from '../../src-main/repositories/safe-storage-key';

const dirs: string[] = [];
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'vigil-secrets-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const fakeSafe = (available = true): SafeStorageLike & { calls: number } => ({
  calls: 0,
  isEncryptionAvailable: () => available,
  encryptString(plain) {
    this.calls++;
    return Buffer.from(Buffer.from(plain, 'utf8').map((b) => b ^ 0x5a));
  },
  decryptString: (enc) => Buffer.from(enc.map((b) => b ^ 0x5a)).toString('utf8'),
});

describe('SecretBox', () => {
  it('round-trips, uses a fresh IV each time, and rejects tampering or a wrong key', () => {
    const box = new SecretBox(Buffer.alloc(32, 1));
    const a = box.seal('rtsp://u:p@h/s');
    const b = box.seal('rtsp://u:p@h/s');
    expect(a.equals(b)).toBe(false);
    expect(box.open(a)).toBe('rtsp://u:p@h/s');
    const tampered = Buffer.from(a);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 1;
    expect(() => box.open(tampered)).toThrow();
    expect(() => new SecretBox(Buffer.alloc(32, 2)).open(a)).toThrow();
    expect(() => box.open(Buffer.from('short'))).toThrow(/unknown secret format/);
    expect(() => new SecretBox(Buffer.alloc(16))).toThrow(/32-byte/);
  });
});

describe('key providers', () => {
  it('file provider: creates a 0600 key once and reuses it', () => {
    const dir = temp();
    const k1 = fileKeyProvider.loadOrCreate(dir);
    expect(k1).toHaveLength(32);
    expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(fileKeyProvider.loadOrCreate(dir).equals(k1)).toBe(true);
    writeFileSync(join(dir, 'secret.key'), 'dG9vIHNob3J0');
    expect(() => fileKeyProvider.loadOrCreate(dir)).toThrow(/32-byte/);
  });

  it('safeStorage provider: wraps a new key, keeps it, and adopts a headless key so old secrets stay readable', () => {
    const dir = temp();
    const safe = fakeSafe();
    const k1 = safeStorageKeyProvider(safe).loadOrCreate(dir);
    expect(k1).toHaveLength(32);
    const wrapped = readFileSync(join(dir, 'secret.key.safe'));
    expect(wrapped.includes(Buffer.from(k1.toString('base64')))).toBe(false);
    expect(safeStorageKeyProvider(safe).loadOrCreate(dir).equals(k1)).toBe(true);
    expect(safe.calls).toBe(1);

    const headless = temp();
    const fileKey = fileKeyProvider.loadOrCreate(headless);
    const sealed = new SecretBox(fileKey).seal('camera-password');
    const adopted = safeStorageKeyProvider(fakeSafe()).loadOrCreate(headless);
    expect(new SecretBox(adopted).open(sealed)).toBe('camera-password');
  });

  it('safeStorage provider falls back to the key file when the OS keychain is unavailable', () => {
    const dir = temp();
    const k = safeStorageKeyProvider(fakeSafe(false)).loadOrCreate(dir);
    expect(fileKeyProvider.loadOrCreate(dir).equals(k)).toBe(true);
  });
});
