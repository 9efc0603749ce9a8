// People (Iris /api/people): CRUD, enrolment from a photo, faces, and deletes that detach events and rebuild the index once.
import { ApiError, badRequest, notFound } from '../../shared/errors';
import type { FaceEmbeddingDto, PersonDto } from '../../shared/contract/people.contract';
import type { FaceEmbeddingRow, PeopleRepository, PersonRow } from '../../repositories/people.repository';
import type { FaceSamplesRepository } from '../../repositories/face-samples.repository';
import type { FaceFilesRepository } from '../../repositories/face-files.repository';
import type { ServedFile } from '../../repositories/contained-path';
import type { Logger } from '../../repositories/logger';
import type { FaceIndexService } from './face-index.service';
import { EXTENSIONS, facesInUpload, type FaceUploadDeps, type UploadedImage } from './face-upload';

/** Enrolment refuses a largest face below this quality (0–1, see FaceQuality). */
export const ENROL_MIN_QUALITY = 0.15;

const CLEAR_CHUNK = 200;
/** Faces copied into a person from captured samples (face-group enrolment). */
export const MAX_ENROLL_FROM_SAMPLES = 12;

export interface PeopleServiceDeps extends FaceUploadDeps {
  people: PeopleRepository;
  samples: FaceSamplesRepository;
  files: FaceFilesRepository;
  index: FaceIndexService;
  /** The embedding model in use (what enrolment stores its vectors under). */
  model: () => string | null;
  log: Logger;
}

export const personDir = (id: number): string => `faces/people/${id}`;

const toPerson = (r: PersonRow): PersonDto => ({ id: r.id, name: r.name, notes: r.notes, num_faces: r.num_faces, created_at: r.created_at, updated_at: r.updated_at });

const toFace = (r: FaceEmbeddingRow): FaceEmbeddingDto => ({
  id: r.id,
  person_id: r.person_id,
  image_path: r.image_path,
  image_url: r.image_path ? `/api/people/${r.person_id}/faces/${r.id}/image` : null,
  model: r.model,
  dim: r.dim,
  quality: r.quality,
  source_sample_id: r.source_sample_id,
  created_at: r.created_at,
});

export type RejectListener = (sampleId: number, personId: number) => void;

export class PeopleService {
  private readonly rejectListeners = new Set<RejectListener>();

  constructor(private readonly d: PeopleServiceDeps) {}

  /** Told of every "sample S is not person P" (live recognition revises tracks holding S). */
  onReject(fn: RejectListener): () => void {
    this.rejectListeners.add(fn);
    return () => this.rejectListeners.delete(fn);
  }

  list(): PersonDto[] {
    return this.d.people.list().map(toPerson);
  }

  get(id: number): PersonDto {
    return toPerson(this.row(id));
  }

  create(i: { name: string; notes?: string | null }): PersonDto {
    return this.get(this.d.people.create(i.name, i.notes ?? null));
  }

  update(id: number, patch: { name?: string; notes?: string | null }): PersonDto {
    this.row(id);
    this.d.people.update(id, patch);
    const p = this.get(id);
    if (patch.name !== undefined) this.d.index.rebuildEnrolled();
    return p;
  }

  async delete(id: number): Promise<void> {
    this.row(id);
    await this.deleteIds([id]);
  }

  async bulkDelete(ids: number[]): Promise<{ deleted: number }> {
    return { deleted: await this.deleteIds([...new Set(ids)]) };
  }

  async clearAll(i: { confirm?: boolean }): Promise<{ deleted: number }> {
    if (i.confirm !== true) throw badRequest('clear-all requires {"confirm": true}');
    let deleted = 0;
    for (;;) {
      const ids = this.d.people.firstIds(CLEAR_CHUNK);
      if (!ids.length) break;
      deleted += await this.deleteIds(ids, false);
      if (ids.length < CLEAR_CHUNK) break;
    }
    this.d.index.rebuildEnrolled();
    return { deleted };
  }

  /** Enrols the largest face of an uploaded photo; the photo is kept as the face's source image. */
  async enrollFace(personId: number, upload: UploadedImage): Promise<{ embedding_id: number; faces_detected: number; image_path: string }> {
    this.row(personId);
    const r = await facesInUpload(upload, this.d);
    // A blurred, tiny or sideways face would poison the person's reference (a landscape's false face scores 0).
    if (r.face.quality.score < ENROL_MIN_QUALITY) {
      throw new ApiError(422, `The largest face is too unclear to enrol (quality ${r.face.quality.score.toFixed(2)}, at least ${ENROL_MIN_QUALITY} needed): use a sharp, frontal photo.`, {}, { code: 'face_quality' });
    }
    const model = this.d.model();
    if (!model) throw new ApiError(503, 'Face recognizer unavailable: no embedding model.', {}, { code: 'recognizer_unavailable' });
    const image_path = await this.d.files.writeUnique(personDir(personId), EXTENSIONS[r.format], r.data);
    // The person may have been deleted while the photo was analysed.
    if (!this.d.people.get(personId)) {
      await this.d.files.remove(image_path);
      throw notFound(`Person ${personId} not found`);
    }
    const embedding_id = this.d.people.addFace({ person_id: personId, embedding: r.face.embedding, model, image_path, quality: r.face.quality.score, source_sample_id: null });
    this.d.index.rebuildEnrolled();
    this.d.log.info({ person_id: personId, embedding_id, faces: r.faces.length, quality: r.face.quality.score }, 'face enrolled');
    return { embedding_id, faces_detected: r.faces.length, image_path };
  }

