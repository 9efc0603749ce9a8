// People and their enrolled face embeddings in SQLite (the source of truth the enrolled-face index is rebuilt from).
import type { Db } from './db/database';
import { decodeF32, encodeF32 } from './embedding-blob';

export interface PersonRow {
  id: number;
  name: string;
  notes: string | null;
  created_at: string;
  updated_at: string;
  num_faces: number;
}

export interface FaceEmbeddingRow {
  id: number;
  person_id: number;
  dim: number;
  model: string;
  /** Relative to the data root. */
  image_path: string | null;
  quality: number | null;
  source_sample_id: number | null;
  created_at: string;
}

export interface NewFaceEmbedding {
  person_id: number;
  embedding: Float32Array;
  model: string;
  image_path: string | null;
  quality: number | null;
  source_sample_id: number | null;
}

/** One enrolled vector with its person, as recognition and the enrolled index read it. */
export interface EnrolledVector {
  id: number;
  person_id: number;
  name: string;
  quality: number | null;
  source_sample_id: number | null;
  embedding: Float32Array;
}

export interface PeopleRepository {
  /** By name (case-insensitive), then id. */
  list(): PersonRow[];
  get(id: number): PersonRow | undefined;
  getMany(ids: readonly number[]): PersonRow[];
  create(name: string, notes: string | null): number;
  update(id: number, patch: { name?: string; notes?: string | null }): boolean;
  /** Deletes the rows (embeddings and negatives cascade; events are detached by a trigger); returns the ids that existed. */
  deleteIds(ids: readonly number[]): number[];
  /** Up to `limit` person ids, oldest first. */
  firstIds(limit: number): number[];
  faces(personId: number): FaceEmbeddingRow[];
  face(personId: number, faceId: number): FaceEmbeddingRow | undefined;
  /** Image paths of every face of these people. */
  imagePaths(personIds: readonly number[]): string[];
  addFace(f: NewFaceEmbedding): number;
  setFaceImage(faceId: number, imagePath: string): void;
  deleteFace(personId: number, faceId: number): boolean;
  /** Every enrolled vector of one embedding model. */
  enrolled(model: string): EnrolledVector[];
  /** Removes the faces of `personId` copied from sample `sampleId` (negative feedback); returns what was removed. */
  deleteFacesFromSample(personId: number, sampleId: number): FaceEmbeddingRow[];
}

const FACE_COLUMNS = 'id, person_id, dim, model, image_path, quality, source_sample_id, created_at';
const PERSON_SELECT = 'SELECT p.id, p.name, p.notes, p.created_at, p.updated_at, (SELECT COUNT(*) FROM face_embeddings f WHERE f.person_id = p.id) AS num_faces FROM people p';

export class SqlitePeopleRepository implements PeopleRepository {
  constructor(private readonly db: Db) {}

  list(): PersonRow[] {
    return this.db.prepare(`${PERSON_SELECT} ORDER BY p.name COLLATE NOCASE, p.id`).all() as PersonRow[];
  }

  get(id: number): PersonRow | undefined {
    return this.db.prepare(`${PERSON_SELECT} WHERE p.id = ?`).get(id) as PersonRow | undefined;
  }

  getMany(ids: readonly number[]): PersonRow[] {
    if (!ids.length) return [];
    return this.db.prepare(`${PERSON_SELECT} WHERE p.id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(ids)) as PersonRow[];
  }

  create(name: string, notes: string | null): number {
    return Number(this.db.prepare('INSERT INTO people (name, notes) VALUES (?, ?)').run(name, notes).lastInsertRowid);
  }

  update(id: number, patch: { name?: string; notes?: string | null }): boolean {
    const sets: string[] = [];
    if (patch.name !== undefined) sets.push('name = @name');
    if (patch.notes !== undefined) sets.push('notes = @notes');
    sets.push("updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')");
    return this.db.prepare(`UPDATE people SET ${sets.join(', ')} WHERE id = @id`).run({ name: patch.name ?? null, notes: patch.notes ?? null, id }).changes > 0;
  }

  deleteIds(ids: readonly number[]): number[] {
    if (!ids.length) return [];
    const json = JSON.stringify(ids);
    return this.db.transaction(() => {
      const found = this.db.prepare('SELECT id FROM people WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id').pluck().all(json) as number[];
      this.db.prepare('DELETE FROM people WHERE id IN (SELECT value FROM json_each(?))').run(json);
      return found;
    })();
  }

  firstIds(limit: number): number[] {
    return this.db.prepare('SELECT id FROM people ORDER BY id LIMIT ?').pluck().all(limit) as number[];
  }

  faces(personId: number): FaceEmbeddingRow[] {
    return this.db.prepare(`SELECT ${FACE_COLUMNS} FROM face_embeddings WHERE person_id = ? ORDER BY id`).all(personId) as FaceEmbeddingRow[];
  }

  face(personId: number, faceId: number): FaceEmbeddingRow | undefined {
    return this.db.prepare(`SELECT ${FACE_COLUMNS} FROM face_embeddings WHERE person_id = ? AND id = ?`).get(personId, faceId) as FaceEmbeddingRow | undefined;
  }

  imagePaths(personIds: readonly number[]): string[] {
    if (!personIds.length) return [];
    return this.db.prepare('SELECT image_path FROM face_embeddings WHERE image_path IS NOT NULL AND person_id IN (SELECT value FROM json_each(?))').pluck().all(JSON.stringify(personIds)) as string[];
  }

  addFace(f: NewFaceEmbedding): number {
    return Number(
      this.db
        .prepare('INSERT INTO face_embeddings (person_id, embedding, dim, model, image_path, quality, source_sample_id) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(f.person_id, encodeF32(f.embedding), f.embedding.length, f.model, f.image_path, f.quality, f.source_sample_id).lastInsertRowid,
    );
  }

  setFaceImage(faceId: number, imagePath: string): void {
    this.db.prepare('UPDATE face_embeddings SET image_path = ? WHERE id = ?').run(imagePath, faceId);
  }

  deleteFace(personId: number, faceId: number): boolean {
    return this.db.prepare('DELETE FROM face_embeddings WHERE person_id = ? AND id = ?').run(personId, faceId).changes > 0;
  }

  enrolled(model: string): EnrolledVector[] {
    const rows = this.db
      .prepare('SELECT f.id, f.person_id, p.name, f.quality, f.source_sample_id, f.embedding FROM face_embeddings f JOIN people p ON p.id = f.person_id WHERE f.model = ? ORDER BY f.id')
      .all(model) as (Omit<EnrolledVector, 'embedding'> & { embedding: Buffer })[];
    return rows.map((r) => ({ ...r, embedding: decodeF32(r.embedding) }));
  }

  deleteFacesFromSample(personId: number, sampleId: number): FaceEmbeddingRow[] {
    return this.db.transaction(() => {
      const rows = this.db.prepare(`SELECT ${FACE_COLUMNS} FROM face_embeddings WHERE person_id = ? AND source_sample_id = ?`).all(personId, sampleId) as FaceEmbeddingRow[];
      this.db.prepare('DELETE FROM face_embeddings WHERE person_id = ? AND source_sample_id = ?').run(personId, sampleId);
      return rows;
    })();
  }
}
