// Face-group clustering (pure decisions over the real usearch kNN graph): two synthetic identities form two groups, a
// threshold sweep, clothing blending, no single-link chaining, and one frame never one person. mock: nothing.
import { describe, expect, it } from 'vitest';
import { bhattacharyya, clusterFaces, pairSimilarity, sqrtHistogram, type ClusterSample } from '../../src-main/services/faces/face-clustering';
import { UsearchVectorIndexFactory } from '../../src-main/repositories/vector-index.repository';
import { cos, faceOf, identity, rng, unit } from './people-engine-double';

const vectors = new UsearchVectorIndexFactory();

async function run(samples: ClusterSample[], threshold: number, clothing_weight = 0, k = 32): Promise<number[][]> {
  const dim = samples[0]?.embedding.length ?? 0;
  const flat = new Float32Array(samples.length * dim);
  samples.forEach((s, i) => flat.set(s.embedding, i * dim));
  return clusterFaces(samples, await vectors.knnGraph(flat, dim, k), { threshold, clothing_weight });
}

const sample = (id: number, embedding: Float32Array, o: Partial<ClusterSample> = {}): ClusterSample => ({ id, camera_id: 1, ts_ms: id * 1000, track_id: id, quality: 0.8, embedding, clothing: null, ...o });

function twoPeople(n: number, sigma = 0.045): { samples: ClusterSample[]; truth: number[] } {
  const a = identity(101);
  const b = identity(202);
  const samples: ClusterSample[] = [];
  const truth: number[] = [];
  for (let i = 0; i < n; i++) {
    samples.push(sample(samples.length, faceOf(a, 1000 + i, sigma), { camera_id: 1 + (i % 3) }));
    truth.push(0);
    samples.push(sample(samples.length, faceOf(b, 2000 + i, sigma), { camera_id: 1 + (i % 2) }));
    truth.push(1);
  }
  return { samples, truth };
}

/** Every group holds one identity only. */
const pure = (groups: number[][], truth: number[]): boolean => groups.every((g) => new Set(g.map((i) => truth[i])).size === 1);

describe('clustering', () => {
  it('forms two groups from two synthetic identities', async () => {
    const { samples, truth } = twoPeople(25);
    const groups = (await run(samples, 0.5)).sort((x, y) => (x[0] as number) - (y[0] as number));
    expect(groups).toHaveLength(2);
    expect(groups.map((g) => g.length)).toEqual([25, 25]);
    expect(pure(groups, truth)).toBe(true);
  });

  it('threshold sweep: more groups as the threshold rises, pure wherever it is sensible', async () => {
    const { samples, truth } = twoPeople(20, 0.06);
    const sweep = [];
    for (const t of [-0.5, 0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.99]) sweep.push({ t, groups: await run(samples, t) });
    const counts = sweep.map((s) => s.groups.length);
    for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeGreaterThanOrEqual(counts[i - 1] as number);
    expect(counts[0]).toBe(1);
    for (const s of sweep.filter((x) => x.t >= 0.2 && x.t <= 0.6)) {
      expect(pure(s.groups, truth), `threshold ${s.t}`).toBe(true);
      expect(s.groups.length, `threshold ${s.t}`).toBe(2);
    }
    expect(counts.at(-1)).toBe(samples.length);
  });

  it('average linkage: a chain A–B–C with A and C unlike does not become one group', async () => {
    const a = identity(1);
    const c = identity(2);
    const b = unit(a.map((x, i) => x + (c[i] as number)));
    expect(cos(a, b)).toBeGreaterThan(0.6);
    expect(cos(b, c)).toBeGreaterThan(0.6);
    const groups = await run([sample(1, a), sample(2, b), sample(3, c)], 0.55);
    expect(groups).toHaveLength(2);
  });

  it('two faces of one frame never join one group, however alike', async () => {
    const a = identity(7);
    const s = [sample(1, faceOf(a, 1), { ts_ms: 5000, track_id: 1 }), sample(2, faceOf(a, 2), { ts_ms: 5000, track_id: 2 }), sample(3, faceOf(a, 3), { ts_ms: 9000, track_id: 3 })];
    const groups = await run(s, 0.5);
    expect(groups).toHaveLength(2);
    for (const g of groups) expect(g.includes(0) && g.includes(1)).toBe(false);
    // The same time on another camera is another frame.
    expect(await run([s[0] as ClusterSample, { ...(s[1] as ClusterSample), camera_id: 2 }], 0.5)).toHaveLength(1);
  });

  it('clothing_weight blends the Bhattacharyya coefficient of the upper-body histograms', async () => {
    const r = rng(5);
    const red = Float32Array.from({ length: 128 }, (_, i) => (i < 8 ? 10 + r() : r() * 0.01));
    const blue = Float32Array.from({ length: 128 }, (_, i) => (i >= 120 ? 10 + r() : r() * 0.01));
    expect(bhattacharyya(red, red)).toBeCloseTo(1, 5);
    expect(bhattacharyya(red, blue)).toBeLessThan(0.1);
    expect(pairSimilarity(0.4, sqrtHistogram(red), sqrtHistogram(red), 0.5)).toBeCloseTo(0.7, 2);
    expect(pairSimilarity(0.4, sqrtHistogram(red), null, 0.5)).toBe(0.4);

    // One person seen in bad light (face cosine ≈ 0.4) wearing the same jacket: clothing joins them.
    const p = identity(9);
    const s = [sample(1, faceOf(p, 1, 0.11), { clothing: red }), sample(2, faceOf(p, 2, 0.11), { clothing: red })];
    const face = cos(s[0]?.embedding as Float32Array, s[1]?.embedding as Float32Array);
    expect(face).toBeGreaterThan(0.3);
    expect(face).toBeLessThan(0.5);
    expect(await run(s, 0.5, 0)).toHaveLength(2);
    expect(await run(s, 0.5, 0.5)).toHaveLength(1);
    // Two different people in the same jacket stay apart at a moderate weight.
    const q = [sample(1, faceOf(identity(10), 1), { clothing: red }), sample(2, faceOf(identity(11), 2), { clothing: red })];
    expect(await run(q, 0.5, 0.3)).toHaveLength(2);
  });

  it('handles tiny inputs', async () => {
    expect(await run([sample(1, identity(1))], 0.5)).toEqual([[0]]);
    expect(await clusterFaces([], { k: 0, neighbours: new Int32Array(), similarities: new Float32Array() }, { threshold: 0.5, clothing_weight: 0 })).toEqual([]);
  });
});
