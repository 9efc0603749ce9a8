// Appearance histograms of person boxes (pure): HSV 8×4×4 bins, the upper/lower body bands over the central 60 %, grey-world normalisation.
import { describe, expect, it } from 'vitest';
import type { Box } from '../../src-main/ports/analysis-engine.port';
import { appearanceHistograms, bhattacharyya, HIST_BINS, hsvBin } from '../../src-main/workers/analysis/appearance-histogram';

type Rgb = [number, number, number];

/** A w×h frame filled by `f(x, y)`. */
function frame(w: number, h: number, f: (x: number, y: number) => Rgb): Uint8Array {
  const d = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) d.set(f(x, y), (y * w + x) * 3);
  return d;
}

/**
 * A person box at (40, 20), 40×100 px, in a 200×150 frame: head grey (rows 20–35), shirt `top` (35–70), trousers
 * `bottom` (70–120), arms `arm` outside the central 60 %; `texture` adds a fixed ±20 pattern (cloth is never flat),
 * `gain` a colour cast over everything.
 */
const BOX: Box = [40 / 200, 20 / 150, 40 / 200, 100 / 150];
function person(top: Rgb, bottom: Rgb, arm: Rgb = [128, 128, 128], gain: Rgb = [1, 1, 1], texture = 0): Uint8Array {
  return frame(200, 150, (x, y) => {
    const inBox = x >= 40 && x < 80 && y >= 20 && y < 120;
    const c: Rgb = !inBox ? [128, 128, 128] : x < 48 || x >= 72 ? arm : y < 35 ? [128, 128, 128] : y < 70 ? top : bottom;
    const t = texture * ((((x * 7 + y * 13) % 41) - 20) / 20);
    return c.map((v, i) => Math.min(255, Math.max(0, Math.round((v + t) * gain[i]!)))) as Rgb;
  });
}

const peak = (h: Float32Array) => h.indexOf(Math.max(...h));

describe('hsvBin', () => {
  it('puts hue in 8 bins of 45°, saturation and value in 4 each', () => {
    expect(HIST_BINS).toBe(128);
    const bin = (h: number, s: number, v: number) => (h * 4 + s) * 4 + v;
    expect(hsvBin(255, 0, 0)).toBe(bin(0, 3, 3));
    expect(hsvBin(0, 255, 0)).toBe(bin(2, 3, 3));
    expect(hsvBin(0, 0, 255)).toBe(bin(5, 3, 3));
    expect(hsvBin(0, 0, 0)).toBe(bin(0, 0, 0));
    expect(hsvBin(255, 255, 255)).toBe(bin(0, 0, 3));
    expect(hsvBin(100, 50, 50)).toBe(bin(0, 2, 1));
  });
});

describe('appearanceHistograms', () => {
  it('describes the shirt in the upper band and the trousers in the lower one, ignoring the arms and the head', () => {
    const red: Rgb = [200, 30, 30];
    const blue: Rgb = [30, 30, 200];
    const h = appearanceHistograms(person(red, blue), 200, 150, BOX)!;
    expect(h.upper).toHaveLength(128);
    expect(h.upper.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
    expect(h.lower.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
    // Bands: upper 15–50 % of the height = rows 35–70 (all shirt), lower 50–90 % = rows 70–110 (all trousers).
    expect(Math.max(...h.upper)).toBeCloseTo(1, 5);
    expect(Math.max(...h.lower)).toBeCloseTo(1, 5);
    const hue = (bin: number) => Math.floor(bin / 16);
    expect(hue(peak(h.upper))).toBe(0);
    expect(hue(peak(h.lower))).toBe(5);
    // Green arms sit outside the central 60 % of the width: no green hue (bins 2–3) in either band.
    const green = appearanceHistograms(person(red, blue, [0, 255, 0]), 200, 150, BOX)!;
    for (const band of [green.upper, green.lower]) expect(band.slice(32, 64).reduce((s, v) => s + v, 0)).toBe(0);
  });

  it('shrugs off a colour cast (grey-world) that would otherwise move the histogram', () => {
    const shirt: Rgb = [180, 60, 60];
    const trousers: Rgb = [50, 60, 140];
    const hist = (top: Rgb, bottom: Rgb, gain: Rgb = [1, 1, 1]) => appearanceHistograms(person(top, bottom, [120, 120, 120], gain, 20), 200, 150, BOX)!;
    const d = (a: ReturnType<typeof hist>, b: ReturnType<typeof hist>) => (bhattacharyya(a.upper, b.upper) + bhattacharyya(a.lower, b.lower)) / 2;
    const plain = hist(shirt, trousers);
    const warm = hist(shirt, trousers, [1.25, 1, 0.7]);
    const other = hist([60, 160, 60], [200, 200, 60]);
    expect(d(plain, warm)).toBeLessThan(0.1);
    expect(d(plain, other)).toBeGreaterThan(0.8);
  });

  it('gives nothing for a box too small to describe, and clips boxes to the frame', () => {
    expect(appearanceHistograms(person([1, 2, 3], [4, 5, 6]), 200, 150, [0.5, 0.5, 0.01, 0.01])).toBeNull();
    const clipped = appearanceHistograms(person([200, 30, 30], [30, 30, 200]), 200, 150, [0.9, 0.5, 0.5, 0.6]);
    expect(clipped).not.toBeNull();
  });
});

describe('bhattacharyya', () => {
  it('is 0 for identical histograms and 1 for disjoint ones', () => {
    const a = new Float32Array(128);
    const b = new Float32Array(128);
    a[3] = 1;
    b[90] = 1;
    expect(bhattacharyya(a, a)).toBe(0);
    expect(bhattacharyya(a, b)).toBe(1);
  });
});
