// Identities screen logic without a browser: merge preview and target, the not-same partner, the evidence sentence,
// the strip's lanes, fit, markers and hit-testing, and the list store's selection.
import { beforeEach, describe, expect, it } from 'vitest';
import { defaultMergeTarget, displayName, mergePreview, notSamePartner, rangeIds, useIdentities, type IdentityItemDto, type SightingDto } from '../../src-renderer/src/stores/identities.store';
import { clock, gapText, scoresText, whyLinked } from '../../src-renderer/src/features/identities/evidence';
import { fitView, hitMarker, layoutMarkers, stripLanes } from '../../src-renderer/src/features/identities/sightings-layout';

const T0 = Date.parse('2026-03-03T14:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

const item = (id: number, over: Partial<IdentityItemDto> = {}): IdentityItemDto => ({
  id,
  name: null,
  is_named: false,
  object_class: 'person',
  color: null,
  color_hex: null,
  make: null,
  vehicle_type: null,
  total_seconds: 8,
  num_sightings: 1,
  first_seen: iso(T0),
  last_seen: iso(T0),
  cameras: [{ id: 1, name: 'Gate' }],
  rep_thumb_url: null,
  face_thumb_url: null,
  rep_sighting_id: null,
  face_sample_id: null,
  person_id: null,
  created_at: iso(T0),
  ...over,
});

const sighting = (id: number, cameraId: number, startMs: number, over: Partial<SightingDto> = {}): SightingDto => ({
  id,
  identity_id: 1,
  camera_id: cameraId,
  camera_name: cameraId === 1 ? 'Gate' : cameraId === 2 ? 'Yard' : null,
  event_id: null,
  track_id: id,
  object_class: 'person',
  started_at: iso(startMs),
  ended_at: iso(startMs + 8000),
  duration_s: 8,
  best_at: iso(startMs + 2000),
  best_score: 0.8,
  box: [0.3, 0.1, 0.25, 0.8],
  thumb_url: null,
  person_id: null,
  person_name: null,
  color: null,
  color_hex: null,
  face_sample_ids: [],
  has_face: true,
  has_appearance: true,
  link: { kind: 'new', score: null, face_score: null, appearance_score: null, matched_sighting_id: null, matched: null, gap_s: null, detail: 'new: no identity matched' },
  ...over,
});

describe('merge', () => {
  it('proposes a named identity, else the one with most sightings, else the oldest', () => {
    expect(defaultMergeTarget([item(3, { num_sightings: 2 }), item(2, { num_sightings: 5 }), item(4, { name: 'Ann', is_named: true })])).toBe(4);
    expect(defaultMergeTarget([item(3, { num_sightings: 2 }), item(2, { num_sightings: 5 })])).toBe(2);
    expect(defaultMergeTarget([item(7), item(5)])).toBe(5);
    expect(defaultMergeTarget([])).toBeNull();
  });

  it('previews what moves and keeps the target name, or a named source’s when the target has none', () => {
    const items = [item(1, { num_sightings: 3 }), item(2, { num_sightings: 2, name: 'Bob', is_named: true }), item(3, { num_sightings: 4, name: 'Cy', is_named: true })];
    const p = mergePreview(items, 1);
    expect(p?.moves).toEqual([
      { id: 2, label: 'Bob', sightings: 2 },
      { id: 3, label: 'Cy', sightings: 4 },
    ]);
    expect(p).toMatchObject({ moved: 6, total: 9, keptName: 'Cy', nameFromSource: true });
    expect(mergePreview(items, 2)).toMatchObject({ keptName: 'Bob', nameFromSource: false, moved: 7 });
    expect(mergePreview([item(1), item(2)], 1)).toMatchObject({ keptName: null, nameFromSource: false });
    expect(mergePreview(items, 99)).toBeNull();
  });
});

describe('evidence', () => {
  const now = new Date(T0 + 3600_000);
  const matched = { sighting_id: 5, identity_id: 1, camera_id: 1, camera_name: 'Gate', started_at: iso(T0), ended_at: iso(T0 + 8000) };

  it('says how, how strongly, to which sighting and how long after', () => {
    const s = sighting(9, 2, T0 + 130_000, { link: { kind: 'face', score: 0.93, face_score: 0.93, appearance_score: 0.7, matched_sighting_id: 5, matched, gap_s: 122, detail: 'face 0.93' } });
    expect(whyLinked(s, now)).toBe(`Linked by face 0.93 to the sighting at ${clock(iso(T0), now)} on Gate, 2 min after it`);
    expect(scoresText(s.link)).toBe('face 0.93 · appearance 0.70');
  });

  it('names a match that moved to another identity, a deleted match, a manual move and a new identity', () => {
    const moved = sighting(9, 2, T0, { link: { kind: 'appearance', score: 0.81, face_score: null, appearance_score: 0.81, matched_sighting_id: 5, matched: { ...matched, identity_id: 4 }, gap_s: -3, detail: '' } });
    expect(whyLinked(moved, now)).toMatch(/^Linked by appearance 0\.81 to the sighting at .* on Gate, while it was still in view \(now in identity #4\)$/);
    const deleted = sighting(9, 2, T0, { link: { kind: 'face', score: 0.9, face_score: 0.9, appearance_score: null, matched_sighting_id: 5, matched: null, gap_s: 3, detail: '' } });
    expect(whyLinked(deleted, now)).toBe('Linked by face 0.90 to sighting #5 (since deleted)');
    const manual = sighting(9, 2, T0, { link: { kind: 'manual', score: null, face_score: null, appearance_score: null, matched_sighting_id: null, matched: null, gap_s: null, detail: '' } });
    expect(whyLinked(manual, now)).toBe('Moved here by an operator');
    expect(whyLinked(sighting(9, 2, T0), now)).toBe('Started this identity: no earlier sighting matched it');
    expect(gapText(0.2)).toBe('right after it');
  });

  it('compares "not the same" with the linked sighting, else the representative one', () => {
    const linked = sighting(9, 2, T0, { link: { kind: 'face', score: 0.9, face_score: 0.9, appearance_score: null, matched_sighting_id: 5, matched, gap_s: 3, detail: '' } });
    expect(notSamePartner(linked, 1)).toEqual({ id: 5, linked: true });
    expect(notSamePartner(sighting(9, 2, T0), 1)).toEqual({ id: 1, linked: false });
    expect(notSamePartner(sighting(9, 2, T0), 9)).toBeNull();
    expect(notSamePartner(sighting(9, 2, T0), null)).toBeNull();
  });
});

describe('sightings strip layout', () => {
  const list = [sighting(1, 2, T0), sighting(2, 1, T0 + 60_000), sighting(3, 3, T0 + 3600_000), sighting(4, 1, T0 + 7200_000)];

  it('has one lane per camera, by name', () => {
    expect(stripLanes(list)).toEqual([
      { cameraId: 3, name: 'Camera #3' },
      { cameraId: 1, name: 'Gate' },
      { cameraId: 2, name: 'Yard' },
    ]);
  });

  it('fits every sighting with padding, and at least the minimum span', () => {
    const v = fitView(list, 0.05);
    expect(v.start).toBeLessThan(T0);
    expect(v.end).toBeGreaterThan(T0 + 7208_000);
    const one = fitView([sighting(1, 1, T0)], 0, 120_000);
    expect(one.end - one.start).toBe(120_000);
    expect((one.start + one.end) / 2).toBe(T0 + 4000);
  });

  it('keeps short sightings clickable and hit-tests the nearest on a lane', () => {
    const lanes = stripLanes(list);
    const v = fitView(list, 0);
    const markers = layoutMarkers(list, lanes, v, 1000, 6);
    expect(markers).toHaveLength(4);
    for (const m of markers) expect(m.x1 - m.x0).toBeGreaterThanOrEqual(6);
    const gate = markers.filter((m) => m.lane === 1);
    expect(gate.map((m) => m.id).sort()).toEqual([2, 4]);
    const m4 = markers.find((m) => m.id === 4);
    expect(hitMarker(markers, 1, ((m4?.x0 ?? 0) + (m4?.x1 ?? 0)) / 2)?.id).toBe(4);
    expect(hitMarker(markers, 0, (m4?.x0 ?? 0) + 1)).toBeNull();
    expect(layoutMarkers(list, lanes, { start: T0 + 86_400_000, end: T0 + 2 * 86_400_000 }, 1000)).toEqual([]);
  });
});

describe('identities list store', () => {
  beforeEach(() => useIdentities.setState({ items: [item(1), item(2), item(3), item(4)], selected: new Set(), anchor: null }));

  it('selects single, toggles and extends a range in list order', () => {
    const st = useIdentities.getState();
    st.select(2, 'single');
    st.select(4, 'range');
    expect([...useIdentities.getState().selected].sort()).toEqual([2, 3, 4]);
    st.select(3, 'toggle');
    expect([...useIdentities.getState().selected].sort()).toEqual([2, 4]);
    st.clearSelection();
    expect(useIdentities.getState().selected.size).toBe(0);
    expect(rangeIds([item(1), item(2)], 9, 2)).toEqual([2]);
    expect(displayName(item(7))).toBe('Unknown #7');
  });
});
