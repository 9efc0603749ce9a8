// Live HLS files as the live routes serve them: session folders, playlists and segments, always inside the data root.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReadStream } from 'node:fs';
import { ApiError } from '../shared/errors';
import { containedPath, readServed, realContained, servedFile, type ServedFile } from './contained-path';

export interface HlsFilesRepository {
  /** The real folder of a session when it, and its playlist, lie inside the data root; null otherwise. */
  sessionDir(dir: string, playlist: string): string | null;
  /** The playlist's text while it exists inside the data root; null when missing (or escaping). */
  readPlaylist(path: string): Promise<string | null>;
  /** A segment of a camera's session folder (its default folder when dir is null): 400 when it escapes, 404 when missing. */
  segment(cameraId: number, dir: string | null, name: string): ServedFile;
  read(f: ServedFile): ReadStream;
}

export class NodeHlsFilesRepository implements HlsFilesRepository {
  constructor(private readonly dataDir: string) {}

  sessionDir(dir: string, playlist: string): string | null {
    const real = realContained(this.dataDir, dir);
    return real && containedPath(real, playlist) !== null ? real : null;
  }

  async readPlaylist(path: string): Promise<string | null> {
    const real = realContained(this.dataDir, path);
    return real ? await readFile(real, 'utf8').catch(() => null) : null;
  }

  segment(cameraId: number, dir: string | null, name: string): ServedFile {
    const f = servedFile(dir ?? join(this.dataDir, 'hls', String(cameraId)), name, `Segment ${name}`);
    if (!realContained(this.dataDir, f.path)) throw new ApiError(400, 'Path escapes the data root');
    return f;
  }

  read(f: ServedFile): ReadStream {
    return readServed(f);
  }
}
