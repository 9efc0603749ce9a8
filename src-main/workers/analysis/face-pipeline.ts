// One face detector and one face embedder in the worker: detect in square views, align to the embedder's template, score quality, embed.
import sharp from 'sharp';
import type { Box } from '../../ports/analysis-engine.port';
import type { AppearanceHist, FaceOptions, FaceOutcome, FaceQuality, FaceResult, FaceTiming } from '../../ports/face-engine.port';
import type { FloatTensor, OnnxSession } from '../../repositories/onnx/onnx-runtime.repository';
import type { BlazefaceDecoderSpec, EmbeddingDecoderSpec, ModelManifest } from '../../shared/model-manifest';
import { appearanceHistograms } from './appearance-histogram';
import { planWarp, similarityTransform, templateToSource, warpBilinear, type Point, type RgbImage } from './face-align';
import { blazefaceAnchors, decodeBlazeface, dropContained, faceNms, type FaceCandidate } from './face-decoder';
import { faceInterior, faceQuality, laplacianVariance, poseMeasures, poseScore, QUALITY_CROP, QUALITY_POINTS, QUALITY_TEMPLATE, toGrey } from './face-quality';
import { marginRect, regionView, squareView, toSource, wholeImageView, type DetectorView } from './face-views';
import { TensorWriter } from './preprocess';

export interface LoadedModel {
  name: string;
  manifest: ModelManifest;
  session: OnnxSession;
}

/** A face as it crosses the thread boundary (a Buffer arrives as a plain Uint8Array). */
export type WireFace = Omit<FaceResult, 'crop_jpeg'> & { crop_jpeg: Uint8Array | null };

export interface ImageFaces {
  width: number;
  height: number;
  faces: WireFace[];
  timing: FaceTiming;
}

export interface FrameFaces {
  faces: WireFace[];
  appearance: (AppearanceHist | null)[];
  /** Per region: its body crop as JPEG when FaceOptions.region_crops asked for it, else null. */
  region_crops: (Uint8Array | null)[];
  timing: FaceTiming;
}

/** Decoded images are shrunk to fit this side: enough for any face, and a 50 MP upload stays a bounded buffer. */
export const MAX_DECODE_SIDE = 4096;
/** A whole image whose long side spans at least this many detector inputs is also searched in overlapping tiles (small faces). */
export const TILE_ABOVE = 2;
const JPEG_QUALITY = 90;
/** Longest side of a region's body crop (what a sighting shows), its margin around the box, and its JPEG quality. */
export const REGION_CROP_SIDE = 320;
const REGION_CROP_MARGIN = 0.08;
const REGION_CROP_QUALITY = 85;

/** Why a detector and an embedder cannot work together; null when they can. */
export function checkFacePair(det: ModelManifest, emb: ModelManifest): string | null {
  if (det.task !== 'face-detector') return `"${det.task}" is not a face detector`;
  if (det.decoder.type !== 'blazeface') return `the face detector's decoder "${det.decoder.type}" gives no keypoints to align faces with (use a blazeface-type detector)`;
  if (emb.task !== 'face-embedding' || emb.decoder.type !== 'embedding' || !emb.alignment) return 'the face embedder must be a face-embedding model with an alignment template';
  const have = det.decoder.keypoints;
  const missing = emb.alignment.points.filter((p) => !have.includes(p));
  if (missing.length) return `the embedder aligns on ${missing.join(', ')}, which the detector does not give (it gives ${have.join(', ')})`;
  return null;
}

class Clock {
  readonly t0 = performance.now();
  inference = 0;

  async run(session: OnnxSession, feeds: Record<string, FloatTensor>, outputs: readonly string[]): Promise<Record<string, FloatTensor>> {
    const t = performance.now();
    try {
      return await session.run(feeds, outputs);
    } finally {
      this.inference += performance.now() - t;
    }
  }

  timing(): FaceTiming {
    return { worker_ms: performance.now() - this.t0, inference_ms: this.inference };
  }
}

type Located = FaceCandidate & { region: number | null };

const raw = (img: RgbImage) => sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } });

/** A person box of the frame, with a margin, shrunk to REGION_CROP_SIDE, as JPEG; null when it has no area in the frame. */
async function regionCrop(img: RgbImage, box: Box): Promise<Uint8Array | null> {
  const r = marginRect(img.width, img.height, box, REGION_CROP_MARGIN);
  if (!r) return null;
  const b = await raw(img).extract(r).resize(REGION_CROP_SIDE, REGION_CROP_SIDE, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: REGION_CROP_QUALITY }).toBuffer();
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

