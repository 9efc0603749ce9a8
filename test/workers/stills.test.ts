// A detecting camera's analysis stills: each carries the exact time of the analysis frame showing the same picture
// (paired by index, not by arrival), and they never reach MJPEG viewers, who see only the decoder's frames.
// real: WorkerManager, ffmpeg (file camera, the ingest's PPM and JPEG outputs, the on-demand decoder), sharp.
// mock: nothing.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisFrame } from '../../src-main/ports/ingest.port';
import type { LatestFrame } from '../../src-main/ports/camera-workers.port';
import { createHarness, runtime, waitFor, type Harness } from './harness';

let h: Harness;

beforeAll(() => {
  h = createHarness({ analysis_fps: 4, live_mjpeg_fps: 5 });
});

afterAll(async () => {
  await h.cleanup();
});

/** A 48×27 grey thumbnail, so a JPEG still and an RGB analysis frame of different sizes compare. */
async function thumb(img: Sharp): Promise<Buffer> {
  return img.resize(48, 27, { fit: 'fill' }).greyscale().raw().toBuffer();
}

const meanDiff = (a: Buffer, b: Buffer): number => {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += Math.abs((a[i] as number) - (b[i] as number));
  return d / a.length;
};

describe('analysis stills', () => {
  it('are stamped with their own analysis frame’s time, show its picture, and never reach a viewer', async () => {
    // testsrc: a counter and a sweeping bar, so frames a few tenths of a second apart differ clearly.
    const file = join(h.dataDir, 'moving.mp4');
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=768x432:rate=10', '-t', '30', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '10', file]);

    const stills: LatestFrame[] = [];
    const offStills = h.manager.watchStills(31, (f) => stills.push(f));
    const seen: LatestFrame[] = [];
    const offViewer = h.manager.onFrame(31, (f) => seen.push(f));
    const frames = new Map<number, AnalysisFrame>();
    h.manager.start(runtime(31, 'file', file, { record: false, analysisFit: 416, analysis: 'full' }));
    const collect = setInterval(() => {
      for (const a of h.analysis) if (a.camera_id === 31) frames.set(a.ts_ms, a);
    }, 50);
    try {
      await waitFor('16 stills and viewer frames', () => stills.length >= 16 && seen.length >= 5, 30_000);
    } finally {
      clearInterval(collect);
      offStills();
      offViewer();
      await h.manager.stop(31);
    }

    // Each still's time is one analysis frame's time, in order.
    const times = [...frames.keys()].sort((a, b) => a - b);
    const paired = stills.filter((s) => frames.has(s.ts_ms));
    expect(paired.length).toBe(stills.length);
    expect(stills.map((s) => s.ts_ms)).toEqual([...stills.map((s) => s.ts_ms)].sort((a, b) => a - b));

    // And it shows that frame's picture: closer to it than to the analysis frames before and after it.
    const rgb = (a: AnalysisFrame) => thumb(sharp(a.data, { raw: { width: a.width, height: a.height, channels: 3 } }));
    let checked = 0;
    for (const s of paired) {
      const i = times.indexOf(s.ts_ms);
      const prev = frames.get(times[i - 1] ?? -1);
      const next = frames.get(times[i + 1] ?? -1);
      if (!prev || !next) continue;
      const mine = await thumb(sharp(s.jpeg));
      const own = meanDiff(mine, await rgb(frames.get(s.ts_ms)!));
      expect(own).toBeLessThan(meanDiff(mine, await rgb(prev)));
      expect(own).toBeLessThan(meanDiff(mine, await rgb(next)));
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(8);

    // The viewer saw the decoder's frames only (a still interleaved there would jump back and forth in time).
    const stillJpegs = new Set(stills.map((s) => s.jpeg));
    expect(seen.filter((f) => stillJpegs.has(f.jpeg))).toEqual([]);
  }, 60_000);
});
