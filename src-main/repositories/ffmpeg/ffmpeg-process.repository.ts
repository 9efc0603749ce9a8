// Spawns ffmpeg/ffprobe with argument arrays (never a shell) and extra pipes; stops children and awaits their exit.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import type { Readable, Writable } from 'node:stream';

export interface FfmpegChild {
  readonly pid: number | null;
  readonly stdin: Writable | null;
  readonly stderr: Readable;
  /** Readables for the extra pipes, indexed by fd number (3, 4, 5...). */
  readonly fds: ReadonlyMap<number, Readable>;
  /** Resolves once the process has exited and been reaped. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** True until the exit event. */
  alive(): boolean;
  signal(sig: NodeJS.Signals): void;
}

export interface FfmpegProcessRepository {
  /**
   * `niceness` (1..19) lowers the child's CPU priority: bulk work (a camera's ingest) then yields to the main process's
   * event loop and to viewers' decoders whenever the machine is short of CPU, and still uses every idle cycle.
   */
  spawn(bin: string, args: readonly string[], opts: { stdin: 'pipe' | 'ignore'; extraFds: readonly number[]; niceness?: number }): FfmpegChild;
  /** Codec name of the first video stream of a local file, or null. */
  probeVideoCodec(ffprobe: string | null, ffmpeg: string, file: string): Promise<string | null>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the child is gone. */
  stop(child: FfmpegChild, graceMs: number): Promise<void>;
}

class NodeFfmpegChild implements FfmpegChild {
  readonly fds = new Map<number, Readable>();
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private done = false;

  constructor(private readonly cp: ChildProcess, extraFds: readonly number[]) {
    for (const fd of extraFds) {
      const s = cp.stdio[fd];
      if (s && 'read' in s) this.fds.set(fd, s as Readable);
    }
    this.exited = new Promise((resolve) => {
      let settled = false;
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        if (settled) return;
        settled = true;
        this.done = true;
        resolve({ code, signal });
      };
      cp.once('exit', finish);
      cp.once('error', () => {
        if (cp.pid === undefined) finish(-1, null);
      });
    });
    cp.stdin?.on('error', () => undefined);
  }

  get pid(): number | null {
    return this.cp.pid ?? null;
  }
  get stdin(): Writable | null {
    return this.cp.stdin;
  }
  get stderr(): Readable {
    return this.cp.stderr as Readable;
  }
  alive(): boolean {
    return !this.done && this.cp.pid !== undefined;
  }
  signal(sig: NodeJS.Signals): void {
    if (this.alive()) this.cp.kill(sig);
  }
}

export class NodeFfmpegProcessRepository implements FfmpegProcessRepository {
  spawn(bin: string, args: readonly string[], opts: { stdin: 'pipe' | 'ignore'; extraFds: readonly number[]; niceness?: number }): FfmpegChild {
    const maxFd = Math.max(2, ...opts.extraFds);
    const stdio: ('pipe' | 'ignore')[] = [opts.stdin, 'ignore', 'pipe'];
    for (let fd = 3; fd <= maxFd; fd++) stdio.push(opts.extraFds.includes(fd) ? 'pipe' : 'ignore');
    const cp = spawn(bin, [...args], { stdio, shell: false, windowsHide: true });
    if (opts.niceness && cp.pid) {
      try {
        // Windows maps it to a priority class (10 → below normal).
        setPriority(cp.pid, opts.niceness);
      } catch {
        // Not permitted here (or the child already exited): it runs at normal priority.
      }
    }
    return new NodeFfmpegChild(cp, opts.extraFds);
  }

  probeVideoCodec(ffprobe: string | null, ffmpeg: string, file: string): Promise<string | null> {
    return new Promise((resolve) => {
      if (ffprobe) {
        execFile(ffprobe, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', file], { timeout: 10_000 }, (err, out) => {
          resolve(err ? null : out.trim().split(/\r?\n/)[0] || null);
        });
        return;
      }
      execFile(ffmpeg, ['-hide_banner', '-i', file], { timeout: 10_000 }, (_err, _out, errOut) => {
        resolve(/Stream #\d+:\d+[^:]*: Video: (\w+)/.exec(errOut)?.[1] ?? null);
      });
    });
  }

  async stop(child: FfmpegChild, graceMs: number): Promise<void> {
    if (!child.alive()) {
      await child.exited;
      return;
    }
    child.signal('SIGTERM');
    const timer = setTimeout(() => child.signal('SIGKILL'), graceMs);
    try {
      await child.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
