// Saved snapshots: one snapshot_*.jpg per request from a camera's newest recorded segment; listed, served, deleted.
import { ApiError, badRequest, notFound } from '../../shared/errors';
import type { Logger } from '../../repositories/logger';
import type { StillsRepository } from '../../repositories/stills.repository';
import type { PushSink } from '../../ports/push.port';
import { RECENT_SEGMENT_MS, type NewestSegment } from './timelapse.service';

export interface Snapshot {
  /** Data-root-relative path (the Pi routes answer it absolute). */
  path: string;
  size: number;
  camera_id: number | null;
  created_at: string;
}

export interface SnapshotsDeps {
  files: StillsRepository;
  cameras: () => { id: number; enabled: boolean }[];
  newestSegment: (cameraId: number) => NewestSegment | null;
  log: Logger;
  now?: () => number;
  /** Told of each saved or deleted snapshot (push 'archive.changed'). */
  bus?: PushSink;
}

export const SNAPSHOT_DIR = 'snapshots';
/** snapshot_<YYYYMMDD>_<HHMMSS>_<ms>_c<camera>.jpg; the Pi's own files (snapshot_<date>_<time>.jpg) match too. */
const SNAPSHOT = /^snapshot_[A-Za-z0-9_-]+\.jpg$/;
const CAMERA_IN_NAME = /_c(\d+)\.jpg$/;

const stamp = (ms: number): string => {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}_${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}_${p(d.getMilliseconds(), 3)}`;
};

export class SnapshotsService {
  private readonly now: () => number;

  constructor(private readonly d: SnapshotsDeps) {
    this.now = d.now ?? Date.now;
  }

  /**
   * Saves one JPEG of a camera (the first enabled one when none is named) from its newest recorded segment, so it is at
   * most one segment old. 404 for an unknown camera, 409 when it has recorded nothing in the last two minutes, 500 when
   * ffmpeg fails.
   */
  async save(cameraId?: number): Promise<Snapshot> {
    const cams = this.d.cameras();
    const cam = cameraId === undefined ? cams.find((c) => c.enabled) : cams.find((c) => c.id === cameraId);
    if (!cam) throw notFound(cameraId === undefined ? 'No enabled camera' : `Camera ${cameraId} not found`);
    const seg = this.d.newestSegment(cam.id);
    const at = this.now();
    if (!seg || at - seg.end_ms > RECENT_SEGMENT_MS) throw new ApiError(409, 'The camera has no recent recording to take a snapshot from (is it running?)', {}, { code: 'NO_RECENT_RECORDING' });
    const segment = seg.path;
    const path = `${SNAPSHOT_DIR}/snapshot_${stamp(at)}_c${cam.id}.jpg`;
    try {
      await this.d.files.grab(segment, path, null);
    } catch (err) {
      this.d.log.warn({ err, camera_id: cam.id }, 'snapshot capture failed');
      throw new ApiError(500, 'Snapshot capture failed', {}, { code: 'CAPTURE_FAILED' });
    }
    const f = this.d.files.files(SNAPSHOT_DIR, SNAPSHOT).find((x) => x.path === path);
    this.d.bus?.emit('archive.changed', { kind: 'snapshot', change: 'added', path });
    return { path, size: f?.size ?? 0, camera_id: cam.id, created_at: new Date(at).toISOString() };
  }

  /** Every snapshot_*.jpg in the snapshots folder, newest first. */
  list(): Snapshot[] {
    return this.d.files
      .files(SNAPSHOT_DIR, SNAPSHOT)
      .sort((a, b) => b.mtime_ms - a.mtime_ms || b.path.localeCompare(a.path))
      .map((f) => {
        const cam = CAMERA_IN_NAME.exec(f.path)?.[1];
        return { path: f.path, size: f.size, camera_id: cam ? Number(cam) : null, created_at: new Date(f.mtime_ms).toISOString() };
      });
  }

  /** A snapshot to serve: 400 for a path outside the snapshots folder or not a snapshot_*.jpg, 404 when missing. */
  image(path: string): { path: string; size: number } {
    return this.d.files.served(this.snapshotPath(path), 'Snapshot');
  }

  async delete(path: string): Promise<void> {
    const rel = this.snapshotPath(path);
    this.d.files.served(rel, 'Snapshot');
    await this.d.files.remove(rel);
    this.d.bus?.emit('archive.changed', { kind: 'snapshot', change: 'deleted', path: rel });
  }

  private snapshotPath(path: unknown): string {
    if (typeof path !== 'string' || path === '' || path.includes('\0')) throw badRequest('Invalid snapshot path');
    const rel = this.d.files.relative(path);
    const parts = rel?.split('/') ?? [];
    if (!rel || parts.length !== 2 || parts[0] !== SNAPSHOT_DIR || !SNAPSHOT.test(parts[1] as string)) throw badRequest('Only snapshot_*.jpg files inside the snapshots folder');
    return rel;
  }
}
