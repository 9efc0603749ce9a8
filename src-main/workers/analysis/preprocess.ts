// Pure pre-processing: pads an ffmpeg-sized rgb24 frame into the model's input tensor (layout, colour order, normalisation); never resizes.
import type { Box } from '../../ports/analysis-engine.port';
import type { InputSpec } from '../../shared/model-manifest';

/** Where the frame sits inside the input tensor, in input pixels. */
export interface Placement {
  dx: number;
  dy: number;
  /** Frame size. */
  w: number;
  h: number;
}

export type PlaceResult = { ok: true; placement: Placement } | { ok: false; error: string };

export function placeFrame(input: InputSpec, w: number, h: number): PlaceResult {
  const W = input.width;
  const H = input.height;
  if (input.resize === 'stretch') {
    if (w !== W || h !== H) return { ok: false, error: `the model takes frames scaled to exactly ${W}×${H}; got ${w}×${h}` };
    return { ok: true, placement: { dx: 0, dy: 0, w, h } };
  }
  if (w > W || h > H) return { ok: false, error: `a ${w}×${h} frame does not fit the model's ${W}×${H} input; ffmpeg must scale it to fit` };
  if (input.pad_align === 'top-left') return { ok: true, placement: { dx: 0, dy: 0, w, h } };
  return { ok: true, placement: { dx: (W - w) >> 1, dy: (H - h) >> 1, w, h } };
}

/** Per tensor channel: the source byte (0 R, 1 G, 2 B) and a 256-entry table of normalised values. */
function channelTables(input: InputSpec): { src: [number, number, number]; lut: [Float32Array, Float32Array, Float32Array] } {
  const src: [number, number, number] = input.colour_order === 'RGB' ? [0, 1, 2] : [2, 1, 0];
  const n = input.normalise;
  const pick = (v: number | readonly number[], c: number): number => (typeof v === 'number' ? v : (v[c] as number));
  const lut = [0, 1, 2].map((c) => {
    const t = new Float32Array(256);
    for (let v = 0; v < 256; v++) t[v] = 'mean' in n ? (v - (n.mean[c] as number)) / (n.std[c] as number) : v * pick(n.scale, c) + pick(n.offset, c);
    return t;
  }) as [Float32Array, Float32Array, Float32Array];
  return { src, lut };
}

/** Owns one input tensor per model and rewrites only the frame's area when the placement repeats (padding stays). */
export class TensorWriter {
  readonly tensor: Float32Array;
  readonly dims: [number, number, number, number];
  private readonly src: [number, number, number];
  private readonly lut: [Float32Array, Float32Array, Float32Array];
  private last = '';

  constructor(private readonly input: InputSpec) {
    const { width: W, height: H } = input;
    this.tensor = new Float32Array(W * H * 3);
    this.dims = input.layout === 'NCHW' ? [1, 3, H, W] : [1, H, W, 3];
    const t = channelTables(input);
    this.src = t.src;
    this.lut = t.lut;
  }

  /** `rgb` must hold p.w × p.h × 3 bytes. */
  write(rgb: Uint8Array, p: Placement): Float32Array {
    const key = `${p.dx},${p.dy},${p.w},${p.h}`;
    if (key !== this.last) {
      this.pad();
      this.last = key;
    }
    const W = this.input.width;
    const plane = W * this.input.height;
    const [s0, s1, s2] = this.src;
    const [l0, l1, l2] = this.lut;
    const t = this.tensor;
    if (this.input.layout === 'NCHW') {
      for (let y = 0; y < p.h; y++) {
        let o = (p.dy + y) * W + p.dx;
        let s = y * p.w * 3;
        for (let x = 0; x < p.w; x++, o++, s += 3) {
          t[o] = l0[rgb[s + s0] as number] as number;
          t[o + plane] = l1[rgb[s + s1] as number] as number;
          t[o + 2 * plane] = l2[rgb[s + s2] as number] as number;
        }
      }
    } else {
      for (let y = 0; y < p.h; y++) {
        let o = ((p.dy + y) * W + p.dx) * 3;
        let s = y * p.w * 3;
        for (let x = 0; x < p.w; x++, o += 3, s += 3) {
          t[o] = l0[rgb[s + s0] as number] as number;
          t[o + 1] = l1[rgb[s + s1] as number] as number;
          t[o + 2] = l2[rgb[s + s2] as number] as number;
        }
      }
    }
    return t;
  }

  private pad(): void {
    const v = this.input.pad_value;
    const [l0, l1, l2] = this.lut;
    const vals = [l0[v] as number, l1[v] as number, l2[v] as number];
    const plane = this.input.width * this.input.height;
    if (this.input.layout === 'NCHW') {
      for (let c = 0; c < 3; c++) this.tensor.fill(vals[c] as number, c * plane, (c + 1) * plane);
    } else {
      for (let i = 0; i < plane * 3; i += 3) {
        this.tensor[i] = vals[0] as number;
        this.tensor[i + 1] = vals[1] as number;
        this.tensor[i + 2] = vals[2] as number;
      }
    }
  }
}

/** A box in input pixels (x1, y1, x2, y2) as a normalised [x, y, w, h] of the frame, clipped to it. */
export function toFrameBox(x1: number, y1: number, x2: number, y2: number, p: Placement): Box {
  const cx = (v: number) => Math.min(1, Math.max(0, (v - p.dx) / p.w));
  const cy = (v: number) => Math.min(1, Math.max(0, (v - p.dy) / p.h));
  const a = cx(x1);
  const b = cy(y1);
  return [a, b, cx(x2) - a, cy(y2) - b];
}
