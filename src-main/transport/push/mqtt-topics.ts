// Pure MQTT mapping in Frigate's convention: camera topic names, event payloads, object counts and set-topic parsing.
import type { Camera } from '../../shared/contract/cameras.contract';
import type { EventDto } from '../../shared/contract/events.contract';
import type { LiveDetection } from '../../shared/push-events';

/** One topic level per camera: lower-case letters, digits, _ and -; a name shared by two cameras gets `_<id>`. */
export function cameraTopicNames(cameras: readonly Pick<Camera, 'id' | 'name'>[]): Map<number, string> {
  const slug = (c: Pick<Camera, 'id' | 'name'>): string => {
    const s = c.name
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '_')
      .replace(/^_+|_+$/g, '');
    return s === '' ? `camera_${c.id}` : s;
  };
  const counts = new Map<string, number>();
  for (const c of cameras) counts.set(slug(c), (counts.get(slug(c)) ?? 0) + 1);
  return new Map(cameras.map((c) => [c.id, (counts.get(slug(c)) ?? 0) > 1 ? `${slug(c)}_${c.id}` : slug(c)]));
}

/** A tracked-object message body (`<prefix>/events` before/after), Frigate's field names where Vigil has the fact. */
export interface MqttEventObject {
  id: string;
  camera: string;
  camera_id: number | null;
  label: string;
  sub_label: [string, number | null] | null;
  /** Vigil's trigger: motion, detection or manual (sensors and external triggers). */
  source: EventDto['source'];
  score: number | null;
  top_score: number | null;
  start_time: number;
  end_time: number | null;
  false_positive: false;
  active: boolean;
  stationary: false;
  has_clip: boolean;
  has_snapshot: boolean;
  thumbnail: null;
  current_zones: string[];
  entered_zones: string[];
  /** Normalised [x, y, w, h] boxes of the best moment (Frigate's `box` is in pixels; these are not). */
  boxes_normalized: EventDto['boxes'];
  /** Every object class seen during the event. */
  objects: string[];
}

const seconds = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso) / 1000);

export function eventObject(e: EventDto, camera: string): MqttEventObject {
  return {
    id: String(e.id),
    camera,
    camera_id: e.camera_id,
    label: e.label,
    sub_label: e.person_name ? [e.person_name, null] : null,
    source: e.source,
    score: e.score,
    top_score: e.score,
    start_time: seconds(e.started_at) as number,
    end_time: seconds(e.ended_at),
    false_positive: false,
    active: e.open,
    stationary: false,
    has_clip: e.clip_url !== null,
    has_snapshot: e.thumbnail_url !== null,
    thumbnail: null,
    current_zones: [],
    entered_zones: [],
    boxes_normalized: e.boxes,
    objects: [...new Set(e.objects.map((o) => o.label))],
  };
}

/** Confirmed detections counted per class, plus `all`. */
export function objectCounts(detections: readonly LiveDetection[]): Map<string, number> {
  const out = new Map<string, number>([['all', 0]]);
  for (const d of detections) {
    if (!d.confirmed) continue;
    out.set(d.label, (out.get(d.label) ?? 0) + 1);
    out.set('all', (out.get('all') as number) + 1);
  }
  return out;
}

/** Classes whose count differs from `prev` (a class that disappeared is published as 0). */
export function changedCounts(prev: ReadonlyMap<string, number>, next: ReadonlyMap<string, number>): [string, number][] {
  const out: [string, number][] = [];
  for (const [label, n] of next) if (prev.get(label) !== n) out.push([label, n]);
  for (const [label, n] of prev) if (!next.has(label) && n !== 0) out.push([label, 0]);
  return out;
}

export const SET_FEATURES = ['detect', 'recordings', 'motion'] as const;
export type SetFeature = (typeof SET_FEATURES)[number];

/** `<prefix>/<camera>/<feature>/set` with payload ON or OFF; anything else is null. */
export function parseSetTopic(prefix: string, topic: string, payload: Buffer | string): { camera: string; feature: SetFeature; on: boolean } | null {
  if (!topic.startsWith(`${prefix}/`)) return null;
  const parts = topic.slice(prefix.length + 1).split('/');
  if (parts.length !== 3 || parts[2] !== 'set') return null;
  const [camera, feature] = parts as [string, string];
  if (!(SET_FEATURES as readonly string[]).includes(feature)) return null;
  const value = payload.toString().trim().toUpperCase();
  if (value !== 'ON' && value !== 'OFF') return null;
  return { camera, feature: feature as SetFeature, on: value === 'ON' };
}

/** The ON/OFF state a camera reports on `<prefix>/<camera>/<feature>/state`. */
export function featureState(c: Pick<Camera, 'detect_enabled' | 'motion_enabled' | 'recording_mode'>, feature: SetFeature): 'ON' | 'OFF' {
  const on = feature === 'detect' ? c.detect_enabled : feature === 'motion' ? c.motion_enabled : c.recording_mode !== 'off';
  return on ? 'ON' : 'OFF';
}

/** `<prefix>/sensors/<id>/set` ON or OFF: an external sensor's trigger and release. */
export function parseSensorTopic(prefix: string, topic: string, payload: Buffer | string): { id: number; on: boolean } | null {
  if (!topic.startsWith(`${prefix}/`)) return null;
  const m = /^sensors\/(\d{1,9})\/set$/.exec(topic.slice(prefix.length + 1));
  if (!m) return null;
  const value = payload.toString().trim().toUpperCase();
  if (value !== 'ON' && value !== 'OFF') return null;
  return { id: Number(m[1]), on: value === 'ON' };
}
