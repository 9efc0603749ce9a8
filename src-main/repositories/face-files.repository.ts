// Face images on disk (enrolment photos, sample crops) under <data>/faces; every path is relative and checked against the root.
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, rm, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { ReadStream } from 'node:fs';
import { ApiError } from '../shared/errors';
import { containedPath, readServed, realContained, servedFile, type ServedFile } from './contained-path';

export interface FaceFilesRepository {
  /** Writes `data` as `<dir>/<unique name>.<ext>` and returns its data-root-relative path (forward slashes). */
  writeUnique(dir: string, ext: string, data: Buffer, prefix?: string): Promise<string>;
  /** Copies a stored file to `<dir>/<unique name>.<ext>`; null when the source is missing or outside the root. */
  copyUnique(from: string, dir: string, ext: string): Promise<string | null>;
  /** Removes a file; a missing file or a path outside the root is ignored. */
  remove(path: string | null | undefined): Promise<void>;
  /** Removes a directory under the root recursively. */
  removeDir(dir: string): Promise<void>;
  /** A stored file to serve: 400 when it escapes the root (also through symlinks), 404 when missing. */
  served(path: string, what: string): ServedFile;
  read(f: ServedFile, range?: { start: number; end: number }): ReadStream;
}

const SAFE_SEGMENT = /^[A-Za-z0-9._-]+$/;

export class NodeFaceFilesRepository implements FaceFilesRepository {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  async writeUnique(dir: string, ext: string, data: Buffer, prefix = ''): Promise<string> {
    const rel = this.uniqueName(dir, ext, prefix);
    const abs = this.inside(rel);
    await this.folderFor(abs);
    await writeFile(abs, data, { flag: 'wx' });
    return rel;
  }

  async copyUnique(from: string, dir: string, ext: string): Promise<string | null> {
    const src = realContained(this.root, from);
    if (!src) return null;
    const rel = this.uniqueName(dir, ext, '');
    const abs = this.inside(rel);
    await this.folderFor(abs);
    try {
      await copyFile(src, abs);
      return rel;
    } catch {
      return null;
    }
  }

  async remove(path: string | null | undefined): Promise<void> {
    if (!path) return;
    const abs = containedPath(this.root, path);
    if (!abs || abs === this.root || path.includes('\0')) return;
    // The folder is resolved, not the file: a symlink is unlinked itself, never what it points at.
    const folder = realContained(this.root, dirname(abs));
    if (folder) await unlink(join(folder, basename(abs))).catch(() => undefined);
  }

  async removeDir(dir: string): Promise<void> {
    const abs = containedPath(this.root, dir);
    if (!abs || abs === this.root || dir.includes('\0')) return;
    const real = realContained(this.root, abs);
    if (real && real !== realContained(this.root, this.root)) await rm(real, { recursive: true, force: true });
  }

  served(path: string, what: string): ServedFile {
    return servedFile(this.root, path, what);
  }

  read(f: ServedFile, range?: { start: number; end: number }): ReadStream {
    return readServed(f, range);
  }

  private uniqueName(dir: string, ext: string, prefix: string): string {
    const parts = dir.split('/');
    if (!parts.every((p) => SAFE_SEGMENT.test(p) && p !== '.' && p !== '..') || !/^[a-z0-9]{1,5}$/.test(ext) || !/^[A-Za-z0-9_-]*$/.test(prefix)) {
      throw new ApiError(400, 'Invalid storage path');
    }
    return `${dir}/${prefix}${randomBytes(8).toString('hex')}.${ext}`;
  }

  private inside(rel: string): string {
    const abs = containedPath(this.root, rel);
    if (!abs) throw new ApiError(400, 'Path escapes the data root');
    return abs;
  }

  /** Creates the file's folder and refuses one that a symlink leads out of the root. */
  private async folderFor(abs: string): Promise<void> {
    await mkdir(dirname(abs), { recursive: true });
    if (!realContained(this.root, dirname(abs))) throw new ApiError(400, 'Path escapes the data root');
  }
}
