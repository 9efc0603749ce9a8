// Routes analysis frames to the off-thread engine and its results to tracking, events, activity and live overlays.
import type { AnalysisFrame, IngestSource } from '../../ports/ingest.port';
import type { LatestFrame, WorkerManagerPort } from '../../ports/camera-workers.port';
import type { AnalysisEngine, AnalysisResult, Box, CameraAnalysisConfig } from '../../ports/analysis-engine.port';
import type { PushSink } from '../../ports/push.port';
import type { LiveDetection } from '../../shared/push-events';
import type { Logger } from '../../repositories/logger';
import type { CameraSettings, CameraSettingsSource } from '../cameras/camera-settings';
import type { ActivityCounter } from '../recording/activity-counter';
import type { Trigger } from '../recording/trigger-machine';
import { gateDetection, gateSettingsFromTuning } from './gate';
import { initialTrackerState, predictBox, trackerConfigFromTuning, updateTracker, type Track, type TrackerState, type TrackView } from './tracker';
import type { CurrentDetections } from './live-annotator';

/** A track the tracker dropped: its class, span and best detection. */
export interface EndedTrack {
  id: number;
  label: string;
  confirmed: boolean;
  first_ms: number;
  last_ms: number;
  best_score: number;
  best_box: Box;
  best_ms: number;
}

const endedTrack = (t: Track): EndedTrack => ({ id: t.id, label: t.label, confirmed: t.confirmed, first_ms: t.first_ms, last_ms: t.last_ms, best_score: t.best_score, best_box: t.best_box, best_ms: t.best_ms });

/** What the event side offers the analysis side. */
export interface TriggerSink {
  handleTrigger(cameraId: number, ts: number, trigger: Trigger | null): void;
  handleTracks(cameraId: number, ts: number, tracks: readonly TrackView[] | null, shot?: () => Buffer | null): void;
  presenceOpen(cameraId: number): boolean;
}

export interface DetectorStatus {
  model: string;
  detections_per_second: number;
  latency_ms: number | null;
  analysed_frames: number;
  dropped_frames: number;
  motion_gated: boolean;
  tracks: number;
}

interface CameraState {
  tracker: TrackerState;
  lastRunMs: number | null;
  /** Newest result handled; an older one arriving late is ignored. */
  lastTs: number;
  current: { ts: number; detections: LiveDetection[] } | null;
}

/** The detector also returns boxes below detect_conf, down to this score, so the tracker's low-score stage can use them. */
const LOW_SCORE_FLOOR = 0.1;
/** A camera's overlay is cleared when no detector result arrived for this long. */
const OVERLAY_TTL_MS = 3000;
/** Analysis stills kept per detecting camera, to pick the one of an analysed frame (about 7 s at 4 fps). */
const SHOT_RING = 30;
/** How far ahead of the detector's frame a live overlay box is extrapolated along its track. */
const PREDICT_MAX_MS = 1000;
/** Stills carry their analysed frame's exact time; one let go unpaired (a stuck pipe) must be at most this far off. */
const SHOT_MATCH_MS = 400;

export class AnalysisService {
  private readonly cams = new Map<number, CameraState>();
  /** Recent analysis stills of detecting cameras: an event's thumbnail is the one of its best analysed frame. */
  private readonly shots = new Map<number, { frames: LatestFrame[]; off: () => void }>();
  private off: (() => void) | null = null;
  private failuresLogged = 0;
  private readonly endedListeners = new Set<(cameraId: number, tracks: readonly EndedTrack[]) => void>();
  /** The name face recognition gave a live track (drawn next to its box), when one is set. */
  private trackName: (cameraId: number, trackId: number) => string | null = () => null;

  constructor(
    private readonly engine: AnalysisEngine,
    private readonly cameras: CameraSettingsSource,
    private readonly live: Pick<WorkerManagerPort, 'watchStills'>,
    private readonly events: TriggerSink,
    private readonly activity: ActivityCounter,
    private readonly bus: PushSink,
    private readonly log: Logger,
    private readonly now: () => number,
    /** Detection is on (settings.detector_model is not null). */
    private readonly enabled: () => boolean = () => true,
  ) {}

  start(ingest: IngestSource): void {
    this.off = ingest.on('analysis', (f) => void this.onFrame(f));
  }

  stop(): void {
    this.off?.();
    this.off = null;
    for (const s of this.shots.values()) s.off();
    this.shots.clear();
  }

