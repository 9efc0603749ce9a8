// Wiring of the compat families of issue 14: Flex Video (pipelines, capture devices, framegrabs, settings, webhooks)
// and Backflow's IoT camera proxy.
import type { Db } from '../repositories/db/database';
import type { SecretBox } from '../repositories/secrets.repository';
import type { Logger } from '../repositories/logger';
import { SqliteFlexStore } from '../repositories/flex/flex-store.repository';
import { nodePipelineRunner } from '../repositories/flex/pipeline-runner.repository';
import { FsFlexFilesRepository, hostCaptureDevices } from '../repositories/flex/flex-files.repository';
import { fetchWebhookSender } from '../repositories/net/webhook-sender.repository';
import { PipelinesService } from '../services/flex/pipelines.service';
import { WebhooksService } from '../services/flex/webhooks.service';
import { FlexSettingsService } from '../services/flex/flex-settings.service';
import { CaptureDevicesService, FramegrabsService } from '../services/flex/capture-devices.service';
import type { PushBus } from '../services/push-bus';
import type { EventsService } from '../services/recording/events.service';
import type { CamerasService } from '../services/cameras/cameras.service';
import type { WorkerManagerPort } from '../ports/camera-workers.port';
import { ApiError } from '../shared/errors';
import { IotCamerasService } from '../services/backflow/iot-cameras.service';
import { SqliteCameraSlugsRepository } from '../repositories/camera-slugs.repository';
import { fetchSnapshot, SnapshotFetchError } from '../repositories/net/snapshot-fetch.repository';
import type { HlsFilesRepository } from '../repositories/hls-files.repository';

/** Backflow streams stop after this long without a viewer request. */
export const IOT_IDLE_MS = 5 * 60_000;

export function buildIot(d: { db: Db; cameras: CamerasService; manager: WorkerManagerPort; hlsFiles: HlsFilesRepository; log: Logger }): IotCamerasService {
  return new IotCamerasService({
    cameras: {
      list: () => d.cameras.list(),
      get: (id) => d.cameras.get(id),
      create: (i) => d.cameras.create({ enabled: true, ...i }),
      update: (i) => d.cameras.update(i),
      delete: (id) => d.cameras.delete(id),
      source: (id) => d.cameras.source(id),
    },
    hlsFiles: d.hlsFiles,
    slugs: new SqliteCameraSlugsRepository(d.db),
    media: {
      latest: (id) => d.manager.latest(id),
      fetchSnapshot: async (url, creds) => {
        try {
          return await fetchSnapshot(url, creds);
        } catch (err) {
          if (err instanceof SnapshotFetchError) throw new ApiError(502, `Snapshot failed: ${err.message}.`, {}, { code: 'CAMERA_UNREACHABLE' });
          throw err;
        }
      },
      startHls: (id) => d.manager.startHls(id),
      stopHls: (id) => d.manager.stopHls(id),
      touchHls: (id) => d.manager.touchHls(id),
      hasHls: (id) => d.manager.hasHls(id),
      waitHls: (id, msn, part, ms) => d.manager.waitHls(id, msn, part, ms),
    },
    log: d.log.child({ module: 'backflow-iot' }),
    now: Date.now,
    idleMs: IOT_IDLE_MS,
  });
}

export interface Flex {
  pipelines: PipelinesService;
  webhooks: WebhooksService;
  settings: FlexSettingsService;
  devices: CaptureDevicesService;
  framegrabs: FramegrabsService;
}

export function buildFlex(d: { dataDir: string; db: Db; box: SecretBox; bus: PushBus; manager: WorkerManagerPort; cameras: CamerasService; events: EventsService; ffmpeg: () => string | null; log: Logger }): Flex {
  const store = new SqliteFlexStore(d.db, d.box);
  const files = new FsFlexFilesRepository(d.dataDir);
  const settings = new FlexSettingsService(store);
  const pipelines = new PipelinesService({
    store,
    runner: nodePipelineRunner,
    files,
    cameras: { exists: (id) => d.cameras.exists(id), startHls: (id) => d.manager.startHls(id), touchHls: (id) => d.manager.touchHls(id) },
    ffmpeg: d.ffmpeg,
    settings: () => settings.get(),
    bus: d.bus,
    log: d.log.child({ module: 'flex-pipelines' }),
    now: Date.now,
  });
  const webhooks = new WebhooksService({
    store,
    sender: fetchWebhookSender,
    settings: () => settings.get(),
    bus: d.bus,
    eventEnded: (id) => {
      try {
        return d.events.get(id).ended_at !== null;
      } catch {
        return false;
      }
    },
    log: d.log.child({ module: 'webhooks' }),
    now: Date.now,
  });
  return { pipelines, webhooks, settings, devices: new CaptureDevicesService(hostCaptureDevices, d.ffmpeg, d.bus), framegrabs: new FramegrabsService(files) };
}