  faces(personId: number): FaceEmbeddingDto[] {
    this.row(personId);
    return this.d.people.faces(personId).map(toFace);
  }

  /** The source image of one face: 404 when the face, its image or the file is missing, 400 if the path escapes. */
  faceImage(personId: number, faceId: number): ServedFile {
    const f = this.d.people.face(personId, faceId);
    if (!f) throw notFound(`Face ${faceId} of person ${personId} not found`);
    if (!f.image_path) throw notFound(`Face ${faceId} has no image`);
    return this.d.files.served(f.image_path, 'Face image');
  }

  async deleteFace(personId: number, faceId: number): Promise<void> {
    const f = this.d.people.face(personId, faceId);
    if (!f) throw notFound(`Face ${faceId} of person ${personId} not found`);
    this.d.people.deleteFace(personId, faceId);
    await this.d.files.remove(f.image_path);
    this.d.index.rebuildEnrolled();
  }

  /**
   * Copies up to MAX_ENROLL_FROM_SAMPLES of the best captured samples (current model only) into a person, crops as
   * their images, and names the samples. Creates the person unless `personId` is given.
   */
  async enrollSamples(sampleIds: readonly number[], name: string, personId: number | null): Promise<{ person_id: number; name: string; enrolled_faces: number }> {
    const model = this.d.model();
    const rows = this.d.samples.getMany([...new Set(sampleIds)]);
    if (!rows.length) throw notFound('None of these face samples exist');
    const usable = rows.filter((r) => r.model === model);
    if (!usable.length) throw new ApiError(409, `None of these samples were embedded with the current model (${model ?? 'none'}).`);
    const best = [...usable].sort((a, b) => b.quality - a.quality || a.id - b.id).slice(0, MAX_ENROLL_FROM_SAMPLES);
    const target = personId === null ? null : this.row(personId);
    const id = target ? target.id : this.d.people.create(name, null);
    const label = target ? target.name : name;
    let enrolled = 0;
    for (const s of best) {
      const v = this.d.samples.vector(s.id);
      if (!v) continue;
      const image_path = s.crop_path ? await this.d.files.copyUnique(s.crop_path, personDir(id), 'jpg') : null;
      this.d.people.addFace({ person_id: id, embedding: v.embedding, model: v.model, image_path, quality: s.quality, source_sample_id: s.id });
      enrolled++;
    }
    const all = rows.map((r) => r.id);
    this.d.samples.setLabel(all, label);
    this.d.samples.setPerson(all, id, null);
    this.d.index.rebuildEnrolled();
    return { person_id: id, name: label, enrolled_faces: enrolled };
  }

  /**
   * Negative feedback: sample S is not person P. The sample stops naming P, faces of P copied from it are removed,
   * and later recognition, search and enrolment leave it out as evidence for P.
   */
  async rejectSample(sampleId: number, personId: number): Promise<{ sample_id: number; person_id: number; removed_faces: number }> {
    const s = this.d.samples.get(sampleId);
    if (!s) throw notFound(`Face sample ${sampleId} not found`);
    this.row(personId);
    this.d.samples.addNegative(sampleId, personId);
    if (s.person_id === personId) this.d.samples.setPerson([sampleId], null, null);
    const removed = this.d.people.deleteFacesFromSample(personId, sampleId);
    for (const f of removed) await this.d.files.remove(f.image_path);
    if (removed.length) this.d.index.rebuildEnrolled();
    for (const l of this.rejectListeners) l(sampleId, personId);
    return { sample_id: sampleId, person_id: personId, removed_faces: removed.length };
  }

  /** Rows, then each person's folder of images; one index rebuild unless the caller does it. */
  private async deleteIds(ids: number[], rebuild = true): Promise<number> {
    if (!ids.length) return 0;
    const paths = this.d.people.imagePaths(ids);
    const found = this.d.people.deleteIds(ids);
    for (const p of paths) await this.d.files.remove(p);
    for (const id of found) await this.d.files.removeDir(personDir(id));
    if (rebuild && found.length) this.d.index.rebuildEnrolled();
    return found.length;
  }

  private row(id: number): PersonRow {
    const r = this.d.people.get(id);
    if (!r) throw notFound(`Person ${id} not found`);
    return r;
  }
}
