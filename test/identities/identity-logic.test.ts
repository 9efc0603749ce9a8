// Pure decision logic of the identity store: presence segments, the solo/shared event rule, names on merge, exemplar
// quality, never pairs of a split and the auto-split 2-means (face first, then appearance). No I/O.
import { describe, expect, it } from 'vitest';
import { appearanceExemplarQuality, classifyEvents, faceExemplarQuality, mergedName, presenceSegments, splitNeverPairs } from '../../src-main/services/identities/identity-policy';
import { appearanceVector, autoSplit, twoMeans, type SplitItem } from '../../src-main/services/identities/identity-split';
import { faceOf, identity, rng } from '../faces/people-engine-double';
import { encodeRow, decodeRow } from '../../src-main/repositories/identity-ops.repository';

describe('presenceSegments', () => {
  it('unions each camera’s spans, joining gaps up to the limit, in camera then time order', () => {
    expect(
      presenceSegments(
        [
          { camera_id: 2, start_ms: 0, end_ms: 10 },
          { camera_id: 1, start_ms: 100, end_ms: 200 },
          { camera_id: 1, start_ms: 0, end_ms: 50 },
          { camera_id: 1, start_ms: 110, end_ms: 150 },
          { camera_id: 1, start_ms: 260, end_ms: 300 },
          { camera_id: 1, start_ms: 361, end_ms: 400 },
        ],
        60,
      ),
    ).toEqual([
      { camera_id: 1, start_ms: 0, end_ms: 300 },
      { camera_id: 1, start_ms: 361, end_ms: 400 },
      { camera_id: 2, start_ms: 0, end_ms: 10 },
    ]);
    expect(presenceSegments([])).toEqual([]);
  });
});

describe('classifyEvents (solo vs shared)', () => {
  const ev = (id: number, identity_id: number | null, o: { open?: boolean; retain?: boolean } = {}) => ({ id, identity_id, ended_ms: o.open ? null : 1, retain: o.retain ? 1 : 0 });
  it('removes events whose every subject is deleted; unlinks shared, open and protected ones that name a deleted identity', () => {
    const subjects = new Map([
      [1, new Set([10])],
      [2, new Set([10, 20])],
      [3, new Set([20])],
      [4, new Set([10, 11])],
      [6, new Set([10])],
      [7, new Set([10])],
    ]);
    const r = classifyEvents([ev(1, 10), ev(2, 10), ev(3, 20), ev(4, null), ev(5, 10), ev(6, 10, { open: true }), ev(7, null, { retain: true })], subjects, new Set([10, 11]));
    expect(r).toEqual({ remove: [1, 4, 5], unlink: [2, 6] });
  });
});

describe('mergedName', () => {
  const id = (i: number, name: string | null, named: boolean, n = 1, notes: string | null = null) => ({ id: i, name, is_named: named ? 1 : 0, notes, num_sightings: n });
  it('an unnamed target takes the name of the named source with most sightings; a named one keeps its own', () => {
    expect(mergedName(id(1, null, false), [id(2, 'Bo', true, 3), id(3, 'Cy', true, 9), id(4, 'Di', false, 50)])).toEqual({ name: 'Cy', is_named: true, notes: null });
    expect(mergedName(id(1, 'Al', true), [id(2, 'Bo', true, 3)])).toBeNull();
    expect(mergedName(id(1, 'Al', true), [id(2, 'Bo', true, 3, 'night')])).toEqual({ name: 'Al', is_named: true, notes: 'night' });
    expect(mergedName(id(1, null, false), [id(2, null, false)])).toBeNull();
  });
});

describe('exemplar quality and split pairs', () => {
  it('favours faces averaged over more samples and larger, surer appearance boxes', () => {
    expect(faceExemplarQuality(5, 0.5)).toBeGreaterThan(faceExemplarQuality(1, 0.9));
    expect(faceExemplarQuality(0, 1)).toBeCloseTo(0.52);
    expect(appearanceExemplarQuality(0.9, [0, 0, 0.3, 0.8])).toBeCloseTo(0.9);
    expect(appearanceExemplarQuality(0.9, [0, 0, 0.05, 0.1])).toBeLessThan(0.3);
    expect(appearanceExemplarQuality(Number.NaN, [0, 0, 1, 1])).toBe(0);
  });

  it('pairs the best-scored sightings of each side, bounded, as ordered pairs', () => {
    const side = (ids: number[]) => ids.map((id) => ({ id, best_score: id / 100 }));
    expect(splitNeverPairs(side([5, 1]), side([3]))).toEqual([
      [3, 5],
      [1, 3],
    ]);
    expect(splitNeverPairs(side(Array.from({ length: 30 }, (_, k) => k + 1)), side(Array.from({ length: 30 }, (_, k) => k + 100)))).toHaveLength(400);
  });
});

