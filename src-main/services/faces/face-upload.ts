// An uploaded photo → its largest face's embedding, refusing what must never be decoded (Iris's enrolment errors).
import { ApiError } from '../../shared/errors';
import type { FaceEngine, FaceResult } from '../../ports/face-engine.port';
import type { ImageHeaderRepository } from '../../repositories/image-header.repository';
import { FACE_UPLOAD_MAX_BYTES as MAX_UPLOAD_BYTES, FACE_UPLOAD_MAX_PIXELS as MAX_UPLOAD_PIXELS, FACE_UPLOAD_TYPES, uploadTooLarge } from '../../shared/contract/people.contract';

/** What the transport hands over: the part's declared type and a reader that enforces the byte limit. */
export interface UploadedImage {
  mimetype: string;
  /** The bytes; rejects with a 413 ApiError past FACE_UPLOAD_MAX_BYTES. */
  read(): Promise<Buffer>;
}


export type ImageFormat = 'jpeg' | 'png' | 'webp';
export const EXTENSIONS: Record<ImageFormat, string> = { jpeg: 'jpg', png: 'png', webp: 'webp' };

/** The format from the first bytes; anything else never reaches an image decoder. */
export function sniffImage(b: Buffer): ImageFormat | null {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  return null;
}

export interface FaceUploadDeps {
  engine: FaceEngine;
  image: ImageHeaderRepository;
}

export interface UploadFaces {
  data: Buffer;
  format: ImageFormat;
  width: number;
  height: number;
  faces: FaceResult[];
  /** The largest face that has an embedding. */
  face: FaceResult & { embedding: Float32Array };
}

/**
 * 415 unsupported type · 400 empty or undecodable · 413 over 8 MiB or over 50 MP (read from the header; the pixels are
 * never decoded) · 503 recogniser unavailable · 422 no face. Every face is embedded whatever its quality: an operator
 * chose this photo, and its quality is stored with it.
 */
export async function facesInUpload(upload: UploadedImage, d: FaceUploadDeps): Promise<UploadFaces> {
  const type = upload.mimetype.split(';')[0]?.trim().toLowerCase() ?? '';
  if (!FACE_UPLOAD_TYPES.includes(type)) throw new ApiError(415, `Unsupported content type "${type || 'none'}": upload a JPEG, PNG or WebP image.`, {}, { code: 'unsupported_media_type' });
  const data = await upload.read();
  if (data.length === 0) throw new ApiError(400, 'Empty upload.', {}, { code: 'empty_upload' });
  if (data.length > MAX_UPLOAD_BYTES) throw uploadTooLarge();
  const format = sniffImage(data);
  if (!format) throw new ApiError(400, 'Could not decode the image: it is not a JPEG, PNG or WebP file.', {}, { code: 'undecodable_image' });
  const dims = await d.image.dimensions(data);
  if (!dims) throw new ApiError(400, 'Could not decode the image.', {}, { code: 'undecodable_image' });
  if (dims.width * dims.height > MAX_UPLOAD_PIXELS) {
    throw new ApiError(413, `Image resolution too large: ${dims.width}×${dims.height} is over ${MAX_UPLOAD_PIXELS / 1e6} MP.`, {}, { code: 'resolution_too_large' });
  }
  const models = d.engine.faceModels();
  if (models.error || !models.detector || !models.embedder) throw recognizerUnavailable(models.error);
  const r = await d.engine.facesInImage(data, { min_quality: 0, max_faces: 32, crops: false });
  if (!r.ok) {
    if (r.error.kind === 'bad-image' || r.error.kind === 'bad-frame') throw new ApiError(400, `Could not decode the image: ${r.error.message}`, {}, { code: 'undecodable_image' });
    throw recognizerUnavailable(r.error.message);
  }
  const face = r.value.faces.find((f): f is FaceResult & { embedding: Float32Array } => f.embedding !== null && f.embedding.length > 0);
  if (!face) throw new ApiError(422, r.value.faces.length ? 'No face could be embedded in the image.' : 'No face detected in the image.', {}, { code: 'no_face' });
  return { data, format, width: r.value.width, height: r.value.height, faces: r.value.faces, face };
}

export const recognizerUnavailable = (why: string | null): ApiError => new ApiError(503, `Face recognizer unavailable${why ? `: ${why}` : ''}.`, {}, { code: 'recognizer_unavailable' });
