// Events/recordings/storage handlers (placeholder until the recording services land: every op answers 501).
import type { Handlers } from '../../shared/contract';
import { ApiError } from '../../shared/errors';

type EventOps = 'events.list' | 'events.get' | 'events.update' | 'events.delete' | 'events.bulkDelete' | 'events.clearAll' | 'recordings.coverage' | 'recordings.activity' | 'recordings.export' | 'recordings.exportStatus' | 'storage.status' | 'storage.cleanup';

const pending = () => {
  throw new ApiError(501, 'Not implemented yet');
};

export const eventHandlers = (): Pick<Handlers, EventOps> => ({
  'events.list': pending,
  'events.get': pending,
  'events.update': pending,
  'events.delete': pending,
  'events.bulkDelete': pending,
  'events.clearAll': pending,
  'recordings.coverage': pending,
  'recordings.activity': pending,
  'recordings.export': pending,
  'recordings.exportStatus': pending,
  'storage.status': pending,
  'storage.cleanup': pending,
});
