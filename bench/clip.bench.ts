// Bench: assembling a 60 s event clip (concat, codec copy, faststart MP4) vs a bare `ffmpeg -f concat -c copy` of the same segments.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FfmpegMediaToolsRepository } from '../src-main/repositories/ffmpeg/media-tools.repository';
import { median, ms, now, printRows, tempDir, type BenchRow } from './bench-util';

const ROUNDS = 5;

export async function run(): Promise<BenchRow[]> {
  const t = tempDir('vigil-bench-clip-');
  try {
    const segDir = join(t.dir, 'seg');
    mkdirSync(segDir);
    const enc = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=25', '-t', '60', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-f', 'segment', '-segment_time', '4', '-segment_format', 'mpegts', join(segDir, 's%03d.ts')]);
    if (enc.status !== 0) throw new Error(enc.stderr.toString());
    const inputs = Array.from({ length: 15 }, (_, i) => join(segDir, `s${String(i).padStart(3, '0')}.ts`));
    const tools = new FfmpegMediaToolsRepository(() => ({ path: 'ffmpeg', ffprobe: 'ffprobe', version: null, source: 'PATH', error: null }));
    const list = join(t.dir, 'list.txt');
    writeFileSync(list, inputs.map((p) => `file '${p}'`).join('\n'));
    const ours: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      let t0 = now();
      spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', join(t.dir, `bare${i}.mp4`)]);
      bare.push(ms(t0));
      t0 = now();
      await tools.concat(inputs, join(t.dir, `clip${i}.mp4`));
      ours.push(ms(t0));
    }
    const a = median(ours);
    const b = median(bare);
    return [{ name: 'clip assembly 60 s (15×4 s, 720p)', value: a, unit: 'ms', baseline: b, ratio: a / b, note: `median of ${ROUNDS}; ours adds -movflags +faststart` }];
  } finally {
    t.remove();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void run().then(printRows);
