// Messages between the analysis worker thread and its host: a discriminated union, a sequence number on every message, errors as data.
import type { ActiveModel, AnalysisError, AnalysisResult, Box, CameraAnalysisConfig } from '../../ports/analysis-engine.port';
import type { FaceOptions, FaceOutcome } from '../../ports/face-engine.port';
import type { ModelEntry } from '../../shared/model-manifest';
import type { FrameFaces, ImageFaces } from './face-pipeline';

/** Spawn-time data (worker_threads `workerData`). */
export interface AnalysisWorkerData {
  modelDirs: { path: string; origin: ModelEntry['origin'] }[];
  /** Intra-op threads per ONNX session; 0 lets onnxruntime choose. */
  threads: number;
  executionProviders: string[];
}

/** One frame for the worker. `data` is rgb24, width·height·3 bytes, usually transferred rather than copied. */
export interface FrameJob {
  camera_id: number;
  ts_ms: number;
  width: number;
  height: number;
  data: Uint8Array;
  config: Omit<CameraAnalysisConfig, 'min_interval_ms'>;
  queued_ms: number;
}

/** One raw frame for the face pipeline: rgb24 at the camera's own resolution, usually transferred. */
export interface FaceFrameJob {
  camera_id: number;
  ts_ms: number;
  width: number;
  height: number;
  rgb: Uint8Array;
}

/** The loaded face pair. */
export interface FacePair {
  detector: string;
  embedder: string;
  dim: number;
  match_threshold: number | null;
}

/** Host → worker. `seq` increases per host; replies name it in `re`. */
export type HostMessage =
  | { seq: number; type: 'ping' }
  | { seq: number; type: 'scan' }
  | { seq: number; type: 'providers' }
  | { seq: number; type: 'load'; name: string }
  /** Up to the model's max_batch frames; each gets its own `frame` reply, in order. */
  | { seq: number; type: 'analyse'; frames: FrameJob[] }
  | { seq: number; type: 'forget'; camera_id: number }
  /** Loads a face detector and embedder together (either null: faces off); on failure the previous pair stays. */
  | { seq: number; type: 'face-load'; detector: string | null; embedder: string | null }
  /** An encoded image, decoded by sharp reading at most `max_pixels`. */
  | { seq: number; type: 'faces-image'; image: Uint8Array; opts: FaceOptions; max_pixels: number }
  /** Faces in a frame's person boxes (null: the whole frame), plus each box's appearance histograms. */
  | { seq: number; type: 'faces-frame'; frame: FaceFrameJob; regions: Box[] | null; opts: FaceOptions }
  /** Finish the job in hand, release every ONNX session, then end the thread (no native call is left pending). */
  | { seq: number; type: 'shutdown' }
  /** Diagnostics and tests: once the job in hand is done, die of an uncaught error, as a bug in the worker would. */
  | { seq: number; type: 'crash'; reason: string };

export type FrameOutcome = { status: 'analysed'; result: AnalysisResult } | { status: 'failed'; error: AnalysisError };

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Worker → host. `seq` increases per worker; `re` is the request answered. */
export type WorkerMessage =
  | { seq: number; type: 'ready' }
  | { seq: number; type: 'pong'; re: number }
  | { seq: number; type: 'models'; re: number; models: ModelEntry[] }
  | { seq: number; type: 'providers'; re: number; providers: string[] }
  | { seq: number; type: 'loaded'; re: number; model: ActiveModel; entry: ModelEntry }
  | { seq: number; type: 'frame'; re: number; index: number; outcome: FrameOutcome }
  /** `pair` null: faces are off. `entries`: the registry's view of the models named, for the model list. */
  | { seq: number; type: 'face-models'; re: number; outcome: FaceOutcome<{ pair: FacePair | null }>; entries: ModelEntry[] }
  | { seq: number; type: 'image-faces'; re: number; outcome: FaceOutcome<ImageFaces> }
  | { seq: number; type: 'frame-faces'; re: number; outcome: FaceOutcome<FrameFaces> }
  | { seq: number; type: 'error'; re: number; error: AnalysisError; entry?: ModelEntry }
  | { seq: number; type: 'log'; level: LogLevel; msg: string; fields: Record<string, string | number | boolean | null> };
