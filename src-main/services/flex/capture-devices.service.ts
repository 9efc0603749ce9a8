// Local capture devices for Flex: V4L2 cameras (listed, their capabilities, hot-plug events while someone listens) and
// ALSA capture devices; framegrabs written by pipelines (listed, served, deleted).
import { ApiError, notFound } from '../../shared/errors';
import type { CaptureDevice, CaptureDevicesRepository, Framegrab, FlexFilesRepository } from '../../repositories/flex/flex-files.repository';
import type { PushBus } from '../push-bus';

export const DEVICE_PATH = /^\/dev\/video\d{1,3}$/;

export class CaptureDevicesService {
  private known = new Map<string, CaptureDevice>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private listeners = 0;

  constructor(
    private readonly devices: CaptureDevicesRepository,
    private readonly ffmpeg: () => string | null,
    private readonly bus: PushBus,
    private readonly pollMs = 2000,
  ) {}

  cameras(): CaptureDevice[] {
    return this.devices.videoDevices();
  }

  async capabilities(path: unknown): Promise<{ device_path: string; device_name: string; formats: { format: string; codec: string; sizes: string[] }[] }> {
    if (typeof path !== 'string' || !DEVICE_PATH.test(path)) throw new ApiError(400, 'path must be a capture device such as /dev/video0.', {}, { code: 'VALIDATION_ERROR' });
    const dev = this.cameras().find((c) => c.device_path === path);
    if (!dev) throw notFound(`No capture device at ${path}`);
    const ffmpeg = this.ffmpeg();
    if (!ffmpeg) throw new ApiError(503, 'ffmpeg is not available on this machine.', {}, { code: 'GSTREAMER_UNAVAILABLE' });
    return { ...dev, formats: await this.devices.capabilities(ffmpeg, path) };
  }

  audioDevices(): { id: string; card: number; device: number; name: string }[] {
    return this.devices.audioDevices();
  }

  /** Polls for hot-plug only while an SSE client listens; returns the unsubscribe. */
  watch(): () => void {
    if (this.listeners++ === 0) {
      this.known = new Map(this.cameras().map((c) => [c.device_path, c]));
      this.timer = setInterval(() => this.poll(), this.pollMs);
      this.timer.unref();
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (--this.listeners === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    };
  }

  private poll(): void {
    const now = new Map(this.cameras().map((c) => [c.device_path, c]));
    for (const [p, c] of now) if (!this.known.has(p)) this.bus.emit('capture.added', c);
    for (const p of this.known.keys()) if (!now.has(p)) this.bus.emit('capture.removed', { device_path: p });
    this.known = now;
  }
}

export class FramegrabsService {
  constructor(private readonly files: FlexFilesRepository) {}

  list(pipelineId?: unknown): Framegrab[] {
    if (pipelineId !== undefined && (typeof pipelineId !== 'string' || !/^[a-z0-9-]{1,64}$/.test(pipelineId))) throw new ApiError(400, 'pipeline_id must be a pipeline id.', {}, { code: 'VALIDATION_ERROR' });
    return this.files.framegrabs(pipelineId as string | undefined);
  }

  get(file: string): NonNullable<ReturnType<FlexFilesRepository['framegrab']>> {
    const f = this.files.framegrab(file);
    if (!f) throw notFound(`Framegrab ${file} not found`);
    return f;
  }

  stream(f: NonNullable<ReturnType<FlexFilesRepository['framegrab']>>): NodeJS.ReadableStream {
    return this.files.read(f.served);
  }

  async delete(file: string): Promise<void> {
    await this.files.deleteFramegrab(this.get(file));
  }

  async deleteForPipeline(pipelineId: unknown): Promise<{ deleted: number }> {
    const all = this.list(pipelineId);
    for (const f of all) await this.files.deleteFramegrab(f);
    return { deleted: all.length };
  }
}
