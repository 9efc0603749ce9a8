// Timeline and investigator side of recordings: coverage, activity histogram, HLS VOD playlists, frames and exports.
import { ApiError, badRequest, conflict, notFound } from '../../shared/errors';
import type { z } from 'zod';
import type { exportStatusSchema } from '../../shared/contract/events.contract';
import type { EventsRepository, ExportRow, ExportsRepository } from '../../repositories/events.repository';
import type { SegmentRow, SegmentsRepository } from '../../repositories/segments.repository';
import type { MediaFilesRepository } from '../../repositories/media-files.repository';
import type { MediaToolsRepository } from '../../repositories/ffmpeg/media-tools.repository';
import type { Logger } from '../../repositories/logger';
import type { PushBus } from '../push-bus';
import type { CameraSettingsSource } from '../cameras/camera-settings';
import { bucketIndex, mergeSpans, type Span } from './coverage';
import { RenderQueue, RenderQueueFullError, type RenderWork } from './render-queue';

export type ExportStatus = z.output<typeof exportStatusSchema>;

const iso = (ms: number): string => new Date(ms).toISOString();
const MAX_EXPORT_MS = 24 * 3_600_000;
/** The join gap coverage_spans are stored with (migration 004). */
const COVERAGE_GAP_MS = 2000;
const MAX_SPRITE_MS = 30 * 60_000;
/**
 * Hover renders (frame/sprite ffmpeg runs): 2 at once, so a fast scrub does not fork one ffmpeg per second crossed.
 * 32 distinct renders may wait: at ~0.1–1 s a render that is a 2–16 s backlog, past which a hover preview is stale,
 * and it still covers five browsers scrubbing at once (a browser holds at most 6 connections per host).
 */
const RENDER_LIMITS = { running: 2, waiting: 32 };
/** Seconds a client is told to wait when the render queue is full: about how long a full line of frames takes to drain. */
const RENDER_RETRY_AFTER_S = 2;

export class RecordingsService {
  private exportQueue: Promise<void> = Promise.resolve();
  /** Keyed by cache file: concurrent hovers share one ffmpeg run instead of clobbering its temp files. */
  private readonly renders = new RenderQueue<string>(RENDER_LIMITS);

  constructor(
    private readonly segments: SegmentsRepository,
    private readonly events: EventsRepository,
    private readonly exportsRepo: ExportsRepository,
    private readonly files: MediaFilesRepository,
    private readonly tools: MediaToolsRepository,
    private readonly cameras: CameraSettingsSource,
    private readonly bus: PushBus,
    private readonly log: Logger,
    private readonly newId: () => string,
  ) {}

  coverage(i: { camera_id?: number; from: number; to: number; min_gap_ms: number }): { from: number; to: number; cameras: { camera_id: number; spans: Span[] }[] } {
    if (i.to <= i.from) throw badRequest('"to" must be after "from"');
    // Stored spans are merged at 2 s; a finer min_gap_ms needs the raw segments (bounded to a day).
    const fine = i.min_gap_ms < COVERAGE_GAP_MS;
    if (fine && i.to - i.from > 86_400_000) throw badRequest('min_gap_ms below 2000 is limited to ranges of one day');
    const rows = fine ? this.segments.spans(i.camera_id ?? null, i.from, i.to) : this.segments.coverage(i.camera_id ?? null, i.from, i.to);
    const per = new Map<number, Span[]>();
    for (const r of rows) {
      const l = per.get(r.camera_id) ?? [];
      l.push([r.start_ms, r.end_ms]);
      per.set(r.camera_id, l);
    }
    const ids = i.camera_id !== undefined ? [i.camera_id] : [...new Set([...this.cameras.list().map((c) => c.id), ...per.keys()])].sort((a, b) => a - b);
    return { from: i.from, to: i.to, cameras: ids.map((id) => ({ camera_id: id, spans: mergeSpans(per.get(id) ?? [], i.from, i.to, i.min_gap_ms) })) };
  }

