// People (Iris /api/people): the manual face database; enrolment upload and face images are raw routes.
import { z } from 'zod';
import { op } from './define';
import { zId } from '../time';
import { ApiError } from '../errors';

/** Iris's enrolment upload limits (also the photo search): 8 MiB, 50 MP, JPEG/PNG/WebP. */
export const FACE_UPLOAD_MAX_BYTES = 8 * 1024 * 1024;
export const FACE_UPLOAD_MAX_PIXELS = 50_000_000;
export const FACE_UPLOAD_TYPES: readonly string[] = ['image/jpeg', 'image/jpg', 'image/pjpeg', 'image/png', 'image/webp'];

/** 413 for an upload over FACE_UPLOAD_MAX_BYTES; the connection is closed rather than read to its end. */
export const uploadTooLarge = (): ApiError => new ApiError(413, `Upload too large: the limit is ${FACE_UPLOAD_MAX_BYTES / 1024 / 1024} MiB.`, { Connection: 'close' }, { code: 'upload_too_large' });

const id = zId;
const personName = z.string().trim().min(1).max(200);
const notes = z.string().max(4000).nullable();

export const personSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  notes: z.string().nullable(),
  num_faces: z.number().int().describe('Enrolled face embeddings.'),
  created_at: z.string(),
  updated_at: z.string(),
});
export type PersonDto = z.output<typeof personSchema>;

export const faceEmbeddingSchema = z.object({
  id: z.number().int(),
  person_id: z.number().int(),
  image_path: z.string().nullable().describe('Source image, relative to the data root.'),
  image_url: z.string().nullable(),
  model: z.string().describe('Embedding model (manifest name) the vector came from.'),
  dim: z.number().int(),
  quality: z.number().nullable(),
  source_sample_id: z.number().int().nullable().describe('The captured sample it was copied from (face-group enrolment).'),
  created_at: z.string(),
});
export type FaceEmbeddingDto = z.output<typeof faceEmbeddingSchema>;

export const enrollResultSchema = z.object({ embedding_id: z.number().int(), faces_detected: z.number().int(), image_path: z.string() });

export const peopleContract = {
  'people.list': op({
    method: 'GET',
    path: '/api/people',
    tag: 'people',
    doc: 'List people with num_faces, by name.',
    input: z.object({}),
    output: z.array(personSchema),
  }),
  'people.create': op({
    method: 'POST',
    path: '/api/people',
    tag: 'people',
    status: 201,
    doc: 'Create a face-less person: {name, notes?}.',
    input: z.object({ name: personName, notes: notes.optional() }).strict(),
    output: personSchema,
  }),
  'people.get': op({
    method: 'GET',
    path: '/api/people/{id}',
    tag: 'people',
    doc: 'Fetch one person.',
    input: z.object({ id }),
    output: personSchema,
  }),
  'people.update': op({
    method: 'PUT',
    path: '/api/people/{id}',
    tag: 'people',
    doc: 'Update name and/or notes.',
    input: z.object({ id, name: personName.optional(), notes: notes.optional() }).strict(),
    output: personSchema,
  }),
  'people.delete': op({
    method: 'DELETE',
    path: '/api/people/{id}',
    tag: 'people',
    status: 204,
    doc: 'Delete a person, their faces and images; their events keep person_name with person_id cleared; the index is rebuilt.',
    input: z.object({ id }),
    output: z.void(),
  }),
  'people.bulkDelete': op({
    method: 'POST',
    path: '/api/people/bulk-delete',
    tag: 'people',
    doc: 'Delete the given people (+ images); at most 1000; the index is rebuilt once.',
    input: z.object({ ids: z.array(z.number().int().positive()).max(1000) }).strict(),
    output: z.object({ deleted: z.number().int() }),
  }),
  'people.clearAll': op({
    method: 'POST',
    path: '/api/people/clear-all',
    tag: 'people',
    doc: 'Delete ALL people (+ images); requires confirm=true (400 otherwise); deletes in chunks of 200.',
    input: z.object({ confirm: z.boolean().optional() }).strict(),
    output: z.object({ deleted: z.number().int() }),
  }),
  'people.enrollPhoto': op({
    method: 'POST',
    path: '/ipc/people/{id}/faces',
    tag: 'people',
    transport: 'ipc',
    status: 201,
    doc: 'Desktop only (IPC; REST clients use the multipart POST /api/people/{id}/faces): enrol the largest face of a photo. Same limits and errors as the upload.',
    input: z.object({
      id,
      type: z.string().max(100).describe('The file\'s MIME type (image/jpeg, image/png or image/webp).'),
      // One byte over the limit still parses, so the service answers the documented 413 rather than a 422.
      data: z.instanceof(Uint8Array).refine((d) => d.byteLength <= FACE_UPLOAD_MAX_BYTES + 1, { message: 'over the upload limit' }),
    }),
    output: enrollResultSchema,
  }),
  'people.faces': op({
    method: 'GET',
    path: '/api/people/{id}/faces',
    tag: 'people',
    doc: "List a person's enrolled face embeddings (without the vectors).",
    input: z.object({ id }),
    output: z.array(faceEmbeddingSchema),
  }),
  'people.deleteFace': op({
    method: 'DELETE',
    path: '/api/people/{id}/faces/{fid}',
    tag: 'people',
    status: 204,
    doc: 'Remove one face embedding and its image; the index is rebuilt.',
    input: z.object({ id, fid: id }),
    output: z.void(),
  }),
};
