// Re-identification quality, measured (real: worker_threads, onnxruntime-node, the shipped NanoDet, BlazeFace and dlib models, ffmpeg decoding vtest.avi as two cameras — the second colour-shifted by a filter and 65 s later —, the tracker, the appearance histograms of facesInFrame, the sighting builder, linking and the maintenance pass; mock: the identities store, kept in memory).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src-main/repositories/logger';
import type { LinkEvidence } from '../../src-main/services/identities/identity-model';
import { DEFAULT_LINK_CONFIG, NeverTogether, TransitModel, type EvidenceLabels } from '../../src-main/services/identities/linking';
import { DEFAULT_MAINTENANCE_CONFIG, planMerges } from '../../src-main/services/identities/maintenance';
import { WorkerAnalysisEngine } from '../../src-main/workers/analysis/analysis-engine';
import {
  BUNDLED_MODELS,
  CAMERA_B_FILTER,
  MemoryIdentities,
  WALKERS,
  pairwiseAppearance,
  quantile,
  reidFigures,
  runCamera,
  sightingKey,
  trueWalker,
  type CameraPlan,
  type ClipPlan,
  type FixtureSighting,
  type ReidFigures,
} from './reid-fixture';

/** Camera B shows the same people 65 s later: its window (93–144.5 s) starts after camera A's (28–79.5 s) ends, so nobody is on both at once. */
const CAMERAS: CameraPlan[] = [
  { camera_id: 1, name: 'Cam A', filter: null, offset_ms: 0 },
  { camera_id: 2, name: 'Cam B', filter: CAMERA_B_FILTER, offset_ms: 65_000 },
];
/** Detection at 5 fps, faces and appearance on every other frame (face frames come slower than detection, as live). */
const CLIP: ClipPlan = { from_s: 28, to_s: 79.5, fps: 5, faces_every: 2 };
const LABELS: EvidenceLabels = {
  camera: (id) => CAMERAS.find((c) => c.camera_id === id)?.name ?? `camera ${id}`,
  time: (ms) => new Date(ms).toISOString().slice(11, 19),
};

/**
 * What this test measured (2 cores, onnxruntime-node 1.30; the run is deterministic): 23 labelled sightings of 39,
 * purity 1.00 and fragmentation 1.33, the same after maintenance (0 merges); AUC 0.98 of the labelled sighting pairs.
 * The goal of at most 1.3 is missed by one fragment: 8 identities for the 6 walkers, because the blonde woman's two
 * passes score 0.70 (far away beside the red-navy man, then close by on the grass, her second track beginning on a box
 * that held the two of them), and the red-navy man's last track on Cam B overlaps in time a track of that camera that
 * began on him (so joined his identity) and then followed someone else: the gate rightly refuses one person on two
 * tracks at once, and he starts a new identity. The bounds leave one more mistake of each kind.
 */
const BOUNDS = { purity: 0.9, fragmentation: 1.5, auc: 0.95, labelled: 16 };

interface Measured {
  sightings: (FixtureSighting & { walker: string | null })[];
  evidence: Map<string, LinkEvidence>;
  /** Sighting → identity after linking. */
  identityOf: Map<string, number>;
  linked: ReidFigures;
  maintained: ReidFigures;
  merges: number;
  pairs: ReturnType<typeof pairwiseAppearance>;
  ms: number;
}

let engine: WorkerAnalysisEngine | undefined;
let m: Measured;

const fmt = (x: number): string => x.toFixed(3);
const share = (xs: readonly number[], t: number): string => `${xs.filter((x) => x >= t).length}/${xs.length}`;

