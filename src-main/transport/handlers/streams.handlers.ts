// Streams-family management handlers (Vigil's additions for /api/v1/streams and /api/v1/policies): one line each onto the streams service.
import type { Handlers } from '../../shared/contract';
import type { StreamsService } from '../../services/streams/streams.service';

type StreamOps = 'streams.list' | 'streams.create' | 'streams.get' | 'streams.update' | 'streams.delete' | 'streams.pairingCode' | 'policies.list' | 'policies.create' | 'policies.get' | 'policies.update' | 'policies.delete';

export const streamHandlers = (s: { streams: StreamsService }): Pick<Handlers, StreamOps> => ({
  'streams.list': (i) => s.streams.list(i.status),
  'streams.create': (i) => s.streams.create(i),
  'streams.get': (i) => s.streams.get(i.id),
  'streams.update': ({ id, ...patch }) => s.streams.update(id, patch),
  'streams.delete': (i) => s.streams.delete(i.id),
  'streams.pairingCode': (i) => s.streams.pairingCode(i.id),
  'policies.list': () => s.streams.listPolicies(),
  'policies.create': (i) => s.streams.createPolicy(i),
  'policies.get': (i) => s.streams.getPolicy(i.id),
  'policies.update': ({ id, ...patch }) => s.streams.updatePolicy(id, patch),
  'policies.delete': (i) => s.streams.deletePolicy(i.id),
});
