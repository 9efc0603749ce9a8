// The model manifest (JSON beside each .onnx): one zod schema for what a model needs, how to feed it and how to decode it.
import { z } from 'zod';
import { COCO_CLASSES } from './coco-classes';

export const MODEL_TASKS = ['detector', 'face-detector', 'face-embedding', 'appearance'] as const;
export type ModelTask = (typeof MODEL_TASKS)[number];

/** Decoders this version implements; a manifest naming another one is reported, never guessed at. */
export const DECODER_TYPES = ['nanodet', 'yolov8', 'ssd'] as const;
export type DecoderType = (typeof DECODER_TYPES)[number];

const name = z.string().min(1).max(200);
const triple = z.tuple([z.number(), z.number(), z.number()]);
const perChannel = z.union([z.number(), triple]);

const normaliseSchema = z.union([
  z.object({ mean: triple, std: triple.refine((s) => s.every((v) => v !== 0), 'std must not contain 0') }).strict().describe('value = (x − mean) / std, per channel in tensor channel order.'),
  z.object({ scale: perChannel, offset: perChannel.default(0) }).strict().describe('value = x · scale + offset, per channel in tensor channel order.'),
]);

export const inputSpecSchema = z
  .object({
    name,
    width: z.number().int().min(1).max(4096),
    height: z.number().int().min(1).max(4096),
    layout: z.enum(['NCHW', 'NHWC']),
    colour_order: z.enum(['RGB', 'BGR']),
    normalise: normaliseSchema,
    resize: z.enum(['letterbox', 'stretch']).describe('letterbox: ffmpeg keeps the aspect ratio and the frame is padded; stretch: ffmpeg scales to exactly width×height.'),
    pad_value: z.number().int().min(0).max(255).default(0).describe('Pixel value (0–255, before normalisation) of the letterbox padding.'),
    pad_align: z.enum(['center', 'top-left']).default('center'),
  })
  .strict();

const nanodetSchema = z
  .object({
    type: z.literal('nanodet'),
    /** Distribution bins per box side (reg_max + 1). */
    bins: z.number().int().min(1).max(64).default(11),
    heads: z.array(z.object({ stride: z.number().int().min(1).max(256), scores: name, regression: name }).strict()).min(1).max(8),
  })
  .strict()
  .describe('Per stride: scores [1, g·g, C] (already sigmoided) and regression [1, g·g, 4·bins] (softmax expectation × stride, sides l,t,r,b).');

const yolov8Schema = z
  .object({ type: z.literal('yolov8'), output: name })
  .strict()
  .describe('One output [1, 4+C, N] (or [1, N, 4+C]): cx, cy, w, h in input pixels, then C class scores; no objectness. Covers YOLO11 exports.');

const ssdSchema = z
  .object({
    type: z.literal('ssd'),
    boxes: name,
    scores: name,
    background: z.boolean().default(false).describe('Score column 0 is a background class (class i is column i+1).'),
  })
  .strict()
  .describe('boxes [1, N, 4] as x1, y1, x2, y2 normalised to the input (0–1); scores [1, N, C] (or C+1 with background) already activated.');

export const decoderSchema = z.discriminatedUnion('type', [nanodetSchema, yolov8Schema, ssdSchema]);
export type DecoderSpec = z.output<typeof decoderSchema>;
export type NanodetDecoderSpec = z.output<typeof nanodetSchema>;
export type Yolov8DecoderSpec = z.output<typeof yolov8Schema>;
export type SsdDecoderSpec = z.output<typeof ssdSchema>;

export const modelManifestSchema = z
  .object({
    /** Defaults to the manifest's file name without `.json`. */
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/).optional(),
    title: z.string().max(200).optional(),
    task: z.enum(MODEL_TASKS),
    /** The .onnx file, relative to the manifest's folder. */
    file: z.string().min(1).max(300),
    /** The file's sha256 in hex; a prefix of at least 12 digits is accepted. */
    sha256: z.string().regex(/^[0-9a-f]{12,64}$/i).optional(),
    licence: z.string().min(1).max(300),
    source: z.string().min(1).max(1000),
    input: inputSpecSchema,
    decoder: decoderSchema,
    classes: z.union([z.literal('coco80'), z.array(z.string().min(1).max(100)).min(1).max(10_000)]),
    score_threshold: z.number().gt(0).lt(1).default(0.4),
    iou_threshold: z.number().gt(0).max(1).default(0.5),
    max_batch: z.number().int().min(1).max(64).default(1),
    max_detections: z.number().int().min(1).max(1000).default(100),
  })
  .strict();

export type ModelManifest = z.output<typeof modelManifestSchema>;
export type InputSpec = ModelManifest['input'];

export type ManifestParse = { ok: true; manifest: ModelManifest } | { ok: false; error: string };

/** Validate parsed JSON; the error names the first few offending fields in plain words. */
export function parseManifest(json: unknown): ManifestParse {
  const decoder = (json as { decoder?: unknown } | null)?.decoder;
  const type = typeof decoder === 'string' ? decoder : (decoder as { type?: unknown } | null | undefined)?.type;
  if (decoder !== undefined && !DECODER_TYPES.includes(type as DecoderType)) {
    return { ok: false, error: `unknown decoder ${JSON.stringify(type ?? null)} (this version knows ${DECODER_TYPES.join(', ')})` };
  }
  const r = modelManifestSchema.safeParse(json);
  if (r.success) return { ok: true, manifest: r.data };
  const issues = r.error.issues.slice(0, 4).map((i) => `${i.path.length ? i.path.join('.') : 'manifest'}: ${i.message}`);
  return { ok: false, error: `invalid manifest: ${issues.join('; ')}` };
}