  /** Whether a camera's frames go through the detector (its switch is on and a model is loaded). */
  detects(cam: CameraSettings): boolean {
    return cam.tuning.detect_enabled && this.enabled() && this.engine.activeModel() !== null;
  }

  /** The model's square input size for a camera that detects (ffmpeg fits its analysis frames into it), else null. */
  analysisFit(tuning: CameraSettings['tuning']): number | null {
    const m = this.engine.activeModel();
    if (!tuning.detect_enabled || !this.enabled() || !m) return null;
    return Math.min(m.input.width, m.input.height);
  }

  /** Resolves once the frame has been analysed (or dropped) and its result handled. */
  onFrame(f: AnalysisFrame): Promise<void> {
    const cam = this.cameras.get(f.camera_id);
    if (!cam) return Promise.resolve();
    const t = cam.tuning;
    const detecting = this.detects(cam);
    if (!detecting && !t.motion_enabled) return Promise.resolve();
    const st = this.state(cam.id);
    if (detecting && !this.shots.has(cam.id)) this.watchStills(cam.id);
    const gate = detecting
      ? gateDetection({
          ts_ms: f.ts_ms,
          detection_enabled: true,
          ...gateSettingsFromTuning(t),
          last_run_ms: st.lastRunMs,
          tracks_alive: st.tracker.tracks.length > 0,
          presence_open: this.events.presenceOpen(cam.id),
        })
      : 'never';
    const config: CameraAnalysisConfig = {
      motion: { threshold: t.motion_threshold, min_area: t.motion_min_area, masks: t.motion_masks },
      detect: gate,
      conf: Math.min(t.detect_conf, LOW_SCORE_FLOOR),
      iou: t.detect_iou,
      classes: [],
      min_interval_ms: 0,
    };
    return this.engine.submit(f, config).then((o) => {
      if (o.status === 'analysed') this.onResult(o.result, detecting);
      else if (o.status === 'failed' && this.failuresLogged++ < 5) this.log.warn({ camera_id: f.camera_id, kind: o.error.kind, error: o.error.message }, 'analysis failed');
    });
  }

  private onResult(r: AnalysisResult, detecting: boolean): void {
    const cam = this.cameras.get(r.camera_id);
    if (!cam) return;
    const st = this.state(cam.id);
    if (r.ts_ms < st.lastTs) return;
    st.lastTs = r.ts_ms;
    if (r.motion) this.activity.count(cam.id, r.ts_ms, r.motion.motion, r.motion.area);
    if (!detecting) {
      // No detector for this camera: motion opens events, as before detection existed.
      const m = r.motion;
      const trigger: Trigger | null = m && m.motion && m.box ? { label: 'motion', score: m.area, boxes: [{ label: 'motion', score: m.area, box: m.box }] } : null;
      if (m) this.events.handleTrigger(cam.id, r.ts_ms, trigger);
      return;
    }
    const d = r.detector;
    if (d.status !== 'ran') {
      this.events.handleTracks(cam.id, r.ts_ms, null);
      return;
    }
    st.lastRunMs = r.ts_ms;
    const prior = st.tracker.tracks;
    const u = updateTracker(st.tracker, r.ts_ms, d.detections, trackerConfigFromTuning(cam.tuning));
    st.tracker = u.state;
    if (u.ended.length && this.endedListeners.size) {
      const ended = prior.filter((t) => u.ended.includes(t.id)).map(endedTrack);
      for (const l of this.endedListeners) l(cam.id, ended);
    }
    this.events.handleTracks(cam.id, r.ts_ms, u.tracks, () => this.shotAt(cam.id, r.ts_ms));
    const shown = u.tracks.filter((tr) => tr.matched && tr.score >= cam.tuning.detect_conf);
    const detections: LiveDetection[] = shown.map((tr) => ({ track_id: tr.id, label: tr.label, score: Math.round(tr.score * 1000) / 1000, box: tr.box, confirmed: tr.confirmed, name: this.trackName(cam.id, tr.id) }));
    const had = (st.current?.detections.length ?? 0) > 0;
    st.current = { ts: r.ts_ms, detections };
    if (detections.length || had) this.bus.emit('detections', { camera_id: cam.id, ts: r.ts_ms, model: d.model, detections });
  }

