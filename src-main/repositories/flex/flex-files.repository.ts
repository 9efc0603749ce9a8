// Flex files under <data>/flex: per-pipeline HLS and recording folders, framegrabs (listed, served, deleted by a
// validated name), and the host's capture devices (V4L2 /dev/video*, ALSA capture PCMs from /proc/asound/pcm).
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ContainedFiles } from '../contained-files';
import type { ServedFile } from '../contained-path';

export const FRAMEGRAB_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\.jpg$/;
export const PIPELINE_ID = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

export interface Framegrab {
  pipeline_id: string;
  file: string;
  size: number;
  created_ms: number;
}

export interface FlexFilesRepository {
  hlsDir(pipelineId: string): string;
  recordDir(pipelineId: string): string;
  framegrabDir(pipelineId: string): string;
  framegrabs(pipelineId?: string): Framegrab[];
  /** A framegrab by its file name (unique across pipelines); null when absent. */
  framegrab(file: string): (Framegrab & { served: ServedFile }) | null;
  read(f: ServedFile): NodeJS.ReadableStream;
  deleteFramegrab(f: Framegrab): Promise<void>;
}

export class FsFlexFilesRepository extends ContainedFiles implements FlexFilesRepository {
  private readonly grabs: string;

  constructor(dataDir: string) {
    super(join(resolve(dataDir), 'flex'));
    this.grabs = join(this.root, 'framegrabs');
  }

  hlsDir(id: string): string {
    return this.inside(`hls/${id}`);
  }
  recordDir(id: string): string {
    return this.inside(`recordings/${id}`);
  }
  framegrabDir(id: string): string {
    return this.inside(`framegrabs/${id}`);
  }

  framegrabs(pipelineId?: string): Framegrab[] {
    if (!existsSync(this.grabs)) return [];
    const out: Framegrab[] = [];
    const dirs = pipelineId ? [pipelineId] : readdirSync(this.grabs).filter((d) => PIPELINE_ID.test(d));
    for (const d of dirs) {
      const dir = join(this.grabs, d);
      if (!existsSync(dir)) continue;
      for (const file of readdirSync(dir)) {
        if (!FRAMEGRAB_NAME.test(file)) continue;
        const st = statSync(join(dir, file), { throwIfNoEntry: false });
        if (st?.isFile()) out.push({ pipeline_id: d, file: `${d}--${file}`, size: st.size, created_ms: Math.round(st.mtimeMs) });
      }
    }
    return out.sort((a, b) => b.created_ms - a.created_ms || a.file.localeCompare(b.file));
  }

  /** Names are `<pipeline>--<file>.jpg`, so one flat namespace addresses every pipeline's framegrabs. */
  framegrab(name: string): (Framegrab & { served: ServedFile }) | null {
    const [pid, file, extra] = name.split('--');
    if (extra !== undefined || !pid || !file || !PIPELINE_ID.test(pid) || !FRAMEGRAB_NAME.test(file)) return null;
    const rel = `framegrabs/${pid}/${file}`;
    if (!existsSync(join(this.root, rel))) return null;
    const served = this.served(rel, 'Framegrab');
    return { pipeline_id: pid, file: name, size: served.size, created_ms: Math.round(statSync(served.path).mtimeMs), served };
  }

  async deleteFramegrab(f: Framegrab): Promise<void> {
    const [pid, file] = f.file.split('--');
    await unlink(this.inside(`framegrabs/${pid ?? ''}/${file ?? ''}`)).catch(() => undefined);
  }
}

export interface CaptureDevice {
  device_path: string;
  device_name: string;
}

export interface CaptureDevicesRepository {
  /** V4L2 video capture nodes (/dev/videoN) with their names; empty where there are none. */
  videoDevices(): CaptureDevice[];
  /** ALSA PCM devices with a capture stream. */
  audioDevices(): { id: string; card: number; device: number; name: string }[];
  /** Pixel formats and frame sizes the device offers (ffmpeg -f v4l2 -list_formats all). */
  capabilities(ffmpeg: string, path: string): Promise<{ format: string; codec: string; sizes: string[] }[]>;
}

export const hostCaptureDevices: CaptureDevicesRepository = {
  videoDevices() {
    let names: string[] = [];
    try {
      names = readdirSync('/dev').filter((n) => /^video\d{1,3}$/.test(n));
    } catch {
      return [];
    }
    return names
      .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)))
      .map((n) => {
        let name = n;
        try {
          name = readFileSync(`/sys/class/video4linux/${n}/name`, 'utf8').trim() || n;
        } catch {
          // No sysfs name: the node name stands in.
        }
        return { device_path: `/dev/${n}`, device_name: name };
      });
  },
  audioDevices() {
    let text = '';
    try {
      text = readFileSync('/proc/asound/pcm', 'utf8');
    } catch {
      return [];
    }
    // "00-00: ALC257 Analog : ALC257 Analog : playback 1 : capture 1"
    return text
      .split('\n')
      .map((line) => /^(\d+)-(\d+):\s*([^:]+?)\s*:.*capture \d+/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ id: `hw:${Number(m[1])},${Number(m[2])}`, card: Number(m[1]), device: Number(m[2]), name: (m[3] ?? '').trim() }));
  },
  capabilities(ffmpeg, path) {
    return new Promise((resolve) => {
      execFile(ffmpeg, ['-hide_banner', '-f', 'v4l2', '-list_formats', 'all', '-i', path], { timeout: 10_000, windowsHide: true }, (_err, _out, stderr) => {
        // "[video4linux2,v4l2 @ 0x..] Raw       :     yuyv422 :           YUYV 4:2:2 : 640x480 1280x720"
        const caps = String(stderr)
          .split('\n')
          .map((l) => /\]\s*(Raw|Compressed)\s*:\s*(\S+)\s*:\s*([^:]+?)\s*:\s*(.*)$/.exec(l))
          .filter((m): m is RegExpExecArray => m !== null)
          .map((m) => ({ format: m[2] ?? '', codec: (m[3] ?? '').trim(), sizes: (m[4] ?? '').trim().split(/\s+/).filter((x) => /^\d+x\d+$/.test(x)) }));
        resolve(caps);
      });
    });
  },
};
