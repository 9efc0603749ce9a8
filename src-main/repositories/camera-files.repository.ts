// Camera-scoped files on disk: removes a camera's segment/HLS/live folders and answers file checks, always inside the data root.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';

export interface CameraFilesRepository {
  /** Removes <data>/segments|hls|live/<id> (recursively; missing folders are fine). */
  removeCameraData(cameraId: number): Promise<void>;
  /** Whether a regular file exists at this path. */
  isFile(path: string): boolean;
}

export const CAMERA_DIRS = ['segments', 'hls', 'live'] as const;

/** Resolves a path under root and refuses anything that would escape it. */
export function insideRoot(root: string, ...parts: string[]): string | null {
  const base = resolve(root);
  const p = resolve(base, ...parts);
  return p === base || p.startsWith(base + sep) ? p : null;
}

export class FsCameraFilesRepository implements CameraFilesRepository {
  constructor(private readonly dataDir: string) {}

  async removeCameraData(cameraId: number): Promise<void> {
    if (!Number.isInteger(cameraId) || cameraId <= 0) return;
    for (const d of CAMERA_DIRS) {
      const p = insideRoot(this.dataDir, d, String(cameraId));
      if (p) await rm(p, { recursive: true, force: true, maxRetries: 3 });
    }
  }

  isFile(path: string): boolean {
    try {
      return statSync(path).isFile();
    } catch {
      return false;
    }
  }
}

/** The placeholder JPEG served before a camera's first frame (shipped in resources/demo). */
export function loadNoSignalJpeg(resourcesDir: string): Buffer | null {
  const p = join(resourcesDir, 'demo', 'no-signal.jpg');
  return existsSync(p) ? readFileSync(p) : null;
}
