// Flex pipelines: a Vigil camera (through its one ingest's live HLS) or a capture device pushed to RTSP/SRT/RTMP or
// written as HLS/recordings by ffmpeg, copying the camera's H.264 unless told to encode; play waits for media.
import { ApiError, conflict, notFound } from '../../shared/errors';
import { pipelineSpecSchema, type FlexSettings, type PipelineSpec, type PipelineState, type PipelineView } from '../../shared/flex';
import { uniqueSlug } from '../../shared/slug';
import { zodIssues } from '../../shared/zod-issues';
import type { FlexStore, PipelineRow } from '../../repositories/flex/flex-store.repository';
import type { PipelineRunner, RunningPipeline } from '../../repositories/flex/pipeline-runner.repository';
import type { FlexFilesRepository } from '../../repositories/flex/flex-files.repository';
import type { Logger } from '../../repositories/logger';
import type { PushBus } from '../push-bus';

export interface PipelineCameras {
  exists(id: number): boolean;
  /** Starts (idempotently) the camera's live HLS from its one ingest; rejects when the camera is not delivering. */
  startHls(id: number): Promise<{ playlist: string }>;
  /** Keeps that HLS session from its idle stop. */
  touchHls(id: number): void;
}

export interface PipelinesDeps {
  store: FlexStore;
  runner: PipelineRunner;
  files: FlexFilesRepository;
  cameras: PipelineCameras;
  ffmpeg: () => string | null;
  settings: () => FlexSettings;
  bus: PushBus;
  log: Logger;
  now: () => number;
}

interface Live {
  state: PipelineState;
  error: string | null;
  started_ms: number | null;
  proc: RunningPipeline | null;
  keepAlive: ReturnType<typeof setInterval> | null;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const invalid = (e: import('zod').ZodError): ApiError => new ApiError(400, zodIssues(e), {}, { code: 'VALIDATION_ERROR' });

export class PipelinesService {
  private readonly live = new Map<string, Live>();

  constructor(private readonly d: PipelinesDeps) {}

  private row(id: string): PipelineRow {
    const r = this.d.store.pipeline(id);
    if (!r) throw notFound(`Pipeline ${id} not found`);
    return r;
  }

  private state(id: string): Live {
    let l = this.live.get(id);
    if (!l) {
      l = { state: 'stopped', error: null, started_ms: null, proc: null, keepAlive: null };
      this.live.set(id, l);
    }
    return l;
  }

  private view(r: PipelineRow): PipelineView {
    const l = this.state(r.id);
    return { ...r.spec, id: r.id, state: l.state, error: l.error, started_at: iso(l.started_ms), created_at: new Date(r.created_ms).toISOString(), updated_at: new Date(r.updated_ms).toISOString() };
  }

  private set(id: string, state: PipelineState, error: string | null = null): void {
    const l = this.state(id);
    l.state = state;
    l.error = error;
    this.d.bus.emit('pipeline.status', { id, state, error });
  }

  private checkSource(spec: PipelineSpec): void {
    if ('camera_id' in spec.source && !this.d.cameras.exists(spec.source.camera_id)) throw new ApiError(400, `Camera ${spec.source.camera_id} does not exist.`, {}, { code: 'VALIDATION_ERROR' });
  }

  list(): PipelineView[] {
    return this.d.store.pipelines().map((r) => this.view(r));
  }

  get(id: string): PipelineView {
    return this.view(this.row(id));
  }

  status(id: string): { id: string; state: PipelineState; error: string | null; started_at: string | null; uptime_s: number | null } {
    this.row(id);
    const l = this.state(id);
    return { id, state: l.state, error: l.error, started_at: iso(l.started_ms), uptime_s: l.state === 'playing' && l.started_ms !== null ? Math.round((this.d.now() - l.started_ms) / 1000) : null };
  }

  create(body: unknown): PipelineView {
    const parsed = pipelineSpecSchema.safeParse(body);
    if (!parsed.success) throw invalid(parsed.error);
    this.checkSource(parsed.data);
    const id = uniqueSlug(parsed.data.name, (s) => this.d.store.pipeline(s) !== null);
    const now = this.d.now();
    this.d.store.putPipeline({ id, spec: parsed.data, created_ms: now, updated_ms: now });
    return this.get(id);
  }

  /** A full replacement of the spec; a running pipeline must be stopped first (409). */
  update(id: string, body: unknown): PipelineView {
    const r = this.row(id);
    const parsed = pipelineSpecSchema.safeParse(body);
    if (!parsed.success) throw invalid(parsed.error);
    this.checkSource(parsed.data);
    if (this.state(id).state !== 'stopped' && this.state(id).state !== 'error') throw conflict(`Pipeline ${id} is ${this.state(id).state}; stop it before changing it.`);
    this.d.store.putPipeline({ ...r, spec: parsed.data, updated_ms: this.d.now() });
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    this.row(id);
    await this.stop(id);
    this.d.store.deletePipeline(id);
    this.live.delete(id);
  }