  activity(i: { camera_id?: number; from: number; to: number; buckets: number }): {
    from: number;
    to: number;
    bucket_ms: number;
    cameras: { camera_id: number; motion: number[]; events: number[] }[];
  } {
    if (i.to <= i.from) throw badRequest('"to" must be after "from"');
    const bucketMs = Math.max(1, Math.ceil((i.to - i.from) / i.buckets));
    const ids = i.camera_id !== undefined ? [i.camera_id] : this.cameras.list().map((c) => c.id);
    const acc = new Map(ids.map((id) => [id, { frames: new Array<number>(i.buckets).fill(0), motion: new Array<number>(i.buckets).fill(0), events: new Array<number>(i.buckets).fill(0) }]));
    for (const a of this.events.activity(i.camera_id ?? null, i.from, i.to)) {
      const c = acc.get(a.camera_id);
      const b = bucketIndex(Math.max(a.minute_ms, i.from), i.from, bucketMs, i.buckets);
      if (!c || b < 0) continue;
      c.frames[b]! += a.frames;
      c.motion[b]! += a.motion_frames;
    }
    for (const e of this.events.startsIn(i.camera_id ?? null, i.from, i.to)) {
      const c = acc.get(e.camera_id);
      const b = bucketIndex(e.started_ms, i.from, bucketMs, i.buckets);
      if (c && b >= 0) c.events[b]!++;
    }
    return {
      from: i.from,
      to: i.to,
      bucket_ms: bucketMs,
      cameras: ids.map((id) => {
        const c = acc.get(id)!;
        return { camera_id: id, motion: c.motion.map((m, k) => (c.frames[k] ? Math.round((m / c.frames[k]!) * 1000) / 1000 : 0)), events: c.events };
      }),
    };
  }

  /** HLS VOD playlist for [from, to) built from the indexed segments (no re-encode); gaps become discontinuities. */
  vodPlaylist(cameraId: number, from: number, to: number, query: string): string {
    if (!(to > from)) throw badRequest('"to" must be after "from"');
    const segs = this.segments.overlapping(cameraId, from, to);
    if (!segs.length) throw notFound('No recordings for that camera and range');
    // A reduce, not Math.max(...spread): a week of 4 s segments overflows the call stack as arguments.
    const target = Math.ceil(segs.reduce((m, s) => Math.max(m, (s.end_ms - s.start_ms) / 1000), 1));
    const lines = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${target}`, '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-PLAYLIST-TYPE:VOD', `#EXT-X-PROGRAM-DATE-TIME:${iso(segs[0]!.start_ms)}`];
    let prevEnd: number | null = null;
    for (const s of segs) {
      if (prevEnd !== null && s.start_ms - prevEnd > 1500) lines.push('#EXT-X-DISCONTINUITY', `#EXT-X-PROGRAM-DATE-TIME:${iso(s.start_ms)}`);
      lines.push(`#EXTINF:${((s.end_ms - s.start_ms) / 1000).toFixed(3)},`, `segments/${s.id}.ts${query}`);
      prevEnd = s.end_ms;
    }
    lines.push('#EXT-X-ENDLIST', '');
    return lines.join('\n');
  }

  segmentFile(cameraId: number, segmentId: number): { path: string; size: number } {
    const s = this.segments.byId(segmentId);
    if (!s || s.camera_id !== cameraId) throw notFound('Segment not found');
    const size = this.files.size(s.path);
    if (size === null) throw notFound('Segment file is missing');
    return { path: this.files.resolve(s.path), size };
  }

  /** A JPEG of the recorded frame nearest ts (timeline hover), cached per second. Rendering stops when `signal` aborts. */
  async frameAt(cameraId: number, ts: number, width = 320, signal?: AbortSignal): Promise<{ path: string; size: number }> {
    const s = this.segments.overlapping(cameraId, ts, ts + 1)[0] ?? null;
    if (!s) throw notFound('No recording at that time');
    const sec = Math.floor(ts / 1000) * 1000;
    const rel = `cache/frames/${cameraId}/${sec}-${width}.jpg`;
    if (this.files.size(rel) === null) {
      if (this.files.size(s.path) === null) throw notFound('The segment file at that time is missing');
      await this.render(rel, signal, (abort) => this.tools.frame(this.files.resolve(s.path), Math.max(0, sec - s.start_ms) / 1000, this.files.ensureDirFor(rel), width, abort).catch((err: unknown) => {
        this.files.remove(rel);
        if (abort.aborted) throw err;
        this.log.warn({ err: err instanceof Error ? err.message : String(err), camera_id: cameraId, segment: s.path }, 'frame extraction failed');
        throw notFound('No decodable frame at that time');
      }));
    }
    const size = this.files.size(rel);
    if (size === null) throw notFound('No frame at that time');
    return { path: this.files.resolve(rel), size };
  }

