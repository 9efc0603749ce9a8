// Face images on disk (enrolment photos, sample crops) under <data>/faces; every path is relative and checked against the root.
import { copyFile } from 'node:fs/promises';
import type { ReadStream } from 'node:fs';
import { realContained, type ServedFile } from './contained-path';
import { ContainedFiles } from './contained-files';

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

export class NodeFaceFilesRepository extends ContainedFiles implements FaceFilesRepository {
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
}
