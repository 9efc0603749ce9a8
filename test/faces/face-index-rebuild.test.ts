// Vector index and its rebuild from SQLite (real: usearch, SQLite file; mock: nothing): exact and HNSW modes against
// brute force, deletes, the kNN graph, the JS-only exact index used where usearch cannot load, and the face index service catching up with writes made during a rebuild.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_HNSW, FlatVectorIndex, FlatVectorIndexFactory, UsearchVectorIndex, UsearchVectorIndexFactory, vectorIndexFactory } from '../../src-main/repositories/vector-index.repository';
import { openDatabase, type Db } from '../../src-main/repositories/db/database';
import { SqlitePeopleRepository } from '../../src-main/repositories/people.repository';
import { SqliteFaceSamplesRepository } from '../../src-main/repositories/face-samples.repository';
import { silentLogger } from '../../src-main/repositories/logger';
import { FaceIndexService } from '../../src-main/services/faces/face-index.service';
import { cos, faceOf, identity } from './people-engine-double';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function clustered(n: number, dim: number, ids = 50): Float32Array[] {
  const bases = Array.from({ length: ids }, (_, i) => identity(9000 + i, dim));
  return Array.from({ length: n }, (_, i) => faceOf(bases[i % ids] as Float32Array, i, 0.06));
}

const flat = (vs: Float32Array[]): Float32Array => {
  const out = new Float32Array(vs.length * (vs[0]?.length ?? 0));
  vs.forEach((v, i) => out.set(v, i * v.length));
  return out;
};

function exact(vs: Float32Array[], q: Float32Array, k: number): number[] {
  return vs
    .map((v, i) => ({ i, s: cos(v, q) }))
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .slice(0, k)
    .map((x) => x.i);
}

describe('UsearchVectorIndex', () => {
  it('searches exactly while small: same order and similarities as brute force', () => {
    const vs = clustered(300, 32);
    const idx = new UsearchVectorIndex(32, { ...DEFAULT_HNSW, exactBelow: 1000 });
    idx.add(
      vs.map((_, i) => i),
      flat(vs),
    );
    const q = faceOf(identity(9003, 32), 77, 0.06);
    const got = idx.search(q, 10);
    expect(got.map((m) => m.key)).toEqual(exact(vs, q, 10));
    expect(got[0]?.similarity).toBeCloseTo(cos(vs[got[0]?.key as number] as Float32Array, q), 5);
    idx.remove([got[0]?.key as number]);
    expect(idx.search(q, 1)[0]?.key).toBe(got[1]?.key);
    expect(idx.size()).toBe(299);
    // Adding a key again replaces its vector.
    idx.add([got[1]?.key as number], vs[0] as Float32Array);
    expect(idx.size()).toBe(299);
    expect(idx.search(vs[0] as Float32Array, 2).map((m) => m.key)).toContain(got[1]?.key);
  });

  it('becomes an HNSW graph past exactBelow with recall@10 ≥ 0.95 and honours deletes', () => {
    const vs = clustered(4000, 64);
    const idx = new UsearchVectorIndex(64, { ...DEFAULT_HNSW, exactBelow: 100 });
    for (let i = 0; i < vs.length; i += 500) {
      idx.add(
        vs.slice(i, i + 500).map((_, j) => i + j),
        flat(vs.slice(i, i + 500)),
      );
    }
    expect(idx.size()).toBe(4000);
    let hits = 0;
    for (let t = 0; t < 50; t++) {
      const q = faceOf(identity(9000 + (t % 50), 64), 10_000 + t, 0.06);
      const want = new Set(exact(vs, q, 10));
      hits += idx.search(q, 10).filter((m) => want.has(m.key)).length;
    }
    expect(hits / 500).toBeGreaterThanOrEqual(0.95);
    const q = vs[123] as Float32Array;
    expect(idx.search(q, 1)[0]?.key).toBe(123);
    idx.remove([123]);
    expect(idx.has(123)).toBe(false);
    expect(idx.search(q, 20).some((m) => m.key === 123)).toBe(false);
  });

  it('builds an exact kNN graph without self matches', async () => {
    const vs = clustered(40, 16, 4);
    const g = await new UsearchVectorIndexFactory().knnGraph(flat(vs), 16, 5);
    expect(g).toMatchObject({ n: 40, k: 5 });
    for (let i = 0; i < 40; i++) {
      const row = [...g.neighbours.subarray(i * 5, i * 5 + 5)];
      expect(row).not.toContain(i);
      expect(new Set(row)).toEqual(new Set(exact(vs, vs[i] as Float32Array, 6).filter((j) => j !== i).slice(0, 5)));
    }
    expect(await new UsearchVectorIndexFactory().knnGraph(flat(vs.slice(0, 3)), 16, 5)).toMatchObject({ n: 3, k: 2 });
  });
});

