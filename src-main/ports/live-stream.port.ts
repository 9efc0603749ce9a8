// The copy live stream of a camera (fragmented MP4, no decode) as its consumers see it: MSE viewers, the on-demand decoder.

/** The init segment (ftyp + moov) and the RFC 6381 codec string a MediaSource needs, e.g. `avc1.64001f,mp4a.40.2`. */
export interface LiveInit {
  data: Buffer;
  codecs: string;
  hasAudio: boolean;
}

/** One moof + mdat fragment. */
export interface LiveFragment {
  data: Buffer;
  /** Starts with a keyframe: a decoder can begin here. */
  key: boolean;
}

export type LiveChunk = { type: 'init'; init: LiveInit } | { type: 'fragment'; fragment: LiveFragment };

export interface LiveStreamSource {
  /**
   * Follow a camera's copy live stream. The current init segment and the cached GOP (from its keyframe) are delivered
   * synchronously inside this call, then every new fragment. Another `init` means the ingest restarted: start over.
   * May subscribe before the camera runs; survives stop/start. Returns an unsubscribe.
   */
  subscribeLive(cameraId: number, fn: (c: LiveChunk) => void): () => void;
}
