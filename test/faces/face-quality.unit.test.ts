// Face quality parts (pure): the Laplacian variance, pose from keypoint symmetry, the 0–1 ramps and how they combine; plus the detector views.
import { describe, expect, it } from 'vitest';
import {
  detectorScore,
  faceInterior,
  faceQuality,
  laplacianVariance,
  poseMeasures,
  poseScore,
  sharpnessScore,
  sizeScore,
  toGrey,
  type PosePoints,
} from '../../src-main/workers/analysis/face-quality';
import { regionView, squareView, toSource, wholeImageView } from '../../src-main/workers/analysis/face-views';

describe('laplacianVariance', () => {
  const grey = (w: number, h: number, f: (x: number, y: number) => number) => {
    const g = new Float32Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) g[y * w + x] = f(x, y);
    return g;
  };

  it('is 0 on flat and linear images and 64·a² on a ±a checkerboard', () => {
    expect(laplacianVariance(grey(10, 10, () => 90), 10, 10)).toBe(0);
    expect(laplacianVariance(grey(10, 10, (x, y) => 3 * x + 2 * y), 10, 10)).toBeCloseTo(0, 6);
    // Every interior Laplacian is ±8a (four neighbours of the other colour), half each sign: variance 64a².
    expect(laplacianVariance(grey(12, 12, (x, y) => ((x + y) % 2 ? 10 : -10)), 12, 12)).toBeCloseTo(6400, 6);
  });

  it('falls when an image is blurred, and looks only inside the rectangle given', () => {
    const sharp = grey(32, 32, (x, y) => ((x >> 2) + (y >> 2)) % 2 ? 200 : 40);
    const blurred = grey(32, 32, (x, y) => {
      let s = 0;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) s += sharp[Math.min(31, Math.max(0, y + dy)) * 32 + Math.min(31, Math.max(0, x + dx))]!;
      return s / 9;
    });
    expect(laplacianVariance(blurred, 32, 32)).toBeLessThan(laplacianVariance(sharp, 32, 32) / 4);
    const half = grey(20, 20, (x, y) => (x < 10 ? 0 : (x + y) % 2 ? 50 : 0));
    expect(laplacianVariance(half, 20, 20, { x0: 0, y0: 0, x1: 8, y1: 20 })).toBe(0);
  });

  it('reads BT.601 luma, and the face interior is the template points’ bounds plus 10 %', () => {
    expect(Array.from(toGrey(new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255]), 3, 1)).map((v) => +v.toFixed(3))).toEqual([76.245, 149.685, 29.07]);
    expect(faceInterior([[46, 46], [100, 47], [72, 108]], 150, 150)).toEqual({ x0: 31, y0: 31, x1: 115, y1: 123 });
  });
});

describe('pose', () => {
  /** BlazeFace points of a frontal face, shaped like the dlib template (eye distance 54 px), at any scale and roll. */
  const frontal = (scale = 1, roll = 0): PosePoints => {
    const r = (x: number, y: number): [number, number] => [300 + scale * (x * Math.cos(roll) - y * Math.sin(roll)), 200 + scale * (x * Math.sin(roll) + y * Math.cos(roll))];
    return { right_eye: r(-27, 0), left_eye: r(27, 0), nose: r(0, 34), mouth: r(0, 59) };
  };

  it('scores a frontal face 1 whatever its size and roll (alignment removes roll)', () => {
    for (const [s, roll] of [[1, 0], [0.3, 0.5], [4, -1.2]] as const) {
      const m = poseMeasures(frontal(s, roll));
      expect(m.yaw).toBeCloseTo(0, 9);
      expect(m.pitch).toBeCloseTo(34 / 59, 9);
      expect(poseScore(m)).toBe(1);
    }
  });

  it('falls as the nose moves towards an eye (yaw) and as the nose/mouth ratio leaves the frontal range (pitch)', () => {
    const turned = (dx: number) => poseScore(poseMeasures({ ...frontal(), nose: [300 + dx, 234] }));
    expect(turned(5)).toBe(1);
    expect(turned(13.5)).toBeGreaterThan(turned(20));
    expect(turned(20)).toBeGreaterThan(turned(27));
    expect(turned(27)).toBe(0);
    const tilted = (ny: number) => poseScore(poseMeasures({ ...frontal(), nose: [300, 200 + ny] }));
    expect(tilted(44)).toBeLessThan(1);
    expect(tilted(15)).toBeLessThan(tilted(25));
    expect(tilted(10)).toBe(0);
    expect(poseScore(poseMeasures({ ...frontal(), mouth: undefined }))).toBe(1);
    expect(poseScore(poseMeasures({ ...frontal(), left_eye: [273, 200] }))).toBe(0);
  });
});

