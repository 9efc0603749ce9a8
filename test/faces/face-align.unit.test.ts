// Face alignment (pure): the similarity transform against known transforms and Umeyama's SVD form, and the bilinear warp against an exact answer.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { apply, invert, planWarp, PRESHRINK_BELOW, residual, scaleOf, similarityTransform, templateToSource, warpBilinear, type Point, type Similarity } from '../../src-main/workers/analysis/face-align';

/** Umeyama (1991) as published: SVD of the 2×2 cross-covariance, reflection corrected; the reference for the closed form. */
function umeyamaSvd(src: Point[], dst: Point[]): { R: number[]; c: number; t: [number, number] } {
  const n = src.length;
  const mean = (ps: Point[]) => [ps.reduce((s, p) => s + p[0], 0) / n, ps.reduce((s, p) => s + p[1], 0) / n] as const;
  const [mpx, mpy] = mean(src);
  const [mqx, mqy] = mean(dst);
  let s00 = 0, s01 = 0, s10 = 0, s11 = 0, varP = 0;
  for (let i = 0; i < n; i++) {
    const px = src[i]![0] - mpx, py = src[i]![1] - mpy, qx = dst[i]![0] - mqx, qy = dst[i]![1] - mqy;
    s00 += (qx * px) / n; s01 += (qx * py) / n; s10 += (qy * px) / n; s11 += (qy * py) / n;
    varP += (px * px + py * py) / n;
  }
  // SVD of [[s00, s01], [s10, s11]] via the eigenvectors of ΣᵀΣ.
  const a = s00 * s00 + s10 * s10, b = s00 * s01 + s10 * s11, d = s01 * s01 + s11 * s11;
  const theta = 0.5 * Math.atan2(2 * b, a - d);
  const V = [Math.cos(theta), -Math.sin(theta), Math.sin(theta), Math.cos(theta)];
  const sv = [0, 1].map((k) => Math.hypot(s00 * V[k]! + s01 * V[k + 2]!, s10 * V[k]! + s11 * V[k + 2]!));
  const U = [0, 1].flatMap((k) => [(s00 * V[k]! + s01 * V[k + 2]!) / sv[k]!, (s10 * V[k]! + s11 * V[k + 2]!) / sv[k]!]);
  const Um = [U[0]!, U[2]!, U[1]!, U[3]!];
  const det = (m: number[]) => m[0]! * m[3]! - m[1]! * m[2]!;
  const S = det([s00, s01, s10, s11]) < 0 ? [1, -1] : [1, 1];
  const R = [0, 1].flatMap((i) => [0, 1].map((j) => Um[i * 2]! * S[0]! * V[j * 2]! + Um[i * 2 + 1]! * S[1]! * V[j * 2 + 1]!));
  const c = (sv[0]! * S[0]! + sv[1]! * S[1]!) / varP;
  return { R, c, t: [mqx - c * (R[0]! * mpx + R[1]! * mpy), mqy - c * (R[2]! * mpx + R[3]! * mpy)] };
}

const DLIB4: Point[] = [[46.08, 46.11], [100.34, 47.47], [72.71, 78.12], [72.05, 107.78]];
const coord = fc.double({ min: -500, max: 500, noNaN: true });

describe('similarityTransform', () => {
  it('recovers a known rotation, scale and translation exactly from 4 keypoints', () => {
    const known: Similarity = { a: 0.6 * Math.cos(0.4), b: 0.6 * Math.sin(0.4), tx: -31.5, ty: 12.25 };
    const src: Point[] = [[300, 200], [390, 230], [340, 270], [330, 320]];
    const t = similarityTransform(src, src.map((p) => apply(known, p)))!;
    expect(t.a).toBeCloseTo(known.a, 10);
    expect(t.b).toBeCloseTo(known.b, 10);
    expect(t.tx).toBeCloseTo(known.tx, 8);
    expect(t.ty).toBeCloseTo(known.ty, 8);
    expect(residual(t, src, src.map((p) => apply(known, p)))).toBeLessThan(1e-9);
  });

  it('equals Umeyama’s SVD solution on noisy points, mirrored ones included (never a reflection)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(coord, coord), { minLength: 4, maxLength: 6 }), fc.array(fc.tuple(coord, coord), { minLength: 6, maxLength: 6 }), (src, noise) => {
        // Generic points: Umeyama's SVD form needs a full-rank covariance (not all on one line).
        const n = src.length;
        const mx = src.reduce((s, p) => s + p[0], 0) / n;
        const my = src.reduce((s, p) => s + p[1], 0) / n;
        const cxx = src.reduce((s, p) => s + (p[0] - mx) ** 2, 0) / n;
        const cyy = src.reduce((s, p) => s + (p[1] - my) ** 2, 0) / n;
        const cxy = src.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0) / n;
        fc.pre(cxx * cyy - cxy * cxy > 100);
        const dst = src.map((p, i) => [0.3 * p[0] - 0.1 * p[1] + 40 + noise[i]![0] / 20, 0.1 * p[0] + 0.3 * p[1] - 7 + noise[i]![1] / 20] as Point);
        const t = similarityTransform(src, dst)!;
        const u = umeyamaSvd(src, dst);
        expect(t.a).toBeCloseTo(u.c * u.R[0]!, 6);
        expect(t.b).toBeCloseTo(u.c * u.R[2]!, 6);
        expect(t.tx).toBeCloseTo(u.t[0], 4);
        expect(t.ty).toBeCloseTo(u.t[1], 4);
        const mirrored = src.map(([x, y]) => [-x, y] as Point);
        const m = similarityTransform(mirrored, dst)!;
        const um = umeyamaSvd(mirrored, dst);
        expect(m.a).toBeCloseTo(um.c * um.R[0]!, 6);
        expect(m.b).toBeCloseTo(um.c * um.R[2]!, 6);
      }),
      { numRuns: 200 },
    );
  });

  it('is the least-squares optimum: nudging any parameter raises the residual', () => {
    const src: Point[] = [[10, 10], [60, 14], [36, 40], [34, 70]];
    const t = similarityTransform(src, DLIB4)!;
    const base = residual(t, src, DLIB4);
    for (const k of ['a', 'b', 'tx', 'ty'] as const) {
      for (const d of [1e-3, -1e-3]) expect(residual({ ...t, [k]: t[k] + d }, src, DLIB4)).toBeGreaterThan(base);
    }
  });

  it('returns null for coincident points, and inverts exactly', () => {
    expect(similarityTransform([[5, 5], [5, 5]], [[0, 0], [1, 1]])).toBeNull();
    const t: Similarity = { a: 1.2, b: -0.5, tx: 3, ty: -8 };
    const p = apply(invert(t), apply(t, [17, -4]));
    expect(p[0]).toBeCloseTo(17, 10);
    expect(p[1]).toBeCloseTo(-4, 10);
  });
});

