// The analysis engine's port: what services see of motion detection and object detection running off the main thread (implemented in workers/analysis/).
import type { ModelEntry, ModelTask } from '../shared/model-manifest';
import type { AnalysisFrame } from './ingest.port';

/** Normalised [x, y, w, h]: top-left corner and size as fractions of the frame. */
export type Box = [number, number, number, number];

/** 'if-motion': the detector runs only when this frame has motion. */
export type DetectMode = 'never' | 'if-motion' | 'always';

export interface MotionConfig {
  /** Per-pixel grey-level change (1–255) that counts as changed. */
  threshold: number;
  /** Fraction (0–1) of the unmasked frame that must change. */
  min_area: number;
  /** Normalised polygons ignored by detection. */
  masks: [number, number][][];
}

export interface MotionResult {
  /** Changed fraction of the unmasked frame. */
  area: number;
  motion: boolean;
  /** Bounding box of the changed pixels; null when nothing changed. */
  box: Box | null;
}

/** One object found in one frame, after NMS. */
export interface Detection {
  label: string;
  class_id: number;
  score: number;
  box: Box;
}

/** Per-camera analysis settings, sent with every frame (so a tuning change applies to the next frame). */
export interface CameraAnalysisConfig {
  motion: MotionConfig;
  detect: DetectMode;
  /** Score threshold; null uses the model's default. */
  conf: number | null;
  /** NMS IoU threshold; null uses the model's default. */
  iou: number | null;
  /** Class names to report; empty reports every class. */
  classes: readonly string[];
  /** Least time between two analysed frames of this camera (detect_interval); 0 for none. A held-back frame waits, newest wins. */
  min_interval_ms: number;
}

export type AnalysisErrorKind = 'model-load' | 'bad-frame' | 'inference' | 'no-model' | 'worker-crashed' | 'stopped';

export interface AnalysisError {
  kind: AnalysisErrorKind;
  message: string;
}

export type DetectorOutcome =
  | { status: 'ran'; model: string; detections: Detection[]; inference_ms: number }
  /** never: the camera asked for none; no-motion: 'if-motion' and the frame had none (or was the first); no-model: none loaded. */
  | { status: 'skipped'; reason: 'never' | 'no-motion' | 'no-model' }
  | { status: 'error'; error: AnalysisError };

export interface AnalysisResult {
  camera_id: number;
  ts_ms: number;
  /** Null for a camera's first frame, after a size change, and for a byte-identical duplicate. */
  motion: MotionResult | null;
  detector: DetectorOutcome;
  /** Worker time for this frame: motion, pre-processing, inference and decoding. */
  worker_ms: number;
  /** From submit() until the frame left for the worker. */
  queued_ms: number;
}

/** Never rejects: a frame is analysed, dropped (a newer one of the same camera replaced it) or failed. */
export type AnalysisOutcome =
  | { status: 'analysed'; result: AnalysisResult }
  | { status: 'dropped'; reason: 'replaced' | 'forgotten' | 'stopped' }
  | { status: 'failed'; error: AnalysisError };

export interface CameraAnalysisStats {
  camera_id: number;
  frames_submitted: number;
  frames_analysed: number;
  /** Replaced by a newer frame before the worker took them. */
  frames_dropped: number;
  detector_runs: number;
  /** Detections reported per second over the last few seconds. */
  detections_per_second: number;
  last_inference_ms: number | null;
  /** The last analysed frame had motion (what an 'if-motion' camera's detector waits for); null before the first. */
  motion_gate_open: boolean | null;
  last_ts_ms: number | null;
  last_error: AnalysisError | null;
}

export interface ActiveModel {
  name: string;
  task: ModelTask;
  input: { width: number; height: number; resize: 'letterbox' | 'stretch' };
  /** The ffmpeg filter that sizes analysis frames for this model (frames must fit inside its input; no JS resizing). */
  scale_filter: string;
  classes: readonly string[];
  score_threshold: number;
  iou_threshold: number;
  max_batch: number;
  /** The execution provider the session runs on. */
  provider: string;
}

export type ModelSwitch = { ok: true; model: ActiveModel } | { ok: false; error: AnalysisError };

export interface AnalysisEngineStatus {
  state: 'stopped' | 'starting' | 'ready' | 'restarting';
  /** Worker restarts since start(). */
  restarts: number;
  model: ActiveModel | null;
  /** Why the last model switch (or reload after a restart) failed; cleared by the next success. */
  model_error: AnalysisError | null;
  /** Why the worker last ended unexpectedly. */
  last_crash: string | null;
}

export interface AnalysisEngine {
  /** Spawns the worker, scans the models and loads the configured one. A model that fails leaves the engine running without one. */
  start(): Promise<void>;
  /** Fails in-flight frames with 'stopped', drops pending ones and ends the worker. */
  stop(): Promise<void>;
  /** Loads a model by manifest name; on failure the previous model keeps running and the error is returned and kept in status(). */
  setModel(name: string): Promise<ModelSwitch>;
  activeModel(): ActiveModel | null;
  /** Analysed frames per second across all cameras (settings.analysis_max_fps); null for none. */
  setBudget(fps: number | null): void;
  /**
   * Queues a frame; per camera only the newest pending frame is kept. Takes ownership of `frame.data`: its memory may be
   * transferred to the worker, leaving the caller's Buffer empty.
   */
  submit(frame: AnalysisFrame, config: CameraAnalysisConfig): Promise<AnalysisOutcome>;
  /** Drops a camera's pending frame, motion state and stats (camera removed or analysis turned off). */
  forget(cameraId: number): void;
  stats(cameraId: number): CameraAnalysisStats | null;
  /** The registry's list from the last scan, each with its status. */
  models(): readonly ModelEntry[];
  rescanModels(): Promise<readonly ModelEntry[]>;
  /** ONNX execution providers that load on this machine. */
  providers(): readonly string[];
  status(): AnalysisEngineStatus;
}
