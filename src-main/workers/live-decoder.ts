// The on-demand decoder of one camera: an ffmpeg fed the in-memory copy stream on stdin, writing JPEGs while someone watches.
import type { FfmpegChild, FfmpegProcessRepository } from '../repositories/ffmpeg/ffmpeg-process.repository';
import type { Logger } from '../repositories/logger';
import type { LiveChunk, LiveInit } from '../ports/live-stream.port';
import { JpegSplitter } from './frame-splitters';
import { rateLimitFilter } from './ingest-args';

const FD_OUT = 3;
/** Bytes queued for the decoder's stdin beyond which fragments are dropped up to the next keyframe. */
const MAX_QUEUED = 4 * 1024 * 1024;

export interface LiveDecoderOptions {
  ffmpegPath: string;
  procs: FfmpegProcessRepository;
  log: Logger;
  fps: number;
  maxWidth: number;
  /** Decode one frame and exit (snapshot of the latest keyframe). */
  once?: boolean;
  onFrame: (jpeg: Buffer, tsMs: number) => void;
  onExit?: () => void;
}

/** The decoder's command: fragmented MP4 on stdin, rate-limited scaled JPEGs on fd 3. */
export function decoderArgs(o: Pick<LiveDecoderOptions, 'fps' | 'maxWidth' | 'once'>): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    // The init segment describes the streams: nothing to probe, so the first frame comes out as soon as it is decoded.
    '-probesize',
    '32',
    '-analyzeduration',
    '0',
    // Not -fflags nobuffer: it drops the packets read while probing, which are the keyframe this decoder starts from.
    '-f',
    'mp4',
    '-i',
    'pipe:0',
    '-map',
    '0:v:0',
    '-an',
    '-vf',
    o.once ? `scale='min(${o.maxWidth},iw)':-2` : `${rateLimitFilter(o.fps)},scale='min(${o.maxWidth},iw)':-2`,
    ...(o.once ? ['-frames:v', '1'] : ['-fps_mode', 'passthrough', '-enc_time_base', '1/1000']),
    '-c:v',
    'mjpeg',
    '-pix_fmt',
    'yuvj420p',
    '-q:v',
    '5',
    '-f',
    'image2pipe',
    `pipe:${FD_OUT}`,
  ];
}

export class LiveDecoder {
  private child: FfmpegChild | null = null;
  /** Children replaced on a stream restart, still exiting: stop() waits for them too. */
  private readonly retiring = new Set<Promise<void>>();
  private init: LiveInit | null = null;
  /** After a drop (slow decoder) or before the first keyframe, fragments wait for the next keyframe. */
  private needKey = true;
  private stopped = false;

  constructor(private readonly o: LiveDecoderOptions) {}

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  running(): boolean {
    return !!this.child?.alive();
  }

  /** Feed one chunk of the copy stream; a new init segment restarts the child on the new stream. */
  feed(c: LiveChunk): void {
    if (this.stopped) return;
    if (c.type === 'init') {
      const restart = this.child !== null;
      this.init = c.init;
      this.needKey = true;
      if (restart) {
        const old = this.child;
        this.child = null;
        if (old) {
          const gone: Promise<void> = this.o.procs.stop(old, 1000).finally(() => this.retiring.delete(gone));
          this.retiring.add(gone);
        }
      }
      return;
    }
    if (!this.init) return;
    const f = c.fragment;
    if (this.needKey && !f.key) return;
    if (!this.child) this.spawn(this.init);
    const stdin = this.child?.stdin;
    if (!stdin?.writable) return;
    if (stdin.writableLength > MAX_QUEUED) {
      this.needKey = true;
      return;
    }
    this.needKey = false;
    stdin.write(f.data);
  }

  private spawn(init: LiveInit): void {
    const child = this.o.procs.spawn(this.o.ffmpegPath, decoderArgs(this.o), { stdin: 'pipe', extraFds: [FD_OUT] });
    this.child = child;
    child.stdin?.on('error', () => undefined);
    child.stdin?.write(init.data);
    const jpegs = new JpegSplitter();
    const out = child.fds.get(FD_OUT);
    out?.on('error', () => undefined);
    out?.on('data', (d: Buffer) => {
      for (const j of jpegs.push(d)) this.o.onFrame(j, Date.now());
    });
    const tail: string[] = [];
    child.stderr.on('data', (d: Buffer) => {
      tail.push(d.toString());
      if (tail.length > 10) tail.shift();
    });
    void child.exited.then(({ code }) => {
      if (this.child === child) {
        this.child = null;
        this.needKey = true;
        if (!this.stopped && !this.o.once && code !== 0) this.o.log.warn({ code, stderr: tail.join('').slice(-500) }, 'live decoder exited');
      }
      if (this.o.once || this.stopped) this.o.onExit?.();
    });
  }

  /** No more input: the decoder finishes what it has (a one-shot decodes its frame) and exits by itself. */
  endInput(): void {
    this.child?.stdin?.end();
  }

  async stop(graceMs = 1000): Promise<void> {
    this.stopped = true;
    const child = this.child;
    this.child = null;
    if (child) {
      child.stdin?.end();
      await this.o.procs.stop(child, graceMs);
    }
    await Promise.all([...this.retiring]);
  }
}
