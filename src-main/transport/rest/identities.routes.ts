// Raw identity routes: an identity's representative crop and one sighting's crop (JPEG, media access, contained in the data root).
import type { IdentitiesService } from '../../services/identities/identities.service';
import type { IdentityFilesRepository } from '../../repositories/identity-files.repository';
import { media, type RestModule } from './http-server';
import { sendRanged } from './http-range';
import { intParam } from './people.routes';

export const identitiesRoutes =
  (identities: IdentitiesService, files: IdentityFilesRepository): RestModule =>
  (app) => {
    app.route({
      method: ['GET', 'HEAD'],
      url: '/api/identities/:id/thumbnail',
      ...media('identities:read'),
      handler: (req, reply) => {
        const f = identities.thumbnail(intParam(req, 'id'));
        return sendRanged(req, reply, f, 'image/jpeg', (r) => files.read(f, r), { 'Cache-Control': 'private, no-cache' });
      },
    });
    app.route({
      method: ['GET', 'HEAD'],
      url: '/api/identities/sightings/:sid/thumbnail',
      ...media('identities:read'),
      handler: (req, reply) => {
        const f = identities.sightingThumbnail(intParam(req, 'sid'));
        return sendRanged(req, reply, f, 'image/jpeg', (r) => files.read(f, r), { 'Cache-Control': 'private, max-age=3600' });
      },
    });
    return [
      { method: 'GET', path: '/api/identities/{id}/thumbnail', tag: 'identities', doc: 'Representative body-crop JPEG of an identity (its best-scored sighting with a crop).', produces: 'image/jpeg' },
      { method: 'GET', path: '/api/identities/sightings/{sid}/thumbnail', tag: 'identities', doc: "One sighting's body-crop JPEG.", produces: 'image/jpeg' },
    ];
  };
