// Bench: NanoDet throughput through Vigil's analysis worker (motion, pre-processing, inference, decoding, NMS) vs raw onnxruntime-node on the same frames, same process, rounds interleaved.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-node';
import type { CameraAnalysisConfig } from '../src-main/ports/analysis-engine.port';
import { silentLogger } from '../src-main/repositories/logger';
import { WorkerAnalysisEngine } from '../src-main/workers/analysis/analysis-engine';
import { median, ms, now, printRows, type BenchRow } from './bench-util';

const FRAMES = Number(process.env.BENCH_DETECTOR_FRAMES ?? 30);
const ROUNDS = Number(process.env.BENCH_DETECTOR_ROUNDS ?? 3);
/** Intra-op threads for both sides; 0 lets onnxruntime choose, as the app does by default. */
const THREADS = Number(process.env.BENCH_DETECTOR_THREADS ?? 0);
const MODELS = resolve(import.meta.dirname, '..', 'resources', 'models');
const VIDEO = resolve(import.meta.dirname, '..', 'resources', 'demo', 'vtest.avi');
const S = 416;
const MEAN = [103.53, 116.28, 123.675];
const STD = [57.375, 57.12, 58.395];

interface Frame {
  width: number;
  height: number;
  data: Buffer;
}

/** Consecutive vtest.avi frames scaled by ffmpeg to fit 416×416 (416×312), as the ingest would deliver them. */
function frames(): Frame[] {
  const width = S;
  const height = 312;
  const bytes = width * height * 3;
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-ss', '20', '-i', VIDEO, '-frames:v', String(FRAMES), '-vf', `scale=${S}:${S}:force_original_aspect_ratio=decrease`, '-pix_fmt', 'rgb24', '-f', 'rawvideo', '-'], { maxBuffer: bytes * FRAMES + 1024 });
  if (r.status !== 0) throw new Error(r.stderr.toString());
  return Array.from({ length: Math.floor(r.stdout.length / bytes) }, (_, i) => ({ width, height, data: Buffer.from(r.stdout.subarray(i * bytes, (i + 1) * bytes)) }));
}

/** The plain way: letterbox into a fresh BGR mean/std tensor and run the session on the main thread; no decoding. */
async function rawRound(session: ort.InferenceSession, input: Frame[]): Promise<{ fps: number; runMs: number[] }> {
  const runMs: number[] = [];
  const t0 = now();
  for (const f of input) {
    const t = new Float32Array(3 * S * S);
    for (let c = 0; c < 3; c++) t.fill((0 - (MEAN[c] as number)) / (STD[c] as number), c * S * S, (c + 1) * S * S);
    const dy = (S - f.height) >> 1;
    for (let y = 0; y < f.height; y++) {
      for (let x = 0; x < f.width; x++) {
        const s = (y * f.width + x) * 3;
        const o = (y + dy) * S + x;
        t[o] = ((f.data[s + 2] as number) - (MEAN[0] as number)) / (STD[0] as number);
        t[o + S * S] = ((f.data[s + 1] as number) - (MEAN[1] as number)) / (STD[1] as number);
        t[o + 2 * S * S] = ((f.data[s] as number) - (MEAN[2] as number)) / (STD[2] as number);
      }
    }
    const r0 = now();
    await session.run({ input_1: new ort.Tensor('float32', t, [1, 3, S, S]) });
    runMs.push(ms(r0));
  }
  return { fps: input.length / (ms(t0) / 1000), runMs };
}

async function vigilRound(engine: WorkerAnalysisEngine, input: Frame[], cfg: CameraAnalysisConfig, round: number): Promise<{ fps: number; inferMs: number[]; detections: number }> {
  const inferMs: number[] = [];
  let detections = 0;
  const t0 = now();
  for (const [i, f] of input.entries()) {
    const o = await engine.submit({ camera_id: 1, ts_ms: round * 100_000 + i * 100, width: f.width, height: f.height, format: 'rgb24', data: Buffer.from(f.data) }, cfg);
    if (o.status !== 'analysed' || o.result.detector.status !== 'ran') throw new Error(`frame ${i} not analysed: ${JSON.stringify(o)}`);
    inferMs.push(o.result.detector.inference_ms);
    detections += o.result.detector.detections.length;
  }
  return { fps: input.length / (ms(t0) / 1000), inferMs, detections };
}

export async function run(): Promise<BenchRow[]> {
  const input = frames();
  const engine = new WorkerAnalysisEngine({ modelDirs: [{ path: MODELS, origin: 'bundled' }], log: silentLogger(), threads: THREADS });
  await engine.start();
  if (!engine.activeModel()) throw new Error(`no detector: ${JSON.stringify(engine.status().model_error)}`);
  const session = await ort.InferenceSession.create(join(MODELS, 'nanodet-m-416-coco.onnx'), {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    interOpNumThreads: 1,
    ...(THREADS ? { intraOpNumThreads: THREADS } : {}),
  });
  const cfg: CameraAnalysisConfig = { motion: { threshold: 25, min_area: 0.002, masks: [] }, detect: 'always', conf: null, iou: null, classes: [], min_interval_ms: 0 };
  try {
    await rawRound(session, input.slice(0, 3));
    await vigilRound(engine, input.slice(0, 3), cfg, 99);
    const raw: number[] = [];
    const ours: number[] = [];
    const rawRun: number[] = [];
    const ourInfer: number[] = [];
    let detections = 0;
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate which side goes first, so neither always runs on a warmer machine.
      const first = r % 2 === 0 ? 'raw' : 'vigil';
      for (const side of first === 'raw' ? ['raw', 'vigil'] : ['vigil', 'raw']) {
        if (side === 'raw') {
          const x = await rawRound(session, input);
          raw.push(x.fps);
          rawRun.push(...x.runMs);
        } else {
          const x = await vigilRound(engine, input, cfg, r);
          ours.push(x.fps);
          ourInfer.push(...x.inferMs);
          detections += x.detections;
        }
      }
    }
    const a = median(ours);
    const b = median(raw);
    const note = `${input.length} frames 416×312 × ${ROUNDS} rounds, threads ${THREADS || 'ort default'}`;
    return [
      { name: 'NanoDet-m 416 throughput: Vigil worker vs raw ort', value: a, unit: 'fps', baseline: b, ratio: a / b, note: `${note}; goal ≥ 0.90` },
      { name: 'NanoDet-m 416 session.run median', value: median(ourInfer), unit: 'ms', baseline: median(rawRun), ratio: median(ourInfer) / median(rawRun), note: 'inside the worker vs on the main thread' },
      { name: 'detections per frame (Vigil)', value: detections / (ROUNDS * input.length), unit: 'count', note: 'score ≥ 0.45, class-aware NMS 0.5' },
    ];
  } finally {
    await session.release();
    await engine.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void run().then(printRows);
