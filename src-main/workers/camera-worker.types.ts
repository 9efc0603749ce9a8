// Worker-internal types: why an ingest run failed, as data that crosses the worker boundary.

/** Why a worker failed, as data (crosses the worker boundary and lands in WorkerState.last_error as `kind: message`). */
export type WorkerErrorKind =
  | 'ffmpeg-missing'
  | 'spawn'
  | 'auth'
  | 'unreachable'
  | 'not-found'
  | 'timeout'
  | 'bad-stream'
  | 'stall'
  | 'exit'
  | 'hls-timeout'
  | 'not-running';

export interface WorkerError {
  kind: WorkerErrorKind;
  message: string;
}

