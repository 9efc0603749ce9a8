// The face engine through the real analysis worker (real: worker_threads, onnxruntime-node, sharp, the shipped BlazeFace and dlib models, the test-only ArcFace model, fixture photos; mock: none).
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Box } from '../../src-main/ports/analysis-engine.port';
import type { FaceOptions, FaceOutcome } from '../../src-main/ports/face-engine.port';
import { silentLogger } from '../../src-main/repositories/logger';
import { WorkerAnalysisEngine } from '../../src-main/workers/analysis/analysis-engine';
import { cosine } from './face-engine-metrics';
import { ARCFACE_MANIFEST, ARCFACE_ONNX, BUNDLED_MODELS, IMAGES_DIR } from './face-engine-fixtures';

const ASTRONAUT = join(IMAGES_DIR, 'astronaut.png');
const ALL: FaceOptions = { min_quality: 0, max_faces: 10, crops: true };
let user: string;

const ok = <T>(o: FaceOutcome<T>): T => {
  if (!o.ok) throw new Error(`${o.error.kind}: ${o.error.message}`);
  return o.value;
};

/** The astronaut (face ≈ 97 px tall at 512 px) shrunk so her face is `faceH` px tall, pasted into a grey 1920×1080 frame, and a person box around her. */
async function hdFrame(faceH: number): Promise<{ rgb: Buffer; box: Box }> {
  const W = 1920;
  const H = 1080;
  const k = faceH / 97;
  const side = Math.round(512 * k);
  const face = await sharp(ASTRONAUT).resize(side, side).png().toBuffer();
  const rgb = await sharp({ create: { width: W, height: H, channels: 3, background: { r: 90, g: 100, b: 95 } } })
    .composite([{ input: face, left: 900, top: 300 }])
    .removeAlpha()
    .raw()
    .toBuffer();
  const fx = 900 + 222 * k;
  const fy = 300 + 77 * k;
  return { rgb, box: [(fx - 1.5 * faceH) / W, (fy - 0.2 * faceH) / H, (3 * faceH) / W, (7.5 * faceH) / H] };
}

/** CRC-32 (PNG chunks). */
function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

/** A valid PNG header announcing 20000×20000 pixels, with almost no data: sharp must refuse it before decoding. */
function bombPng(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(20_000, 0);
  ihdr.writeUInt32BE(20_000, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])), chunk('IEND', Buffer.alloc(0))]);
}

beforeAll(() => {
  user = mkdtempSync(join(tmpdir(), 'vigil-face-models-'));
  copyFileSync(ARCFACE_MANIFEST, join(user, 'face-embedding-arcface112.json'));
  symlinkSync(ARCFACE_ONNX, join(user, 'face-embedding-arcface112.onnx'));
  // An embedder that wants mouth corners, which BlazeFace does not give: loads, but cannot pair with it.
  const five = JSON.parse(readFileSync(ARCFACE_MANIFEST, 'utf8'));
  five.name = 'arcface-5-point';
  five.alignment = { points: ['right_eye', 'left_eye', 'nose', 'mouth_right', 'mouth_left'], template: [[38.29, 51.7], [73.53, 51.5], [56.03, 71.74], [41.55, 92.37], [70.73, 92.2]] };
  writeFileSync(join(user, 'arcface-5-point.json'), JSON.stringify(five));
});

afterAll(() => rmSync(user, { recursive: true, force: true }));

