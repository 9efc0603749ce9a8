// The analysis engine end to end (real: worker_threads, onnxruntime-node, the shipped NanoDet, vtest.avi frames scaled by ffmpeg; mock: none).
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisOutcome, Box, CameraAnalysisConfig, Detection } from '../../src-main/ports/analysis-engine.port';
import { silentLogger } from '../../src-main/repositories/logger';
import { AnalysisWorkerHost, resolveWorkerEntry } from '../../src-main/workers/analysis/analysis-worker-host';
import { WorkerAnalysisEngine } from '../../src-main/workers/analysis/analysis-engine';
import nanodet from '../../resources/models/nanodet-m-416-coco.json';
import { BUNDLED_MODELS, vtestClip, vtestFrame, type RawFrame } from './vtest-frames';

/** People in each frame, counted by eye on the 768×576 originals (some stand behind the sign post). */
const PEOPLE: Record<number, number> = { 3: 5, 15: 8, 30: 6, 45: 3, 60: 6 };

/** Hand-labelled person boxes, in 768×576 pixels [x, y, w, h], read off zoomed crops with a 10 px grid. */
const LABELLED: { at: number; who: string; px: Box }[] = [
  { at: 30, who: 'man in red and navy, walking', px: [582, 160, 28, 74] },
  { at: 30, who: 'blonde woman in black coat', px: [620, 161, 23, 72] },
  { at: 45, who: 'man in jeans by the sign', px: [311, 206, 27, 84] },
  { at: 45, who: 'man in black, centre', px: [486, 184, 29, 75] },
  { at: 45, who: 'woman in red jacket', px: [559, 242, 34, 95] },
  { at: 60, who: 'man in red vest by the tripod', px: [455, 302, 51, 116] },
  { at: 60, who: 'blonde woman, bottom edge', px: [284, 432, 47, 144] },
];

const norm = ([x, y, w, h]: Box): Box => [x / 768, y / 576, w / 768, h / 576];

function iou(a: Box, b: Box): number {
  const iw = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  const ih = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  if (iw <= 0 || ih <= 0) return 0;
  return (iw * ih) / (a[2] * a[3] + b[2] * b[3] - iw * ih);
}

const config = (o: Partial<CameraAnalysisConfig> = {}): CameraAnalysisConfig => ({
  motion: { threshold: 25, min_area: 0.002, masks: [] },
  detect: 'always',
  conf: null,
  iou: null,
  classes: [],
  min_interval_ms: 0,
  ...o,
});

const asFrame = (cam: number, f: RawFrame, ts = f.at * 1000) => ({ camera_id: cam, ts_ms: ts, width: f.width, height: f.height, format: 'rgb24' as const, data: Buffer.from(f.data) });

function ran(o: AnalysisOutcome): { model: string; detections: Detection[]; inference_ms: number } {
  if (o.status !== 'analysed') throw new Error(`not analysed: ${JSON.stringify(o)}`);
  if (o.result.detector.status !== 'ran') throw new Error(`detector did not run: ${JSON.stringify(o.result.detector)}`);
  return o.result.detector;
}

const waitFor = async (cond: () => boolean, ms: number): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

let user: string;
let engine: WorkerAnalysisEngine;

beforeAll(async () => {
  user = mkdtempSync(join(tmpdir(), 'vigil-engine-models-'));
  const { name: _, sha256: __, ...base } = nanodet;
  writeFileSync(join(user, 'corrupt.onnx'), Buffer.alloc(4096, 7));
  symlinkSync(join(BUNDLED_MODELS, 'nanodet-m-416-coco.onnx'), join(user, 'nanodet.onnx'));
  writeFileSync(join(user, 'corrupt.json'), JSON.stringify({ ...base, file: 'corrupt.onnx' }));
  writeFileSync(join(user, 'no-decoder.json'), JSON.stringify({ ...base, file: 'nanodet.onnx', decoder: { type: 'detr', logits: 'l' } }));
  writeFileSync(join(user, 'wrong-size.json'), JSON.stringify({ ...base, file: 'nanodet.onnx', input: { ...base.input, width: 640, height: 640 } }));
  engine = new WorkerAnalysisEngine({
    modelDirs: [
      { path: BUNDLED_MODELS, origin: 'bundled' },
      { path: user, origin: 'user' },
    ],
    log: silentLogger(),
    backoff: { initialMs: 100 },
  });
  await engine.start();
});

