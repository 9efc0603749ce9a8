// Log queries (the Pi camera's /logs routes): Vigil's own entries, ffmpeg's (its media server) and other log files by category.
import { notFound } from '../../shared/errors';
import type { LogFileInfo, LogFilesRepository } from '../../repositories/log-files.repository';
import { matches, parseLine, type LogEntry, type LogKind, type LogQuery } from './log-entries';

export const MAX_LIMIT = 2000;
/** Folders with a dedicated parsed route are not listed as script logs (the reference excludes api/ and mediamtx/). */
const PARSED_FOLDERS = ['api', 'mediamtx'];

export class LogsService {
  constructor(private readonly files: LogFilesRepository) {}

  entries(kind: LogKind, q: LogQuery): LogEntry[] {
    const limit = Math.max(1, Math.min(MAX_LIMIT, Math.floor(q.limit)));
    const out: LogEntry[] = [];
    this.files.scanNewestFirst((raw) => {
      const e = parseLine(raw, kind);
      if (e && matches(e, q)) out.push(e);
      return out.length < limit;
    });
    return out;
  }

  scripts(): (Omit<LogFileInfo, 'mtime_ms'> & { modified: string })[] {
    return this.files.categories(PARSED_FOLDERS).map(({ mtime_ms, ...f }) => ({ ...f, modified: new Date(mtime_ms).toISOString() }));
  }

  script(category: string, file: string): string {
    const text = this.files.read(category, file);
    if (text === null) throw notFound(`No log ${category}/${file}`);
    return text;
  }
}
