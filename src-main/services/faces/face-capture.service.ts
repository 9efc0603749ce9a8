// Live face capture: full-resolution frames of cameras with faces (or re-identification) on → faces and appearance inside
// their tracked people (off the main thread, in the analysis worker) → samples, per-track recognition and named events;
// re-identification listens to the per-track observations and track ends.
import type { IngestSource, AnalysisFrame } from '../../ports/ingest.port';
import type { Box } from '../../ports/analysis-engine.port';
import type { AppearanceHist, FaceEngine } from '../../ports/face-engine.port';
import type { Logger } from '../../repositories/logger';
import type { CameraSettingsSource } from '../cameras/camera-settings';
import type { EndedTrack } from '../analysis/analysis.service';
import type { FaceRecognitionService, LiveFace } from './face-recognition.service';

/** What face capture needs of the detection side. */
export interface TrackedRegions {
  /** Confirmed tracks of `label` at `atTs`; null when the camera does not detect (its whole frame is searched). */
  trackedBoxes(cameraId: number, label: string, atTs: number): { track_id: number; box: Box; score: number }[] | null;
  onTracksEnded(fn: (cameraId: number, tracks: readonly EndedTrack[]) => void): () => void;
}

export interface FaceCaptureDeps {
  engine: FaceEngine;
  cameras: CameraSettingsSource;
  tracks: TrackedRegions;
  /** The camera's open detection event (its samples and name link to it). */
  openEvent: (cameraId: number) => number | null;
  recognition: Pick<FaceRecognitionService, 'onFaces' | 'endTrack' | 'forgetCamera'>;
  /** settings.face_min_quality. */
  minQuality: () => number;
  log: Logger;
}

/** What one analysed frame showed of each tracked person (for re-identification). */
export interface TrackObservations {
  camera_id: number;
  ts_ms: number;
  tracks: {
    track_id: number;
    box: Box;
    /** The track's last detection score. */
    score: number;
    appearance: AppearanceHist | null;
    /** The track's kept face of this frame (null: none, or not kept). */
    face: { sample_id: number; embedding: Float32Array; quality: number } | null;
    /** The body crop cut from this very frame, when a listener asked for it (cropsWanted), else null. */
    crop_jpeg: Buffer | null;
  }[];
}

export interface CaptureListener {
  /** Which of the frame's tracked people a body crop is wanted for (each answer is OR-ed across listeners). */
  cropsWanted?(cameraId: number, regions: readonly { track_id: number; box: Box }[]): boolean[];
  observed(o: TrackObservations): void;
  /** The tracker dropped the track; `personId` is face recognition's final decision for it. */
  ended(cameraId: number, track: EndedTrack, personId: number | null): void;
}

export interface FaceCaptureStats {
  frames: number;
  /** Frames skipped because the camera's previous frame was still in the worker. */
  dropped: number;
  faces: number;
  samples: number;
  last_face_ms: number | null;
}

/** Faces searched per frame, largest first (a crowd is sampled over several frames). */
const MAX_FACES_PER_FRAME = 8;

export class FaceCaptureService {
  private readonly busy = new Set<number>();
  private readonly stats_ = new Map<number, FaceCaptureStats>();
  private offs: (() => void)[] = [];
  private failuresLogged = 0;
  private readonly listeners = new Set<CaptureListener>();

  constructor(private readonly d: FaceCaptureDeps) {}

  start(ingest: IngestSource): void {
    this.offs.push(
      ingest.on('face', (f) => void this.onFrame(f)),
      this.d.tracks.onTracksEnded((cameraId, tracks) => {
        for (const t of tracks) {
          const decision = this.d.recognition.endTrack(cameraId, t.id);
          for (const l of this.listeners) l.ended(cameraId, t, decision?.person_id ?? null);
        }
      }),
    );
  }

  stop(): void {
    for (const off of this.offs) off();
    this.offs = [];
  }

