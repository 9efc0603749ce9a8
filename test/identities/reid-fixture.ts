// The re-identification fixture: vtest.avi played by two cameras (the second colour-shifted by ffmpeg and later) through the real detector, tracker and appearance histograms; hand-labelled walkers; an in-memory identity store; purity and fragmentation.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AnalysisEngine, Box, CameraAnalysisConfig, Detection } from '../../src-main/ports/analysis-engine.port';
import type { FaceEngine } from '../../src-main/ports/face-engine.port';
import { defaultTuning, type CameraTuning } from '../../src-main/shared/contract/cameras.contract';
import { initialTrackerState, trackerConfigFromTuning, updateTracker, type TrackerState } from '../../src-main/services/analysis/tracker';
import type { LinkEvidence, SightingSummary } from '../../src-main/services/identities/identity-model';
import type { MaintenanceIdentity } from '../../src-main/services/identities/maintenance';
import { SightingBuilder, occludedBoxes } from '../../src-main/services/identities/sighting-builder';
import {
  DEFAULT_LABELS,
  appearanceSimilarity,
  decideLink,
  type EvidenceLabels,
  type LinkAppearanceExemplar,
  type LinkFaceExemplar,
  type LinkCandidate,
  type LinkConfig,
  type NeverTogether,
  type SightingRef,
  type TransitModel,
} from '../../src-main/services/identities/linking';

export const REPO = resolve(import.meta.dirname, '..', '..');
/** The shared fixture, else the demo copy (byte-identical). */
export const VTEST = existsSync('/work/shared/fixtures/video/vtest.avi') ? '/work/shared/fixtures/video/vtest.avi' : join(REPO, 'resources', 'demo', 'vtest.avi');
export const BUNDLED_MODELS = join(REPO, 'resources', 'models');
/** vtest.avi: 768×576 at 10 fps, 79.5 s. */
export const SRC_W = 768;
export const SRC_H = 576;
export const DET_W = 416;
export const DET_H = 312;

/** One camera of the scenario: the same clip, optionally colour-shifted by an ffmpeg filter and shifted in time. */
export interface CameraPlan {
  camera_id: number;
  name: string;
  /** ffmpeg filter applied before scaling (null: the clip as is). */
  filter: string | null;
  /** Added to the clip time to make the camera's timestamps. */
  offset_ms: number;
}

/**
 * Another camera's rendering of the same people: a different tone curve and saturation (eq, on the decoder's YUV), then
 * a warmer colour balance (colorbalance midtones, colorchannelmixer gains). The order was measured to matter: with the
 * cast first and gamma and saturation after it (a camera whose white balance is off and which then boosts saturation),
 * the cast becomes a chroma offset that grey-world normalisation cannot undo: the AUC of the labelled sighting pairs
 * falls from 0.98 to 0.92 and fragmentation rises from 1.33 to 1.67 (1.50 after maintenance); purity stays 1.00.
 */
export const CAMERA_B_FILTER = 'eq=gamma=1.15:saturation=1.2,colorbalance=rm=0.06:bm=-0.06,colorchannelmixer=rr=1.08:bb=0.88';

export interface ClipPlan {
  from_s: number;
  to_s: number;
  fps: number;
  /** Faces and appearance on every n-th detector frame (face frames come at a lower rate than detection, as live). */
  faces_every: number;
}

/** A track's box on one analysed frame, in clip seconds (what ground truth is compared with). */
export interface TrackPoint {
  t: number;
  box: Box;
}

export interface FixtureSighting {
  summary: SightingSummary;
  /** The track's matched boxes on the face frames, in clip time. */
  path: TrackPoint[];
  appearance_frames: number;
}

export interface CameraRun {
  sightings: FixtureSighting[];
  frames: number;
  detections: number;
  ms: { decode: number; detect: number; faces: number };
}

