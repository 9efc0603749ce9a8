// Recognition decisions (pure): robust references, quality-weighted votes, thresholds, min faces, negative feedback,
// revision while a track lasts, and two faces of one frame never sharing a name. real: the decision code. mock: nothing.
import { describe, expect, it } from 'vitest';
import {
  buildPersonModels,
  buildReference,
  decideTrack,
  dot,
  faceWeight,
  FaceRecognizer,
  rankPeople,
  referenceOptions,
  voteFloor,
  type FaceVote,
  type ObservedFace,
  type PersonModel,
} from '../../src-main/services/faces/recognition';
import { applySample, decideSample, type KeptSample } from '../../src-main/services/faces/sample-policy';
import { cos, faceOf, identity, unit } from './people-engine-double';

const ANN = identity(1);
const BO = identity(2);
const CY = identity(3);
const settings = { threshold: 0.6, min_faces: 2 };

const gallery = (): PersonModel[] =>
  buildPersonModels([
    ...[11, 12, 13].map((s) => ({ person_id: 1, name: 'Ann', embedding: faceOf(ANN, s) })),
    ...[21, 22, 23].map((s) => ({ person_id: 2, name: 'Bo', embedding: faceOf(BO, s) })),
  ]);
const names = new Map([
  [1, 'Ann'],
  [2, 'Bo'],
]);

const vote = (ranked: [number, number][], weight = 0.8, sample_id: number | null = null): FaceVote => ({ sample_id, weight, ranked: ranked.map(([person_id, score]) => ({ person_id, score })) });

describe('person reference', () => {
  it('is the trimmed mean of the enrolled faces and drops a face far from the others', () => {
    const faces = [31, 32, 33, 34, 35].map((s) => faceOf(ANN, s));
    const stray = faceOf(BO, 36);
    const r = buildReference([...faces, stray]);
    expect(r.outliers).toEqual([5]);
    expect(r.inliers).toEqual([0, 1, 2, 3, 4]);
    expect(dot(r.reference, ANN)).toBeGreaterThan(0.95);
    // Without outlier removal the stray would pull the reference towards Bo.
    const naive = buildReference([...faces, stray], { trim: 0, madK: 1e9, minGap: 10, floor: -2 });
    expect(dot(naive.reference, BO)).toBeGreaterThan(dot(r.reference, BO) + 0.05);
  });

  it('keeps both faces of a two-face person and every face of a tight set', () => {
    expect(buildReference([faceOf(ANN, 1), faceOf(BO, 2)]).outliers).toEqual([]);
    expect(buildReference([41, 42, 43, 44].map((s) => faceOf(ANN, s, 0.01))).outliers).toEqual([]);
  });

  it('ranks the right person first and scores a stranger low', () => {
    const g = gallery();
    expect(rankPeople(faceOf(ANN, 99), g)[0]).toMatchObject({ person_id: 1 });
    expect(rankPeople(faceOf(BO, 98), g)[0]).toMatchObject({ person_id: 2 });
    expect((rankPeople(faceOf(CY, 97), g)[0] as { score: number }).score).toBeLessThan(0.3);
    expect(rankPeople(faceOf(ANN, 99), g, 3, new Set([1]))[0]).toMatchObject({ person_id: 2 });
  });
});

describe('a compressed cosine scale (dlib: different people ≈ 0.85, threshold 0.91)', () => {
  const common = identity(1000);
  const person = (seed: number) => unit(common.map((x, i) => 2.4 * x + (identity(seed)[i] as number)));
  const P = person(1);
  const Q = person(2);
  const face = (base: Float32Array, seed: number) => faceOf(base, seed, 0.013);

  it('keeps its margins relative to the band above the threshold', () => {
    expect(cos(P, Q)).toBeGreaterThan(0.8);
    expect(cos(face(P, 1), face(P, 2))).toBeGreaterThan(0.91);
    expect(voteFloor(0.91)).toBeCloseTo(0.8875, 4);
    expect(voteFloor(0.3)).toBeCloseTo(0.125, 4);
    const r = buildReference([...[1, 2, 3, 4, 5].map((i) => face(P, i)), face(Q, 6)], referenceOptions(0.91));
    expect(r.outliers).toEqual([5]);
  });

  it('names the right person at threshold 0.91 and leaves a look-alike of the same population unknown', () => {
    const models = buildPersonModels([1, 2, 3].map((i) => ({ person_id: 1, name: 'P', embedding: face(P, i) })), referenceOptions(0.91));
    const votes = (base: Float32Array) => [10, 11, 12].map((i) => ({ sample_id: null, weight: 0.8, ranked: rankPeople(face(base, i), models) }));
    const s = { threshold: 0.91, min_faces: 2 };
    expect(decideTrack(votes(P), s, new Map([[1, 'P']]))).toMatchObject({ person_id: 1 });
    expect(decideTrack(votes(Q), s, new Map([[1, 'P']]))).toMatchObject({ person_id: null });
  });
});

