// Face verification on real faces (real: the analysis worker, onnxruntime-node, sharp, ffmpeg, BlazeFace + dlib and the test-only ArcFace, the kphotoalbum photos and movie; mock: none).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceOptions, FaceResult } from '../../src-main/ports/face-engine.port';
import { silentLogger } from '../../src-main/repositories/logger';
import { defaultSettings } from '../../src-main/shared/settings';
import { WorkerAnalysisEngine } from '../../src-main/workers/analysis/analysis-engine';
import { ARCFACE_MANIFEST, ARCFACE_ONNX, BUNDLED_MODELS, FACE_AT, hasPeople, MOVIE, OTHER_FACES, PEOPLE_DIR, readIndex, type At } from './face-engine-fixtures';
import { cosine, verification, type Verification } from './face-engine-metrics';

const FARS = [1e-2, 1e-3];
/** Every face embedded, whatever its quality: the verification covers every tagged face that was found. */
const ALL: FaceOptions = { min_quality: 0, max_faces: 50, crops: false };
const FLOOR = defaultSettings().face_min_quality;

interface Tagged {
  name: string;
  source: string;
  face: FaceResult | null;
}

let user: string;
let engine: WorkerAnalysisEngine;

const inside = (f: FaceResult, [x, y]: At) => x >= f.box[0] && x <= f.box[0] + f.box[2] && y >= f.box[1] && y <= f.box[1] + f.box[3];
const centreDistance = (f: FaceResult, [x, y]: At) => Math.hypot(f.box[0] + f.box[2] / 2 - x, f.box[1] + f.box[3] / 2 - y);
/** The face whose box holds the tagged point (the nearest centre when boxes overlap); null when none does. */
const pick = (faces: FaceResult[], at: At) => faces.filter((f) => inside(f, at)).sort((a, b) => centreDistance(a, at) - centreDistance(b, at))[0] ?? null;

function movieFrame(seconds: number): Buffer {
  const { width, height } = MOVIE;
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-ss', String(seconds), '-i', MOVIE.file, '-frames:v', '1', '-pix_fmt', 'rgb24', '-f', 'rawvideo', '-'], { maxBuffer: width * height * 3 + 1024 });
  if (r.status !== 0 || r.stdout.length !== width * height * 3) throw new Error(`ffmpeg: ${r.stderr.toString()}`);
  return r.stdout;
}

/** Every tagged face of the album (photos turned upright as index.xml says), the movie's frames and the two other identities, through the engine. */
async function tagged(): Promise<Tagged[]> {
  const out: Tagged[] = [];
  for (const photo of readIndex()) {
    if (!photo.people.length) continue;
    const upright = await sharp(join(PEOPLE_DIR, photo.file)).rotate(photo.angle).jpeg({ quality: 95 }).toBuffer();
    const r = await engine.facesInImage(upright, ALL);
    if (!r.ok) throw new Error(`${photo.file}: ${r.error.message}`);
    for (const p of photo.people) out.push({ name: p.name, source: photo.file, face: pick(r.value.faces, (p.at ?? FACE_AT[photo.file]?.[p.name]) as At) });
  }
  for (const s of MOVIE.seconds) {
    const r = await engine.facesInFrame({ camera_id: 1, ts_ms: s * 1000, width: MOVIE.width, height: MOVIE.height, rgb: movieFrame(s) }, null, ALL);
    if (!r.ok) throw new Error(`movie @${s}s: ${r.error.message}`);
    out.push({ name: MOVIE.name, source: `movie.avi@${s}s`, face: r.value.faces[0] ?? null });
  }
  for (const o of OTHER_FACES) {
    const r = await engine.facesInImage(await sharp(o.file).jpeg({ quality: 95 }).toBuffer(), ALL);
    if (!r.ok) throw new Error(`${o.file}: ${r.error.message}`);
    out.push({ name: o.name, source: o.file.split('/').pop() as string, face: pick(r.value.faces, o.at) });
  }
  return out;
}