/**
 * rgb24 frames of `file` from `from_s` for `dur_s` at `fps` through `vf`, as ffmpeg (no shell) writes them. One process
 * per stream: vtest.avi has a keyframe every 25 s, so seeking once per chunk would decode most of the clip again.
 */
async function* ffmpegFrames(file: string, from_s: number, dur_s: number, fps: number, vf: string, w: number, h: number): AsyncGenerator<Buffer> {
  const args = ['-hide_banner', '-loglevel', 'error', '-ss', String(from_s), '-t', String(dur_s), '-i', file, '-vf', `fps=${fps},${vf}`, '-pix_fmt', 'rgb24', '-f', 'rawvideo', '-'];
  const child = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const bytes = w * h * 3;
  let pending: Buffer[] = [];
  let have = 0;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      pending.push(chunk);
      have += chunk.length;
      while (have >= bytes) {
        const all = Buffer.concat(pending);
        yield all.subarray(0, bytes);
        pending = [all.subarray(bytes)];
        have -= bytes;
      }
    }
    const code = await exited;
    if (code !== 0) throw new Error(`ffmpeg exited with ${code}: ${stderr}`);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

/** The default camera tuning, detecting on every analysed frame. */
const tuning = (fps: number): CameraTuning => ({ ...defaultTuning, detect_interval: 1 / fps });

/** As the analysis service asks (scores down to the tracker's low stage, the camera's NMS IoU), persons only. */
const detectConfig = (t: CameraTuning): CameraAnalysisConfig => ({
  motion: { threshold: t.motion_threshold, min_area: t.motion_min_area, masks: [] },
  detect: 'always',
  conf: Math.min(t.detect_conf, 0.1),
  iou: t.detect_iou,
  classes: ['person'],
  min_interval_ms: 0,
});

/**
 * Plays the clip as one camera: frames sized by ffmpeg for the detector and at the camera's resolution for faces and
 * appearance, NanoDet in the analysis worker, the tracker, facesInFrame on the tracked boxes, one SightingBuilder per
 * track. A track becomes a sighting when it ends (or the clip does) if it was confirmed and seen on `min_frames` frames.
 */
