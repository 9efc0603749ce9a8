// The latency bench's clock overlay reads back: a frame drawn by ffmpeg at a pinned time, through H.264, decodes to that time.
// real: ffmpeg (lavfi + drawbox + libx264 + PNG decode), sharp. mock: none.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { CLOCK_CELLS, CLOCK_LAYOUT, CLOCK_MODULO, clockAge, clockCellMeans, clockFeedArgs, clockRows, decodeClockCells } from '../support/clock-code';

const dir = mkdtempSync(join(tmpdir(), 'vigil-clock-code-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One frame of the clock camera stamped at `us` (epoch microseconds), encoded as the camera does, decoded back to RGBA of the patch. */
async function patchAt(us: number, size: { width: number; height: number }): Promise<{ data: Buffer; width: number }> {
  const file = join(dir, `f${us}-${size.width}.mp4`);
  const enc = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...clockFeedArgs({ ...size, fps: 15, gop: 15, stampUs: String(us) }), '-frames:v', '1', file], { encoding: 'utf8' });
  expect(enc.status, enc.stderr).toBe(0);
  const png = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', file, '-frames:v', '1', '-f', 'image2', '-c:v', 'png', 'pipe:1'], { maxBuffer: 64 * 1024 * 1024 });
  expect(png.status).toBe(0);
  const l = CLOCK_LAYOUT;
  const { data, info } = await sharp(png.stdout).extract({ left: l.x, top: l.y, width: l.cols * l.cell, height: clockRows(l) * l.cell }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width };
}

describe('clock code', () => {
  it.each([
    [1_764_600_000_123_456, { width: 1280, height: 720 }],
    [1_764_600_012_345_999, { width: 640, height: 360 }],
  ])('a frame stamped at %i us decodes to its millisecond (mod 2^24) after H.264', async (us, size) => {
    const { data, width } = await patchAt(us, size);
    const means = clockCellMeans()(data, width, CLOCK_LAYOUT);
    expect(means).toHaveLength(CLOCK_CELLS);
    const v = decodeClockCells(means);
    expect(v).toBe(Math.floor(us / 1000) % CLOCK_MODULO);
    expect(clockAge(v as number, Math.floor(us / 1000) + 250)).toBe(250);
  });

  it('an unclear cell or a bit equal to its complement reads as no time, never a wrong one', () => {
    const good = [...Array.from({ length: 24 }, (_x, i) => (i % 2 ? 255 : 0)), ...Array.from({ length: 24 }, (_x, i) => (i % 2 ? 0 : 255))];
    expect(decodeClockCells(good)).toBe(0xaaaaaa);
    expect(decodeClockCells(good.map((m, i) => (i === 5 ? 128 : m)))).toBeNull();
    expect(decodeClockCells(good.map((m, i) => (i === 24 + 3 ? 255 : m)))).toBeNull();
    expect(decodeClockCells(good.slice(0, 40))).toBeNull();
  });

  it('ages wrap around the modulo and a stamp slightly ahead of the reader is a small negative age', () => {
    expect(clockAge(CLOCK_MODULO - 100, CLOCK_MODULO * 5 + 400)).toBe(500);
    expect(clockAge(1000, 990)).toBe(-10);
  });
});
