// System introspection and health, assembled from injected probes.
import type { Principal } from '../shared/contract';
import type { WorkerState } from '../shared/contract/system.contract';
import type { HostRepository } from '../repositories/host.repository';
import type { FfmpegInfo } from '../repositories/ffmpeg/ffmpeg-locator';
import type { SettingsService } from './settings.service';

export interface WorkerStates {
  states(): WorkerState[];
}

export interface SystemInfo {
  version: string;
  electron: string | null;
  dataDir: string;
  host: string;
  port: () => number;
}

export class SystemService {
  constructor(
    private readonly info: SystemInfo,
    private readonly hostRepo: HostRepository,
    private readonly ffmpeg: () => FfmpegInfo,
    private readonly workers: WorkerStates,
    private readonly settings: SettingsService,
  ) {}

  health() {
    const workers = this.workers.states();
    const degraded = workers.some((w) => w.state === 'error') || this.ffmpeg().path === null;
    return { status: degraded ? ('degraded' as const) : ('ok' as const), version: this.info.version, gpu: null, workers: workers.map((w) => ({ camera_id: w.camera_id, state: w.state })) };
  }

  async system(user: Principal) {
    const models = this.hostRepo.models();
    const ff = this.ffmpeg();
    return {
      version: this.info.version,
      node: process.versions.node,
      electron: this.info.electron,
      platform: `${process.platform}-${process.arch}`,
      user: { email: user.email, name: user.name, via: user.via },
      backend: {
        detector: models.find((m) => m.name.startsWith('nanodet') && m.found)?.name ?? null,
        device: 'cpu',
        onnx_providers: await this.hostRepo.onnxProviders(),
        faces_enabled: models.some((m) => m.name.startsWith('blazeface') && m.found),
        models,
      },
      ffmpeg: { path: ff.path, ffprobe: ff.ffprobe, version: ff.version, source: ff.source, error: ff.error },
      data_dir: this.info.dataDir,
      disk: this.hostRepo.diskUsage(this.info.dataDir),
      api: { host: this.info.host, port: this.info.port(), auth_required: this.settings.get().auth_required },
      workers: this.workers.states(),
    };
  }
}
