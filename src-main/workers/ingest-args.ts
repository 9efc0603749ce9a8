// Pure builder of the one ffmpeg command per camera (segments + analysis frames + JPEGs); credentials never enter it.
import { splitCredentials } from '../shared/credentials';
import { patternLavfi } from '../shared/source-url';
import type { CameraRuntime } from '../ports/camera-workers.port';

/** Extra pipes of the ingest child: fd 3 = segment list (CSV), fd 4 = analysis frames (PPM), fd 5 = copy live stream (fragmented MP4). */
export const FD_SEGMENT_LIST = 3;
export const FD_ANALYSIS = 4;
export const FD_LIVE = 5;
/** fd 6 = full-resolution frames for face capture (PPM), only for cameras that capture faces. */
export const FD_FACES = 6;
/** fd 7 = JPEG stills at the analysis rate, only for cameras that detect in `full` mode (event thumbnails). */
export const FD_SHOTS = 7;
/** Face frames keep the camera's resolution up to this width: a 50 px face in 1080p must still be found. */
export const FACE_MAX_WIDTH = 1920;
/** Live fragments are cut at every keyframe and at least this often, so MSE viewers run well under a second behind. */
export const LIVE_FRAGMENT_US = 100_000;

/** Where ffmpeg reads an rtsp/mjpeg camera: its loopback auth relay when it has credentials, else the camera itself. */
export interface NetworkInput {
  /** Any userinfo is dropped, so a command line can never carry credentials. */
  url: string;
  /** Through the relay: RTSP then always runs TCP-interleaved. */
  relayed: boolean;
}

export interface IngestArgsInput {
  rt: CameraRuntime;
  /** Defaults to the camera URL with any userinfo removed. */
  network?: NetworkInput;
  /** Codec of a `file` source from a local probe; H.264 is copied, anything else re-encoded. */
  fileCodec: string | null;
  /** Directory the segment muxer writes into (the camera's .incoming folder). */
  segmentDir: string;
  /** Unique per spawn, so a restart never overwrites a segment that is still being moved. */
  segmentPrefix: string;
  segmentSeconds: number;
  analysisFps: number;
  analysisWidth: number;
  /**
   * When the camera runs a detector: the model's square input size. Analysis frames are then scaled by ffmpeg to fit
   * inside it (aspect kept), so the detector only pads them and JavaScript never resizes a frame.
   */
  analysisFit?: number | null;
  /** Frames per second of full-resolution frames for face capture on fd 6; 0/undefined for none. */
  faceFps?: number | null;
  /** Longest width of the event stills on fd 7. */
  shotMaxWidth?: number;
  /** Socket I/O timeout for network sources. */
  ioTimeoutSeconds?: number;
}

export interface IngestPlan {
  args: string[];
  /** The http snapshot source feeds JPEGs into stdin. */
  stdin: 'pipe' | 'ignore';
  /** True when the segment video is a -c copy of the source. */
  copyVideo: boolean;
  /** The extra pipes this command writes. */
  fds: number[];
}

/**
 * Keep at most `fps` frames per second on average without ever duplicating frames of a slower source. Live sources
 * have jittery timestamps, so instead of a strict minimum gap (which halves a 10 fps camera at a 10 fps cap) the
 * count of kept frames is held under the elapsed-time budget, and a half-period minimum gap bounds bursts.
 * A backwards timestamp jump stops output; the supervisor's stall detection restarts the ingest then.
 */
export function rateLimitFilter(fps: number): string {
  const f = Number(fps.toFixed(4));
  const gap = Number((0.5 / fps).toFixed(4));
  return `select='isnan(prev_selected_t)+lt(selected_n,(t-start_t)*${f}+1)*gte(t-prev_selected_t,${gap})'`;
}

const reencode = ['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p', '-force_key_frames', 'expr:gte(t,n_forced*1)'];

function inputArgs(i: IngestArgsInput): { args: string[]; copy: boolean; stdin: 'pipe' | 'ignore' } {
  const { rt } = i;
  const timeoutUs = String(Math.round((i.ioTimeoutSeconds ?? 5) * 1_000_000));
  const net = { url: splitCredentials(i.network?.url ?? rt.url).url, relayed: i.network?.relayed ?? false };
  switch (rt.kind) {
    case 'rtsp':
      return {
        args: ['-rtsp_transport', net.relayed ? 'tcp' : rt.rtspTransport, '-timeout', timeoutUs, '-analyzeduration', '1000000', '-probesize', '1000000', '-fflags', '+genpts', '-i', net.url],
        copy: true,
        stdin: 'ignore',
      };
    case 'mjpeg':
      return {
        args: ['-f', 'mpjpeg', '-rw_timeout', timeoutUs, '-use_wallclock_as_timestamps', '1', '-analyzeduration', '0', '-probesize', '65536', '-i', net.url],
        copy: false,
        stdin: 'ignore',
      };
    case 'http':
    case 'push':
      return {
        args: ['-f', 'jpeg_pipe', '-use_wallclock_as_timestamps', '1', '-analyzeduration', '0', '-probesize', '32', '-i', 'pipe:0'],
        copy: false,
        stdin: 'pipe',
      };
    case 'file':
      return { args: ['-re', '-stream_loop', '-1', '-i', rt.url], copy: i.fileCodec === 'h264', stdin: 'ignore' };
    case 'pattern':
      return { args: ['-re', '-f', 'lavfi', '-i', patternLavfi(rt.url)], copy: false, stdin: 'ignore' };
  }
}