beforeAll(async () => {
  const t0 = performance.now();
  engine = new WorkerAnalysisEngine({ modelDirs: [{ path: BUNDLED_MODELS, origin: 'bundled' }], log: silentLogger(), maxFaceJobs: 4 });
  await engine.start();
  const e = engine;
  const runs = await Promise.all(CAMERAS.map((c) => runCamera(e, c, CLIP)));
  const sightings = runs.flatMap((r) => r.sightings).map((s) => ({ ...s, walker: trueWalker(s.path, WALKERS) }));

  // Linked as capture would: each track when it ends, in order of end time.
  const store = new MemoryIdentities(LABELS);
  const never = new NeverTogether();
  const transit = new TransitModel();
  const evidence = new Map<string, LinkEvidence>();
  const truth = new Map<string, string>();
  const identityOf = new Map<string, number>();
  const ordered = [...sightings].sort((a, b) => a.summary.end_ms - b.summary.end_ms || a.summary.camera_id - b.summary.camera_id || a.summary.track_id - b.summary.track_id);
  for (const s of ordered) {
    const r = store.link(s.summary, never, DEFAULT_LINK_CONFIG, transit);
    evidence.set(sightingKey(s.summary), r.evidence);
    identityOf.set(sightingKey(s.summary), r.identity_id);
    if (s.walker) truth.set(sightingKey(s.summary), s.walker);
  }
  const linked = reidFigures(truth, identityOf);

  // Then the periodic pass.
  const plans = planMerges(store.maintenanceView(), never, undefined, transit, LABELS);
  for (const p of plans) store.merge(p.target_id, p.source_ids);
  const after = new Map<string, number>();
  for (const i of store.identities.values()) for (const s of i.sightings) after.set(sightingKey(s.summary), i.id);
  const maintained = reidFigures(truth, after);

  const labelled = sightings.flatMap((s) => (s.walker ? [{ summary: s.summary, walker: s.walker }] : []));
  const pairs = pairwiseAppearance(labelled, DEFAULT_LINK_CONFIG.features_weight);
  m = { sightings, evidence, identityOf, linked, maintained, merges: plans.length, pairs, ms: performance.now() - t0 };

  const lines = [
    `re-ID on vtest.avi, two cameras (B: ${CAMERA_B_FILTER}, +65 s), ${CLIP.from_s}–${CLIP.to_s} s at ${CLIP.fps} fps: ${runs.map((r, i) => `${CAMERAS[i]!.name} ${r.frames} frames, ${r.sightings.length} sightings`).join('; ')}; ${fmt(m.ms / 1000)} s`,
    `labelled sightings ${linked.labelled} of ${sightings.length} (${sightings.filter((s) => s.summary.appearance).length} with an appearance); identities holding them ${linked.identities_with_labelled}`,
    `after linking:     purity ${fmt(linked.purity)}  fragmentation ${fmt(linked.fragmentation)}  ${JSON.stringify(linked.per_walker)}`,
    `after maintenance: purity ${fmt(maintained.purity)}  fragmentation ${fmt(maintained.fragmentation)}  (${plans.length} merges)`,
    `appearance of labelled sighting pairs: same walker n=${pairs.same.length} min ${fmt(Math.min(...pairs.same))} p10 ${fmt(quantile(pairs.same, 0.1))} median ${fmt(quantile(pairs.same, 0.5))}; ` +
      `different n=${pairs.different.length} median ${fmt(quantile(pairs.different, 0.5))} p90 ${fmt(quantile(pairs.different, 0.9))} max ${fmt(Math.max(...pairs.different))}; AUC ${fmt(pairs.auc)}`,
    ...[DEFAULT_LINK_CONFIG.appearance_threshold - 0.04, DEFAULT_LINK_CONFIG.appearance_threshold - 0.02, DEFAULT_LINK_CONFIG.appearance_threshold, DEFAULT_LINK_CONFIG.appearance_threshold + 0.02, DEFAULT_MAINTENANCE_CONFIG.appearance_threshold].map(
      (t) => `  at ${t.toFixed(2)}: same-walker pairs above ${share(pairs.same, t)}, different-walker pairs above ${share(pairs.different, t)}`,
    ),
    ...ordered.map((s) => `  ${LABELS.camera(s.summary.camera_id)} track ${String(s.summary.track_id).padEnd(3)} ${(s.walker ?? '—').padEnd(40)} ${evidence.get(sightingKey(s.summary))?.detail}`),
  ];
  console.log(lines.join('\n'));
}, 300_000);

afterAll(async () => {
  await engine?.stop();
});

describe('re-identification across two cameras (vtest.avi, measured)', () => {
  it('finds the hand-labelled walkers in sightings of both cameras', () => {
    expect(m.linked.labelled).toBeGreaterThanOrEqual(BOUNDS.labelled);
    const both = WALKERS.filter((w) => [1, 2].every((cam) => m.sightings.some((s) => s.walker === w.name && s.summary.camera_id === cam)));
    expect(both.length).toBeGreaterThanOrEqual(WALKERS.length - 1);
    // Almost every sighting has an appearance (from clean frames, else edge-cut ones).
    expect(m.sightings.filter((s) => s.summary.appearance).length).toBeGreaterThanOrEqual(0.9 * m.sightings.length);
  });

  it('tells one walker’s sightings from another’s by clothes, across the colour change (AUC of sighting pairs)', () => {
    expect(m.pairs.auc).toBeGreaterThanOrEqual(BOUNDS.auc);
  });

  it('links walkers across the cameras and their reappearances: purity and fragmentation (goal ≥ 0.95 and ≤ 1.3)', () => {
    expect(m.linked.purity).toBeGreaterThanOrEqual(BOUNDS.purity);
    expect(m.linked.fragmentation).toBeLessThanOrEqual(BOUNDS.fragmentation);
    // Maintenance merges only what clearly matches: here it costs no purity.
    expect(m.maintained.purity).toBeGreaterThanOrEqual(m.linked.purity);
    expect(m.maintained.fragmentation).toBeLessThanOrEqual(m.linked.fragmentation);
    // Most walkers have an identity that holds their sightings on both cameras.
    const crossCamera = WALKERS.filter((w) => {
      const on = (cam: number) => new Set(m.sightings.filter((s) => s.walker === w.name && s.summary.camera_id === cam).map((s) => m.identityOf.get(sightingKey(s.summary))));
      const b = on(2);
      return [...on(1)].some((id) => b.has(id));
    });
    expect(crossCamera.length).toBeGreaterThanOrEqual(WALKERS.length - 1);
  });

  it('keeps evidence an operator can read for every decision', () => {
    for (const e of m.evidence.values()) {
      if (e.kind === 'appearance') expect(e.detail).toMatch(/^appearance [01]\.\d\d to the sighting at \d\d:\d\d:\d\d on Cam [AB], (\d+ (s|min)( \d+ s)? (later|earlier)|at the same time)/);
      else if (e.kind === 'face') expect(e.detail).toMatch(/^(face 0\.\d\d to the sighting|recognised as person)/);
      else expect(e.detail).toMatch(/^new: /);
      if (e.kind !== 'new') expect(e.identity_id).not.toBeNull();
    }
  });
});
