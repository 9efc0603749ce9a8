// Vigil's own log files under <data>/logs: the rotated structured log read newest line first, and other log folders by category.
import { closeSync, openSync, readdirSync, readSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { realContained } from './contained-path';
import { badRequest } from '../shared/errors';

/** A category or file name: one path segment, no leading dot, nothing a shell or a path would read specially. */
const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** At most this much of the newest log files is scanned per request (a query never reads gigabytes). */
export const SCAN_BYTES = 16 * 1024 * 1024;

export interface LogFileInfo {
  /** `<category>/<file>`. */
  name: string;
  category: string;
  size: number;
  mtime_ms: number;
}

export interface LogFilesRepository {
  /** Lines of the structured log, newest first, across rotated files, until `visit` returns false or SCAN_BYTES were read. */
  scanNewestFirst(visit: (line: string) => boolean): void;
  /** Files in the log folder's subfolders (not the structured log itself), newest first. */
  categories(exclude: readonly string[]): LogFileInfo[];
  /** A file's text (its last SCAN_BYTES); null when missing; a 400 for a name that is not one plain segment or escapes. */
  read(category: string, file: string): string | null;
}

export class NodeLogFilesRepository implements LogFilesRepository {
  private readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'logs');
  }

  scanNewestFirst(visit: (line: string) => boolean): void {
    let budget = SCAN_BYTES;
    for (const f of this.structuredFiles()) {
      if (budget <= 0) return;
      const take = Math.min(f.size, budget);
      budget -= take;
      const buf = Buffer.alloc(take);
      const fd = openSync(f.path, 'r');
      try {
        readSync(fd, buf, 0, take, f.size - take);
      } finally {
        closeSync(fd);
      }
      const lines = buf.toString('utf8').split('\n');
      // A partial first line (the read started mid-line) is dropped unless the whole file was read.
      const start = take < f.size ? 1 : 0;
      for (let i = lines.length - 1; i >= start; i--) {
        const l = lines[i] as string;
        if (l && !visit(l)) return;
      }
    }
  }

  categories(exclude: readonly string[]): LogFileInfo[] {
    const out: LogFileInfo[] = [];
    for (const cat of this.entries(this.dir)) {
      if (exclude.includes(cat) || !this.isDir(join(this.dir, cat))) continue;
      for (const name of this.entries(join(this.dir, cat))) {
        const st = this.stat(join(this.dir, cat, name));
        if (st?.isFile()) out.push({ name: `${cat}/${name}`, category: cat, size: st.size, mtime_ms: st.mtimeMs });
      }
    }
    return out.sort((a, b) => b.mtime_ms - a.mtime_ms || a.name.localeCompare(b.name));
  }

  read(category: string, file: string): string | null {
    if (!SAFE_NAME.test(category) || !SAFE_NAME.test(file)) throw badRequest('A log is named <category>/<file>, each one plain name.');
    const path = realContained(this.dir, join(this.dir, category, file));
    const st = path ? this.stat(path) : undefined;
    if (!path || !st?.isFile()) return null;
    const fd = openSync(path, 'r');
    try {
      const size = Math.min(st.size, SCAN_BYTES);
      const buf = Buffer.alloc(size);
      readSync(fd, buf, 0, size, st.size - size);
      return buf.toString('utf8');
    } finally {
      closeSync(fd);
    }
  }

  /** vigil.log and its rotated copies, newest first. */
  private structuredFiles(): { path: string; size: number; mtime: number }[] {
    return this.entries(this.dir)
      .filter((n) => /(^|-)vigil\.log$/.test(n))
      .map((n) => ({ path: join(this.dir, n), st: this.stat(join(this.dir, n)) }))
      .filter((f): f is { path: string; st: NonNullable<typeof f.st> } => !!f.st?.isFile())
      .map((f) => ({ path: f.path, size: f.st.size, mtime: f.st.mtimeMs }))
      .sort((a, b) => b.mtime - a.mtime);
  }

  private entries(dir: string): string[] {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  }

  private isDir(p: string): boolean {
    return this.stat(p)?.isDirectory() ?? false;
  }

  private stat(p: string): Stats | undefined {
    try {
      return statSync(p);
    } catch {
      return undefined;
    }
  }
}
