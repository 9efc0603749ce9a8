// Events, manual recording, recordings and storage handlers: each is one line onto a recording service.
import type { Handlers } from '../../shared/contract';
import type { EventsService } from '../../services/recording/events.service';
import type { EventRecorder } from '../../services/recording/event-recorder.service';
import type { RecordingsService } from '../../services/recording/recordings.service';
import type { RetentionService } from '../../services/recording/retention.service';

type EventOps = 'live.recordStart' | 'live.recordStop' | 'events.list' | 'events.get' | 'events.update' | 'events.delete' | 'events.bulkDelete' | 'events.clearAll' | 'recordings.coverage' | 'recordings.activity' | 'recordings.export' | 'recordings.exportStatus' | 'recordings.exports' | 'recordings.deleteExport' | 'storage.status' | 'storage.cleanup';

export interface EventHandlerDeps {
  events: EventsService;
  recorder: EventRecorder;
  recordings: RecordingsService;
  retention: RetentionService;
}

export const eventHandlers = (s: EventHandlerDeps): Pick<Handlers, EventOps> => ({
  'live.recordStart': (i) => s.recorder.recordStart(i.id),
  'live.recordStop': (i) => s.recorder.recordStop(i.id, i.started_at),
  'events.list': (i) => s.events.list(i),
  'events.get': (i) => s.events.get(i.id),
  'events.update': (i) => s.events.setRetain(i.id, i.retain),
  'events.delete': (i) => s.events.delete(i.id),
  'events.bulkDelete': (i) => s.events.bulkDelete(i.ids),
  'events.clearAll': (i) => s.events.clearAll(i),
  'recordings.coverage': (i) => s.recordings.coverage(i),
  'recordings.activity': (i) => s.recordings.activity(i),
  'recordings.export': (i) => s.recordings.export(i),
  'recordings.exportStatus': (i) => s.recordings.exportStatus(i.export_id),
  'recordings.exports': (i) => s.recordings.listExports(i),
  'recordings.deleteExport': (i) => s.recordings.deleteExport(i.export_id),
  'storage.status': () => s.retention.status(),
  'storage.cleanup': () => s.retention.cleanup(),
});
