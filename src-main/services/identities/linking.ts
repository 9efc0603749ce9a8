// Which identity a finished sighting joins (pure): face first, then clothing appearance, behind a spatio-temporal gate,
// the never-together marks and learned camera-to-camera transit times; every decision carries a line an operator reads.
import type { AppearanceDescriptor, LinkEvidence, LinkKind, SightingSummary } from './identity-model';

/** A sighting as the gate and the evidence see it. */
export interface SightingRef {
  id: number;
  camera_id: number;
  start_ms: number;
  end_ms: number;
}

/** A face embedding kept for an identity (a sighting's mean face, or an enrolled face). */
export interface LinkFaceExemplar {
  /** L2-normalised. */
  embedding: Float32Array;
  /** The embedder that made it; embeddings of different models are never compared. Null: unknown, compared by length. */
  model: string | null;
  /** The face evidence behind it (SightingSummary.face_weight of its sighting); absent for an enrolled face (enough). */
  weight?: number | null;
  /** The sighting it came from, when it came from one (the evidence names it). */
  sighting: SightingRef | null;
}

/** An appearance kept for an identity: one sighting's averaged histograms (and features). */
export interface LinkAppearanceExemplar {
  descriptor: AppearanceDescriptor;
  sighting: SightingRef | null;
}

/** An identity a sighting may join, as linking sees it; storage builds these (the nearest ones, not all). */
export interface LinkCandidate {
  identity_id: number;
  /** Linking treats a named identity like any other (it gathers sightings); only maintenance leaves it alone. */
  is_named: boolean;
  object_class: string;
  /** The enrolled person face recognition tied it to, if any. */
  person_id: number | null;
  face_exemplars: readonly LinkFaceExemplar[];
  appearance_exemplars: readonly LinkAppearanceExemplar[];
  /**
   * Its sightings that may clash in time with the new one, any order: at least every one ending after the new one's
   * start minus the longest learned transit minimum (in practice, its last few minutes). Older ones change nothing.
   */
  recent_sightings: readonly SightingRef[];
  /** Every sighting id of the identity, when never-together marks may name older ones than recent_sightings. */
  sighting_ids?: readonly number[];
}

/** Thresholds and weights of linking (settings with these defaults). */
export interface LinkConfig {
  /** Least cosine between the track's mean face and an identity's face exemplar for a face link (dlib scale, the shipped embedder). */
  face_threshold: number;
  /** Below this face cosine two faces are different people: appearance may not link them (dlib scale). */
  face_veto: number;
  /**
   * Face evidence each side needs (the sum of its faces' qualities) before its face may link or veto: one blurred
   * 30 px face matches strangers at 0.93 on vtest.avi.
   */
  face_min_weight: number;
  /** Least appearance similarity (mean Bhattacharyya coefficient of the upper and lower histograms, fused with features) for a link. */
  appearance_threshold: number;
  /**
   * The best identity must beat, by this much, any rival that is provably someone else (seen at the same time, or
   * marked apart). A rival that may be a fragment of the same person does not count against it.
   */
  appearance_margin: number;
  /** Weight of the appearance-model features cosine when both sides have features (0–1; the rest is the histograms). */
  features_weight: number;
  /** Appearance exemplars older than this (seconds before the sighting) are not compared: clothes change. */
  appearance_max_age_s: number;
}

/**
 * Defaults. Appearance was read off the hand-labelled sightings of six vtest.avi walkers on two cameras, the second
 * colour-shifted (test/identities/reid-quality.test.ts prints the distributions): 0.80 is the lowest threshold that
 * admits at most 1 % of the different-walker sighting pairs (2 of 215; 0.78 admits 2.3 %), and 82 % of the same-walker
 * pairs clear it (31 of 38). The margin is a judgement, not a measurement. Faces are on the dlib scale of the shipped
 * embedder: 0.91 is its manifest's threshold; below 0.80 (Euclidean 0.63, where MODELS.md measures 1 % of different
 * people closer) a face vetoes. Another embedder needs its own face_threshold and face_veto.
 */