export class FacePipeline {
  readonly dim: number;
  private readonly det: BlazefaceDecoderSpec;
  private readonly emb: EmbeddingDecoderSpec;
  private readonly detWriter: TensorWriter;
  private readonly embWriter: TensorWriter;
  private readonly anchors: Float32Array[];
  private readonly detOutputs: string[];
  /** Detector keypoint index of each template point. */
  private readonly alignIdx: number[];
  private readonly template: Point[];
  /** Detector keypoint index of right eye, left eye, nose and mouth (what pose and the sharpness crop use). */
  private readonly qualityIdx: number[];
  private readonly interior: { x0: number; y0: number; x1: number; y1: number };

  /** Call checkFacePair first: the constructor trusts the pair. */
  constructor(
    readonly detector: LoadedModel,
    readonly embedder: LoadedModel,
  ) {
    const d = detector.manifest;
    const e = embedder.manifest;
    if (d.decoder.type !== 'blazeface' || e.decoder.type !== 'embedding' || !e.alignment) throw new Error(checkFacePair(d, e) ?? 'not a face pair');
    this.det = d.decoder;
    this.emb = e.decoder;
    this.dim = e.decoder.dim;
    this.detWriter = new TensorWriter(d.input);
    this.embWriter = new TensorWriter(e.input);
    this.anchors = blazefaceAnchors(d.decoder);
    this.detOutputs = d.decoder.heads.flatMap((h) => [h.scores, h.regression]);
    const names = d.decoder.keypoints;
    this.alignIdx = e.alignment.points.map((p) => names.indexOf(p));
    this.template = e.alignment.template.map(([x, y]) => [x, y] as const);
    this.qualityIdx = QUALITY_POINTS.map((p) => names.indexOf(p));
    this.interior = faceInterior(QUALITY_TEMPLATE, QUALITY_CROP, QUALITY_CROP);
  }

  async release(): Promise<void> {
    await Promise.allSettled([this.detector.session.release(), this.embedder.session.release()]);
  }

  /** An encoded image: decoded by sharp (EXIF orientation applied, at most `maxPixels` read), then searched whole. */
  async inImage(encoded: Uint8Array, opts: FaceOptions, maxPixels: number): Promise<FaceOutcome<ImageFaces>> {
    const clock = new Clock();
    let img: RgbImage;
    let width: number;
    let height: number;
    try {
      const input = sharp(encoded, { limitInputPixels: maxPixels, failOn: 'truncated', autoOrient: true });
      const meta = await input.metadata();
      width = meta.autoOrient.width;
      height = meta.autoOrient.height;
      const { data, info } = await input
        .resize({ width: MAX_DECODE_SIDE, height: MAX_DECODE_SIDE, fit: 'inside', withoutEnlargement: true })
        .flatten({ background: '#808080' })
        .toColourspace('srgb')
        .raw({ depth: 'uchar' })
        .toBuffer({ resolveWithObject: true });
      if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
      img = { data, width: info.width, height: info.height };
    } catch (e) {
      return { ok: false, error: { kind: 'bad-image', message: `the image cannot be decoded: ${e instanceof Error ? e.message : String(e)}` } };
    }
    try {
      const faces = await this.search(img, null, opts, clock, width / img.width);
      return { ok: true, value: { width, height, faces, timing: clock.timing() } };
    } catch (e) {
      return { ok: false, error: { kind: 'inference', message: e instanceof Error ? e.message : String(e) } };
    }
  }

  /** A raw rgb24 frame at the camera's resolution, searched in its person boxes (or whole), plus each box's appearance. */
  async inFrame(img: RgbImage, regions: readonly Box[] | null, opts: FaceOptions): Promise<FaceOutcome<FrameFaces>> {
    const clock = new Clock();
    try {
      // max_faces 0: only the regions' appearance is wanted (re-identification without faces).
      const wanted = new Set(opts.region_crops ?? []);
      // sharp encodes the crops on its own threads while the detector runs.
      const crops = Promise.all((regions ?? []).map((b, i) => (wanted.has(i) ? regionCrop(img, b) : null)));
      crops.catch(() => undefined);
      const faces = opts.max_faces > 0 ? await this.search(img, regions, opts, clock) : [];
      const appearance = (regions ?? []).map((b) => appearanceHistograms(img.data, img.width, img.height, b));
      return { ok: true, value: { faces, appearance, region_crops: await crops, timing: clock.timing() } };
    } catch (e) {
      return { ok: false, error: { kind: 'inference', message: e instanceof Error ? e.message : String(e) } };
    }
  }

