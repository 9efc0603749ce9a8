// Which ffmpeg runs: only the machine's owner chooses (CLI flag or environment, else the desktop's local setting over IPC).
import { ApiError } from '../shared/errors';
import type { FfmpegInfo, FfmpegLocatorRepository, OwnerFfmpegChoice } from '../repositories/ffmpeg/ffmpeg-locator';
import type { LocalSettingsRepository } from '../repositories/local-settings.repository';
import type { Logger } from '../repositories/logger';

export class FfmpegService {
  private info: FfmpegInfo = { path: null, ffprobe: null, version: null, source: 'missing', error: null };

  constructor(
    private readonly locator: FfmpegLocatorRepository,
    private readonly local: LocalSettingsRepository,
    /** From --ffmpeg / VIGIL_FFMPEG / FFMPEG_PATH; wins over the local setting. */
    private readonly fromConfig: { path: string; source: 'cli' | 'env' } | null,
    private readonly log: Logger,
  ) {}

  current(): FfmpegInfo {
    return this.info;
  }

  private ownerChoice(): OwnerFfmpegChoice | null {
    if (this.fromConfig) return this.fromConfig;
    const p = this.local.read().ffmpeg_path;
    return p ? { path: p, source: 'local-settings' } : null;
  }

  async refresh(): Promise<FfmpegInfo> {
    this.info = await this.locator.locate(this.ownerChoice());
    if (this.info.error) this.log.warn({ error: this.info.error }, 'configured ffmpeg rejected');
    this.log.info({ path: this.info.path, version: this.info.version, source: this.info.source }, 'ffmpeg located');
    return this.info;
  }

  /** Desktop-only (IPC): verify and store the owner's ffmpeg; null returns to discovery on PATH. */
  async setLocalPath(path: string | null): Promise<FfmpegInfo> {
    if (this.fromConfig) throw new ApiError(409, `ffmpeg is set by ${this.fromConfig.source === 'cli' ? '--ffmpeg' : 'the environment (VIGIL_FFMPEG / FFMPEG_PATH)'}; change that instead.`);
    if (path !== null) {
      const v = await this.locator.verify(path);
      if ('error' in v) throw new ApiError(422, [{ loc: ['body', 'path'], msg: v.error, type: 'value_error' }]);
    }
    this.local.write({ ...this.local.read(), ffmpeg_path: path });
    return this.refresh();
  }
}
