// The still pairer: a detecting camera's n-th JPEG still takes the time of its n-th analysis frame, whichever pipe is
// read first. real: the pure pairer. mock: nothing (the ffmpeg side is covered in test/workers/stills.test.ts).
import { describe, expect, it } from 'vitest';
import { StillPairer } from '../../src-main/workers/still-pairer';

const jpeg = (n: number): Buffer => Buffer.from([0xff, 0xd8, n, 0xff, 0xd9]);
const tag = (s: { jpeg: Buffer; ts_ms: number }): [number, number] => [s.jpeg[2] as number, s.ts_ms];

describe('StillPairer', () => {
  it('stamps a still with its analysis frame’s time when the frame came first', () => {
    const p = new StillPairer();
    expect(p.analysis(1000)).toEqual([]);
    expect(p.analysis(1250)).toEqual([]);
    expect(p.still(jpeg(0), 1400).map(tag)).toEqual([[0, 1000]]);
    expect(p.still(jpeg(1), 1410).map(tag)).toEqual([[1, 1250]]);
  });

  it('holds a still that came first until its frame arrives, then releases it with the frame’s time', () => {
    const p = new StillPairer();
    expect(p.still(jpeg(0), 900)).toEqual([]);
    expect(p.still(jpeg(1), 1150)).toEqual([]);
    expect(p.analysis(1300).map(tag)).toEqual([[0, 1300]]);
    expect(p.analysis(1500).map(tag)).toEqual([[1, 1500]]);
    // Interleaved either way after that.
    expect(p.analysis(1750)).toEqual([]);
    expect(p.still(jpeg(2), 1700).map(tag)).toEqual([[2, 1750]]);
  });

  it('lets held stills go with their own time when the analysis pipe is stuck, and never holds more than a few', () => {
    const p = new StillPairer();
    const out: [number, number][] = [];
    for (let i = 0; i < 12; i++) out.push(...p.still(jpeg(i), 100 * i).map(tag));
    expect(out).toEqual([
      [0, 0],
      [1, 100],
      [2, 200],
      [3, 300],
    ]);
    // The frames that do come still pair with the stills held for them.
    for (let i = 0; i < 5; i++) out.push(...p.analysis(5000 + i).map(tag));
    expect(out.slice(4)).toEqual([[4, 5004]]);
  });

  it('forgets the times of frames whose stills never came (a camera that stopped detecting), keeping memory bounded', () => {
    const p = new StillPairer();
    for (let i = 0; i < 1000; i++) p.analysis(i);
    // The 0th still's frame time is long forgotten: it keeps its own arrival time rather than waiting forever.
    expect(p.still(jpeg(0), 77_000).map(tag)).toEqual([[0, 77_000]]);
  });
});
