// The seam between camera workers (producers) and recording/analysis services (consumers) of one camera ingest.

/** A -c copy segment the worker has closed and moved to its final path under <data>/segments. */
export interface ClosedSegment {
  camera_id: number;
  /** Absolute path, <data>/segments/<camera>/<yyyy-mm-dd>/<hh>/<start_ms>.ts */
  path: string;
  start_ms: number;
  end_ms: number;
  bytes: number;
  /** From the ingest's stream probe when known. */
  codec: string | null;
  width: number | null;
  height: number | null;
}

/** A scaled raw frame for motion/detection, produced at settings.analysis_fps. */
export interface AnalysisFrame {
  camera_id: number;
  ts_ms: number;
  width: number;
  height: number;
  /** Packed RGB, width*height*3 bytes. */
  format: 'rgb24';
  data: Buffer;
}

export interface IngestListeners {
  segment: (s: ClosedSegment) => void;
  analysis: (f: AnalysisFrame) => void;
  /** Full-resolution frames for face capture (cameras with faces on), at a low rate. */
  face: (f: AnalysisFrame) => void;
}

/** The producer side: a camera worker publishes what its ingest made. */
export interface IngestSink {
  emit<K extends keyof IngestListeners>(kind: K, payload: Parameters<IngestListeners[K]>[0]): void;
}

/** The consumer side: listeners must be cheap or hand work off (the main loop stays responsive). Returns an unsubscribe. */
export interface IngestSource {
  on<K extends keyof IngestListeners>(kind: K, fn: IngestListeners[K]): () => void;
}
