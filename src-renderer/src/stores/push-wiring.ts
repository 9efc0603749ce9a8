// Routes push events (IPC or SSE) into the stores, so the grid and lists change without reloads.
import { api } from '../api/client';
import { useCameras } from './cameras.store';
import { useDetections } from './detections.store';
import { useEvents } from './events.store';
import { usePeople } from './people.store';
import { useSession } from './session.store';
import { useSettings } from './settings.store';
import { useSystem } from './system.store';
import { useTimeline } from './timeline.store';

/** A person recognised again on the same camera within this long is not announced again (a track lost and re-found). */
export const RECOGNITION_TOAST_COOLDOWN_MS = 60_000;

/** Whether to announce `person` on `camera` at `now`; records the announcement in `last` when it says yes. */
export function shouldAnnounce(last: Map<string, number>, camera: number, person: number, now: number): boolean {
  const key = `${camera}:${person}`;
  const prev = last.get(key);
  if (prev !== undefined && now - prev < RECOGNITION_TOAST_COOLDOWN_MS) return false;
  if (last.size > 1000) last.clear();
  last.set(key, now);
  return true;
}

export function bindPushEvents(): () => void {
  const announced = new Map<string, number>();
  const offs = [
    api.on('camera.status', (p) => useCameras.getState().applyStatus(p)),
    api.on('camera.added', (p) => void useCameras.getState().refreshOne(p.camera_id)),
    api.on('camera.updated', (p) => void useCameras.getState().refreshOne(p.camera_id)),
    api.on('camera.removed', (p) => {
      useCameras.getState().removed(p.camera_id);
      useDetections.getState().forget(p.camera_id);
    }),
    api.on('detections', (p) => useDetections.getState().applied(p)),
    api.on('settings.changed', (s) => useSettings.getState().apply(s)),
    api.on('event.created', (p) => {
      void useEvents.getState().created(p.event_id);
      useTimeline.getState().eventChanged();
    }),
    api.on('event.updated', (p) => {
      void useEvents.getState().updated(p.event_id);
      useTimeline.getState().eventChanged();
    }),
    api.on('event.deleted', (p) => {
      useEvents.getState().deleted(p.event_ids);
      useTimeline.getState().eventChanged();
    }),
    api.on('export.progress', (p) => useTimeline.getState().exportProgress(p)),
    // The event's own change of person arrives as event.updated, which already refreshes the events list.
    api.on('face.recognized', (p) => {
      usePeople.getState().recognized(p);
      if (p.person_id === null || !p.person_name || !shouldAnnounce(announced, p.camera_id, p.person_id, Date.now())) return;
      const camera = useCameras.getState().cameras.find((c) => c.id === p.camera_id)?.name ?? `camera ${p.camera_id}`;
      useSession.getState().toast(`${p.person_name} recognised on ${camera}`);
    }),
    api.on('worker.state', () => void useSystem.getState().refresh().catch(() => undefined)),
  ];
  return () => offs.forEach((off) => off());
}
