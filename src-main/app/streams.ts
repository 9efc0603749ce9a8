// Composition of push streams (issue 15): the store, secrets and QR codes, the shared detector on pushed frames, the service.
import type { Db } from '../repositories/db/database';
import type { Logger } from '../repositories/logger';
import type { AnalysisEngine } from '../ports/analysis-engine.port';
import type { ImageRepository } from '../repositories/image/image.repository';
import type { SettingsService } from '../services/settings.service';
import { SqliteStreamsRepository } from '../repositories/streams.repository';
import { SharpImageHeaderRepository } from '../repositories/image-header.repository';
import { NodeStreamsCryptoRepository } from '../repositories/streams-crypto.repository';
import { StreamsService } from '../services/streams/streams.service';
import { EngineFrameDetector } from '../services/streams/frame-detector';

export interface StreamsDeps {
  /** Each stream records on a push camera of its own. */
  cameras: { createPushCamera(name: string, streamId: string): { id: number } };
  ingest: { pushFrame(cameraId: number, jpeg: Buffer): boolean };
  db: Db;
  engine: Pick<AnalysisEngine, 'activeModel' | 'submit' | 'forget'>;
  image: ImageRepository;
  settings: SettingsService;
  log: Logger;
}

export function buildStreams(o: StreamsDeps): StreamsService {
  return new StreamsService({
    repo: new SqliteStreamsRepository(o.db),
    crypto: new NodeStreamsCryptoRepository(),
    detector: new EngineFrameDetector(o.engine, o.image),
    image: new SharpImageHeaderRepository(),
    correlationMs: () => o.settings.get().stream_correlation_ms,
    camera: (name, streamId) => o.cameras.createPushCamera(name, streamId).id,
    record: (cameraId, jpeg) => void o.ingest.pushFrame(cameraId, jpeg),
    now: Date.now,
    log: o.log.child({ module: 'streams' }),
  });
}
