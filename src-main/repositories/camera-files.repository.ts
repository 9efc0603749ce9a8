// Camera-scoped files on disk: removes a camera's segment/HLS/live folders and answers file checks, always inside the data root.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { realContained } from './contained-path';
import { rm } from 'node:fs/promises';
import { isAbsolute, join, resolve, sep } from 'node:path';

export interface CameraFilesRepository {
  /** Removes <data>/segments|hls|live/<id> (recursively; missing folders are fine). */
  removeCameraData(cameraId: number): Promise<void>;
  /**
   * The real path of a regular file inside one of the owner's media folders, or null. "Missing" and "not allowed" are
   * deliberately the same answer, so the API cannot be used to learn which files exist on the machine.
   */
  mediaFile(path: string): string | null;
}


export const CAMERA_DIRS = ['segments', 'hls', 'live'] as const;

/** Resolves a path under root and refuses anything that would escape it. */
export function insideRoot(root: string, ...parts: string[]): string | null {
  const base = resolve(root);
  const p = resolve(base, ...parts);
  return p === base || p.startsWith(base + sep) ? p : null;
}

export class FsCameraFilesRepository implements CameraFilesRepository {
  constructor(
    private readonly dataDir: string,
    /** Folders file cameras may read (owner-configured), plus the shipped demo media. */
    private readonly mediaDirs: string[] = [],
  ) {
    for (const d of mediaDirs) {
      try {
        mkdirSync(d, { recursive: true });
      } catch {
        // A read-only or missing folder simply allows nothing.
      }
    }
  }

  async removeCameraData(cameraId: number): Promise<void> {
    if (!Number.isInteger(cameraId) || cameraId <= 0) return;
    for (const d of CAMERA_DIRS) {
      const p = insideRoot(this.dataDir, d, String(cameraId));
      if (p) await rm(p, { recursive: true, force: true, maxRetries: 3 });
    }
  }

  mediaFile(path: string): string | null {
    if (!isAbsolute(path)) return null;
    for (const dir of this.mediaDirs) {
      const real = realContained(dir, path);
      if (!real) continue;
      try {
        if (statSync(real).isFile()) return real;
      } catch {
        return null;
      }
    }
    return null;
  }
}

/** A 64x36 dark frame, the last-resort placeholder when neither the shipped JPEG nor ffmpeg is available. */
const FALLBACK_JPEG = '/9j/4AAQSkZJRgABAgAAAQABAAD//gAQTGF2YzU5LjM3LjEwMAD/2wBDAAgUFBcUFxsbGxsbGyAeICEhISAgICAhISEkJCQqKiokJCQhISQkKCgqKi4vLisrKisvLzIyMjw8OTlGRkhWVmf/xABMAAEBAAAAAAAAAAAAAAAAAAAABwEBAQAAAAAAAAAAAAAAAAAAAAIQAQAAAAAAAAAAAAAAAAAAAAARAQAAAAAAAAAAAAAAAAAAAAD/wAARCAAkAEADASIAAhEAAxEA/9oADAMBAAIRAxEAPwCRAKSAAAAAAAAAAAAAAAAAAAAAA//Z';

/**
 * The placeholder JPEG served before a camera's first frame: the one shipped in resources/demo,
 * else one generated once with ffmpeg, else a tiny embedded dark frame.
 */
export function loadNoSignalJpeg(resourcesDir: string, ffmpegPath: string | null): Buffer {
  const p = join(resourcesDir, 'demo', 'no-signal.jpg');
  if (existsSync(p)) return readFileSync(p);
  if (ffmpegPath) {
    const r = spawnSync(ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'color=c=0x202428:s=640x360', '-frames:v', '1', '-f', 'image2pipe', '-c:v', 'mjpeg', '-'], { timeout: 10_000, maxBuffer: 1 << 20 });
    if (r.status === 0 && r.stdout.length > 0) return r.stdout;
  }
  return Buffer.from(FALLBACK_JPEG, 'base64');
}