function pairs(faces: Tagged[], floor: number): Verification {
  const use = faces.filter((t) => t.face?.embedding && t.face.quality.score >= floor);
  const genuine: number[] = [];
  const impostor: number[] = [];
  for (let i = 0; i < use.length; i++) {
    for (let j = i + 1; j < use.length; j++) {
      const s = cosine((use[i] as Tagged).face?.embedding as Float32Array, (use[j] as Tagged).face?.embedding as Float32Array);
      ((use[i] as Tagged).name === (use[j] as Tagged).name ? genuine : impostor).push(s);
    }
  }
  return verification(genuine, impostor, FARS);
}

function report(model: string, faces: Tagged[], all: Verification, floored: Verification): void {
  const row = (label: string, v: Verification) =>
    `  ${label.padEnd(22)} pairs ${String(v.genuine).padStart(3)} same / ${String(v.impostor).padStart(3)} different   AUC ${v.auc.toFixed(4)}   EER ${(100 * v.eer).toFixed(1)} %   ` +
    v.at.map((a) => `TAR@FAR ${a.far}: ${(100 * a.tar).toFixed(1)} % (cos > ${a.threshold.toFixed(3)})`).join('   ');
  const found = faces.filter((t) => t.face).length;
  console.log(
    [
      `face verification, ${model}: ${found}/${faces.length} tagged faces detected (recall ${((100 * found) / faces.length).toFixed(1)} %)`,
      row('every face found', all),
      row(`quality ≥ ${FLOOR}`, floored),
      `  missed: ${faces.filter((t) => !t.face).map((t) => `${t.name} in ${t.source}`).join(', ') || 'none'}`,
    ].join('\n'),
  );
}

