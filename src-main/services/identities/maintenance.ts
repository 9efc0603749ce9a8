// The periodic identities pass (pure): which unnamed identities clearly are one person and should be merged, stricter than linking.
import {
  DEFAULT_LABELS,
  NeverTogether,
  TransitModel,
  appearanceSimilarity,
  dot,
  enoughFace,
  sightingsClash,
  type EvidenceLabels,
  type LinkAppearanceExemplar,
  type LinkFaceExemplar,
  type SightingRef,
} from './linking';

/** An identity as maintenance sees it: like a linking candidate, but with every sighting (time clashes and marks need them all). */
export interface MaintenanceIdentity {
  identity_id: number;
  is_named: boolean;
  object_class: string;
  person_id: number | null;
  face_exemplars: readonly LinkFaceExemplar[];
  appearance_exemplars: readonly LinkAppearanceExemplar[];
  sightings: readonly SightingRef[];
}

export interface MaintenanceConfig {
  /** Least face cosine between two identities' exemplars (dlib scale; stricter than linking's 0.91). */
  face_threshold: number;
  /** Below this face cosine the two are different people, whatever their clothes. */
  face_veto: number;
  /** Face evidence (sum of face qualities) each exemplar needs to count. */
  face_min_weight: number;
  /** Least appearance similarity between two identities' exemplars (stricter than linking's 0.80). */
  appearance_threshold: number;
  /** A pair is skipped when either side has another match within this much that is provably someone else than the other side. */
  appearance_margin: number;
  features_weight: number;
  /** Appearance exemplars further apart in time than this are not compared (clothes change). */
  appearance_max_age_s: number;
  /** Identities joined per pass at most (the strongest links first); the next pass continues. */
  max_merges: number;
}

/**
 * Stricter than linking: on the vtest.avi walkers (test/identities/reid-quality.test.ts) linking's 0.80 admits 1 % of
 * the different-walker sighting pairs; 0.88 is above every one of them (the highest was 0.83, and 0.86 with the
 * detector's default score floor) and still half of the same-walker pairs clear it. Faces: 0.93 (Euclidean 0.37) is
 * well inside dlib's same-person range.
 */
export const DEFAULT_MAINTENANCE_CONFIG: MaintenanceConfig = {
  face_threshold: 0.93,
  face_veto: 0.8,
  face_min_weight: 1,
  appearance_threshold: 0.88,
  appearance_margin: 0.03,
  features_weight: 0.5,
  appearance_max_age_s: 12 * 3600,
  max_merges: 200,
};

export interface MergePlan {
  /** Keeps its id: the one with most sightings (ties: the lowest id). */
  target_id: number;
  source_ids: number[];
  /** 'face' when every link that formed the group was a face match, else 'appearance'. */
  kind: 'face' | 'appearance';
  /** The weakest link that formed the group. */
  score: number;
  /** Each link as an operator reads it. */
  detail: string;
}

interface Edge {
  a: number;
  b: number;
  kind: 'face' | 'appearance';
  score: number;
  /** The exemplars' sightings behind it, for the detail line. */
  from: SightingRef | null;
  to: SightingRef | null;
  /** Both were recognised as this enrolled person. */
  person?: number;
}

const f2 = (x: number): string => x.toFixed(2);

function bestFacePair(a: MaintenanceIdentity, b: MaintenanceIdentity, cfg: MaintenanceConfig): Omit<Edge, 'a' | 'b' | 'kind'> | null {
  let best: Omit<Edge, 'a' | 'b' | 'kind'> | null = null;
  for (const x of a.face_exemplars) {
    if (!enoughFace(x.weight, cfg.face_min_weight)) continue;
    for (const y of b.face_exemplars) {
      if (!enoughFace(y.weight, cfg.face_min_weight) || x.embedding.length !== y.embedding.length) continue;
      if (x.model !== null && y.model !== null && x.model !== y.model) continue;
      const s = dot(x.embedding, y.embedding);
      if (!best || s > best.score) best = { score: s, from: x.sighting, to: y.sighting };
    }
  }
  return best;
}

function bestAppearancePair(a: MaintenanceIdentity, b: MaintenanceIdentity, cfg: MaintenanceConfig): Omit<Edge, 'a' | 'b' | 'kind'> | null {
  let best: Omit<Edge, 'a' | 'b' | 'kind'> | null = null;
  for (const x of a.appearance_exemplars) {
    for (const y of b.appearance_exemplars) {
      if (x.sighting && y.sighting && Math.abs(x.sighting.end_ms - y.sighting.end_ms) > cfg.appearance_max_age_s * 1000) continue;
      const s = appearanceSimilarity(x.descriptor, y.descriptor, cfg.features_weight).score;
      if (!best || s > best.score) best = { score: s, from: x.sighting, to: y.sighting };
    }
  }
  return best;
}

/** Nothing about the two says they are different people: no clashing sightings, no never-together mark, no two different recognised people. */
function compatible(a: readonly SightingRef[], b: readonly SightingRef[], pa: number | null, pb: number | null, never: NeverTogether, transit: TransitModel): boolean {
  if (pa !== null && pb !== null && pa !== pb) return false;
  for (const x of a) for (const y of b) if (x.id !== y.id && sightingsClash(x, y, transit)) return false;
  return !(never.size > 0 && never.anyApart(a.map((s) => s.id), b.map((s) => s.id)));
}