export function classNames(m: Pick<ModelManifest, 'classes'>): readonly string[] {
  return m.classes === 'coco80' ? COCO_CLASSES : m.classes;
}

/** Output tensors the decoder reads. */
export function decoderOutputs(d: DecoderSpec): string[] {
  switch (d.type) {
    case 'nanodet':
      return d.heads.flatMap((h) => [h.scores, h.regression]);
    case 'yolov8':
      return [d.output];
    case 'ssd':
      return [d.boxes, d.scores];
  }
}

/** A tensor as a session reports it: symbolic dimensions are strings. */
export interface TensorInfo {
  name: string;
  type: string | null;
  shape: readonly (number | string)[];
}

const dimsText = (s: readonly (number | string)[]): string => `[${s.join(',')}]`;
const fixed = (d: number | string | undefined): d is number => typeof d === 'number' && d > 0;

/** Checks a loaded model's inputs and outputs against its manifest; null when they agree. */
export function checkModelIo(m: ModelManifest, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[]): string | null {
  const input = inputs.find((i) => i.name === m.input.name);
  if (!input) return `the model has no input named "${m.input.name}" (inputs: ${inputs.map((i) => i.name).join(', ') || 'none'})`;
  if (input.type !== null && input.type !== 'float32') return `input "${input.name}" is ${input.type}; only float32 inputs are supported`;
  const { width, height, layout } = m.input;
  const want = layout === 'NCHW' ? [1, 3, height, width] : [1, height, width, 3];
  const got = input.shape;
  const expected = `${layout} ${dimsText(want)}`;
  if (got.length !== 4) return `input "${input.name}" has shape ${dimsText(got)}, the manifest says ${expected}`;
  for (let i = 1; i < 4; i++) {
    const d = got[i];
    if (fixed(d) && d !== want[i]) return `input "${input.name}" has shape ${dimsText(got)}, the manifest says ${expected}`;
  }
  if (fixed(got[0]) && got[0] !== 1) return `the model's batch dimension is fixed at ${got[0]}; frames are fed one per run`;
  if (fixed(got[0]) && m.max_batch > 1) return `max_batch is ${m.max_batch} but the model's batch dimension is fixed at 1`;
  for (const out of decoderOutputs(m.decoder)) {
    if (!outputs.some((o) => o.name === out)) return `the model has no output named "${out}" (outputs: ${outputs.map((o) => o.name).join(', ')})`;
  }
  const classes = classNames(m).length;
  const shapeOf = (n: string) => outputs.find((o) => o.name === n)?.shape ?? [];
  const d = m.decoder;
  if (d.type === 'nanodet') {
    for (const h of d.heads) {
      const s = shapeOf(h.scores);
      const r = shapeOf(h.regression);
      if (fixed(s.at(-1)) && s.at(-1) !== classes) return `output "${h.scores}" has ${String(s.at(-1))} classes, the manifest lists ${classes}`;
      if (fixed(r.at(-1)) && r.at(-1) !== 4 * d.bins) return `output "${h.regression}" has ${String(r.at(-1))} values per cell, expected 4 × ${d.bins} bins`;
      const cells = Math.ceil(height / h.stride) * Math.ceil(width / h.stride);
      if (fixed(s.at(-2)) && s.at(-2) !== cells) return `output "${h.scores}" has ${String(s.at(-2))} cells, stride ${h.stride} on ${width}×${height} gives ${cells}`;
    }
  } else if (d.type === 'yolov8') {
    const s = shapeOf(d.output);
    if (s.length === 3 && fixed(s[1]) && fixed(s[2]) && s[1] !== 4 + classes && s[2] !== 4 + classes) {
      return `output "${d.output}" has shape ${dimsText(s)}; with ${classes} classes one axis must be ${4 + classes}`;
    }
  } else {
    const s = shapeOf(d.scores);
    const cols = classes + (d.background ? 1 : 0);
    if (fixed(s.at(-1)) && s.at(-1) !== cols) return `output "${d.scores}" has ${String(s.at(-1))} score columns, expected ${cols}`;
    const b = shapeOf(d.boxes);
    if (fixed(b.at(-1)) && b.at(-1) !== 4) return `output "${d.boxes}" must end in 4 (x1, y1, x2, y2), got ${dimsText(b)}`;
  }
  return null;
}

/** The ffmpeg filter that sizes analysis frames for a model's input, so no JavaScript ever resizes a frame. */
export function analysisScaleFilter(input: Pick<InputSpec, 'width' | 'height' | 'resize'>): string {
  return input.resize === 'letterbox' ? `scale=${input.width}:${input.height}:force_original_aspect_ratio=decrease` : `scale=${input.width}:${input.height}`;
}

/** One model as the registry found it. */
export interface ModelEntry {
  name: string;
  origin: 'bundled' | 'user';
  manifest_path: string;
  /** Absolute path of the .onnx file, when the manifest could be read. */
  file: string | null;
  task: ModelTask | null;
  decoder: DecoderType | null;
  input: { width: number; height: number } | null;
  classes: number | null;
  licence: string | null;
  source: string | null;
  sha256: string | null;
  status: 'ok' | 'error';
  /** Why the model cannot be used, in words meant for the settings page. */
  error: string | null;
}
