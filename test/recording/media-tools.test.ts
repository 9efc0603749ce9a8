// Integration (real: ffmpeg on real copied MPEG-TS segments; mock: none): frame extraction anywhere inside a segment.
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
});
