// Filesystem side of recordings: every path is resolved against the data root and refused (400) if it escapes it.
import { existsSync, mkdirSync, readdirSync, statSync, unlinkSync, writeFileSync, type ReadStream } from 'node:fs';
import { containedPath, readServed, realContained, servedFile } from './contained-path';
import { diskUsageOf } from './host.repository';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ApiError } from '../shared/errors';

export interface FoundFile {
  /** Relative to the data root, forward slashes. */
  rel: string;
  name: string;
  size: number;
  mtime_ms: number;
}

export interface DiskUsage {
  total_bytes: number;
  free_bytes: number;
}

export interface MediaFilesRepository {
  readonly root: string;
  /** Absolute path of a data-root-relative (or absolute) path; 400 if it escapes the root. */
  resolve(p: string): string;
  /** Data-root-relative form of an absolute path inside the root; 400 if it escapes. */
  toRelative(abs: string): string;
  size(p: string): number | null;
  remove(p: string | null | undefined): void;
  ensureDirFor(p: string): string;
  writeText(p: string, text: string): void;
  /** Every file under <root>/<dir>, recursively. */
  walk(dir: string): FoundFile[];
  /** Names of the sub-directories of <root>/<dir> (empty when missing). */
  subdirs(dir: string): string[];
  /** Files directly in <root>/<dir> (not recursive). */
  filesIn(dir: string): FoundFile[];
  disk(): DiskUsage;
  read(p: string, range?: { start: number; end: number }): ReadStream;
}

export const CHUNK = 1024 * 1024;

export { containedPath } from './contained-path';

export class NodeMediaFilesRepository implements MediaFilesRepository {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
    mkdirSync(this.root, { recursive: true });
  }

  resolve(p: string): string {
    if (p.includes('\0')) throw new ApiError(400, 'Invalid path');
    const abs = containedPath(this.root, p);
    if (!abs) throw new ApiError(400, 'Path escapes the data root');
    if (existsSync(abs) && !realContained(this.root, abs)) throw new ApiError(400, 'Path escapes the data root');
    return abs;
  }

  toRelative(abs: string): string {
    return relative(this.root, this.resolve(abs)).split(sep).join('/');
  }

  size(p: string): number | null {
    try {
      const st = statSync(this.resolve(p));
      return st.isFile() ? st.size : null;
    } catch (err) {
      if (err instanceof ApiError) throw err;
      return null;
    }
  }

  remove(p: string | null | undefined): void {
    if (!p) return;
    try {
      unlinkSync(this.resolve(p));
    } catch (err) {
      if (err instanceof ApiError) throw err;
    }
  }

  ensureDirFor(p: string): string {
    const abs = this.resolve(p);
    mkdirSync(dirname(abs), { recursive: true });
    return abs;
  }

  writeText(p: string, text: string): void {
    writeFileSync(this.ensureDirFor(p), text);
  }

  walk(dir: string): FoundFile[] {
    const base = this.resolve(dir);
    const out: FoundFile[] = [];
    const visit = (d: string) => {
      let entries;
      try {
        entries = readdirSync(d, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const full = join(d, e.name);
        if (e.isDirectory()) visit(full);
        else if (e.isFile()) {
          try {
            const st = statSync(full);
            out.push({ rel: relative(this.root, full).split(sep).join('/'), name: e.name, size: st.size, mtime_ms: st.mtimeMs });
          } catch {
            // vanished between readdir and stat
          }
        }
      }
    };
    visit(base);
    return out;
  }

  subdirs(dir: string): string[] {
    try {
      return readdirSync(this.resolve(dir), { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name);
    } catch (err) {
      if (err instanceof ApiError) throw err;
      return [];
    }
  }

  filesIn(dir: string): FoundFile[] {
    const base = this.resolve(dir);
    let entries;
    try {
      entries = readdirSync(base, { withFileTypes: true });
    } catch {
      return [];
    }
    const out: FoundFile[] = [];
    for (const e of entries) {
      if (!e.isFile()) continue;
      try {
        const st = statSync(join(base, e.name));
        out.push({ rel: relative(this.root, join(base, e.name)).split(sep).join('/'), name: e.name, size: st.size, mtime_ms: st.mtimeMs });
      } catch {
        // vanished between readdir and stat
      }
    }
    return out;
  }

  disk(): DiskUsage {
    const d = diskUsageOf(this.root);
    return { total_bytes: d.total_bytes, free_bytes: d.free_bytes };
  }

  read(p: string, range?: { start: number; end: number }): ReadStream {
    return readServed(servedFile(this.root, p), range, CHUNK);
  }
}
