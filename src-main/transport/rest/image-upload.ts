// One uploaded image from a multipart body (one named field), cut off past the size limit: face uploads and pushed frames.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fastifyMultipart from '@fastify/multipart';
import { ApiError } from '../../shared/errors';
import { FACE_UPLOAD_MAX_BYTES, uploadTooLarge } from '../../shared/contract/people.contract';
import type { UploadedImage } from '../../services/faces/face-upload';

/** Registers the multipart parser in an encapsulated scope (only the upload routes see it), with tight limits. */
export async function registerImageUploads(scope: FastifyInstance, maxBytes = FACE_UPLOAD_MAX_BYTES): Promise<void> {
  await scope.register(fastifyMultipart, {
    limits: { fileSize: maxBytes, files: 1, fields: 10, fieldSize: 1024, parts: 12, headerPairs: 64, fieldNameSize: 64 },
    throwFileSizeLimit: true,
  });
  // An upload refused before its body was read must not make the server read the rest of it: close the connection.
  scope.addHook('onRequest', async (_req, reply) => {
    reply.header('Connection', 'close');
  });
}

const missingFile = (field: string): ApiError => new ApiError(422, [{ loc: ['body', field], msg: 'Field required', type: 'missing' }]);

function mapError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const e = err as { statusCode?: number; code?: string; message?: string };
  if (e.code === 'FST_REQ_FILE_TOO_LARGE') return uploadTooLarge();
  if (e.statusCode === 413) return new ApiError(413, 'Upload too large: one file, a few small fields.', { Connection: 'close' }, { code: 'upload_too_large' });
  if (e.code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') return new ApiError(415, 'Expected multipart/form-data with a `file` part.', {}, { code: 'unsupported_media_type' });
  return new ApiError(400, 'Malformed multipart body.', {}, { code: 'malformed_multipart' });
}

/** The `field` part: 415 when the request is not multipart, 422 when it has no such part; reading past the limit is a 413. */
export async function uploadedImage(req: FastifyRequest, field = 'file'): Promise<UploadedImage> {
  if (!req.isMultipart()) throw new ApiError(415, `Expected multipart/form-data with a \`${field}\` part.`, {}, { code: 'unsupported_media_type' });
  let part;
  try {
    part = await req.file();
  } catch (err) {
    throw mapError(err);
  }
  if (!part || part.fieldname !== field) throw missingFile(field);
  const file = part.file;
  return {
    mimetype: part.mimetype ?? '',
    // Buffers at most fileSize bytes; at the limit the part is dropped and the 413 goes out at once, the connection
    // closing behind it, so the rest of a huge upload is never read.
    read: () =>
      new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = [];
        file.on('data', (c: Buffer) => chunks.push(c));
        file.once('limit', () => {
          file.removeAllListeners('data');
          chunks.length = 0;
          reject(uploadTooLarge());
          file.destroy();
        });
        file.once('error', (err) => reject(mapError(err)));
        file.once('end', () => (file.truncated ? reject(uploadTooLarge()) : resolve(Buffer.concat(chunks))));
      }),
  };
}
