// People-family handlers (Iris /api/people): each is one line onto the people service.
import type { Handlers } from '../../shared/contract';
import type { PeopleService } from '../../services/faces/people.service';

type PeopleOps = 'people.list' | 'people.create' | 'people.get' | 'people.update' | 'people.delete' | 'people.bulkDelete' | 'people.clearAll' | 'people.faces' | 'people.deleteFace' | 'people.enrollPhoto';

export const peopleHandlers = (s: { people: PeopleService }): Pick<Handlers, PeopleOps> => ({
  'people.list': () => s.people.list(),
  'people.create': (i) => s.people.create(i),
  'people.get': (i) => s.people.get(i.id),
  'people.update': ({ id, ...patch }) => s.people.update(id, patch),
  'people.delete': (i) => s.people.delete(i.id),
  'people.bulkDelete': (i) => s.people.bulkDelete(i.ids),
  'people.clearAll': (i) => s.people.clearAll(i),
  'people.faces': (i) => s.people.faces(i.id),
  'people.deleteFace': (i) => s.people.deleteFace(i.id, i.fid),
  'people.enrollPhoto': (i) => s.people.enrollFace(i.id, { mimetype: i.type, read: () => Promise.resolve(Buffer.from(i.data.buffer, i.data.byteOffset, i.data.byteLength)) }),
});
