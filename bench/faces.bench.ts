// Bench: faces per second through detect → align → quality → embed in the analysis worker (1080p frames with person boxes, and album photos), and the share of that time spent outside ONNX.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp, { type OverlayOptions } from 'sharp';
import type { Box } from '../src-main/ports/analysis-engine.port';
import type { FaceOptions, FaceTiming } from '../src-main/ports/face-engine.port';
import { silentLogger } from '../src-main/repositories/logger';
import { WorkerAnalysisEngine } from '../src-main/workers/analysis/analysis-engine';
import { median, ms, now, printRows, type BenchRow } from './bench-util';

const ROUNDS = Number(process.env.BENCH_FACES_ROUNDS ?? 3);
const FRAMES = Number(process.env.BENCH_FACES_FRAMES ?? 10);
/** Intra-op threads of each ONNX session; 0 lets onnxruntime choose (both cores here), as the app does by default. */
const THREADS = Number(process.env.BENCH_FACES_THREADS ?? 0);
const ROOT = resolve(import.meta.dirname, '..');
const MODELS = join(ROOT, 'resources', 'models');
const PEOPLE = '/work/shared/fixtures/people';
const W = 1920;
const H = 1080;
/** Face height in the 1080p frames: a person a few metres from the camera. */
const FACE_PX = 60;
const OPTS: FaceOptions = { min_quality: 0.35, max_faces: 20, crops: true };

/** Photos with one frontal face: where the face is (centre) and how tall, in the photo's pixels (BlazeFace boxes). */
const PEOPLE_FACES = [
  { file: join(PEOPLE, 'anne_helene.jpg'), cx: 184, cy: 195, h: 91 },
  { file: join(PEOPLE, 'jesper_2.jpg'), cx: 399, cy: 246, h: 354 },
  { file: join(PEOPLE, 'new_wave_2.jpg'), cx: 400, cy: 329, h: 238 },
];

/** vtest.avi's street scaled to 1080p as the background of every frame. */
function street(): Buffer {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-ss', '20', '-i', join(ROOT, 'resources', 'demo', 'vtest.avi'), '-frames:v', '1', '-vf', `scale=${W}:${H}`, '-pix_fmt', 'rgb24', '-f', 'rawvideo', '-'], { maxBuffer: W * H * 3 + 1024 });
  if (r.status !== 0 || r.stdout.length !== W * H * 3) throw new Error(`ffmpeg: ${r.stderr.toString()}`);
  return r.stdout;
}

/** `FRAMES` 1080p frames, each with the three people pasted at FACE_PX face height in new places, and their person boxes. */
async function frames(): Promise<{ rgb: Buffer; regions: Box[] }[]> {
  const bg = street();
  const pastes = await Promise.all(
    PEOPLE_FACES.map(async (p) => {
      const k = FACE_PX / p.h;
      const meta = await sharp(p.file).metadata();
      const img = await sharp(p.file).resize(Math.round(meta.width * k), Math.round(meta.height * k)).png().toBuffer();
      return { img, cx: p.cx * k, cy: p.cy * k };
    }),
  );
  const out: { rgb: Buffer; regions: Box[] }[] = [];
  for (let i = 0; i < FRAMES; i++) {
    const composite: OverlayOptions[] = [];
    const regions: Box[] = [];
    pastes.forEach((p, j) => {
      const left = 200 + j * 550 + ((i * 37) % 200);
      const top = 150 + ((i * 53 + j * 90) % 300);
      composite.push({ input: p.img, left, top });
      const fx = left + p.cx;
      const fy = top + p.cy;
      regions.push([(fx - 1.5 * FACE_PX) / W, (fy - 0.7 * FACE_PX) / H, (3 * FACE_PX) / W, (7.5 * FACE_PX) / H]);
    });
    const rgb = await sharp(bg, { raw: { width: W, height: H, channels: 3 } }).composite(composite).removeAlpha().raw().toBuffer();
    out.push({ rgb, regions });
  }
  return out;
}

