// Start-up crash recovery: index completed segments missing from the DB, drop rows whose files are gone,
// remove half-written temp files and close events left open (then assemble their clips). The blocking pass looks at
// the recent hours only (where a crash leaves its marks); a chunked background pass then reconciles the whole archive.
import type { EventsRepository, ExportsRepository } from '../../repositories/events.repository';
import type { SegmentsRepository } from '../../repositories/segments.repository';
import type { FoundFile, MediaFilesRepository } from '../../repositories/media-files.repository';
import type { MediaToolsRepository } from '../../repositories/ffmpeg/media-tools.repository';
import type { Logger } from '../../repositories/logger';
import type { CameraSettingsSource } from '../cameras/camera-settings';
import type { ClipFinalizer } from './clip-finalizer.service';

export interface RecoveryReport {
  indexed: number;
  dropped_rows: number;
  removed_temp: number;
  closed_events: number;
}

/** segments/<camera>/<yyyy-mm-dd>/<hh>/<start_ms>[-n].ts (the ingest adds -n on a name collision) */
export const FINAL_SEGMENT = /^segments\/(\d+)\/\d{4}-\d{2}-\d{2}\/\d{2}\/(\d+)(?:-\d+)?\.(ts|mp4)$/;
const DAY_DIR = /^\d{4}-\d{2}-\d{2}$/;
const HOUR_DIR = /^\d{2}$/;
/** How many of each camera's newest hour folders the blocking pass checks. */
const RECENT_HOURS = 2;
const ROW_CHUNK = 2000;

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

export class RecoveryService {
  private stopped = false;

  constructor(
    private readonly segments: SegmentsRepository,
    private readonly events: EventsRepository,
    private readonly cameras: CameraSettingsSource,
    private readonly exportsRepo: ExportsRepository,
    private readonly files: MediaFilesRepository,
    private readonly tools: MediaToolsRepository,
    private readonly finalizer: Pick<ClipFinalizer, 'enqueue'>,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Blocking start-up pass, before any camera worker writes. */
  async run(): Promise<RecoveryReport> {
    const report: RecoveryReport = { indexed: 0, dropped_rows: 0, removed_temp: 0, closed_events: 0 };
    const cameras = new Set(this.cameras.list().map((c) => c.id));
    for (const cam of this.files.subdirs('segments')) {
      for (const f of this.files.walk(`segments/${cam}/.incoming`)) {
        this.files.remove(f.rel);
        report.removed_temp++;
      }
      for (const f of this.files.filesIn(`segments/${cam}`)) {
        this.files.remove(f.rel);
        report.removed_temp++;
      }
      for (const hour of this.hourDirs(cam).slice(-RECENT_HOURS)) await this.checkHourDir(hour, cameras, report);
    }
    for (const tmp of this.files.walk('clips').concat(this.files.walk('exports'), this.files.walk('cache'))) {
      if (/\.partial\.mp4$|\.concat\.txt$/.test(tmp.name)) {
        this.files.remove(tmp.rel);
        report.removed_temp++;
      }
    }
    const gone = this.segments
      .endingAfter(this.now() - (RECENT_HOURS + 1) * 3_600_000)
      .filter((s) => this.files.size(s.path) === null)
      .map((s) => s.id);
    this.segments.deleteIds(gone);
    report.dropped_rows = gone.length;
    for (const e of this.events.open()) {
      this.events.update(e.id, { ended_ms: e.last_ms, window_end_ms: e.last_ms + e.post_ms });
      report.closed_events++;
    }
    this.exportsRepo.failRunning('Interrupted by a restart');
    for (const e of this.events.unfinished()) void this.finalizer.enqueue(e.id, false);
    this.log.info(report, 'recording recovery done');
    return report;
  }

  /** Whole-archive reconciliation in small chunks that yield to the event loop; stop() cancels it. */
  async reconcile(): Promise<RecoveryReport> {
    const report: RecoveryReport = { indexed: 0, dropped_rows: 0, removed_temp: 0, closed_events: 0 };
    const cameras = new Set(this.cameras.list().map((c) => c.id));
    for (const cam of this.files.subdirs('segments')) {
      for (const hour of this.hourDirs(cam)) {
        if (this.stopped) return report;
        await this.checkHourDir(hour, cameras, report);
        await tick();
      }
    }
    for (let after = 0; !this.stopped; ) {
      const rows = this.segments.page(after, ROW_CHUNK);
      if (!rows.length) break;
      after = rows[rows.length - 1]!.id;
      const gone = rows.filter((r) => this.files.size(r.path) === null).map((r) => r.id);
      if (gone.length) this.segments.deleteIds(gone);
      report.dropped_rows += gone.length;
      await tick();
    }
    if (report.indexed || report.dropped_rows || report.removed_temp) this.log.info(report, 'archive reconciled');
    return report;
  }

  stop(): void {
    this.stopped = true;
  }

  /** segments/<cam>/<day>/<hour> folders of one camera, oldest first. */
  private hourDirs(cam: string): string[] {
    const out: string[] = [];
    for (const day of this.files.subdirs(`segments/${cam}`).filter((d) => DAY_DIR.test(d)).sort()) {
      for (const hour of this.files.subdirs(`segments/${cam}/${day}`).filter((h) => HOUR_DIR.test(h)).sort()) out.push(`segments/${cam}/${day}/${hour}`);
    }
    return out;
  }

  private async checkHourDir(dir: string, cameras: Set<number>, report: RecoveryReport): Promise<void> {
    for (const f of this.files.filesIn(dir)) await this.checkFile(f, cameras, report);
  }

  private async checkFile(f: FoundFile, cameras: Set<number>, report: RecoveryReport): Promise<void> {
    const m = FINAL_SEGMENT.exec(f.rel);
    if (!m) {
      this.files.remove(f.rel);
      report.removed_temp++;
      return;
    }
    if (!cameras.has(Number(m[1])) || this.segments.hasPath(f.rel)) return;
    const probe = f.size > 0 ? await this.tools.probe(this.files.resolve(f.rel)) : null;
    if (!probe || probe.duration_s === null || probe.duration_s <= 0) {
      this.files.remove(f.rel);
      report.removed_temp++;
      return;
    }
    const start = Number(m[2]);
    const sha256 = await this.tools.sha256(this.files.resolve(f.rel));
    const id = this.segments.insert({ camera_id: Number(m[1]), path: f.rel, start_ms: start, end_ms: start + Math.round(probe.duration_s * 1000), bytes: f.size, codec: probe.codec, width: probe.width, height: probe.height, sha256 });
    if (id !== null) report.indexed++;
  }
}
