// Files the app writes under the data root (face and identity crops): unique names, writes, removals and serving, every
// path relative, checked against the root lexically and through symlinks. Stores extend it with their own operations.
import { randomBytes } from 'node:crypto';
import { mkdir, rm, unlink, writeFile } from 'node:fs/promises';
import type { ReadStream } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ApiError } from '../shared/errors';
import { containedPath, readServed, realContained, servedFile, type ServedFile } from './contained-path';

const SAFE_SEGMENT = /^[A-Za-z0-9._-]+$/;

export class ContainedFiles {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** Writes `data` as `<dir>/<prefix><unique>.<ext>` and returns its data-root-relative path (forward slashes). */
  async writeUnique(dir: string, ext: string, data: Buffer, prefix = ''): Promise<string> {
    const rel = this.uniqueName(dir, ext, prefix);
    const abs = this.inside(rel);
    await this.folderFor(abs);
    await writeFile(abs, data, { flag: 'wx' });
    return rel;
  }

  /** Removes a file; a missing file or a path outside the root is ignored. */
  async remove(path: string | null | undefined): Promise<void> {
    if (!path) return;
    const abs = this.lexical(path);
    if (!abs || abs === this.root) return;
    // The folder is resolved, not the file: a symlink is unlinked itself, never what it points at.
    const folder = realContained(this.root, dirname(abs));
    if (folder) await unlink(join(folder, basename(abs))).catch(() => undefined);
  }

  /** Removes a folder under the root recursively (never the root itself). */
  async removeDir(dir: string): Promise<void> {
    const abs = this.lexical(dir);
    if (!abs || abs === this.root) return;
    const real = realContained(this.root, abs);
    if (real && real !== realContained(this.root, this.root)) await rm(real, { recursive: true, force: true });
  }

  /** A stored file to serve: 400 when it escapes the root (also through symlinks), 404 when missing. */
  served(path: string, what: string): ServedFile {
    return servedFile(this.root, path, what);
  }

  read(f: ServedFile, range?: { start: number; end: number }): ReadStream {
    return readServed(f, range);
  }

  /** `<dir>/<prefix><16 hex>.<ext>`, refusing any segment that is not a plain name. */
  protected uniqueName(dir: string, ext: string, prefix: string): string {
    const parts = dir.split('/');
    if (!parts.every((p) => SAFE_SEGMENT.test(p) && p !== '.' && p !== '..') || !/^[a-z0-9]{1,5}$/.test(ext) || !/^[A-Za-z0-9_-]*$/.test(prefix)) {
      throw new ApiError(400, 'Invalid storage path');
    }
    return `${dir}/${prefix}${randomBytes(8).toString('hex')}.${ext}`;
  }

  /** The absolute path of a relative one, or null when it is empty, has a NUL or leaves the root lexically. */
  protected lexical(p: string): string | null {
    if (!p || p.includes('\0')) return null;
    return containedPath(this.root, p);
  }

  protected inside(rel: string): string {
    const abs = containedPath(this.root, rel);
    if (!abs) throw new ApiError(400, 'Path escapes the data root');
    return abs;
  }

  /** Creates the file's folder and refuses one that a symlink leads out of the root. */
  protected async folderFor(abs: string): Promise<void> {
    await mkdir(dirname(abs), { recursive: true });
    if (!realContained(this.root, dirname(abs))) throw new ApiError(400, 'Path escapes the data root');
  }
}
