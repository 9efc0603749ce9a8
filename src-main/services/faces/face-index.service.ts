// Keeps the enrolled-face and captured-sample vector indexes (and the recognition gallery) in step with SQLite.
import type { Logger } from '../../repositories/logger';
import type { PeopleRepository } from '../../repositories/people.repository';
import type { FaceSamplesRepository } from '../../repositories/face-samples.repository';
import type { VectorIndex, VectorIndexFactory, VectorMatch } from '../../repositories/vector-index.repository';
import { buildPersonModels, normalise, rankPeople, referenceOptions, type PersonModel, type Ranked } from './recognition';

export interface FaceIndexDeps {
  people: PeopleRepository;
  samples: FaceSamplesRepository;
  vectors: VectorIndexFactory;
  /** The embedding model in use (manifest name); only its vectors are indexed, compared and clustered. */
  model: () => string | null;
  /** The effective match threshold (setting, else the model's measured one): it scales the reference's outlier margins. */
  matchThreshold: () => number;
  log: Logger;
  /** Lets other work run between slices of a captured-index rebuild. */
  yieldLoop: () => Promise<void>;
  /** Monotonic milliseconds (performance.now), to size rebuild slices. */
  now: () => number;
  /** Rows read from SQLite per rebuild chunk. */
  chunk?: number;
  /** Above this many people, ranking first narrows candidates with the enrolled index. */
  exactPeopleMax?: number;
}

export interface Gallery {
  model: string | null;
  people: PersonModel[];
  names: Map<number, string>;
}

export interface FaceIndexStatus {
  model: string | null;
  dim: number | null;
  people: number;
  enrolled_faces: number;
  samples: number;
  /** A captured-index rebuild is running (searches answer from SQLite-checked results once it is done). */
  rebuilding: boolean;
}

type GalleryListener = (g: Gallery) => void;

/** Enrolled faces stay a flat exact scan up to this many (≈2 ms per search at 128-d); an enrolment never waits on a graph. */
export const ENROLLED_EXACT_MAX = 20_000;
/** Target length of one synchronous slice of index building. */
const SLICE_MS = 12;

export class FaceIndexService {
  private enrolled: { model: string | null; index: VectorIndex | null; byFace: Map<number, number> } = { model: null, index: null, byFace: new Map() };
  private gallery_: Gallery = { model: null, people: [], names: new Map() };
  private captured: { model: string | null; index: VectorIndex | null } = { model: null, index: null };
  private building: { model: string; removed: Set<number>; done: Promise<void> } | null = null;
  private readonly listeners = new Set<GalleryListener>();
  private started = false;
  private stopped = false;

  constructor(private readonly d: FaceIndexDeps) {}

  /**
   * Builds both indexes from SQLite. The enrolled side (and the gallery) is ready when this returns its promise; the
   * captured side is built in slices, so a large table never blocks the loop for long (searches find nothing until then).
   */
  async start(): Promise<void> {
    this.started = true;
    this.stopped = false;
    this.rebuildEnrolled();
    await this.rebuildCaptured();
  }

  /** Ends a running rebuild at its next slice (before the database closes). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.idle();
  }

  /** Re-reads every enrolled face of the current model: the index, the person models and whoever listens. */
  rebuildEnrolled(): void {
    const model = this.d.model();
    const rows = model ? this.d.people.enrolled(model) : [];
    const dim = rows[0]?.embedding.length ?? 0;
    const usable = rows.filter((r) => r.embedding.length === dim);
    let index: VectorIndex | null = null;
    if (usable.length) {
      index = this.d.vectors.create(dim, { exactBelow: ENROLLED_EXACT_MAX });
      const flat = new Float32Array(usable.length * dim);
      usable.forEach((r, i) => flat.set(r.embedding, i * dim));
      index.add(
        usable.map((r) => r.id),
        flat,
      );
    }
    this.enrolled = { model, index, byFace: new Map(usable.map((r) => [r.id, r.person_id])) };
    const people = buildPersonModels(usable, referenceOptions(this.d.matchThreshold()));
    this.gallery_ = { model, people, names: new Map(people.map((p) => [p.person_id, p.name])) };
    this.d.log.debug({ model, faces: usable.length, people: people.length }, 'enrolled face index rebuilt');
    for (const l of this.listeners) l(this.gallery_);
  }

  /** Rebuilds the captured-sample index from SQLite (one at a time; a call during a rebuild waits for it, then runs again). */
  async rebuildCaptured(): Promise<void> {
    while (this.building) await this.building.done;
    const model = this.d.model();
    if (!model) {
      this.captured = { model: null, index: null };
      return;
    }
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    const b = { model, removed: new Set<number>(), done };
    this.building = b;
    try {
      const chunk = this.d.chunk ?? 2000;
      let index: VectorIndex | null = null;
      let after = 0;
      let count = 0;
      const slice = { size: 32 };
      for (;;) {
        if (this.stopped) return;
        const rows = this.d.samples.vectorsAfter(model, after, chunk);
        if (!rows.length) break;
        index = await this.addSliced(index, rows, slice);
        count += rows.length;
        after = (rows[rows.length - 1] as { id: number }).id;
        await this.d.yieldLoop();
      }
      // Whatever arrived during the last yield is caught up without yielding again, then the index is swapped in.
      const tail = this.d.samples.vectorsAfter(model, after, Number.MAX_SAFE_INTEGER);
      index = this.addRows(index, tail);
      count += tail.length;
      if (index && b.removed.size) index.remove([...b.removed]);
      this.captured = { model, index };
      this.d.log.info({ model, samples: count }, 'captured face index rebuilt');
    } finally {
      this.building = null;
      resolve();
    }
  }

