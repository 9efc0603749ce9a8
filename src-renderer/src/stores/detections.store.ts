// Live detection overlays: the newest detector result per camera from the 'detections' push, and whether overlays show.
import { create } from 'zustand';
import type { LiveDetection, PushEventMap } from '../../../src-main/shared/push-events';

export type { LiveDetection };

/** A camera's boxes disappear when no detector result arrived for this long (the server clears them after 3 s too). */
export const OVERLAY_STALE_MS = 3_000;
const STORAGE_KEY = 'vigil.overlays';

export interface CameraDetections {
  ts: number;
  /** Local clock when it arrived: staleness is judged on this clock, never on the camera's. */
  at: number;
  detections: LiveDetection[];
}

/** Keeps the newest result per camera; a late, older one is ignored. Pure: exported for tests. */
export function applyDetections(byCamera: Readonly<Record<number, CameraDetections>>, p: PushEventMap['detections'], now: number): Record<number, CameraDetections> {
  const cur = byCamera[p.camera_id];
  if (cur && p.ts < cur.ts) return byCamera as Record<number, CameraDetections>;
  return { ...byCamera, [p.camera_id]: { ts: p.ts, at: now, detections: p.detections } };
}

/** The boxes to draw now, or none when the last result is stale. */
export function visibleDetections(d: CameraDetections | undefined, now: number): LiveDetection[] {
  return d && now - d.at <= OVERLAY_STALE_MS ? d.detections : [];
}

/** The text beside a box: "Jesper · person 0.91" once named, else "person 0.91". */
export function boxLabel(d: LiveDetection): string {
  const base = `${d.label} ${d.score.toFixed(2)}`;
  return d.name ? `${d.name} · ${base}` : base;
}

/**
 * Where a frame of `frame` aspect (w/h) sits inside a `box` of the given size when fitted like object-fit: contain.
 * Pure: exported for tests.
 */
export function containRect(boxW: number, boxH: number, frame: number): { x: number; y: number; w: number; h: number } {
  if (boxW <= 0 || boxH <= 0 || !(frame > 0)) return { x: 0, y: 0, w: Math.max(0, boxW), h: Math.max(0, boxH) };
  const w = Math.min(boxW, boxH * frame);
  const h = w / frame;
  return { x: (boxW - w) / 2, y: (boxH - h) / 2, w, h };
}

function storedShow(): boolean {
  try {
    return globalThis.localStorage?.getItem(STORAGE_KEY) !== 'off';
  } catch {
    return true;
  }
}

interface DetectionsState {
  byCamera: Record<number, CameraDetections>;
  show: boolean;
  applied(p: PushEventMap['detections']): void;
  setShow(show: boolean): void;
  forget(cameraId: number): void;
}

export const useDetections = create<DetectionsState>((set, get) => ({
  byCamera: {},
  show: storedShow(),
  applied(p) {
    const next = applyDetections(get().byCamera, p, Date.now());
    if (next !== get().byCamera) set({ byCamera: next });
  },
  setShow(show) {
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, show ? 'on' : 'off');
    } catch {
      // Private mode: the choice lasts for this session only.
    }
    set({ show });
  },
  forget(cameraId) {
    const { [cameraId]: _gone, ...rest } = get().byCamera;
    set({ byCamera: rest });
  },
}));
