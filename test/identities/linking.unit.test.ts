// Linking (pure): face before appearance, the spatio-temporal gate, learned transit, never-together marks, thresholds and the evidence line.
import { describe, expect, it } from 'vitest';
import type { AppearanceDescriptor, SightingSummary } from '../../src-main/services/identities/identity-model';
import {
  DEFAULT_LINK_CONFIG,
  NeverTogether,
  TransitModel,
  appearanceSimilarity,
  bhattacharyyaCoefficient,
  confirmedTransits,
  decideLink,
  describeMatch,
  formatDuration,
  gate,
  transitBetween,
  type EvidenceLabels,
  type LinkCandidate,
  type SightingRef,
} from '../../src-main/services/identities/linking';

const T0 = Date.UTC(2025, 2, 3, 14, 2, 11);
const CAMS: Record<number, string> = { 1: 'Gate', 2: 'Cam B', 3: 'Lobby' };
const LABELS: EvidenceLabels = { camera: (id) => CAMS[id] ?? `camera ${id}`, time: (ms) => new Date(ms).toISOString().slice(11, 19) };

/**
 * Histograms whose similarity is known: all of `a` in bin 0 and the rest in bin 1, in both bands. Against look(1) the
 * mean Bhattacharyya coefficient is √a, so look(x²) scores x against look(1).
 */
function look(a: number): AppearanceDescriptor {
  const h = (): Float32Array => {
    const v = new Float32Array(128);
    v[0] = a;
    v[1] = 1 - a;
    return v;
  };
  return { upper: h(), lower: h(), features: null };
}
const scoring = (x: number): AppearanceDescriptor => look(x * x);
const unit = (...v: number[]): Float32Array => {
  const n = Math.hypot(...v);
  return Float32Array.from(v.map((x) => x / n));
};
/** A unit face whose cosine with unit(1, 0) is `c`. */
const faceAt = (c: number): Float32Array => unit(c, Math.sqrt(1 - c * c));

function sighting(o: Partial<SightingSummary> & { sighting_id?: number | null } = {}): SightingSummary & { sighting_id?: number | null } {
  return {
    camera_id: 2,
    track_id: 1,
    object_class: 'person',
    start_ms: T0 + 10_000,
    end_ms: T0 + 20_000,
    event_id: null,
    best_box: [0.4, 0.3, 0.1, 0.3],
    best_ms: T0 + 15_000,
    best_score: 0.9,
    crop_jpeg: null,
    appearance: look(1),
    face_sample_ids: [],
    face_embedding: null,
    face_model: null,
    face_weight: 0,
    person_id: null,
    color: null,
    ...o,
  };
}

const ref = (id: number, camera_id: number, startS: number, endS: number): SightingRef => ({ id, camera_id, start_ms: T0 + startS * 1000, end_ms: T0 + endS * 1000 });

/** An identity seen once, in `seen`, looking like `app`. */
function identity(id: number, seen: SightingRef, app: AppearanceDescriptor | null, o: Partial<LinkCandidate> = {}): LinkCandidate {
  return {
    identity_id: id,
    is_named: false,
    object_class: 'person',
    person_id: null,
    face_exemplars: [],
    appearance_exemplars: app ? [{ descriptor: app, sighting: seen }] : [],
    recent_sightings: [seen],
    ...o,
  };
}

const NONE = new NeverTogether();
const link = (s: SightingSummary & { sighting_id?: number | null }, cands: LinkCandidate[], o: { never?: NeverTogether; transit?: TransitModel } = {}) =>
  decideLink(s, cands, o.never ?? NONE, DEFAULT_LINK_CONFIG, o.transit ?? new TransitModel(), LABELS);

describe('similarity', () => {
  it('Bhattacharyya coefficient: 1 for the same histogram, 0 for disjoint ones; the score blends features when both sides have them', () => {
    const a = look(1);
    expect(bhattacharyyaCoefficient(a.upper, a.upper)).toBeCloseTo(1);
    expect(bhattacharyyaCoefficient(look(1).upper, look(0).upper)).toBe(0);
    expect(appearanceSimilarity(a, scoring(0.8), 0.5).score).toBeCloseTo(0.8, 6);
    const f = { ...a, features: unit(1, 0) };
    const g = { ...scoring(0.8), features: unit(0.6, 0.8) };
    expect(appearanceSimilarity(f, g, 0.5)).toMatchObject({ colours: expect.closeTo(0.8, 6), features: expect.closeTo(0.6, 6), score: expect.closeTo(0.7, 6) });
    expect(appearanceSimilarity(f, scoring(0.8), 0.5).features).toBeNull();
  });
});

