// Identities (Iris /api/identities): the store capture writes sightings into, what linking reads, every route, and undo.
import { badRequest, notFound } from '../../shared/errors';
import type { EventDto } from '../../shared/contract/events.contract';
import type { AnalyticsDto, IdentityDto, IdentityItemDto, IdentityOpResultDto, SightingDto } from '../../shared/contract/identities.contract';
import type { IDENTITY_LINK_KINDS } from '../../shared/contract/identities.contract';
import type { IdentityFilter, IdentityRow } from '../../repositories/identities.repository';
import type { OpKind } from '../../repositories/identity-ops.repository';
import type { ServedFile } from '../../repositories/contained-path';
import { faceDto, identityDir, identityDto, identityItem, sightingDto } from './identity-dto';
import { LINK_KINDS, type CandidateIdentity, type CandidateQuery, type CandidateSighting, type LinkCandidates, type LinkEvidence, type LinkKind, type SightingSummary } from './identity-model';
import { IdentityOpsService, type IdentityOpsDeps } from './identity-ops.service';
import { MAX_APPEARANCE_EXEMPLARS, MAX_FACE_EXEMPLARS, PRESENCE_GAP_MS, appearanceExemplarQuality, faceExemplarQuality, startOfLocalDay } from './identity-policy';

export type IdentitiesServiceDeps = IdentityOpsDeps;