describe('face engine with the shipped models', () => {
  let engine: WorkerAnalysisEngine;
  let reference: Float32Array;

  beforeAll(async () => {
    engine = new WorkerAnalysisEngine({ modelDirs: [{ path: BUNDLED_MODELS, origin: 'bundled' }], log: silentLogger(), maxFaceJobs: 2 });
    await engine.start();
  });
  afterAll(() => engine.stop());

  it('loads BlazeFace and dlib by default beside the object detector, with the dimension from the manifest', () => {
    expect(engine.faceModels()).toEqual({ detector: 'blazeface-back-256', embedder: 'dlib-resnet-face-128', dim: 128, match_threshold: 0.91, error: null });
    expect(engine.activeModel()?.name).toBe('nanodet-m-416-coco');
    expect(engine.models().find((m) => m.name === 'dlib-resnet-face-128')).toMatchObject({ status: 'ok', task: 'face-embedding', decoder: 'embedding', dim: 128, classes: null });
    expect(engine.models().find((m) => m.name === 'blazeface-back-256')).toMatchObject({ status: 'ok', task: 'face-detector', decoder: 'blazeface', classes: 1 });
  });

  it('finds, aligns and embeds the face in a photo: L2-normalised embedding, quality parts, aligned JPEG crop', async () => {
    const r = ok(await engine.facesInImage(await sharp(ASTRONAUT).jpeg().toBuffer(), ALL));
    expect([r.width, r.height]).toEqual([512, 512]);
    expect(r.faces).toHaveLength(1);
    const f = r.faces[0]!;
    reference = f.embedding!;
    expect(f.embedding).toHaveLength(128);
    expect(Math.hypot(...f.embedding!)).toBeCloseTo(1, 5);
    expect(f.region).toBeNull();
    expect(f.quality.size_px).toBeGreaterThan(80);
    expect(f.quality.score).toBeGreaterThan(0.8);
    expect(f.quality.detector).toBe(f.score);
    // Keypoints lie in the box: eyes above the nose above the mouth; the subject's right eye on the image's left.
    const [re, le, nose, mouth] = f.keypoints as [number, number][];
    expect(re![0]).toBeLessThan(le![0]);
    expect(nose![1]).toBeGreaterThan(re![1]);
    expect(mouth![1]).toBeGreaterThan(nose![1]);
    expect(Buffer.isBuffer(f.crop_jpeg)).toBe(true);
    expect(await sharp(f.crop_jpeg!).metadata()).toMatchObject({ format: 'jpeg', width: 150, height: 150 });
    expect(r.timing.inference_ms).toBeGreaterThan(0);
    expect(r.timing.worker_ms).toBeGreaterThanOrEqual(r.timing.inference_ms);
  });

  it('honours EXIF orientation (a phone photo stored sideways)', async () => {
    const sideways = await sharp(ASTRONAUT).extract({ left: 0, top: 0, width: 512, height: 400 }).rotate(-90).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const r = ok(await engine.facesInImage(sideways, ALL));
    expect([r.width, r.height]).toEqual([512, 400]);
    expect(r.faces).toHaveLength(1);
    expect(cosine(r.faces[0]!.embedding!, reference)).toBeGreaterThan(0.97);
  });

  it('finds a 50 px face inside a person box of a 1080p frame, at the camera’s resolution', async () => {
    const frame = await hdFrame(50);
    const box = frame.box;
    // A buffer that owns its memory is transferred to the worker, not copied.
    const rgb = Buffer.from(frame.rgb);
    const empty: Box = [0.05, 0.1, 0.05, 0.3];
    const tiny: Box = [0.5, 0.95, 0.001, 0.002];
    const r = ok(await engine.facesInFrame({ camera_id: 1, ts_ms: 1000, width: 1920, height: 1080, rgb }, [box, empty, tiny], ALL));
    expect(rgb.length).toBe(0);
    expect(r.faces).toHaveLength(1);
    const f = r.faces[0]!;
    expect(f.region).toBe(0);
    expect(f.quality.size_px).toBeGreaterThan(40);
    expect(f.quality.size_px).toBeLessThan(65);
    expect(f.quality.score).toBeGreaterThan(0.35);
    // Same face, a fifth of the pixels: the embedding barely moves (0.989 measured).
    expect(cosine(f.embedding!, reference)).toBeGreaterThan(0.96);
    expect(f.box[0]).toBeGreaterThan(box[0]);
    expect(f.box[0] + f.box[2]).toBeLessThan(box[0] + box[2]);
    expect(r.appearance).toHaveLength(3);
    expect(r.appearance[0]?.upper).toHaveLength(128);
    expect(r.appearance[1]).not.toBeNull();
    expect(r.appearance[2]).toBeNull();
  });

  it('cuts the body crops asked for from the very frame it searched (re-identification needs no other picture)', async () => {
    const frame = await hdFrame(120);
    const other: Box = [0.05, 0.1, 0.05, 0.3];
    const r = ok(await engine.facesInFrame({ camera_id: 1, ts_ms: 1000, width: 1920, height: 1080, rgb: Buffer.from(frame.rgb) }, [frame.box, other], { ...ALL, region_crops: [0] }));
    expect(r.region_crops).toHaveLength(2);
    expect(r.region_crops[1]).toBeNull();
    const crop = r.region_crops[0]!;
    const meta = await sharp(crop).metadata();
    expect(meta.format).toBe('jpeg');
    // The box and 8 % around it (clipped to the frame), shrunk to a 320 px long side.
    const [x, y, w, h] = frame.box;
    const left = Math.max(0, Math.floor((x - w * 0.08) * 1920));
    const top = Math.max(0, Math.floor((y - h * 0.08) * 1080));
    const rect = { left, top, width: Math.min(1920, Math.ceil((x + w * 1.08) * 1920)) - left, height: Math.min(1080, Math.ceil((y + h * 1.08) * 1080)) - top };
    expect(rect.height).toBeGreaterThan(320);
    expect(meta.height).toBe(320);
    expect(Math.abs(meta.width! - (320 * rect.width) / rect.height)).toBeLessThanOrEqual(1);
    // Its pixels are the frame's own there: against the same rectangle cut here, a mean difference of a few levels (JPEG).
    const size = { width: meta.width!, height: meta.height! };
    const mine = await sharp(frame.rgb, { raw: { width: 1920, height: 1080, channels: 3 } }).extract(rect).resize(size.width, size.height, { fit: 'fill' }).raw().toBuffer();
    const theirs = await sharp(crop).raw().toBuffer();
    let diff = 0;
    for (let i = 0; i < mine.length; i++) diff += Math.abs((mine[i] as number) - (theirs[i] as number));
    expect(diff / mine.length).toBeLessThan(6);
    const bad = await engine.facesInFrame({ camera_id: 1, ts_ms: 0, width: 10, height: 10, rgb: Buffer.alloc(300) }, [[0, 0, 1, 1]], { ...ALL, region_crops: [1] });
    expect(!bad.ok && bad.error).toMatchObject({ kind: 'bad-frame', message: expect.stringMatching(/region_crops names region 1/) });
  });

  it('keeps the embedding and crop of a face below the quality floor to itself, and caps the number of faces', async () => {
    const jpeg = await sharp(ASTRONAUT).jpeg().toBuffer();
    const strict = ok(await engine.facesInImage(jpeg, { min_quality: 1, max_faces: 10, crops: true }));
    expect(strict.faces).toHaveLength(1);
    expect(strict.faces[0]).toMatchObject({ embedding: null, crop_jpeg: null });
    expect(strict.faces[0]!.quality.score).toBeLessThan(1);
    expect(ok(await engine.facesInImage(jpeg, { ...ALL, max_faces: 0 })).faces).toEqual([]);
    expect(ok(await engine.facesInImage(jpeg, { ...ALL, crops: false })).faces[0]!.crop_jpeg).toBeNull();
  });

  it('answers errors as data: undecodable image, a decompression bomb refused from its header, a bad frame or region, too many jobs', async () => {
    const bad = await engine.facesInImage(Buffer.from('GIF89a but not really'), ALL);
    expect(!bad.ok && bad.error.kind).toBe('bad-image');
    const bomb = await engine.facesInImage(bombPng(), ALL);
    expect(!bomb.ok && bomb.error).toMatchObject({ kind: 'bad-image', message: expect.stringMatching(/pixel limit/) });
    const short = await engine.facesInFrame({ camera_id: 1, ts_ms: 0, width: 10, height: 10, rgb: Buffer.alloc(10) }, null, ALL);
    expect(!short.ok && short.error.kind).toBe('bad-frame');
    const region = await engine.facesInFrame({ camera_id: 1, ts_ms: 0, width: 10, height: 10, rgb: Buffer.alloc(300) }, [[0, 0, 0, 1]], ALL);
    expect(!region.ok && region.error).toMatchObject({ kind: 'bad-frame', message: expect.stringMatching(/region 0/) });
    const jpeg = await sharp(ASTRONAUT).jpeg().toBuffer();
    const burst = await Promise.all([1, 2, 3, 4].map(() => engine.facesInImage(jpeg, ALL)));
    expect(burst.filter((b) => b.ok)).toHaveLength(2);
    expect(burst.filter((b) => !b.ok).map((b) => !b.ok && b.error.kind)).toEqual(['busy', 'busy']);
  });
});

