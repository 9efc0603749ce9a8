// The model manifest (JSON beside each .onnx): one zod schema for what a model needs, how to feed it and how to decode it.
import { z } from 'zod';
import { COCO_CLASSES } from './coco-classes';

export const MODEL_TASKS = ['detector', 'face-detector', 'face-embedding', 'appearance'] as const;
export type ModelTask = (typeof MODEL_TASKS)[number];

/** Decoders this version implements; a manifest naming another one is reported, never guessed at. */
export const DECODER_TYPES = ['nanodet', 'yolov8', 'ssd', 'blazeface', 'embedding'] as const;
export type DecoderType = (typeof DECODER_TYPES)[number];
/** Decoders whose output is boxes (what detector and face-detector models use). */
export const BOX_DECODERS: readonly DecoderType[] = ['nanodet', 'yolov8', 'ssd', 'blazeface'];

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

const keypointName = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'keypoint names are lower_snake_case');

const blazefaceSchema = z
  .object({
    type: z.literal('blazeface'),
    /** One per anchor layer, in the order the anchors are numbered. */
    heads: z
      .array(
        z
          .object({
            scores: name,
            regression: name,
            /** Cells per side of this layer's square grid. */
            grid: z.number().int().min(1).max(256),
            /** Anchors per cell. */
            anchors: z.number().int().min(1).max(16),
          })
          .strict(),
      )
      .min(1)
      .max(8),
    /** Names of the (x, y) pairs after the box in each regression row, in order. */
    keypoints: z.array(keypointName).min(1).max(32),
  })
  .strict()
  .describe(
    'MediaPipe BlazeFace: per layer, score logits [1, A, 1] and regressors [1, A, 4+2K] for A = grid²·anchors (row-major cells, anchors within a cell). ' +
      'anchor = ((cx+0.5)/grid, (cy+0.5)/grid); centre = anchor + (dx, dy)/S; size = (w, h)/S; keypoint = anchor + k/S; score = sigmoid(logit).',
  );

const embeddingSchema = z
  .object({
    type: z.literal('embedding'),
    output: name,
    /** Length of the embedding vector; everything downstream takes it from here. */
    dim: z.number().int().min(2).max(8192),
    /** Cosine similarity above which two faces count as one person, as measured for this model (a default for face_match_threshold). */
    match_threshold: z.number().min(-1).max(1).optional(),
  })
  .strict()
  .describe('One output [1, dim]; the worker L2-normalises it and vectors are compared by cosine similarity.');

export const decoderSchema = z.discriminatedUnion('type', [nanodetSchema, yolov8Schema, ssdSchema, blazefaceSchema, embeddingSchema]);
export type DecoderSpec = z.output<typeof decoderSchema>;
export type NanodetDecoderSpec = z.output<typeof nanodetSchema>;
export type Yolov8DecoderSpec = z.output<typeof yolov8Schema>;
export type SsdDecoderSpec = z.output<typeof ssdSchema>;
export type BlazefaceDecoderSpec = z.output<typeof blazefaceSchema>;
export type EmbeddingDecoderSpec = z.output<typeof embeddingSchema>;

const point = z.tuple([z.number().min(-4096).max(4096), z.number().min(-4096).max(4096)]);

export const alignmentSchema = z
  .object({
    /** Detector keypoint names (as the face detector's manifest lists them), one per template point. */
    points: z.array(keypointName).min(2).max(16),
    /** Where each of those points lands in the model's input, in input pixels. */
    template: z.array(point).min(2).max(16),
  })
  .strict()
  .refine((a) => a.points.length === a.template.length, 'points and template must have the same length')
  .refine((a) => new Set(a.points).size === a.points.length, 'points must not repeat')
  .describe('A least-squares similarity transform maps the detector keypoints onto the template; the face is warped to the input size.');
