// Pure layout for the sightings strip: one lane per camera, the view that fits every sighting, markers and hit-testing.
import type { SightingDto } from '../../stores/identities.store';
import { MINUTE, timeToX, type View } from '../timeline/timeline-math';

export interface StripLane {
  cameraId: number;
  name: string;
}

type Placed = Pick<SightingDto, 'id' | 'camera_id' | 'camera_name' | 'started_at' | 'ended_at'>;

/** One lane per camera the sightings are on, by name. */
export function stripLanes(sightings: readonly Placed[]): StripLane[] {
  const byId = new Map<number, string>();
  for (const s of sightings) if (!byId.has(s.camera_id)) byId.set(s.camera_id, s.camera_name ?? `Camera #${s.camera_id}`);
  return [...byId].map(([cameraId, name]) => ({ cameraId, name })).sort((a, b) => a.name.localeCompare(b.name) || a.cameraId - b.cameraId);
}

/** The view from the first sighting's start to the last one's end, padded, at least `minSpan` wide. */
export function fitView(sightings: readonly Placed[], padFrac = 0.06, minSpan = 2 * MINUTE): View {
  if (!sightings.length) {
    const now = Date.now();
    return { start: now - minSpan, end: now };
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of sightings) {
    lo = Math.min(lo, Date.parse(s.started_at));
    hi = Math.max(hi, Date.parse(s.ended_at));
  }
  const span = Math.max(minSpan, hi - lo);
  const mid = (lo + hi) / 2;
  const half = (span * (1 + 2 * padFrac)) / 2;
  return { start: mid - half, end: mid + half };
}

export interface Marker {
  id: number;
  lane: number;
  x0: number;
  x1: number;
}

/** Visible markers in pixels; each at least `minPx` wide so an 8-second sighting in a day-wide view stays clickable. */
export function layoutMarkers(sightings: readonly Placed[], lanes: readonly StripLane[], v: View, width: number, minPx = 5): Marker[] {
  const laneOf = new Map(lanes.map((l, i) => [l.cameraId, i]));
  const out: Marker[] = [];
  for (const s of sightings) {
    const lane = laneOf.get(s.camera_id);
    if (lane === undefined) continue;
    const a = timeToX(Date.parse(s.started_at), v, width);
    const b = timeToX(Date.parse(s.ended_at), v, width);
    const w = Math.max(minPx, b - a);
    const x0 = b - a < minPx ? (a + b) / 2 - w / 2 : a;
    if (x0 + w < 0 || x0 > width) continue;
    out.push({ id: s.id, lane, x0, x1: x0 + w });
  }
  return out;
}

/** The marker under x on a lane (within `slop` px), nearest to x when several overlap. */
export function hitMarker(markers: readonly Marker[], lane: number, x: number, slop = 3): Marker | null {
  let best: Marker | null = null;
  let bestD = Infinity;
  for (const m of markers) {
    if (m.lane !== lane || x < m.x0 - slop || x > m.x1 + slop) continue;
    const d = Math.abs((m.x0 + m.x1) / 2 - x);
    if (d < bestD) {
      best = m;
      bestD = d;
    }
  }
  return best;
}