export async function runCamera(engine: AnalysisEngine & FaceEngine, cam: CameraPlan, clip: ClipPlan, min_frames = 3): Promise<CameraRun> {
  const t = tuning(clip.fps);
  const cfg = trackerConfigFromTuning(t);
  const detect = detectConfig(t);
  let tracker: TrackerState = initialTrackerState();
  const builders = new Map<number, { b: SightingBuilder; path: TrackPoint[]; confirmed: boolean }>();
  const out: FixtureSighting[] = [];
  const ms = { decode: 0, detect: 0, faces: 0 };
  let frames = 0;
  let detections = 0;
  const pre = cam.filter ? `${cam.filter},` : '';

  const end = (id: number): void => {
    const b = builders.get(id);
    builders.delete(id);
    if (!b || !b.confirmed || b.b.observations < min_frames) return;
    out.push({
      summary: b.b.finish({ object_class: 'person', event_id: null, crop_jpeg: null, face_model: null, person_id: null, color: null }),
      path: b.path,
      appearance_frames: b.b.appearanceFrames,
    });
  };

  const dur = clip.to_s - clip.from_s;
  const small = ffmpegFrames(VTEST, clip.from_s, dur, clip.fps, `${pre}scale=${DET_W}:${DET_H}`, DET_W, DET_H);
  const full = ffmpegFrames(VTEST, clip.from_s, dur, clip.fps / clip.faces_every, `${pre}null`, SRC_W, SRC_H);
  for (let i = 0; ; i++) {
    let t0 = performance.now();
    const next = await small.next();
    if (next.done) break;
    const faceFrame = i % clip.faces_every === 0 ? await full.next() : null;
    ms.decode += performance.now() - t0;
    if (faceFrame?.done) break;
    const clipS = clip.from_s + i / clip.fps;
    const ts = Math.round(clipS * 1000) + cam.offset_ms;
    t0 = performance.now();
    const o = await engine.submit({ camera_id: cam.camera_id, ts_ms: ts, width: DET_W, height: DET_H, format: 'rgb24', data: Buffer.from(next.value) }, detect);
    ms.detect += performance.now() - t0;
    if (o.status !== 'analysed' || o.result.detector.status !== 'ran') throw new Error(`camera ${cam.camera_id} frame ${clipS}s not analysed: ${JSON.stringify(o)}`);
    const dets: Detection[] = o.result.detector.detections.filter((d) => d.label === 'person');
    detections += dets.length;
    frames++;
    const u = updateTracker(tracker, ts, dets, cfg);
    tracker = u.state;
    for (const id of u.ended) end(id);
    const live = u.tracks.filter((v) => v.matched && v.confirmed);
    for (const v of u.tracks) {
      const b = builders.get(v.id) ?? { b: new SightingBuilder(cam.camera_id, v.id), path: [], confirmed: false };
      b.confirmed ||= v.confirmed;
      builders.set(v.id, b);
    }
    if (!live.length || !faceFrame) continue;
    const boxes = live.map((v) => v.box);
    // Occlusion is judged against every detection of the frame, tracked or not.
    const all = [...boxes, ...dets.filter((_, k) => !live.some((v) => v.det_index === k)).map((d) => d.box)];
    const occluded = occludedBoxes(all).slice(0, boxes.length);
    t0 = performance.now();
    const r = await engine.facesInFrame({ camera_id: cam.camera_id, ts_ms: ts, width: SRC_W, height: SRC_H, rgb: Buffer.from(faceFrame.value) }, boxes, { min_quality: 0.35, max_faces: 8, crops: false });
    ms.faces += performance.now() - t0;
    if (!r.ok) throw new Error(`facesInFrame: ${r.error.kind}: ${r.error.message}`);
    live.forEach((v, k) => {
      const face = r.value.faces.find((f) => f.region === k && f.embedding);
      const b = builders.get(v.id)!;
      b.path.push({ t: clipS, box: [...v.box] });
      b.b.observe({
        ts_ms: ts,
        box: v.box,
        score: v.score,
        appearance: r.value.appearance[k] ?? null,
        occluded: occluded[k] ?? false,
        face: face?.embedding ? { sample_id: null, embedding: face.embedding, quality: face.quality.score } : null,
      });
    });
  }
  await Promise.all([small.return(undefined), full.return(undefined)]);
  for (const id of [...builders.keys()]) end(id);
  return { sightings: out, frames, detections, ms };
}

// ground truth

/** A walker seen from `keys[0].t` to the last key, its box (768×576 pixels [x, y, w, h]) interpolated between keys. */
export interface WalkerSpan {
  keys: { t: number; px: Box }[];
}

export interface Walker {
  name: string;
  spans: WalkerSpan[];
}

const lerp = (a: Box, b: Box, k: number): Box => [0, 1, 2, 3].map((i) => (a[i] as number) + ((b[i] as number) - (a[i] as number)) * k) as Box;

/** The walker's box at clip time `t`, normalised; null outside its spans. */
export function walkerBox(w: Walker, t: number): Box | null {
  for (const s of w.spans) {
    const first = s.keys[0];
    const last = s.keys[s.keys.length - 1];
    if (!first || !last || t < first.t - 1e-6 || t > last.t + 1e-6) continue;
    let px: Box = first.px;
    for (let i = 0; i + 1 < s.keys.length; i++) {
      const a = s.keys[i]!;
      const b = s.keys[i + 1]!;
      if (t >= a.t && t <= b.t) px = lerp(a.px, b.px, b.t > a.t ? (t - a.t) / (b.t - a.t) : 0);
    }
    return [px[0] / SRC_W, px[1] / SRC_H, px[2] / SRC_W, px[3] / SRC_H];
  }
  return null;
}

