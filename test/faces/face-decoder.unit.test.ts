// BlazeFace decoding and the face-model manifests (real: the shipped manifests; synthetic tensors in BlazeFace's documented layout).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkModelIo, parseManifest, type BlazefaceDecoderSpec, type ModelManifest } from '../../src-main/shared/model-manifest';
import { decode } from '../../src-main/workers/analysis/detection-decoders';
import { blazefaceAnchors, decodeBlazeface, dropContained, faceNms } from '../../src-main/workers/analysis/face-decoder';
import { checkFacePair } from '../../src-main/workers/analysis/face-pipeline';
import { ARCFACE_MANIFEST, BUNDLED_MODELS } from './face-engine-fixtures';

const manifest = (file: string): ModelManifest => {
  const r = parseManifest(JSON.parse(readFileSync(file, 'utf8')));
  if (!r.ok) throw new Error(r.error);
  return r.manifest;
};
const blazeface = manifest(join(BUNDLED_MODELS, 'blazeface-back-256.json'));
const dlib = manifest(join(BUNDLED_MODELS, 'dlib-resnet-face-128.json'));
const arcface = manifest(ARCFACE_MANIFEST);
const spec = blazeface.decoder as BlazefaceDecoderSpec;
const S = 256;
const logit = (p: number) => Math.log(p / (1 - p));

/** Output tensors with every score very low except the anchors given (layer, index, probability, regression row). */
function outputs(hits: { layer: number; index: number; p: number; row: number[] }[]) {
  const out: Record<string, { data: Float32Array; dims: number[] }> = {};
  spec.heads.forEach((h) => {
    const n = h.grid * h.grid * h.anchors;
    out[h.scores] = { data: new Float32Array(n).fill(-20), dims: [1, n, 1] };
    out[h.regression] = { data: new Float32Array(n * 16), dims: [1, n, 16] };
  });
  for (const { layer, index, p, row } of hits) {
    const h = spec.heads[layer]!;
    out[h.scores]!.data[index] = logit(p);
    out[h.regression]!.data.set(row, index * 16);
  }
  return out;
}

describe('BlazeFace anchors', () => {
  it('numbers 16×16×2 then 8×8×6 anchors row by row, anchors of a cell together, at cell centres', () => {
    const [a, b] = blazefaceAnchors(spec);
    expect(a!.length / 2).toBe(512);
    expect(b!.length / 2).toBe(384);
    // Layer 0: anchor 0 and 1 share cell (0,0); anchor 2 is cell (1,0); anchor 32 starts row 1.
    expect([a![0], a![1], a![2], a![3]]).toEqual([0.5 / 16, 0.5 / 16, 0.5 / 16, 0.5 / 16]);
    expect([a![4], a![5]]).toEqual([1.5 / 16, 0.5 / 16]);
    expect([a![64], a![65]]).toEqual([0.5 / 16, 1.5 / 16]);
    // Layer 1: six anchors per cell; the last anchor sits in the bottom-right cell.
    expect([b![12], b![13]]).toEqual([1.5 / 8, 0.5 / 8]);
    expect([b![766], b![767]]).toEqual([7.5 / 8, 7.5 / 8]);
  });
});

describe('decodeBlazeface', () => {
  it('puts the box centre at anchor + (dx, dy), its size at (w, h) and keypoints at anchor + k, all in input pixels', () => {
    // Layer 0, cell (x 3, y 5), second anchor: index (5·16 + 3)·2 + 1 = 167; its centre is (3.5·16, 5.5·16) = (56, 88).
    const row = [4, -2, 40, 48, -10, -8, 10, -8, 0, 4, 0, 14, -18, 0, 18, 0];
    const [c] = decodeBlazeface(spec, outputs([{ layer: 0, index: 167, p: 0.9, row }]), S, 0.5);
    expect(c).toBeDefined();
    expect(c!.score).toBeCloseTo(0.9, 6);
    expect([c!.x1, c!.y1, c!.x2, c!.y2]).toEqual([60 - 20, 86 - 24, 60 + 20, 86 + 24]);
    expect(Array.from(c!.kps)).toEqual([46, 80, 66, 80, 56, 92, 56, 102, 38, 88, 74, 88]);
  });

  it('reads the second layer with its own grid, and keeps only scores at or above the threshold', () => {
    // Layer 1, cell (x 7, y 0), anchor 4: index (0·8 + 7)·6 + 4 = 46; centre (7.5·32, 0.5·32) = (240, 16).
    const row = [0, 0, 64, 64, ...new Array(12).fill(0)];
    const out = outputs([
      { layer: 1, index: 46, p: 0.7, row },
      { layer: 0, index: 0, p: 0.4, row },
    ]);
    const got = decodeBlazeface(spec, out, S, 0.5);
    expect(got).toHaveLength(1);
    expect([got[0]!.x1, got[0]!.y1, got[0]!.x2, got[0]!.y2]).toEqual([208, -16, 272, 48]);
    expect(decodeBlazeface(spec, out, S, 0.3)).toHaveLength(2);
  });

  it('serves the object-detector path too (boxes only, class "face")', () => {
    const out = outputs([{ layer: 0, index: 0, p: 0.95, row: [0, 0, 10, 10, ...new Array(12).fill(0)] }]);
    const ctx = { width: S, height: S, classes: 1, conf: 0.5, allowed: null };
    expect(decode(spec, out, ctx)).toHaveLength(1);
    expect(decode(spec, out, { ...ctx, allowed: new Uint8Array([0]) })).toHaveLength(0);
  });
});

