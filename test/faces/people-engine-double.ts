// A FaceEngine test double (the port, not the worker): images are registered with the faces they "contain"; plus
// seeded synthetic identities (unit vectors and noisy faces of them) and tiny real images made with sharp.
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { AppearanceHist, FaceEngine, FaceModels, FaceOptions, FaceOutcome, FaceResult, FaceTiming } from '../../src-main/ports/face-engine.port';

/** mulberry32: a small seeded PRNG so synthetic faces are the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const gauss = (r: () => number): number => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());

export function unit(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  const s = 1 / Math.sqrt(n || 1);
  return v.map((x) => x * s);
}

/** A random identity: a unit vector. */
export function identity(seed: number, dim = 128): Float32Array {
  const r = rng(seed);
  return unit(Float32Array.from({ length: dim }, () => gauss(r)));
}

/** A face of an identity: base plus per-dimension noise σ (σ = 0.045 at 128-d gives same-person cosine ≈ 0.8). */
export function faceOf(base: Float32Array, seed: number, sigma = 0.045): Float32Array {
  const r = rng(seed);
  return unit(base.map((x) => x + sigma * gauss(r)));
}

export const cos = (a: Float32Array, b: Float32Array): number => a.reduce((s, x, i) => s + x * (b[i] as number), 0);

export function faceResult(embedding: Float32Array | null, o: { size_px?: number; quality?: number; box?: [number, number, number, number]; crop?: Buffer | null } = {}): FaceResult {
  return {
    box: o.box ?? [0.3, 0.2, 0.2, 0.3],
    score: 0.9,
    keypoints: [],
    quality: { score: o.quality ?? 0.8, size_px: o.size_px ?? 120, sharpness: 200, pose: 0.9, detector: 0.9 },
    embedding,
    crop_jpeg: o.crop ?? null,
    region: null,
  };
}

/** A small real image (distinct per seed) in a given format. */
export async function photo(seed: number, format: 'png' | 'jpeg' | 'webp' = 'jpeg', size = 48): Promise<Buffer> {
  const r = rng(seed);
  const img = sharp({ create: { width: size, height: size, channels: 3, background: { r: Math.floor(r() * 255), g: Math.floor(r() * 255), b: Math.floor(r() * 255) } } });
  return format === 'png' ? img.png().toBuffer() : format === 'webp' ? img.webp().toBuffer() : img.jpeg().toBuffer();
}

const hash = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

export class FaceEngineDouble implements FaceEngine {
  error: string | null = null;
  /** Every image facesInImage was asked about (a refused upload must never appear here). */
  readonly seen: Buffer[] = [];
  private readonly faces = new Map<string, FaceResult[]>();

  constructor(readonly dim = 128) {}

  /** The faces an image contains, largest first. */
  register(image: Buffer, faces: FaceResult[]): void {
    this.faces.set(hash(image), faces);
  }

  faceModels(): FaceModels {
    return { detector: this.error ? null : 'blazeface-back-256', embedder: this.error ? null : 'dlib-resnet-face-128', dim: this.error ? null : this.dim, match_threshold: this.error ? null : 0.5, error: this.error };
  }

  async setFaceModels(): Promise<FaceOutcome<FaceModels>> {
    return { ok: true, value: this.faceModels() };
  }

  async facesInImage(image: Buffer, opts: FaceOptions): Promise<FaceOutcome<{ width: number; height: number; faces: FaceResult[]; timing: FaceTiming }>> {
    this.seen.push(image);
    if (this.error) return { ok: false, error: { kind: 'no-model', message: this.error } };
    const m = await sharp(image).metadata();
    const faces = (this.faces.get(hash(image)) ?? []).slice(0, opts.max_faces);
    return { ok: true, value: { width: m.width ?? 0, height: m.height ?? 0, faces, timing: { worker_ms: 0, inference_ms: 0 } } };
  }

  async facesInFrame(): Promise<FaceOutcome<{ faces: FaceResult[]; appearance: (AppearanceHist | null)[]; region_crops: (Buffer | null)[]; timing: FaceTiming }>> {
    return { ok: true, value: { faces: [], appearance: [], region_crops: [], timing: { worker_ms: 0, inference_ms: 0 } } };
  }
}