afterAll(async () => {
  await engine?.stop();
  rmSync(user, { recursive: true, force: true });
});

describe('analysis engine (real worker, real NanoDet)', () => {
  it('starts with the shipped detector on the CPU provider and lists every model with a status', () => {
    expect(engine.status()).toMatchObject({ state: 'ready', restarts: 0, model: { name: 'nanodet-m-416-coco', provider: 'cpu', max_batch: 1 }, model_error: null });
    expect(engine.activeModel()?.scale_filter).toBe('scale=416:416:force_original_aspect_ratio=decrease');
    expect(engine.providers()).toContain('cpu');
    const st = Object.fromEntries(engine.models().map((m) => [m.name, m.status]));
    expect(st).toEqual({ 'blazeface-back-256': 'ok', 'dlib-resnet-face-128': 'ok', 'nanodet-m-416-coco': 'ok', corrupt: 'error', 'no-decoder': 'error', 'wrong-size': 'error' });
  });

  it('finds the people in vtest.avi frames: counts within tolerance, hand-labelled boxes at IoU ≥ 0.5', async () => {
    let found = 0;
    let expected = 0;
    const people: Record<number, Detection[]> = {};
    for (const at of Object.keys(PEOPLE).map(Number)) {
      const frame = asFrame(1, vtestFrame(at));
      const o = await engine.submit(frame, config());
      // The frame's memory moved to the worker instead of being copied.
      expect(frame.data.length).toBe(0);
      const d = ran(o);
      expect(d.model).toBe('nanodet-m-416-coco');
      expect(d.inference_ms).toBeGreaterThan(0);
      people[at] = d.detections.filter((x) => x.label === 'person');
      expect(Math.abs(people[at]!.length - PEOPLE[at]!), `frame at ${at}s: ${people[at]!.length} people, expected ${PEOPLE[at]}`).toBeLessThanOrEqual(2);
      found += people[at]!.length;
      expected += PEOPLE[at]!;
      for (const p of people[at]!) {
        expect(p.class_id).toBe(0);
        expect(p.score).toBeGreaterThanOrEqual(0.45);
        expect(p.box.every((v) => v >= 0 && v <= 1)).toBe(true);
      }
    }
    expect(Math.abs(found - expected), `${found} people found, ${expected} expected`).toBeLessThanOrEqual(3);
    for (const l of LABELLED) {
      const best = Math.max(0, ...people[l.at]!.map((p) => iou(p.box, norm(l.px))));
      expect(best, `${l.who} at ${l.at}s`).toBeGreaterThanOrEqual(0.5);
    }
    const s = engine.stats(1)!;
    expect(s).toMatchObject({ frames_submitted: 5, frames_analysed: 5, frames_dropped: 0, detector_runs: 5, last_error: null });
    expect(s.detections_per_second).toBeGreaterThan(0);
    expect(s.last_inference_ms).toBeGreaterThan(0);
  });

  it('gates the detector on motion, and applies the per-camera classes and threshold', async () => {
    const clip = vtestClip(30, 3);
    const gate = config({ detect: 'if-motion' });
    const first = await engine.submit(asFrame(2, clip[0]!), gate);
    expect(first.status === 'analysed' && first.result).toMatchObject({ motion: null, detector: { status: 'skipped', reason: 'no-motion' } });
    expect(engine.stats(2)!.motion_gate_open).toBe(false);
    const second = await engine.submit(asFrame(2, clip[1]!), gate);
    expect(second.status === 'analysed' && second.result.motion).toMatchObject({ motion: true });
    expect(ran(second).detections.length).toBeGreaterThan(0);
    expect(engine.stats(2)!.motion_gate_open).toBe(true);
    const dup = await engine.submit(asFrame(2, clip[1]!), gate);
    expect(dup.status === 'analysed' && dup.result).toMatchObject({ motion: null, detector: { status: 'skipped', reason: 'no-motion' } });
    const never = await engine.submit(asFrame(2, clip[2]!), config({ detect: 'never' }));
    expect(never.status === 'analysed' && never.result).toMatchObject({ motion: { motion: true }, detector: { status: 'skipped', reason: 'never' } });

    const cars = ran(await engine.submit(asFrame(3, vtestFrame(45)), config({ classes: ['car'] }))).detections;
    expect(cars.length).toBeGreaterThan(0);
    expect(cars.every((d) => d.label === 'car')).toBe(true);
    const strict = ran(await engine.submit(asFrame(3, vtestFrame(60)), config({ conf: 0.75, classes: ['person'] }))).detections;
    expect(strict.length).toBeGreaterThanOrEqual(3);
    expect(strict.length).toBeLessThan(PEOPLE[60]!);
    expect(strict.every((d) => d.score >= 0.75)).toBe(true);
  });

  it('keeps only the newest frame per camera while the worker is busy, and counts the dropped ones', async () => {
    const clip = vtestClip(15, 5);
    const outcomes = await Promise.all(clip.map((f, i) => engine.submit(asFrame(4, f, 15_000 + i * 100), config())));
    expect(outcomes.map((o) => o.status)).toEqual(['analysed', 'dropped', 'dropped', 'dropped', 'analysed']);
    expect(outcomes[1]).toEqual({ status: 'dropped', reason: 'replaced' });
    expect(engine.stats(4)).toMatchObject({ frames_submitted: 5, frames_analysed: 2, frames_dropped: 3 });
    const bad = await engine.submit({ ...asFrame(4, clip[0]!), width: 100 }, config());
    expect(bad).toMatchObject({ status: 'failed', error: { kind: 'bad-frame' } });
    const big = vtestFrame(45, 480);
    const tooBig = await engine.submit(asFrame(4, big), config());
    expect(tooBig.status === 'analysed' && tooBig.result.detector).toMatchObject({ status: 'error', error: { kind: 'bad-frame', message: expect.stringContaining('does not fit the model\'s 416×416 input') } });
  });

  it('a corrupt model, an unknown decoder and a wrong input size each fail clearly and leave NanoDet running', async () => {
    const cases: [string, RegExp][] = [
      ['corrupt', /^model "corrupt": onnxruntime cannot load "corrupt\.onnx": /],
      ['no-decoder', /^model "no-decoder": unknown decoder "detr" \(this version knows nanodet, yolov8, ssd, blazeface, embedding\)$/],
      ['wrong-size', /^model "wrong-size": input "input_1" has shape \[1,3,416,416\], the manifest says NCHW \[1,3,640,640\]$/],
      ['missing', /^model "missing": no model named "missing"$/],
    ];
    for (const [name, message] of cases) {
      const r = await engine.setModel(name);
      expect(r).toEqual({ ok: false, error: { kind: 'model-load', message: expect.stringMatching(message) } });
      expect(engine.activeModel()?.name).toBe('nanodet-m-416-coco');
      expect(engine.status()).toMatchObject({ state: 'ready', model_error: { kind: 'model-load' } });
      const d = ran(await engine.submit(asFrame(5, vtestFrame(45)), config({ classes: ['person'] })));
      expect(d.model).toBe('nanodet-m-416-coco');
      expect(d.detections).toHaveLength(PEOPLE[45]!);
    }
    const back = await engine.setModel('nanodet-m-416-coco');
    expect(back.ok).toBe(true);
    expect(engine.status().model_error).toBeNull();
  });

  it('restarts a crashed worker with its model; the frame in hand finishes first, later frames are analysed', async () => {
    const inFlight = engine.submit(asFrame(6, vtestFrame(30)), config());
    engine.worker.kill('test kill');
    // The worker dies between jobs (never with an inference in flight, which would abort the process).
    expect((await inFlight).status).toBe('analysed');
    await waitFor(() => engine.status().restarts === 1, 20_000);
    const queued = engine.submit(asFrame(6, vtestFrame(45)), config({ classes: ['person'] }));
    await waitFor(() => engine.status().state === 'ready', 20_000);
    expect(engine.status()).toMatchObject({ restarts: 1, last_crash: 'test kill', model: { name: 'nanodet-m-416-coco' } });
    expect(ran(await queued).detections).toHaveLength(PEOPLE[45]!);
    expect(ran(await engine.submit(asFrame(6, vtestFrame(60)), config())).detections.length).toBeGreaterThan(0);
  });
});

