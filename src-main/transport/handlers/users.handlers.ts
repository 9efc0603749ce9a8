// Users-family handlers: each is one line onto the users service.
import type { Handlers } from '../../shared/contract';
import type { UsersService } from '../../services/users.service';

type UsersOps = 'users.list' | 'users.create' | 'users.update' | 'users.delete' | 'users.createApiKey';

export const usersHandlers = (s: { users: UsersService }): Pick<Handlers, UsersOps> => ({
  'users.list': () => s.users.list(),
  'users.create': (i) => s.users.create(i),
  'users.update': ({ id, ...patch }) => s.users.update(id, patch),
  'users.delete': (i) => s.users.delete(i.id),
  'users.createApiKey': (i) => s.users.createApiKey(i.id),
});