export const DEFAULT_LINK_CONFIG: LinkConfig = {
  face_threshold: 0.91,
  face_veto: 0.8,
  face_min_weight: 1,
  appearance_threshold: 0.8,
  appearance_margin: 0.03,
  features_weight: 0.5,
  appearance_max_age_s: 12 * 3600,
};

/** How evidence names cameras and times; the service passes the cameras' names and the local time of day. */
export interface EvidenceLabels {
  camera(id: number): string;
  time(ms: number): string;
}

export const DEFAULT_LABELS: EvidenceLabels = {
  camera: (id) => `camera ${id}`,
  time: (ms) => new Date(ms).toISOString().slice(11, 19),
};


export const dot = (a: Float32Array, b: Float32Array): number => {
  let s = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) s += (a[i] as number) * (b[i] as number);
  return s;
};

/** Σ√(p·q) of two histograms that each sum to 1: 1 identical, 0 disjoint. */
export function bhattacharyyaCoefficient(p: Float32Array, q: Float32Array): number {
  let bc = 0;
  const n = Math.min(p.length, q.length);
  for (let i = 0; i < n; i++) bc += Math.sqrt(Math.max(0, (p[i] as number) * (q[i] as number)));
  return Math.min(1, bc);
}

export interface AppearanceScore {
  /** What linking compares with its threshold. */
  score: number;
  /** Mean Bhattacharyya coefficient of the upper and lower histograms. */
  colours: number;
  /** Cosine of the features; null when either side has none. */
  features: number | null;
}

/** Clothing similarity: the histograms' mean coefficient, blended with the features cosine when both sides have features. */
export function appearanceSimilarity(a: AppearanceDescriptor, b: AppearanceDescriptor, featuresWeight: number): AppearanceScore {
  const colours = (bhattacharyyaCoefficient(a.upper, b.upper) + bhattacharyyaCoefficient(a.lower, b.lower)) / 2;
  const features = a.features && b.features && a.features.length === b.features.length ? dot(a.features, b.features) : null;
  const w = Math.min(1, Math.max(0, featuresWeight));
  return { score: features === null ? colours : (1 - w) * colours + w * features, colours, features };
}

const comparableFace = (model: string | null, emb: Float32Array, e: LinkFaceExemplar): boolean =>
  e.embedding.length === emb.length && (model === null || e.model === null || e.model === model);

/** Enough face evidence behind a face (unknown counts as enough: an enrolled face, or a caller that does not weigh). */
export const enoughFace = (weight: number | null | undefined, minWeight: number): boolean => weight == null || weight >= minWeight;

/** The best face cosine of `emb` to an identity's exemplars with enough evidence, and the exemplar; null when none is comparable. */
export function bestFace(emb: Float32Array, model: string | null, exemplars: readonly LinkFaceExemplar[], minWeight = 0): { score: number; exemplar: LinkFaceExemplar } | null {
  let best: { score: number; exemplar: LinkFaceExemplar } | null = null;
  for (const e of exemplars) {
    if (!comparableFace(model, emb, e) || !enoughFace(e.weight, minWeight)) continue;
    const s = dot(emb, e.embedding);
    if (!best || s > best.score) best = { score: s, exemplar: e };
  }
  return best;
}

/** The best appearance match of `a` among exemplars that ended at most appearance_max_age_s before `atMs`; null when none. */
export function bestAppearance(
  a: AppearanceDescriptor,
  exemplars: readonly LinkAppearanceExemplar[],
  atMs: number,
  cfg: Pick<LinkConfig, 'features_weight' | 'appearance_max_age_s'>,
): { sim: AppearanceScore; exemplar: LinkAppearanceExemplar } | null {
  let best: { sim: AppearanceScore; exemplar: LinkAppearanceExemplar } | null = null;
  for (const e of exemplars) {
    if (e.sighting && atMs - e.sighting.end_ms > cfg.appearance_max_age_s * 1000) continue;
    const sim = appearanceSimilarity(a, e.descriptor, cfg.features_weight);
    if (!best || sim.score > best.sim.score) best = { sim, exemplar: e };
  }
  return best;
}