export type AlignmentSpec = z.output<typeof alignmentSchema>;

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
    /** Required for detectors; a face detector defaults to ["face"]; embedding models have none. */
    classes: z.union([z.literal('coco80'), z.array(z.string().min(1).max(100)).min(1).max(10_000)]).optional(),
    /** Face embedding models: how a detected face is aligned to the input. */
    alignment: alignmentSchema.optional(),
    score_threshold: z.number().gt(0).lt(1).default(0.4),
    iou_threshold: z.number().gt(0).max(1).default(0.5),
    max_batch: z.number().int().min(1).max(64).default(1),
    max_detections: z.number().int().min(1).max(1000).default(100),
  })
  .strict()
  .superRefine((m, ctx) => {
    const boxes = BOX_DECODERS.includes(m.decoder.type);
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (m.task === 'detector' || m.task === 'face-detector') {
      if (!boxes) issue('decoder', `a ${m.task} needs a box decoder (${BOX_DECODERS.join(', ')}), not "${m.decoder.type}"`);
      if (m.task === 'detector' && m.classes === undefined) issue('classes', 'a detector must list its classes');
    } else {
      if (m.decoder.type !== 'embedding') issue('decoder', `a ${m.task} model needs the "embedding" decoder, not "${m.decoder.type}"`);
      if (m.classes !== undefined) issue('classes', `a ${m.task} model has no classes`);
    }
    if (m.task === 'face-embedding' && !m.alignment) issue('alignment', 'a face-embedding model must give its alignment template');
    if (m.task !== 'face-embedding' && m.alignment) issue('alignment', 'only face-embedding models are aligned');
    if (m.alignment?.template.some(([x, y]) => x < 0 || y < 0 || x > m.input.width || y > m.input.height)) issue('alignment', 'template points must lie inside the input');
  });

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

const FACE_CLASSES: readonly string[] = ['face'];

export function classNames(m: Pick<ModelManifest, 'classes' | 'task'>): readonly string[] {
  if (m.classes === 'coco80') return COCO_CLASSES;
  return m.classes ?? (m.task === 'face-detector' ? FACE_CLASSES : []);
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
    case 'blazeface':
      return d.heads.flatMap((h) => [h.scores, h.regression]);
    case 'embedding':
      return [d.output];
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
  } else if (d.type === 'blazeface') {
    for (const h of d.heads) {
      const n = h.grid * h.grid * h.anchors;
      const s = shapeOf(h.scores);
      const r = shapeOf(h.regression);
      const rows = (t: readonly (number | string)[]) => (t.length >= 3 ? t[t.length - 2] : t[0]);
      if (fixed(rows(s)) && rows(s) !== n) return `output "${h.scores}" has ${String(rows(s))} anchors, a ${h.grid}×${h.grid} grid with ${h.anchors} per cell gives ${n}`;
      if (fixed(r.at(-1)) && r.at(-1) !== 4 + 2 * d.keypoints.length) return `output "${h.regression}" has ${String(r.at(-1))} values per anchor, expected 4 + 2 × ${d.keypoints.length} keypoints`;
      if (fixed(rows(r)) && rows(r) !== n) return `output "${h.regression}" has ${String(rows(r))} anchors, expected ${n}`;
    }
    if (width !== height) return `a blazeface model takes a square input, the manifest says ${width}×${height}`;
  } else if (d.type === 'embedding') {
    const s = shapeOf(d.output);
    if (fixed(s.at(-1)) && s.at(-1) !== d.dim) return `output "${d.output}" has ${String(s.at(-1))} values, the manifest says dim ${d.dim}`;
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
  /** Number of classes a detector reports; null for embedding models. */
  classes: number | null;
  /** Embedding length of an embedding model; null for detectors. */
  dim: number | null;
  licence: string | null;
  source: string | null;
  sha256: string | null;
  status: 'ok' | 'error';
  /** Why the model cannot be used, in words meant for the settings page. */
  error: string | null;
}
