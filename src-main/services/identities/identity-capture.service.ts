// Live re-identification: per-track observations of cameras with reid_enabled (appearance, faces, the best body crop)
// become a sighting when the tracker drops the track; linking decides its identity against a bounded candidate set and
// the store keeps it with the evidence.
import type { Box } from '../../ports/analysis-engine.port';
import type { Logger } from '../../repositories/logger';
import type { CameraSettingsSource } from '../cameras/camera-settings';
import type { EndedTrack } from '../analysis/analysis.service';
import type { CaptureListener, TrackObservations } from '../faces/face-capture.service';
import type { CandidateSighting, LinkCandidates, LinkEvidence, SightingSummary } from './identity-model';
import type { IdentitiesService } from './identities.service';
import { SightingBuilder, occludedBoxes } from './sighting-builder';
import { DEFAULT_MAINTENANCE_CONFIG, planMerges, type MaintenanceIdentity } from './maintenance';
import { DEFAULT_LINK_CONFIG, NeverTogether, TransitModel, decideLink, type EvidenceLabels, type LinkCandidate, type LinkConfig, type SightingRef } from './linking';

export interface IdentityCaptureDeps {
  cameras: CameraSettingsSource;
  store: Pick<IdentitiesService, 'addSighting' | 'candidates' | 'neverPairs' | 'merge'>;
  openEvent: (cameraId: number) => number | null;
  /** The embedder whose faces the observations carry. */
  faceModel: () => string | null;
  cameraName: (id: number) => string;
  log: Logger;
  now: () => number;
  config?: LinkConfig;
}

interface Pending {
  builder: SightingBuilder;
  /** The largest unoccluded view so far: its body crop (cut from the frame it was seen in) and its area. */
  shot: { jpeg: Buffer; area: number } | null;
  event_id: number | null;
  /** Wall time of its last observation (a track whose end never comes is dropped after STALE_MS). */
  seen: number;
}

/** Identities seen within this long are candidates (older ones are beyond any plausible transit). */
const CANDIDATE_WINDOW_MS = 12 * 3600_000;
/** A pending track not observed for this long is dropped (its camera stopped detecting, so its end never came). */
const STALE_MS = 10 * 60_000;
/** A track this short is a flicker, not a sighting. */
const MIN_OBSERVATIONS = 2;

export class IdentityCaptureService implements CaptureListener {
  private readonly pending = new Map<string, Pending>();
  private readonly transit = new TransitModel();
  private queue: Promise<void> = Promise.resolve();
  private readonly cfg: LinkConfig;
  private stats_ = { sightings: 0, linked: 0, created: 0, failed: 0, merged: 0 };
  /** Sightings of candidate identities seen by the last link (a face link's matched sighting, for transit learning). */
  private lastRefs = new Map<number, SightingRef>();

  constructor(private readonly d: IdentityCaptureDeps) {
    this.cfg = d.config ?? DEFAULT_LINK_CONFIG;
  }

  stats(): { sightings: number; linked: number; created: number; failed: number; merged: number } {
    return { ...this.stats_ };
  }

  /** A crop is wanted of each unoccluded view larger than its track's best so far (a reid_enabled camera's only). */
  cropsWanted(cameraId: number, regions: readonly { track_id: number; box: Box }[]): boolean[] {
    if (!this.d.cameras.get(cameraId)?.tuning.reid_enabled) return regions.map(() => false);
    const occluded = occludedBoxes(regions.map((r) => r.box));
    return regions.map((r, i) => !occluded[i] && r.box[2] * r.box[3] > (this.pending.get(key(cameraId, r.track_id))?.shot?.area ?? 0));
  }

  observed(o: TrackObservations): void {
    const cam = this.d.cameras.get(o.camera_id);
    if (!cam?.tuning.reid_enabled) return;
    const occluded = occludedBoxes(o.tracks.map((t) => t.box));
    const event = this.d.openEvent(o.camera_id);
    const now = this.d.now();
    if (this.pending.size > 64) for (const [k, p] of this.pending) if (now - p.seen > STALE_MS) this.pending.delete(k);
    o.tracks.forEach((t, i) => {
      const k = key(o.camera_id, t.track_id);
      let p = this.pending.get(k);
      if (!p) this.pending.set(k, (p = { builder: new SightingBuilder(o.camera_id, t.track_id), shot: null, event_id: null, seen: now }));
      p.seen = now;
      const hidden = occluded[i] ?? false;
      p.builder.observe({ ts_ms: o.ts_ms, box: t.box, score: t.score, appearance: t.appearance, occluded: hidden, face: t.face });
      if (event !== null) p.event_id = event;
      const area = t.box[2] * t.box[3];
      if (!hidden && t.crop_jpeg && (!p.shot || area > p.shot.area)) p.shot = { jpeg: t.crop_jpeg, area };
    });
  }

  ended(cameraId: number, track: EndedTrack, personId: number | null): void {
    const k = key(cameraId, track.id);
    const p = this.pending.get(k);
    this.pending.delete(k);
    if (!p || p.builder.observations < MIN_OBSERVATIONS) return;
    // One at a time, in the order tracks end: each link sees the sightings stored before it.
    this.queue = this.queue.then(() => this.store(cameraId, track, personId, p)).catch((err: unknown) => {
      this.stats_.failed++;
      this.d.log.warn({ camera_id: cameraId, track_id: track.id, err: err instanceof Error ? err.message : String(err) }, 'sighting not stored');
    });
  }