/** "Not the same person" marks between sightings (a split, or an operator's mark), as sighting-id pairs. */
export class NeverTogether {
  private readonly by = new Map<number, Set<number>>();

  constructor(pairs: Iterable<readonly [number, number]> = []) {
    for (const [a, b] of pairs) this.add(a, b);
  }

  add(a: number, b: number): void {
    if (a === b) return;
    for (const [x, y] of [
      [a, b],
      [b, a],
    ] as const) {
      const s = this.by.get(x) ?? new Set<number>();
      s.add(y);
      this.by.set(x, s);
    }
  }

  apart(a: number, b: number): boolean {
    return this.by.get(a)?.has(b) ?? false;
  }

  /** Some sighting of `as` is marked apart from some sighting of `bs`. */
  anyApart(as: Iterable<number>, bs: Iterable<number>): boolean {
    const other = new Set(bs);
    for (const a of as) {
      const s = this.by.get(a);
      if (s) for (const b of s) if (other.has(b)) return true;
    }
    return false;
  }

  get size(): number {
    let n = 0;
    for (const s of this.by.values()) n += s.size;
    return n / 2;
  }
}

/** Every sighting id a candidate is known to hold. */
export function candidateSightingIds(c: Pick<LinkCandidate, 'recent_sightings' | 'face_exemplars' | 'appearance_exemplars' | 'sighting_ids'>): Set<number> {
  const ids = new Set<number>(c.sighting_ids ?? []);
  for (const s of c.recent_sightings) ids.add(s.id);
  for (const e of c.face_exemplars) if (e.sighting) ids.add(e.sighting.id);
  for (const e of c.appearance_exemplars) if (e.sighting) ids.add(e.sighting.id);
  return ids;
}


/** The gap between two sightings of one person on two cameras (a confirmed link: face or manual). */
export interface ConfirmedTransit {
  from_camera: number;
  to_camera: number;
  gap_s: number;
}

export interface TransitOptions {
  /** Least seconds between two cameras until enough links are confirmed (0: only being on both at once is refused). */
  default_min_s: number;
  /** Confirmed transits a camera pair needs before its learned minimum replaces the default. */
  min_samples: number;
  /** The learned minimum is this share of the fastest confirmed transit (someone may hurry more than anyone did). */
  slack: number;
  /** Confirmed transits kept per camera pair (the newest). */
  max_samples: number;
}

export const DEFAULT_TRANSIT: TransitOptions = { default_min_s: 0, min_samples: 3, slack: 0.5, max_samples: 50 };

export interface TransitStats {
  samples: number;
  /** Transits shorter than this are refused. */
  min_s: number;
  /** Median confirmed transit; null before any. */
  typical_s: number | null;
  /** min_s comes from confirmed links, not the default. */
  learned: boolean;
}

/** The transit between two sightings on different cameras (the later one's start minus the earlier one's end); null on one camera or overlapping. */
export function transitBetween(a: SightingRef, b: SightingRef): ConfirmedTransit | null {
  if (a.camera_id === b.camera_id) return null;
  const [first, second] = a.end_ms <= b.start_ms ? [a, b] : [b, a];
  const gap = (second.start_ms - first.end_ms) / 1000;
  return gap >= 0 ? { from_camera: first.camera_id, to_camera: second.camera_id, gap_s: gap } : null;
}

/** A stored link: a sighting and the sighting its evidence matched. */
export interface LinkedPair {
  kind: LinkKind;
  sighting: SightingRef;
  matched: SightingRef | null;
}

