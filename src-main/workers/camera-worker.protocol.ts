// Messages between one ingest run (host of the ffmpeg child) and its camera supervisor: a discriminated union with a sequence number.
import type { WorkerError } from './camera-worker.types';

interface Base {
  /** Monotonic per ingest run; lets the supervisor drop messages of a run it already replaced. */
  seq: number;
  run: number;
}

/** Ingest run → supervisor. */
export type IngestMessage =
  | (Base & { type: 'spawned'; pid: number | null; command: string; copy_video: boolean })
  | (Base & { type: 'input'; codec: string | null; width: number | null; height: number | null })
  /** A JPEG still at the analysis rate (detecting cameras in full mode). */
  | (Base & { type: 'shot'; ts_ms: number; jpeg: Buffer })
  /** The copy live stream (re)started: its init segment and codec string. */
  | (Base & { type: 'live-init'; data: Buffer; codecs: string; has_audio: boolean })
  /** One fragment of the copy live stream. */
  | (Base & { type: 'live-fragment'; ts_ms: number; data: Buffer; key: boolean; video_samples: number; duration_sec: number })
  | (Base & { type: 'analysis'; ts_ms: number; width: number; height: number; data: Buffer })
  | (Base & { type: 'face-frame'; ts_ms: number; width: number; height: number; data: Buffer })
  | (Base & { type: 'segment'; path: string; start_sec: number; end_sec: number; closed_ms: number })
  | (Base & { type: 'log'; level: 'warn' | 'error'; line: string })
  | (Base & { type: 'error'; error: WorkerError })
  | (Base & { type: 'exited'; code: number | null; signal: string | null; error: WorkerError | null; requested: boolean });

/** Supervisor → ingest run. */
export type SupervisorCommand = { seq: number; type: 'stop'; reason: 'requested' | 'stall' | 'restart'; graceMs: number };

export type IngestMessageType = IngestMessage['type'];