describe.skipIf(!hasPeople)('face verification on the tagged people of ../shared/fixtures/people', () => {
  beforeAll(async () => {
    user = mkdtempSync(join(tmpdir(), 'vigil-verification-'));
    copyFileSync(ARCFACE_MANIFEST, join(user, 'face-embedding-arcface112.json'));
    symlinkSync(ARCFACE_ONNX, join(user, 'face-embedding-arcface112.onnx'));
    engine = new WorkerAnalysisEngine({
      modelDirs: [
        { path: BUNDLED_MODELS, origin: 'bundled' },
        { path: user, origin: 'user' },
      ],
      log: silentLogger(),
      model: null,
      faceDetectorModel: 'blazeface-back-256',
      faceEmbedderModel: 'dlib-resnet-face-128',
    });
    await engine.start();
  });

  afterAll(async () => {
    await engine?.stop();
    rmSync(user, { recursive: true, force: true });
  });

  it('labels every tagged person of every photo present (index.xml regions, or a hand-read point where it has none)', () => {
    const photos = readIndex().filter((p) => p.people.length);
    expect(photos.length).toBeGreaterThanOrEqual(12);
    for (const p of photos) {
      for (const person of p.people) expect(person.at ?? FACE_AT[p.file]?.[person.name], `${person.name} in ${p.file}`).toBeDefined();
      expect(Object.keys(FACE_AT[p.file] ?? {}).sort(), p.file).toEqual(p.people.filter((x) => !x.at).map((x) => x.name).sort());
    }
  });

  it('dlib ResNet 128-d (shipped): detection recall, ROC AUC, EER and TAR at FAR 1e-2 / 1e-3, and the cosine threshold at FAR 1e-3', async () => {
    const faces = await tagged();
    const all = pairs(faces, 0);
    const floored = pairs(faces, FLOOR);
    report('BlazeFace back-256 → dlib ResNet 128-d', faces, all, floored);
    const recall = faces.filter((t) => t.face).length / faces.length;
    // Measured: 20/20 faces; over every face (a profile, sunglasses, scans 17 years apart) AUC 0.874, EER 18.4 %, TAR
    // 60.8 % with no impostor above cosine 0.909; quality ≥ 0.35: AUC 0.966, EER 11.7 %, TAR 70.2 %. 93 impostor pairs
    // cannot resolve FAR 1e-3 (or 1e-2): both thresholds are the highest impostor score.
    expect(recall).toBeGreaterThanOrEqual(0.9);
    expect(all.auc).toBeGreaterThan(0.83);
    expect(all.eer).toBeLessThan(0.22);
    expect(all.at[1]!.tar).toBeGreaterThan(0.45);
    expect(floored.auc).toBeGreaterThan(0.94);
    expect(floored.at[1]!.tar).toBeGreaterThan(0.6);
    // dlib embeddings share a large common direction: different people still score about 0.85 (MODELS.md's Euclidean
    // 0.52 at FAR 1e-3 is cosine ≈ 0.93 at their typical norm 1.45). A threshold outside this band means broken inputs.
    expect(all.at[1]!.threshold).toBeGreaterThan(0.86);
    expect(all.at[1]!.threshold).toBeLessThan(0.95);
    // The manifest's match_threshold is this measurement (rounded), so the default follows the model.
    expect(Math.abs(all.at[1]!.threshold - (engine.faceModels().match_threshold as number))).toBeLessThan(0.03);
  });

  it('ArcFace-style 112-px 512-d (test-only, plugged in through its manifest): the same measures', async () => {
    const set = await engine.setFaceModels('blazeface-back-256', 'face-embedding-arcface112');
    expect(set.ok && set.value.dim).toBe(512);
    const faces = await tagged();
    const all = pairs(faces, 0);
    const floored = pairs(faces, FLOOR);
    report('BlazeFace back-256 → ArcFace-112 512-d (4-point template)', faces, all, floored);
    expect(faces.every((t) => !t.face?.embedding || t.face.embedding.length === 512)).toBe(true);
    // Measured: over every face AUC 0.892, EER 16.3 %, TAR 59.8 % above cosine 0.289; quality ≥ 0.35: AUC 0.967, EER
    // 8.2 %, TAR 69.0 %. The 4-point template is ArcFace's own points moved by BlazeFace's offsets from dlib's 5-point
    // template: on the 17 photo faces it measured AUC 0.882 against 0.854 for the plain one (mouth = the corners' mean).
    expect(all.auc).toBeGreaterThan(0.85);
    expect(all.at[1]!.tar).toBeGreaterThan(0.5);
    expect(floored.auc).toBeGreaterThan(0.93);
    expect(floored.at[1]!.tar).toBeGreaterThan(0.6);
    expect(all.at[1]!.threshold).toBeLessThan(0.4);
    expect(Math.abs(all.at[1]!.threshold - (engine.faceModels().match_threshold as number))).toBeLessThan(0.05);
  });

  it('finds few faces in the photos of nobody (landscapes and pets)', async () => {
    const nobody = readIndex().filter((p) => !p.people.length);
    let faces = 0;
    let kept = 0;
    for (const p of nobody) {
      const r = await engine.facesInImage(await sharp(join(PEOPLE_DIR, p.file)).rotate(p.angle).toBuffer(), ALL);
      if (!r.ok) throw new Error(r.error.message);
      faces += r.value.faces.length;
      kept += r.value.faces.filter((f) => f.quality.score >= FLOOR).length;
    }
    console.log(`faces in ${nobody.length} photos of nobody: ${faces} detected, ${kept} above quality ${FLOOR} (pets' faces)`);
    // Measured: 2–3 detected, all animals (Donna the dog face on, Spiff the rabbit, one more near the 0.6 score threshold
    // depending on the JPEG encoding); a dog's face is a face to BlazeFace, and recognition must not name it.
    expect(faces).toBeLessThanOrEqual(5);
    expect(kept).toBeLessThanOrEqual(4);
  });
});