describe('without usearch (no native binary for the platform, e.g. Windows)', () => {
  it('the factory falls back to the exact JS index and says why; with usearch it is usearch', () => {
    const missing = vectorIndexFactory(DEFAULT_HNSW, () => new Error('No native build was found for platform=win32 arch=x64\n    at load'));
    expect(missing.engine).toBe('exact');
    expect(missing.fallback).toBe('No native build was found for platform=win32 arch=x64');
    expect(missing.factory).toBeInstanceOf(FlatVectorIndexFactory);
    const here = vectorIndexFactory();
    expect(here).toMatchObject({ engine: 'usearch', fallback: null });
  });

  it('FlatVectorIndex searches exactly at any size: brute-force order and similarities, deletes, re-adds', () => {
    const vs = clustered(3000, 64);
    const idx = new FlatVectorIndexFactory().create(64);
    expect(idx).toBeInstanceOf(FlatVectorIndex);
    idx.add(
      vs.map((_, i) => i),
      flat(vs),
    );
    for (let t = 0; t < 20; t++) {
      const q = faceOf(identity(9000 + t, 64), 20_000 + t, 0.06);
      const got = idx.search(q, 10);
      expect(got.map((m) => m.key)).toEqual(exact(vs, q, 10));
      expect(got[3]?.similarity).toBeCloseTo(cos(vs[got[3]?.key as number] as Float32Array, q), 5);
    }
    const q = vs[7] as Float32Array;
    expect(idx.search(q, 1)[0]?.key).toBe(7);
    idx.remove([7]);
    expect(idx.has(7)).toBe(false);
    expect(idx.search(q, 50).some((m) => m.key === 7)).toBe(false);
    idx.add([7], vs[8] as Float32Array);
    expect(idx.size()).toBe(3000);
    expect(idx.search(vs[8] as Float32Array, 2).map((m) => m.key).sort()).toEqual([7, 8]);
    expect(idx.search(q, 0)).toEqual([]);
    expect(() => idx.search(new Float32Array(3), 1)).toThrow(/dimensions/);
  });

  it('builds the same kNN graph as usearch, so face groups come out the same', async () => {
    const vs = clustered(300, 32, 20);
    const mine = await new FlatVectorIndexFactory().knnGraph(flat(vs), 32, 8);
    const theirs = await new UsearchVectorIndexFactory().knnGraph(flat(vs), 32, 8);
    expect(mine).toMatchObject({ n: 300, k: 8 });
    for (let i = 0; i < 300; i++) {
      const row = (g: typeof mine) => [...g.neighbours.subarray(i * 8, i * 8 + 8)];
      expect(row(mine)).not.toContain(i);
      expect(new Set(row(mine))).toEqual(new Set(row(theirs)));
      expect(mine.similarities[i * 8]).toBeCloseTo(theirs.similarities[i * 8] as number, 4);
    }
    expect(await new FlatVectorIndexFactory().knnGraph(flat(vs.slice(0, 3)), 32, 5)).toMatchObject({ n: 3, k: 2 });
  });
});

