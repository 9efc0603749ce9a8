// Captured face samples: what the live pipeline stores (one per track-second, the best kept), crops on disk, and deletes.
import { badRequest, notFound } from '../../shared/errors';
import type { FaceSamplesRepository, Box4 } from '../../repositories/face-samples.repository';
import type { FaceFilesRepository } from '../../repositories/face-files.repository';
import type { ServedFile } from '../../repositories/contained-path';
import type { Logger } from '../../repositories/logger';
import type { FaceIndexService } from './face-index.service';
import { applySample, decideSample, DEFAULT_MAX_PER_TRACK, type KeptSample } from './sample-policy';

/** A face of a track, as the live pipeline hands it over after the face engine. */
export interface NewSampleInput {
  camera_id: number;
  /** Frame time, epoch ms. */
  ts: number;
  /** The tracker's id for the person; null when the face was not inside a tracked box. */
  track_id: number | null;
  event_id: number | null;
  /** L2-normalised, from the current embedding model. */
  embedding: Float32Array;
  /** FaceQuality.score, 0–1. */
  quality: number;
  crop_jpeg: Buffer | null;
  /** Normalised [x, y, w, h] of the face in the frame. */
  box: Box4 | null;
  /** Upper-body colour histogram of the person box (AppearanceHist.upper); null when none. */
  clothing: Float32Array | null;
}

export interface FaceSamplesServiceDeps {
  samples: FaceSamplesRepository;
  files: FaceFilesRepository;
  index: FaceIndexService;
  model: () => string | null;
  /** settings.face_min_quality. */
  minQuality: () => number;
  log: Logger;
  now: () => number;
  /** Samples kept per track (default 30). */
  maxPerTrack?: number;
}

/** A live track's kept samples are forgotten this long after its last face. */
const TRACK_STATE_TTL_MS = 10 * 60_000;
const CLEAR_CHUNK = 200;
/** A sample replaced by a better face of its track answers with that face this long (lists shown a moment ago name it). */
const SUPERSEDED_TTL_MS = 10 * 60_000;
const SUPERSEDED_MAX = 5000;

export const sampleDir = (cameraId: number, tsMs: number): string => `faces/samples/${cameraId}/${new Date(tsMs).toISOString().slice(0, 10)}`;

export class FaceSamplesService {
  private readonly tracks = new Map<string, { kept: KeptSample[]; last: number }>();
  private readonly deleteListeners = new Set<(ids: number[]) => void>();
  /** Replaced sample → the sample of the same track that replaced it, and when. */
  private readonly superseded = new Map<number, { by: number; at: number }>();
  /** Crops of just-stored samples still being written (their row is there a moment before the file). */
  private readonly writing = new Map<number, Promise<void>>();

  constructor(private readonly d: FaceSamplesServiceDeps) {}

  /**
   * Stores one face of a track when the keep rule says so (sample-policy.ts: quality floor, one per track-second with
   * the better face winning, at most maxPerTrack per track with the worst replaced). Returns the new sample id, or null
   * when the face was not kept. Untracked faces (track_id null) share one slot per camera and second.
   */
  async addSample(s: NewSampleInput): Promise<number | null> {
    const model = this.d.model();
    if (!model || s.embedding.length === 0 || !Number.isFinite(s.ts)) return null;
    const key = `${s.camera_id}:${s.track_id ?? 'none'}`;
    this.expire();
    const state = this.tracks.get(key) ?? { kept: [], last: 0 };
    const decision = decideSample(state.kept, s.ts, s.quality, { minQuality: this.d.minQuality(), maxPerTrack: this.d.maxPerTrack ?? DEFAULT_MAX_PER_TRACK });
    if (decision.action === 'drop') return null;
    const id = this.d.samples.insert({
      camera_id: s.camera_id,
      ts_ms: s.ts,
      track_id: s.track_id,
      event_id: s.event_id,
      embedding: s.embedding,
      model,
      quality: s.quality,
      crop_path: null,
      box: s.box,
      clothing: s.clothing,
    });
    this.tracks.set(key, { kept: applySample(state.kept, decision, id, s.ts, s.quality), last: this.d.now() });
    this.d.index.addCaptured(id, s.embedding, model);
    const crop = s.crop_jpeg?.length ? this.writeCrop(id, s.camera_id, s.ts, s.crop_jpeg) : null;
    if (crop) this.writing.set(id, crop.finally(() => this.writing.delete(id)));
    if (decision.replace !== null) {
      this.supersede(decision.replace, id);
      await this.deleteIds([decision.replace]);
    }
    await crop;
    return id;
  }

