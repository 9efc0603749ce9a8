// 007: every object a detection event saw (track id, class, best score and box, first/last time), as a JSON list.
import type { Migration } from './index';

export const m007EventObjects: Migration = {
  version: 7,
  name: 'event-objects',
  up(db) {
    db.exec(`ALTER TABLE events ADD COLUMN objects TEXT NOT NULL DEFAULT '[]';`);
  },
};
