// Raw face routes: a captured face's crop, and face search by uploaded photo (multipart `file`, the enrolment errors).
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../../shared/errors';
import { faceSearchPhotoQuery } from '../../shared/contract/face-groups.contract';
import type { FaceSamplesService } from '../../services/faces/face-samples.service';
import type { FaceSearchService, SearchOptions } from '../../services/faces/face-search.service';
import type { FaceFilesRepository } from '../../repositories/face-files.repository';
import { zodIssues } from '../dispatch';
import { allow, media, type RestModule } from './http-server';
import { sendRanged } from './http-range';
import { registerImageUploads, uploadedImage } from './image-upload';
import { intParam } from './people.routes';

function searchQuery(req: FastifyRequest): SearchOptions {
  const q = { ...(req.query as Record<string, unknown>) };
  delete q.token;
  const r = faceSearchPhotoQuery.safeParse(q);
  if (!r.success) throw new ApiError(422, zodIssues(r.error, () => 'query'));
  return r.data;
}

export const faceGroupsRoutes =
  (samples: FaceSamplesService, search: FaceSearchService, files: FaceFilesRepository): RestModule =>
  (app) => {
    app.route({
      method: ['GET', 'HEAD'],
      url: '/api/face-groups/samples/:id/thumbnail',
      ...media('identities:read'),
      handler: async (req, reply) => {
        const f = await samples.thumbnail(intParam(req, 'id'));
        return sendRanged(req, reply, f, 'image/jpeg', (r) => files.read(f, r), { 'Cache-Control': 'private, max-age=3600' });
      },
    });
    app.register(async (scope) => {
      await registerImageUploads(scope);
      scope.post('/api/faces/search/photo', allow('identities:read'), async (req) => search.byPhoto(searchQuery(req), await uploadedImage(req)));
    });
    return [
      { method: 'GET', path: '/api/face-groups/samples/{id}/thumbnail', tag: 'face-groups', doc: 'Face-crop JPEG of one captured face.', produces: 'image/jpeg' },
      {
        method: 'POST',
        path: '/api/faces/search/photo',
        tag: 'faces',
        doc: 'Vigil: face search by photo — multipart/form-data with `file`; query min_similarity, camera_id, from, to, limit, offset as in POST /api/faces/search. The largest face is the query; same errors as enrolment (415, 400, 413, 422, 503).',
      },
    ];
  };