function hist(bin: number, seed: number): Float32Array {
  const r = rng(seed);
  const h = new Float32Array(128).map(() => r() * 0.02);
  h[bin] = (h[bin] as number) + 1;
  return h;
}

describe('auto split (spherical 2-means)', () => {
  const A = identity(1);
  const B = identity(2);
  const item = (id: number, face: Float32Array | null, bins: [number, number] | null, model = 'm'): SplitItem => ({
    id,
    best_score: 0.5,
    face,
    face_model: face ? model : null,
    appearance: bins ? { upper: hist(bins[0], id), lower: hist(bins[1], id + 1000), features: null } : null,
  });

  it('twoMeans separates two clusters and is deterministic; null for one point or identical points', () => {
    const vs = [faceOf(A, 1), faceOf(B, 2), faceOf(A, 3), faceOf(B, 4), faceOf(A, 5)];
    const r = twoMeans(vs);
    expect(r?.labels).toEqual([0, 1, 0, 1, 0]);
    expect(twoMeans(vs)?.labels).toEqual(r?.labels);
    expect(twoMeans([A])).toBeNull();
    expect(twoMeans([A, A, A])).toBeNull();
    expect(twoMeans([A, new Float32Array(3)])).toBeNull();
  });

  it('splits by face; faceless sightings follow their clothes; the representative’s half stays', () => {
    const items = [item(1, faceOf(A, 1), [1, 2]), item(2, faceOf(A, 2), [1, 2]), item(3, faceOf(B, 3), [50, 60]), item(4, faceOf(B, 4), [50, 60]), item(5, null, [50, 60]), item(6, null, null)];
    expect(autoSplit(items, 1)).toMatchObject({ peel: [3, 4, 5], keep: [1, 2, 6], by: 'face' });
    expect(autoSplit(items, 4)).toMatchObject({ peel: [1, 2], keep: [3, 4, 5, 6], by: 'face' });
    // No representative among them: the larger half stays.
    expect(autoSplit(items, null)?.keep).toEqual([3, 4, 5, 6]);
    // Faces of another model are not compared with these.
    expect(autoSplit([item(1, faceOf(A, 1), null, 'x'), item(2, faceOf(B, 2), null, 'y')], null)).toBeNull();
  });

  it('falls back to appearance, and gives up when nothing separates', () => {
    const items = [item(1, null, [1, 2]), item(2, null, [1, 2]), item(3, null, [90, 100]), item(4, null, [90, 100]), item(5, null, [90, 100])];
    expect(autoSplit(items, null)).toMatchObject({ peel: [1, 2], keep: [3, 4, 5], by: 'appearance' });
    expect(autoSplit([item(1, null, null), item(2, null, null)], null)).toBeNull();
    expect(autoSplit([item(1, faceOf(A, 1), [1, 2])], null)).toBeNull();
    const v = appearanceVector({ upper: hist(3, 1), lower: hist(4, 2), features: Float32Array.from([3, 4]) });
    expect(v).toHaveLength(258);
    expect(v.reduce((n, x) => n + x * x, 0)).toBeCloseTo(1, 5);
  });
});

describe('journal row encoding', () => {
  it('round-trips numbers exactly and blobs byte for byte', () => {
    const blob = Buffer.from(new Float32Array([0.1, -2.5]).buffer);
    const text = encodeRow(['a', 'b', 'c', 'd', 'e'], [0.1 + 0.2, 1 / 3, null, 'x', blob]);
    const back = decodeRow(text);
    expect(back).toEqual({ a: 0.1 + 0.2, b: 1 / 3, c: null, d: 'x', e: blob });
  });
});
