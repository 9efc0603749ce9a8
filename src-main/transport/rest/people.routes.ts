// Raw people routes: enrolment upload (multipart `file`, Iris's errors) and a face's source image, contained in the data root.
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../../shared/errors';
import type { PeopleService } from '../../services/faces/people.service';
import type { FaceFilesRepository } from '../../repositories/face-files.repository';
import { allow, media, type RestModule } from './http-server';
import { sendRanged } from './http-range';
import { registerImageUploads, uploadedImage } from './image-upload';

export const intParam = (req: FastifyRequest, name: string): number => {
  const raw = (req.params as Record<string, string | undefined>)[name] ?? '';
  if (!/^[1-9]\d{0,14}$/.test(raw)) throw new ApiError(422, [{ loc: ['path', name], msg: 'Expected a positive integer', type: 'int_parsing' }]);
  return Number(raw);
};

const IMAGE_TYPES: Record<string, string> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };
export const imageType = (path: string): string => IMAGE_TYPES[path.slice(path.lastIndexOf('.') + 1).toLowerCase()] ?? 'application/octet-stream';

export const peopleRoutes =
  (people: PeopleService, files: FaceFilesRepository): RestModule =>
  (app) => {
    app.route({
      method: ['GET', 'HEAD'],
      url: '/api/people/:id/faces/:fid/image',
      ...media('identities:read'),
      handler: (req, reply) => {
        const f = people.faceImage(intParam(req, 'id'), intParam(req, 'fid'));
        return sendRanged(req, reply, f, imageType(f.path), (r) => files.read(f, r), { 'Cache-Control': 'private, max-age=3600' });
      },
    });
    app.register(async (scope) => {
      await registerImageUploads(scope);
      scope.post('/api/people/:id/faces', allow('identities:write'), async (req, reply) => reply.code(201).send(await people.enrollFace(intParam(req, 'id'), await uploadedImage(req))));
    });
    return [
      {
        method: 'POST',
        path: '/api/people/{id}/faces',
        tag: 'people',
        doc: 'Enrol a face from an uploaded photo: multipart/form-data with `file` (JPEG, PNG or WebP; one clear face — the largest is embedded). 201 {embedding_id, faces_detected, image_path}. 415 unsupported type, 400 empty or undecodable, 413 over 8 MiB or over 50 MP (checked from the header, never decoded), 422 no face, 503 recognizer unavailable.',
      },
      { method: 'GET', path: '/api/people/{id}/faces/{fid}/image', tag: 'people', doc: 'The source photo of one enrolled face.', produces: 'image/jpeg' },
    ];
  };
