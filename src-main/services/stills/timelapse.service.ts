// Timelapse for every camera: a frame each interval from its newest recorded segment, stitched per day into an MP4.
import { ApiError, badRequest } from '../../shared/errors';
import type { Settings, SettingsPatch, TimelapseResolution } from '../../shared/settings';
import type { Logger } from '../../repositories/logger';
import type { StillsRepository } from '../../repositories/stills.repository';
import type { PushSink } from '../../ports/push.port';

export interface TimelapseVideo {
  camera_id: number;
  /** Data-root-relative path (the Pi routes answer it absolute). */
  path: string;
  /** YYYY-MM-DD. */
  date: string;
  size: number;
  mtime: string;
  thumbnail?: string;
}

export interface TimelapseStatus {
  enabled: boolean;
  interval_minutes: number;
  fps: number;
  resolution: TimelapseResolution;
  /** Frames captured today over all cameras. */
  today_frame_count: number;
  last_capture: string | null;
  cameras: { camera_id: number; today_frame_count: number; last_capture: string | null }[];
}

export interface TimelapseConfigure {
  enabled?: boolean;
  interval_minutes?: number;
  fps?: number;
  resolution?: TimelapseResolution;
}

export interface TimelapseDeps {
  files: StillsRepository;
  settings: { get(): Settings; update(patch: SettingsPatch): Settings; onChange(fn: (next: Settings, prev: Settings) => void): () => void };
  cameras: () => { id: number; enabled: boolean }[];
  /** The camera's newest recorded segment (data-root-relative path, end time), or null. */
  newestSegment: (cameraId: number) => NewestSegment | null;
  log: Logger;
  now?: () => number;
  /** Test-sized capture interval in seconds, replacing interval_minutes. */
  intervalSecondsOverride?: number;
  /** Told of each stitched or deleted video (push 'archive.changed'). */
  bus?: PushSink;
}

export interface NewestSegment {
  path: string;
  end_ms: number;
}

/** A segment older than this is not "now": a camera that stopped recording gets no frame (and no snapshot). */
export const RECENT_SEGMENT_MS = 120_000;

export const TIMELAPSE_DIR = 'timelapse';
const VIDEO = /^timelapse_(\d{8})\.mp4$/;
const FRAME = /^frame_(\d{6})\.jpg$/;

/** Local calendar day as YYYYMMDD (the day a frame belongs to). */
export function dayKey(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
}

const dashed = (key: string): string => `${key.slice(0, 4)}-${key.slice(4, 6)}-${key.slice(6, 8)}`;

/** The scale a resolution setting asks ffmpeg for (null keeps the camera's size). */
export const timelapseScale = (r: TimelapseResolution): string | null => (r === 'original' ? null : r);

export class TimelapseService {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  private readonly lastCapture = new Map<number, number>();
  private unwatch: (() => void) | null = null;
  private readonly now: () => number;

  constructor(private readonly d: TimelapseDeps) {
    this.now = d.now ?? Date.now;
  }

  start(): void {
    this.unwatch = this.d.settings.onChange((next, prev) => {
      if (next.timelapse_enabled !== prev.timelapse_enabled || next.timelapse_interval_minutes !== prev.timelapse_interval_minutes) this.schedule();
    });
    this.schedule();
  }

