// Who a tracked face is (pure): a robust reference per person, quality-weighted votes per face, a revisable decision per track.

/** One enrolled face of a person, as the gallery is built from it. */
export interface EnrolledFace {
  person_id: number;
  name: string;
  embedding: Float32Array;
}

/** A person as recognition sees them: a trimmed-mean reference plus the enrolled faces that agree with it. */
export interface PersonModel {
  person_id: number;
  name: string;
  /** Unit length. */
  reference: Float32Array;
  /** Enrolled faces kept for nearest-neighbour checks (outliers dropped). */
  inliers: Float32Array[];
  /** Enrolled faces dropped as far from the reference. */
  outliers: number;
}

export interface ReferenceOptions {
  /** Share of the kept faces furthest from the mean left out of the trimmed mean (0–0.5). */
  trim: number;
  /** An outlier lies more than k robust deviations (1.4826·MAD) below the median similarity to the mean… */
  madK: number;
  /** …and at least this far below that median (a tight set must not lose a face for a small difference); */
  minGap: number;
  /** any face below this similarity to the mean is an outlier too. */
  floor: number;
}

export const DEFAULT_REFERENCE: ReferenceOptions = { trim: 0.2, madK: 3, minGap: 0.1, floor: 0.2 };

/** Without a setting or a model-measured threshold (Iris's face-group default, on an ArcFace-like scale). */
export const FALLBACK_MATCH_THRESHOLD = 0.5;

/**
 * Cosine scales differ per model (different people ≈ 0 for ArcFace, ≈ 0.85 for dlib), so margins are fractions of the
 * band above the match threshold, (1 − threshold), not absolute cosines.
 */
export function referenceOptions(threshold: number): ReferenceOptions {
  const band = 1 - threshold;
  return { trim: 0.2, madK: 3, minGap: 0.25 * band, floor: threshold - 0.5 * band };
}

/** Faces scoring at least this vote for their best person ("could be them"); below, they vote "unknown". */
export const voteFloor = (threshold: number): number => threshold - VOTE_BAND * (1 - threshold);

export interface RecognitionSettings {
  /** settings.face_match_threshold: least weighted similarity for a name. */
  threshold: number;
  /** settings.face_min_faces: faces of the track that must agree. */
  min_faces: number;
}

/** A face votes for a person when its score is within this share of the band (1 − threshold) below the threshold. */
export const VOTE_BAND = 0.25;
/** The winner must hold at least this share of the track's face weight (unknown votes included). */
export const MIN_WEIGHT_SHARE = 0.5;
/** Faces at or above this height (px) weigh fully; smaller faces weigh in proportion, never below MIN_SIZE_FACTOR. */
export const FULL_WEIGHT_PX = 96;
const MIN_SIZE_FACTOR = 0.1;

export const dot = (a: Float32Array, b: Float32Array): number => {
  let s = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) s += (a[i] as number) * (b[i] as number);
  return s;
};

export function normalise(v: Float32Array): Float32Array {
  const n = Math.sqrt(dot(v, v));
  const out = new Float32Array(v.length);
  if (n === 0) return out;
  for (let i = 0; i < v.length; i++) out[i] = (v[i] as number) / n;
  return out;
}

