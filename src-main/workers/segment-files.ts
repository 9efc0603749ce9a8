// Filesystem side of the ingest: segment folders, moving closed segments to their final path, live-buffer pruning, HLS files.
import { mkdir, readdir, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface CameraDirs {
  incoming: string;
  segments: string;
  live: string;
  hls: string;
}

export function cameraDirs(dataDir: string, cameraId: number): CameraDirs {
  const id = String(Math.trunc(cameraId));
  return {
    incoming: join(dataDir, 'segments', id, '.incoming'),
    segments: join(dataDir, 'segments', id),
    live: join(dataDir, 'live', id),
    hls: join(dataDir, 'hls', id),
  };
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `<segments>/<yyyy-mm-dd>/<hh>/<start_ms>.ts` in UTC. */
export function finalSegmentPath(segmentsDir: string, startMs: number): string {
  const d = new Date(startMs);
  const day = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return join(segmentsDir, day, pad(d.getUTCHours()), `${startMs}.ts`);
}

/** Remove what a previous run left half-written in .incoming (it was never announced as closed). */
export async function resetIncoming(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
}

/** Move a closed segment to `dest` (creating folders; never overwriting); returns where it landed and its size. */
export async function moveSegment(from: string, dest: string): Promise<{ path: string; bytes: number }> {
  await mkdir(join(dest, '..'), { recursive: true });
  let target = dest;
  for (let i = 1; ; i++) {
    try {
      await stat(target);
      target = dest.replace(/\.ts$/, `-${i}.ts`);
    } catch {
      break;
    }
  }
  await rename(from, target);
  return { path: target, bytes: (await stat(target)).size };
}

/** Delete live-buffer segments (named <start_ms>.ts) that started before `beforeMs`. */
export async function pruneLive(dir: string, beforeMs: number): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  await Promise.all(
    names
      .filter((n) => {
        const m = /^(\d+)(?:-\d+)?\.ts$/.exec(n);
        return m ? Number(m[1]) < beforeMs : false;
      })
      .map((n) => unlink(join(dir, n)).catch(() => undefined)),
  );
}

export async function resetDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export async function unlinkQuiet(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}

/** Replace a file atomically (write a sibling, then rename over). */
export async function writeAtomic(path: string, text: string | Buffer): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}
