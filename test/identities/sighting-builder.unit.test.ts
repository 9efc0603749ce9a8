// Sighting builder (pure): quality-weighted appearance over clean frames, edge and occlusion handling, the track's mean face, summary fields.
import { describe, expect, it } from 'vitest';
import type { Box } from '../../src-main/ports/analysis-engine.port';
import type { AppearanceHist } from '../../src-main/ports/face-engine.port';
import { SightingBuilder, coveredShare, cutByEdge, occludedBoxes, type SightingFinish, type SightingObservation } from '../../src-main/services/identities/sighting-builder';

/** A 128-bin histogram with all its mass in `bin`, or split over several bins. */
function hist(...mass: [number, number][]): Float32Array {
  const h = new Float32Array(128);
  for (const [bin, m] of mass) h[bin] = m;
  return h;
}
const look = (upperBin: number, lowerBin: number): AppearanceHist => ({ upper: hist([upperBin, 1]), lower: hist([lowerBin, 1]) });
const unit = (...v: number[]): Float32Array => {
  const n = Math.hypot(...v);
  return Float32Array.from(v.map((x) => x / n));
};

const MID: Box = [0.4, 0.3, 0.1, 0.3];
const obs = (o: Partial<SightingObservation> = {}): SightingObservation => ({ ts_ms: 1000, box: MID, score: 0.8, appearance: look(1, 2), occluded: false, face: null, ...o });
const FINISH: SightingFinish = { object_class: 'person', event_id: 7, crop_jpeg: null, face_model: 'dlib-resnet-face-128', person_id: null, color: null };

describe('SightingBuilder', () => {
  it('averages the histograms weighted by detection score and box height, each band still summing to 1', () => {
    const b = new SightingBuilder(3, 11);
    // Full weight: score 1, 30 % of the frame tall (≥ 20 %). Half weight: score 0.5, same height.
    b.observe(obs({ ts_ms: 1000, score: 1, appearance: look(1, 2) }));
    b.observe(obs({ ts_ms: 1200, score: 0.5, appearance: look(5, 6) }));
    const s = b.finish(FINISH);
    expect(s.appearance!.upper[1]).toBeCloseTo(2 / 3, 5);
    expect(s.appearance!.upper[5]).toBeCloseTo(1 / 3, 5);
    expect(s.appearance!.lower[2]).toBeCloseTo(2 / 3, 5);
    expect(s.appearance!.upper.reduce((a, x) => a + x, 0)).toBeCloseTo(1, 5);
    expect(s.appearance!.features).toBeNull();
    expect(b.appearanceFrames).toBe(2);
  });

  it('weighs a small box in proportion to its height, never below the floor', () => {
    const b = new SightingBuilder(1, 1);
    b.observe(obs({ box: [0.4, 0.3, 0.05, 0.1], score: 1, appearance: look(1, 1) })); // half of full height → 0.5
    b.observe(obs({ box: [0.4, 0.3, 0.1, 0.2], score: 1, appearance: look(2, 2) })); // full → 1
    b.observe(obs({ box: [0.4, 0.3, 0.01, 0.001], score: 1, appearance: look(3, 3) })); // tiny → floor 0.1
    const u = b.finish(FINISH).appearance!.upper;
    expect(u[1]).toBeCloseTo(0.5 / 1.6, 5);
    expect(u[2]).toBeCloseTo(1 / 1.6, 5);
    expect(u[3]).toBeCloseTo(0.1 / 1.6, 5);
  });

  it('leaves out occluded frames, and frames cut by the frame edge while the track has clean ones', () => {
    const b = new SightingBuilder(1, 1);
    b.observe(obs({ appearance: look(1, 1) }));
    b.observe(obs({ appearance: look(9, 9), occluded: true }));
    b.observe(obs({ box: [0, 0.3, 0.1, 0.3], appearance: look(8, 8) }));
    b.observe(obs({ box: [0.9, 0.75, 0.1, 0.25], appearance: look(7, 7) }));
    const u = b.finish(FINISH).appearance!.upper;
    expect(u[1]).toBeCloseTo(1, 5);
    expect(u[7]! + u[8]! + u[9]!).toBe(0);
  });

  it('falls back to edge-cut frames when it has no clean one, and has no appearance when every frame is occluded', () => {
    const edge = new SightingBuilder(1, 1);
    edge.observe(obs({ box: [0, 0.3, 0.1, 0.3], appearance: look(8, 8) }));
    edge.observe(obs({ appearance: look(9, 9), occluded: true }));
    expect(edge.finish(FINISH).appearance!.upper[8]).toBeCloseTo(1, 5);
    expect(edge.appearanceFrames).toBe(1);

    const hidden = new SightingBuilder(1, 2);
    hidden.observe(obs({ occluded: true }));
    hidden.observe(obs({ appearance: null }));
    expect(hidden.finish(FINISH).appearance).toBeNull();
    expect(hidden.appearanceFrames).toBe(0);
    expect(hidden.observations).toBe(2);
  });

  it('averages appearance-model features with the same weights and normalises them', () => {
    const b = new SightingBuilder(1, 1);
    b.observe(obs({ features: unit(1, 0) }));
    b.observe(obs({ features: unit(0, 1) }));
    b.observe(obs({ features: unit(0, 1), occluded: true }));
    const f = b.finish(FINISH).appearance!.features!;
    expect(f[0]).toBeCloseTo(Math.SQRT1_2, 5);
    expect(f[1]).toBeCloseTo(Math.SQRT1_2, 5);
  });

  it('makes the face embedding the quality-weighted, normalised mean of the clean frames’ faces, with their weight and sample ids', () => {
    const b = new SightingBuilder(1, 1);
    b.observe(obs({ face: { sample_id: 41, embedding: unit(1, 0, 0), quality: 0.9 } }));
    b.observe(obs({ face: { sample_id: 42, embedding: unit(0, 1, 0), quality: 0.3 } }));
    b.observe(obs({ face: { sample_id: 41, embedding: unit(1, 0, 0), quality: 0.9 } }));
    // Someone in front: that face may be theirs.
    b.observe(obs({ occluded: true, face: { sample_id: 43, embedding: unit(0, 0, 1), quality: 1 } }));
    b.observe(obs({ face: { sample_id: null, embedding: unit(1, 0, 0), quality: 0 } }));
    const s = b.finish(FINISH);
    const e = s.face_embedding!;
    // Weights 0.9 + 0.9 + 0.05 (the quality floor) on x, 0.3 on y, nothing on z.
    const n = Math.hypot(1.85, 0.3);
    expect(e[0]).toBeCloseTo(1.85 / n, 5);
    expect(e[1]).toBeCloseTo(0.3 / n, 5);
    expect(e[2]).toBe(0);
    expect(s.face_weight).toBeCloseTo(2.15, 5);
    expect(s.face_sample_ids).toEqual([41, 42, 43]);
    expect(s.face_model).toBe('dlib-resnet-face-128');
  });

  it('uses occluded faces only when the track has no other', () => {
    const b = new SightingBuilder(1, 1);
    b.observe(obs({ occluded: true, face: { sample_id: 1, embedding: unit(0, 1), quality: 0.6 } }));
    const s = b.finish(FINISH);
    expect(Array.from(s.face_embedding!)).toEqual([0, 1]);
    expect(s.face_weight).toBeCloseTo(0.6, 5);
    const none = new SightingBuilder(1, 2).finish(FINISH);
    expect(none.face_embedding).toBeNull();
    expect(none.face_weight).toBe(0);
  });

  it('takes the span and best detection from its frames, unless the tracker gives them, and copies the rest', () => {
    const b = new SightingBuilder(4, 9);
    b.observe(obs({ ts_ms: 5000, score: 0.6, box: [0.1, 0.1, 0.1, 0.3] }));
    b.observe(obs({ ts_ms: 4000, score: 0.9, box: [0.2, 0.1, 0.1, 0.3] }));
    b.observe(obs({ ts_ms: 6000, score: 0.7 }));
    const s = b.finish({ ...FINISH, person_id: 12, color: { name: 'red', hex: '#c00000' } });
    expect(s).toMatchObject({ camera_id: 4, track_id: 9, object_class: 'person', start_ms: 4000, end_ms: 6000, event_id: 7, best_ms: 4000, best_score: 0.9, person_id: 12, color: { name: 'red', hex: '#c00000' } });
    expect(s.best_box).toEqual([0.2, 0.1, 0.1, 0.3]);
    const t = b.finish({ ...FINISH, best: { box: [0.3, 0.3, 0.1, 0.2], ms: 5500, score: 0.95 }, start_ms: 3500, end_ms: 7000 });
    expect(t).toMatchObject({ start_ms: 3500, end_ms: 7000, best_ms: 5500, best_score: 0.95 });
  });
});

