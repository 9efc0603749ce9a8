// Identities-family handlers (Iris /api/identities plus Vigil's undo log): each is one line onto the identities service.
import type { Handlers } from '../../shared/contract';
import type { IdentitiesService } from '../../services/identities/identities.service';

type IdentityOps =
  | 'identities.list'
  | 'identities.analytics'
  | 'identities.operations'
  | 'identities.undo'
  | 'identities.get'
  | 'identities.sightings'
  | 'identities.events'
  | 'identities.faces'
  | 'identities.update'
  | 'identities.merge'
  | 'identities.split'
  | 'identities.notSame'
  | 'identities.delete'
  | 'identities.bulkDelete'
  | 'identities.clearAll';

export const identityHandlers = (s: { identities: IdentitiesService }): Pick<Handlers, IdentityOps> => ({
  'identities.list': (i) => s.identities.list(i),
  'identities.analytics': (i) => s.identities.analytics(i),
  'identities.operations': (i) => s.identities.operations(i.limit, i.offset),
  'identities.undo': (i) => s.identities.undo(i),
  'identities.get': (i) => s.identities.get(i.id, i.recent),
  'identities.sightings': (i) => s.identities.sightings(i.id, i.limit, i.offset),
  'identities.events': (i) => s.identities.events(i.id, i.limit, i.offset),
  'identities.faces': (i) => s.identities.faces(i.id, i.limit, i.offset),
  'identities.update': ({ id, ...patch }) => s.identities.update(id, patch),
  'identities.merge': (i) => s.identities.merge(i),
  'identities.split': ({ id, ...i }) => s.identities.split(id, i),
  'identities.notSame': (i) => s.identities.notSame(i.id, i.sighting_ids),
  'identities.delete': (i) => s.identities.delete(i.id),
  'identities.bulkDelete': (i) => s.identities.bulkDelete(i.ids),
  'identities.clearAll': (i) => s.identities.clearAll(i),
});
