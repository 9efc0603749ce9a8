// Pure parts of the inference path (real: nothing external; synthetic tensors in the documented layouts): pre-processing, the three decoders, NMS, manifest checks.
import { describe, expect, it } from 'vitest';
import { decode, decodeNanodet, decodeSsd, decodeYolov8, type DecodeContext } from '../../src-main/workers/analysis/detection-decoders';
import { candidateIou, nms, type Candidate } from '../../src-main/workers/analysis/nms';
import { placeFrame, TensorWriter, toFrameBox } from '../../src-main/workers/analysis/preprocess';
import { analysisScaleFilter, checkModelIo, inputSpecSchema, parseManifest, type InputSpec, type NanodetDecoderSpec } from '../../src-main/shared/model-manifest';

const input = (o: Partial<InputSpec> = {}): InputSpec =>
  inputSpecSchema.parse({ name: 'x', width: 8, height: 8, layout: 'NCHW', colour_order: 'RGB', normalise: { scale: 1, offset: 0 }, resize: 'letterbox', ...o });

const ctx = (o: Partial<DecodeContext> = {}): DecodeContext => ({ width: 16, height: 16, classes: 3, conf: 0.5, allowed: null, ...o });
const cand = (x1: number, y1: number, x2: number, y2: number, score: number, cls = 0): Candidate => ({ x1, y1, x2, y2, score, cls });

describe('placeFrame', () => {
  it('centres a letterboxed frame, or puts it top-left when the manifest says so', () => {
    expect(placeFrame(input(), 8, 6)).toEqual({ ok: true, placement: { dx: 0, dy: 1, w: 8, h: 6 } });
    expect(placeFrame(input(), 5, 8)).toEqual({ ok: true, placement: { dx: 1, dy: 0, w: 5, h: 8 } });
    expect(placeFrame(input({ pad_align: 'top-left' }), 8, 6)).toEqual({ ok: true, placement: { dx: 0, dy: 0, w: 8, h: 6 } });
  });

  it('refuses frames it would have to resize', () => {
    const big = placeFrame(input(), 9, 6);
    expect(big.ok).toBe(false);
    expect(!big.ok && big.error).toContain('ffmpeg must scale it');
    expect(placeFrame(input({ resize: 'stretch' }), 8, 8).ok).toBe(true);
    const stretched = placeFrame(input({ resize: 'stretch' }), 8, 6);
    expect(!stretched.ok && stretched.error).toContain('exactly 8×8');
  });
});

describe('TensorWriter', () => {
  /** A w×h rgb24 frame whose pixel i is (i, 100+i, 200+i) (mod 256). */
  const frame = (w: number, h: number): Uint8Array => {
    const f = new Uint8Array(w * h * 3);
    for (let i = 0; i < w * h; i++) f.set([i % 256, (100 + i) % 256, (200 + i) % 256], i * 3);
    return f;
  };

  it('writes NCHW BGR with mean/std and pads around a letterboxed frame', () => {
    const spec = input({ width: 4, height: 4, colour_order: 'BGR', normalise: { mean: [10, 20, 30], std: [2, 4, 5] }, pad_value: 0 });
    const w = new TensorWriter(spec);
    const p = placeFrame(spec, 4, 2);
    if (!p.ok) throw new Error(p.error);
    expect(p.placement).toEqual({ dx: 0, dy: 1, w: 4, h: 2 });
    const t = w.write(frame(4, 2), p.placement);
    expect(w.dims).toEqual([1, 3, 4, 4]);
    const at = (c: number, y: number, x: number) => t[c * 16 + y * 4 + x];
    // Row 0 and row 3 are padding: (0 − mean) / std per tensor channel.
    expect(at(0, 0, 0)).toBeCloseTo(-5);
    expect(at(1, 3, 2)).toBeCloseTo(-5);
    expect(at(2, 0, 3)).toBeCloseTo(-6);
    // Frame pixel (x=1, y=0) is source index 1: R=1, G=101, B=201; channel 0 is B.
    expect(at(0, 1, 1)).toBeCloseTo((201 - 10) / 2);
    expect(at(1, 1, 1)).toBeCloseTo((101 - 20) / 4);
    expect(at(2, 1, 1)).toBeCloseTo((1 - 30) / 5);
  });

  it('writes NHWC RGB with scale/offset, and re-pads when the frame size changes', () => {
    const spec = input({ width: 4, height: 4, layout: 'NHWC', normalise: { scale: 1 / 255, offset: 0 }, pad_value: 114, pad_align: 'top-left' });
    const w = new TensorWriter(spec);
    expect(w.dims).toEqual([1, 4, 4, 3]);
    let t = w.write(frame(4, 4), { dx: 0, dy: 0, w: 4, h: 4 });
    expect(t[(3 * 4 + 3) * 3]).toBeCloseTo(15 / 255);
    t = w.write(frame(2, 2), { dx: 0, dy: 0, w: 2, h: 2 });
    expect(t[(1 * 4 + 1) * 3 + 1]).toBeCloseTo(103 / 255);
    expect(t[(3 * 4 + 3) * 3]).toBeCloseTo(114 / 255);
    expect(t[(0 * 4 + 2) * 3 + 2]).toBeCloseTo(114 / 255);
  });
});

