// 013: cameras whose frames are pushed over HTTP (Streams) get their own source kind, 'push'.
// SQLite cannot ALTER a CHECK constraint, and rebuilding `cameras` inside the migration's transaction would cascade
// deletes through every table that references it. Widening a CHECK is the case sqlite.org documents for editing the
// stored schema text (lang_altertable.html, "Making Other Kinds Of Table Schema Changes"): the on-disk format is
// unchanged, the schema version is bumped, and quick_check must still pass.
import type { Migration } from './index';

const BEFORE = "source_kind IN ('rtsp','http','mjpeg','file','pattern')";
const AFTER = "source_kind IN ('rtsp','http','mjpeg','file','pattern','push')";

export const m013PushCameras: Migration = {
  version: 13,
  name: 'push-cameras',
  up(db) {
    const sql = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'cameras'").pluck().get() as string | undefined;
    if (!sql?.includes(BEFORE)) throw new Error('migration 013: the cameras table does not have the expected source_kind check');
    const version = db.pragma('schema_version', { simple: true }) as number;
    db.unsafeMode(true);
    try {
      db.pragma('writable_schema = ON');
      db.prepare("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'cameras'").run(sql.replace(BEFORE, AFTER));
      db.pragma(`schema_version = ${version + 1}`);
      db.pragma('writable_schema = OFF');
    } finally {
      db.unsafeMode(false);
    }
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(`migration 013: quick_check failed: ${String(check)}`);
  },
};