  /** A sample just stored; indexed now when its model is current. */
  addCaptured(id: number, embedding: Float32Array, model: string): void {
    this.sync();
    // During a rebuild this lands in the index being replaced; the rebuild reads ids in order and catches up with it.
    if (this.captured.model !== model) return;
    if (!this.captured.index) this.captured.index = this.d.vectors.create(embedding.length);
    if (this.captured.index.dim !== embedding.length) return;
    this.captured.index.add([id], embedding);
  }

  removeCaptured(ids: readonly number[]): void {
    if (this.building) for (const id of ids) this.building.removed.add(id);
    this.captured.index?.remove(ids);
  }

  /** Nearest captured samples of the current model (ids may be stale: callers check them against SQLite). */
  searchCaptured(query: Float32Array, k: number): VectorMatch[] {
    this.sync();
    const idx = this.captured.index;
    if (!idx || idx.dim !== query.length || k < 1) return [];
    return idx.search(normalise(query), k);
  }

  /** Nearest enrolled faces with the person each belongs to. */
  searchEnrolled(query: Float32Array, k: number): (VectorMatch & { person_id: number })[] {
    this.sync();
    const idx = this.enrolled.index;
    if (!idx || idx.dim !== query.length || k < 1) return [];
    return idx.search(normalise(query), k).flatMap((m) => {
      const person_id = this.enrolled.byFace.get(m.key);
      return person_id === undefined ? [] : [{ ...m, person_id }];
    });
  }

  gallery(): Gallery {
    this.sync();
    return this.gallery_;
  }

  /** The best `top` people for a face (excluding some); large galleries are narrowed by the enrolled index first. */
  rank(face: Float32Array, top: number, exclude: ReadonlySet<number> = new Set()): Ranked[] {
    const g = this.gallery();
    const unit = normalise(face);
    if (g.people.length <= (this.d.exactPeopleMax ?? 256)) return rankPeople(unit, g.people, top, exclude);
    const near = new Set(this.searchEnrolled(unit, 64).map((m) => m.person_id));
    return rankPeople(
      unit,
      g.people.filter((p) => near.has(p.person_id)),
      top,
      exclude,
    );
  }

  /** Called with the new gallery after every enrolled rebuild; returns an unsubscribe. */
  onGalleryChange(fn: GalleryListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Resolves when no captured rebuild is running. */
  async idle(): Promise<void> {
    while (this.building) await this.building.done;
  }

  status(): FaceIndexStatus {
    return {
      model: this.gallery_.model ?? this.captured.model,
      dim: this.captured.index?.dim ?? this.enrolled.index?.dim ?? null,
      people: this.gallery_.people.length,
      enrolled_faces: this.enrolled.index?.size() ?? 0,
      samples: this.captured.index?.size() ?? 0,
      rebuilding: this.building !== null,
    };
  }

  /** A model switch rebuilds: the enrolled side at once, the captured side in the background. */
  private sync(): void {
    if (!this.started || this.stopped) return;
    const model = this.d.model();
    if (model !== this.enrolled.model) this.rebuildEnrolled();
    if (model !== this.captured.model && (!this.building || this.building.model !== model)) {
      this.captured = { model, index: null };
      void this.rebuildCaptured().catch((err: unknown) => this.d.log.error({ err }, 'captured face index rebuild failed'));
    }
  }

  /** Adds rows in slices sized to SLICE_MS of insert time, yielding between slices. */
  private async addSliced(index: VectorIndex | null, rows: { id: number; embedding: Float32Array }[], slice: { size: number }): Promise<VectorIndex | null> {
    for (let i = 0; i < rows.length; ) {
      const part = rows.slice(i, i + slice.size);
      const t0 = this.d.now();
      index = this.addRows(index, part);
      const took = this.d.now() - t0;
      // Grows at most ×2 per slice: a fast slice (a flat index, a small graph) must not predict a huge one.
      slice.size = Math.max(8, Math.min(part.length * 2, 8192, Math.round(part.length * (SLICE_MS / Math.max(0.25, took)))));
      i += part.length;
      if (i < rows.length) await this.d.yieldLoop();
      if (this.stopped) break;
    }
    return index;
  }

  private addRows(index: VectorIndex | null, rows: { id: number; embedding: Float32Array }[]): VectorIndex | null {
    if (!rows.length) return index;
    const dim = index?.dim ?? (rows[0] as { embedding: Float32Array }).embedding.length;
    const ok = rows.filter((r) => r.embedding.length === dim);
    const idx = index ?? this.d.vectors.create(dim);
    const flat = new Float32Array(ok.length * dim);
    ok.forEach((r, i) => flat.set(r.embedding, i * dim));
    idx.add(
      ok.map((r) => r.id),
      flat,
    );
    return idx;
  }
}