describe('toFrameBox', () => {
  it('maps input pixels back to the frame, normalised and clipped', () => {
    const p = { dx: 0, dy: 52, w: 416, h: 312 };
    const b = toFrameBox(104, 52 + 78, 208, 52 + 234, p);
    expect(b[0]).toBeCloseTo(0.25);
    expect(b[1]).toBeCloseTo(0.25);
    expect(b[2]).toBeCloseTo(0.25);
    expect(b[3]).toBeCloseTo(0.5);
    expect(toFrameBox(-10, 0, 500, 400, p)).toEqual([0, 0, 1, 1]);
  });
});

describe('nms', () => {
  it('computes IoU', () => {
    expect(candidateIou(cand(0, 0, 10, 10, 1), cand(0, 0, 10, 10, 1))).toBe(1);
    expect(candidateIou(cand(0, 0, 10, 10, 1), cand(5, 0, 15, 10, 1))).toBeCloseTo(50 / 150);
    expect(candidateIou(cand(0, 0, 10, 10, 1), cand(10, 0, 20, 10, 1))).toBe(0);
  });

  it('suppresses overlaps within a class only, best score first', () => {
    const out = nms([cand(1, 0, 11, 10, 0.6), cand(0, 0, 10, 10, 0.9), cand(0, 0, 10, 10, 0.7, 1), cand(30, 30, 40, 40, 0.5)], { iou: 0.5, maxOut: 10 });
    expect(out.map((c) => [c.score, c.cls])).toEqual([
      [0.9, 0],
      [0.7, 1],
      [0.5, 0],
    ]);
  });

  it('keeps a lower-overlap box, caps the output and ignores degenerate boxes', () => {
    expect(nms([cand(0, 0, 10, 10, 0.9), cand(5, 0, 15, 10, 0.8)], { iou: 0.5, maxOut: 10 })).toHaveLength(2);
    expect(nms([cand(0, 0, 10, 10, 0.9), cand(5, 0, 15, 10, 0.8)], { iou: 0.3, maxOut: 10 })).toHaveLength(1);
    const many = Array.from({ length: 50 }, (_, i) => cand(i * 20, 0, i * 20 + 10, 10, i / 100));
    expect(nms(many, { iou: 0.5, maxOut: 5 }).map((c) => c.score)).toEqual([0.49, 0.48, 0.47, 0.46, 0.45]);
    expect(nms(many, { iou: 0.5, maxOut: 100, preTopK: 3 })).toHaveLength(3);
    expect(nms([cand(5, 5, 5, 9, 0.9), cand(0, 0, 1, 1, Number.NaN)], { iou: 0.5, maxOut: 10 })).toEqual([]);
  });
});

