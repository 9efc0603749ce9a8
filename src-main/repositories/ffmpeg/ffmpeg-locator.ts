// Finds ffmpeg/ffprobe: configured path, then FFMPEG_PATH, then PATH, then the @ffmpeg-installer package.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';

export interface FfmpegInfo {
  path: string | null;
  ffprobe: string | null;
  version: string | null;
  source: 'settings' | 'FFMPEG_PATH' | 'PATH' | '@ffmpeg-installer/ffmpeg' | 'missing';
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

function probeVersion(bin: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(bin, ['-hide_banner', '-version'], { timeout: 5000 }, (err, stdout) => {
      if (err) return resolve(null);
      const m = /ffmpeg version (\S+)/.exec(stdout);
      resolve(m?.[1] ?? 'unknown');
    });
  });
}

function siblingProbe(ffmpeg: string): string | null {
  const p = join(dirname(ffmpeg), 'ffprobe' + exe);
  return existsSync(p) ? p : onPath('ffprobe');
}

export async function locateFfmpeg(configured: string | null): Promise<FfmpegInfo> {
  const candidates: [FfmpegInfo['source'], string | null][] = [
    ['settings', configured],
    ['FFMPEG_PATH', process.env.FFMPEG_PATH ?? null],
    ['PATH', onPath('ffmpeg')],
    ['@ffmpeg-installer/ffmpeg', fromInstaller()],
  ];
  for (const [source, path] of candidates) {
    if (!path || !existsSync(path)) continue;
    const version = await probeVersion(path);
    if (version) return { path, ffprobe: siblingProbe(path), version, source };
  }
  return { path: null, ffprobe: null, version: null, source: 'missing' };
}