describe('decideLink: appearance, thresholds and the evidence line', () => {
  it('links to the best-looking identity and says so the way an operator reads it', () => {
    const seen = ref(70, 1, -10, 6); // on Gate, ended 4 s before the new sighting started
    const e = link(sighting(), [identity(5, seen, scoring(0.87)), identity(6, ref(71, 3, -60, -50), scoring(0.62))]);
    expect(e).toMatchObject({ kind: 'appearance', identity_id: 5, matched_sighting_id: 70, gap_s: 4, face_score: null });
    expect(e.score).toBeCloseTo(0.87, 6);
    expect(e.appearance_score).toBeCloseTo(0.87, 6);
    expect(e.detail).toBe('appearance 0.87 to the sighting at 14:02:01 on Gate, 4 s later; next best 0.62');
  });

  it('starts a new identity below the threshold, saying how close the best came', () => {
    const e = link(sighting(), [identity(5, ref(70, 1, -100, -40), scoring(0.7))]);
    expect(e).toMatchObject({ kind: 'new', identity_id: null, matched_sighting_id: null, gap_s: null });
    expect(e.appearance_score).toBeCloseTo(0.7, 6);
    expect(e.detail).toBe('new: best appearance 0.70 (identity 5, the sighting at 14:00:31 on Gate, 50 s later) is below 0.80');
  });

  it('never rounds a miss up to the threshold', () => {
    expect(link(sighting(), [identity(5, ref(70, 1, -100, -40), scoring(0.7996))]).detail).toMatch(/^new: best appearance 0\.79 \(identity 5, .*\) is below 0\.80$/);
  });

  it('explains a new identity with nothing to compare', () => {
    expect(link(sighting(), []).detail).toBe('new: no earlier person to compare with');
    expect(link(sighting({ appearance: null }), [identity(5, ref(70, 1, -100, -40), scoring(0.9))]).detail).toBe('new: no face or appearance to compare');
    expect(link(sighting(), [identity(5, ref(70, 1, -100, -40), null)]).detail).toBe('new: nothing comparable');
    const busy = [identity(5, ref(70, 2, 12, 18), scoring(0.3)), identity(6, ref(71, 2, 0, 30), null)];
    expect(link(sighting(), busy).detail).toBe('new: every earlier person is ruled out (identity 5: it was tracked separately on Cam B at the same time (the sighting at 14:02:23); 1 more)');
  });

  it('never compares another object class', () => {
    const car = identity(5, ref(70, 1, -100, -40), scoring(0.99), { object_class: 'car' });
    expect(link(sighting(), [car]).kind).toBe('new');
  });

  it('refuses to choose between two near-equal matches who are provably different people, but not between two fragments of one', () => {
    // Identities 5 and 6 were both on camera 1 at the same time: two people.
    const apart = [identity(5, ref(70, 1, -100, -40), scoring(0.9)), identity(6, ref(71, 1, -90, -50), scoring(0.89))];
    const e = link(sighting(), apart);
    expect(e.kind).toBe('new');
    expect(e.detail).toBe('new: appearance 0.90 to identity 5 and 0.89 to identity 6, who is someone else, are too close to call');
    // A clear winner is fine.
    const clear = [identity(5, ref(70, 1, -100, -40), scoring(0.95)), identity(6, ref(71, 1, -90, -50), scoring(0.85))];
    expect(link(sighting(), clear)).toMatchObject({ kind: 'appearance', identity_id: 5 });
    // Seen apart in time, 5 and 6 may be one person split in two: take the better one.
    const fragments = [identity(5, ref(70, 1, -100, -90), scoring(0.9)), identity(6, ref(71, 1, -60, -50), scoring(0.89))];
    expect(link(sighting(), fragments)).toMatchObject({ kind: 'appearance', identity_id: 5 });
  });

  it('ignores appearance exemplars older than appearance_max_age_s (clothes change)', () => {
    const old = ref(70, 1, -13 * 3600, -13 * 3600 + 60);
    expect(link(sighting(), [identity(5, old, scoring(0.99))]).kind).toBe('new');
  });

  it('does not depend on the order of the candidates', () => {
    const a = identity(5, ref(70, 1, -100, -90), scoring(0.9));
    const b = identity(6, ref(71, 1, -60, -50), scoring(0.9));
    expect(link(sighting(), [a, b]).identity_id).toBe(5);
    expect(link(sighting(), [b, a]).identity_id).toBe(5);
  });
});

