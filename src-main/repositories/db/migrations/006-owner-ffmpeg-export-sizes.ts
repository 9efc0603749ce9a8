// 006: drop any ffmpeg_path stored through the REST settings (only the machine's owner chooses ffmpeg now) and give
// exports a size and finish time, so they have their own limits and count in storage.
import type { Migration } from './index';

export const m006OwnerFfmpegExportSizes: Migration = {
  version: 6,
  name: 'owner-ffmpeg-export-sizes',
  up(db) {
    db.exec(`
      DELETE FROM settings WHERE key = 'ffmpeg_path';
      ALTER TABLE exports ADD COLUMN bytes INTEGER;
      ALTER TABLE exports ADD COLUMN finished_ms INTEGER;
      CREATE INDEX exports_created ON exports (created_at);
    `);
  },
};
