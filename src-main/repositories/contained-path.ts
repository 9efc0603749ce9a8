// The one check every served or trusted file path goes through: inside the root both lexically and after symlinks resolve.
import { closeSync, constants, createReadStream, fstatSync, openSync, realpathSync, statSync, type ReadStream } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { ApiError } from '../shared/errors';

/** Pure lexical check: the resolved candidate must be the root or inside it. */
export function containedPath(root: string, p: string): string | null {
  const rootAbs = resolve(root);
  const abs = isAbsolute(p) ? resolve(p) : resolve(rootAbs, p);
  const rel = relative(rootAbs, abs);
  if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && !rel.split(sep).includes('..'))) return abs;
  return null;
}

function realOrNull(p: string): string | null {
  try {
    return realpathSync(p);
  } catch {
    return null;
  }
}

/**
 * The real path of `p` when it exists and, with every symlink resolved, is still inside the real root; null otherwise
 * (missing, escaping, or a NUL byte). Callers that must tell "escapes" from "missing" use `servedFile`.
 */
export function realContained(root: string, p: string): string | null {
  if (p.includes('\0')) return null;
  const abs = containedPath(root, p);
  const realRoot = realOrNull(resolve(root));
  if (!abs || !realRoot) return null;
  const real = realOrNull(abs);
  return real && containedPath(realRoot, real) ? real : null;
}

export interface ServedFile {
  /** The real path (symlinks resolved) inside the root. */
  path: string;
  size: number;
}

/** A regular file to serve: 400 when the path escapes the root (lexically or through a symlink), 404 when it is missing. */
export function servedFile(root: string, p: string, what = 'File'): ServedFile {
  if (p.includes('\0') || !containedPath(root, p)) throw new ApiError(400, 'Path escapes the data root');
  const abs = containedPath(root, p) as string;
  if (realOrNull(abs) === null) throw new ApiError(404, `${what} not found`);
  const real = realContained(root, abs);
  if (!real) throw new ApiError(400, 'Path escapes the data root');
  let st;
  try {
    st = statSync(real);
  } catch {
    throw new ApiError(404, `${what} not found`);
  }
  if (!st.isFile()) throw new ApiError(404, `${what} not found`);
  return { path: real, size: st.size };
}

/** Streams a file from `servedFile`; O_NOFOLLOW refuses a symlink swapped in after the check (404 then). */
export function readServed(f: ServedFile, range?: { start: number; end: number }, highWaterMark = 1024 * 1024): ReadStream {
  let fd: number;
  try {
    fd = openSync(f.path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch {
    throw new ApiError(404, 'File not found');
  }
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    throw new ApiError(404, 'File not found');
  }
  return createReadStream('', { fd, autoClose: true, highWaterMark, ...(range ?? {}) });
}
