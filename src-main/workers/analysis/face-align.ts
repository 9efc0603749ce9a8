// Pure face alignment: the least-squares similarity transform (Umeyama) from keypoints onto a template, and the bilinear warp to the template.

/** x' = a·x − b·y + tx, y' = b·x + a·y + ty: rotation and uniform scale (s = hypot(a, b)) plus translation, never a reflection. */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

export type Point = readonly [number, number];

/**
 * Umeyama's least-squares similarity (1991) in 2-D: with centred points the optimal scaled rotation is
 * a + ib = Σ conj(p)·q / Σ |p|² (complex form of his SVD solution; reflections excluded), then t = μq − sR·μp.
 * Null when the source points coincide.
 */
export function similarityTransform(src: readonly Point[], dst: readonly Point[]): Similarity | null {
  const n = Math.min(src.length, dst.length);
  if (n < 2) return null;
  let mpx = 0;
  let mpy = 0;
  let mqx = 0;
  let mqy = 0;
  for (let i = 0; i < n; i++) {
    mpx += (src[i] as Point)[0];
    mpy += (src[i] as Point)[1];
    mqx += (dst[i] as Point)[0];
    mqy += (dst[i] as Point)[1];
  }
  mpx /= n;
  mpy /= n;
  mqx /= n;
  mqy /= n;
  let dot = 0;
  let cross = 0;
  let norm = 0;
  for (let i = 0; i < n; i++) {
    const px = (src[i] as Point)[0] - mpx;
    const py = (src[i] as Point)[1] - mpy;
    const qx = (dst[i] as Point)[0] - mqx;
    const qy = (dst[i] as Point)[1] - mqy;
    dot += px * qx + py * qy;
    cross += px * qy - py * qx;
    norm += px * px + py * py;
  }
  if (!(norm > 1e-12)) return null;
  const a = dot / norm;
  const b = cross / norm;
  return { a, b, tx: mqx - (a * mpx - b * mpy), ty: mqy - (b * mpx + a * mpy) };
}

export const scaleOf = (t: Similarity): number => Math.hypot(t.a, t.b);

export function apply(t: Similarity, [x, y]: Point): [number, number] {
  return [t.a * x - t.b * y + t.tx, t.b * x + t.a * y + t.ty];
}

export function invert(t: Similarity): Similarity {
  const s2 = t.a * t.a + t.b * t.b;
  const a = t.a / s2;
  const b = -t.b / s2;
  return { a, b, tx: -(a * t.tx - b * t.ty), ty: -(b * t.tx + a * t.ty) };
}

/** Root-mean-square distance between transformed source points and their targets. */
export function residual(t: Similarity, src: readonly Point[], dst: readonly Point[]): number {
  let e = 0;
  for (let i = 0; i < src.length; i++) {
    const [x, y] = apply(t, src[i] as Point);
    e += (x - (dst[i] as Point)[0]) ** 2 + (y - (dst[i] as Point)[1]) ** 2;
  }
  return Math.sqrt(e / Math.max(1, src.length));
}

/** A 2×3 affine map in continuous pixel coordinates (pixel i covers [i, i+1)): X = m[0]·u + m[1]·v + m[2], Y = m[3]·u + m[4]·v + m[5]. */
export type Affine = readonly [number, number, number, number, number, number];