export function iou(a: Box, b: Box): number {
  const ix = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  const iy = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  if (ix <= 0 || iy <= 0) return 0;
  return (ix * iy) / (a[2] * a[3] + b[2] * b[3] - ix * iy);
}

/**
 * The labelled walker a track is: the one whose boxes its own overlap most (summed IoU over its frames), if on at least
 * `min_share` of its frames that walker's box overlaps the track's at IoU ≥ 0.3; else null (unlabelled: ignored).
 */
export function trueWalker(path: readonly TrackPoint[], walkers: readonly Walker[], min_share = 0.5): string | null {
  let best: { name: string; sum: number; hits: number } | null = null;
  for (const w of walkers) {
    let sum = 0;
    let hits = 0;
    for (const p of path) {
      const b = walkerBox(w, p.t);
      if (!b) continue;
      const v = iou(b, p.box);
      sum += v;
      if (v >= 0.3) hits++;
    }
    if (sum > 0 && (!best || sum > best.sum)) best = { name: w.name, sum, hits };
  }
  return best && best.hits >= min_share * path.length ? best.name : null;
}

// in-memory identities

export interface StoredIdentity {
  id: number;
  object_class: string;
  sightings: { ref: SightingRef; summary: SightingSummary; evidence: LinkEvidence }[];
}

/** What linking needs of storage, in memory: every sighting is an appearance exemplar (the newest `maxExemplars`) and a face exemplar when it has a face. */
export class MemoryIdentities {
  readonly identities = new Map<number, StoredIdentity>();
  private nextIdentity = 1;
  private nextSighting = 1;

  constructor(
    private readonly labels: EvidenceLabels = DEFAULT_LABELS,
    private readonly maxExemplars = 20,
  ) {}

  candidates(objectClass: string): LinkCandidate[] {
    return [...this.identities.values()]
      .filter((i) => i.object_class === objectClass)
      .map((i) => {
        const newest = [...i.sightings].sort((a, b) => b.ref.end_ms - a.ref.end_ms).slice(0, this.maxExemplars);
        const faces: LinkFaceExemplar[] = newest.flatMap((s) => (s.summary.face_embedding ? [{ embedding: s.summary.face_embedding, model: s.summary.face_model, weight: s.summary.face_weight ?? null, sighting: s.ref }] : []));
        const apps: LinkAppearanceExemplar[] = newest.flatMap((s) => (s.summary.appearance ? [{ descriptor: s.summary.appearance, sighting: s.ref }] : []));
        return { identity_id: i.id, is_named: false, object_class: i.object_class, person_id: null, face_exemplars: faces, appearance_exemplars: apps, recent_sightings: i.sightings.map((s) => s.ref) };
      });
  }

  /** Links and stores one sighting; returns its id and the decision. */
  link(s: SightingSummary, never: NeverTogether, cfg: LinkConfig, transit: TransitModel): { sighting_id: number; identity_id: number; evidence: LinkEvidence } {
    const evidence = decideLink(s, this.candidates(s.object_class), never, cfg, transit, this.labels);
    const ref: SightingRef = { id: this.nextSighting++, camera_id: s.camera_id, start_ms: s.start_ms, end_ms: s.end_ms };
    let identity = evidence.identity_id === null ? undefined : this.identities.get(evidence.identity_id);
    if (!identity) {
      identity = { id: this.nextIdentity++, object_class: s.object_class, sightings: [] };
      this.identities.set(identity.id, identity);
    }
    identity.sightings.push({ ref, summary: s, evidence });
    return { sighting_id: ref.id, identity_id: identity.id, evidence };
  }

  /** Every identity with all its sightings, for the maintenance pass. */
  maintenanceView(): MaintenanceIdentity[] {
    return this.candidates('person').map((c) => ({ ...c, sightings: this.identities.get(c.identity_id)?.sightings.map((s) => s.ref) ?? [] }));
  }

