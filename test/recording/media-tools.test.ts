// Integration (real: ffmpeg on real copied MPEG-TS segments; mock: none): frame extraction anywhere inside a segment, and past its end.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FfmpegMediaToolsRepository } from '../../src-main/repositories/ffmpeg/media-tools.repository';
import { ffprobe, sourceSegments } from './media-helpers';

describe('media tools: frame', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-frame-'));
  const tools = new FfmpegMediaToolsRepository(() => ({ path: 'ffmpeg', ffprobe: 'ffprobe', version: null, source: 'PATH', error: null }));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('extracts a JPEG at any offset of a 2 s segment, including past its first GOP', async () => {
    const [, seg] = sourceSegments(6) as [string, string];
    for (const offset of [0, 0.5, 1.2, 1.5, 1.9]) {
      const out = join(dir, `f-${offset}.jpg`);
      await tools.frame(seg, offset, out, 201);
      expect(existsSync(out), `offset ${offset}`).toBe(true);
      expect(readFileSync(out).subarray(0, 2).toString('hex')).toBe('ffd8');
      expect(ffprobe(out).width).toBe(201);
    }
  });

  it('past the media’s real end gives the first frame rather than no file; media with no picture is an error', async () => {
    const [, seg] = sourceSegments(6) as [string, string];
    const out = join(dir, 'past-end.jpg');
    // The index said 9 s, the file holds 2 s (a segment cut off when its camera went away).
    await tools.frame(seg, 8.8, out, 160);
    expect(ffprobe(out).width).toBe(160);
    const silent = join(dir, 'audio-only.m4a');
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=duration=1', '-c:a', 'aac', silent]);
    await expect(tools.frame(silent, 0.5, join(dir, 'none.jpg'))).rejects.toThrow();
    expect(existsSync(join(dir, 'none.jpg'))).toBe(false);
    await expect(tools.sprite(silent, 1, join(dir, 'none-sprite.jpg'))).rejects.toThrow();
  });
});