function describeEdge(e: Edge, labels: EvidenceLabels): string {
  if (e.person !== undefined) return `identities ${e.a} and ${e.b} were both recognised as person ${e.person}`;
  const at = (s: SightingRef | null) => (s ? `the sighting at ${labels.time(s.start_ms)} on ${labels.camera(s.camera_id)}` : 'an exemplar');
  return `${e.kind} ${f2(e.score)} between ${at(e.from)} (identity ${e.a}) and ${at(e.to)} (identity ${e.b})`;
}

/**
 * Merges for the periodic pass. Only unnamed identities of one object class take part; a named one is never touched.
 * Two identities are linked when recognition named both as the same person, when their faces match at face_threshold,
 * or, faces not saying otherwise, when their clothes match at appearance_threshold with no rival within
 * appearance_margin that is provably someone else. Links are taken strongest first (faces before clothes) and join
 * two groups only if no sighting of one clashes in time with a sighting of the other (one person is never in two
 * places, nor twice on one camera, at once), no never-together mark lies between them and no transit is too fast.
 */
export function planMerges(
  identities: readonly MaintenanceIdentity[],
  never: NeverTogether,
  cfg: MaintenanceConfig = DEFAULT_MAINTENANCE_CONFIG,
  transit: TransitModel = new TransitModel(),
  labels: EvidenceLabels = DEFAULT_LABELS,
): MergePlan[] {
  const pool = identities.filter((i) => !i.is_named && i.sightings.length > 0).sort((x, y) => x.identity_id - y.identity_id);
  const byId = new Map(pool.map((i) => [i.identity_id, i]));
  const edges: Edge[] = [];
  const apartPair = new Set<string>();
  const key = (a: number, b: number) => (a < b ? `${a}:${b}` : `${b}:${a}`);
  for (let i = 0; i < pool.length; i++) {
    const a = pool[i] as MaintenanceIdentity;
    for (let j = i + 1; j < pool.length; j++) {
      const b = pool[j] as MaintenanceIdentity;
      if (a.object_class !== b.object_class) continue;
      if (!compatible(a.sightings, b.sightings, a.person_id, b.person_id, never, transit)) {
        apartPair.add(key(a.identity_id, b.identity_id));
        continue;
      }
      if (a.person_id !== null && a.person_id === b.person_id) {
        edges.push({ a: a.identity_id, b: b.identity_id, kind: 'face', score: 1, from: null, to: null, person: a.person_id });
        continue;
      }
      const face = bestFacePair(a, b, cfg);
      if (face && face.score >= cfg.face_threshold) {
        edges.push({ a: a.identity_id, b: b.identity_id, kind: 'face', ...face });
        continue;
      }
      if (face && face.score < cfg.face_veto) continue;
      const app = bestAppearancePair(a, b, cfg);
      if (app) edges.push({ a: a.identity_id, b: b.identity_id, kind: 'appearance', ...app });
    }
  }

  // An appearance link is ambiguous when one side matches, almost as well, an identity provably not the other side.
  const appearance = edges.filter((e) => e.kind === 'appearance');
  const ambiguous = (e: Edge): boolean =>
    [e.a, e.b].some((x) => {
      const other = x === e.a ? e.b : e.a;
      return appearance.some((r) => {
        if (r === e || r.score <= e.score - cfg.appearance_margin || (r.a !== x && r.b !== x)) return false;
        const rival = r.a === x ? r.b : r.a;
        return rival !== other && apartPair.has(key(rival, other));
      });
    });
  const usable = edges
    .filter((e) => e.kind === 'face' || (e.score >= cfg.appearance_threshold && !ambiguous(e)))
    .sort((x, y) => (x.kind === y.kind ? 0 : x.kind === 'face' ? -1 : 1) || y.score - x.score || x.a - y.a || x.b - y.b);

  // Union–find over the links, each join checked against the whole of both groups.
  const parent = new Map<number, number>(pool.map((i) => [i.identity_id, i.identity_id]));
  const find = (x: number): number => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r) as number;
    parent.set(x, r);
    return r;
  };
  const groups = new Map<number, { members: number[]; sightings: SightingRef[]; person: number | null; edges: Edge[] }>(
    pool.map((i) => [i.identity_id, { members: [i.identity_id], sightings: [...i.sightings], person: i.person_id, edges: [] }]),
  );
  let merges = 0;
  for (const e of usable) {
    if (merges >= cfg.max_merges) break;
    const ra = find(e.a);
    const rb = find(e.b);
    if (ra === rb) continue;
    const ga = groups.get(ra)!;
    const gb = groups.get(rb)!;
    if (!compatible(ga.sightings, gb.sightings, ga.person, gb.person, never, transit)) continue;
    const [keep, drop] = ra < rb ? [ra, rb] : [rb, ra];
    const gk = groups.get(keep)!;
    const gd = groups.get(drop)!;
    gk.members.push(...gd.members);
    gk.sightings.push(...gd.sightings);
    gk.person ??= gd.person;
    gk.edges.push(...gd.edges, e);
    groups.delete(drop);
    parent.set(drop, keep);
    merges++;
  }

  const plans: MergePlan[] = [];
  for (const g of groups.values()) {
    if (g.members.length < 2) continue;
    const ranked = [...g.members].sort((x, y) => (byId.get(y)?.sightings.length ?? 0) - (byId.get(x)?.sightings.length ?? 0) || x - y);
    const target = ranked[0] as number;
    plans.push({
      target_id: target,
      source_ids: ranked.slice(1).sort((x, y) => x - y),
      kind: g.edges.every((e) => e.kind === 'face') ? 'face' : 'appearance',
      score: Math.min(...g.edges.map((e) => e.score)),
      detail: g.edges.map((e) => describeEdge(e, labels)).join('; '),
    });
  }
  return plans.sort((x, y) => x.target_id - y.target_id);
}