  listen(l: CaptureListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  forget(cameraId: number): void {
    this.stats_.delete(cameraId);
    this.d.recognition.forgetCamera(cameraId);
  }

  stats(cameraId: number): FaceCaptureStats | null {
    return this.stats_.get(cameraId) ?? null;
  }

  /** Resolves once the frame's faces are stored and its observations delivered (or the frame was skipped). */
  async onFrame(f: AnalysisFrame): Promise<void> {
    const cam = this.d.cameras.get(f.camera_id);
    if (!cam || (!cam.tuning.faces_enabled && !cam.tuning.reid_enabled) || this.d.engine.faceModels().embedder === null) return;
    const st = this.stat(cam.id);
    if (this.busy.has(cam.id)) {
      st.dropped++;
      return;
    }
    const regions = this.d.tracks.trackedBoxes(cam.id, 'person', f.ts_ms);
    // A detecting camera with nobody tracked has no face to find; re-identification needs tracks.
    if (regions ? regions.length === 0 : !cam.tuning.faces_enabled) return;
    this.busy.add(cam.id);
    try {
      st.frames++;
      const r = await this.d.engine.facesInFrame(
        { camera_id: cam.id, ts_ms: f.ts_ms, width: f.width, height: f.height, rgb: f.data },
        regions ? regions.map((x) => x.box) : null,
        // Re-identification alone wants only each person's appearance: no face search.
        { min_quality: this.d.minQuality(), max_faces: cam.tuning.faces_enabled ? MAX_FACES_PER_FRAME : 0, crops: true, region_crops: regions ? this.cropsWanted(cam.id, regions) : [] },
      );
      if (!r.ok) {
        if (r.error.kind !== 'busy' && this.failuresLogged++ < 5) this.d.log.warn({ camera_id: cam.id, kind: r.error.kind, error: r.error.message }, 'face capture failed on a frame');
        return;
      }
      const faces: LiveFace[] = r.value.faces.map((face) => {
        const region = face.region === null || !regions ? null : (regions[face.region] ?? null);
        return { track_id: region?.track_id ?? null, face, clothing: face.region === null ? null : (r.value.appearance[face.region]?.upper ?? null) };
      });
      let sampleIds: (number | null)[] = [];
      if (faces.length) {
        st.faces += faces.length;
        st.last_face_ms = f.ts_ms;
        sampleIds = (await this.d.recognition.onFaces({ camera_id: cam.id, ts_ms: f.ts_ms, event_id: this.d.openEvent(cam.id), faces })).sample_ids;
        st.samples += sampleIds.filter((id) => id !== null).length;
      }
      if (regions && this.listeners.size) this.deliver(cam.id, f.ts_ms, regions, r.value, faces, sampleIds);
    } catch (err) {
      if (this.failuresLogged++ < 5) this.d.log.error({ camera_id: cam.id, err: err instanceof Error ? err.message : String(err) }, 'face capture failed');
    } finally {
      this.busy.delete(cam.id);
    }
  }

  /** Indices of the regions some listener wants a body crop of. */
  private cropsWanted(cameraId: number, regions: readonly { track_id: number; box: Box }[]): number[] {
    const want = regions.map(() => false);
    for (const l of this.listeners) l.cropsWanted?.(cameraId, regions).forEach((w, i) => (want[i] ||= w));
    return want.flatMap((w, i) => (w ? [i] : []));
  }

  private deliver(
    cameraId: number,
    ts: number,
    regions: { track_id: number; box: Box; score: number }[],
    found: { appearance: (AppearanceHist | null)[]; region_crops: (Buffer | null)[] },
    faces: LiveFace[],
    sampleIds: (number | null)[],
  ): void {
    const o: TrackObservations = {
      camera_id: cameraId,
      ts_ms: ts,
      tracks: regions.map((reg, i) => {
        const k = faces.findIndex((lf, j) => lf.track_id === reg.track_id && sampleIds[j] != null && lf.face.embedding !== null);
        const lf = k >= 0 ? faces[k] : undefined;
        return {
          track_id: reg.track_id,
          box: reg.box,
          score: reg.score,
          appearance: found.appearance[i] ?? null,
          crop_jpeg: found.region_crops[i] ?? null,
          face: lf && lf.face.embedding ? { sample_id: sampleIds[k] as number, embedding: lf.face.embedding, quality: lf.face.quality.score } : null,
        };
      }),
    };
    for (const l of this.listeners) l.observed(o);
  }

  private stat(id: number): FaceCaptureStats {
    let s = this.stats_.get(id);
    if (!s) this.stats_.set(id, (s = { frames: 0, dropped: 0, faces: 0, samples: 0, last_face_ms: null }));
    return s;
  }
}
