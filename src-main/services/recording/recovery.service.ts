// Start-up crash recovery: index completed segments missing from the DB, drop rows whose files are gone,
// remove half-written temp files and close events left open (then assemble their clips).
import type { EventsRepository, ExportsRepository } from '../../repositories/events.repository';
import type { SegmentsRepository } from '../../repositories/segments.repository';
import type { MediaFilesRepository } from '../../repositories/media-files.repository';
import type { MediaToolsRepository } from '../../repositories/ffmpeg/media-tools.repository';
import type { Logger } from '../../repositories/logger';
import type { EventRecorder } from './event-recorder.service';

export interface RecoveryReport {
  indexed: number;
  dropped_rows: number;
  removed_temp: number;
  closed_events: number;
}

/** segments/<camera>/<yyyy-mm-dd>/<hh>/<start_ms>[-n].ts (the ingest adds -n on a name collision) */
export const FINAL_SEGMENT = /^segments\/(\d+)\/\d{4}-\d{2}-\d{2}\/\d{2}\/(\d+)(?:-\d+)?\.(ts|mp4)$/;

export class RecoveryService {
  constructor(
    private readonly segments: SegmentsRepository,
    private readonly events: EventsRepository,
    private readonly exportsRepo: ExportsRepository,
    private readonly files: MediaFilesRepository,
    private readonly tools: MediaToolsRepository,
    private readonly recorder: EventRecorder,
    private readonly log: Logger,
  ) {}

  async run(): Promise<RecoveryReport> {
    const report: RecoveryReport = { indexed: 0, dropped_rows: 0, removed_temp: 0, closed_events: 0 };
    const known = this.segments.allPaths();
    const cameras = new Set(this.events.cameras().map((c) => c.id));
    for (const f of this.files.walk('segments')) {
      const m = FINAL_SEGMENT.exec(f.rel);
      if (!m) {
        this.files.remove(f.rel);
        report.removed_temp++;
        continue;
      }
      if (known.has(f.rel) || !cameras.has(Number(m[1]))) continue;
      const probe = f.size > 0 ? await this.tools.probe(this.files.resolve(f.rel)) : null;
      if (!probe || probe.duration_s === null || probe.duration_s <= 0) {
        this.files.remove(f.rel);
        report.removed_temp++;
        continue;
      }
      const start = Number(m[2]);
      const sha256 = await this.tools.sha256(this.files.resolve(f.rel));
      const id = this.segments.insert({ camera_id: Number(m[1]), path: f.rel, start_ms: start, end_ms: start + Math.round(probe.duration_s * 1000), bytes: f.size, codec: probe.codec, width: probe.width, height: probe.height, sha256 });
      if (id !== null) report.indexed++;
    }
    for (const tmp of this.files.walk('clips').concat(this.files.walk('exports'), this.files.walk('cache'))) {
      if (/\.partial\.mp4$|\.concat\.txt$/.test(tmp.name)) {
        this.files.remove(tmp.rel);
        report.removed_temp++;
      }
    }
    const gone = this.segments.all().filter((s) => this.files.size(s.path) === null).map((s) => s.id);
    this.segments.deleteIds(gone);
    report.dropped_rows = gone.length;
    for (const e of this.events.open()) {
      this.events.update(e.id, { ended_ms: e.last_ms, window_end_ms: e.last_ms + e.post_ms });
      report.closed_events++;
    }
    this.exportsRepo.failRunning('Interrupted by a restart');
    for (const e of this.events.unfinished()) void this.recorder.enqueueFinalize(e.id, false);
    this.log.info(report, 'recording recovery done');
    return report;
  }
}