describe('NanoDet decoder', () => {
  const bins = 11;
  const spec: NanodetDecoderSpec = { type: 'nanodet', bins, heads: [{ stride: 8, scores: 's8', regression: 'r8' }, { stride: 16, scores: 's16', regression: 'r16' }] };

  /** A head on a 16×16 input: scores [1, cells, 3] and regression [1, cells, 44] with a sharp peak at `peak[side]` for `cell`. */
  function head(cells: number, cell: number, cls: number, score: number, peak: [number, number, number, number]) {
    const s = new Float32Array(cells * 3);
    s[cell * 3 + cls] = score;
    const r = new Float32Array(cells * 4 * bins);
    for (let side = 0; side < 4; side++) r[cell * 4 * bins + side * bins + peak[side]!] = 40;
    return { s: { data: s, dims: [1, cells, 3] }, r: { data: r, dims: [1, cells, 4 * bins] } };
  }

  it('takes the softmax expectation of each side times the stride, from the cell centre', () => {
    // stride 8 on 16×16 is a 2×2 grid; cell 3 is (x=1, y=1), centre (12, 12).
    const h8 = head(4, 3, 2, 0.9, [1, 1, 2, 3]);
    const h16 = head(1, 0, 0, 0.1, [0, 0, 0, 0]);
    const out = decodeNanodet(spec, { s8: h8.s, r8: h8.r, s16: h16.s, r16: h16.r }, ctx());
    expect(out).toHaveLength(1);
    const c = out[0]!;
    expect(c.cls).toBe(2);
    expect(c.score).toBeCloseTo(0.9);
    expect(c.x1).toBeCloseTo(12 - 8);
    expect(c.y1).toBeCloseTo(12 - 8);
    expect(c.x2).toBeCloseTo(12 + 16);
    expect(c.y2).toBeCloseTo(12 + 24);
  });

  it('uses the whole distribution (flat logits give the middle bin) and honours the class filter and the threshold', () => {
    const h8 = head(4, 0, 1, 0.8, [0, 0, 0, 0]);
    h8.r.data.fill(0);
    const h16 = head(1, 0, 0, 0.7, [2, 2, 2, 2]);
    const outputs = { s8: h8.s, r8: h8.r, s16: h16.s, r16: h16.r };
    const all = decode(spec, outputs, ctx());
    expect(all).toHaveLength(2);
    const flat = all.find((c) => c.cls === 1)!;
    expect(flat.x1).toBeCloseTo(4 - 5 * 8);
    expect(flat.x2).toBeCloseTo(4 + 5 * 8);
    const coarse = all.find((c) => c.cls === 0)!;
    expect([coarse.x1, coarse.y1, coarse.x2, coarse.y2].map((v) => Math.round(v))).toEqual([8 - 32, 8 - 32, 8 + 32, 8 + 32]);
    expect(decode(spec, outputs, ctx({ allowed: new Uint8Array([1, 0, 0]) })).map((c) => c.cls)).toEqual([0]);
    expect(decode(spec, outputs, ctx({ conf: 0.75 })).map((c) => c.cls)).toEqual([1]);
  });

  it('names a missing output', () => {
    expect(() => decode(spec, {}, ctx())).toThrow(/no output "s8"/);
  });
});

describe('YOLOv8 / YOLO11 decoder', () => {
  // Three anchors, three classes; rows: cx, cy, w, h, then class scores.
  const anchors = [
    [100, 50, 20, 40, 0.1, 0.9, 0.2],
    [10, 10, 4, 4, 0.3, 0.2, 0.1],
    [200, 120, 40, 20, 0.6, 0.1, 0.7],
  ];
  const channelMajor = () => {
    const K = 7;
    const n = anchors.length;
    const d = new Float32Array(K * n);
    anchors.forEach((a, i) => a.forEach((v, ch) => (d[ch * n + i] = v)));
    return { data: d, dims: [1, K, n] };
  };
  const rowMajor = () => ({ data: new Float32Array(anchors.flat()), dims: [1, anchors.length, 7] });

  it('decodes [1, 4+C, N] (cx, cy, w, h in input pixels, best class, no objectness)', () => {
    const out = decodeYolov8({ type: 'yolov8', output: 'output0' }, { output0: channelMajor() }, ctx({ width: 640, height: 640 }));
    expect(out).toEqual([
      { x1: 90, y1: 30, x2: 110, y2: 70, score: expect.closeTo(0.9, 5), cls: 1 },
      { x1: 180, y1: 110, x2: 220, y2: 130, score: expect.closeTo(0.7, 5), cls: 2 },
    ]);
  });

  it('reads the transposed [1, N, 4+C] export the same way, and filters classes', () => {
    const spec = { type: 'yolov8' as const, output: 'o' };
    expect(decodeYolov8(spec, { o: rowMajor() }, ctx())).toEqual(decodeYolov8(spec, { o: channelMajor() }, ctx()));
    const onlyFirst = decodeYolov8(spec, { o: channelMajor() }, ctx({ allowed: new Uint8Array([1, 0, 0]) }));
    expect(onlyFirst.map((c) => [c.cls, c.score])).toEqual([[0, expect.closeTo(0.6, 5)]]);
  });

  it('rejects a tensor whose shape does not fit the class count', () => {
    expect(() => decodeYolov8({ type: 'yolov8', output: 'o' }, { o: rowMajor() }, ctx({ classes: 80 }))).toThrow(/one axis must be 84/);
  });
});