function mean(vs: Float32Array[]): Float32Array {
  const dim = vs[0]?.length ?? 0;
  const out = new Float32Array(dim);
  for (const v of vs) for (let i = 0; i < dim; i++) out[i] = (out[i] as number) + (v[i] as number);
  return normalise(out);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/**
 * The reference of one person: the mean of the faces, then outliers (far below the others' similarity to that mean)
 * dropped, then the trimmed mean of the rest. With one or two faces there is nothing to vote an outlier out.
 */
export function buildReference(faces: Float32Array[], o: ReferenceOptions = DEFAULT_REFERENCE): { reference: Float32Array; inliers: number[]; outliers: number[] } {
  const units = faces.map(normalise);
  const all = units.map((_, i) => i);
  if (units.length <= 2) return { reference: mean(units), inliers: all, outliers: [] };
  const first = mean(units);
  const sims = units.map((u) => dot(u, first));
  const med = median(sims);
  const mad = median(sims.map((s) => Math.abs(s - med)));
  const cut = med - o.madK * 1.4826 * mad;
  const inliers = all.filter((i) => {
    const x = sims[i] as number;
    return x >= o.floor && !(x < cut && x < med - o.minGap);
  });
  const kept = inliers.length >= Math.min(2, units.length) ? inliers : all;
  const outliers = all.filter((i) => !kept.includes(i));
  const ranked = [...kept].sort((a, b) => (sims[b] as number) - (sims[a] as number));
  const keepN = Math.max(1, ranked.length - Math.floor(ranked.length * Math.min(0.5, Math.max(0, o.trim))));
  return { reference: mean(ranked.slice(0, keepN).map((i) => units[i] as Float32Array)), inliers: kept, outliers };
}

/** Person models from every enrolled face, one per person, in person-id order. */
export function buildPersonModels(faces: EnrolledFace[], o: ReferenceOptions = DEFAULT_REFERENCE): PersonModel[] {
  const by = new Map<number, { name: string; vs: Float32Array[] }>();
  for (const f of faces) {
    const p = by.get(f.person_id) ?? { name: f.name, vs: [] };
    p.vs.push(f.embedding);
    by.set(f.person_id, p);
  }
  return [...by.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([person_id, p]) => {
      const r = buildReference(p.vs, o);
      return { person_id, name: p.name, reference: r.reference, inliers: r.inliers.map((i) => normalise(p.vs[i] as Float32Array)), outliers: r.outliers.length };
    });
}

/** How much a face looks like a person: the mean of its similarity to the reference and to the nearest kept face. */
export function scorePerson(face: Float32Array, p: PersonModel): number {
  let nn = -1;
  for (const v of p.inliers) nn = Math.max(nn, dot(face, v));
  const ref = dot(face, p.reference);
  return p.inliers.length ? (ref + nn) / 2 : ref;
}

export interface Ranked {
  person_id: number;
  score: number;
}

/** The best `top` people for a unit face vector, best first (ties: lower person id). */
export function rankPeople(face: Float32Array, models: readonly PersonModel[], top = 3, exclude: ReadonlySet<number> = new Set()): Ranked[] {
  const out: Ranked[] = [];
  for (const p of models) if (!exclude.has(p.person_id)) out.push({ person_id: p.person_id, score: scorePerson(face, p) });
  out.sort((a, b) => b.score - a.score || a.person_id - b.person_id);
  return out.slice(0, top);
}

/** A face's weight in its track's vote: its quality, scaled down for faces smaller than FULL_WEIGHT_PX. */
export function faceWeight(quality: number, size_px: number): number {
  const q = Math.min(1, Math.max(0, Number.isFinite(quality) ? quality : 0));
  const size = Math.min(1, Math.max(MIN_SIZE_FACTOR, (Number.isFinite(size_px) ? size_px : 0) / FULL_WEIGHT_PX));
  return q * size;
}

/** One face of a track, with its best people (ranked against the gallery when it was seen or the gallery changed). */
export interface FaceVote {
  sample_id: number | null;
  weight: number;
  ranked: Ranked[];
}

export interface TrackDecision {
  person_id: number | null;
  name: string | null;
  /** Weighted mean score of the faces voting for the leading person (0 when none). */
  evidence: number;
  /** Faces voting for the leading person with a score at or above the threshold. */
  agreeing: number;
  faces: number;
  /** The leading person's share of the track's face weight. */
  share: number;
  /** The leading candidate, named or not (what an operator sees as "maybe"). */
  candidate: number | null;
}

export const UNKNOWN: TrackDecision = { person_id: null, name: null, evidence: 0, agreeing: 0, faces: 0, share: 0, candidate: null };

/**
 * The track's decision: each face votes for its best person not excluded for it (negative feedback on its sample, or
 * people the track may not be); the leader by vote weight is named only when its weighted mean score clears the
 * threshold, at least min_faces of its faces clear it, and it holds at least half the track's face weight.
 */
export function decideTrack(
  votes: readonly FaceVote[],
  s: RecognitionSettings,
  names: ReadonlyMap<number, string>,
  blocked: ReadonlySet<number> = new Set(),
  negatives: ReadonlyMap<number, ReadonlySet<number>> = new Map(),
): TrackDecision {
  const floor = voteFloor(s.threshold);
  const tally = new Map<number, { w: number; ws: number; agree: number }>();
  let total = 0;
  for (const v of votes) {
    total += v.weight;
    const no = v.sample_id === null ? undefined : negatives.get(v.sample_id);
    const best = v.ranked.find((r) => !blocked.has(r.person_id) && !no?.has(r.person_id) && names.has(r.person_id));
    if (!best || best.score < floor) continue;
    const t = tally.get(best.person_id) ?? { w: 0, ws: 0, agree: 0 };
    t.w += v.weight;
    t.ws += v.weight * best.score;
    if (best.score >= s.threshold) t.agree++;
    tally.set(best.person_id, t);
  }
  let lead: number | null = null;
  let lt = { w: 0, ws: 0, agree: 0 };
  for (const [pid, t] of tally) {
    if (lead === null || t.w > lt.w || (t.w === lt.w && t.ws > lt.ws) || (t.w === lt.w && t.ws === lt.ws && pid < lead)) {
      lead = pid;
      lt = t;
    }
  }
  if (lead === null) return { ...UNKNOWN, faces: votes.length };
  const evidence = lt.w > 0 ? lt.ws / lt.w : 0;
  const share = total > 0 ? lt.w / total : 0;
  const named = evidence >= s.threshold && lt.agree >= s.min_faces && share >= MIN_WEIGHT_SHARE;
  return { person_id: named ? lead : null, name: named ? (names.get(lead) ?? null) : null, evidence, agreeing: lt.agree, faces: votes.length, share, candidate: lead };
}

/** A face seen in a frame, as the live pipeline hands it over. */
export interface ObservedFace {
  track_id: number;
  /** L2-normalised embedding. */
  embedding: Float32Array;
  quality: number;
  /** Face height in source pixels. */
  size_px: number;
  /** The stored sample, when one was kept (negative feedback refers to it). */
  sample_id: number | null;
}

export interface TrackUpdate {
  camera_id: number;
  track_id: number;
  decision: TrackDecision;
  /** The named person differs from the previous decision. */
  changed: boolean;
  /** The samples of this track this recogniser saw (to label them with the decision). */
  sample_ids: number[];
}

export interface RecognizerOptions {
  /** Faces kept per track (the lowest-weight ones go first). */
  maxFacesPerTrack: number;
  /** A track not seen for this long is forgotten. */
  trackTtlMs: number;
  /** Best people remembered per face. */
  top: number;
}

export const DEFAULT_RECOGNIZER: RecognizerOptions = { maxFacesPerTrack: 120, trackTtlMs: 120_000, top: 4 };

interface FaceState extends FaceVote {
  embedding: Float32Array;
}

interface TrackState {
  camera_id: number;
  track_id: number;
  faces: FaceState[];
  last_ms: number;
  /** Tracks of the same camera that had a face in the same frame: never the same person. */
  cooccurs: Set<number>;
  decision: TrackDecision;
}

/** Ranks a face against the gallery; the service may narrow candidates with the enrolled-face index. */
export type RankFn = (face: Float32Array, top: number) => Ranked[];

/**
 * Per-camera track state and decisions, revised as faces arrive, the gallery changes or an operator says "not X".
 * Faces of one frame must be observed together: that is what keeps two faces in one frame from sharing a name.
 */
export class FaceRecognizer {
  private readonly tracks = new Map<string, TrackState>();
  private names = new Map<number, string>();
  private readonly negatives = new Map<number, Set<number>>();

  constructor(
    private rank: RankFn,
    names: ReadonlyMap<number, string>,
    private readonly settings: () => RecognitionSettings,
    private readonly opts: RecognizerOptions = DEFAULT_RECOGNIZER,
  ) {
    this.names = new Map(names);
  }

  /** A new gallery: every live track's faces are ranked again and decided again. */
  setGallery(rank: RankFn, names: ReadonlyMap<number, string>): TrackUpdate[] {
    this.rank = rank;
    this.names = new Map(names);
    for (const t of this.tracks.values()) for (const f of t.faces) f.ranked = rank(f.embedding, this.opts.top);
    return this.resolve([...this.tracks.values()]);
  }

  observeFrame(camera_id: number, ts_ms: number, faces: readonly ObservedFace[]): TrackUpdate[] {
    this.expire(ts_ms);
    const touched: TrackState[] = [];
    const frameTracks = [...new Set(faces.map((f) => f.track_id))];
    for (const f of faces) {
      const t = this.track(camera_id, f.track_id, ts_ms);
      t.last_ms = Math.max(t.last_ms, ts_ms);
      for (const other of frameTracks) if (other !== f.track_id) t.cooccurs.add(other);
      t.faces.push({ sample_id: f.sample_id, weight: faceWeight(f.quality, f.size_px), ranked: this.rank(f.embedding, this.opts.top), embedding: f.embedding });
      if (t.faces.length > this.opts.maxFacesPerTrack) {
        let worst = 0;
        t.faces.forEach((x, i) => (x.weight < (t.faces[worst] as FaceState).weight ? (worst = i) : undefined));
        t.faces.splice(worst, 1);
      }
      if (!touched.includes(t)) touched.push(t);
    }
    return this.resolve(touched);
  }

  /** Negative feedback: sample `sample_id` is not `person_id`; live tracks holding that face are decided again. */
  reject(sample_id: number, person_id: number): TrackUpdate[] {
    const set = this.negatives.get(sample_id) ?? new Set<number>();
    set.add(person_id);
    this.negatives.set(sample_id, set);
    return this.resolve([...this.tracks.values()].filter((t) => t.faces.some((f) => f.sample_id === sample_id)));
  }

  decision(camera_id: number, track_id: number): TrackDecision | null {
    return this.tracks.get(key(camera_id, track_id))?.decision ?? null;
  }

  /** The track's final decision; its state is dropped. */
  endTrack(camera_id: number, track_id: number): TrackDecision | null {
    const k = key(camera_id, track_id);
    const t = this.tracks.get(k);
    this.tracks.delete(k);
    if (t) this.dropSamples(t);
    return t?.decision ?? null;
  }

  forgetCamera(camera_id: number): void {
    for (const [k, t] of this.tracks) if (t.camera_id === camera_id) this.tracks.delete(k);
  }

  /** Forgets tracks not seen since now − trackTtlMs. */
  expire(now_ms: number): void {
    for (const [k, t] of this.tracks) {
      if (now_ms - t.last_ms > this.opts.trackTtlMs) {
        this.tracks.delete(k);
        this.dropSamples(t);
      }
    }
  }

  get size(): number {
    return this.tracks.size;
  }

  private dropSamples(t: TrackState): void {
    for (const f of t.faces) if (f.sample_id !== null) this.negatives.delete(f.sample_id);
  }

  private track(camera_id: number, track_id: number, ts_ms: number): TrackState {
    const k = key(camera_id, track_id);
    let t = this.tracks.get(k);
    if (!t) {
      t = { camera_id, track_id, faces: [], last_ms: ts_ms, cooccurs: new Set(), decision: UNKNOWN };
      this.tracks.set(k, t);
    }
    return t;
  }

  /**
   * Decides the touched tracks and those that shared a frame with them. Strongest evidence first, a track may not take
   * a person a co-occurring track already holds; it is then decided without that person.
   */
  private resolve(touched: TrackState[]): TrackUpdate[] {
    const s = this.settings();
    const group = new Set<TrackState>(touched);
    for (const t of touched) {
      for (const o of t.cooccurs) {
        const other = this.tracks.get(key(t.camera_id, o));
        if (other) group.add(other);
      }
    }
    const free = new Map<TrackState, TrackDecision>();
    for (const t of group) free.set(t, decideTrack(t.faces, s, this.names, new Set(), this.negatives));
    const order = [...group].sort((a, b) => (free.get(b) as TrackDecision).evidence - (free.get(a) as TrackDecision).evidence || a.track_id - b.track_id);
    const held = new Map<TrackState, number>();
    for (const t of group) {
      // Tracks outside the group keep what they hold; they constrain this group too.
      for (const o of t.cooccurs) {
        const other = this.tracks.get(key(t.camera_id, o));
        if (other && !group.has(other) && other.decision.person_id !== null) held.set(other, other.decision.person_id);
      }
    }
    const updates: TrackUpdate[] = [];
    for (const t of order) {
      const blocked = new Set<number>();
      for (const o of t.cooccurs) {
        const other = this.tracks.get(key(t.camera_id, o));
        const pid = other ? held.get(other) : undefined;
        if (pid !== undefined) blocked.add(pid);
      }
      let d = free.get(t) as TrackDecision;
      if (d.person_id !== null && blocked.has(d.person_id)) d = decideTrack(t.faces, s, this.names, blocked, this.negatives);
      if (d.person_id !== null) held.set(t, d.person_id);
      const changed = d.person_id !== t.decision.person_id;
      t.decision = d;
      if (touched.includes(t) || changed) {
        updates.push({ camera_id: t.camera_id, track_id: t.track_id, decision: d, changed, sample_ids: t.faces.flatMap((f) => (f.sample_id === null ? [] : [f.sample_id])) });
      }
    }
    return updates;
  }
}

const key = (camera_id: number, track_id: number): string => `${camera_id}:${track_id}`;