interface Round {
  faces: number;
  wallMs: number;
  timing: FaceTiming;
}

const add = (a: FaceTiming, b: FaceTiming | undefined): FaceTiming => ({ worker_ms: a.worker_ms + (b?.worker_ms ?? 0), inference_ms: a.inference_ms + (b?.inference_ms ?? 0) });

async function frameRound(engine: WorkerAnalysisEngine, input: { rgb: Buffer; regions: Box[] }[]): Promise<Round> {
  let faces = 0;
  let timing: FaceTiming = { worker_ms: 0, inference_ms: 0 };
  const t0 = now();
  for (const [i, f] of input.entries()) {
    const r = await engine.facesInFrame({ camera_id: 1, ts_ms: i * 200, width: W, height: H, rgb: Buffer.from(f.rgb) }, f.regions, OPTS);
    if (!r.ok) throw new Error(r.error.message);
    faces += r.value.faces.filter((x) => x.embedding).length;
    timing = add(timing, r.value.timing);
  }
  return { faces, wallMs: ms(t0), timing };
}

async function photoRound(engine: WorkerAnalysisEngine, photos: Buffer[]): Promise<Round> {
  let faces = 0;
  let timing: FaceTiming = { worker_ms: 0, inference_ms: 0 };
  const t0 = now();
  for (const p of photos) {
    const r = await engine.facesInImage(p, OPTS);
    if (!r.ok) throw new Error(r.error.message);
    faces += r.value.faces.filter((x) => x.embedding).length;
    timing = add(timing, r.value.timing);
  }
  return { faces, wallMs: ms(t0), timing };
}

function rows(label: string, note: string, rounds: Round[]): BenchRow[] {
  const fps = median(rounds.map((r) => r.faces / (r.wallMs / 1000)));
  const onnxBound = median(rounds.map((r) => r.faces / (r.timing.inference_ms / 1000)));
  const outside = median(rounds.map((r) => 1 - r.timing.inference_ms / r.wallMs));
  const outsideWorker = median(rounds.map((r) => 1 - r.timing.inference_ms / r.timing.worker_ms));
  return [
    { name: `${label}: faces/s, detect → align → embed`, value: fps, unit: 'faces/s', baseline: onnxBound, ratio: fps / onnxBound, note: `baseline: the same faces if only the ONNX runs counted; ${note}` },
    { name: `${label}: share of time outside ONNX`, value: 100 * outside, unit: '%', note: `of wall time per face (${(100 * outsideWorker).toFixed(1)} % of the worker's own time): decode, crops, sharp resizes, warp, quality, JPEG, messaging` },
  ];
}

export async function run(): Promise<BenchRow[]> {
  const input = await frames();
  const photos = await Promise.all(PEOPLE_FACES.map((p) => sharp(p.file).jpeg({ quality: 90 }).toBuffer()));
  const engine = new WorkerAnalysisEngine({ modelDirs: [{ path: MODELS, origin: 'bundled' }], log: silentLogger(), model: null, threads: THREADS, faceDetectorModel: 'blazeface-back-256', faceEmbedderModel: 'dlib-resnet-face-128' });
  await engine.start();
  if (!engine.faceModels().embedder) throw new Error(`no face models: ${engine.faceModels().error}`);
  try {
    await frameRound(engine, input.slice(0, 2));
    await photoRound(engine, photos);
    const fr: Round[] = [];
    const ph: Round[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      fr.push(await frameRound(engine, input));
      ph.push(await photoRound(engine, photos));
    }
    const threads = `threads ${THREADS || 'ort default'}, ${ROUNDS} rounds`;
    return [
      ...rows('1080p frames, 3 person boxes', `${FRAMES} frames × 3 people, faces ${FACE_PX} px; ${threads}`, fr),
      ...rows('photos (whole image + tiles)', `${photos.length} album photos, 400–800 px; ${threads}`, ph),
    ];
  } finally {
    await engine.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void run().then(printRows);
