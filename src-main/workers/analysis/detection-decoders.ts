// Pure decoders from raw output tensors to candidate boxes in input pixels: NanoDet (GFL bins), YOLOv8/YOLO11 and SSD-style.
import type { FloatTensor } from '../../repositories/onnx/onnx-runtime.repository';
import type { DecoderSpec, NanodetDecoderSpec, SsdDecoderSpec, Yolov8DecoderSpec } from '../../shared/model-manifest';
import { decodeBlazeface } from './face-decoder';
import type { Candidate } from './nms';

export interface DecodeContext {
  /** Model input size in pixels. */
  width: number;
  height: number;
  classes: number;
  /** Score threshold. */
  conf: number;
  /** 1 = report this class; null reports every class. */
  allowed: Uint8Array | null;
}

export type Outputs = Readonly<Record<string, FloatTensor>>;

function tensor(outputs: Outputs, name: string): FloatTensor {
  const t = outputs[name];
  if (!t) throw new Error(`the model returned no output "${name}"`);
  return t;
}

/**
 * NanoDet: per stride a g×g grid, scores [1, cells, C] already sigmoided, regression [1, cells, 4·bins] as four
 * distributions (l, t, r, b); each distance is the softmax expectation over the bins × stride, from the cell centre.
 * Every class over the threshold in a cell becomes a candidate (multi-label, as NanoDet's own NMS does).
 */
export function decodeNanodet(spec: NanodetDecoderSpec, outputs: Outputs, ctx: DecodeContext): Candidate[] {
  const out: Candidate[] = [];
  const bins = spec.bins;
  const C = ctx.classes;
  const prob = new Float64Array(bins);
  const dist = [0, 0, 0, 0];
  for (const head of spec.heads) {
    const scores = tensor(outputs, head.scores).data;
    const reg = tensor(outputs, head.regression).data;
    const gw = Math.ceil(ctx.width / head.stride);
    const cells = Math.min(scores.length / C, reg.length / (4 * bins)) | 0;
    for (let i = 0; i < cells; i++) {
      const row = i * C;
      let hit = false;
      for (let c = 0; c < C; c++) {
        if ((scores[row + c] as number) >= ctx.conf && (!ctx.allowed || ctx.allowed[c])) {
          hit = true;
          break;
        }
      }
      if (!hit) continue;
      for (let side = 0; side < 4; side++) {
        const base = i * 4 * bins + side * bins;
        let max = -Infinity;
        for (let b = 0; b < bins; b++) max = Math.max(max, reg[base + b] as number);
        let sum = 0;
        for (let b = 0; b < bins; b++) sum += prob[b] = Math.exp((reg[base + b] as number) - max);
        let e = 0;
        for (let b = 0; b < bins; b++) e += ((prob[b] as number) / sum) * b;
        dist[side] = e * head.stride;
      }
      const cx = ((i % gw) + 0.5) * head.stride;
      const cy = (Math.floor(i / gw) + 0.5) * head.stride;
      const x1 = cx - (dist[0] as number);
      const y1 = cy - (dist[1] as number);
      const x2 = cx + (dist[2] as number);
      const y2 = cy + (dist[3] as number);
      for (let c = 0; c < C; c++) {
        const s = scores[row + c] as number;
        if (s >= ctx.conf && (!ctx.allowed || ctx.allowed[c])) out.push({ x1, y1, x2, y2, score: s, cls: c });
      }
    }
  }
  return out;
}

/**
 * YOLOv8 / YOLO11 detect exports: one output [1, 4+C, N] (channel-major, as Ultralytics exports it) or its transpose
 * [1, N, 4+C]; rows are cx, cy, w, h in input pixels then C class scores (no objectness). The best class per anchor counts.
 */
export function decodeYolov8(spec: Yolov8DecoderSpec, outputs: Outputs, ctx: DecodeContext): Candidate[] {
  const t = tensor(outputs, spec.output);
  const C = ctx.classes;
  const K = 4 + C;
  const [, a, b] = t.dims.length === 3 ? t.dims : [1, t.dims[0], t.dims[1]];
  let n: number;
  let chStride: number;
  let anStride: number;
  if (a === K) {
    n = b as number;
    chStride = n;
    anStride = 1;
  } else if (b === K) {
    n = a as number;
    chStride = 1;
    anStride = K;
  } else throw new Error(`output "${spec.output}" has shape [${t.dims.join(',')}]; with ${C} classes one axis must be ${K}`);
  const d = t.data;
  const out: Candidate[] = [];
  for (let i = 0; i < n; i++) {
    const o = i * anStride;
    let best = -1;
    let bestScore = ctx.conf;
    for (let c = 0; c < C; c++) {
      const s = d[o + (4 + c) * chStride] as number;
      if (s >= bestScore && (!ctx.allowed || ctx.allowed[c])) {
        best = c;
        bestScore = s;
      }
    }
    if (best < 0) continue;
    const cx = d[o] as number;
    const cy = d[o + chStride] as number;
    const w = d[o + 2 * chStride] as number;
    const h = d[o + 3 * chStride] as number;
    out.push({ x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2, score: bestScore, cls: best });
  }
  return out;
}

/**
 * SSD-style (also UltraFace): boxes [1, N, 4] as x1, y1, x2, y2 normalised to the input (0–1) and scores [1, N, C] already
 * activated (softmax or sigmoid); with `background`, column 0 is the background class and class i sits in column i+1.
 * The best class per anchor counts.
 */
export function decodeSsd(spec: SsdDecoderSpec, outputs: Outputs, ctx: DecodeContext): Candidate[] {
  const boxes = tensor(outputs, spec.boxes).data;
  const scores = tensor(outputs, spec.scores).data;
  const C = ctx.classes;
  const off = spec.background ? 1 : 0;
  const cols = C + off;
  const n = Math.min(boxes.length / 4, scores.length / cols) | 0;
  const out: Candidate[] = [];
  for (let i = 0; i < n; i++) {
    let best = -1;
    let bestScore = ctx.conf;
    for (let c = 0; c < C; c++) {
      const s = scores[i * cols + off + c] as number;
      if (s >= bestScore && (!ctx.allowed || ctx.allowed[c])) {
        best = c;
        bestScore = s;
      }
    }
    if (best < 0) continue;
    const b = i * 4;
    out.push({ x1: (boxes[b] as number) * ctx.width, y1: (boxes[b + 1] as number) * ctx.height, x2: (boxes[b + 2] as number) * ctx.width, y2: (boxes[b + 3] as number) * ctx.height, score: bestScore, cls: best });
  }
  return out;
}

export function decode(spec: DecoderSpec, outputs: Outputs, ctx: DecodeContext): Candidate[] {
  switch (spec.type) {
    case 'nanodet':
      return decodeNanodet(spec, outputs, ctx);
    case 'yolov8':
      return decodeYolov8(spec, outputs, ctx);
    case 'ssd':
      return decodeSsd(spec, outputs, ctx);
    case 'blazeface':
      return !ctx.allowed || ctx.allowed[0] ? decodeBlazeface(spec, outputs, ctx.width, ctx.conf) : [];
    case 'embedding':
      throw new Error('an embedding model gives no boxes');
  }
}
