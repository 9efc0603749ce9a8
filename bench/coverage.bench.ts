// Bench: the timeline coverage query (merged spans) over 30 days of 4 s segments for 8 cameras.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openDatabase } from '../src-main/repositories/db/database';
import { SqliteSegmentsRepository } from '../src-main/repositories/segments.repository';
import { SqliteEventsRepository, SqliteExportsRepository } from '../src-main/repositories/events.repository';
import { RecordingsService } from '../src-main/services/recording/recordings.service';
import { CameraSettingsCache } from '../src-main/services/cameras/camera-settings';
import { SqliteCamerasRepository } from '../src-main/repositories/cameras.repository';
import { SecretBox } from '../src-main/repositories/secrets.repository';
import { PushBus } from '../src-main/services/push-bus';
import { silentLogger } from '../src-main/repositories/logger';
import type { MediaFilesRepository } from '../src-main/repositories/media-files.repository';
import type { MediaToolsRepository } from '../src-main/repositories/ffmpeg/media-tools.repository';
import { median, ms, now, percentile, printRows, tempDir, type BenchRow } from './bench-util';

const DAYS = 30;
const CAMERAS = 8;
const SEG_MS = 4000;

export async function run(): Promise<BenchRow[]> {
  const t = tempDir('vigil-bench-cov-');
  const file = join(t.dir, 'vigil.db');
  const seedDb = openDatabase({ file, targetVersion: 3 });
  let db = seedDb;
  try {
    const end = Date.UTC(2026, 10, 1);
    const start = end - DAYS * 86_400_000;
    const t0 = now();
    const cam = seedDb.prepare("INSERT INTO cameras (name, source_kind, url_enc) VALUES (?, 'file', x'00')");
    for (let c = 1; c <= CAMERAS; c++) cam.run(`cam${c}`);
    const ins = seedDb.prepare('INSERT INTO segments (camera_id, path, start_ms, end_ms, bytes) VALUES (?, ?, ?, ?, ?)');
    let n = 0;
    seedDb.transaction(() => {
      for (let c = 1; c <= CAMERAS; c++) {
        for (let s = start; s < end; s += SEG_MS) {
          // A 10-minute outage every 6 hours so there is something to merge around.
          if ((s - start) % 21_600_000 < 600_000) continue;
          ins.run(c, `segments/${c}/${s}.ts`, s, s + SEG_MS, 500_000);
          n++;
        }
      }
    })();
    seedDb.close();
    const seeded = ms(t0);
    const m0 = now();
    db = openDatabase({ file });
    const migrated = ms(m0);
    const rec = new RecordingsService(
      new SqliteSegmentsRepository(db),
      new SqliteEventsRepository(db),
      new SqliteExportsRepository(db),
      {} as MediaFilesRepository,
      {} as MediaToolsRepository,
      new CameraSettingsCache(new SqliteCamerasRepository(db, new SecretBox(Buffer.alloc(32, 1)))),
      new PushBus(),
      silentLogger(),
      () => 'x',
    );
    const rows: BenchRow[] = [];
    const cases: [string, () => void][] = [
      ['coverage 30 d × 8 cams (all cameras)', () => rec.coverage({ from: start, to: end, min_gap_ms: 2000 })],
      ['coverage 30 d, one camera', () => rec.coverage({ camera_id: 3, from: start, to: end, min_gap_ms: 2000 })],
      ['coverage 1 d × 8 cams', () => rec.coverage({ from: end - 86_400_000, to: end, min_gap_ms: 2000 })],
      ['coverage 1 d × 8 cams, min_gap 0 (raw segments)', () => rec.coverage({ from: end - 86_400_000, to: end, min_gap_ms: 0 })],
    ];
    for (const [name, fn] of cases) {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const q = now();
        fn();
        times.push(ms(q));
      }
      rows.push({ name, value: median(times), unit: 'ms', note: `p95 ${percentile(times, 95).toFixed(1)} ms over ${n} segments (seeded in ${(seeded / 1000).toFixed(1)} s)` });
    }
    rows.push({ name: 'migration 004 (spans from all segments)', value: migrated, unit: 'ms', note: `${n} segments` });
    return rows;
  } finally {
    db.close();
    t.remove();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void run().then(printRows);