/** The contract's link kinds and the domain's are one set (a compile error otherwise). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const LINK_KINDS_AGREE: Same<LinkKind, (typeof IDENTITY_LINK_KINDS)[number]> = true;

const CANDIDATE_DEFAULT = 300;
const CANDIDATE_MAX = 2000;
const PER_CAMERA_DEFAULT = 20;
const PER_CAMERA_MAX = 200;
const PERSON_IDENTITIES = 3;
const PURGE_CHUNK = 500;
const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, Math.floor(x)));
const iso = (ms: number): string => new Date(ms).toISOString();

export interface UndoResult {
  ok: boolean;
  operation_id: number;
  kind: OpKind;
  undone_ids: number[];
  affected_ids: number[];
  detail: string;
}

export class IdentitiesService {
  private readonly ops: IdentityOpsService;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly d: IdentitiesServiceDeps) {
    this.ops = new IdentityOpsService(d);
  }

  // --- capture and linking -------------------------------------------------------------------------

  /**
   * Stores a finished track: a provisional identity for kind 'new' (or when the identity it names is gone), the sighting
   * with its link evidence, face samples and crop (<data>/identities/<id>/), counters, presence, the event's identity
   * link (when the event names none yet), and face/appearance exemplars (the best MAX_* kept per identity).
   */
  addSighting(s: SightingSummary, link: LinkEvidence): Promise<{ identity_id: number; sighting_id: number }> {
    return this.serial(async () => {
      if (![s.start_ms, s.end_ms, s.best_ms, s.best_score].every(Number.isFinite)) throw badRequest('A sighting needs finite times and score.');
      if (!s.object_class) throw badRequest('A sighting needs an object class.');
      if (!this.d.repo.cameraExists(s.camera_id)) throw notFound(`Camera ${s.camera_id} not found`);
      const start = Math.min(s.start_ms, s.end_ms);
      const end = Math.max(s.start_ms, s.end_ms);
      const now = this.d.now();
      const joined = link.kind !== 'new' && link.identity_id !== null ? this.d.repo.get(link.identity_id) : undefined;
      const kind: LinkKind = joined ? link.kind : 'new';
      const detail = joined || link.kind === 'new' ? link.detail : `${link.detail} (identity ${link.identity_id ?? '?'} is gone: a new identity)`;
      const app = s.appearance;
      const ids = this.d.repo.tx(() => {
        const identityId = joined ? joined.id : this.d.repo.create({ object_class: s.object_class, name: null, is_named: false, notes: null, now });
        const sightingId = this.d.repo.insertSighting({
          identity_id: identityId,
          camera_id: s.camera_id,
          event_id: s.event_id,
          track_id: s.track_id,
          object_class: s.object_class,
          start_ms: start,
          end_ms: end,
          best_ms: s.best_ms,
          best_score: s.best_score,
          best_box: [...s.best_box],
          app_upper: app?.upper ?? null,
          app_lower: app?.lower ?? null,
          app_features: app?.features ?? null,
          face_embedding: s.face_embedding && s.face_model ? s.face_embedding : null,
          face_model: s.face_embedding && s.face_model ? s.face_model : null,
          person_id: s.person_id,
          color: s.color?.name ?? null,
          color_hex: s.color?.hex ?? null,
          link_kind: kind,
          link_score: kind === 'new' ? null : link.score,
          face_score: link.face_score,
          appearance_score: link.appearance_score,
          matched_sighting_id: kind === 'new' ? null : link.matched_sighting_id,
          gap_s: kind === 'new' ? null : link.gap_s,
          link_detail: detail,
          created_ms: now,
        });
        this.d.repo.addSightingFaces(sightingId, s.face_sample_ids);
        this.d.repo.bumpCounters(identityId, start, end, now);
        this.d.repo.addPresence(identityId, s.camera_id, start, end, PRESENCE_GAP_MS);
        if (s.event_id !== null) this.d.repo.linkEvent(s.event_id, identityId);
        if (s.face_embedding && s.face_model) {
          this.d.repo.addExemplar({
            identity_id: identityId,
            sighting_id: sightingId,
            kind: 'face',
            quality: faceExemplarQuality(s.face_sample_ids.length, s.best_score),
            face: s.face_embedding,
            face_model: s.face_model,
            upper: null,
            lower: null,
            features: null,
            created_ms: now,
          });
          this.d.repo.deleteExemplars(this.d.repo.exemplarsBeyond(identityId, 'face', MAX_FACE_EXEMPLARS));
        }
        if (app) {
          this.d.repo.addExemplar({
            identity_id: identityId,
            sighting_id: sightingId,
            kind: 'appearance',
            quality: appearanceExemplarQuality(s.best_score, s.best_box),
            face: null,
            face_model: null,
            upper: app.upper,
            lower: app.lower,
            features: app.features,
            created_ms: now,
          });
          this.d.repo.deleteExemplars(this.d.repo.exemplarsBeyond(identityId, 'appearance', MAX_APPEARANCE_EXEMPLARS));
        }
        this.d.repo.offerFace(identityId, s.face_sample_ids);
        this.d.repo.refreshDerived(identityId, { face: false, color: s.color !== null });
        return { identity_id: identityId, sighting_id: sightingId };
      });
      if (s.crop_jpeg?.length) {
        try {
          const path = await this.d.files.writeUnique(identityDir(ids.identity_id), 'jpg', s.crop_jpeg, `${Math.max(0, Math.round(s.best_ms))}-`);
          this.d.repo.tx(() => {
            this.d.repo.setSightingCrop(ids.sighting_id, path);
            this.d.repo.refreshDerived(ids.identity_id, { face: false, color: false });
          });
        } catch (err) {
          this.d.log.warn({ err, sighting_id: ids.sighting_id }, 'sighting crop not written');
        }
      }
      return ids;
    });
  }

  /**
   * What linking compares a new sighting with, bounded: the identities of one class seen since `since_ms` (most recent
   * first, at most max_identities) plus those the given enrolled people were last recognised in, each with its
   * exemplars and its newest recent sighting per camera; and each camera's newest recent sightings of the class.
   */
  candidates(q: CandidateQuery): LinkCandidates {
    const max = clamp(q.max_identities ?? CANDIDATE_DEFAULT, 1, CANDIDATE_MAX);
    const perCamera = clamp(q.per_camera ?? PER_CAMERA_DEFAULT, 1, PER_CAMERA_MAX);
    const rows = new Map<number, IdentityRow>(this.d.repo.recentIdentities(q.object_class, q.since_ms, max).map((r) => [r.id, r]));
    const extra = [...new Set((q.person_ids ?? []).slice(0, 100).flatMap((p) => this.d.repo.identitiesOfPerson(p, PERSON_IDENTITIES)))].filter((id) => !rows.has(id));
    for (const r of this.d.repo.getMany(extra)) if (r.object_class === q.object_class) rows.set(r.id, r);
    const ids = [...rows.keys()];
    const byIdentity = new Map<number, CandidateIdentity>();
    for (const r of rows.values()) {
      byIdentity.set(r.id, {
        id: r.id,
        name: r.name,
        is_named: r.is_named === 1,
        object_class: r.object_class,
        person_id: r.person_id,
        num_sightings: r.num_sightings,
        first_seen_ms: r.first_seen_ms ?? 0,
        last_seen_ms: r.last_seen_ms ?? 0,
        faces: [],
        appearances: [],
        last_by_camera: [],
      });
    }
    for (const e of this.d.repo.exemplarsOf(ids)) {
      const c = byIdentity.get(e.identity_id);
      if (!c) continue;
      if (e.kind === 'face' && e.face && e.face_model) c.faces.push({ sighting_id: e.sighting_id, embedding: e.face, model: e.face_model, quality: e.quality });
      if (e.kind === 'appearance' && e.upper && e.lower) c.appearances.push({ sighting_id: e.sighting_id, appearance: { upper: e.upper, lower: e.lower, features: e.features }, quality: e.quality });
    }
    const seen = new Set<string>();
    for (const s of this.d.repo.recentSightingsOf(ids, q.since_ms)) {
      const key = `${s.identity_id}:${s.camera_id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      byIdentity.get(s.identity_id)?.last_by_camera.push(s as CandidateSighting);
    }
    const recent = new Map<number, CandidateSighting[]>();
    for (const cam of this.d.repo.cameraIds()) {
      const list = this.d.repo.recentOnCamera(cam, q.object_class, q.since_ms, perCamera) as CandidateSighting[];
      if (list.length) recent.set(cam, list);
    }
    return { identities: [...byIdentity.values()], recent_by_camera: recent };
  }

  /** Whether two sightings were split apart or marked "not the same". */
  neverTogether(a: number, b: number): boolean {
    return this.d.repo.neverTogether(a, b);
  }

  /** Pairs of these identities (a < b) that must never be merged: they hold a never-together pair of sightings. */
  neverPairs(identityIds: readonly number[]): [number, number][] {
    return this.d.repo.neverIdentityPairs(identityIds);
  }

  /** Identities a sighting must never join (they hold a sighting never to be with it). */
  neverIdentitiesOf(sightingId: number): number[] {
    return this.d.repo.neverIdentitiesOf(sightingId);
  }

  /**
   * Camera delete: the camera's sightings, crops and presence go; identities left without sightings go too (cross-camera
   * ones stay, recomputed). Runs before the camera row is deleted. Not logged for undo.
   */
  purgeCamera(cameraId: number): Promise<{ sightings: number; identities: number }> {
    return this.serial(async () => {
      const touched = new Set<number>();
      let sightings = 0;
      for (;;) {
        const rows = this.d.repo.sightingsOfCamera(cameraId, PURGE_CHUNK);
        if (!rows.length) break;
        this.d.repo.tx(() => this.d.repo.deleteSightings(rows.map((r) => r.id)));
        for (const r of rows) {
          touched.add(r.identity_id);
          await this.d.files.remove(r.crop_path);
        }
        sightings += rows.length;
        await this.d.yieldLoop();
      }
      const orphans = this.d.repo.tx(() => {
        this.d.repo.deleteCameraPresence(cameraId);
        const orphans = this.d.repo.withoutSightings([...touched]);
        this.d.repo.deleteIdentities(orphans);
        const gone = new Set(orphans);
        for (const id of touched) {
          if (gone.has(id)) continue;
          this.ops.recompute(id);
          this.ops.refill(id);
        }
        return orphans;
      });
      for (const id of orphans) await this.d.files.removeDir(identityDir(id));
      if (sightings) this.d.log.info({ camera_id: cameraId, sightings, identities: orphans.length }, 'identities purged with their camera');
      return { sightings, identities: orphans.length };
    });
  }

  // --- reads ---------------------------------------------------------------------------------------

  list(q: IdentityFilter & { limit: number; offset: number }): { total: number; items: IdentityItemDto[] } {
    const { limit, offset, ...filter } = q;
    const r = this.d.repo.list(filter, limit, offset);
    const cameras = this.d.repo.camerasOf(r.items.map((i) => i.id));
    return { total: r.total, items: r.items.map((i) => identityItem(i, cameras.get(i.id) ?? [])) };
  }

  /** The dashboard's aggregates; the event loop runs between its queries (see the repository). */
  async analytics(q: { object_class: string }): Promise<AnalyticsDto> {
    const now = this.d.now();
    const steps = this.d.repo.analytics(q.object_class, now, startOfLocalDay(now));
    let step = steps.next();
    while (!step.done) {
      await this.d.yieldLoop();
      step = steps.next();
    }
    const a = step.value;
    const hour0 = Math.floor(now / 3_600_000) * 3_600_000 - 23 * 3_600_000;
    const hours = new Map(a.by_hour.map((h) => [h.hour_ms, h]));
    const kinds = Object.fromEntries(LINK_KINDS.map((k) => [k, a.by_match_kind.find((m) => m.link_kind === k)?.n ?? 0])) as Record<LinkKind, number>;
    return {
      object_class: q.object_class,
      summary: { ...a.summary, unnamed: a.summary.total - a.summary.named },
      by_camera: a.by_camera.map((c) => ({ camera_id: c.camera_id, camera_name: c.camera_name, sightings: c.sightings, identities: c.identities, avg_dwell_s: c.avg_dwell_ms === null ? null : c.avg_dwell_ms / 1000 })),
      by_hour: Array.from({ length: 24 }, (_, k) => {
        const h = hour0 + k * 3_600_000;
        return { hour: iso(h), sightings: hours.get(h)?.sightings ?? 0, identities: hours.get(h)?.identities ?? 0 };
      }),
      by_match_kind: kinds,
    };
  }

  get(id: number, recent = 24): IdentityDto & { sightings: SightingDto[] } {
    const dto = this.identity(id);
    const rows = recent > 0 ? this.d.repo.sightings(id, recent, 0).items : [];
    const faces = this.d.repo.faceSampleIdsOf(rows.map((r) => r.id));
    return { ...dto, sightings: rows.map((r) => sightingDto(r, faces.get(r.id) ?? [])) };
  }

  sightings(id: number, limit: number, offset: number): { total: number; items: SightingDto[] } {
    this.row(id);
    const r = this.d.repo.sightings(id, limit, offset);
    const faces = this.d.repo.faceSampleIdsOf(r.items.map((s) => s.id));
    return { total: r.total, items: r.items.map((s) => sightingDto(s, faces.get(s.id) ?? [])) };
  }

  events(id: number, limit: number, offset: number): { total: number; items: EventDto[] } {
    this.row(id);
    const r = this.d.repo.events(id, limit, offset);
    return { total: r.total, items: r.items.map((e) => this.d.events.toDto(e)) };
  }

  faces(id: number, limit: number, offset: number): { total: number; items: ReturnType<typeof faceDto>[] } {
    this.row(id);
    const r = this.d.repo.faces(id, limit, offset);
    return { total: r.total, items: r.items.map(faceDto) };
  }

  /** The representative body crop: 404 when the identity, its crop or the file is missing, 400 if the path escapes. */
  thumbnail(id: number): ServedFile {
    const r = this.row(id);
    const s = r.rep_sighting_id === null ? undefined : this.d.repo.sighting(r.rep_sighting_id);
    if (!s?.crop_path) throw notFound(`Identity ${id} has no thumbnail`);
    return this.d.files.served(s.crop_path, 'Identity thumbnail');
  }

  sightingThumbnail(sid: number): ServedFile {
    const s = this.d.repo.sighting(sid);
    if (!s) throw notFound(`Sighting ${sid} not found`);
    if (!s.crop_path) throw notFound(`Sighting ${sid} has no crop`);
    return this.d.files.served(s.crop_path, 'Sighting thumbnail');
  }

  operations(limit: number, offset: number) {
    const now = this.d.now();
    const r = this.d.ops.list(limit, offset);
    return {
      total: r.total,
      items: r.items.map((o) => ({
        id: o.id,
        kind: o.kind,
        batch_id: o.batch_id,
        created_at: iso(o.created_ms),
        expires_at: iso(o.expires_ms),
        undone: o.undone === 1,
        undone_at: o.undone_ms === null ? null : iso(o.undone_ms),
        identity_ids: JSON.parse(o.identity_ids) as number[],
        detail: o.detail,
        can_undo: o.undone === 0 && o.expires_ms >= now,
      })),
    };
  }

  // --- operator corrections (logged for undo) --------------------------------------------------------

  update(id: number, patch: { name?: string | null; notes?: string | null; is_named?: boolean }): Promise<IdentityDto> {
    return this.serial(async () => {
      this.ops.update(id, patch);
      return this.identity(id);
    });
  }

  merge(i: { target_id: number; source_ids: number[] }): Promise<IdentityOpResultDto> {
    return this.serial(() => this.ops.merge(i));
  }

  split(id: number, i: { sighting_ids?: number[]; auto?: boolean; new_name?: string | null }): Promise<IdentityOpResultDto> {
    return this.serial(() => this.ops.split(id, i));
  }

  notSame(id: number, pair: [number, number]): Promise<{ ok: boolean; added: boolean; operation_id: number | null }> {
    return this.serial(async () => this.ops.notSame(id, pair));
  }

  delete(id: number): Promise<void> {
    return this.serial(() => this.ops.delete(id));
  }

  bulkDelete(ids: number[]): Promise<{ deleted: number; operation_id: number | null }> {
    return this.serial(() => this.ops.bulkDelete(ids));
  }

  clearAll(i: { confirm?: boolean; object_class?: string }): Promise<{ deleted: number; operation_id: number | null }> {
    return this.serial(() => this.ops.clearAll(i));
  }

  undo(i: { operation_id?: number }): Promise<UndoResult> {
    return this.serial(() => this.ops.undo(i));
  }

  /** Closes expired undo windows: their log entries and the files their deletes kept go. The app calls it periodically. */
  purgeExpired(): Promise<number> {
    return this.serial(() => this.ops.purgeExpired());
  }

  // --- internals ---------------------------------------------------------------------------------

  private identity(id: number): IdentityDto {
    const r = this.row(id);
    return identityDto(r, this.d.repo.camerasOf([id]).get(id) ?? [], this.d.repo.exemplarCounts(id));
  }

  private row(id: number): IdentityRow {
    const r = this.d.repo.get(id);
    if (!r) throw notFound(`Identity ${id} not found`);
    return r;
  }

  /** Every write runs alone: a delete never interleaves with a sighting being added to the same identity. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
