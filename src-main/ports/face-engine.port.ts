// The face engine's port: face detection, alignment, quality and embedding off the main thread (implemented in workers/analysis/).
import type { AnalysisErrorKind, Box } from './analysis-engine.port';

/** A face's quality and what it is made of; below settings.face_min_quality a face is not embedded. */
export interface FaceQuality {
  /** 0–1 overall. */
  score: number;
  /** Face height in source pixels. */
  size_px: number;
  /** Variance of the Laplacian of the aligned grey crop (higher is sharper). */
  sharpness: number;
  /** 0–1, 1 for a frontal face (keypoint symmetry). */
  pose: number;
  /** The detector's score. */
  detector: number;
}

export interface FaceResult {
  /** Normalised [x, y, w, h] in the source image/frame. */
  box: Box;
  score: number;
  /** Detector keypoints, normalised to the source: right eye, left eye, nose, mouth, right ear, left ear (BlazeFace order). */
  keypoints: [number, number][];
  quality: FaceQuality;
  /** L2-normalised; its length is the embedding model's dimension. Null when the face was below the quality floor. */
  embedding: Float32Array | null;
  /** The aligned face as JPEG (what a person's page and face groups show); null when not requested. */
  crop_jpeg: Buffer | null;
  /** Index of the region (person box) it was found in; null when the whole image was searched. */
  region: number | null;
}

/** Grey-world normalised HSV histograms of a person box (8×4×4 bins each), for clothing similarity and re-identification. */
export interface AppearanceHist {
  upper: Float32Array;
  lower: Float32Array;
}

export interface FaceModels {
  /** The face detector running now (null: none loaded, or faces off). */
  detector: string | null;
  embedder: string | null;
  /** Embedding dimension from the embedder's manifest; null while none is loaded. */
  dim: number | null;
  /** The embedder manifest's measured cosine threshold (cosine scales differ per model: ≈ 0.91 for dlib, ≈ 0.3 for ArcFace); null when it gives none. */
  match_threshold?: number | null;
  /** Why face models are not available (shown in /api/system and answered as 503 by enrolment). */
  error: string | null;
}

export interface FaceOptions {
  /** Faces below this quality get no embedding (and no crop). */
  min_quality: number;
  /** At most this many faces, largest first. */
  max_faces: number;
  /** Encode the aligned crop as JPEG. */
  crops: boolean;
  /**
   * Indices of the frame's regions whose body crop is wanted: the box and a margin, cut from the very frame searched
   * (no other picture's timing involved), long side ≤ REGION_CROP_SIDE, as JPEG. facesInFrame only.
   */
  region_crops?: readonly number[];
}

/** Besides the analysis kinds: 'bad-image' the image cannot be decoded (enrolment answers 400); 'busy' too many face jobs are queued. */
export type FaceErrorKind = AnalysisErrorKind | 'bad-image' | 'busy';

export interface FaceError {
  kind: FaceErrorKind;
  message: string;
}

export type FaceOutcome<T> = { ok: true; value: T } | { ok: false; error: FaceError };

/** Where one request's time went in the worker (for stats and the bench). */
export interface FaceTiming {
  /** Decode, crops, detection, alignment, quality, embedding and JPEG encoding. */
  worker_ms: number;
  /** Of which inside onnxruntime (detector and embedder runs). */
  inference_ms: number;
}

/** Switching the face models (what a settings change calls); apart from FaceEngine so code that only reads faces need not offer it. */
export interface FaceModelControl {
  /**
   * Loads a face detector and an embedder by manifest name (null turns faces off). On failure the previous pair keeps
   * running and the error is returned and kept in faceModels().error.
   */
  setFaceModels(detector: string | null, embedder: string | null): Promise<FaceOutcome<FaceModels>>;
}

export interface FaceEngine {
  faceModels(): FaceModels;
  /**
   * An encoded image (JPEG/PNG/WebP, already size-checked by the caller) → every face in it, largest first. Decoding,
   * detection, alignment and embedding run off the main thread.
   */
  facesInImage(image: Buffer, opts: FaceOptions): Promise<FaceOutcome<{ width: number; height: number; faces: FaceResult[]; timing?: FaceTiming }>>;
  /**
   * A raw RGB frame at the camera's own resolution and the person boxes to search (null: the whole frame) → the faces in
   * them, plus each region's appearance histograms and the body crops asked for (`region_crops`; null elsewhere).
   * Takes ownership of `rgb` (it may be transferred).
   */
  facesInFrame(
    frame: { camera_id: number; ts_ms: number; width: number; height: number; rgb: Buffer },
    regions: Box[] | null,
    opts: FaceOptions,
  ): Promise<FaceOutcome<{ faces: FaceResult[]; appearance: (AppearanceHist | null)[]; region_crops: (Buffer | null)[]; timing?: FaceTiming }>>;
}