  /** A 1600×90 hover-scrub strip (10 frames) for a recorded range of at most 30 minutes. Rendering stops when `signal` aborts. */
  async rangeSprite(cameraId: number, from: number, to: number, signal?: AbortSignal): Promise<{ path: string; size: number }> {
    if (!(to > from)) throw badRequest('"to" must be after "from"');
    if (to - from > MAX_SPRITE_MS) throw badRequest('Sprite ranges are limited to 30 minutes');
    const segs = this.segments.overlapping(cameraId, from, to);
    if (!segs.length) throw notFound('No recordings for that camera and range');
    const rel = `cache/sprites/${cameraId}/${from}-${to}.jpg`;
    if (this.files.size(rel) === null) {
      if (segs.some((s) => this.files.size(s.path) === null)) throw notFound('A segment file in that range is missing');
      await this.render(rel, signal, async (abort) => {
        const tmp = `cache/sprites/${cameraId}/${from}-${to}.mp4`;
        const tmpAbs = this.files.ensureDirFor(tmp);
        try {
          await this.tools.concat(segs.map((s) => this.files.resolve(s.path)), tmpAbs, undefined, abort);
          await this.tools.sprite(tmpAbs, segs.reduce((a, s) => a + s.end_ms - s.start_ms, 0) / 1000, this.files.ensureDirFor(rel), abort);
        } catch (err) {
          this.files.remove(rel);
          if (abort.aborted) throw err;
          this.log.warn({ err: err instanceof Error ? err.message : String(err), camera_id: cameraId, from, to }, 'range sprite failed');
          throw notFound('No decodable footage in that range');
        } finally {
          this.files.remove(tmp);
        }
      });
    }
    return { path: this.files.resolve(rel), size: this.files.size(rel) ?? 0 };
  }

  /** Waits for the shared render of `key`; this caller stops holding it when `signal` aborts. */
  private async render(key: string, signal: AbortSignal | undefined, work: RenderWork): Promise<void> {
    try {
      await this.renders.run(key, work, signal);
    } catch (err) {
      if (err instanceof RenderQueueFullError) {
        throw new ApiError(503, 'Too many previews are being rendered; retry shortly', { 'Retry-After': String(RENDER_RETRY_AFTER_S) });
      }
      // 499 (client closed request): nobody reads it, and it keeps an abandoned hover out of the error log.
      if (signal?.aborted) throw new ApiError(499, 'Client closed the request');
      throw err;
    }
  }

  export(i: { camera_id: number; from: number; to: number }): ExportStatus {
    if (!this.cameras.get(i.camera_id)) throw notFound(`Camera ${i.camera_id} not found`);
    if (!(i.to > i.from)) throw badRequest('"to" must be after "from"');
    if (i.to - i.from > MAX_EXPORT_MS) throw badRequest('Exports are limited to 24 hours');
    const segs = this.segments.overlapping(i.camera_id, i.from, i.to);
    if (!segs.length) throw notFound('No recordings for that camera and range');
    const id = this.newId();
    this.exportsRepo.insert({ id, camera_id: i.camera_id, from_ms: i.from, to_ms: i.to, state: 'queued', percent: 0, detail: null, file_path: null, manifest: null });
    this.exportQueue = this.exportQueue.then(() => this.runExport(id, segs)).catch((err: unknown) => this.log.error({ err, id }, 'export failed'));
    return this.exportStatus(id);
  }

  exportStatus(id: string): ExportStatus {
    const r = this.exportsRepo.get(id);
    if (!r) throw notFound(`Export ${id} not found`);
    return this.toStatus(r);
  }

  listExports(i: { camera_id?: number; limit: number; offset: number }): { total: number; items: ExportStatus[] } {
    const page = this.exportsRepo.list(i.limit, i.offset, i.camera_id);
    return { total: page.total, items: page.items.map((r) => this.toStatus(r)) };
  }