  async stop(): Promise<void> {
    this.unwatch?.();
    this.unwatch = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  intervalMs(): number {
    return this.d.intervalSecondsOverride !== undefined ? this.d.intervalSecondsOverride * 1000 : this.d.settings.get().timelapse_interval_minutes * 60_000;
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.d.settings.get().timelapse_enabled) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => {
        if (this.timer) this.schedule();
      });
    }, this.intervalMs());
    this.timer.unref();
  }

  /** One capture round: a frame from every enabled camera, then days that are over are stitched. */
  async tick(): Promise<void> {
    for (const c of this.d.cameras()) {
      if (!c.enabled) continue;
      try {
        await this.capture(c.id);
      } catch (err) {
        this.d.log.warn({ err, camera_id: c.id }, 'timelapse frame not captured');
      }
    }
    await this.stitchFinishedDays();
  }

  /** Captures one frame for a camera now; false when it has recorded nothing in the last two minutes. */
  async capture(cameraId: number): Promise<boolean> {
    const seg = this.d.newestSegment(cameraId);
    if (!seg || this.now() - seg.end_ms > RECENT_SEGMENT_MS) return false;
    const segment = seg.path;
    const dir = this.framesDir(cameraId, dayKey(this.now()));
    const next = this.d.files.files(dir, FRAME).reduce((m, f) => Math.max(m, Number(FRAME.exec(f.path.split('/').pop() as string)?.[1])), 0) + 1;
    await this.d.files.grab(segment, `${dir}/frame_${String(next).padStart(6, '0')}.jpg`, timelapseScale(this.d.settings.get().timelapse_resolution));
    this.lastCapture.set(cameraId, this.now());
    return true;
  }

  /** Stitches a camera's frames of one day (YYYYMMDD or YYYY-MM-DD) into timelapse_<YYYYMMDD>.mp4 with a thumbnail. */
  async stitch(cameraId: number, date: string): Promise<TimelapseVideo> {
    const key = date.replace(/-/g, '');
    if (!/^\d{8}$/.test(key)) throw badRequest('date must be YYYY-MM-DD');
    const frames = this.framesDir(cameraId, key);
    if (!this.d.files.files(frames, FRAME).length) throw new ApiError(404, 'No timelapse frames for that camera and day');
    const out = `${this.cameraDir(cameraId)}/timelapse_${key}.mp4`;
    await this.d.files.stitch(frames, out, this.d.settings.get().timelapse_fps, `${this.cameraDir(cameraId)}/timelapse_${key}.jpg`);
    const video = this.list().find((v) => v.path === out);
    if (!video) throw new ApiError(500, 'Timelapse video was not written');
    this.d.log.info({ camera_id: cameraId, date: key, size: video.size }, 'timelapse stitched');
    this.d.bus?.emit('archive.changed', { kind: 'timelapse', change: 'added', path: out });
    return video;
  }

  /** Days before today that still have frames: stitched, then their frames removed. */
  async stitchFinishedDays(): Promise<void> {
    const today = dayKey(this.now());
    for (const cam of this.d.files.subdirs(TIMELAPSE_DIR)) {
      if (!/^\d+$/.test(cam)) continue;
      for (const day of this.d.files.subdirs(`${TIMELAPSE_DIR}/${cam}/frames`)) {
        if (!/^\d{8}$/.test(day) || day >= today) continue;
        try {
          await this.stitch(Number(cam), day);
          await this.d.files.removeDir(this.framesDir(Number(cam), day));
        } catch (err) {
          this.d.log.warn({ err, camera_id: Number(cam), date: day }, 'timelapse day not stitched');
        }
      }
    }
  }

  status(): TimelapseStatus {
    const s = this.d.settings.get();
    const today = dayKey(this.now());
    const cameras = this.d.cameras().map((c) => {
      const last = this.lastCapture.get(c.id);
      return { camera_id: c.id, today_frame_count: this.d.files.files(this.framesDir(c.id, today), FRAME).length, last_capture: last === undefined ? null : new Date(last).toISOString() };
    });
    const lasts = cameras.map((c) => c.last_capture).filter((x): x is string => x !== null).sort();
    return {
      enabled: s.timelapse_enabled,
      interval_minutes: s.timelapse_interval_minutes,
      fps: s.timelapse_fps,
      resolution: s.timelapse_resolution,
      today_frame_count: cameras.reduce((n, c) => n + c.today_frame_count, 0),
      last_capture: lasts.at(-1) ?? null,
      cameras,
    };
  }

  configure(c: TimelapseConfigure): TimelapseStatus {
    const patch: SettingsPatch = {};
    if (c.enabled !== undefined) patch.timelapse_enabled = c.enabled;
    if (c.interval_minutes !== undefined) patch.timelapse_interval_minutes = c.interval_minutes;
    if (c.fps !== undefined) patch.timelapse_fps = c.fps;
    if (c.resolution !== undefined) patch.timelapse_resolution = c.resolution;
    this.d.settings.update(patch);
    return this.status();
  }

  /** Stitched videos of every camera (or one), newest day first. */
  list(cameraId?: number): TimelapseVideo[] {
    const cams = cameraId !== undefined ? [String(cameraId)] : this.d.files.subdirs(TIMELAPSE_DIR).filter((n) => /^\d+$/.test(n));
    const out: TimelapseVideo[] = [];
    for (const cam of cams) {
      const dir = `${TIMELAPSE_DIR}/${cam}`;
      for (const f of this.d.files.files(dir, VIDEO)) {
        const key = VIDEO.exec(f.path.split('/').pop() as string)?.[1] as string;
        const thumb = `${dir}/timelapse_${key}.jpg`;
        out.push({ camera_id: Number(cam), path: f.path, date: dashed(key), size: f.size, mtime: new Date(f.mtime_ms).toISOString(), ...(this.d.files.exists(thumb) ? { thumbnail: thumb } : {}) });
      }
    }
    return out.sort((a, b) => b.date.localeCompare(a.date) || b.mtime.localeCompare(a.mtime) || a.camera_id - b.camera_id);
  }

  /** A stitched video to serve (Range is the route's): 400 outside the timelapse folder or not a timelapse, 404 missing. */
  video(path: string): { path: string; size: number } {
    this.timelapsePath(path);
    return this.d.files.served(path, 'Timelapse video');
  }

  /** Deletes one stitched video (and its thumbnail): only timelapse_*.mp4 inside <data>/timelapse/<camera>/. */
  async delete(path: string): Promise<void> {
    const rel = this.timelapsePath(path);
    this.d.files.served(rel, 'Timelapse video');
    await this.d.files.remove(rel);
    await this.d.files.remove(rel.replace(/\.mp4$/, '.jpg'));
    this.d.bus?.emit('archive.changed', { kind: 'timelapse', change: 'deleted', path: rel });
  }

  /** A deleted camera's frames and videos go with it. */
  async purgeCamera(cameraId: number): Promise<void> {
    this.lastCapture.delete(cameraId);
    await this.d.files.removeDir(this.cameraDir(cameraId));
  }

  /** The data-root-relative path of a timelapse video, or 400. */
  private timelapsePath(path: string): string {
    if (typeof path !== 'string' || path === '' || path.includes('\0')) throw badRequest('Invalid path');
    const rel = this.d.files.relative(path);
    const parts = rel?.split('/') ?? [];
    if (!rel || parts.length !== 3 || parts[0] !== TIMELAPSE_DIR || !/^\d+$/.test(parts[1] as string) || !VIDEO.test(parts[2] as string)) {
      throw badRequest('Only timelapse_*.mp4 files inside the timelapse folder');
    }
    return rel;
  }

  private cameraDir(cameraId: number): string {
    if (!Number.isInteger(cameraId) || cameraId < 1) throw badRequest('Invalid camera id');
    return `${TIMELAPSE_DIR}/${cameraId}`;
  }

  private framesDir(cameraId: number, key: string): string {
    return `${this.cameraDir(cameraId)}/frames/${key}`;
  }
}
