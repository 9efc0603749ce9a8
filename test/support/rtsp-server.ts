// A real RTSP test camera on 127.0.0.1: GStreamer's RTSP server (shared media) fed by ffmpeg looping a fixture clip.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const FIXTURES = join(here, '..', '..', '..', 'shared', 'fixtures');
export const VTEST = join(FIXTURES, 'video', 'vtest.avi');

import { freePort } from '../../e2e/support/net';

export { freePort };

/** A free UDP port on 127.0.0.1. */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const port = s.address().port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * H.264 (in-band SPS/PPS, 1 s GOP) version of the fixture, encoded once per machine and reused,
 * so every test camera afterwards is a cheap -c copy loop.
 */
export function h264Fixture(seconds = 20): string {
  const dir = join(tmpdir(), 'vigil-test-media');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `vtest-h264-${seconds}s.ts`);
  if (existsSync(out)) return out;
  const tmp = `${out}.${process.pid}.partial.ts`;
  const r = spawnSync(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-y', '-i', VTEST, '-t', String(seconds), '-an', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-g', '10', '-keyint_min', '10', '-sc_threshold', '0', '-x264-params', 'repeat-headers=1', '-f', 'mpegts', tmp],
    { stdio: 'inherit' },
  );
  if (r.status !== 0) throw new Error('could not encode the H.264 test fixture');
  spawnSync('mv', [tmp, out]);
  return out;
}

/**
 * The street clip as a 1080p15 camera stream, encoded once per machine: vtest's 10 fps frames retimed to 15 fps (every
 * frame distinct, the scene 1.5x faster), a GOP of `gop` frames, no B-frames (as IP cameras send), ~3 Mbit/s, SPS/PPS on
 * every keyframe.
 */
export function h264Fixture1080p15(gop: number): string {
  const dir = join(tmpdir(), 'vigil-test-media');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `vtest-1080p15-g${gop}-bf0-3M.ts`);
  if (existsSync(out)) return out;
  const tmp = `${out}.${process.pid}.partial.ts`;
  const r = spawnSync(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-y', '-t', '30', '-i', VTEST, '-an', '-vf', 'setpts=PTS*2/3,scale=1920:1080', '-r', '15', '-c:v', 'libx264', '-preset', 'veryfast', '-bf', '0', '-b:v', '3M', '-maxrate', '3.5M', '-bufsize', '6M', '-pix_fmt', 'yuv420p', '-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0', '-x264-params', 'repeat-headers=1', '-f', 'mpegts', tmp],
    { stdio: 'inherit' },
  );
  if (r.status !== 0) throw new Error('could not encode the 1080p15 fixture');
  spawnSync('mv', [tmp, out]);
  return out;
}

export interface RtspServer {
  url: string;
  port: number;
  /** Number of RTSP client connections opened so far. */
  connections(): number;
  /** Connections currently open. */
  openConnections(): number;
  /** Stop the server (and its feeder); the port stays reserved for restart(). */
  stop(): Promise<void>;
  restart(): Promise<void>;
  /** Process ids of the GStreamer server and its ffmpeg feeder (benches measure their CPU); null when not running. */
  pids(): { server: number | null; feeder: number | null };
}

function waitExit(p: ChildProcess | null): Promise<void> {
  return new Promise((resolve) => {
    if (!p || p.exitCode !== null || p.signalCode !== null) return resolve();
    p.once('exit', () => resolve());
    p.kill('SIGTERM');
    setTimeout(() => p.kill('SIGKILL'), 3000).unref();
  });
}

export interface RtspAuth {
  method: 'basic' | 'digest';
  username: string;
  password: string;
}

export interface RtspServerOptions {
  port?: number;
  mount?: string;
  source?: string;
  auth?: RtspAuth;
  /**
   * ffmpeg input and encode arguments of the feeder, in place of looping `source` with -c copy: for a live encoder
   * (e.g. a clock camera). They must produce H.264 with SPS/PPS in band; the RTP output is appended.
   */
  feed?: string[];
}

export async function startRtspServer(opts: RtspServerOptions = {}): Promise<RtspServer> {
  const port = opts.port ?? (await freePort());
  const mount = opts.mount ?? '/cam';
  const source = opts.feed ? null : (opts.source ?? h264Fixture());
  let udp = await freeUdpPort();
  let gst: ChildProcess | null = null;
  let feeder: ChildProcess | null = null;
  let opened = 0;
  let closed = 0;

  const launch = async () => {
    udp = await freeUdpPort();
    // --watch-stdin: if this process dies without stop(), the server sees its stdin close and takes the feeder down with it.
    // Credentials go through the environment, so the server's own arguments never hold the password the tests look for.
    const env = opts.auth ? { ...process.env, VIGIL_RTSP_AUTH: opts.auth.method, VIGIL_RTSP_USER: opts.auth.username, VIGIL_RTSP_PASS: opts.auth.password } : process.env;
    gst = spawn('/usr/bin/python3', [join(here, 'rtsp-server.py'), String(port), String(udp), mount, '--watch-stdin'], { stdio: ['pipe', 'pipe', 'pipe'], env });
    const child = gst;
    // Its stderr is drained (a full pipe would freeze the server mid-test); VIGIL_RTSP_DEBUG=1 echoes it and its exit.
    if (process.env.VIGIL_RTSP_DEBUG) {
      child.stderr?.on('data', (d: Buffer) => process.stderr.write(`[rtsp-server] ${d.toString()}`));
      child.once('exit', (code, sig) => process.stderr.write(`[rtsp-server] exited ${code} ${sig}\n`));
    } else child.stderr?.resume();
    await new Promise<void>((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(() => reject(new Error('RTSP server did not start')), 15_000);
      child.stdout?.on('data', (d: Buffer) => {
        buf += d.toString();
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i).trim();
          buf = buf.slice(i + 1);
          if (line.startsWith('READY')) {
            clearTimeout(timer);
            resolve();
          } else if (line.startsWith('CLIENT_CONNECTED')) opened++;
          else if (line.startsWith('CLIENT_CLOSED')) closed++;
          else if (line.startsWith('ERROR')) reject(new Error(line));
        }
      });
      child.once('exit', (code) => reject(new Error(`RTSP server exited (${code})`)));
    });
    feeder = spawn(
      'ffmpeg',
      ['-hide_banner', '-loglevel', 'error', ...(source === null ? (opts.feed ?? []) : ['-re', '-stream_loop', '-1', '-i', source, '-c', 'copy']), '-f', 'rtp', `rtp://127.0.0.1:${udp}?pkt_size=1200`],
      { stdio: 'ignore' },
    );
    child.stdin?.on('error', () => undefined);
    if (feeder.pid) child.stdin?.write(`FEEDER ${feeder.pid}\n`);
  };

  await launch();
  return {
    url: `rtsp://127.0.0.1:${port}${mount}`,
    port,
    connections: () => opened,
    openConnections: () => opened - closed,
    async stop() {
      await waitExit(feeder);
      await waitExit(gst);
      feeder = null;
      gst = null;
    },
    async restart() {
      await launch();
    },
    pids: () => ({ server: gst?.pid ?? null, feeder: feeder?.pid ?? null }),
  };
}