describe('decideLink: faces before clothes', () => {
  const face = (c: number, weight = 2) => ({ face_embedding: faceAt(c), face_model: 'dlib', face_weight: weight });
  const withFace = (id: number, seen: SightingRef, app: AppearanceDescriptor, weight: number | null = 2): LinkCandidate =>
    identity(id, seen, app, { face_exemplars: [{ embedding: unit(1, 0), model: 'dlib', weight, sighting: seen }] });

  it('a face match beats a better-looking stranger', () => {
    const byFace = withFace(5, ref(70, 1, -60, -50), scoring(0.5));
    const byClothes = identity(6, ref(71, 3, -40, -30), scoring(0.99));
    const e = link(sighting(face(0.95)), [byClothes, byFace]);
    expect(e).toMatchObject({ kind: 'face', identity_id: 5, matched_sighting_id: 70, gap_s: 60 });
    expect(e.score).toBeCloseTo(0.95, 6);
    expect(e.detail).toBe('face 0.95 to the sighting at 14:01:11 on Gate, 1 min later');
  });

  it('a face that says "someone else" vetoes an appearance link', () => {
    const lookalike = withFace(5, ref(70, 1, -60, -50), scoring(0.95));
    const e = link(sighting(face(0.5)), [lookalike]);
    expect(e.kind).toBe('new');
    expect(e.detail).toBe("new: identity 5 looks alike (appearance 0.95) but its face 0.50 is someone else's");
    // An unsure face (between the veto and the threshold) leaves it to the clothes.
    expect(link(sighting(face(0.85)), [lookalike])).toMatchObject({ kind: 'appearance', identity_id: 5 });
  });

  it('a face resting on too little evidence neither links nor vetoes (one blurred 30 px face)', () => {
    const other = withFace(5, ref(70, 1, -60, -50), scoring(0.5));
    expect(link(sighting(face(0.97, 0.5)), [other]).kind).toBe('new');
    expect(link(sighting(face(0.97)), [withFace(5, ref(70, 1, -60, -50), scoring(0.5), 0.4)]).kind).toBe('new');
    expect(link(sighting(face(0.3, 0.5)), [withFace(6, ref(71, 1, -60, -50), scoring(0.95))])).toMatchObject({ kind: 'appearance', identity_id: 6 });
    // An enrolled face carries no weight field: it counts.
    expect(link(sighting(face(0.97)), [withFace(5, ref(70, 1, -60, -50), scoring(0.5), null)])).toMatchObject({ kind: 'face', identity_id: 5 });
  });

  it('never compares faces of two different embedders', () => {
    const arc = identity(5, ref(70, 1, -60, -50), scoring(0.5), { face_exemplars: [{ embedding: unit(1, 0), model: 'arcface', weight: 2, sighting: null }] });
    expect(link(sighting(face(0.99)), [arc]).kind).toBe('new');
  });

  it('joins the identity of the person face recognition named, before any face or appearance score', () => {
    const named = identity(5, ref(70, 1, -600, -590), null, { person_id: 12, is_named: true });
    const lookalike = identity(6, ref(71, 1, -60, -50), scoring(0.99));
    const e = link(sighting({ person_id: 12 }), [lookalike, named]);
    expect(e).toMatchObject({ kind: 'face', identity_id: 5, matched_sighting_id: 70, score: null });
    expect(e.detail).toBe('recognised as person 12, the person of this identity; last seen in the sighting at 13:52:11 on Gate, 10 min later');
  });

  it('never joins an identity of another recognised person', () => {
    const other = identity(5, ref(70, 1, -60, -50), scoring(0.99), { person_id: 7 });
    const e = link(sighting({ person_id: 12 }), [other]);
    expect(e.kind).toBe('new');
    expect(e.detail).toBe('new: identity 5 (appearance 0.99) is ruled out: face recognition named this sighting person 12, the identity person 7');
  });
});