  /** Removes a finished or failed export and its files; a queued one is dropped before it runs; a running one is 409. */
  deleteExport(id: string): void {
    const r = this.exportsRepo.get(id);
    if (!r) throw notFound(`Export ${id} not found`);
    if (r.state === 'running') throw conflict(`Export ${id} is running; delete it once it has finished.`);
    this.files.remove(r.file_path);
    this.files.remove(`exports/${id}.manifest.json`);
    this.exportsRepo.delete(id);
    this.bus.emit('export.deleted', { export_id: id });
  }

  exportFile(id: string): { path: string; size: number; name: string } {
    const r = this.exportsRepo.get(id);
    if (!r) throw notFound(`Export ${id} not found`);
    if (r.state !== 'done' || !r.file_path) throw notFound(`Export ${id} is not ready`);
    const size = this.files.size(r.file_path);
    if (size === null) throw notFound('Export file is missing');
    return { path: this.files.resolve(r.file_path), size, name: `vigil-camera${r.camera_id}-${iso(r.from_ms).replace(/[:.]/g, '-')}.mp4` };
  }

  /** Resolves when queued exports have finished. */
  drain(): Promise<void> {
    return this.exportQueue;
  }

  private async runExport(id: string, indexed: SegmentRow[]): Promise<void> {
    const row = this.exportsRepo.get(id);
    if (!row) return;
    // ffmpeg's concat demuxer stops at a missing input yet exits 0: the MP4 would be silently cut short.
    const segs = indexed.filter((s) => this.files.size(s.path) !== null);
    const skipped = indexed.length - segs.length;
    const note = skipped ? `${skipped} segment${skipped === 1 ? '' : 's'} missing from disk ${skipped === 1 ? 'was' : 'were'} skipped` : null;
    const rel = `exports/${id}.mp4`;
    const total = segs.reduce((a, s) => a + (s.end_ms - s.start_ms), 0);
    let lastPct = -1;
    const progress = (pct: number, state: 'running' | 'done' | 'error', detail: string | null) => {
      this.exportsRepo.update(id, { percent: pct, state, detail });
      this.bus.emit('export.progress', { export_id: id, percent: pct, state, detail });
    };
    progress(0, 'running', null);
    try {
      if (!segs.length) throw new Error('Every segment in the range is missing from disk');
      await this.tools.concat(
        segs.map((s) => this.files.resolve(s.path)),
        this.files.ensureDirFor(rel),
        (outMs) => {
          const pct = Math.min(99, Math.floor((outMs / Math.max(total, 1)) * 100));
          if (pct >= lastPct + 5) {
            lastPct = pct;
            progress(pct, 'running', null);
          }
        },
      );
      const manifest = {
        camera_id: row.camera_id,
        from: iso(row.from_ms),
        to: iso(row.to_ms),
        segments: segs.map((s) => ({ path: s.path, start: iso(s.start_ms), end: iso(s.end_ms), sha256: s.sha256 ?? '', bytes: s.bytes })),
      };
      this.files.writeText(`exports/${id}.manifest.json`, JSON.stringify(manifest, null, 2));
      this.exportsRepo.update(id, { file_path: rel, manifest: JSON.stringify(manifest), bytes: this.files.size(rel) ?? 0, finished_ms: Date.now() });
      progress(100, 'done', note);
    } catch (err) {
      progress(lastPct < 0 ? 0 : lastPct, 'error', err instanceof Error ? err.message : String(err));
    }
  }

  private toStatus(r: ExportRow): ExportStatus {
    return {
      export_id: r.id,
      camera_id: r.camera_id,
      from: r.from_ms,
      to: r.to_ms,
      state: r.state,
      percent: r.percent,
      detail: r.detail,
      file_url: r.state === 'done' && r.file_path ? `/api/recordings/exports/${r.id}/file` : null,
      manifest: r.manifest ? (JSON.parse(r.manifest) as ExportStatus['manifest']) : null,
      bytes: r.bytes ?? null,
      created_at: r.created_ms !== undefined ? iso(r.created_ms) : null,
    };
  }
}