describe('quality score', () => {
  it('maps size, sharpness and detector score onto 0–1 ramps', () => {
    expect([sizeScore(20), sizeScore(22), sizeScore(50), sizeScore(60), sizeScore(400)].map((v) => +v.toFixed(2))).toEqual([0, 0, 0.74, 1, 1]);
    expect(sharpnessScore(0)).toBe(0);
    expect(sharpnessScore(60)).toBeCloseTo(0.5);
    expect(detectorScore(0.5)).toBe(0);
    expect(detectorScore(0.95)).toBe(1);
  });

  it('is a weighted geometric mean: any part at 0 sinks it, better parts raise it, and it stays in 0–1', () => {
    const good = { size_px: 120, sharpness: 300, detector: 0.95, pose: 1 };
    expect(faceQuality(good).score).toBeGreaterThan(0.9);
    expect(faceQuality(good)).toMatchObject({ size_px: 120, sharpness: 300, detector: 0.95, pose: 1 });
    for (const worse of [{ size_px: 15 }, { sharpness: 0 }, { detector: 0.45 }, { pose: 0 }]) expect(faceQuality({ ...good, ...worse }).score).toBe(0);
    expect(faceQuality({ ...good, size_px: 40 }).score).toBeLessThan(faceQuality({ ...good, size_px: 50 }).score);
    expect(faceQuality({ ...good, sharpness: 30 }).score).toBeLessThan(faceQuality({ ...good, sharpness: 90 }).score);
    // A 50 px, moderately sharp, frontal face (a person a few metres from a 1080p camera) clears the default floor 0.35.
    expect(faceQuality({ size_px: 50, sharpness: 40, detector: 0.85, pose: 0.9 }).score).toBeGreaterThan(0.35);
  });
});

describe('detector views', () => {
  it('letterboxes a whole image, centred, and maps input pixels back to source pixels', () => {
    const v = wholeImageView(800, 600, 256);
    expect(v).toMatchObject({ left: 0, top: 0, width: 800, height: 600, outWidth: 256, outHeight: 192, padLeft: 0, padTop: 32, region: null });
    expect(toSource(v, 0, 32)).toEqual([0, 0]);
    expect(toSource(v, 256, 224)).toEqual([800, 600]);
    expect(toSource(v, 128, 128)).toEqual([400, 300]);
  });

  it('searches a standing person in the square of its width at its top, a wide box in the square around it', () => {
    // A 1080p person box 120×360 px at (900, 300): the square is 144 px wide (10 % margin each side), from 36 px above the box.
    const tall = regionView(1920, 1080, [900 / 1920, 300 / 1080, 120 / 1920, 360 / 1080], 256, 3)!;
    expect(tall).toMatchObject({ left: 888, top: 264, width: 144, height: 144, outWidth: 256, outHeight: 256, padLeft: 0, padTop: 0, region: 3 });
    const wide = regionView(1000, 1000, [0.1, 0.5, 0.4, 0.2], 256, 0)!;
    expect(wide).toMatchObject({ left: 60, top: 360, width: 480, height: 480 });
    expect(regionView(100, 100, [0.5, 0.5, 0, 0.2], 256, 0)).toBeNull();
  });

  it('pads where a square leaves the image and maps through the padding consistently', () => {
    const v = squareView(100, 100, -50, 20, 100, 200, 1)!;
    expect(v).toMatchObject({ left: 0, top: 20, width: 50, height: 80, outWidth: 100, outHeight: 160, padLeft: 100, padTop: 0 });
    expect(toSource(v, 100, 0)).toEqual([0, 20]);
    expect(toSource(v, 200, 160)).toEqual([50, 100]);
    expect(squareView(100, 100, 200, 0, 50, 256, null)).toBeNull();
  });
});
