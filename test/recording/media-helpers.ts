// Test media for recording tests: real H.264 MPEG-TS segments cut by ffmpeg's segment muxer, laid out like the ingest writes them.
import { execFile, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClosedSegment } from '../../src-main/ports/ingest.port';

/** N real 2 s testsrc2 segments (320x240, 10 fps, 1 s GOP), encoded once per machine and reused. */
export function sourceSegments(count = 6): string[] {
  const dir = join(tmpdir(), 'vigil-test-media', `rec-seg2s-${count}`);
  const want = Array.from({ length: count }, (_, i) => join(dir, `s${String(i).padStart(3, '0')}.ts`));
  if (want.every((f) => existsSync(f))) return want;
  const tmp = `${dir}.${process.pid}`;
  mkdirSync(tmp, { recursive: true });
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=320x240:rate=10`, '-t', String(count * 2), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '10', '-keyint_min', '10', '-sc_threshold', '0', '-f', 'segment', '-segment_time', '2', '-segment_format', 'mpegts', join(tmp, 's%03d.ts')]);
  if (r.status !== 0) throw new Error(`ffmpeg segment encode failed: ${r.stderr.toString()}`);
  spawnSync('rm', ['-rf', dir]);
  spawnSync('mv', [tmp, dir]);
  return want;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Copies real segments into <data>/segments/<cam>/<yyyy-mm-dd>/<hh>/<start_ms>.ts, back to back from startMs. */
export function placeSegments(dataDir: string, cameraId: number, startMs: number, count = 6): ClosedSegment[] {
  const src = sourceSegments(Math.max(count, 6));
  const out: ClosedSegment[] = [];
  for (let i = 0; i < count; i++) {
    const s = startMs + i * 2000;
    const d = new Date(s);
    const dir = join(dataDir, 'segments', String(cameraId), `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`, pad(d.getUTCHours()));
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${s}.ts`);
    copyFileSync(src[i % src.length] as string, path);
    out.push({ camera_id: cameraId, path, start_ms: s, end_ms: s + 2000, bytes: statSync(path).size, codec: 'h264', width: 320, height: 240 });
  }
  return out;
}

export function ffprobe(target: string): { duration: number; width: number | null; height: number | null; codec: string | null; ok: boolean } {
  const r = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_name,width,height', '-of', 'json', target], { timeout: 60_000 });
  if (r.status !== 0) return { duration: 0, width: null, height: null, codec: null, ok: false };
  const j = JSON.parse(r.stdout.toString()) as { format?: { duration?: string }; streams?: { codec_name?: string; width?: number; height?: number }[] };
  const v = j.streams?.[0];
  return { duration: Number(j.format?.duration ?? 0), width: v?.width ?? null, height: v?.height ?? null, codec: v?.codec_name ?? null, ok: true };
}

/** ffprobe without blocking the event loop (needed when the target is served by this same process). */
export function ffprobeAsync(target: string): Promise<{ duration: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'json', target], { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) return resolve({ duration: 0, stderr: String(stderr) || err.message });
      const j = JSON.parse(stdout) as { format?: { duration?: string } };
      resolve({ duration: Number(j.format?.duration ?? 0), stderr: String(stderr) });
    });
  });
}

export const listFiles = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)) : []);

/** An rgb24 frame with an optional bright square (real pixel data for the motion detector). */
export function rgbFrame(w: number, h: number, square: { x: number; y: number; s: number } | null, bg = 30): Buffer {
  const b = Buffer.alloc(w * h * 3, bg);
  if (square) for (let y = square.y; y < Math.min(h, square.y + square.s); y++) b.fill(220, (y * w + square.x) * 3, (y * w + Math.min(w, square.x + square.s)) * 3);
  return b;
}
