// Stream secrets and codes: Argon2id hashes of stream tokens (the users' hasher), digests of pairing codes, random bytes, QR codes (qrcode).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { argon2Hasher } from './auth/credentials-crypto.repository';
import QRCode from 'qrcode';

export interface StreamsCryptoRepository {
  /** Argon2id: a stolen database does not give working stream tokens. */
  hashToken(token: string): Promise<string>;
  verifyToken(hash: string, token: string): Promise<boolean>;
  /** A fast keyed-free digest (SHA-256, hex) for lookups: pairing codes and the verified-token cache. */
  digest(s: string): string;
  random(n: number): Uint8Array;
  uuid(): string;
  qrSvg(text: string): Promise<string>;
}

export class NodeStreamsCryptoRepository implements StreamsCryptoRepository {
  hashToken(token: string): Promise<string> {
    return argon2Hasher.hash(token);
  }

  verifyToken(hash: string, token: string): Promise<boolean> {
    return argon2Hasher.verify(hash, token);
  }

  digest(s: string): string {
    return createHash('sha256').update(s).digest('hex');
  }

  random(n: number): Uint8Array {
    return randomBytes(n);
  }

  uuid(): string {
    return randomUUID();
  }

  qrSvg(text: string): Promise<string> {
    return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  }
}
