// The person search store's pure parts: the timeline deep link, the in-order playlist, the lane marks and the fitted view.
import { describe, expect, it } from 'vitest';
import { findParam, marksOf, parseFind, playlist, viewOf, PLAY_PAD_MS, type PersonSearchHitDto } from '../../src-renderer/src/stores/person-search.store';

const hit = (key: string, camera: number, start: number, end: number): PersonSearchHitDto => ({
  key,
  camera_id: camera,
  camera_name: `Cam ${camera}`,
  start: new Date(start).toISOString(),
  end: new Date(end).toISOString(),
  match: 'identity',
  similarity: null,
  event_id: null,
  event_label: null,
  identity_id: 1,
  sighting_id: null,
  sample_id: null,
  person_id: null,
  person_name: null,
  thumb_url: null,
});

describe('person search store', () => {
  it('round-trips the deep link and refuses anything else', () => {
    expect(parseFind(findParam({ source: 'identity_id', id: 12 }))).toEqual({ source: 'identity_id', id: 12 });
    expect(parseFind('event_id:7')).toEqual({ source: 'event_id', id: 7 });
    for (const bad of [null, '', 'identity_id', 'identity_id:0', 'identity_id:-3', 'identity_id:1.5', 'camera_id:3', 'identity_id:3;x', 'identity_id:99999999999999999999']) expect(parseFind(bad), String(bad)).toBeNull();
  });

  it('plays oldest first, padded, joining back-to-back overlapping moments on one camera only', () => {
    const hits = [hit('c', 2, 50_000, 60_000), hit('b', 1, 12_000, 20_000), hit('a', 1, 10_000, 14_000), hit('d', 1, 61_000, 62_000)];
    expect(playlist(hits)).toEqual([
      { key: 'a', cameraId: 1, from: 10_000 - PLAY_PAD_MS, to: 20_000 + PLAY_PAD_MS },
      { key: 'c', cameraId: 2, from: 50_000 - PLAY_PAD_MS, to: 60_000 + PLAY_PAD_MS },
      { key: 'd', cameraId: 1, from: 61_000 - PLAY_PAD_MS, to: 62_000 + PLAY_PAD_MS },
    ]);
    expect(playlist([])).toEqual([]);
  });

  it('marks each hit on its camera and fits the view around all of them', () => {
    const hits = [hit('a', 1, 1_000_000, 1_010_000), hit('b', 3, 4_600_000, 4_700_000)];
    expect(marksOf(hits)).toEqual([
      { cameraId: 1, start: 1_000_000, end: 1_010_000 },
      { cameraId: 3, start: 4_600_000, end: 4_700_000 },
    ]);
    const v = viewOf(hits)!;
    expect(v.start).toBeLessThan(1_000_000);
    expect(v.end).toBeGreaterThan(4_700_000);
    expect(v.end - v.start).toBeLessThan((4_700_000 - 1_000_000) * 1.2 + 120_000);
    expect(viewOf([])).toBeNull();
  });
});
