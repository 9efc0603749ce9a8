// Real frames of vtest.avi as the ingest would hand them to analysis: rgb24, scaled by ffmpeg to fit the model's input square.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '..', '..');
/** The demo copy of ../shared/fixtures/video/vtest.avi (byte-identical). */
export const VTEST = join(REPO, 'resources', 'demo', 'vtest.avi');
export const BUNDLED_MODELS = join(REPO, 'resources', 'models');
export const SHARED_MODELS = '/work/shared/models';

/** vtest.avi is 768×576; fitted into 416×416 that is 416×312. */
export interface RawFrame {
  at: number;
  width: number;
  height: number;
  data: Buffer;
}

/** One frame at `seconds`, scaled with `-vf scale=S:S:force_original_aspect_ratio=decrease`; cached per machine. */
export function vtestFrame(seconds: number, size = 416): RawFrame {
  const dir = join(tmpdir(), 'vigil-test-media', 'vtest-frames');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `vtest-${seconds}s-${size}.rgb`);
  const width = size;
  const height = Math.round((576 / 768) * size);
  if (!existsSync(file)) {
    const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-ss', String(seconds), '-i', VTEST, '-frames:v', '1', '-vf', `scale=${size}:${size}:force_original_aspect_ratio=decrease`, '-pix_fmt', 'rgb24', '-f', 'rawvideo', '-']);
    if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr.toString()}`);
    if (r.stdout.length !== width * height * 3) throw new Error(`unexpected frame size ${r.stdout.length}`);
    const tmp = `${file}.${process.pid}`;
    writeFileSync(tmp, r.stdout);
    renameSync(tmp, file);
  }
  return { at: seconds, width, height, data: readFileSync(file) };
}

/** `count` consecutive frames from `seconds` (the demo camera's 10 fps), for motion and throughput. */
export function vtestClip(seconds: number, count: number, size = 416): RawFrame[] {
  const dir = join(tmpdir(), 'vigil-test-media', 'vtest-frames');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `vtest-clip-${seconds}s-${count}-${size}.rgb`);
  const width = size;
  const height = Math.round((576 / 768) * size);
  const bytes = width * height * 3;
  if (!existsSync(file)) {
    const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-ss', String(seconds), '-i', VTEST, '-frames:v', String(count), '-vf', `scale=${size}:${size}:force_original_aspect_ratio=decrease`, '-pix_fmt', 'rgb24', '-f', 'rawvideo', '-'], { maxBuffer: bytes * count + 1024 });
    if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr.toString()}`);
    const tmp = `${file}.${process.pid}`;
    writeFileSync(tmp, r.stdout);
    renameSync(tmp, file);
  }
  const all = readFileSync(file);
  const n = Math.floor(all.length / bytes);
  return Array.from({ length: n }, (_, i) => ({ at: seconds + i / 10, width, height, data: Buffer.from(all.subarray(i * bytes, (i + 1) * bytes)) }));
}
