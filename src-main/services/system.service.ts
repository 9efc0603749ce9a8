// System introspection and health, assembled from injected probes.
import type { Principal } from '../shared/contract';
import type { WorkerState } from '../shared/contract/system.contract';
import type { HostRepository } from '../repositories/host.repository';
import type { FfmpegInfo } from '../repositories/ffmpeg/ffmpeg-locator';
import type { SettingsService } from './settings.service';
import type { ModelEntry } from '../shared/model-manifest';
import type { AnalysisEngineStatus } from '../ports/analysis-engine.port';
import type { FaceModels } from '../ports/face-engine.port';

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

/** What introspection needs of the analysis engine. */
export interface AnalysisIntrospection {
  models(): readonly ModelEntry[];
  providers(): readonly string[];
  status(): AnalysisEngineStatus;
}

/** What introspection needs of the faces side. */
export interface FacesIntrospection {
  models(): FaceModels;
  matchThreshold(): number;
  index(): { people: number; enrolled_faces: number; samples: number; rebuilding: boolean };
}

export class SystemService {
  constructor(
    private readonly info: SystemInfo,
    private readonly hostRepo: HostRepository,
    private readonly ffmpeg: () => FfmpegInfo,
    private readonly workers: WorkerStates,
    private readonly settings: SettingsService,
    private readonly analysis: AnalysisIntrospection,
    private readonly faces: FacesIntrospection | null = null,
  ) {}

  private facesInfo() {
    const m = this.faces?.models() ?? { detector: null, embedder: null, dim: null, error: 'face recognition is not part of this build' };
    const i = this.faces?.index() ?? { people: 0, enrolled_faces: 0, samples: 0, rebuilding: false };
    const s = this.settings.get();
    const off = s.face_detector_model === null || s.face_embedder_model === null;
    return {
      detector: m.detector,
      embedder: m.embedder,
      dim: m.dim,
      match_threshold: this.faces && m.embedder ? this.faces.matchThreshold() : null,
      error: off ? 'face models are turned off in settings' : (m.error ?? (m.embedder === null ? 'face models are not loaded yet' : null)),
      index: { people: i.people, enrolled_faces: i.enrolled_faces, samples: i.samples, rebuilding: i.rebuilding },
    };
  }

  private backend() {
    const st = this.analysis.status();
    const active = st.model?.name ?? null;
    const configured = this.settings.get().detector_model;
    return {
      detector: configured === null ? null : active,
      detector_error: configured === null ? null : (st.model_error?.message ?? (active === null && st.state === 'ready' ? `detector model ${configured} is not loaded` : null)),
      device: st.model?.provider ?? 'cpu',
      onnx_providers: [...this.analysis.providers()],
      faces_enabled: this.faces !== null && this.faces.models().embedder !== null && this.faces.models().detector !== null,
      faces: this.facesInfo(),
      analysis: { state: st.state, restarts: st.restarts, last_crash: st.last_crash },
      models: this.analysis.models().map((m) => ({
        name: m.name,
        path: m.file ?? m.manifest_path,
        found: m.file !== null,
        origin: m.origin,
        task: m.task,
        decoder: m.decoder,
        input: m.input,
        status: m.status,
        error: m.error,
        active: m.name === active,
      })),
    };
  }

  health() {
    const workers = this.workers.states();
    const degraded = workers.some((w) => w.state === 'error') || this.ffmpeg().path === null;
    return { status: degraded ? ('degraded' as const) : ('ok' as const), version: this.info.version, gpu: null, workers: workers.map((w) => ({ camera_id: w.camera_id, state: w.state })) };
  }

  async system(user: Principal) {
    const ff = this.ffmpeg();
    return {
      version: this.info.version,
      node: process.versions.node,
      electron: this.info.electron,
      platform: `${process.platform}-${process.arch}`,
      user: { email: user.email, name: user.name, via: user.via },
      backend: this.backend(),
      ffmpeg: { path: ff.path, ffprobe: ff.ffprobe, version: ff.version, source: ff.source, error: ff.error },
      data_dir: this.info.dataDir,
      disk: this.hostRepo.diskUsage(this.info.dataDir),
      api: { host: this.info.host, port: this.info.port(), auth_required: this.settings.get().auth_required },
      workers: this.workers.states(),
    };
  }
}