describe('occlusion helpers', () => {
  it('cutByEdge: a box touching any side of the frame', () => {
    expect(cutByEdge([0.4, 0.3, 0.1, 0.3], 0.005)).toBe(false);
    expect(cutByEdge([0.002, 0.3, 0.1, 0.3], 0.005)).toBe(true);
    expect(cutByEdge([0.4, 0.3, 0.1, 0.699], 0.005)).toBe(true);
    expect(cutByEdge([0.89, 0.3, 0.1, 0.3], 0.005)).toBe(false);
  });

  it('coveredShare: the share of the first box the second covers', () => {
    expect(coveredShare([0, 0, 0.2, 0.2], [0.1, 0, 0.2, 0.2])).toBeCloseTo(0.5);
    expect(coveredShare([0, 0, 0.2, 0.2], [0.3, 0, 0.2, 0.2])).toBe(0);
  });

  it('occludedBoxes: the one behind is occluded, the one in front is not, and side-by-side walkers are both clean', () => {
    const behind: Box = [0.4, 0.2, 0.1, 0.3]; // bottom at 0.5
    const front: Box = [0.46, 0.25, 0.1, 0.35]; // bottom at 0.6: nearer the camera; covers a third of the other
    const aside: Box = [0.7, 0.2, 0.1, 0.3];
    const touching: Box = [0.795, 0.2, 0.1, 0.3];
    expect(occludedBoxes([behind, front, aside, touching])).toEqual([true, false, false, false]);
    // Covered almost whole, whoever stands in front.
    expect(occludedBoxes([[0.4, 0.2, 0.1, 0.3], [0.4, 0.2, 0.1, 0.28]])).toEqual([true, true]);
    expect(occludedBoxes([])).toEqual([]);
  });
});