describe('analysis engine with a broken configured model', () => {
  it('starts without a detector, reports why, and keeps analysing motion', async () => {
    const e = new WorkerAnalysisEngine({ modelDirs: [{ path: user, origin: 'user' }], log: silentLogger(), model: 'corrupt' });
    try {
      await e.start();
      expect(e.status()).toMatchObject({ state: 'ready', model: null, model_error: { kind: 'model-load', message: expect.stringContaining('onnxruntime cannot load "corrupt.onnx"') } });
      const clip = vtestClip(30, 2);
      await e.submit(asFrame(1, clip[0]!), config());
      const o = await e.submit(asFrame(1, clip[1]!), config());
      expect(o.status === 'analysed' && o.result).toMatchObject({ motion: { motion: true }, detector: { status: 'skipped', reason: 'no-model' } });
    } finally {
      await e.stop();
    }
    expect(e.status().state).toBe('stopped');
    expect(await e.submit(asFrame(1, vtestFrame(30)), config())).toMatchObject({ status: 'failed', error: { kind: 'stopped' } });
  });
});

describe('analysis worker host', () => {
  it('ends a worker that stops answering its heartbeat and starts another', async () => {
    const host = new AnalysisWorkerHost({
      workerData: { modelDirs: [], threads: 0, executionProviders: [] },
      log: silentLogger(),
      entry: { url: new URL('./fixtures/silent-worker.mjs', import.meta.url), typescript: false },
      heartbeatMs: 50,
      heartbeatTimeoutMs: 300,
      backoff: { initialMs: 50 },
    });
    await host.start();
    const pending = host.request({ type: 'scan' });
    await waitFor(() => host.restarts >= 1, 5000);
    expect(await pending).toMatchObject({ type: 'error', error: { kind: 'worker-crashed', message: 'no heartbeat from the analysis worker' } });
    await waitFor(() => host.state === 'ready', 5000);
    await host.stop();
    expect(host.state).toBe('stopped');
    expect(await host.request({ type: 'ping' })).toMatchObject({ type: 'error', error: { kind: 'worker-crashed' } });
  });

  it('resolves the worker entry for source runs and for the bundle', () => {
    expect(resolveWorkerEntry('file:///x/src-main/workers/analysis/analysis-worker-host.ts')).toEqual({ url: new URL('file:///x/src-main/workers/analysis/analysis.worker.ts'), typescript: true });
    expect(() => resolveWorkerEntry('file:///nowhere/out/main/chunks/engine-abc.js')).toThrow(/analysis-worker\.js/);
    const out = mkdtempSync(join(tmpdir(), 'vigil-bundle-'));
    try {
      mkdirSync(join(out, 'chunks'));
      writeFileSync(join(out, 'analysis-worker.js'), '');
      const fromChunk = resolveWorkerEntry(pathToFileURL(join(out, 'chunks', 'lifecycle-abc.js')).href);
      expect(fromChunk).toEqual({ url: pathToFileURL(join(out, 'analysis-worker.js')), typescript: false });
      expect(resolveWorkerEntry(pathToFileURL(join(out, 'server.js')).href)).toEqual(fromChunk);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
