// Password hashing (Argon2id, @node-rs/argon2: napi-rs binaries per platform, no install script) and signed session tokens (JWT HS256 via jose).
import { randomBytes } from 'node:crypto';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { errors, jwtVerify, SignJWT } from 'jose';
import type { SecretsRepository } from '../secrets.repository';

/** @node-rs/argon2's Algorithm.Argon2id (a const enum, which isolated modules cannot import). */
const ARGON2ID = 2;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}

/** OWASP's Argon2id baseline (19 MiB, t=2, p=1): memory-hard, ~20 ms here, off the event loop in libuv's pool. */
export const argon2Hasher: PasswordHasher = {
  hash: (password) => argon2Hash(password, { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 }),
  verify: async (hash, password) => {
    try {
      return await argon2Verify(hash, password);
    } catch {
      return false;
    }
  },
};

export interface SessionClaims {
  /** `key` (the Iris API key's admin) or a user id. */
  sub: string;
  name: string;
  role: string;
  /** The user's sessions epoch when issued: a password change or deletion ends older sessions. */
  ep: number;
  jti: string;
  /** Expiry, epoch seconds. */
  exp: number;
}

export interface TokenSigner {
  sign(claims: Omit<SessionClaims, 'jti' | 'exp'>, ttlS: number): Promise<{ token: string; jti: string; exp: number }>;
  /** Null for a token that is malformed, forged, expired or signed with a rotated key. */
  verify(token: string): Promise<SessionClaims | null>;
  /** New signing key: every session issued so far stops verifying. */
  rotate(): void;
}

const ISSUER = 'vigil';

/** The HS256 key lives sealed in the secrets table, so sessions survive a restart and die with a rotation. */
export class JoseTokenSigner implements TokenSigner {
  private key: Uint8Array;

  constructor(private readonly secrets: SecretsRepository) {
    const stored = secrets.get('session_signing_key');
    this.key = stored ? Buffer.from(stored, 'base64') : this.newKey();
  }

  private newKey(): Uint8Array {
    const k = randomBytes(32);
    this.secrets.set('session_signing_key', k.toString('base64'));
    return k;
  }

  rotate(): void {
    this.key = this.newKey();
  }

  async sign(claims: Omit<SessionClaims, 'jti' | 'exp'>, ttlS: number): Promise<{ token: string; jti: string; exp: number }> {
    const jti = randomBytes(12).toString('base64url');
    const exp = Math.floor(Date.now() / 1000) + ttlS;
    const token = await new SignJWT({ name: claims.name, role: claims.role, ep: claims.ep })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.sub)
      .setIssuer(ISSUER)
      .setJti(jti)
      .setIssuedAt()
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, jti, exp };
  }

  async verify(token: string): Promise<SessionClaims | null> {
    try {
      const { payload: p } = await jwtVerify(token, this.key, { issuer: ISSUER, algorithms: ['HS256'] });
      if (typeof p.sub !== 'string' || typeof p.jti !== 'string' || typeof p.exp !== 'number' || typeof p.role !== 'string' || typeof p.name !== 'string' || typeof p.ep !== 'number') return null;
      return { sub: p.sub, name: p.name, role: p.role, ep: p.ep, jti: p.jti, exp: p.exp };
    } catch (err) {
      if (err instanceof errors.JOSEError) return null;
      throw err;
    }
  }
}
