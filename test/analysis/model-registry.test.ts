// The model registry (real: onnxruntime-node, the shipped NanoDet, UltraFace from ../shared/models, files on disk): every model gets a status, nothing throws.
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelRegistry } from '../../src-main/repositories/onnx/model-registry.repository';
import { NodeOnnxRuntimeRepository } from '../../src-main/repositories/onnx/onnx-runtime.repository';
import type { ModelEntry } from '../../src-main/shared/model-manifest';
import { BUNDLED_MODELS, SHARED_MODELS } from './vtest-frames';
import nanodet from '../../resources/models/nanodet-m-416-coco.json';

/** From ../shared/models (not shipped): a real SSD-layout model for the `ssd` decoder's manifest path. */
const ULTRAFACE = join(SHARED_MODELS, 'ultraface-rfb-320.onnx');
const hasUltraface = existsSync(ULTRAFACE);
let user: string;
let entries: ModelEntry[];
const runtime = new NodeOnnxRuntimeRepository();
const byName = (n: string) => entries.find((e) => e.name === n);

const ultraface = {
  task: 'face-detector',
  file: 'ultraface.onnx',
  licence: 'MIT',
  source: 'npm faceplugin-face-recognition-js@0.0.1 model/fr_detect.onnx',
  input: { name: 'input', width: 320, height: 240, layout: 'NCHW', colour_order: 'RGB', normalise: { scale: 1 / 128, offset: -127 / 128 }, resize: 'stretch' },
  decoder: { type: 'ssd', boxes: 'boxes', scores: 'scores', background: true },
  classes: ['face'],
  score_threshold: 0.7,
  iou_threshold: 0.4,
};

beforeAll(async () => {
  user = mkdtempSync(join(tmpdir(), 'vigil-models-'));
  const w = (name: string, body: unknown) => writeFileSync(join(user, name), typeof body === 'string' ? body : JSON.stringify(body));
  writeFileSync(join(user, 'corrupt.onnx'), Buffer.from('this is not a protobuf, just bytes pretending to be a model'.repeat(20)));
  symlinkSync(join(BUNDLED_MODELS, 'nanodet-m-416-coco.onnx'), join(user, 'nanodet.onnx'));
  if (hasUltraface) symlinkSync(ULTRAFACE, join(user, 'ultraface.onnx'));
  const { name: _, sha256: __, ...base } = nanodet;
  w('corrupt.json', { ...base, file: 'corrupt.onnx' });
  w('no-decoder.json', { ...base, file: 'nanodet.onnx', decoder: { type: 'centernet', output: 'hm' } });
  w('wrong-size.json', { ...base, file: 'nanodet.onnx', input: { ...base.input, width: 320, height: 320 } });
  w('wrong-sha.json', { ...base, file: 'nanodet.onnx', sha256: 'ab'.repeat(32) });
  w('missing-file.json', { ...base, file: 'gone.onnx' });
  w('escape.json', { ...base, file: '../../etc/passwd' });
  w('not-json.json', '{ "task": "detector", ');
  w('dup.json', { ...base, name: 'nanodet-m-416-coco', file: 'nanodet.onnx' });
  if (hasUltraface) w('ultraface.json', ultraface);
  entries = await new ModelRegistry(
    [
      { path: BUNDLED_MODELS, origin: 'bundled' },
      { path: user, origin: 'user' },
      { path: join(user, 'does-not-exist'), origin: 'user' },
    ],
    runtime,
  ).scan();
});

afterAll(() => rmSync(user, { recursive: true, force: true }));

describe('model registry', () => {
  it('reports the shipped NanoDet as ok, with its provenance', () => {
    expect(byName('nanodet-m-416-coco')).toMatchObject({
      origin: 'bundled',
      status: 'ok',
      error: null,
      task: 'detector',
      decoder: 'nanodet',
      input: { width: 416, height: 416 },
      classes: 80,
      sha256: '069213f7785dd76d104e8557cfb88aa5432a4b90b0f69b833fb4bf56c20c2d0f',
    });
    expect(byName('nanodet-m-416-coco')!.licence).toContain('Apache-2.0');
  });

  it.skipIf(!hasUltraface)('accepts a user SSD-layout face detector (UltraFace, stretched 320×240)', () => {
    expect(byName('ultraface')).toMatchObject({ origin: 'user', status: 'ok', task: 'face-detector', decoder: 'ssd', classes: 1 });
  });

  it('gives every broken model a clear error instead of failing the scan', () => {
    const err = (n: string) => ({ status: byName(n)?.status, error: byName(n)?.error });
    expect(err('corrupt')).toEqual({ status: 'error', error: expect.stringMatching(/^onnxruntime cannot load "corrupt\.onnx": .*(Protobuf|protobuf)/) });
    expect(err('no-decoder')).toEqual({ status: 'error', error: 'unknown decoder "centernet" (this version knows nanodet, yolov8, ssd, blazeface, embedding)' });
    expect(err('wrong-size')).toEqual({ status: 'error', error: 'input "input_1" has shape [1,3,416,416], the manifest says NCHW [1,3,320,320]' });
    expect(err('wrong-sha')).toEqual({ status: 'error', error: expect.stringMatching(/^sha256 mismatch: the manifest says abababababab…, the file is 069213f7785d…$/) });
    expect(err('missing-file')).toEqual({ status: 'error', error: 'the model file "gone.onnx" was not found beside the manifest' });
    expect(err('escape')).toEqual({ status: 'error', error: 'the model file "../../etc/passwd" is outside the manifest\'s folder' });
    expect(err('not-json')).toEqual({ status: 'error', error: expect.stringMatching(/^manifest is not readable JSON: /) });
    expect(entries.filter((e) => e.name === 'nanodet-m-416-coco')).toHaveLength(2);
    expect(entries.find((e) => e.manifest_path.endsWith('dup.json'))).toMatchObject({ status: 'error', error: expect.stringContaining('another model is already named "nanodet-m-416-coco"') });
    expect(entries).toHaveLength(hasUltraface ? 12 : 11);
  });

  it('opens a model with its session, and explains why one cannot be opened', async () => {
    const reg = new ModelRegistry([{ path: BUNDLED_MODELS, origin: 'bundled' }, { path: user, origin: 'user' }], runtime);
    const ok = await reg.open('nanodet-m-416-coco');
    expect(ok.ok).toBe(true);
    if (ok.ok) {
      expect(ok.model.session.inputs[0]).toEqual({ name: 'input_1', type: 'float32', shape: [1, 3, 416, 416] });
      await ok.model.session.release();
    }
    expect(await reg.open('nope')).toEqual({ ok: false, entry: null, error: 'no model named "nope"' });
    expect(await reg.open('wrong-size')).toMatchObject({ ok: false, error: expect.stringContaining('the manifest says NCHW [1,3,320,320]') });
  });

  it('lists only execution providers that create a session here', async () => {
    const p = await runtime.providers();
    expect(p).toContain('cpu');
    expect(p).not.toContain('cuda');
  });
});
