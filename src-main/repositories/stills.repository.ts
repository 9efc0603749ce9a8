// Stills under the data root (timelapse frames and videos, saved snapshots): ffmpeg grabs and stitches, contained file ops.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { ContainedFiles } from './contained-files';
import type { FfmpegInfo } from './ffmpeg/ffmpeg-locator';

export interface StillFile {
  /** Data-root-relative path with forward slashes. */
  path: string;
  size: number;
  mtime_ms: number;
}

export interface StillsRepository {
  /** The first frame (a keyframe) of a recorded segment as a JPEG at `out`, scaled to `scale` ("W:H") unless null. */
  grab(segment: string, out: string, scale: string | null): Promise<void>;
  /** Encodes `<dir>/frame_%06d.jpg` at `fps` into an H.264 MP4 (faststart) at `out`, and its middle frame as `thumb`. */
  stitch(dir: string, out: string, fps: number, thumb: string): Promise<void>;
  /** Regular files directly in `dir` whose name matches; [] when the folder is missing. */
  files(dir: string, name: RegExp): StillFile[];
  /** Sub-folder names of `dir`; [] when missing. */
  subdirs(dir: string): string[];
  exists(path: string): boolean;
  remove(path: string): Promise<void>;
  removeDir(dir: string): Promise<void>;
  /** A file to serve: 400 when the path escapes the data root (also through symlinks), 404 when missing. */
  served(path: string, what: string): { path: string; size: number };
  /** Data-root-relative form of a path that is inside the root, or null. */
  relative(path: string): string | null;
}

export class StillError extends Error {}

const TIMEOUT_MS = 300_000;

function ffmpeg(bin: string | null, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!bin) return reject(new StillError('ffmpeg not found'));
    const p = spawn(bin, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    const timer = setTimeout(() => p.kill('SIGKILL'), TIMEOUT_MS);
    p.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    p.on('error', (e) => {
      clearTimeout(timer);
      reject(new StillError(e.message));
    });
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new StillError(`ffmpeg failed (${signal ?? code}): ${err.trim().split('\n').slice(-2).join(' | ')}`));
    });
  });
}

export class FsStillsRepository extends ContainedFiles implements StillsRepository {
  constructor(
    root: string,
    private readonly bin: () => FfmpegInfo,
  ) {
    super(root);
  }

  async grab(segment: string, out: string, scale: string | null): Promise<void> {
    const input = this.inside(segment);
    const abs = this.inside(out);
    await this.folderFor(abs);
    const tmp = `${abs}.partial.jpg`;
    try {
      await ffmpeg(this.bin().path, ['-i', input, '-frames:v', '1', ...(scale ? ['-vf', `scale=${scale}`] : []), '-q:v', '3', '-f', 'image2', tmp]);
      if (!existsSync(tmp)) throw new StillError('no frame in the segment');
      renameSync(tmp, abs);
    } finally {
      if (existsSync(tmp)) unlinkSync(tmp);
    }
  }

  async stitch(dir: string, out: string, fps: number, thumb: string): Promise<void> {
    const frames = this.inside(dir);
    const abs = this.inside(out);
    const thumbAbs = this.inside(thumb);
    await this.folderFor(abs);
    const names = readdirSync(frames).filter((n) => /^frame_\d{6}\.jpg$/.test(n)).sort();
    if (!names.length) throw new StillError('no frames to stitch');
    // Every frame is fitted into the first one's size (even, for libx264): a camera that changed resolution during the day
    // would otherwise change the size mid-stream, which the encoder refuses. yuv420p plays everywhere.
    const first = await sharp(join(frames, names[0]!)).metadata().catch(() => null);
    if (!first?.width || !first.height) throw new StillError(`unreadable frame ${names[0]}`);
    const w = Math.max(2, first.width - (first.width % 2));
    const h = Math.max(2, first.height - (first.height % 2));
    const tmp = `${abs}.partial.mp4`;
    try {
      await ffmpeg(this.bin().path, [
        '-framerate', String(fps), '-start_number', names[0]!.slice(6, 12), '-i', join(frames, 'frame_%06d.jpg'),
        '-vf', `scale=${w}:${h}:force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2,format=yuv420p`,
        '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23',
        '-movflags', '+faststart', '-f', 'mp4', tmp,
      ]);
      renameSync(tmp, abs);
    } finally {
      if (existsSync(tmp)) unlinkSync(tmp);
    }
    const middle = join(frames, names[Math.floor(names.length / 2)]!);
    await ffmpeg(this.bin().path, ['-i', middle, '-vf', 'scale=320:-2', '-q:v', '4', '-f', 'image2', `${thumbAbs}.partial.jpg`]);
    renameSync(`${thumbAbs}.partial.jpg`, thumbAbs);
  }

  files(dir: string, name: RegExp): StillFile[] {
    const abs = this.lexical(dir);
    if (!abs || !existsSync(abs)) return [];
    const out: StillFile[] = [];
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      if (!e.isFile() || !name.test(e.name)) continue;
      try {
        const st = statSync(join(abs, e.name));
        out.push({ path: `${dir}/${e.name}`, size: st.size, mtime_ms: st.mtimeMs });
      } catch {
        // removed meanwhile
      }
    }
    return out;
  }

  subdirs(dir: string): string[] {
    const abs = this.lexical(dir);
    if (!abs || !existsSync(abs)) return [];
    return readdirSync(abs, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  }

  exists(path: string): boolean {
    const abs = this.lexical(path);
    return abs !== null && existsSync(abs);
  }

  relative(path: string): string | null {
    const abs = this.lexical(path);
    if (!abs || abs === this.root) return null;
    return abs.slice(this.root.length + 1).split(/[\\/]/).join('/');
  }
}