  /**
   * The boxes a live frame of this camera should show (annotated snapshots and MJPEG). Live frames are newer than the
   * detector's result, so with `atTs` each box is moved to where its track's motion model puts it at that frame's time
   * (at most PREDICT_MAX_MS ahead); a walker's box then stays on the walker instead of trailing behind.
   */
  current(cameraId: number, atTs?: number): CurrentDetections | null {
    const st = this.cams.get(cameraId);
    const c = st?.current;
    if (!st || !c || this.now() - c.ts > OVERLAY_TTL_MS) return null;
    const cam = this.cameras.get(cameraId);
    const cfg = cam ? trackerConfigFromTuning(cam.tuning) : undefined;
    const at = atTs === undefined ? c.ts : Math.min(Math.max(atTs, c.ts), c.ts + PREDICT_MAX_MS);
    const byId = new Map(st.tracker.tracks.map((t) => [t.id, t]));
    return {
      ts: c.ts,
      boxes: c.detections.map((d) => {
        const track = byId.get(d.track_id);
        const box = track && at > c.ts && st.tracker.ts_ms === c.ts ? predictBox(st.tracker, track, at, cfg) : d.box;
        const name = this.trackName(cameraId, d.track_id);
        return { box, label: d.label, score: d.score, note: name ? `${name} #${d.track_id}` : `#${d.track_id}` };
      }),
    };
  }

  /**
   * Where the camera's confirmed tracks of `label` are at `atTs` (a frame newer than the detector's moves each box
   * along its track, at most PREDICT_MAX_MS): the regions face capture searches. Null when the camera does not detect.
   */
  trackedBoxes(cameraId: number, label: string, atTs: number): { track_id: number; box: Box; score: number }[] | null {
    const cam = this.cameras.get(cameraId);
    if (!cam || !this.detects(cam)) return null;
    const st = this.cams.get(cameraId);
    if (!st || st.tracker.ts_ms === null) return [];
    const cfg = trackerConfigFromTuning(cam.tuning);
    const at = Math.min(Math.max(atTs, st.tracker.ts_ms), st.tracker.ts_ms + PREDICT_MAX_MS);
    return st.tracker.tracks.filter((t) => t.confirmed && t.label === label).map((t) => ({ track_id: t.id, score: t.score, box: at > (st.tracker.ts_ms ?? at) ? predictBox(st.tracker, t, at, cfg) : t.box }));
  }

  /** Live boxes show this name next to a track's id (face recognition's decision). */
  nameTracks(fn: (cameraId: number, trackId: number) => string | null): void {
    this.trackName = fn;
  }

  /** Tracks that died, per camera, with what the tracker knew of them (face recognition and re-identification close them). */
  onTracksEnded(fn: (cameraId: number, tracks: readonly EndedTrack[]) => void): () => void {
    this.endedListeners.add(fn);
    return () => this.endedListeners.delete(fn);
  }

  detectorStatus(cameraId: number): DetectorStatus | null {
    const cam = this.cameras.get(cameraId);
    const model = this.engine.activeModel();
    if (!cam || !model || !this.detects(cam)) return null;
    const s = this.engine.stats(cameraId);
    return {
      model: model.name,
      detections_per_second: s?.detections_per_second ?? 0,
      latency_ms: s?.last_inference_ms ?? null,
      analysed_frames: s?.frames_analysed ?? 0,
      dropped_frames: s?.frames_dropped ?? 0,
      motion_gated: s?.motion_gate_open === false,
      tracks: this.cams.get(cameraId)?.tracker.tracks.length ?? 0,
    };
  }

  forget(cameraId: number): void {
    this.cams.delete(cameraId);
    this.shots.get(cameraId)?.off();
    this.shots.delete(cameraId);
    this.engine.forget(cameraId);
  }

  private watchStills(cameraId: number): void {
    const frames: LatestFrame[] = [];
    const off = this.live.watchStills(cameraId, (f) => {
      frames.push(f);
      if (frames.length > SHOT_RING) frames.shift();
    });
    this.shots.set(cameraId, { frames, off });
  }

  /** The still of an analysed frame (the ingest stamps each still with its frame's time; nearest within SHOT_MATCH_MS). */
  private shotAt(cameraId: number, ts: number): Buffer | null {
    let best: LatestFrame | null = null;
    for (const f of this.shots.get(cameraId)?.frames ?? []) if (!best || Math.abs(f.ts_ms - ts) < Math.abs(best.ts_ms - ts)) best = f;
    return best && Math.abs(best.ts_ms - ts) <= SHOT_MATCH_MS ? best.jpeg : null;
  }

  private state(id: number): CameraState {
    let s = this.cams.get(id);
    if (!s) this.cams.set(id, (s = { tracker: initialTrackerState(), lastRunMs: null, lastTs: 0, current: null }));
    return s;
  }
}
