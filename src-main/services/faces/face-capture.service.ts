// Live face capture: full-resolution face frames of cameras with faces on → faces inside their tracked people (off the
// main thread, in the analysis worker) → samples, per-track recognition and named events.
import type { IngestSource, AnalysisFrame } from '../../ports/ingest.port';
import type { Box } from '../../ports/analysis-engine.port';
import type { FaceEngine } from '../../ports/face-engine.port';
import type { Logger } from '../../repositories/logger';
import type { CameraSettingsSource } from '../cameras/camera-settings';
import type { FaceRecognitionService, LiveFace } from './face-recognition.service';

/** What face capture needs of the detection side. */
export interface TrackedRegions {
  /** Confirmed tracks of `label` at `atTs`; null when the camera does not detect (its whole frame is searched). */
  trackedBoxes(cameraId: number, label: string, atTs: number): { track_id: number; box: Box }[] | null;
  onTracksEnded(fn: (cameraId: number, trackIds: readonly number[]) => void): () => void;
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

  constructor(private readonly d: FaceCaptureDeps) {}

  start(ingest: IngestSource): void {
    this.offs.push(
      ingest.on('face', (f) => void this.onFrame(f)),
      this.d.tracks.onTracksEnded((cameraId, ids) => {
        for (const id of ids) this.d.recognition.endTrack(cameraId, id);
      }),
    );
  }

  stop(): void {
    for (const off of this.offs) off();
    this.offs = [];
  }

  forget(cameraId: number): void {
    this.stats_.delete(cameraId);
    this.d.recognition.forgetCamera(cameraId);
  }

  stats(cameraId: number): FaceCaptureStats | null {
    return this.stats_.get(cameraId) ?? null;
  }

  /** Resolves once the frame's faces are stored and counted (or the frame was skipped). */
  async onFrame(f: AnalysisFrame): Promise<void> {
    const cam = this.d.cameras.get(f.camera_id);
    if (!cam || !cam.tuning.faces_enabled || this.d.engine.faceModels().embedder === null) return;
    const st = this.stat(cam.id);
    if (this.busy.has(cam.id)) {
      st.dropped++;
      return;
    }
    const regions = this.d.tracks.trackedBoxes(cam.id, 'person', f.ts_ms);
    // A detecting camera with nobody tracked has no face to find.
    if (regions && regions.length === 0) return;
    this.busy.add(cam.id);
    try {
      st.frames++;
      const r = await this.d.engine.facesInFrame(
        { camera_id: cam.id, ts_ms: f.ts_ms, width: f.width, height: f.height, rgb: f.data },
        regions ? regions.map((x) => x.box) : null,
        { min_quality: this.d.minQuality(), max_faces: MAX_FACES_PER_FRAME, crops: true },
      );
      if (!r.ok) {
        if (r.error.kind !== 'busy' && this.failuresLogged++ < 5) this.d.log.warn({ camera_id: cam.id, kind: r.error.kind, error: r.error.message }, 'face capture failed on a frame');
        return;
      }
      const faces: LiveFace[] = r.value.faces.map((face) => {
        const region = face.region === null || !regions ? null : (regions[face.region] ?? null);
        return { track_id: region?.track_id ?? null, face, clothing: face.region === null ? null : (r.value.appearance[face.region]?.upper ?? null) };
      });
      if (!faces.length) return;
      st.faces += faces.length;
      st.last_face_ms = f.ts_ms;
      const out = await this.d.recognition.onFaces({ camera_id: cam.id, ts_ms: f.ts_ms, event_id: this.d.openEvent(cam.id), faces });
      st.samples += out.sample_ids.filter((id) => id !== null).length;
    } catch (err) {
      if (this.failuresLogged++ < 5) this.d.log.error({ camera_id: cam.id, err: err instanceof Error ? err.message : String(err) }, 'face capture failed');
    } finally {
      this.busy.delete(cam.id);
    }
  }

  private stat(id: number): FaceCaptureStats {
    let s = this.stats_.get(id);
    if (!s) this.stats_.set(id, (s = { frames: 0, dropped: 0, faces: 0, samples: 0, last_face_ms: null }));
    return s;
  }
}