  /** The views searched: each person box's square, or the whole image letterboxed plus overlapping tiles when it is large. */
  private views(width: number, height: number, regions: readonly Box[] | null): DetectorView[] {
    const S = this.detector.manifest.input.width;
    if (regions) return regions.flatMap((b, i) => regionView(width, height, b, S, i) ?? []);
    const out = [wholeImageView(width, height, S)];
    const long = Math.max(width, height);
    if (long >= TILE_ABOVE * S) {
      // Tiles of half the long side, about half a tile apart: a face up to half a tile across lies whole inside one of them.
      const side = Math.max(S, Math.min(width, height, Math.ceil(long / 2)));
      const xs = tileStarts(width, side);
      const ys = tileStarts(height, side);
      for (const y of ys) for (const x of xs) out.push(squareView(width, height, x, y, side, S, null) as DetectorView);
    }
    return out;
  }

  /** `pxScale`: source pixels per pixel of `img` (above 1 when a large upload was decoded smaller), for face sizes. */
  private async search(img: RgbImage, regions: readonly Box[] | null, opts: FaceOptions, clock: Clock, pxScale = 1): Promise<WireFace[]> {
    // sharp cuts the views out concurrently on its own threads; the one detector session then runs them in turn.
    const views = this.views(img.width, img.height, regions);
    const pixels = await Promise.all(views.map((v) => this.viewPixels(img, v)));
    const found: Located[] = [];
    for (const [i, v] of views.entries()) found.push(...(await this.detect(pixels[i] as Uint8Array, v, clock)));
    const m = this.detector.manifest;
    const kept = dropContained(faceNms(found, m.iou_threshold, m.max_detections)).slice(0, Math.max(0, opts.max_faces));
    const described: { face: WireFace; jpeg: Promise<Uint8Array> | null }[] = [];
    for (const f of kept) described.push(await this.describe(img, f, opts, clock, pxScale));
    return Promise.all(described.map(async ({ face, jpeg }) => (jpeg ? { ...face, crop_jpeg: await jpeg } : face)));
  }

  private viewPixels(img: RgbImage, v: DetectorView): Promise<Uint8Array> {
    const whole = v.left === 0 && v.top === 0 && v.width === img.width && v.height === img.height && v.outWidth === img.width && v.outHeight === img.height;
    if (whole) return Promise.resolve(img.data);
    return raw(img).extract({ left: v.left, top: v.top, width: v.width, height: v.height }).resize(v.outWidth, v.outHeight, { fit: 'fill' }).raw().toBuffer();
  }

  private async detect(pixels: Uint8Array, v: DetectorView, clock: Clock): Promise<Located[]> {
    const tensor = this.detWriter.write(pixels, { dx: v.padLeft, dy: v.padTop, w: v.outWidth, h: v.outHeight });
    const m = this.detector.manifest;
    const outputs = await clock.run(this.detector.session, { [m.input.name]: { data: tensor, dims: this.detWriter.dims } }, this.detOutputs);
    const S = v.size;
    const out: Located[] = [];
    for (const c of decodeBlazeface(this.det, outputs, S, m.score_threshold, this.anchors)) {
      const cx = (c.x1 + c.x2) / 2;
      const cy = (c.y1 + c.y2) / 2;
      if (cx < v.padLeft || cy < v.padTop || cx > v.padLeft + v.outWidth || cy > v.padTop + v.outHeight) continue;
      const [x1, y1] = toSource(v, c.x1, c.y1);
      const [x2, y2] = toSource(v, c.x2, c.y2);
      const kps = new Float32Array(c.kps.length);
      for (let k = 0; k < kps.length; k += 2) {
        const [x, y] = toSource(v, c.kps[k] as number, c.kps[k + 1] as number);
        kps[k] = x;
        kps[k + 1] = y;
      }
      out.push({ x1, y1, x2, y2, score: c.score, cls: 0, kps, region: v.region });
    }
    return out;
  }

