// Identity crops on disk (<data>/identities/<id>/) and the undo trash; every path is relative and checked against the root.
import { lstat, rename, rmdir } from 'node:fs/promises';
import type { ReadStream } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { containedPath, realContained, type ServedFile } from './contained-path';
import { ContainedFiles } from './contained-files';

export interface IdentityFilesRepository {
  /** Writes `data` as `<dir>/<prefix><unique>.<ext>` and returns its data-root-relative path (forward slashes). */
  writeUnique(dir: string, ext: string, data: Buffer, prefix?: string): Promise<string>;
  /**
   * Moves a file or folder inside the root (creating the destination's folders). False when the source is missing,
   * the destination exists, or either path leaves the root; a symlinked source is moved as the link itself.
   */
  move(from: string, to: string): Promise<boolean>;
  /** Whether a file or folder exists at this contained path. */
  exists(path: string): Promise<boolean>;
  /** Removes a file; a missing file or a path outside the root is ignored. */
  remove(path: string | null | undefined): Promise<void>;
  /** Removes a folder under the root recursively (never the root itself). */
  removeDir(dir: string): Promise<void>;
  /** Removes a folder if it is empty, then its empty parents up to (not including) `stopAt`. */
  pruneEmpty(dir: string, stopAt: string): Promise<void>;
  /** A stored file to serve: 400 when it escapes the root (also through symlinks), 404 when missing. */
  served(path: string, what: string): ServedFile;
  read(f: ServedFile, range?: { start: number; end: number }): ReadStream;
}

export class NodeIdentityFilesRepository extends ContainedFiles implements IdentityFilesRepository {
  async move(from: string, to: string): Promise<boolean> {
    const src = this.lexical(from);
    const dst = this.lexical(to);
    if (!src || !dst || src === this.root || dst === this.root) return false;
    // The folders are resolved, not the entries: a symlink is moved itself, never what it points at.
    const srcFolder = realContained(this.root, dirname(src));
    if (!srcFolder) return false;
    const real = join(srcFolder, basename(src));
    if (!(await this.present(real))) return false;
    if (await this.present(dst)) return false;
    try {
      await this.folderFor(dst);
      const dstFolder = realContained(this.root, dirname(dst));
      if (!dstFolder) return false;
      await rename(real, join(dstFolder, basename(dst)));
      return true;
    } catch {
      return false;
    }
  }

  async exists(path: string): Promise<boolean> {
    const abs = this.lexical(path);
    return abs !== null && (await this.present(abs));
  }

  async pruneEmpty(dir: string, stopAt: string): Promise<void> {
    let abs = this.lexical(dir);
    const stop = this.lexical(stopAt);
    while (abs && stop && abs !== stop && abs !== this.root && containedPath(stop, abs)) {
      const real = realContained(this.root, abs);
      if (!real) return;
      try {
        await rmdir(real);
      } catch {
        return;
      }
      abs = dirname(abs);
    }
  }

  private async present(abs: string): Promise<boolean> {
    try {
      await lstat(abs);
      return true;
    } catch {
      return false;
    }
  }
}