describe('FaceIndexService rebuild from SQLite', () => {
  function setup(): { db: Db; people: SqlitePeopleRepository; samples: SqliteFaceSamplesRepository; model: { name: string } } {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-faceidx-'));
    dirs.push(dir);
    const db = openDatabase({ file: join(dir, 'vigil.db') });
    db.prepare("INSERT INTO cameras (name, source_kind, url_enc) VALUES ('Door', 'file', x'00')").run();
    return { db, people: new SqlitePeopleRepository(db), samples: new SqliteFaceSamplesRepository(db), model: { name: 'm1' } };
  }
  const insert = (samples: SqliteFaceSamplesRepository, v: Float32Array, model = 'm1') =>
    samples.insert({ camera_id: 1, ts_ms: Date.now(), track_id: 1, event_id: null, embedding: v, model, quality: 0.8, crop_path: null, box: null, clothing: null });

  it('rebuilds both indexes on start, in chunks, catching rows written and deleted during the rebuild', async () => {
    const { db, people, samples, model } = setup();
    try {
      const vs = clustered(60, 16, 6);
      const ids = vs.map((v) => insert(samples, v));
      insert(samples, clustered(1, 8)[0] as Float32Array, 'other-model');
      const ann = people.create('Ann', null);
      people.addFace({ person_id: ann, embedding: vs[0] as Float32Array, model: 'm1', image_path: null, quality: 0.9, source_sample_id: null });
      let chunks = 0;
      let late = 0;
      const svc = new FaceIndexService({
        people,
        samples,
        vectors: new UsearchVectorIndexFactory(),
        model: () => model.name,
        matchThreshold: () => 0.5,
        log: silentLogger(),
        chunk: 7,
        now: () => performance.now(),
        yieldLoop: async () => {
          chunks++;
          // Writes land mid-rebuild, as the live pipeline would make them.
          if (chunks === 2) {
            late = insert(samples, vs[5] as Float32Array);
            svc.addCaptured(late, vs[5] as Float32Array, 'm1');
            samples.deleteIds([ids[3] as number]);
            svc.removeCaptured([ids[3] as number]);
          }
        },
      });
      await svc.start();
      expect(chunks).toBeGreaterThanOrEqual(8);
      expect(svc.status()).toMatchObject({ model: 'm1', dim: 16, people: 1, enrolled_faces: 1, samples: 60, rebuilding: false });
      const near = svc.searchCaptured(vs[5] as Float32Array, 3).map((m) => m.key);
      expect(near).toEqual(expect.arrayContaining([ids[5], late]));
      expect(svc.searchCaptured(vs[3] as Float32Array, 60).map((m) => m.key)).not.toContain(ids[3]);
      expect(svc.rank(vs[0] as Float32Array, 1)[0]).toMatchObject({ person_id: ann });
      expect(svc.searchEnrolled(vs[0] as Float32Array, 1)[0]).toMatchObject({ person_id: ann });
    } finally {
      db.close();
    }
  });

  it('rebuilds the gallery on change and on a model switch, telling listeners', async () => {
    const { db, people, samples, model } = setup();
    try {
      const svc = new FaceIndexService({ people, samples, vectors: new UsearchVectorIndexFactory(), model: () => model.name, matchThreshold: () => 0.5, log: silentLogger(), yieldLoop: async () => undefined, now: () => performance.now() });
      await svc.start();
      const told: number[] = [];
      svc.onGalleryChange((g) => told.push(g.people.length));
      const bo = people.create('Bo', null);
      people.addFace({ person_id: bo, embedding: identity(3, 16), model: 'm1', image_path: null, quality: null, source_sample_id: null });
      people.addFace({ person_id: bo, embedding: identity(4, 32), model: 'm2', image_path: null, quality: null, source_sample_id: null });
      insert(samples, identity(5, 32), 'm2');
      svc.rebuildEnrolled();
      expect(told).toEqual([1]);
      expect(svc.gallery().names.get(bo)).toBe('Bo');
      model.name = 'm2';
      expect(svc.gallery().model).toBe('m2');
      await svc.idle();
      expect(svc.status()).toMatchObject({ model: 'm2', dim: 32, enrolled_faces: 1, samples: 1 });
      expect(svc.searchCaptured(identity(5, 16), 5)).toEqual([]);
      expect(svc.searchCaptured(identity(5, 32), 5)).toHaveLength(1);
    } finally {
      db.close();
    }
  });
});