  /** Starts the pipeline and waits until media flows: 504 PIPELINE_START_TIMEOUT when it does not in time. */
  async play(id: string): Promise<PipelineView> {
    const r = this.row(id);
    const l = this.state(id);
    if (l.state === 'playing' || l.state === 'starting') return this.view(r);
    const ffmpeg = this.d.ffmpeg();
    if (!ffmpeg) throw new ApiError(503, 'ffmpeg is not available on this machine.', {}, { code: 'GSTREAMER_UNAVAILABLE' });
    const spec = r.spec;
    this.set(id, 'starting');
    const timeoutS = this.d.settings().pipeline_start_timeout_s;
    const deadline = this.d.now() + timeoutS * 1000;
    try {
      let input: { kind: 'hls'; playlist: string } | { kind: 'device'; path: string };
      if ('camera_id' in spec.source) {
        const camId = spec.source.camera_id;
        const hls = await withDeadline(this.d.cameras.startHls(camId), deadline - this.d.now());
        if (hls === null) throw startTimeout(id, timeoutS);
        input = { kind: 'hls', playlist: hls.playlist };
        l.keepAlive = setInterval(() => this.d.cameras.touchHls(camId), 5000);
        l.keepAlive.unref();
        this.d.cameras.touchHls(camId);
      } else {
        input = { kind: 'device', path: spec.source.device };
      }
      const outDir = spec.output.kind === 'record' ? this.d.files.recordDir(id) : this.d.files.hlsDir(id);
      const proc = this.d.runner.start({
        ffmpeg,
        input,
        output: { kind: spec.output.kind, url: spec.output.url, dir: outDir },
        // The camera's live HLS is H.264, which every output here carries as is; a capture device gives raw frames.
        copy: spec.video === 'auto' && input.kind === 'hls',
        framegrabs: spec.framegrab_interval_s ? { dir: this.d.files.framegrabDir(id), intervalS: spec.framegrab_interval_s } : null,
      });
      l.proc = proc;
      const flowing = await withDeadline(proc.playing, deadline - this.d.now());
      if (flowing === null) {
        await proc.stop();
        throw startTimeout(id, timeoutS);
      }
      l.started_ms = this.d.now();
      this.set(id, 'playing');
      void proc.exited.then((x) => {
        if (l.proc !== proc) return;
        this.release(l);
        this.d.log.warn({ pipeline: id, error: x.error }, 'pipeline stopped on its own');
        this.set(id, 'error', x.error ?? 'The pipeline stopped.');
      });
      return this.get(id);
    } catch (err) {
      const proc = l.proc;
      this.release(l);
      await proc?.stop();
      const e = err instanceof ApiError ? err : new ApiError(500, `Pipeline ${id} failed to start: ${(err as Error).message}`, {}, { code: 'GSTREAMER_ERROR' });
      const kind = (err as { kind?: string }).kind;
      const mapped = kind === 'hls-timeout' || kind === 'not-running' ? new ApiError(503, `The camera of pipeline ${id} is not delivering video yet; retry shortly.`, { 'Retry-After': '2' }, { code: 'GSTREAMER_UNAVAILABLE' }) : e;
      this.set(id, 'error', typeof mapped.detail === 'string' ? mapped.detail : 'failed to start');
      throw mapped;
    }
  }

  private release(l: Live): void {
    if (l.keepAlive) clearInterval(l.keepAlive);
    l.keepAlive = null;
    l.proc = null;
    l.started_ms = null;
  }

  async stop(id: string): Promise<PipelineView> {
    const r = this.row(id);
    const l = this.state(id);
    const proc = l.proc;
    this.release(l);
    await proc?.stop();
    if (l.state !== 'stopped') this.set(id, 'stopped');
    return this.view(r);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.live.keys()].map((id) => (this.d.store.pipeline(id) ? this.stop(id) : Promise.resolve())));
  }
}

const startTimeout = (id: string, s: number): ApiError => new ApiError(504, `Pipeline ${id} did not start within ${s} s.`, {}, { code: 'PIPELINE_START_TIMEOUT' });

/** The promise's value, or null when `ms` passes first. */
async function withDeadline<T>(p: Promise<T>, ms: number): Promise<T | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((r) => {
    timer = setTimeout(() => r(null), Math.max(0, ms));
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
