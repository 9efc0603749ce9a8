// The camera workers' port: what services and transport see of the per-camera ingest workers (implemented in workers/).
import type { AnalysisMode, SourceKind } from '../shared/contract/cameras.contract';
import type { WorkerState } from '../shared/contract/system.contract';
import type { LiveStreamSource } from './live-stream.port';

/**
 * Everything a worker needs to run one camera. Credentials stay in this process: rtsp/mjpeg with credentials are read
 * through a loopback auth relay and snapshots are fetched in-process, so no child process ever gets them.
 */
export interface CameraRuntime {
  id: number;
  kind: SourceKind;
  /** Normally without userinfo; any userinfo is split off (shared/credentials) and the separate fields win. */
  url: string;
  /** Answered to the camera's Basic or Digest challenge; never logged, never a process argument. */
  username: string | null;
  password: string | null;
  rtspTransport: 'tcp' | 'udp';
  /** Poll rate for `http` snapshot sources. */
  snapshotFps: number;
  /** Write -c copy segments (false when recording_mode is off). */
  record: boolean;
  /** The detector's square input size when this camera runs detection (analysis frames are fitted into it), else null. */
  analysisFit?: number | null;
  /** Full-resolution face frames per second (cameras that capture faces), else null. */
  faceFps?: number | null;
  /** What the ingest decodes for analysis (the camera's effective analysis_mode); absent means full. */
  analysis?: AnalysisMode;
}

export interface LatestFrame {
  jpeg: Buffer;
  ts_ms: number;
  /** Increments on every new frame; lets MJPEG viewers push only changed frames. */
  seq: number;
}

export interface CameraHealth {
  /** Wall-clock ms of the last frame from the source, or null if none yet. */
  lastFrameMs: number | null;
  /** Measured input fps over the last few seconds. */
  fps: number;
  state: WorkerState;
}

export interface HlsSession {
  /** Directory holding index.m3u8 and the session's files (initNNNNN.mp4, segNNNNN.m4s, parts segNNNNN.K.m4s), under <data>/hls/<camera>/. */
  dir: string;
  playlist: string;
}

export interface WorkerManagerPort extends LiveStreamSource {
  /** Start (or restart with the new runtime if already running). Idempotent. */
  start(rt: CameraRuntime): void;
  stop(cameraId: number): Promise<void>;
  stopAll(): Promise<void>;
  health(cameraId: number): CameraHealth | null;
  states(): WorkerState[];
  /** The newest decoded JPEG (live decoder, snapshot or analysis still), or null. Never starts a decode. */
  latest(cameraId: number): LatestFrame | null;
  /**
   * A viewer of decoded frames (MJPEG, annotated frames): the first one starts the camera's decoder ffmpeg, fed from the
   * in-memory copy stream (never a second camera connection); it stops a few seconds after the last unsubscribes.
   * May subscribe before start(); survives stop()/start(). Returns an unsubscribe.
   */
  onFrame(cameraId: number, fn: (f: LatestFrame) => void): () => void;
  /**
   * A detecting camera's analysis stills (JPEGs ffmpeg writes at the analysis rate anyway), each stamped with the time of
   * the analysis frame showing the same picture. Never starts a decoder. Returns an unsubscribe.
   */
  watchStills(cameraId: number, fn: (f: LatestFrame) => void): () => void;
  /** A recent frame: the newest one when fresh, else the latest keyframe decoded once (and cached briefly); null before any video. */
  snapshot(cameraId: number): Promise<LatestFrame | null>;
  /** Pid of the camera's on-demand decoder while it runs (diagnostics, tests). */
  decoderPid(cameraId: number): number | null;
  /**
   * Start (idempotent) an HLS session fed from the SAME ingest (no second source connection).
   * Rejects with an Error carrying `kind: 'hls-timeout'` (or 'not-running') when no playlist appears in time.
   */
  startHls(cameraId: number): Promise<HlsSession>;
  stopHls(cameraId: number): Promise<void>;
  hlsSessionCount(): number;
  /** Mark the camera's HLS session as in use (playlist/segment request); it stops after the idle time without one. */
  touchHls(cameraId: number): void;
  /** True while an HLS session is open for the camera. */
  hasHls(cameraId: number): boolean;
  /**
   * A low-latency client's blocking playlist reload: resolves once the written playlist holds segment `msn` (part `part`
   * of it when given): 'ok'; 'too-far' at once when that is more than two segments ahead; 'timeout'; 'gone' (no session).
   */
  waitHls(cameraId: number, msn: number, part: number | null, timeoutMs: number): Promise<'ok' | 'too-far' | 'timeout' | 'gone'>;
  /**
   * Remove the worker-owned files of a camera (live buffer <data>/live/<id>, HLS dir, the segments .incoming folder).
   * Call after stop(); recorded segments under <data>/segments/<id>/<day> belong to the recording side's purge.
   */
  removeCameraFiles(cameraId: number): Promise<void>;
}