describe('face weight', () => {
  it('grows with quality and face size, saturating at full size', () => {
    expect(faceWeight(0.8, 200)).toBeCloseTo(0.8);
    expect(faceWeight(0.8, 48)).toBeCloseTo(0.4);
    expect(faceWeight(0.4, 200)).toBeLessThan(faceWeight(0.8, 200));
    expect(faceWeight(1, 1)).toBeGreaterThan(0);
    expect(faceWeight(Number.NaN, 100)).toBe(0);
  });
});

describe('track decision', () => {
  it('names only when evidence clears the threshold and min_faces agree', () => {
    expect(decideTrack([vote([[1, 0.8]])], settings, names)).toMatchObject({ person_id: null, candidate: 1, agreeing: 1 });
    expect(decideTrack([vote([[1, 0.8]]), vote([[1, 0.7]])], settings, names)).toMatchObject({ person_id: 1, name: 'Ann', agreeing: 2 });
    expect(decideTrack([vote([[1, 0.8]]), vote([[1, 0.7]])], { threshold: 0.75, min_faces: 2 }, names)).toMatchObject({ person_id: null });
    expect(decideTrack([vote([[1, 0.8]])], { threshold: 0.6, min_faces: 1 }, names)).toMatchObject({ person_id: 1 });
  });

  it('weights faces: a few large sharp matches outvote many tiny unknown faces, but not many good unknown ones', () => {
    const strong = [vote([[1, 0.85]], 0.9), vote([[1, 0.8]], 0.9)];
    const tinyUnknown = Array.from({ length: 5 }, () => vote([[2, 0.1]], 0.05));
    expect(decideTrack([...strong, ...tinyUnknown], settings, names)).toMatchObject({ person_id: 1 });
    const goodUnknown = Array.from({ length: 5 }, () => vote([[2, 0.1]], 0.9));
    expect(decideTrack([...strong, ...goodUnknown], settings, names)).toMatchObject({ person_id: null, candidate: 1 });
  });

  it('follows the weighted majority between two candidates', () => {
    const d = decideTrack([vote([[1, 0.7]], 0.3), vote([[1, 0.7]], 0.3), vote([[2, 0.75]], 0.9), vote([[2, 0.72]], 0.9)], settings, names);
    expect(d).toMatchObject({ person_id: 2, name: 'Bo' });
  });

  it('negative feedback removes a sample as evidence for that person only', () => {
    const votes = [vote([[1, 0.8], [2, 0.65]], 0.8, 100), vote([[1, 0.8], [2, 0.66]], 0.8, 101)];
    expect(decideTrack(votes, settings, names)).toMatchObject({ person_id: 1 });
    const no = new Map([[100, new Set([1])]]);
    expect(decideTrack(votes, settings, names, new Set(), no)).toMatchObject({ person_id: null });
    const both = new Map([
      [100, new Set([1])],
      [101, new Set([1])],
    ]);
    expect(decideTrack(votes, settings, names, new Set(), both)).toMatchObject({ person_id: 2, name: 'Bo' });
  });
});

