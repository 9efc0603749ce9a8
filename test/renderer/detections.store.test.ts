// Live overlay store: newest-wins per camera, staleness on the local clock, the box label and the contain-fit maths.
import { describe, expect, it } from 'vitest';
import { applyDetections, boxLabel, containRect, visibleDetections, OVERLAY_STALE_MS, type LiveDetection } from '../../src-renderer/src/stores/detections.store';

const det = (track: number, o: Partial<LiveDetection> = {}): LiveDetection => ({ track_id: track, label: 'person', score: 0.876, box: [0.1, 0.2, 0.3, 0.4], confirmed: true, ...o });

describe('detections store', () => {
  it('keeps the newest result per camera and ignores a late older one', () => {
    let s = applyDetections({}, { camera_id: 1, ts: 1000, model: 'm', detections: [det(1)] }, 50);
    s = applyDetections(s, { camera_id: 2, ts: 10, model: 'm', detections: [] }, 51);
    const late = applyDetections(s, { camera_id: 1, ts: 900, model: 'm', detections: [det(9)] }, 52);
    expect(late).toBe(s);
    const next = applyDetections(s, { camera_id: 1, ts: 1100, model: 'm', detections: [det(2)] }, 60);
    expect(next[1]).toEqual({ ts: 1100, at: 60, detections: [det(2)] });
    expect(next[2]?.detections).toEqual([]);
  });

  it('hides boxes once no result arrived for OVERLAY_STALE_MS on the local clock', () => {
    const d = { ts: 5, at: 1000, detections: [det(1)] };
    expect(visibleDetections(d, 1000 + OVERLAY_STALE_MS)).toHaveLength(1);
    expect(visibleDetections(d, 1001 + OVERLAY_STALE_MS)).toEqual([]);
    expect(visibleDetections(undefined, 0)).toEqual([]);
  });

  it('labels a box with the recognised name first', () => {
    expect(boxLabel(det(1))).toBe('person 0.88');
    expect(boxLabel(det(1, { name: 'Jesper' }))).toBe('Jesper · person 0.88');
    expect(boxLabel(det(1, { name: null, label: 'car', score: 0.5 }))).toBe('car 0.50');
  });

  it('fits the frame like object-fit: contain (pillar- and letter-boxed) and survives zero sizes', () => {
    expect(containRect(400, 300, 16 / 9)).toEqual({ x: 0, y: 37.5, w: 400, h: 225 });
    expect(containRect(400, 100, 2)).toEqual({ x: 100, y: 0, w: 200, h: 100 });
    expect(containRect(0, 0, 1.5)).toEqual({ x: 0, y: 0, w: 0, h: 0 });
    expect(containRect(200, 100, Number.NaN)).toEqual({ x: 0, y: 0, w: 200, h: 100 });
  });
});
