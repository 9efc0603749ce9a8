// Routes push events (IPC or SSE) into the stores, so the grid and lists change without reloads.
import { api } from '../api/client';
import { useCameras } from './cameras.store';
import { useEvents } from './events.store';
import { useSettings } from './settings.store';
import { useSystem } from './system.store';
import { useTimeline } from './timeline.store';

export function bindPushEvents(): () => void {
  const offs = [
    api.on('camera.status', (p) => useCameras.getState().applyStatus(p)),
    api.on('camera.added', (p) => void useCameras.getState().refreshOne(p.camera_id)),
    api.on('camera.updated', (p) => void useCameras.getState().refreshOne(p.camera_id)),
    api.on('camera.removed', (p) => useCameras.getState().removed(p.camera_id)),
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
    api.on('worker.state', () => void useSystem.getState().refresh().catch(() => undefined)),
  ];
  return () => offs.forEach((off) => off());
}