  /** Moves every sighting of `sources` into `target`. */
  merge(target: number, sources: readonly number[]): void {
    const t = this.identities.get(target);
    if (!t) return;
    for (const id of sources) {
      const s = this.identities.get(id);
      if (!s || id === target) continue;
      t.sightings.push(...s.sightings);
      this.identities.delete(id);
    }
  }
}

// metrics

export interface ReidFigures {
  /** Labelled sightings in identities, weighted: Σ max-walker count / Σ labelled count. */
  purity: number;
  /** Mean number of identities holding a labelled walker's sightings. */
  fragmentation: number;
  labelled: number;
  identities_with_labelled: number;
  /** Per walker: its sightings' identities. */
  per_walker: Record<string, number[]>;
}

/** `truth`: sighting key → walker (labelled sightings only); `identityOf`: sighting key → identity id. */
export function reidFigures(truth: ReadonlyMap<string, string>, identityOf: ReadonlyMap<string, number>): ReidFigures {
  const byIdentity = new Map<number, Map<string, number>>();
  const byWalker = new Map<string, Set<number>>();
  for (const [key, walker] of truth) {
    const id = identityOf.get(key);
    if (id === undefined) continue;
    const m = byIdentity.get(id) ?? new Map<string, number>();
    m.set(walker, (m.get(walker) ?? 0) + 1);
    byIdentity.set(id, m);
    const w = byWalker.get(walker) ?? new Set<number>();
    w.add(id);
    byWalker.set(walker, w);
  }
  let top = 0;
  let all = 0;
  for (const m of byIdentity.values()) {
    const counts = [...m.values()];
    top += Math.max(...counts);
    all += counts.reduce((a, b) => a + b, 0);
  }
  const frags = [...byWalker.values()].map((s) => s.size);
  return {
    purity: all ? top / all : 1,
    fragmentation: frags.length ? frags.reduce((a, b) => a + b, 0) / frags.length : 0,
    labelled: all,
    identities_with_labelled: byIdentity.size,
    per_walker: Object.fromEntries([...byWalker.entries()].map(([w, s]) => [w, [...s].sort((a, b) => a - b)])),
  };
}

/** Appearance similarity of every pair of labelled sightings, split by same / different walker, and the AUC between the two. */
export function pairwiseAppearance(labelled: readonly { summary: SightingSummary; walker: string }[], featuresWeight: number): { same: number[]; different: number[]; auc: number } {
  const same: number[] = [];
  const different: number[] = [];
  for (let i = 0; i < labelled.length; i++) {
    for (let j = i + 1; j < labelled.length; j++) {
      const a = labelled[i]!;
      const b = labelled[j]!;
      if (!a.summary.appearance || !b.summary.appearance) continue;
      (a.walker === b.walker ? same : different).push(appearanceSimilarity(a.summary.appearance, b.summary.appearance, featuresWeight).score);
    }
  }
  let wins = 0;
  for (const s of same) for (const d of different) wins += s > d ? 1 : s === d ? 0.5 : 0;
  return { same, different, auc: same.length && different.length ? wins / (same.length * different.length) : 0 };
}

/** The value below which a share `p` of `xs` lies. */
export const quantile = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.floor(p * (s.length - 1))))] ?? Number.NaN;
};

export const sightingKey = (s: Pick<SightingSummary, 'camera_id' | 'track_id'>): string => `${s.camera_id}:${s.track_id}`;

/**
 * Six walkers of vtest.avi between 28 s and 79 s, labelled by hand: each key is [clip second, x, y, w, h] of a box (768×576
 * px) on the walker, about one a second. Camera A's tracker boxes were drawn on the frames as a ruler; a key was kept
 * only where a crop of the frame showed that walker in the box (strips of crops checked by eye; keys where the box held
 * two people dropped). Spans stop where the walker merges with someone (the red-navy man and the blonde woman share
 * one box around 53 s) or is hidden. Four wear dark tops: hard negatives for each other.
 */