/** Transits of the confirmed links only (face or manual): appearance links are what the gate judges, not what teaches it. */
export function confirmedTransits(links: Iterable<LinkedPair>): ConfirmedTransit[] {
  const out: ConfirmedTransit[] = [];
  for (const l of links) {
    if ((l.kind !== 'face' && l.kind !== 'manual') || !l.matched) continue;
    const t = transitBetween(l.sighting, l.matched);
    if (t) out.push(t);
  }
  return out;
}

const pairKey = (a: number, b: number): string => (a < b ? `${a}:${b}` : `${b}:${a}`);

/**
 * Seconds it takes to walk between two cameras, learned per camera pair (either direction) from confirmed links. Until
 * a pair has min_samples of them its minimum is the default; then it is slack × the fastest kept, and the typical
 * transit their median.
 */
export class TransitModel {
  private readonly gaps = new Map<string, number[]>();

  constructor(private readonly opts: TransitOptions = DEFAULT_TRANSIT) {}

  static learn(links: Iterable<ConfirmedTransit>, opts: TransitOptions = DEFAULT_TRANSIT): TransitModel {
    const m = new TransitModel(opts);
    for (const l of links) m.observe(l);
    return m;
  }

  /** A confirmed transit; same-camera, negative or non-finite gaps are ignored. */
  observe(l: ConfirmedTransit): void {
    if (l.from_camera === l.to_camera || !Number.isFinite(l.gap_s) || l.gap_s < 0) return;
    const k = pairKey(l.from_camera, l.to_camera);
    const g = this.gaps.get(k) ?? [];
    g.push(l.gap_s);
    if (g.length > this.opts.max_samples) g.splice(0, g.length - this.opts.max_samples);
    this.gaps.set(k, g);
  }

  stats(a: number, b: number): TransitStats {
    if (a === b) return { samples: 0, min_s: 0, typical_s: null, learned: false };
    const g = this.gaps.get(pairKey(a, b)) ?? [];
    const sorted = [...g].sort((x, y) => x - y);
    const m = sorted.length >> 1;
    const typical = sorted.length === 0 ? null : sorted.length % 2 ? (sorted[m] as number) : ((sorted[m - 1] as number) + (sorted[m] as number)) / 2;
    const learned = sorted.length >= this.opts.min_samples;
    return { samples: sorted.length, min_s: learned ? this.opts.slack * (sorted[0] as number) : this.opts.default_min_s, typical_s: typical, learned };
  }

  minSeconds(a: number, b: number): number {
    return this.stats(a, b).min_s;
  }
}


export type GateVerdict = { ok: true } | { ok: false; reason: 'same-time-same-camera' | 'same-time' | 'transit' | 'never' | 'person'; sighting: SightingRef | null; detail: string };

const overlaps = (a: { start_ms: number; end_ms: number }, b: { start_ms: number; end_ms: number }): boolean => a.start_ms < b.end_ms && b.start_ms < a.end_ms;

/** Seconds from the end of the earlier of two spans to the start of the later (negative when they overlap). */
export const gapSeconds = (a: { start_ms: number; end_ms: number }, b: { start_ms: number; end_ms: number }): number =>
  (Math.max(a.start_ms, b.start_ms) - Math.min(a.end_ms, b.end_ms)) / 1000;

