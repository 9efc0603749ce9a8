// Maintenance (pure): unnamed identities that clearly match are merged; named ones, never-together marks and clashing times never are.
import { describe, expect, it } from 'vitest';
import type { AppearanceDescriptor } from '../../src-main/services/identities/identity-model';
import { DEFAULT_LINK_CONFIG, NeverTogether, TransitModel, type EvidenceLabels, type SightingRef } from '../../src-main/services/identities/linking';
import { DEFAULT_MAINTENANCE_CONFIG, planMerges, type MaintenanceIdentity } from '../../src-main/services/identities/maintenance';

const T0 = Date.UTC(2025, 2, 3, 9, 0, 0);
const LABELS: EvidenceLabels = { camera: (id) => ['', 'Gate', 'Lobby', 'Yard'][id] ?? `camera ${id}`, time: (ms) => new Date(ms).toISOString().slice(11, 19) };

/** Histograms scoring `x` against look(1) (see linking.unit.test.ts): all of x² in bin 0, the rest in bin 1. */
function scoring(x: number): AppearanceDescriptor {
  const h = (): Float32Array => {
    const v = new Float32Array(128);
    v[0] = x * x;
    v[1] = 1 - x * x;
    return v;
  };
  return { upper: h(), lower: h(), features: null };
}
/** Orthogonal looks for unrelated people. */
function other(bin: number): AppearanceDescriptor {
  const h = (): Float32Array => {
    const v = new Float32Array(128);
    v[bin] = 1;
    return v;
  };
  return { upper: h(), lower: h(), features: null };
}
const unit = (...v: number[]): Float32Array => {
  const n = Math.hypot(...v);
  return Float32Array.from(v.map((x) => x / n));
};

let nextSighting = 1;
const seen = (camera_id: number, startS: number, endS: number): SightingRef => ({ id: nextSighting++, camera_id, start_ms: T0 + startS * 1000, end_ms: T0 + endS * 1000 });

function ident(id: number, sightings: SightingRef[], app: AppearanceDescriptor | null, o: Partial<MaintenanceIdentity> = {}): MaintenanceIdentity {
  return {
    identity_id: id,
    is_named: false,
    object_class: 'person',
    person_id: null,
    face_exemplars: [],
    appearance_exemplars: app ? sightings.map((s) => ({ descriptor: app, sighting: s })) : [],
    sightings,
    ...o,
  };
}

const plan = (ids: MaintenanceIdentity[], never = new NeverTogether(), transit = new TransitModel()) => planMerges(ids, never, DEFAULT_MAINTENANCE_CONFIG, transit, LABELS);