describe('decideLink: the spatio-temporal gate', () => {
  it('refuses an identity that was on another camera at an overlapping time', () => {
    const e = link(sighting(), [identity(5, ref(70, 1, 15, 30), scoring(0.99))]);
    expect(e.kind).toBe('new');
    expect(e.detail).toBe('new: identity 5 (appearance 0.99) is ruled out: it was on Gate at the same time (the sighting at 14:02:26)');
  });

  it('refuses an identity already tracked on the same camera at the same time (two tracks, two people)', () => {
    const e = link(sighting(), [identity(5, ref(70, 2, 5, 12), scoring(0.99))]);
    expect(e.kind).toBe('new');
    expect(e.detail).toContain('it was tracked separately on Cam B at the same time');
    // Back to back is not overlapping: a track broken in two is one person.
    expect(link(sighting(), [identity(5, ref(70, 2, 0, 10), scoring(0.99))])).toMatchObject({ kind: 'appearance', identity_id: 5, gap_s: 0 });
  });

  it('refuses a transit faster than the learned minimum for that pair of cameras, in either direction', () => {
    const transit = TransitModel.learn([30, 40, 50].map((gap_s) => ({ from_camera: 2, to_camera: 1, gap_s })));
    expect(transit.minSeconds(1, 2)).toBe(15);
    const quick = identity(5, ref(70, 1, -20, 0), scoring(0.99)); // 10 s before the new sighting
    const e = link(sighting(), [quick], { transit });
    expect(e.kind).toBe('new');
    expect(e.detail).toBe('new: identity 5 (appearance 0.99) is ruled out: only 10 s from the sighting at 14:01:51 on Gate, faster than the shortest transit between the two cameras (15 s)');
    const slow = identity(5, ref(70, 1, -20, -10), scoring(0.99)); // 20 s
    expect(link(sighting(), [slow], { transit })).toMatchObject({ kind: 'appearance', identity_id: 5, gap_s: 20 });
    // A third camera has learned nothing: only overlap is refused.
    expect(link(sighting(), [identity(5, ref(70, 3, -1, 9), scoring(0.99))], { transit })).toMatchObject({ kind: 'appearance' });
  });

  it('gate() reports why, and lets the sighting being re-linked past its own record', () => {
    const c = identity(5, ref(70, 2, 10, 20), scoring(0.99));
    expect(gate(sighting(), c, NONE, new TransitModel())).toMatchObject({ ok: false, reason: 'same-time-same-camera' });
    expect(gate(sighting({ sighting_id: 70 }), c, NONE, new TransitModel())).toEqual({ ok: true });
  });
});

describe('decideLink: never together', () => {
  it('a sighting marked "not the same person" as one of an identity’s sightings never joins it again', () => {
    const never = new NeverTogether([[70, 99]]);
    const c = identity(5, ref(70, 1, -100, -40), scoring(0.99));
    const e = link(sighting({ sighting_id: 99 }), [c], { never });
    expect(e.kind).toBe('new');
    expect(e.detail).toBe('new: identity 5 (appearance 0.99) is ruled out: marked as not the same person');
    // Marks on older sightings than recent_sightings count when the candidate lists them.
    const older = identity(5, ref(71, 1, -100, -40), scoring(0.99), { sighting_ids: [70, 71] });
    expect(link(sighting({ sighting_id: 99 }), [older], { never }).kind).toBe('new');
    // Another sighting is unaffected.
    expect(link(sighting({ sighting_id: 98 }), [c], { never }).kind).toBe('appearance');
  });

  it('NeverTogether: symmetric pairs, group checks and a count', () => {
    const n = new NeverTogether([
      [1, 2],
      [2, 1],
      [3, 4],
      [5, 5],
    ]);
    expect(n.apart(2, 1)).toBe(true);
    expect(n.apart(1, 3)).toBe(false);
    expect(n.anyApart([1, 9], [4, 2])).toBe(true);
    expect(n.anyApart([1, 9], [3])).toBe(false);
    expect(n.size).toBe(2);
  });
});

