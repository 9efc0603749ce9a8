// Cameras: the list with live status; push events (added/updated/removed/status) keep it current without reloads.
import { create } from 'zustand';
import { api, ClientError } from '../api/client';
import type { OpInput, OpOutput } from '../../../src-main/shared/contract';
import type { PushEventMap } from '../../../src-main/shared/push-events';

export type Camera = OpOutput<'cameras.get'>;
export type CameraStatusPush = PushEventMap['camera.status'];

/** Applies a camera.status push to the list (unknown ids are ignored). The server reports last_error only while in error. */
export function applyStatus(cams: readonly Camera[], p: CameraStatusPush): Camera[] {
  let changed = false;
  const out = cams.map((c) => {
    if (c.id !== p.camera_id) return c;
    const lastError = p.status === 'error' ? c.last_error : null;
    if (c.status === p.status && c.last_seen === p.last_seen && c.fps === p.fps && c.last_error === lastError) return c;
    changed = true;
    return { ...c, status: p.status, last_seen: p.last_seen, fps: p.fps, last_error: lastError };
  });
  return changed ? out : (cams as Camera[]);
}

/** Inserts or replaces one camera, keeping id order. */
export function upsertCamera(cams: readonly Camera[], cam: Camera): Camera[] {
  const rest = cams.filter((c) => c.id !== cam.id);
  return [...rest, cam].sort((a, b) => a.id - b.id);
}

export function removeCamera(cams: readonly Camera[], id: number): Camera[] {
  return cams.filter((c) => c.id !== id);
}

/** Orders cameras by a saved tile order; cameras missing from it follow in id order. */
export function orderCameras(cams: readonly Camera[], order: readonly number[]): Camera[] {
  const rank = new Map(order.map((id, i) => [id, i]));
  return cams.slice().sort((a, b) => (rank.get(a.id) ?? 1e9 + a.id) - (rank.get(b.id) ?? 1e9 + b.id));
}

/** Moves `id` to the position of `target` in an ordered id list. */
export function moveId(order: readonly number[], id: number, target: number): number[] {
  const from = order.indexOf(id);
  const to = order.indexOf(target);
  if (from < 0 || to < 0 || from === to) return order.slice();
  const out = order.slice();
  out.splice(from, 1);
  out.splice(to, 0, id);
  return out;
}

interface CamerasState {
  cameras: Camera[];
  loaded: boolean;
  load(): Promise<void>;
  refreshOne(id: number): Promise<void>;
  applyStatus(p: CameraStatusPush): void;
  removed(id: number): void;
  create(input: OpInput<'cameras.create'>): Promise<Camera>;
  update(input: OpInput<'cameras.update'>): Promise<Camera>;
  remove(id: number): Promise<void>;
}

export const useCameras = create<CamerasState>((set, get) => ({
  cameras: [],
  loaded: false,
  async load() {
    const cameras = await api.call('cameras.list');
    set({ cameras: cameras.slice().sort((a, b) => a.id - b.id), loaded: true });
  },
  async refreshOne(id) {
    try {
      const cam = await api.call('cameras.get', { id });
      set({ cameras: upsertCamera(get().cameras, cam) });
    } catch (err) {
      // Only a 404 means it is gone; a failed request must not hide a camera.
      if (err instanceof ClientError && err.status === 404) set({ cameras: removeCamera(get().cameras, id) });
    }
  },
  applyStatus(p) {
    const next = applyStatus(get().cameras, p);
    if (next !== get().cameras) set({ cameras: next });
    // The push does not carry the error text ("unreachable: … Connection refused"); fetch it.
    if (p.status === 'error') void get().refreshOne(p.camera_id);
  },
  removed(id) {
    set({ cameras: removeCamera(get().cameras, id) });
  },
  async create(input) {
    const cam = await api.call('cameras.create', input);
    set({ cameras: upsertCamera(get().cameras, cam) });
    return cam;
  },
  async update(input) {
    const cam = await api.call('cameras.update', input);
    set({ cameras: upsertCamera(get().cameras, cam) });
    return cam;
  },
  async remove(id) {
    await api.call('cameras.delete', { id });
    set({ cameras: removeCamera(get().cameras, id) });
  },
}));