describe('face NMS and containment', () => {
  const face = (x1: number, y1: number, x2: number, y2: number, score: number) => ({ x1, y1, x2, y2, score, cls: 0, kps: new Float32Array(12) });

  it('keeps the best of overlapping faces above IoU 0.3 and returns the kept objects themselves', () => {
    const a = face(0, 0, 10, 10, 0.9);
    const b = face(2, 0, 12, 10, 0.8);
    const c = face(20, 20, 30, 30, 0.7);
    const kept = faceNms([b, c, a], 0.3, 10);
    expect(kept).toEqual([a, c]);
    expect(kept[0]).toBe(a);
  });

  it('drops a face lying mostly inside a larger one (a tile that saw an eye), keeping the larger first', () => {
    const big = face(0, 0, 100, 100, 0.8);
    const eye = face(10, 10, 40, 40, 0.9);
    const neighbour = face(90, 0, 140, 50, 0.9);
    expect(dropContained([eye, neighbour, big])).toEqual([big, neighbour]);
  });
});

describe('face model manifests', () => {
  it('ship BlazeFace back-256 and dlib 128-d with their decoders, keypoints and a 4-point BlazeFace→dlib template', () => {
    expect(blazeface).toMatchObject({ task: 'face-detector', iou_threshold: 0.3, input: { width: 256, height: 256, layout: 'NHWC' } });
    expect(spec.keypoints).toEqual(['right_eye', 'left_eye', 'nose', 'mouth', 'right_ear', 'left_ear']);
    expect(dlib).toMatchObject({ task: 'face-embedding', decoder: { type: 'embedding', dim: 128 }, input: { width: 150, height: 150 } });
    expect(dlib.alignment?.points).toEqual(['right_eye', 'left_eye', 'nose', 'mouth']);
    expect(arcface).toMatchObject({ decoder: { dim: 512 }, input: { width: 112, height: 112 } });
    expect(checkFacePair(blazeface, dlib)).toBeNull();
    expect(checkFacePair(blazeface, arcface)).toBeNull();
  });

  it('refuse a face pair that cannot align, and manifests whose task and decoder disagree', () => {
    const fivePoint = { ...dlib, alignment: { points: ['right_eye', 'left_eye', 'nose', 'mouth_right', 'mouth_left'], template: [] } };
    expect(checkFacePair(blazeface, fivePoint as ModelManifest)).toMatch(/mouth_right, mouth_left, which the detector does not give/);
    expect(checkFacePair(dlib, dlib)).toMatch(/not a face detector/);
    const raw = JSON.parse(readFileSync(join(BUNDLED_MODELS, 'dlib-resnet-face-128.json'), 'utf8'));
    const bad = (o: object) => {
      const r = parseManifest({ ...raw, ...o });
      return r.ok ? 'ok' : r.error;
    };
    expect(bad({ alignment: undefined })).toMatch(/alignment: a face-embedding model must give its alignment template/);
    expect(bad({ task: 'detector' })).toMatch(/needs a box decoder/);
    expect(bad({ classes: ['face'] })).toMatch(/has no classes/);
    expect(bad({ alignment: { points: ['nose', 'mouth'], template: [[1, 1]] } })).toMatch(/same length/);
    expect(bad({ alignment: { points: ['nose', 'mouth'], template: [[1, 1], [400, 1]] } })).toMatch(/inside the input/);
    expect(bad({ decoder: { type: 'arcface' } })).toMatch(/unknown decoder "arcface"/);
  });

  it('check a loaded model against the manifest: anchors per layer, values per anchor, embedding length', () => {
    const t = (name: string, shape: number[]) => ({ name, type: 'float32', shape });
    const inputs = [t('input:0', [1, 256, 256, 3])];
    const good = [t('Identity:0', [1, 512, 1]), t('Identity_1:0', [1, 384, 1]), t('Identity_2:0', [1, 512, 16]), t('Identity_3:0', [1, 384, 16])];
    expect(checkModelIo(blazeface, inputs, good)).toBeNull();
    expect(checkModelIo(blazeface, inputs, [good[0]!, good[1]!, t('Identity_2:0', [1, 512, 18]), good[3]!])).toMatch(/18 values per anchor, expected 4 \+ 2 × 6 keypoints/);
    expect(checkModelIo(blazeface, inputs, [t('Identity:0', [1, 896, 1]), ...good.slice(1)])).toMatch(/896 anchors, a 16×16 grid with 2 per cell gives 512/);
    expect(checkModelIo(dlib, [t('input', [1, 3, 150, 150])], [t('embedding', [1, 128])])).toBeNull();
    expect(checkModelIo(dlib, [t('input', [1, 3, 150, 150])], [t('embedding', [1, 512])])).toMatch(/512 values, the manifest says dim 128/);
  });
});
