// ffmpeg/ffprobe side of recordings: concat clip assembly (codec copy, MP4 faststart), JPEG frames, sprites, probes, hashes.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FfmpegInfo } from './ffmpeg-locator';

export interface ProbeInfo {
  duration_s: number | null;
  codec: string | null;
  width: number | null;
  height: number | null;
  audio: boolean;
}

/**
 * Writers put `out` in place only when complete. An aborted `signal` kills the ffmpeg run (SIGKILL), removes what it
 * had written and rejects with MediaToolAbortedError once the process has exited.
 */
export interface MediaToolsRepository {
  /** Concatenate whole segments (keyframe boundaries) into one MP4 with faststart; no re-encode. */
  concat(inputs: string[], out: string, onProgress?: (outMs: number) => void, signal?: AbortSignal): Promise<void>;
  /** One JPEG frame at `offsetS` seconds into `input`; nothing is written when there is no frame there. */
  frame(input: string, offsetS: number, out: string, width?: number, signal?: AbortSignal): Promise<void>;
  /** A horizontal strip of 10 evenly spaced 160×90 frames (1600×90). */
  sprite(input: string, durationS: number, out: string, signal?: AbortSignal): Promise<void>;
  probe(input: string): Promise<ProbeInfo | null>;
  sha256(input: string): Promise<string>;
}

export class MediaToolError extends Error {}
export class MediaToolAbortedError extends MediaToolError {}

const TAIL = 2000;

function run(bin: string | null, args: string[], onStdout?: (chunk: string) => void, timeoutMs = 300_000, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!bin) return reject(new MediaToolError('ffmpeg not found'));
    if (signal?.aborted) return reject(new MediaToolAbortedError('aborted before start'));
    const p = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    const abort = () => p.kill('SIGKILL');
    signal?.addEventListener('abort', abort, { once: true });
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
      signal?.removeEventListener('abort', abort);
      reject(new MediaToolError(e.message));
    });
    p.on('close', (code, killedBy) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
      if (signal?.aborted) reject(new MediaToolAbortedError('aborted'));
      else if (code === 0) resolve(out);
      else reject(new MediaToolError(`${bin.split(/[\\/]/).pop()} failed (${killedBy ?? code}): ${err.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

const quoteConcat = (p: string): string => `file '${p.replace(/'/g, "'\\''")}'`;

const removeQuietly = (p: string): void => {
  try {
    unlinkSync(p);
  } catch {
    // nothing written
  }
};

/**
 * `render` writes to a temp path that replaces `out` only if it succeeded and wrote something: readers never see half a
 * JPEG. False when it wrote nothing (ffmpeg can exit 0 so).
 */
async function writeVia(out: string, render: (tmp: string) => Promise<unknown>): Promise<boolean> {
  const tmp = `${out}.partial`;
  try {
    await render(tmp);
    if (!existsSync(tmp)) return false;
    renameSync(tmp, out);
    return true;
  } catch (err) {
    removeQuietly(tmp);
    throw err;
  }
}

export class FfmpegMediaToolsRepository implements MediaToolsRepository {
  constructor(private readonly ffmpeg: () => FfmpegInfo) {}

  async concat(inputs: string[], out: string, onProgress?: (outMs: number) => void, signal?: AbortSignal): Promise<void> {
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
        undefined,
        signal,
      );
      renameSync(tmp, out);
    } catch (err) {
      removeQuietly(tmp);
      throw err;
    } finally {
      unlinkSync(list);
    }
  }

  async frame(input: string, offsetS: number, out: string, width = 640, signal?: AbortSignal): Promise<void> {
    const at = (s: number) =>
      writeVia(out, (tmp) =>
        run(this.ffmpeg().path, [
          '-hide_banner', '-loglevel', 'error', '-nostdin', '-y',
          // Output-side seek (decode from the segment start): input-side -ss into a copied MPEG-TS segment lands past
          // the end for offsets beyond the first GOP and ffmpeg then writes nothing, exiting 0. Segments are seconds long.
          '-i', input, '-ss', Math.max(0, s).toFixed(3),
          '-frames:v', '1', '-vf', `scale=${width}:-2`, '-q:v', '4', '-update', '1', '-f', 'image2', tmp,
        ], undefined, undefined, signal),
      );
    // An offset past the media's real end (a clip shorter than its segments' index times, e.g. cut off when the camera
    // went away) decodes nothing: the first frame is the next best picture, never a file that is not there.
    if ((await at(offsetS)) || (offsetS > 0 && (await at(0)))) return;
    throw new MediaToolError(`no frame could be decoded from ${input}`);
  }

  async sprite(input: string, durationS: number, out: string, signal?: AbortSignal): Promise<void> {
    const rate = 10 / Math.max(durationS, 0.5);
    const wrote = await writeVia(out, (tmp) =>
      run(this.ffmpeg().path, [
        '-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-i', input,
        '-vf', `fps=${rate.toFixed(6)},scale=160:90:force_original_aspect_ratio=decrease,pad=160:90:(ow-iw)/2:(oh-ih)/2,tile=10x1`,
        '-frames:v', '1', '-q:v', '5', '-update', '1', '-f', 'image2', tmp,
      ], undefined, undefined, signal),
    );
    if (!wrote) throw new MediaToolError(`no frame could be decoded from ${input}`);
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

  /** Reads into one reused buffer: a stream would allocate (and often copy) a new chunk per read for every segment. */
  async sha256(input: string): Promise<string> {
    const h = createHash('sha256');
    const f = await open(input, 'r');
    try {
      const buf = Buffer.allocUnsafe(256 * 1024);
      for (;;) {
        const { bytesRead } = await f.read(buf, 0, buf.length, null);
        if (bytesRead === 0) break;
        h.update(buf.subarray(0, bytesRead));
      }
    } finally {
      await f.close();
    }
    return h.digest('hex');
  }
}