describe('TransitModel', () => {
  it('uses the default until a camera pair has enough confirmed transits, then half the fastest; typical is the median', () => {
    const m = new TransitModel({ default_min_s: 5, min_samples: 3, slack: 0.5, max_samples: 4 });
    expect(m.stats(1, 2)).toEqual({ samples: 0, min_s: 5, typical_s: null, learned: false });
    m.observe({ from_camera: 1, to_camera: 2, gap_s: 40 });
    m.observe({ from_camera: 2, to_camera: 1, gap_s: 20 });
    expect(m.stats(2, 1)).toEqual({ samples: 2, min_s: 5, typical_s: 30, learned: false });
    m.observe({ from_camera: 1, to_camera: 2, gap_s: 60 });
    expect(m.stats(1, 2)).toEqual({ samples: 3, min_s: 10, typical_s: 40, learned: true });
    // Only the newest max_samples are kept: the fastest (20 s, the second seen) goes after three more.
    for (const gap_s of [50, 45, 55]) m.observe({ from_camera: 1, to_camera: 2, gap_s });
    expect(m.stats(1, 2)).toMatchObject({ samples: 4, min_s: 22.5 });
    // Other pairs, the same camera, and nonsense are unaffected or ignored.
    expect(m.minSeconds(1, 3)).toBe(5);
    expect(m.minSeconds(2, 2)).toBe(0);
    m.observe({ from_camera: 1, to_camera: 3, gap_s: -4 });
    m.observe({ from_camera: 3, to_camera: 3, gap_s: 4 });
    m.observe({ from_camera: 1, to_camera: 3, gap_s: Number.NaN });
    expect(m.stats(1, 3).samples).toBe(0);
  });

  it('transitBetween: the gap between two sightings on two cameras, whichever came first', () => {
    expect(transitBetween(ref(1, 1, 0, 10), ref(2, 2, 25, 30))).toEqual({ from_camera: 1, to_camera: 2, gap_s: 15 });
    expect(transitBetween(ref(2, 2, 25, 30), ref(1, 1, 0, 10))).toEqual({ from_camera: 1, to_camera: 2, gap_s: 15 });
    expect(transitBetween(ref(1, 1, 0, 10), ref(2, 1, 25, 30))).toBeNull();
    expect(transitBetween(ref(1, 1, 0, 10), ref(2, 2, 5, 30))).toBeNull();
  });

  it('learns from face and manual links only, never from appearance links', () => {
    const links = [
      { kind: 'face' as const, sighting: ref(2, 2, 40, 50), matched: ref(1, 1, 0, 10) },
      { kind: 'manual' as const, sighting: ref(4, 1, 100, 110), matched: ref(3, 2, 40, 70) },
      { kind: 'appearance' as const, sighting: ref(6, 2, 12, 20), matched: ref(5, 1, 0, 10) },
      { kind: 'new' as const, sighting: ref(7, 2, 12, 20), matched: null },
      { kind: 'face' as const, sighting: ref(9, 1, 12, 20), matched: ref(8, 1, 0, 10) },
    ];
    expect(confirmedTransits(links)).toEqual([
      { from_camera: 1, to_camera: 2, gap_s: 30 },
      { from_camera: 2, to_camera: 1, gap_s: 30 },
    ]);
    expect(TransitModel.learn(confirmedTransits(links)).stats(1, 2)).toMatchObject({ samples: 2, typical_s: 30, learned: false });
  });
});

describe('evidence wording', () => {
  it('formats durations and relative times', () => {
    expect([4, 59.6, 60, 125, 3600, 3725, 90000].map(formatDuration)).toEqual(['4 s', '1 min', '1 min', '2 min 5 s', '1 h 0 min', '1 h 2 min', '1 d 1 h']);
    const s = { start_ms: T0 + 10_000, end_ms: T0 + 20_000 };
    expect(describeMatch(s, ref(1, 2, -10, 6), LABELS)).toBe('the sighting at 14:02:01 on Cam B, 4 s later');
    expect(describeMatch(s, ref(1, 2, 30, 40), LABELS)).toBe('the sighting at 14:02:41 on Cam B, 10 s earlier');
    expect(describeMatch(s, ref(1, 2, 15, 40), LABELS)).toBe('the sighting at 14:02:26 on Cam B, at the same time');
    expect(describeMatch(s, null, LABELS)).toBe('an earlier sighting');
  });
});