describe('planMerges', () => {
  it('merges two unnamed identities that clearly look alike into the one with more sightings, and says why', () => {
    const a = ident(3, [seen(1, 0, 10)], scoring(1));
    const b = ident(8, [seen(2, 60, 70), seen(2, 100, 110)], scoring(0.95));
    const c = ident(9, [seen(3, 200, 210)], other(40));
    const plans = plan([a, b, c]);
    expect(plans).toHaveLength(1);
    expect(plans[0]).toMatchObject({ target_id: 8, source_ids: [3], kind: 'appearance' });
    expect(plans[0]!.score).toBeCloseTo(0.95, 6);
    expect(plans[0]!.detail).toBe('appearance 0.95 between the sighting at 09:00:00 on Gate (identity 3) and the sighting at 09:01:00 on Lobby (identity 8)');
  });

  it('is stricter than linking: a match linking would take is left alone', () => {
    const x = 0.85;
    expect(x).toBeGreaterThan(DEFAULT_LINK_CONFIG.appearance_threshold);
    expect(x).toBeLessThan(DEFAULT_MAINTENANCE_CONFIG.appearance_threshold);
    expect(plan([ident(1, [seen(1, 0, 10)], scoring(1)), ident(2, [seen(2, 60, 70)], scoring(x))])).toEqual([]);
  });

  it('never touches a named identity, however alike', () => {
    const named = ident(1, [seen(1, 0, 10)], scoring(1), { is_named: true });
    const twin = ident(2, [seen(2, 60, 70)], scoring(1));
    expect(plan([named, twin])).toEqual([]);
  });

  it('never merges across a never-together mark', () => {
    const s1 = seen(1, 0, 10);
    const s2 = seen(2, 60, 70);
    const ids = [ident(1, [s1], scoring(1)), ident(2, [s2], scoring(1))];
    expect(plan(ids)).toHaveLength(1);
    expect(plan(ids, new NeverTogether([[s2.id, s1.id]]))).toEqual([]);
  });

  it('never merges identities whose sightings overlap in time, on two cameras or on one', () => {
    expect(plan([ident(1, [seen(1, 0, 10)], scoring(1)), ident(2, [seen(2, 5, 15)], scoring(1))])).toEqual([]);
    expect(plan([ident(1, [seen(1, 0, 10)], scoring(1)), ident(2, [seen(1, 5, 15)], scoring(1))])).toEqual([]);
  });

  it('never merges across a transit faster than learned', () => {
    const transit = TransitModel.learn([60, 70, 80].map((gap_s) => ({ from_camera: 1, to_camera: 2, gap_s })));
    const ids = [ident(1, [seen(1, 0, 10)], scoring(1)), ident(2, [seen(2, 20, 30)], scoring(1))];
    expect(plan(ids, new NeverTogether(), transit)).toEqual([]);
    expect(plan(ids)).toHaveLength(1);
  });

  it('gathers fragments of one person into one merge, checking each join against the whole group', () => {
    // 1, 2 and 3 look the same and never clash: one person in three pieces.
    const frags = [ident(1, [seen(1, 0, 10)], scoring(1)), ident(2, [seen(2, 60, 70)], scoring(0.99)), ident(3, [seen(1, 200, 210), seen(3, 300, 310)], scoring(0.98))];
    expect(plan(frags)).toMatchObject([{ target_id: 3, source_ids: [1, 2], kind: 'appearance' }]);
    // 4 matches 5 and 6 best, but 5 and 6 were on two cameras at once: only the stronger join happens.
    const split = [ident(4, [seen(1, 0, 10)], scoring(1)), ident(5, [seen(2, 60, 70)], scoring(0.99)), ident(6, [seen(3, 300, 310)], scoring(0.9))];
    split[2]!.sightings = [...split[2]!.sightings, seen(3, 62, 68)];
    const p = plan(split);
    expect(p).toHaveLength(1);
    expect(p[0]).toMatchObject({ target_id: 4, source_ids: [5] });
  });

  it('leaves an identity alone when it matches two provably different people almost equally', () => {
    const a = ident(1, [seen(1, 0, 10)], scoring(1));
    const b = ident(2, [seen(2, 60, 70)], scoring(0.95));
    const c = ident(3, [seen(3, 62, 68)], scoring(0.94));
    expect(plan([a, b, c])).toEqual([]);
  });

  it('merges by face before clothes, and a face that says "someone else" blocks a clothes match', () => {
    const f = (c: number) => [{ embedding: unit(c, Math.sqrt(1 - c * c)), model: 'dlib', weight: 2, sighting: null }];
    const a = ident(1, [seen(1, 0, 10)], other(10), { face_exemplars: f(1) });
    const b = ident(2, [seen(2, 60, 70)], other(20), { face_exemplars: f(0.96) });
    expect(plan([a, b])).toMatchObject([{ target_id: 1, source_ids: [2], kind: 'face' }]);
    expect(plan([a, b])[0]!.detail).toBe('face 0.96 between an exemplar (identity 1) and an exemplar (identity 2)');
    const lookalike = ident(3, [seen(2, 60, 70)], scoring(1), { face_exemplars: f(0.5) });
    const x = ident(4, [seen(1, 0, 10)], scoring(1), { face_exemplars: f(1) });
    expect(plan([x, lookalike])).toEqual([]);
  });

  it('merges identities recognised as the same person, and never two recognised as different people', () => {
    expect(plan([ident(1, [seen(1, 0, 10)], other(10), { person_id: 7 }), ident(2, [seen(2, 60, 70)], other(20), { person_id: 7 })])).toMatchObject([
      { kind: 'face', score: 1, detail: 'identities 1 and 2 were both recognised as person 7' },
    ]);
    expect(plan([ident(1, [seen(1, 0, 10)], scoring(1), { person_id: 7 }), ident(2, [seen(2, 60, 70)], scoring(1), { person_id: 8 })])).toEqual([]);
  });

  it('keeps object classes apart and plans at most max_merges joins per pass', () => {
    expect(plan([ident(1, [seen(1, 0, 10)], scoring(1)), ident(2, [seen(2, 60, 70)], scoring(1), { object_class: 'car' })])).toEqual([]);
    const pairs = [0, 1, 2].flatMap((k) => [ident(10 + 2 * k, [seen(1, 1000 * k, 1000 * k + 10)], other(30 + k)), ident(11 + 2 * k, [seen(2, 1000 * k + 60, 1000 * k + 70)], other(30 + k))]);
    expect(plan(pairs)).toHaveLength(3);
    expect(planMerges(pairs, new NeverTogether(), { ...DEFAULT_MAINTENANCE_CONFIG, max_merges: 2 })).toHaveLength(2);
  });
});