export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * For each output pixel, samples the source bilinearly at `outToSrc` of the pixel's centre; outside the source is black.
 * Only for scales near 1 or above: shrinking a face by more than that needs a low-pass first (sharp's resize does it).
 */
export function warpBilinear(src: RgbImage, outToSrc: Affine, outW: number, outH: number): Uint8Array {
  const out = new Uint8Array(outW * outH * 3);
  const { data, width: W, height: H } = src;
  const [m0, m1, m2, m3, m4, m5] = outToSrc;
  let o = 0;
  for (let v = 0; v < outH; v++) {
    const cv = v + 0.5;
    for (let u = 0; u < outW; u++, o += 3) {
      const cu = u + 0.5;
      const x = m0 * cu + m1 * cv + m2 - 0.5;
      const y = m3 * cu + m4 * cv + m5 - 0.5;
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      if (x0 < -1 || y0 < -1 || x0 >= W || y0 >= H) continue;
      const fx = x - x0;
      const fy = y - y0;
      const inX0 = x0 >= 0;
      const inX1 = x0 + 1 < W;
      const inY0 = y0 >= 0;
      const inY1 = y0 + 1 < H;
      const w00 = inX0 && inY0 ? (1 - fx) * (1 - fy) : 0;
      const w10 = inX1 && inY0 ? fx * (1 - fy) : 0;
      const w01 = inX0 && inY1 ? (1 - fx) * fy : 0;
      const w11 = inX1 && inY1 ? fx * fy : 0;
      const i00 = (y0 * W + x0) * 3;
      const i10 = i00 + 3;
      const i01 = i00 + W * 3;
      const i11 = i01 + 3;
      for (let c = 0; c < 3; c++) {
        const s =
          (w00 ? w00 * (data[i00 + c] as number) : 0) +
          (w10 ? w10 * (data[i10 + c] as number) : 0) +
          (w01 ? w01 * (data[i01 + c] as number) : 0) +
          (w11 ? w11 * (data[i11 + c] as number) : 0);
        out[o + c] = s + 0.5;
      }
    }
  }
  return out;
}

/** The affine that maps template coordinates back into the source (the inverse of `toTemplate`). */
export function templateToSource(toTemplate: Similarity): Affine {
  const inv = invert(toTemplate);
  return [inv.a, -inv.b, inv.tx, inv.b, inv.a, inv.ty];
}

/** An integer source rectangle to cut out and the size sharp shrinks it to before the warp. */
export interface WarpPlan {
  left: number;
  top: number;
  width: number;
  height: number;
  /** Size after the pre-shrink; equal to width/height when there is none. */
  outWidth: number;
  outHeight: number;
  /** Maps output (template) continuous coordinates into the pre-shrunk cut-out. */
  outToCut: Affine;
}

/** Below this scale (template px per source px) the cut-out is shrunk by sharp first, so the bilinear warp never decimates. */
export const PRESHRINK_BELOW = 0.9;

/**
 * Plans the warp of `toTemplate` (source → template) onto a outW×outH template: the source rectangle the template
 * window covers (with a 2 px margin, clipped to the image) and, for a face larger than the template, how far sharp
 * shrinks it first. Null when the window misses the image.
 */
export function planWarp(toTemplate: Similarity, imgW: number, imgH: number, outW: number, outH: number): WarpPlan | null {
  const inv = invert(toTemplate);
  const corners = [apply(inv, [0, 0]), apply(inv, [outW, 0]), apply(inv, [0, outH]), apply(inv, [outW, outH])];
  const xs = corners.map((c) => c[0]);
  const ys = corners.map((c) => c[1]);
  const left = Math.max(0, Math.floor(Math.min(...xs) - 2));
  const top = Math.max(0, Math.floor(Math.min(...ys) - 2));
  const right = Math.min(imgW, Math.ceil(Math.max(...xs) + 2));
  const bottom = Math.min(imgH, Math.ceil(Math.max(...ys) + 2));
  if (right - left < 1 || bottom - top < 1) return null;
  const width = right - left;
  const height = bottom - top;
  const s = scaleOf(toTemplate);
  const k = s < PRESHRINK_BELOW ? s : 1;
  const outWidth = k < 1 ? Math.max(1, Math.round(width * k)) : width;
  const outHeight = k < 1 ? Math.max(1, Math.round(height * k)) : height;
  const kx = outWidth / width;
  const ky = outHeight / height;
  return { left, top, width, height, outWidth, outHeight, outToCut: [inv.a * kx, -inv.b * kx, (inv.tx - left) * kx, inv.b * ky, inv.a * ky, (inv.ty - top) * ky] };
}
