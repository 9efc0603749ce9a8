// The worker manager's interface: what the cameras/live services see of the per-camera ingest workers.
import type { WorkerState } from '../shared/push-events';

export type SourceKind = 'rtsp' | 'http' | 'mjpeg' | 'file' | 'pattern';

/** Everything a worker needs to run one camera. `url` is the decrypted URL (credentials included): never log it. */
export interface CameraRuntime {
  id: number;
  kind: SourceKind;
  url: string;
  /** Separate credentials (http basic auth / injected into rtsp userinfo); never logged. */
  username: string | null;
  password: string | null;
  rtspTransport: 'tcp' | 'udp';
  /** Poll rate for `http` snapshot sources. */
  snapshotFps: number;
  /** Write -c copy segments (false when recording_mode is off). */
  record: boolean;
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
  /** Directory holding index.m3u8 and segNNNNN.ts, under <data>/hls/<camera>/. */
  dir: string;
  playlist: string;
}

export interface WorkerManagerPort {
  /** Start (or restart with the new runtime if already running). Idempotent. */
  start(rt: CameraRuntime): void;
  stop(cameraId: number): Promise<void>;
  stopAll(): Promise<void>;
  health(cameraId: number): CameraHealth | null;
  states(): WorkerState[];
  latest(cameraId: number): LatestFrame | null;
  /** Called on every new JPEG frame; returns an unsubscribe. */
  onFrame(cameraId: number, fn: (f: LatestFrame) => void): () => void;
  /** Start (idempotent) an HLS session fed from the SAME ingest (no second source connection). */
  startHls(cameraId: number): Promise<HlsSession>;
  stopHls(cameraId: number): Promise<void>;
  hlsSessionCount(): number;
}
