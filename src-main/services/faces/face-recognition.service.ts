// Live recognition: stores a frame's faces as samples, fuses them per track and names tracks, samples and events.
import type { FaceResult } from '../../ports/face-engine.port';
import type { PushSink } from '../../ports/push.port';
import type { EventsRepository } from '../../repositories/events.repository';
import type { FaceSamplesRepository } from '../../repositories/face-samples.repository';
import type { Logger } from '../../repositories/logger';
import type { FaceIndexService } from './face-index.service';
import type { FaceSamplesService } from './face-samples.service';
import { DEFAULT_RECOGNIZER, FaceRecognizer, type ObservedFace, type RecognitionSettings, type RecognizerOptions, type TrackDecision, type TrackUpdate } from './recognition';

/** One face of an analysed frame, as FaceEngine.facesInFrame returned it, with its track and clothing. */
export interface LiveFace {
  /** The tracked person box it was found in; null when the whole frame was searched. */
  track_id: number | null;
  face: FaceResult;
  /** AppearanceHist.upper of the face's region; null when none. */
  clothing: Float32Array | null;
}

export interface FrameFaces {
  camera_id: number;
  ts_ms: number;
  /** The open event the frame belongs to, if any. */
  event_id: number | null;
  faces: LiveFace[];
}

export interface FrameRecognition {
  /** Per input face: the stored sample id, or null when it was not kept (or had no embedding). */
  sample_ids: (number | null)[];
  /** Tracks whose decision was (re)computed; `changed` when the named person changed. */
  updates: TrackUpdate[];
}

export interface FaceRecognitionDeps {
  samples: FaceSamplesService;
  sampleRows: FaceSamplesRepository;
  index: FaceIndexService;
  events: EventsRepository;
  bus: PushSink;
  /** face_match_threshold and face_min_faces, read on every decision. */
  settings: () => RecognitionSettings;
  log: Logger;
  options?: RecognizerOptions;
}

interface EventLink {
  camera_id: number;
  /** Decision per track key of this event. */
  tracks: Map<string, TrackDecision>;
  written: number | null;
}

export class FaceRecognitionService {
  private readonly recognizer: FaceRecognizer;
  private readonly trackEvent = new Map<string, number>();
  /** Samples of a track already written with its current name. */
  private readonly labelled = new Map<string, number>();
  private readonly events = new Map<number, EventLink>();
  private readonly unsubscribe: () => void;

  constructor(private readonly d: FaceRecognitionDeps) {
    const g = d.index.gallery();
    this.recognizer = new FaceRecognizer((f, top) => d.index.rank(f, top), g.names, d.settings, d.options ?? DEFAULT_RECOGNIZER);
    this.unsubscribe = d.index.onGalleryChange((next) => this.apply(this.recognizer.setGallery((f, top) => d.index.rank(f, top), next.names)));
  }

  /**
   * Call once per analysed frame with all of its faces (that is what keeps two faces of one frame from sharing a
   * name). Faces with an embedding are stored as samples by the keep rule and vote for their track.
   */
  async onFaces(frame: FrameFaces): Promise<FrameRecognition> {
    const sample_ids: (number | null)[] = [];
    const observed: ObservedFace[] = [];
    for (const lf of frame.faces) {
      const e = lf.face.embedding;
      if (!e || e.length === 0) {
        sample_ids.push(null);
        continue;
      }
      const id = await this.d.samples.addSample({
        camera_id: frame.camera_id,
        ts: frame.ts_ms,
        track_id: lf.track_id,
        event_id: frame.event_id,
        embedding: e,
        quality: lf.face.quality.score,
        crop_jpeg: lf.face.crop_jpeg,
        box: lf.face.box,
        clothing: lf.clothing,
      });
      sample_ids.push(id);
      if (lf.track_id === null) continue;
      observed.push({ track_id: lf.track_id, embedding: e, quality: lf.face.quality.score, size_px: lf.face.quality.size_px, sample_id: id });
      if (frame.event_id !== null) this.link(frame.camera_id, lf.track_id, frame.event_id);
    }
    const updates = observed.length ? this.recognizer.observeFrame(frame.camera_id, frame.ts_ms, observed) : [];
    this.apply(updates);
    return { sample_ids, updates };
  }

  /** The track ended: its final decision (its samples and event keep the name). */
  endTrack(cameraId: number, trackId: number): TrackDecision | null {
    const d = this.recognizer.endTrack(cameraId, trackId);
    this.d.samples.endTrack(cameraId, trackId);
    const k = key(cameraId, trackId);
    const ev = this.trackEvent.get(k);
    this.trackEvent.delete(k);
    this.labelled.delete(k);
    if (ev !== undefined && ![...this.trackEvent.values()].includes(ev)) this.events.delete(ev);
    return d;
  }

  decision(cameraId: number, trackId: number): TrackDecision | null {
    return this.recognizer.decision(cameraId, trackId);
  }

  /** Negative feedback on a live track's sample: the track is decided again without that person for that face. */
  reject(sampleId: number, personId: number): void {
    this.apply(this.recognizer.reject(sampleId, personId));
  }

  forgetCamera(cameraId: number): void {
    this.recognizer.forgetCamera(cameraId);
    for (const [k] of this.trackEvent) if (k.startsWith(`${cameraId}:`)) this.trackEvent.delete(k);
    for (const [k] of this.labelled) if (k.startsWith(`${cameraId}:`)) this.labelled.delete(k);
    for (const [id, l] of this.events) if (l.camera_id === cameraId) this.events.delete(id);
  }

  stop(): void {
    this.unsubscribe();
  }

  private link(cameraId: number, trackId: number, eventId: number): void {
    this.trackEvent.set(key(cameraId, trackId), eventId);
    if (!this.events.has(eventId)) this.events.set(eventId, { camera_id: cameraId, tracks: new Map(), written: null });
  }

  /** Names (or un-names) the track's samples, and its event as the strongest named track of that event. */
  private apply(updates: TrackUpdate[]): void {
    for (const u of updates) {
      const k = key(u.camera_id, u.track_id);
      const named = u.decision.person_id !== null;
      if (u.sample_ids.length && (u.changed || (named && this.labelled.get(k) !== u.sample_ids.length))) {
        this.d.sampleRows.setPerson(u.sample_ids, u.decision.person_id, named ? u.decision.evidence : null);
        this.labelled.set(k, u.sample_ids.length);
      }
      const ev = this.trackEvent.get(k);
      if (u.changed) {
        const d = u.decision;
        this.d.bus.emit('face.recognized', { camera_id: u.camera_id, track_id: u.track_id, event_id: ev ?? null, person_id: d.person_id, person_name: d.name, evidence: d.evidence, faces: d.faces });
      }
      if (ev === undefined) continue;
      const link = this.events.get(ev);
      if (!link) continue;
      link.tracks.set(k, u.decision);
      let best: TrackDecision | null = null;
      for (const t of link.tracks.values()) if (t.person_id !== null && (!best || t.evidence > best.evidence)) best = t;
      const pid = best?.person_id ?? null;
      if (pid === link.written) continue;
      const ok = this.d.events.update(ev, { person_id: pid, person_name: best?.name ?? null });
      link.written = pid;
      if (ok) {
        this.d.bus.emit('event.updated', { event_id: ev, camera_id: u.camera_id });
        this.d.log.info({ event_id: ev, camera_id: u.camera_id, track_id: u.track_id, person_id: pid, evidence: best?.evidence ?? null }, pid === null ? 'event recognition withdrawn' : 'event person recognised');
      }
    }
  }
}

const key = (cameraId: number, trackId: number): string => `${cameraId}:${trackId}`;