describe('FaceRecognizer', () => {
  const make = (opts = settings) => {
    const models = gallery();
    return new FaceRecognizer((f, top) => rankPeople(f, models, top), names, () => opts);
  };
  const face = (track_id: number, base: Float32Array, seed: number, sample_id: number | null = null): ObservedFace => ({ track_id, embedding: faceOf(base, seed), quality: 0.9, size_px: 120, sample_id });

  it('decides a track once enough faces agree, and revises it while the track lasts', () => {
    const r = make();
    expect(r.observeFrame(1, 1000, [face(5, ANN, 1)])[0]).toMatchObject({ track_id: 5, changed: false, decision: { person_id: null, candidate: 1 } });
    expect(r.observeFrame(1, 1500, [face(5, ANN, 2)])[0]).toMatchObject({ changed: true, decision: { person_id: 1, name: 'Ann' } });
    // The same track then shows Bo's face for longer (a tracker swap): the decision follows the evidence.
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push(...r.observeFrame(1, 2000 + i * 500, [face(5, BO, 10 + i)]));
    expect(seen.filter((u) => u.changed).map((u) => u.decision.person_id)).toEqual([2]);
    expect(seen.at(-1)).toMatchObject({ decision: { person_id: 2, name: 'Bo' } });
    expect(r.endTrack(1, 5)).toMatchObject({ person_id: 2 });
    expect(r.decision(1, 5)).toBeNull();
  });

  it('never gives two faces of one frame the same name', () => {
    const r = make({ threshold: 0.6, min_faces: 1 });
    // Two tracks, both faces Ann-like; track 8's faces are the better match.
    r.observeFrame(2, 1000, [face(7, ANN, 1), { ...face(8, ANN, 2), embedding: faceOf(ANN, 2, 0.02) }]);
    r.observeFrame(2, 1500, [face(7, ANN, 3), { ...face(8, ANN, 4), embedding: faceOf(ANN, 4, 0.02) }]);
    const a = r.decision(2, 7);
    const b = r.decision(2, 8);
    expect(b).toMatchObject({ person_id: 1 });
    expect(a?.person_id).not.toBe(1);
    // On another camera, at the same time, Ann may be named independently.
    r.observeFrame(3, 1000, [face(7, ANN, 5)]);
    expect(r.decision(3, 7)).toMatchObject({ person_id: 1 });
  });

  it('applies "not X" to a live track holding that sample', () => {
    const r = make();
    r.observeFrame(1, 1000, [face(5, ANN, 1, 501)]);
    r.observeFrame(1, 1500, [face(5, ANN, 2, 502)]);
    expect(r.decision(1, 5)).toMatchObject({ person_id: 1 });
    const u = r.reject(501, 1);
    expect(u[0]).toMatchObject({ track_id: 5, changed: true, decision: { person_id: null } });
  });

  it('re-ranks live tracks when the gallery changes, and forgets idle tracks', () => {
    const r = new FaceRecognizer(() => [], new Map(), () => settings, { maxFacesPerTrack: 3, trackTtlMs: 10_000, top: 3 });
    r.observeFrame(1, 1000, [face(5, ANN, 1)]);
    r.observeFrame(1, 1100, [face(5, ANN, 2)]);
    expect(r.decision(1, 5)).toMatchObject({ person_id: null });
    const models = gallery();
    const ups = r.setGallery((f, top) => rankPeople(f, models, top), names);
    expect(ups[0]).toMatchObject({ changed: true, decision: { person_id: 1 } });
    r.observeFrame(1, 30_000, [face(6, BO, 3)]);
    expect(r.decision(1, 5)).toBeNull();
    expect(r.size).toBe(1);
  });
});

describe('sample keep rule', () => {
  const p = { minQuality: 0.3, maxPerTrack: 3 };
  const run = (faces: [number, number][]) => {
    let kept: KeptSample[] = [];
    let id = 0;
    const decisions = faces.map(([ts, q]) => {
      const d = decideSample(kept, ts, q, p);
      kept = applySample(kept, d, ++id, ts, q);
      return d;
    });
    return { kept, decisions };
  };

  it('keeps one face per track-second, the better one winning', () => {
    const r = run([
      [1000, 0.5],
      [1400, 0.4],
      [1800, 0.7],
      [2100, 0.6],
    ]);
    expect(r.decisions.map((d) => d.action)).toEqual(['insert', 'drop', 'insert', 'insert']);
    expect(r.decisions[2]).toEqual({ action: 'insert', replace: 1 });
    expect(r.kept.map((k) => k.id).sort()).toEqual([3, 4]);
  });

  it('drops faces under the quality floor and keeps the best maxPerTrack of a long track', () => {
    expect(decideSample([], 0, 0.2, p)).toEqual({ action: 'drop', reason: 'low-quality' });
    const r = run([
      [0, 0.5],
      [1000, 0.6],
      [2000, 0.4],
      [3000, 0.45],
      [4000, 0.9],
      [5000, 0.3],
    ]);
    expect(r.decisions[3]).toEqual({ action: 'insert', replace: 3 });
    expect(r.decisions[5]).toEqual({ action: 'drop', reason: 'track-full' });
    expect(r.kept.map((k) => k.quality).sort()).toEqual([0.5, 0.6, 0.9]);
  });
});
