// Runs one Flex pipeline as an ffmpeg child (argument arrays, never a shell): reads a camera's live HLS (the camera's
// one ingest) or a V4L2 device, pushes RTSP/SRT/RTMP or writes HLS/recordings, optionally framegrabs; reports when
// media flows (ffmpeg -progress) and why it stopped.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { PipelineOutputKind } from '../../shared/flex';

export interface PipelineLaunch {
  ffmpeg: string;
  input: { kind: 'hls'; playlist: string } | { kind: 'device'; path: string };
  output: { kind: PipelineOutputKind; url?: string | undefined; dir: string };
  copy: boolean;
  framegrabs: { dir: string; intervalS: number } | null;
}

export interface RunningPipeline {
  /** Resolves once media flows out; rejects with ffmpeg's last error when it exits first. */
  readonly playing: Promise<void>;
  /** Resolves when the process has exited, with its last error line (credentials masked). */
  readonly exited: Promise<{ code: number | null; error: string | null }>;
  stop(graceMs?: number): Promise<void>;
}

export interface PipelineRunner {
  start(l: PipelineLaunch): RunningPipeline;
}

/** URL userinfo never reaches a log line or an API answer. */
export const maskCredentials = (s: string): string => s.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1***@');

const ENCODE = ['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p', '-g', '50'];

export function pipelineArgs(l: PipelineLaunch): string[] {
  const input = l.input.kind === 'hls' ? ['-re', '-live_start_index', '-1', '-i', l.input.playlist] : ['-f', 'v4l2', '-i', l.input.path];
  const codec = [...(l.copy ? ['-c:v', 'copy'] : ENCODE), '-c:a', 'aac', '-b:a', '64k'];
  const map = ['-map', '0:v:0', '-map', '0:a:0?'];
  let out: string[];
  switch (l.output.kind) {
    case 'rtsp':
      out = ['-f', 'rtsp', '-rtsp_transport', 'tcp', l.output.url ?? ''];
      break;
    case 'srt':
      out = ['-f', 'mpegts', l.output.url ?? ''];
      break;
    case 'rtmp':
      out = ['-f', 'flv', l.output.url ?? ''];
      break;
    case 'hls':
      out = ['-f', 'hls', '-hls_time', '2', '-hls_list_size', '6', '-hls_flags', 'delete_segments+omit_endlist', '-hls_segment_filename', join(l.output.dir, 'seg%05d.ts'), join(l.output.dir, 'index.m3u8')];
      break;
    case 'record':
      out = ['-f', 'segment', '-segment_time', '60', '-segment_format', 'mpegts', '-reset_timestamps', '1', '-strftime', '1', join(l.output.dir, '%Y%m%d-%H%M%S.ts')];
      break;
  }
  const grabs = l.framegrabs ? ['-map', '0:v:0', '-vf', `fps=1/${l.framegrabs.intervalS}`, '-q:v', '3', '-f', 'image2', '-strftime', '1', join(l.framegrabs.dir, '%Y%m%d-%H%M%S.jpg')] : [];
  return ['-hide_banner', '-nostdin', '-loglevel', 'error', '-progress', 'pipe:1', '-stats_period', '0.5', ...input, ...map, ...codec, ...out, ...grabs];
}

export const nodePipelineRunner: PipelineRunner = {
  start(l) {
    if (l.output.kind === 'hls' || l.output.kind === 'record') mkdirSync(l.output.dir, { recursive: true });
    if (l.framegrabs) mkdirSync(l.framegrabs.dir, { recursive: true });
    const cp = spawn(l.ffmpeg, pipelineArgs(l), { stdio: ['ignore', 'pipe', 'pipe'], shell: false, windowsHide: true });
    let lastError: string | null = null;
    createInterface({ input: cp.stderr }).on('line', (line) => {
      if (line.trim()) lastError = maskCredentials(line.trim()).slice(0, 300);
    });
    let flowing!: () => void;
    let failed!: (e: Error) => void;
    const playing = new Promise<void>((res, rej) => {
      flowing = res;
      failed = rej;
    });
    playing.catch(() => undefined);
    createInterface({ input: cp.stdout }).on('line', (line) => {
      const m = /^out_time_us=(\d+)/.exec(line);
      if (m && Number(m[1]) > 0) flowing();
    });
    const exited = new Promise<{ code: number | null; error: string | null }>((resolve) => {
      let done = false;
      const finish = (code: number | null) => {
        if (done) return;
        done = true;
        const error = lastError ?? (code === 0 ? null : `ffmpeg exited with code ${String(code)}`);
        failed(new Error(error ?? 'ffmpeg exited'));
        resolve({ code, error });
      };
      cp.once('exit', (code) => finish(code));
      cp.once('error', (err) => {
        lastError = `ffmpeg could not start: ${err.message}`;
        finish(-1);
      });
    });
    return {
      playing,
      exited,
      async stop(graceMs = 3000) {
        if (cp.exitCode !== null || cp.signalCode !== null) return;
        cp.kill('SIGTERM');
        const t = setTimeout(() => cp.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(t);
      },
    };
  },
};