export const WALKERS: Walker[] = (
  [
    {
      name: 'red-navy jacket man',
      spans: [
        [[29, 593, 147, 26, 74], [29.8, 584, 155, 28, 75], [31, 586, 170, 32, 80], [31.8, 593, 179, 33, 82], [33, 614, 193, 32, 87], [33.8, 636, 207, 33, 92], [35, 672, 222, 30, 97]],
        [[61, 528, 294, 57, 108], [61.8, 575, 267, 40, 115], [63, 619, 235, 40, 98], [63.8, 643, 216, 37, 93], [65, 642, 192, 30, 87], [65.8, 628, 179, 28, 84], [67, 573, 164, 28, 73], [67.8, 527, 160, 38, 71], [69, 441, 148, 32, 76], [71, 348, 157, 25, 71], [71.8, 305, 165, 29, 76], [73, 278, 182, 28, 76], [73.8, 268, 194, 34, 75], [75, 237, 215, 37, 86], [75.8, 234, 233, 45, 88], [77, 288, 245, 41, 96], [77.8, 339, 257, 49, 103], [79, 421, 270, 31, 118]],
      ],
    },
    {
      name: 'blonde woman, black coat',
      spans: [
        [[29, 620, 152, 24, 69], [29.8, 614, 160, 27, 72], [31, 617, 174, 27, 74], [31.8, 626, 181, 28, 77], [33, 644, 202, 30, 79], [33.8, 667, 208, 28, 87], [35, 694, 224, 37, 93]],
        [[55, 234, 374, 55, 137], [55.8, 200, 383, 60, 146], [57, 172, 409, 63, 153], [57.8, 172, 428, 57, 147], [59, 259, 430, 68, 146], [59.8, 268, 431, 60, 145], [61, 333, 428, 68, 147], [61.8, 375, 426, 55, 149], [63, 352, 398, 56, 142], [63.8, 334, 385, 54, 142], [65, 331, 370, 54, 145], [65.8, 312, 359, 52, 135], [67, 226, 345, 62, 124], [67.8, 175, 332, 48, 123], [69, 118, 307, 46, 122], [69.8, 106, 289, 43, 110], [71, 63, 267, 47, 103], [71.8, 57, 251, 36, 98], [73, 94, 230, 34, 85]],
      ],
    },
    {
      name: 'woman in red jacket',
      spans: [
        [[43, 683, 272, 40, 100], [43.8, 628, 261, 38, 98], [45, 558, 243, 36, 94], [45.8, 523, 232, 31, 88], [47, 457, 216, 28, 85], [49, 359, 194, 26, 76], [49.8, 316, 192, 30, 74], [51, 260, 183, 28, 75], [51.8, 234, 179, 24, 72], [53, 188, 172, 33, 73], [53.8, 162, 171, 29, 67], [55, 125, 165, 30, 68], [55.8, 89, 167, 28, 69], [57, 25, 173, 24, 70]],
        [[61, 7, 186, 34, 66], [61.8, 58, 181, 30, 68], [63, 115, 140, 32, 94], [63.8, 157, 162, 36, 70], [65, 222, 156, 20, 67], [65.8, 259, 156, 25, 64], [67, 326, 149, 27, 66], [67.8, 370, 149, 32, 68], [69.8, 468, 140, 23, 63], [71, 517, 130, 22, 61], [71.8, 551, 124, 26, 64], [73, 591, 119, 25, 61], [73.8, 617, 114, 21, 62], [75, 660, 117, 27, 60], [75.8, 681, 122, 23, 59], [77, 682, 128, 24, 62], [77.8, 667, 134, 24, 66], [79, 653, 144, 22, 66]],
      ],
    },
    {
      name: 'bald man, black jacket, jeans',
      spans: [
        [[27.8, 116, 147, 25, 66], [29, 143, 152, 30, 73], [29.8, 178, 159, 25, 74], [31, 245, 163, 29, 79], [31.8, 288, 168, 32, 80], [33, 360, 175, 35, 83], [34.2, 438, 172, 25, 93], [35, 472, 188, 38, 88], [35.8, 524, 193, 37, 92], [37, 598, 203, 32, 96], [37.8, 649, 209, 40, 101]],
        [[47, 670, 296, 45, 128], [47.8, 615, 276, 44, 118], [49, 570, 252, 36, 109], [50.2, 556, 235, 39, 109], [51, 537, 223, 32, 101], [51.8, 499, 208, 37, 101], [53, 457, 189, 33, 93], [53.8, 441, 178, 31, 89], [55.8, 385, 159, 31, 78], [57, 338, 149, 31, 75], [57.8, 296, 144, 29, 76], [59, 232, 146, 19, 68], [59.8, 193, 145, 28, 67], [61, 148, 142, 22, 67], [61.8, 125, 140, 19, 68], [63.8, 113, 141, 27, 69], [65, 140, 149, 24, 72], [65.8, 167, 149, 25, 72], [67, 218, 157, 36, 73], [67.8, 259, 158, 32, 78], [69, 326, 164, 32, 81], [69.8, 355, 173, 33, 81], [71.8, 456, 195, 31, 95], [73, 524, 211, 25, 85], [73.8, 561, 184, 38, 134], [75, 637, 217, 40, 101], [75.8, 652, 207, 35, 97], [77, 621, 198, 29, 93], [77.8, 608, 201, 33, 95], [79, 634, 223, 36, 101]],
      ],
    },
    {
      name: 'man in black coat and trousers, glasses',
      spans: [
        [[39, 571, 153, 26, 61], [39.8, 587, 139, 28, 67], [41, 574, 141, 25, 58], [41.8, 556, 143, 28, 63], [43, 521, 157, 30, 65], [43.8, 501, 164, 29, 72], [45, 484, 182, 32, 75], [45.8, 499, 200, 31, 74], [47, 539, 225, 32, 85], [47.8, 569, 242, 34, 92], [49, 614, 265, 36, 95], [49.8, 612, 273, 30, 99], [51, 612, 272, 38, 99], [51.8, 617, 271, 37, 97], [53, 631, 269, 35, 99], [53.8, 639, 283, 40, 100], [55, 641, 303, 31, 108], [55.8, 641, 304, 31, 106], [57, 641, 306, 31, 105], [57.8, 637, 305, 35, 105], [59, 638, 305, 35, 107], [59.8, 641, 305, 32, 106], [61, 640, 304, 31, 107]],
        [[65, 467, 224, 34, 87], [65.8, 459, 210, 34, 84], [67, 468, 184, 30, 79], [67.8, 481, 173, 29, 73], [69, 524, 160, 28, 67], [69.8, 521, 163, 28, 68], [71, 494, 182, 27, 70], [71.8, 486, 189, 29, 76], [73, 554, 190, 32, 76], [74.2, 546, 185, 28, 70], [75, 509, 177, 27, 72]],
      ],
    },
    {
      name: 'man in light-blue jacket',
      spans: [
        [[65.8, 719, 304, 35, 114], [67, 566, 267, 32, 104], [67.8, 472, 251, 40, 99], [69, 348, 225, 40, 92], [69.8, 287, 205, 42, 96], [71, 201, 196, 30, 75], [71.8, 142, 181, 28, 81], [73, 67, 176, 27, 69], [73.8, 23, 171, 27, 66]],
      ],
    },
  ] as { name: string; spans: number[][][] }[]
).map((w) => ({ name: w.name, spans: w.spans.map((keys) => ({ keys: keys.map(([t, x, y, bw, bh]) => ({ t: t as number, px: [x, y, bw, bh] as Box })) })) }));
