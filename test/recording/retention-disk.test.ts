// Disk-full behaviour with a simulated disk (mount needs root): real SQLite, real segment files, the real RetentionService.
// real: SQLite file, segment files on disk, repositories, plan execution. simulated: the filesystem's total/free numbers.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/repositories/db/database';
import { SqliteSegmentsRepository } from '../../src-main/repositories/segments.repository';
import { SqliteEventsRepository, SqliteExportsRepository } from '../../src-main/repositories/events.repository';
import { NodeMediaFilesRepository } from '../../src-main/repositories/media-files.repository';
import { SqliteSettingsRepository } from '../../src-main/repositories/settings.repository';
import { silentLogger } from '../../src-main/repositories/logger';
import { PushBus } from '../../src-main/services/push-bus';
import { SettingsService } from '../../src-main/services/settings.service';
import { EventsService } from '../../src-main/services/recording/events.service';
import { CameraSettingsCache } from '../../src-main/services/cameras/camera-settings';
import { SqliteCamerasRepository } from '../../src-main/repositories/cameras.repository';
import { SecretBox } from '../../src-main/repositories/secrets.repository';
import { RetentionService } from '../../src-main/services/recording/retention.service';
import { removeDir, tempDataDir } from '../foundation/app-harness';
import { placeSegments } from './media-helpers';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach(removeDir));

describe('retention under a nearly full disk', () => {
  it('purges oldest unprotected segments as soon as usage passes max_percent, keeps protected/open ones, and leaves the DB intact', async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    const db = openDatabase({ file: join(dir, 'vigil.db') });
    try {
      db.prepare("INSERT INTO cameras (name, source_kind, url_enc, config) VALUES ('Door', 'file', x'00', '{\"recording_mode\":\"continuous\"}')").run();
      const segsRepo = new SqliteSegmentsRepository(db);
      const eventsRepo = new SqliteEventsRepository(db);
      const files = new NodeMediaFilesRepository(dir);
      const bus = new PushBus();
      const settings = new SettingsService(new SqliteSettingsRepository(db), bus, silentLogger());
      const start = Date.now() - 60_000;
      const placed = placeSegments(dir, 1, start, 6);
      for (const s of placed) segsRepo.insert({ camera_id: 1, path: files.toRelative(s.path), start_ms: s.start_ms, end_ms: s.end_ms, bytes: s.bytes, codec: 'h264', width: 320, height: 240, sha256: null });
      // Segment 0 belongs to a protected event, segment 2 to an open one.
      const prot = eventsRepo.insert({ camera_id: 1, label: 'person', source: 'detection', score: 1, started_ms: start + 500, ended_ms: start + 1000, last_ms: start + 1000, window_start_ms: start + 500, window_end_ms: start + 1000, post_ms: 0, best_ms: null, boxes: '[]' });
      eventsRepo.update(prot, { retain: 1 });
      eventsRepo.insert({ camera_id: 1, label: 'motion', source: 'motion', score: 1, started_ms: start + 4500, ended_ms: null, last_ms: start + 4500, window_start_ms: start + 4500, window_end_ms: null, post_ms: 0, best_ms: null, boxes: '[]' });

      let free = 5e9;
      const retention = new RetentionService(segsRepo, eventsRepo, new SqliteExportsRepository(db), new EventsService(eventsRepo, files, bus, Date.now), files, new CameraSettingsCache(new SqliteCamerasRepository(db, new SecretBox(Buffer.alloc(32, 1)))), settings, silentLogger(), Date.now, () => ({ total_bytes: 10e9, free_bytes: free }));
      settings.update({ retention_max_percent: 85, retention_max_days: null });

      retention.checkDisk();
      expect(segsRepo.all()).toHaveLength(6);

      // Usage passes 85 % by more than one segment: the oldest unprotected segment (1) goes; 0 is protected, 2+ are under the open event.
      free = 10e9 * 0.15 - placed[1]!.bytes - 1;
      retention.checkDisk();
      const left = segsRepo.all().map((s) => s.start_ms);
      expect(left).toEqual([start, start + 4000, start + 6000, start + 8000, start + 10_000]);
      expect(existsSync(placed[1]!.path)).toBe(false);
      expect(placed.filter((_, i) => i !== 1).every((p) => existsSync(p.path))).toBe(true);
      expect(eventsRepo.get(prot)?.retain).toBe(1);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.prepare('SELECT COUNT(*) FROM coverage_spans').pluck().get()).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });
});