/** An image whose channels are linear in the pixel centre, integers at every centre (bilinear interpolation reproduces them exactly). */
function linearImage(w: number, h: number): { data: Uint8Array; width: number; height: number; at: (x: number, y: number) => [number, number, number] } {
  const at = (x: number, y: number): [number, number, number] => [2 * x + 10, 4 * y + 6, 200 - x - y];
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(at(x + 0.5, y + 0.5), (y * w + x) * 3);
  return { data, width: w, height: h, at };
}

describe('warpBilinear', () => {
  it('samples each output pixel centre at the known transform, exactly for a linear image', () => {
    const img = linearImage(60, 50);
    const toTemplate: Similarity = { a: 0.9 * Math.cos(0.3), b: 0.9 * Math.sin(0.3), tx: -8, ty: -12 };
    const out = warpBilinear(img, templateToSource(toTemplate), 24, 20);
    const back = invert(toTemplate);
    let checked = 0;
    for (let v = 0; v < 20; v++) {
      for (let u = 0; u < 24; u++) {
        const [x, y] = apply(back, [u + 0.5, v + 0.5]);
        if (x < 1 || y < 1 || x > 59 || y > 49) continue;
        const want = img.at(x, y);
        for (let c = 0; c < 3; c++) expect(Math.abs(out[(v * 24 + u) * 3 + c]! - want[c]!)).toBeLessThanOrEqual(0.5 + 1e-9);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(300);
  });

  it('leaves the outside of the source black and the identity unchanged', () => {
    const img = linearImage(8, 6);
    expect(Array.from(warpBilinear(img, [1, 0, 0, 0, 1, 0], 8, 6))).toEqual(Array.from(img.data));
    const shifted = warpBilinear(img, [1, 0, 100, 0, 1, 0], 4, 4);
    expect(shifted.every((v) => v === 0)).toBe(true);
  });
});

describe('planWarp', () => {
  it('cuts out the template window and shrinks a large face first, so the warp never decimates', () => {
    const big = similarityTransform([[1000, 800], [1300, 810], [1150, 950], [1145, 1100]], DLIB4)!;
    expect(scaleOf(big)).toBeLessThan(PRESHRINK_BELOW);
    const plan = planWarp(big, 3000, 2000, 150, 150)!;
    expect(plan.outWidth / plan.width).toBeCloseTo(scaleOf(big), 2);
    // The cut-out holds every template corner's source point, and outToCut agrees with the direct map after the shrink.
    const back = invert(big);
    for (const [u, v] of [[0, 0], [150, 0], [0, 150], [150, 150], [75, 75]] as Point[]) {
      const [x, y] = apply(back, [u, v]);
      expect(x).toBeGreaterThanOrEqual(plan.left);
      expect(x).toBeLessThanOrEqual(plan.left + plan.width);
      const m = plan.outToCut;
      expect(m[0] * u + m[1] * v + m[2]).toBeCloseTo(((x - plan.left) * plan.outWidth) / plan.width, 6);
      expect(m[3] * u + m[4] * v + m[5]).toBeCloseTo(((y - plan.top) * plan.outHeight) / plan.height, 6);
    }
  });

  it('does not shrink a small face, clips to the image and gives up on a window outside it', () => {
    const small = similarityTransform([[5, 5], [25, 6], [15, 17], [15, 28]], DLIB4)!;
    const plan = planWarp(small, 100, 80, 150, 150)!;
    expect(plan).toMatchObject({ left: 0, top: 0 });
    expect(plan.outWidth).toBe(plan.width);
    expect(plan.left + plan.width).toBeLessThanOrEqual(100);
    expect(planWarp({ a: 1, b: 0, tx: 5000, ty: 0 }, 100, 80, 150, 150)).toBeNull();
  });
});