  forget(cameraId: number): void {
    for (const k of [...this.pending.keys()]) if (k.startsWith(`${cameraId}:`)) this.pending.delete(k);
  }

  /**
   * The maintenance pass: unnamed identities of the last hours that clearly match (planMerges: stricter than linking,
   * never across a never-together mark or a clash in time) are merged. Each merge is an ordinary, undoable operation.
   */
  maintain(objectClass = 'person'): Promise<number> {
    const run = this.queue.then(async () => {
      const c = toLinkCandidates(this.d.store.candidates({ object_class: objectClass, since_ms: this.d.now() - CANDIDATE_WINDOW_MS }));
      if (c.length < 2) return 0;
      const never = new NeverTogether(this.d.store.neverPairs(c.map((x) => x.identity_id)));
      const ids: MaintenanceIdentity[] = c.map((x) => ({ ...x, sightings: x.recent_sightings }));
      let merged = 0;
      for (const plan of planMerges(ids, never, DEFAULT_MAINTENANCE_CONFIG, this.transit)) {
        const r = await this.d.store.merge({ target_id: plan.target_id, source_ids: [...plan.source_ids] });
        if (!r.ok) continue;
        merged += plan.source_ids.length;
        this.d.log.info({ target_id: plan.target_id, source_ids: plan.source_ids, kind: plan.kind, score: plan.score }, `maintenance merge: ${plan.detail}`);
      }
      this.stats_.merged += merged;
      return merged;
    });
    this.queue = run.then(
      () => undefined,
      (err: unknown) => this.d.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'identity maintenance failed'),
    );
    return run;
  }

  /** Resolves when every ended track so far is stored. */
  idle(): Promise<void> {
    return this.queue;
  }

  private async store(cameraId: number, track: EndedTrack, personId: number | null, p: Pending): Promise<void> {
    const crop = p.shot?.jpeg ?? null;
    let s: SightingSummary = p.builder.finish({
      object_class: track.label,
      event_id: p.event_id,
      crop_jpeg: crop,
      face_model: this.d.faceModel(),
      person_id: personId,
      color: null,
      best: { box: track.best_box, ms: track.best_ms, score: track.best_score },
      start_ms: track.first_ms,
      end_ms: track.last_ms,
    });
    const link = this.link(s);
    // Too little face evidence must not become a face exemplar other sightings link to.
    if ((s.face_weight ?? 0) < this.cfg.face_min_weight) s = { ...s, face_embedding: null };
    const r = await this.d.store.addSighting(s, link);
    this.stats_.sightings++;
    if (link.kind === 'new') this.stats_.created++;
    else this.stats_.linked++;
    if ((link.kind === 'face' || link.kind === 'manual') && link.matched_sighting_id !== null && link.gap_s !== null) {
      const matched = this.lastRefs.get(link.matched_sighting_id);
      if (matched) if (matched.camera_id !== cameraId) this.transit.observe({ from_camera: matched.camera_id, to_camera: cameraId, gap_s: link.gap_s });
    }
    this.d.log.debug({ camera_id: cameraId, track_id: track.id, identity_id: r.identity_id, sighting_id: r.sighting_id, kind: link.kind, score: link.score }, link.detail);
  }

  /** Linking over the store's bounded candidates (pure decision; the store reads are index-backed). */
  private link(s: SightingSummary): LinkEvidence {
    const c = this.d.store.candidates({ object_class: s.object_class, since_ms: s.start_ms - CANDIDATE_WINDOW_MS, person_ids: s.person_id !== null ? [s.person_id] : [] });
    const candidates = toLinkCandidates(c);
    this.lastRefs = new Map(candidates.flatMap((x) => x.recent_sightings.map((r) => [r.id, r] as const)));
    const labels: EvidenceLabels = { camera: (id) => this.d.cameraName(id), time: (ms) => new Date(ms).toLocaleTimeString('en-GB', { hour12: false }) };
    // A new sighting carries no never-together marks yet: those name stored sightings (maintenance reads them).
    return decideLink(s, candidates, new NeverTogether(), this.cfg, this.transit, labels);
  }
}

const key = (cameraId: number, trackId: number): string => `${cameraId}:${trackId}`;

const ref = (x: CandidateSighting): SightingRef => ({ id: x.id, camera_id: x.camera_id, start_ms: x.start_ms, end_ms: x.end_ms });

/** The store's candidate view → linking's (storage-agnostic) candidates. */
export function toLinkCandidates(c: LinkCandidates): LinkCandidate[] {
  const byIdentity = new Map<number, Map<number, SightingRef>>();
  const add = (x: CandidateSighting): void => {
    const m = byIdentity.get(x.identity_id) ?? new Map<number, SightingRef>();
    m.set(x.id, ref(x));
    byIdentity.set(x.identity_id, m);
  };
  for (const list of c.recent_by_camera.values()) list.forEach(add);
  for (const i of c.identities) i.last_by_camera.forEach(add);
  return c.identities.map((i) => {
    const known = byIdentity.get(i.id) ?? new Map<number, SightingRef>();
    return {
      identity_id: i.id,
      is_named: i.is_named,
      object_class: i.object_class,
      person_id: i.person_id,
      face_exemplars: i.faces.map((f) => ({ embedding: f.embedding, model: f.model, weight: null, sighting: known.get(f.sighting_id) ?? null })),
      appearance_exemplars: i.appearances.map((a) => ({ descriptor: a.appearance, sighting: known.get(a.sighting_id) ?? null })),
      recent_sightings: [...known.values()],
    };
  });
}
