// Owner-only settings of this machine (a 0600 JSON file in the data dir): written by the desktop shell over IPC, never by REST.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const localSettingsSchema = z.object({ ffmpeg_path: z.string().min(1).nullable().default(null) });
export type LocalSettings = z.output<typeof localSettingsSchema>;

export interface LocalSettingsRepository {
  read(): LocalSettings;
  write(next: LocalSettings): void;
}

export class FileLocalSettingsRepository implements LocalSettingsRepository {
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = join(dataDir, 'local-settings.json');
  }

  read(): LocalSettings {
    try {
      const parsed = localSettingsSchema.safeParse(JSON.parse(readFileSync(this.file, 'utf8')));
      return parsed.success ? parsed.data : localSettingsSchema.parse({});
    } catch {
      return localSettingsSchema.parse({});
    }
  }

  write(next: LocalSettings): void {
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(localSettingsSchema.parse(next), null, 2), { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}