describe('SSD-style decoder', () => {
  // boxes [1, N, 4]: x1, y1, x2, y2 normalised to the input; scores [1, N, 1 + C] with background in column 0.
  const boxes = { data: new Float32Array([0.1, 0.2, 0.3, 0.6, 0.5, 0.5, 0.9, 0.9, 0, 0, 1, 1]), dims: [1, 3, 4] };
  const scores = { data: new Float32Array([0.05, 0.9, 0.05, 0.8, 0.1, 0.1, 0.2, 0.3, 0.5]), dims: [1, 3, 3] };

  it('scales normalised corners to input pixels and skips the background column', () => {
    const out = decodeSsd({ type: 'ssd', boxes: 'boxes', scores: 'scores', background: true }, { boxes, scores }, ctx({ width: 320, height: 240, classes: 2, conf: 0.45 }));
    expect(out).toHaveLength(2);
    expect(out[0]).toMatchObject({ cls: 0, score: expect.closeTo(0.9, 5) });
    expect([out[0]!.x1, out[0]!.y1, out[0]!.x2, out[0]!.y2].map((v) => Math.round(v))).toEqual([32, 48, 96, 144]);
    expect(out[1]).toMatchObject({ cls: 1, score: expect.closeTo(0.5, 5), x1: 0, y1: 0, x2: 320, y2: 240 });
  });

  it('without background every column is a class', () => {
    const out = decodeSsd({ type: 'ssd', boxes: 'boxes', scores: 'scores', background: false }, { boxes, scores }, ctx({ width: 100, height: 100, classes: 3, conf: 0.45 }));
    expect(out.map((c) => c.cls)).toEqual([1, 0, 2]);
  });
});

describe('manifest', () => {
  const base = {
    task: 'detector',
    file: 'm.onnx',
    licence: 'MIT',
    source: 'test',
    input: { name: 'images', width: 640, height: 640, layout: 'NCHW', colour_order: 'RGB', normalise: { scale: 0.00392156862745098 }, resize: 'letterbox', pad_value: 114 },
    decoder: { type: 'yolov8', output: 'output0' },
    classes: 'coco80',
  };

  it('accepts a YOLOv8 export manifest and fills the defaults', () => {
    const r = parseManifest(base);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.manifest).toMatchObject({ score_threshold: 0.4, iou_threshold: 0.5, max_batch: 1, input: { pad_align: 'center' } });
    expect(analysisScaleFilter(r.manifest.input)).toBe('scale=640:640:force_original_aspect_ratio=decrease');
  });

  it('names an unknown decoder and the fields that are wrong', () => {
    expect(parseManifest({ ...base, decoder: { type: 'retinanet' } })).toEqual({ ok: false, error: 'unknown decoder "retinanet" (this version knows nanodet, yolov8, ssd, blazeface, embedding)' });
    expect(parseManifest({ ...base, decoder: 'detr' })).toMatchObject({ ok: false, error: expect.stringContaining('unknown decoder "detr"') });
    const bad = parseManifest({ ...base, input: { ...base.input, layout: 'CHW', width: 'big' } });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toMatch(/^invalid manifest: input\.width: .*; input\.layout: /);
  });

  it('checks a model\'s tensors against the manifest', () => {
    const r = parseManifest(base);
    if (!r.ok) throw new Error(r.error);
    const m = r.manifest;
    const out = [{ name: 'output0', type: 'float32', shape: [1, 84, 8400] }];
    expect(checkModelIo(m, [{ name: 'images', type: 'float32', shape: [1, 3, 640, 640] }], out)).toBeNull();
    expect(checkModelIo(m, [{ name: 'images', type: 'float32', shape: ['batch', 3, 'h', 'w'] }], out)).toBeNull();
    expect(checkModelIo(m, [{ name: 'images', type: 'float32', shape: [1, 3, 416, 416] }], out)).toBe('input "images" has shape [1,3,416,416], the manifest says NCHW [1,3,640,640]');
    expect(checkModelIo(m, [{ name: 'input_1', type: 'float32', shape: [1, 3, 640, 640] }], out)).toContain('no input named "images"');
    expect(checkModelIo(m, [{ name: 'images', type: 'float32', shape: [1, 3, 640, 640] }], [{ name: 'output0', type: 'float32', shape: [1, 85, 8400] }])).toContain('one axis must be 84');
    expect(checkModelIo(m, [{ name: 'images', type: 'float32', shape: [1, 3, 640, 640] }], [{ name: 'boxes', type: 'float32', shape: [1, 4] }])).toContain('no output named "output0"');
  });
});