  private async writeCrop(id: number, cameraId: number, ts: number, jpeg: Buffer): Promise<void> {
    try {
      const path = await this.d.files.writeUnique(sampleDir(cameraId, ts), 'jpg', jpeg, `${ts}-`);
      if (this.d.samples.get(id)) this.d.samples.setCropPath(id, path);
      else await this.d.files.remove(path);
    } catch (err) {
      this.d.log.warn({ err, sample_id: id }, 'face crop not written');
    }
  }

  private supersede(old: number, by: number): void {
    const now = this.d.now();
    this.superseded.set(old, { by, at: now });
    for (const [k, v] of this.superseded) {
      if (this.superseded.size <= SUPERSEDED_MAX && now - v.at <= SUPERSEDED_TTL_MS) break;
      this.superseded.delete(k);
    }
  }

  /** Forgets a track's keep state (its samples stay). */
  endTrack(cameraId: number, trackId: number | null): void {
    this.tracks.delete(`${cameraId}:${trackId ?? 'none'}`);
  }

  /**
   * The crop of one sample: 404 when the sample, its crop or the file is missing, 400 if the path escapes. A sample just
   * stored answers once its crop is written; one just replaced by a better face of its track (the keep rule) answers
   * with that face, so a list fetched a moment ago shows no hole.
   */
  async thumbnail(id: number): Promise<ServedFile> {
    let at = id;
    for (let hops = 0; hops < 8 && !this.d.samples.get(at); hops++) {
      const next = this.superseded.get(at);
      if (!next || this.d.now() - next.at > SUPERSEDED_TTL_MS) break;
      at = next.by;
    }
    await this.writing.get(at);
    const s = this.d.samples.get(at);
    if (!s) throw notFound(`Face sample ${id} not found`);
    if (!s.crop_path) throw notFound(`Face sample ${id} has no crop`);
    return this.d.files.served(s.crop_path, 'Face crop');
  }

  async delete(id: number): Promise<void> {
    if (!this.d.samples.get(id)) throw notFound(`Face sample ${id} not found`);
    await this.deleteIds([id]);
  }

  async bulkDelete(ids: number[]): Promise<{ deleted: number }> {
    return { deleted: await this.deleteIds([...new Set(ids)]) };
  }

  async clearAll(i: { confirm?: boolean; label?: string }): Promise<{ deleted: number }> {
    if (i.confirm !== true) throw badRequest('clear-all requires {"confirm": true}');
    let deleted = 0;
    for (;;) {
      const ids = this.d.samples.firstIds(i.label === undefined ? {} : { label: i.label }, CLEAR_CHUNK);
      if (!ids.length) break;
      deleted += await this.deleteIds(ids);
      if (ids.length < CLEAR_CHUNK) break;
    }
    return { deleted };
  }

  /** Crops and rows of a camera being deleted (its rows would cascade, leaving the crops behind). */
  async purgeCamera(cameraId: number): Promise<void> {
    for (;;) {
      const rows = this.d.samples.cropsOfCamera(cameraId, 500);
      if (!rows.length) break;
      await this.deleteIds(rows.map((r) => r.id));
    }
    for (const k of [...this.tracks.keys()]) if (k.startsWith(`${cameraId}:`)) this.tracks.delete(k);
  }

  /** Told of deleted sample ids (after rows and crops are gone). */
  onDelete(fn: (ids: number[]) => void): () => void {
    this.deleteListeners.add(fn);
    return () => this.deleteListeners.delete(fn);
  }

  /** Rows first (so nothing serves a half-deleted sample), then crops; the index drops them at once. */
  async deleteIds(ids: readonly number[]): Promise<number> {
    if (!ids.length) return 0;
    const rows = this.d.samples.deleteIds(ids);
    const gone = rows.map((r) => r.id);
    this.d.index.removeCaptured(gone);
    for (const r of rows) await this.d.files.remove(r.crop_path);
    if (gone.length) for (const l of this.deleteListeners) l(gone);
    return gone.length;
  }

  private expire(): void {
    const now = this.d.now();
    for (const [k, t] of this.tracks) if (now - t.last > TRACK_STATE_TTL_MS) this.tracks.delete(k);
  }
}
