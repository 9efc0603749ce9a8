// ffmpeg/ffprobe side of recordings: concat clip assembly (codec copy, MP4 faststart), JPEG frames, sprites, probes, hashes.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import type { FfmpegInfo } from './ffmpeg-locator';

export interface ProbeInfo {
  duration_s: number | null;
  codec: string | null;
  width: number | null;
  height: number | null;
  audio: boolean;
}

export interface MediaToolsRepository {
  /** Concatenate whole segments (keyframe boundaries) into one MP4 with faststart; no re-encode. */
  concat(inputs: string[], out: string, onProgress?: (outMs: number) => void): Promise<void>;
  /** One JPEG frame at `offsetS` seconds into `input`. */
  frame(input: string, offsetS: number, out: string, width?: number): Promise<void>;
  /** A horizontal strip of 10 evenly spaced 160×90 frames (1600×90). */
  sprite(input: string, durationS: number, out: string): Promise<void>;
  probe(input: string): Promise<ProbeInfo | null>;
  sha256(input: string): Promise<string>;
}

export class MediaToolError extends Error {}

const TAIL = 2000;

function run(bin: string | null, args: string[], onStdout?: (chunk: string) => void, timeoutMs = 300_000): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!bin) return reject(new MediaToolError('ffmpeg not found'));
    const p = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.stdout.on('data', (d: Buffer) => {
      const s = d.toString();
      if (onStdout) onStdout(s);
      else out += s;
    });
    p.stderr.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-TAIL);
    });
    p.on('error', (e) => {
      clearTimeout(timer);
      reject(new MediaToolError(e.message));
    });
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new MediaToolError(`${bin.split(/[\\/]/).pop()} failed (${signal ?? code}): ${err.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

const quoteConcat = (p: string): string => `file '${p.replace(/'/g, "'\\''")}'`;

export class FfmpegMediaToolsRepository implements MediaToolsRepository {
  constructor(private readonly ffmpeg: () => FfmpegInfo) {}

  async concat(inputs: string[], out: string, onProgress?: (outMs: number) => void): Promise<void> {
    if (!inputs.length) throw new MediaToolError('no input segments');
    const list = `${out}.concat.txt`;
    const tmp = `${out}.partial.mp4`;
    writeFileSync(list, inputs.map(quoteConcat).join('\n') + '\n');
    let buf = '';
    try {
      await run(
        this.ffmpeg().path,
        ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-f', 'concat', '-safe', '0', '-i', list, '-map', '0:v?', '-map', '0:a?', '-c', 'copy', '-bsf:a', 'aac_adtstoasc', '-movflags', '+faststart', '-progress', 'pipe:1', '-f', 'mp4', tmp],
        (chunk) => {
          buf += chunk;
          let i: number;
          while ((i = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, i);
            buf = buf.slice(i + 1);
            const m = /^out_time_us=(\d+)/.exec(line);
            if (m && onProgress) onProgress(Number(m[1]) / 1000);
          }
        },
      );
      renameSync(tmp, out);
    } catch (err) {
      try {
        unlinkSync(tmp);
      } catch {
        // nothing written
      }
      throw err;
    } finally {
      unlinkSync(list);
    }
  }

  async frame(input: string, offsetS: number, out: string, width = 640): Promise<void> {
    await run(this.ffmpeg().path, [
      '-hide_banner', '-loglevel', 'error', '-nostdin', '-y',
      // Output-side seek (decode from the segment start): input-side -ss into a copied MPEG-TS segment lands past
      // the end for offsets beyond the first GOP and ffmpeg then writes nothing, exiting 0. Segments are seconds long.
      '-i', input, '-ss', Math.max(0, offsetS).toFixed(3),
      '-frames:v', '1', '-vf', `scale=${width}:-2`, '-q:v', '4', '-update', '1', '-f', 'image2', out,
    ]);
  }

  async sprite(input: string, durationS: number, out: string): Promise<void> {
    const rate = 10 / Math.max(durationS, 0.5);
    await run(this.ffmpeg().path, [
      '-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-i', input,
      '-vf', `fps=${rate.toFixed(6)},scale=160:90:force_original_aspect_ratio=decrease,pad=160:90:(ow-iw)/2:(oh-ih)/2,tile=10x1`,
      '-frames:v', '1', '-q:v', '5', '-update', '1', '-f', 'image2', out,
    ]);
  }

  async probe(input: string): Promise<ProbeInfo | null> {
    try {
      const json = await run(this.ffmpeg().ffprobe, ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type,codec_name,width,height', '-of', 'json', input], undefined, 30_000);
      const j = JSON.parse(json) as { format?: { duration?: string }; streams?: { codec_type?: string; codec_name?: string; width?: number; height?: number }[] };
      const v = j.streams?.find((s) => s.codec_type === 'video');
      const d = Number(j.format?.duration);
      return {
        duration_s: Number.isFinite(d) ? d : null,
        codec: v?.codec_name ?? null,
        width: v?.width ?? null,
        height: v?.height ?? null,
        audio: !!j.streams?.some((s) => s.codec_type === 'audio'),
      };
    } catch {
      return null;
    }
  }

  sha256(input: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const h = createHash('sha256');
      createReadStream(input, { highWaterMark: 1024 * 1024 })
        .on('data', (d) => h.update(d))
        .on('error', reject)
        .on('end', () => resolve(h.digest('hex')));
    });
  }
}