  /** Alignment, quality and, for a face above the floor, its embedding and the crop's JPEG encoding (left running). */
  private async describe(img: RgbImage, f: Located, opts: FaceOptions, clock: Clock, pxScale: number): Promise<{ face: WireFace; jpeg: Promise<Uint8Array> | null }> {
    const { width: W, height: H } = img;
    const pt = (i: number): Point => [f.kps[2 * i] as number, f.kps[2 * i + 1] as number];
    const clamp = (v: number) => Math.min(1, Math.max(0, v));
    const x1 = clamp(f.x1 / W);
    const y1 = clamp(f.y1 / H);
    const box: Box = [x1, y1, clamp(f.x2 / W) - x1, clamp(f.y2 / H) - y1];
    const keypoints: [number, number][] = [];
    for (let k = 0; k < f.kps.length; k += 2) keypoints.push([(f.kps[k] as number) / W, (f.kps[k + 1] as number) / H]);
    const base = { box, score: f.score, keypoints, region: f.region };
    const aligned = await this.align(img, this.alignIdx.map(pt), this.template, this.embedder.manifest.input);
    const quality = await this.quality(img, f, aligned, pt, pxScale);
    if (!aligned || quality.score < opts.min_quality) return { face: { ...base, quality, embedding: null, crop_jpeg: null }, jpeg: null };
    const e = this.embedder.manifest;
    const tensor = this.embWriter.write(aligned, { dx: 0, dy: 0, w: e.input.width, h: e.input.height });
    const outputs = await clock.run(this.embedder.session, { [e.input.name]: { data: tensor, dims: this.embWriter.dims } }, [this.emb.output]);
    const embedding = l2normalise((outputs[this.emb.output] as FloatTensor).data.subarray(0, this.dim));
    const jpeg = opts.crops
      ? sharp(aligned, { raw: { width: e.input.width, height: e.input.height, channels: 3 } })
          .jpeg({ quality: JPEG_QUALITY })
          .toBuffer()
          .then((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength))
      : null;
    // Awaited with the others at the end; a failure before then must not surface as an unhandled rejection.
    jpeg?.catch(() => undefined);
    return { face: { ...base, quality, embedding, crop_jpeg: null }, jpeg };
  }

  /** The face warped onto a template, as rgb24 of out.width × out.height; null when the keypoints are degenerate or the window misses the image. */
  private async align(img: RgbImage, points: readonly Point[], template: readonly Point[], out: { width: number; height: number }): Promise<Uint8Array | null> {
    const t = similarityTransform(points, template);
    if (!t) return null;
    const plan = planWarp(t, img.width, img.height, out.width, out.height);
    if (!plan) return null;
    if (plan.outWidth === plan.width && plan.outHeight === plan.height) return warpBilinear(img, templateToSource(t), out.width, out.height);
    const cut = await raw(img).extract({ left: plan.left, top: plan.top, width: plan.width, height: plan.height }).resize(plan.outWidth, plan.outHeight, { fit: 'fill' }).raw().toBuffer();
    return warpBilinear({ data: cut, width: plan.outWidth, height: plan.outHeight }, plan.outToCut, out.width, out.height);
  }

  /**
   * Size, detector score, pose from the keypoints, and sharpness on the canonical 112-px crop (the embedder's own crop
   * when the detector lacks the four points), so the score does not depend on the embedder's template size.
   */
  private async quality(img: RgbImage, f: Located, aligned: Uint8Array | null, pt: (i: number) => Point, pxScale: number): Promise<FaceQuality> {
    const canonical = this.qualityIdx.every((i) => i >= 0);
    let sharpness = 0;
    if (canonical) {
      const crop = await this.align(img, this.qualityIdx.map(pt), QUALITY_TEMPLATE, { width: QUALITY_CROP, height: QUALITY_CROP });
      if (crop) sharpness = laplacianVariance(toGrey(crop, QUALITY_CROP, QUALITY_CROP), QUALITY_CROP, QUALITY_CROP, this.interior);
    } else if (aligned) {
      const e = this.embedder.manifest.input;
      sharpness = laplacianVariance(toGrey(aligned, e.width, e.height), e.width, e.height, faceInterior(this.template, e.width, e.height));
    }
    const [re, le, nose, mouth] = this.qualityIdx.map((i) => (i >= 0 ? pt(i) : undefined));
    const pose = re && le && nose ? poseScore(poseMeasures({ right_eye: re, left_eye: le, nose, mouth })) : 1;
    return faceQuality({ size_px: (f.y2 - f.y1) * pxScale, sharpness, detector: f.score, pose });
  }
}

/** Tile origins along one side: first at 0, last flush with the end, about half a tile apart. */
function tileStarts(length: number, side: number): number[] {
  if (length <= side) return [(length - side) / 2];
  const n = Math.max(2, Math.ceil((length - side) / (side / 2)) + 1);
  return Array.from({ length: n }, (_, i) => Math.round(((length - side) * i) / (n - 1)));
}

function l2normalise(v: Float32Array): Float32Array | null {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i] as number) ** 2;
  if (!(s > 0) || !Number.isFinite(s)) return null;
  const inv = 1 / Math.sqrt(s);
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = (v[i] as number) * inv;
  return out;
}
