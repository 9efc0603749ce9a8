// Finds ffmpeg/ffprobe from what the machine's owner configured (CLI flag, environment, desktop-local setting), then PATH,
// then the @ffmpeg-installer package; a binary is used only once its version banner says it is ffmpeg (or ffprobe).
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, isAbsolute, join } from 'node:path';

export type FfmpegSource = 'cli' | 'env' | 'local-settings' | 'PATH' | '@ffmpeg-installer/ffmpeg' | 'missing';

export interface FfmpegInfo {
  path: string | null;
  ffprobe: string | null;
  version: string | null;
  source: FfmpegSource;
  /** Why an owner-configured binary was not used (it then falls back to PATH). */
  error: string | null;
}

/** Where the owner's choice came from; the REST API can never set this. */
export interface OwnerFfmpegChoice {
  path: string;
  source: 'cli' | 'env' | 'local-settings';
}

const exe = process.platform === 'win32' ? '.exe' : '';

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name + exe);
    if (existsSync(p)) return p;
  }
  return null;
}

function fromInstaller(): string | null {
  try {
    const req = createRequire(import.meta.url);
    const mod = req('@ffmpeg-installer/ffmpeg') as { path?: string };
    return mod.path && existsSync(mod.path) ? mod.path : null;
  } catch {
    return null;
  }
}

/** Runs `<bin> -version` and returns the version when the banner names the expected program, else why not. */
export function verifyBanner(bin: string, program: 'ffmpeg' | 'ffprobe'): Promise<{ version: string } | { error: string }> {
  if (!isAbsolute(bin)) return Promise.resolve({ error: `${bin} is not an absolute path` });
  try {
    if (!statSync(bin).isFile()) return Promise.resolve({ error: `${bin} is not a file` });
  } catch {
    return Promise.resolve({ error: `${bin} does not exist` });
  }
  return new Promise((resolve) => {
    execFile(bin, ['-hide_banner', '-version'], { timeout: 5000, maxBuffer: 1 << 20, windowsHide: true }, (err, stdout) => {
      if (err) return resolve({ error: `${bin} -version failed` });
      const m = new RegExp(`^${program} version (\\S+)`).exec(stdout);
      if (!m || !/\blibavcodec\b/.test(stdout)) return resolve({ error: `${bin} is not ${program}: its version banner does not say so` });
      resolve({ version: m[1] as string });
    });
  });
}

async function probeFor(ffmpeg: string): Promise<string | null> {
  for (const p of [join(dirname(ffmpeg), 'ffprobe' + exe), onPath('ffprobe')]) {
    if (p && existsSync(p) && 'version' in (await verifyBanner(p, 'ffprobe'))) return p;
  }
  return null;
}

/** The owner's choice first (rejected with a reason when it is not ffmpeg), then PATH, then the installer package. */
export async function locateFfmpeg(owner: OwnerFfmpegChoice | null): Promise<FfmpegInfo> {
  let error: string | null = null;
  const candidates: [FfmpegSource, string | null][] = [
    [owner?.source ?? 'cli', owner?.path ?? null],
    ['PATH', onPath('ffmpeg')],
    ['@ffmpeg-installer/ffmpeg', fromInstaller()],
  ];
  for (const [source, path] of candidates) {
    if (!path) continue;
    const v = await verifyBanner(path, 'ffmpeg');
    if ('error' in v) {
      if (source === owner?.source && path === owner.path) error = `configured ffmpeg rejected (${source}): ${v.error}`;
      continue;
    }
    return { path, ffprobe: await probeFor(path), version: v.version, source, error };
  }
  return { path: null, ffprobe: null, version: null, source: 'missing', error };
}

export interface FfmpegLocatorRepository {
  locate(owner: OwnerFfmpegChoice | null): Promise<FfmpegInfo>;
  verify(path: string): Promise<{ version: string } | { error: string }>;
}

export const nodeFfmpegLocator: FfmpegLocatorRepository = {
  locate: locateFfmpeg,
  verify: (path) => verifyBanner(path, 'ffmpeg'),
};
