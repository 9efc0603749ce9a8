// Push events: the names and payloads the core broadcasts over IPC and SSE.
import type { SettingsView } from './settings';
import type { CameraStatus } from './contract/cameras.contract';
import type { WorkerState } from './contract/system.contract';

/** A current detection on a live camera, as the UI overlays it. */
export interface LiveDetection {
  track_id: number;
  label: string;
  score: number;
  /** Normalised [x, y, w, h] in the camera frame. */
  box: [number, number, number, number];
  /** True once the track has been seen for min_trigger_frames consecutive frames. */
  confirmed: boolean;
  /** The enrolled person face recognition named this track as, if any. */
  name?: string | null;
}

export interface PushEventMap {
  /** The settings as settings.get answers them (secrets only as *_set flags). */
  'settings.changed': SettingsView;
  'worker.state': WorkerState;
  'camera.added': { camera_id: number };
  'camera.updated': { camera_id: number };
  'camera.removed': { camera_id: number };
  'camera.status': { camera_id: number; status: CameraStatus; last_seen: string | null; fps: number };
  'event.created': { event_id: number; camera_id: number | null };
  'event.updated': { event_id: number; camera_id: number | null };
  'event.deleted': { event_ids: number[] };
  'export.progress': { export_id: string; percent: number; state: 'running' | 'done' | 'error'; detail: string | null };
  'export.deleted': { export_id: string };
  /** Detector output for one analysed frame of a camera (empty `detections` clears the overlay). */
  'detections': { camera_id: number; ts: number; model: string; detections: LiveDetection[] };
  /** A live track was named as an enrolled person, or its name was withdrawn (person_id null). */
  'face.recognized': { camera_id: number; track_id: number; event_id: number | null; person_id: number | null; person_name: string | null; evidence: number; faces: number };
  /** A health metric changed level (services/health-alerts.ts): the whole state plus which metrics changed. */
  'system.alert': {
    overall: 'ok' | 'warn' | 'critical';
    alerts: Record<'cpu_temp' | 'throttle' | 'storage' | 'sd_health', 'ok' | 'warn' | 'critical' | 'unavailable'>;
    values: { cpu_temp: number | null; throttle: string[] | null; storage: number | null; sd_health: number | null };
    changed: ('cpu_temp' | 'throttle' | 'storage' | 'sd_health')[];
  };
  /** A timelapse video or a saved snapshot was added or removed (the Pi family's archive_updated; events have their own). */
  'archive.changed': { kind: 'timelapse' | 'snapshot'; change: 'added' | 'deleted'; path: string };
  /** A Flex pipeline changed state (stopped, starting, playing, error). */
  'pipeline.status': { id: string; state: 'stopped' | 'starting' | 'playing' | 'error'; error: string | null };
  /** A local capture device (V4L2) appeared or went away. */
  'capture.added': { device_path: string; device_name: string };
  'capture.removed': { device_path: string };
}

export type PushEventName = keyof PushEventMap;
export interface PushMessage<N extends PushEventName = PushEventName> {
  name: N;
  payload: PushEventMap[N];
}
export const PUSH_CHANNEL = 'vigil:push';
export const INVOKE_CHANNEL_PREFIX = 'vigil:';
