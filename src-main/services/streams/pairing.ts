// Pure pairing rules: code and token shapes, and what a presented code means (valid, expired, already used, unknown).

/** Codes live 10 minutes and are single use (the reference document). */
export const PAIRING_TTL_MS = 10 * 60_000;
/** Unambiguous alphabet (no 0/O, 1/I/L) so an operator can also type a code off the screen. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const CODE_LENGTH = 10;
export const TOKEN_PREFIX = 'vai_strm_';

/** A code from `random` bytes (one per character; modulo bias over 31 symbols from 256 is under 1 %). */
export function pairingCode(random: Uint8Array): string {
  if (random.length < CODE_LENGTH) throw new Error('pairingCode needs CODE_LENGTH random bytes');
  let s = '';
  for (let i = 0; i < CODE_LENGTH; i++) s += ALPHABET[(random[i] as number) % ALPHABET.length];
  return s;
}

/** What a user typed or a kiosk scanned, normalised: case, spaces and dashes do not matter. */
export const normaliseCode = (code: string): string => code.toUpperCase().replace(/[\s-]+/g, '');

export type CodeState = 'valid' | 'expired' | 'used' | 'unknown';

export function codeState(row: { expires_ms: number; consumed_ms: number | null } | undefined, now: number): CodeState {
  if (!row) return 'unknown';
  if (row.consumed_ms !== null) return 'used';
  return now >= row.expires_ms ? 'expired' : 'valid';
}