describe('face engine models', () => {
  it('runs detection without faces when a face model is missing, then switches to a 512-d ArcFace through its manifest', async () => {
    const engine = new WorkerAnalysisEngine({
      modelDirs: [
        { path: BUNDLED_MODELS, origin: 'bundled' },
        { path: user, origin: 'user' },
      ],
      log: silentLogger(),
      faceDetectorModel: 'blazeface-back-256',
      faceEmbedderModel: 'no-such-embedder',
      heartbeatMs: 200,
      backoff: { initialMs: 50 },
    });
    try {
      await engine.start();
      expect(engine.activeModel()?.name).toBe('nanodet-m-416-coco');
      expect(engine.faceModels()).toMatchObject({ detector: null, embedder: null, dim: null, error: expect.stringMatching(/no-such-embedder/) });
      const off = await engine.facesInImage(await sharp(ASTRONAUT).jpeg().toBuffer(), ALL);
      expect(!off.ok && off.error).toMatchObject({ kind: 'no-model', message: expect.stringMatching(/no-such-embedder/) });

      const arc = await engine.setFaceModels('blazeface-back-256', 'face-embedding-arcface112');
      expect(arc).toEqual({ ok: true, value: { detector: 'blazeface-back-256', embedder: 'face-embedding-arcface112', dim: 512, match_threshold: 0.29, error: null } });
      const jpeg = await sharp(ASTRONAUT).jpeg().toBuffer();
      const r = ok(await engine.facesInImage(jpeg, ALL));
      expect(r.faces[0]!.embedding).toHaveLength(512);
      expect(await sharp(r.faces[0]!.crop_jpeg!).metadata()).toMatchObject({ width: 112, height: 112 });

      // A pair that cannot align (the embedder wants mouth corners) and a non-face model are refused; ArcFace keeps running.
      const five = await engine.setFaceModels('blazeface-back-256', 'arcface-5-point');
      expect(!five.ok && five.error.message).toMatch(/mouth_right, mouth_left, which the detector does not give/);
      const wrong = await engine.setFaceModels('nanodet-m-416-coco', 'dlib-resnet-face-128');
      expect(!wrong.ok && wrong.error.message).toMatch(/is a detector model, not a face-detector model/);
      expect(engine.faceModels()).toMatchObject({ embedder: 'face-embedding-arcface112', dim: 512 });
      expect(ok(await engine.facesInImage(jpeg, ALL)).faces[0]!.embedding).toHaveLength(512);

      // A restarted worker loads the pair in use again.
      engine.worker.kill('test');
      const until = Date.now() + 20_000;
      while (engine.status().restarts < 1 && Date.now() < until) await new Promise((res) => setTimeout(res, 20));
      await engine.worker.whenReady();
      expect(engine.status().restarts).toBe(1);
      expect(engine.faceModels()).toMatchObject({ embedder: 'face-embedding-arcface112', dim: 512 });
      expect(ok(await engine.facesInImage(jpeg, ALL)).faces[0]!.embedding).toHaveLength(512);

      expect(await engine.setFaceModels(null, null)).toEqual({ ok: true, value: { detector: null, embedder: null, dim: null, match_threshold: null, error: null } });
      const none = await engine.facesInImage(jpeg, ALL);
      expect(!none.ok && none.error.kind).toBe('no-model');
    } finally {
      await engine.stop();
    }
  });
});