/** "4 s", "2 min 5 s", "3 h 10 min", "2 d 4 h". */
export function formatDuration(seconds: number): string {
  const s = Math.round(Math.abs(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return s % 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s / 60} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

/** "the sighting at 14:02:11 on Gate, 4 s later" from the point of view of `s` (the sighting being linked). */
export function describeMatch(s: { start_ms: number; end_ms: number }, m: SightingRef | null, labels: EvidenceLabels): string {
  if (!m) return 'an earlier sighting';
  const where = `the sighting at ${labels.time(m.start_ms)} on ${labels.camera(m.camera_id)}`;
  if (overlaps(s, m)) return `${where}, at the same time`;
  const later = s.start_ms >= m.end_ms;
  return `${where}, ${formatDuration(later ? (s.start_ms - m.end_ms) / 1000 : (m.start_ms - s.end_ms) / 1000)} ${later ? 'later' : 'earlier'}`;
}

/**
 * Whether sighting `s` may belong to identity `c` at all: one person is never on two cameras at overlapping times; on
 * one camera two overlapping sightings are two people (one track each); between cameras a gap shorter than the learned
 * transit is refused; a never-together mark or two different recognised people end it too.
 */
export function gate(
  s: Pick<SightingSummary, 'camera_id' | 'start_ms' | 'end_ms' | 'person_id'> & { sighting_id?: number | null },
  c: LinkCandidate,
  never: NeverTogether,
  transit: TransitModel,
  labels: EvidenceLabels = DEFAULT_LABELS,
): GateVerdict {
  if (s.person_id !== null && c.person_id !== null && s.person_id !== c.person_id) {
    return { ok: false, reason: 'person', sighting: null, detail: `face recognition named this sighting person ${s.person_id}, the identity person ${c.person_id}` };
  }
  if (s.sighting_id != null && never.anyApart([s.sighting_id], candidateSightingIds(c))) {
    return { ok: false, reason: 'never', sighting: null, detail: 'marked as not the same person' };
  }
  for (const r of c.recent_sightings) {
    if (r.id === s.sighting_id) continue;
    if (overlaps(s, r)) {
      const same = r.camera_id === s.camera_id;
      return {
        ok: false,
        reason: same ? 'same-time-same-camera' : 'same-time',
        sighting: r,
        detail: same
          ? `it was tracked separately on ${labels.camera(r.camera_id)} at the same time (the sighting at ${labels.time(r.start_ms)})`
          : `it was on ${labels.camera(r.camera_id)} at the same time (the sighting at ${labels.time(r.start_ms)})`,
      };
    }
    if (r.camera_id !== s.camera_id) {
      const gap = gapSeconds(s, r);
      const min = transit.minSeconds(s.camera_id, r.camera_id);
      if (gap < min) {
        return {
          ok: false,
          reason: 'transit',
          sighting: r,
          detail: `only ${formatDuration(gap)} from the sighting at ${labels.time(r.start_ms)} on ${labels.camera(r.camera_id)}, faster than the shortest transit between the two cameras (${formatDuration(min)})`,
        };
      }
    }
  }
  return { ok: true };
}

/** Two sightings cannot be one person: they overlap in time (on one camera or two), or lie closer than the transit between their cameras. */
export function sightingsClash(a: SightingRef, b: SightingRef, transit: TransitModel): boolean {
  if (overlaps(a, b)) return true;
  return a.camera_id !== b.camera_id && gapSeconds(a, b) < transit.minSeconds(a.camera_id, b.camera_id);
}

/** Two identities are provably different people: seen at overlapping times, marked apart, or recognised as different people. */
export function provablyApart(a: LinkCandidate, b: LinkCandidate, never: NeverTogether, transit: TransitModel): boolean {
  if (a.person_id !== null && b.person_id !== null && a.person_id !== b.person_id) return true;
  for (const x of a.recent_sightings) for (const y of b.recent_sightings) if (x.id !== y.id && sightingsClash(x, y, transit)) return true;
  return never.size > 0 && never.anyApart(candidateSightingIds(a), candidateSightingIds(b));
}


interface Scored {
  c: LinkCandidate;
  face: { score: number; exemplar: LinkFaceExemplar } | null;
  app: { sim: AppearanceScore; exemplar: LinkAppearanceExemplar } | null;
}

const f2 = (x: number): string => x.toFixed(2);
/** A score shown next to the threshold it missed: cut, not rounded, so 0.797 never reads "0.80 is below 0.80". */
const cut2 = (x: number): string => (Math.floor(x * 100 + 1e-9) / 100).toFixed(2);

function evidence(kind: LinkEvidence['kind'], s: SightingSummary, x: Scored | null, score: number | null, matched: SightingRef | null, detail: string): LinkEvidence {
  return {
    kind,
    identity_id: kind === 'new' || !x ? null : x.c.identity_id,
    score,
    face_score: x?.face?.score ?? null,
    appearance_score: x?.app?.sim.score ?? null,
    matched_sighting_id: kind === 'new' ? null : (matched?.id ?? null),
    gap_s: kind === 'new' || !matched ? null : (s.start_ms - matched.end_ms) / 1000,
    detail,
  };
}

/** The candidate's sighting nearest in time to `s` (what a person link is shown against when no face exemplar names one). */
function nearest(s: SightingSummary, c: LinkCandidate): SightingRef | null {
  let best: SightingRef | null = null;
  for (const r of c.recent_sightings) if (!best || Math.abs(gapSeconds(s, r)) < Math.abs(gapSeconds(s, best))) best = r;
  return best;
}

const byIdentity = (a: Scored, b: Scored): number => a.c.identity_id - b.c.identity_id;

/**
 * Which identity a finished sighting joins, and why. Candidates of another object class, and those the gate refuses,
 * are out. Then, in order:
 * 1. face recognition named the sighting's person and an identity carries that person: that identity (face);
 * 2. the track's mean face matches an identity's face exemplar at face_threshold or more: the best such (face);
 * 3. the best appearance, among identities whose faces do not contradict it (face below face_veto), at
 *    appearance_threshold or more and clear by appearance_margin of every rival provably someone else (appearance);
 * 4. otherwise a new identity, with the reason.
 * Ties go to the lower identity id, so a decision never depends on the order of `candidates`.
 */
export function decideLink(
  s: SightingSummary & { sighting_id?: number | null },
  candidates: readonly LinkCandidate[],
  never: NeverTogether,
  cfg: LinkConfig = DEFAULT_LINK_CONFIG,
  transit: TransitModel = new TransitModel(),
  labels: EvidenceLabels = DEFAULT_LABELS,
): LinkEvidence {
  const open: Scored[] = [];
  const refused: (Scored & { why: string })[] = [];
  for (const c of [...candidates].sort((a, b) => a.identity_id - b.identity_id)) {
    if (c.object_class !== s.object_class) continue;
    const x: Scored = {
      c,
      face: s.face_embedding && enoughFace(s.face_weight, cfg.face_min_weight) ? bestFace(s.face_embedding, s.face_model, c.face_exemplars, cfg.face_min_weight) : null,
      app: s.appearance ? bestAppearance(s.appearance, c.appearance_exemplars, s.start_ms, cfg) : null,
    };
    const g = gate(s, c, never, transit, labels);
    if (g.ok) open.push(x);
    else refused.push({ ...x, why: g.detail });
  }

  // 1. The recognised person.
  if (s.person_id !== null) {
    const same = open.filter((x) => x.c.person_id === s.person_id).sort((a, b) => (b.face?.score ?? -2) - (a.face?.score ?? -2) || byIdentity(a, b));
    const x = same[0];
    if (x) {
      const m = x.face?.exemplar.sighting ?? nearest(s, x.c);
      const face = x.face ? `; face ${f2(x.face.score)} to ${describeMatch(s, m, labels)}` : m ? `; last seen in ${describeMatch(s, m, labels)}` : '';
      return evidence('face', s, x, x.face?.score ?? null, m, `recognised as person ${s.person_id}, the person of this identity${face}`);
    }
  }

  // 2. The track's face.
  const byFace = open.filter((x) => x.face && x.face.score >= cfg.face_threshold).sort((a, b) => (b.face?.score ?? 0) - (a.face?.score ?? 0) || byIdentity(a, b));
  const fx = byFace[0];
  if (fx?.face) {
    const m = fx.face.exemplar.sighting;
    return evidence('face', s, fx, fx.face.score, m, `face ${f2(fx.face.score)} to ${describeMatch(s, m, labels)}`);
  }

  // 3. Appearance, where faces do not say otherwise.
  const vetoed = open.filter((x) => x.face && x.face.score < cfg.face_veto);
  const byApp = open
    .filter((x) => x.app && !(x.face && x.face.score < cfg.face_veto))
    .sort((a, b) => (b.app?.sim.score ?? 0) - (a.app?.sim.score ?? 0) || byIdentity(a, b));
  const ax = byApp[0];
  if (ax?.app && ax.app.sim.score >= cfg.appearance_threshold) {
    const rival = byApp.find((y) => y !== ax && (y.app?.sim.score ?? 0) > ax.app!.sim.score - cfg.appearance_margin && provablyApart(ax.c, y.c, never, transit));
    if (!rival) {
      const m = ax.app.exemplar.sighting;
      const next = byApp[1]?.app ? `; next best ${f2(byApp[1].app.sim.score)}` : '';
      return evidence('appearance', s, ax, ax.app.sim.score, m, `appearance ${f2(ax.app.sim.score)} to ${describeMatch(s, m, labels)}${next}`);
    }
    return evidence(
      'new',
      s,
      ax,
      ax.app.sim.score,
      null,
      `new: appearance ${f2(ax.app.sim.score)} to identity ${ax.c.identity_id} and ${f2(rival.app?.sim.score ?? 0)} to identity ${rival.c.identity_id}, who is someone else, are too close to call`,
    );
  }

  // 4. New, and why.
  const reasons: string[] = [];
  if (ax?.app) reasons.push(`best appearance ${cut2(ax.app.sim.score)} (identity ${ax.c.identity_id}, ${describeMatch(s, ax.app.exemplar.sighting, labels)}) is below ${f2(cfg.appearance_threshold)}`);
  const bestFaceOpen = open.filter((x) => x.face).sort((a, b) => (b.face?.score ?? 0) - (a.face?.score ?? 0) || byIdentity(a, b))[0];
  if (bestFaceOpen?.face && !vetoed.includes(bestFaceOpen)) reasons.push(`best face ${cut2(bestFaceOpen.face.score)} (identity ${bestFaceOpen.c.identity_id}) is below ${f2(cfg.face_threshold)}`);
  const v = vetoed.sort((a, b) => (b.app?.sim.score ?? 0) - (a.app?.sim.score ?? 0) || byIdentity(a, b))[0];
  if (v?.face && v.app && v.app.sim.score >= cfg.appearance_threshold) reasons.push(`identity ${v.c.identity_id} looks alike (appearance ${f2(v.app.sim.score)}) but its face ${f2(v.face.score)} is someone else's`);
  const r = refused
    .filter((x) => (x.app?.sim.score ?? 0) >= cfg.appearance_threshold || (x.face?.score ?? -1) >= cfg.face_threshold || (s.person_id !== null && x.c.person_id === s.person_id))
    .sort((a, b) => (b.face?.score ?? 0) - (a.face?.score ?? 0) || (b.app?.sim.score ?? 0) - (a.app?.sim.score ?? 0) || byIdentity(a, b))[0];
  if (r) {
    const what = r.face && r.face.score >= cfg.face_threshold ? `face ${f2(r.face.score)}` : r.app ? `appearance ${f2(r.app.sim.score)}` : 'the same recognised person';
    reasons.push(`identity ${r.c.identity_id} (${what}) is ruled out: ${r.why}`);
  }
  if (!reasons.length) {
    const first = refused[0];
    if (!s.appearance && !s.face_embedding) reasons.push('no face or appearance to compare');
    else if (!open.length && first) reasons.push(`every earlier ${s.object_class} is ruled out (identity ${first.c.identity_id}: ${first.why}${refused.length > 1 ? `; ${refused.length - 1} more` : ''})`);
    else reasons.push(open.length ? 'nothing comparable' : `no earlier ${s.object_class} to compare with`);
  }
  const best = ax ?? bestFaceOpen ?? null;
  return evidence('new', s, best, ax?.app?.sim.score ?? null, null, `new: ${reasons.join('; ')}`);
}
