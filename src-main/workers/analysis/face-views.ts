// Pure planning of what the face detector looks at: square views of an image or of person boxes, and the way back to source pixels.
import type { Box } from '../../ports/analysis-engine.port';

/** One detector input: a source rectangle resized into a size×size square, padded where the square leaves the image. */
export interface DetectorView {
  /** Integer source rectangle, inside the image. */
  left: number;
  top: number;
  width: number;
  height: number;
  /** Its size after resizing, and its offset inside the square input. */
  outWidth: number;
  outHeight: number;
  padLeft: number;
  padTop: number;
  size: number;
  /** The person box it searches; null for a view of the whole image. */
  region: number | null;
}

/** Share of a region's size added on every side before it is searched. */
export const REGION_MARGIN = 0.1;

/**
 * The view of a square (continuous source pixels, may leave the image): the part inside the image, resized by
 * size/side, placed where it sits in the square. Null when the square misses the image.
 */
export function squareView(imgW: number, imgH: number, x: number, y: number, side: number, size: number, region: number | null): DetectorView | null {
  const s = Math.max(1, Math.round(side));
  const x0 = Math.round(x);
  const y0 = Math.round(y);
  const left = Math.max(0, x0);
  const top = Math.max(0, y0);
  const right = Math.min(imgW, x0 + s);
  const bottom = Math.min(imgH, y0 + s);
  if (right - left < 1 || bottom - top < 1) return null;
  const k = size / s;
  const padLeft = Math.min(size - 1, Math.round((left - x0) * k));
  const padTop = Math.min(size - 1, Math.round((top - y0) * k));
  const outWidth = Math.max(1, Math.min(size - padLeft, Math.round((right - left) * k)));
  const outHeight = Math.max(1, Math.min(size - padTop, Math.round((bottom - top) * k)));
  return { left, top, width: right - left, height: bottom - top, outWidth, outHeight, padLeft, padTop, size, region };
}

/** The whole image letterboxed (centred) into the detector's square. */
export function wholeImageView(imgW: number, imgH: number, size: number): DetectorView {
  const side = Math.max(imgW, imgH);
  return squareView(imgW, imgH, (imgW - side) / 2, (imgH - side) / 2, side, size, null) as DetectorView;
}

/**
 * The square a person box is searched in: the box grown by REGION_MARGIN on each side; for a box taller than wide
 * (someone standing) the square of its width at its top, where the head is, so a small face keeps its pixels;
 * otherwise the square around the whole box.
 */
export function regionView(imgW: number, imgH: number, box: Box, size: number, region: number): DetectorView | null {
  const [bx, by, bw, bh] = box;
  if (!(bw > 0 && bh > 0)) return null;
  const w = bw * imgW * (1 + 2 * REGION_MARGIN);
  const h = bh * imgH * (1 + 2 * REGION_MARGIN);
  const cx = (bx + bw / 2) * imgW;
  const top = by * imgH - bh * imgH * REGION_MARGIN;
  if (h > w) return squareView(imgW, imgH, cx - w / 2, top, w, size, region);
  return squareView(imgW, imgH, cx - w / 2, (by + bh / 2) * imgH - w / 2, w, size, region);
}

/** A point in detector-input pixels → continuous source pixels. */
export function toSource(v: DetectorView, u: number, w: number): [number, number] {
  return [v.left + ((u - v.padLeft) * v.width) / v.outWidth, v.top + ((w - v.padTop) * v.height) / v.outHeight];
}

/** Whether a point in detector-input pixels falls on image content (not on the letterbox padding). */
export function onContent(v: DetectorView, u: number, w: number): boolean {
  return u >= v.padLeft && u <= v.padLeft + v.outWidth && w >= v.padTop && w <= v.padTop + v.outHeight;
}

/**
 * The integer source rectangle of a box grown by `margin` of its size on every side, clipped to the image (a person's
 * crop shows a little around them); null when less than 2 px remain.
 */
export function marginRect(imgW: number, imgH: number, box: Box, margin: number): { left: number; top: number; width: number; height: number } | null {
  const [x, y, w, h] = box;
  const left = Math.max(0, Math.floor((x - w * margin) * imgW));
  const top = Math.max(0, Math.floor((y - h * margin) * imgH));
  const right = Math.min(imgW, Math.ceil((x + w * (1 + margin)) * imgW));
  const bottom = Math.min(imgH, Math.ceil((y + h * (1 + margin)) * imgH));
  return right - left < 2 || bottom - top < 2 ? null : { left, top, width: right - left, height: bottom - top };
}