/** A value inside a tee slave's [options]: escaped for the option parser, the slave list escape comes on top. */
const teeOpt = (v: string): string => v.replace(/[\\':=\][\s]/g, '\\$&');
/** One tee slave spec, escaped for the slave-list tokenizer (backslash, quote, separator, blanks). */
const teeSlave = (opts: [string, string][], target: string): string => `[${opts.map(([k, v]) => `${k}=${teeOpt(v)}`).join(':')}]${target}`.replace(/[\\'|\s]/g, '\\$&');

/** A decoded output of the ingest: frames scaled and rate-limited by ffmpeg, on its own pipe. */
function decodedOutput(fps: number, scale: string, codec: string[], fd: number): string[] {
  // image2pipe is not a variable-fps muxer: without passthrough ffmpeg would duplicate frames back up to the input rate;
  // a ms encoder time base keeps jittery but increasing timestamps distinct (1/fps would collide and fail the muxer).
  return ['-map', '0:v:0', '-an', '-vf', `${rateLimitFilter(fps)},${scale}`, '-fps_mode', 'passthrough', '-enc_time_base', '1/1000', ...codec, '-f', 'image2pipe', `pipe:${fd}`];
}

/**
 * One camera connection, copy-only unless something analyses: the video (copied, or encoded once for sources that are
 * not H.264) goes through a tee to the recording segments and to a fragmented-MP4 live stream on fd 5. Decoded outputs
 * exist only for `keyframes` (motion on keyframes: -skip_frame nokey) and `full` analysis; `off` decodes nothing.
 */
export function buildIngestArgs(i: IngestArgsInput): IngestPlan {
  const input = inputArgs(i);
  const mode = i.rt.analysis ?? 'full';
  const analyse = mode !== 'off';
  const fds = [FD_SEGMENT_LIST, FD_LIVE];
  // Copied video: some RTSP servers deliver the first access unit without timestamps, which the muxers refuse. The filter
  // runs per tee slave: on the tee's own output it breaks the segment times (ffmpeg 5.1 reports the first one ~100 s long).
  // Encoded video carries its parameter sets in the global header (the MP4 needs it); the TS segments get them per keyframe.
  const setts: [string, string] = ['bsfs/v', 'setts=pts=if(eq(PTS\\,NOPTS)\\,DTS\\,PTS)'];
  const segment: [string, string][] = [
    ['f', 'segment'],
    input.copy ? setts : ['bsfs/v', 'dump_extra=freq=keyframe'],
    ['segment_time', String(i.segmentSeconds)],
    ['segment_format', 'mpegts'],
    ['reset_timestamps', '1'],
    ['segment_list', `pipe:${FD_SEGMENT_LIST}`],
    ['segment_list_type', 'csv'],
  ];
  const live: [string, string][] = [
    ['f', 'mp4'],
    ...(input.copy ? [setts] : []),
    ['movflags', '+frag_keyframe+empty_moov+default_base_moof'],
    ['frag_duration', String(LIVE_FRAGMENT_US)],
    ['flush_packets', '1'],
    // A failing live pipe must never stop the recording.
    ['onfail', 'ignore'],
  ];
  const args = [
    '-hide_banner',
    '-nostdin',
    '-nostats',
    '-loglevel',
    'level+info',
    ...(mode === 'keyframes' ? ['-skip_frame', 'nokey'] : []),
    ...input.args,
    // 1) recording segments (closed ones announced on fd 3) and the live copy stream on fd 5, from one encode-or-copy
    '-map',
    '0:v:0',
    '-map',
    '0:a:0?',
    ...(input.copy ? ['-c:v', 'copy'] : [...reencode, '-flags:v', '+global_header']),
    '-c:a',
    'aac',
    '-b:a',
    '64k',
    '-f',
    'tee',
    [teeSlave(segment, `${i.segmentDir}/${i.segmentPrefix}-%06d.ts`), teeSlave(live, `pipe:${FD_LIVE}`)].join('|'),
  ];
  // 2) analysis frames: scaled, low fps, self-describing PPM (rgb24)
  if (analyse) {
    fds.push(FD_ANALYSIS);
    const scale = i.analysisFit ? `scale=${i.analysisFit}:${i.analysisFit}:force_original_aspect_ratio=decrease:force_divisible_by=2` : `scale=${i.analysisWidth}:-2`;
    args.push(...decodedOutput(i.analysisFps, scale, ['-c:v', 'ppm'], FD_ANALYSIS));
  }
  // 3) event stills of a detecting camera at the analysis rate (the thumbnail of an event is the still nearest its best frame)
  if (mode === 'full' && i.analysisFit) {
    fds.push(FD_SHOTS);
    args.push(...decodedOutput(i.analysisFps, `scale='min(${i.shotMaxWidth ?? 1280},iw)':-2`, ['-c:v', 'mjpeg', '-pix_fmt', 'yuvj420p', '-q:v', '5'], FD_SHOTS));
  }
  // 4) face frames: the camera's own resolution (capped), a low rate, self-describing PPM
  if (analyse && i.faceFps) {
    fds.push(FD_FACES);
    args.push(...decodedOutput(i.faceFps, `scale='min(${FACE_MAX_WIDTH},iw)':-2`, ['-c:v', 'ppm'], FD_FACES));
  }
  return { args, stdin: input.stdin, copyVideo: input.copy, fds };
}
