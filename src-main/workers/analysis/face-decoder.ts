// Pure BlazeFace decoding: SSD anchors per layer, score logits, boxes and keypoints in input pixels, then greedy NMS.
import type { BlazefaceDecoderSpec } from '../../shared/model-manifest';
import type { Outputs } from './detection-decoders';
import { candidateIou, type Candidate } from './nms';

/** A decoded face in detector-input pixels; `kps` holds K (x, y) pairs in the manifest's keypoint order. */
export interface FaceCandidate extends Candidate {
  kps: Float32Array;
}

/** Anchor centres (x, y), normalised to the input, in the order the model numbers them: layer, row, column, anchor. */
export function blazefaceAnchors(spec: Pick<BlazefaceDecoderSpec, 'heads'>): Float32Array[] {
  return spec.heads.map((h) => {
    const a = new Float32Array(h.grid * h.grid * h.anchors * 2);
    let i = 0;
    for (let cy = 0; cy < h.grid; cy++) {
      for (let cx = 0; cx < h.grid; cx++) {
        for (let k = 0; k < h.anchors; k++) {
          a[i++] = (cx + 0.5) / h.grid;
          a[i++] = (cy + 0.5) / h.grid;
        }
      }
    }
    return a;
  });
}

const logit = (p: number): number => Math.log(p / (1 - p));

function tensor(outputs: Outputs, name: string): Float32Array {
  const t = outputs[name];
  if (!t) throw new Error(`the model returned no output "${name}"`);
  return t.data;
}

/**
 * Every anchor whose score reaches `conf`, decoded into input pixels of a `size`×`size` input. `anchors` comes from
 * blazefaceAnchors(spec) (computed once per model).
 */
export function decodeBlazeface(spec: BlazefaceDecoderSpec, outputs: Outputs, size: number, conf: number, anchors: readonly Float32Array[] = blazefaceAnchors(spec)): FaceCandidate[] {
  const K = spec.keypoints.length;
  const row = 4 + 2 * K;
  const minLogit = logit(Math.min(Math.max(conf, 1e-6), 1 - 1e-6));
  const out: FaceCandidate[] = [];
  spec.heads.forEach((h, l) => {
    const scores = tensor(outputs, h.scores);
    const reg = tensor(outputs, h.regression);
    const anc = anchors[l] as Float32Array;
    const n = Math.min(scores.length, reg.length / row, anc.length / 2) | 0;
    for (let i = 0; i < n; i++) {
      const s = scores[i] as number;
      if (!(s >= minLogit)) continue;
      const ax = (anc[2 * i] as number) * size;
      const ay = (anc[2 * i + 1] as number) * size;
      const r = i * row;
      const cx = ax + (reg[r] as number);
      const cy = ay + (reg[r + 1] as number);
      const w = reg[r + 2] as number;
      const hh = reg[r + 3] as number;
      const kps = new Float32Array(2 * K);
      for (let k = 0; k < 2 * K; k += 2) {
        kps[k] = ax + (reg[r + 4 + k] as number);
        kps[k + 1] = ay + (reg[r + 5 + k] as number);
      }
      out.push({ x1: cx - w / 2, y1: cy - hh / 2, x2: cx + w / 2, y2: cy + hh / 2, score: 1 / (1 + Math.exp(-Math.max(-100, Math.min(100, s)))), cls: 0, kps });
    }
  });
  return out;
}

/** Greedy NMS keeping each candidate's own object (and so its keypoints): best score first, overlaps above `iou` dropped. */
export function faceNms<C extends Candidate>(candidates: readonly C[], iou: number, maxOut: number): C[] {
  const sorted = candidates.filter((c) => c.x2 > c.x1 && c.y2 > c.y1 && Number.isFinite(c.score)).sort((a, b) => b.score - a.score);
  const kept: C[] = [];
  for (const c of sorted) {
    if (kept.some((k) => candidateIou(k, c) > iou)) continue;
    kept.push(c);
    if (kept.length >= maxOut) break;
  }
  return kept;
}

/**
 * Drops a face that lies mostly (≥ `share` of its area) inside a larger kept one: a tile that cuts through a big face
 * sees an eye or a cheek as a face of its own, which IoU alone does not suppress.
 */
export function dropContained<C extends Candidate>(faces: readonly C[], share = 0.5): C[] {
  const area = (c: Candidate) => (c.x2 - c.x1) * (c.y2 - c.y1);
  const bySize = [...faces].sort((a, b) => area(b) - area(a));
  const kept: C[] = [];
  for (const c of bySize) {
    const inside = kept.some((k) => {
      const iw = Math.min(k.x2, c.x2) - Math.max(k.x1, c.x1);
      const ih = Math.min(k.y2, c.y2) - Math.max(k.y1, c.y1);
      return iw > 0 && ih > 0 && iw * ih >= share * area(c);
    });
    if (!inside) kept.push(c);
  }
  return kept;
}
