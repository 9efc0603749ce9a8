// Operator corrections of identities (merge, split, rename, not-same, delete), each logged with the rows it changed, and undo.
import { ApiError, badRequest, conflict, notFound } from '../../shared/errors';
import type { EventDto } from '../../shared/contract/events.contract';
import type { IdentityOpResultDto } from '../../shared/contract/identities.contract';
import type { EventRow } from '../../repositories/events.repository';
import type { IdentitiesRepository, IdentityRow, ExemplarKind, SightingVectorsRow } from '../../repositories/identities.repository';
import type { IdentityOpsRepository, OpKind, OpRow } from '../../repositories/identity-ops.repository';
import type { IdentityFilesRepository } from '../../repositories/identity-files.repository';
import type { Logger } from '../../repositories/logger';
import type { PushSink } from '../../ports/push.port';
import { identityDir } from './identity-dto';
import {
  MAX_APPEARANCE_EXEMPLARS,
  MAX_FACE_EXEMPLARS,
  SPLIT_NEVER_SIDE,
  appearanceExemplarQuality,
  classifyEvents,
  faceExemplarQuality,
  mergedName,
  presenceSegments,
  splitNeverPairs,
} from './identity-policy';
import { autoSplit } from './identity-split';

/** Identities deleted per logged operation (bulk-delete and clear-all log one per chunk, undone together). */
export const DELETE_CHUNK = 200;
/** Newest sightings an auto split clusters. */
export const AUTO_SPLIT_MAX = 5000;
const FILE_CHUNK = 500;

export interface IdentityOpsDeps {
  repo: IdentitiesRepository;
  ops: IdentityOpsRepository;
  files: IdentityFilesRepository;
  /** Deletes events with their files and announces it (EventsService.deleteIds). */
  events: { deleteIds(ids: number[]): number; toDto(r: EventRow): EventDto };
  /** Deletes captured face samples: rows, index entries, crops, listeners (FaceSamplesService.deleteIds). */
  faceSamples: { deleteIds(ids: readonly number[]): Promise<number> };
  /** Indexes restored face samples again (FaceIndexService.addCaptured). */
  faceIndex: { addCaptured(id: number, embedding: Float32Array, model: string): void };
  bus: PushSink;
  /** settings.identity_undo_hours. */
  undoHours: () => number;
  now: () => number;
  log: Logger;
  yieldLoop: () => Promise<void>;
}

export const trashDir = (opId: number): string => `trash/identities/${opId}`;
const EXEMPLAR_MAX: Record<ExemplarKind, number> = { face: MAX_FACE_EXEMPLARS, appearance: MAX_APPEARANCE_EXEMPLARS };
const label = (r: Pick<IdentityRow, 'id' | 'name'>): string => (r.name ? `#${r.id} "${r.name}"` : `#${r.id}`);
const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

interface Batch {
  id: number;
  expires_ms: number;
}

export class IdentityOpsService {
  constructor(private readonly d: IdentityOpsDeps) {}

  update(id: number, patch: { name?: string | null; notes?: string | null; is_named?: boolean }): void {
    const r = this.row(id);
    const next = { ...patch };
    if (next.is_named === undefined && typeof next.name === 'string') next.is_named = true;
    const changes: string[] = [];
    if (next.name !== undefined && next.name !== r.name) changes.push(`name ${JSON.stringify(r.name)} → ${JSON.stringify(next.name)}`);
    if (next.notes !== undefined && next.notes !== r.notes) changes.push('notes');
    if (next.is_named !== undefined && next.is_named !== (r.is_named === 1)) changes.push(next.is_named ? 'confirmed' : 'unconfirmed');
    if (!changes.length) return;
    this.d.repo.tx(() => {
      const opId = this.open('rename', [id], `Updated ${label(r)}: ${changes.join(', ')}`, {}, null);
      this.d.ops.snapshot(opId, 'identities.id', [id]);
      this.d.repo.update(id, next, this.d.now());
    });
  }

  async merge(i: { target_id: number; source_ids: number[] }): Promise<IdentityOpResultDto> {
    const target = this.row(i.target_id);
    const sourceIds = [...new Set(i.source_ids)].filter((x) => x !== target.id);
    if (!sourceIds.length) throw badRequest('Nothing to merge: source_ids only named the target.');
    const sources = this.d.repo.getMany(sourceIds);
    const missing = sourceIds.filter((x) => !sources.some((s) => s.id === x));
    if (missing.length) throw notFound(`Identit${missing.length === 1 ? 'y' : 'ies'} ${missing.join(', ')} not found`);
    const all = [target.id, ...sourceIds];
    const now = this.d.now();
    const { opId, moved, detail } = this.d.repo.tx(() => {
      const opId = this.open('merge', all, '', { presence: true, target_id: target.id }, null);
      this.d.ops.snapshot(opId, 'identities.id', all);
      this.d.ops.snapshot(opId, 'presence_segments.identity', all);
      const moved = this.d.ops.moveSightings(opId, { identities: sourceIds }, target.id);
      this.d.ops.moveExemplars(opId, { identities: sourceIds }, target.id);
      this.d.ops.relinkEvents(opId, { identities: sourceIds }, target.id);
      for (const kind of ['face', 'appearance'] as const) {
        const beyond = this.d.repo.exemplarsBeyond(target.id, kind, EXEMPLAR_MAX[kind]);
        this.d.ops.snapshot(opId, 'identity_exemplars.id', beyond);
        this.d.repo.deleteExemplars(beyond);
      }
      const named = mergedName(target, sources);
      if (named) this.d.repo.update(target.id, named, now);
      this.d.repo.deleteIdentities(sourceIds);
      this.recompute(target.id);
      const detail = `Merged ${sourceIds.length} identit${sourceIds.length === 1 ? 'y' : 'ies'} (${plural(moved, 'sighting')}) into ${label({ id: target.id, name: named?.name ?? target.name })}`;
      this.d.ops.update(opId, { detail });
      return { opId, moved, detail };
    });
    await this.moveFiles(opId, 'forward');
    for (const s of sourceIds) await this.d.files.pruneEmpty(identityDir(s), 'identities');
    this.d.log.info({ op: opId, target: target.id, sources: sourceIds.length, moved }, 'identities merged');
    return { ok: true, target_id: target.id, affected_ids: all, moved_sightings: moved, detail, operation_id: opId };
  }

  async split(id: number, i: { sighting_ids?: number[]; auto?: boolean; new_name?: string | null }): Promise<IdentityOpResultDto> {
    const src = this.row(id);
    let peel: number[];
    let how: string;
    if (i.sighting_ids?.length) {
      const wanted = [...new Set(i.sighting_ids)];
      peel = this.d.repo.sightingIdsIn(id, wanted);
      const mine = new Set(peel);
      const foreign = wanted.filter((s) => !mine.has(s));
      if (foreign.length) throw badRequest(`Sighting${foreign.length === 1 ? '' : 's'} ${foreign.slice(0, 20).join(', ')} ${foreign.length === 1 ? 'is' : 'are'} not of identity ${id}.`);
      how = 'by hand';
    } else if (i.auto) {
      const items = this.d.repo.sightingVectors(id, AUTO_SPLIT_MAX).map((v) => ({
        id: v.id,
        best_score: v.best_score,
        face: v.face,
        face_model: v.face_model,
        appearance: v.upper && v.lower ? { upper: v.upper, lower: v.lower, features: v.features } : null,
      }));
      const plan = autoSplit(items, src.rep_sighting_id);
      if (!plan) throw badRequest(`Identity ${id} cannot be split automatically: it needs two sightings with a face or an appearance that differ.`);
      peel = plan.peel;
      how = `automatically by ${plan.by} (halves ${plan.centroid_similarity.toFixed(2)} alike)`;
    } else {
      throw badRequest('Give sighting_ids to split off, or auto=true.');
    }
    if (peel.length >= this.d.repo.aggregate(id).num_sightings) throw badRequest('A split must leave the identity at least one sighting.');
    const now = this.d.now();
    const { opId, newId, moved, detail } = this.d.repo.tx(() => {
      const newId = this.d.repo.create({ object_class: src.object_class, name: i.new_name ?? null, is_named: typeof i.new_name === 'string', notes: null, now });
      const opId = this.open('split', [id, newId], '', { presence: true, source_id: id, created: [{ id: newId, from: id }] }, null);
      this.d.ops.snapshot(opId, 'identities.id', [id]);
      this.d.ops.snapshot(opId, 'presence_segments.identity', [id]);
      const moved = this.d.ops.moveSightings(opId, { sightings: peel }, newId);
      this.d.ops.moveExemplars(opId, { sightings: peel }, newId);
      this.d.ops.relinkEvents(opId, { events: this.d.repo.eventsFollowing(id, newId) }, newId);
      const pairs = splitNeverPairs(this.d.repo.topScored(newId, SPLIT_NEVER_SIDE), this.d.repo.topScored(id, SPLIT_NEVER_SIDE));
      const added = this.d.repo.addNever(pairs, now);
      this.d.ops.journal(opId, 'add:never', added.map(([a, b]) => ({ a, b })));
      this.d.ops.journal(opId, 'add:exemplars', [...this.refill(id), ...this.refill(newId)].map((x) => ({ id: x })));
      this.recompute(id);
      this.recompute(newId);
      const detail = `Split ${plural(moved, 'sighting')} of ${label(src)} ${how} into ${label({ id: newId, name: i.new_name ?? null })}`;
      this.d.ops.update(opId, { detail });
      return { opId, newId, moved, detail };
    });
    await this.moveFiles(opId, 'forward');
    this.d.log.info({ op: opId, source: id, created: newId, moved }, 'identity split');
    return { ok: true, target_id: newId, affected_ids: [id, newId], moved_sightings: moved, detail, operation_id: opId };
  }

  notSame(id: number, pair: [number, number]): { ok: boolean; added: boolean; operation_id: number | null } {
    this.row(id);
    const [a, b] = pair;
    if (a === b) throw badRequest('Give two different sightings.');
    const sa = this.d.repo.sighting(a);
    const sb = this.d.repo.sighting(b);
    if (!sa || !sb) throw notFound(`Sighting ${sa ? b : a} not found`);
    if (sa.identity_id !== id && sb.identity_id !== id) throw badRequest(`Neither sighting is of identity ${id}.`);
    return this.d.repo.tx(() => {
      const added = this.d.repo.addNever([[a, b]], this.d.now());
      if (!added.length) return { ok: true, added: false, operation_id: null };
      const opId = this.open('not_same', [...new Set([id, sa.identity_id, sb.identity_id])], `Sightings ${Math.min(a, b)} and ${Math.max(a, b)} marked as not the same`, {}, null);
      this.d.ops.journal(opId, 'add:never', added.map(([x, y]) => ({ a: x, b: y })));
      return { ok: true, added: true, operation_id: opId };
    });
  }

  async delete(id: number): Promise<void> {
    this.row(id);
    await this.deleteChunk([id], null);
  }

  /** Starts a batch (the first operation's id and undo window) for the chunks of one request. */
  private batchOf(opId: number): Batch {
    this.d.ops.update(opId, { batch_id: opId });
    return { id: opId, expires_ms: this.d.ops.get(opId)?.expires_ms ?? 0 };
  }

  async bulkDelete(ids: number[]): Promise<{ deleted: number; operation_id: number | null }> {
    const unique = [...new Set(ids)];
    let deleted = 0;
    let batch: Batch | null = null;
    for (let k = 0; k < unique.length; k += DELETE_CHUNK) {
      const r = await this.deleteChunk(unique.slice(k, k + DELETE_CHUNK), batch);
      deleted += r.deleted;
      if (!batch && r.opId !== null) batch = this.batchOf(r.opId);
    }
    return { deleted, operation_id: batch?.id ?? null };
  }

  async clearAll(i: { confirm?: boolean; object_class?: string }): Promise<{ deleted: number; operation_id: number | null }> {
    if (i.confirm !== true) throw badRequest('clear-all requires {"confirm": true}');
    let deleted = 0;
    let batch: Batch | null = null;
    for (;;) {
      const ids = this.d.repo.firstIds(i.object_class, DELETE_CHUNK);
      if (!ids.length) break;
      const r = await this.deleteChunk(ids, batch);
      deleted += r.deleted;
      if (!batch && r.opId !== null) batch = this.batchOf(r.opId);
      if (ids.length < DELETE_CHUNK) break;
    }
    return { deleted, operation_id: batch?.id ?? null };
  }

  async undo(i: { operation_id?: number }): Promise<{ ok: boolean; operation_id: number; kind: OpKind; undone_ids: number[]; affected_ids: number[]; detail: string }> {
    const now = this.d.now();
    const op = i.operation_id === undefined ? this.d.ops.latestUndoable(now) : this.d.ops.get(i.operation_id);
    if (!op) throw notFound(i.operation_id === undefined ? 'Nothing to undo.' : `Operation ${i.operation_id} not found`);
    if (op.undone) throw conflict(`Operation ${op.id} was already undone.`);
    const batch = this.d.ops.batch(op);
    if (batch.some((o) => o.expires_ms < now)) throw new ApiError(410, `Operation ${op.id} can no longer be undone: its undo window closed.`);
    const affected = [...new Set(batch.flatMap((o) => JSON.parse(o.identity_ids) as number[]))].sort((a, b) => a - b);
    const batchIds = batch.map((o) => o.id);
    const later = this.d.ops.laterTouching(Math.min(...batchIds), affected, batchIds);
    if (later.length) throw conflict(`Undo operation${later.length === 1 ? '' : 's'} ${later.map((o) => o.id).join(', ')} first: ${later.length === 1 ? 'it' : 'they'} changed the same identities later.`);
    const restored = this.d.repo.tx(() => {
      this.d.ops.deferForeignKeys();
      const out = { samples: [] as number[], events: [] as number[] };
      for (const o of [...batch].reverse()) {
        const r = this.restore(o);
        out.samples.push(...r.samples);
        out.events.push(...r.events);
      }
      this.d.ops.markUndone(batchIds, now);
      return out;
    });
    for (const o of [...batch].reverse()) {
      await this.moveFiles(o.id, 'back');
      for (const c of created(o)) await this.d.files.pruneEmpty(identityDir(c.id), 'identities');
    }
    for (const v of this.d.ops.sampleVectors(restored.samples)) this.d.faceIndex.addCaptured(v.id, v.embedding, v.model);
    for (const e of this.d.ops.eventCameras(restored.events)) this.d.bus.emit('event.created', { event_id: e.id, camera_id: e.camera_id });
    const detail = `Undid ${batch.length === 1 ? op.detail || op.kind : `${op.kind} (${batch.length} operations)`}`;
    this.d.log.info({ op: op.id, kind: op.kind, batch: batchIds.length }, 'identity operation undone');
    return { ok: true, operation_id: op.id, kind: op.kind, undone_ids: batchIds, affected_ids: affected, detail };
  }

  /** Drops operations whose undo window closed, with the files their deletes kept in the trash; returns how many. */
  async purgeExpired(): Promise<number> {
    let n = 0;
    for (;;) {
      const ops = this.d.ops.expired(this.d.now(), 100);
      if (!ops.length) break;
      for (const o of ops) await this.d.files.removeDir(trashDir(o.id));
      this.d.ops.delete(ops.map((o) => o.id));
      n += ops.length;
      if (ops.length < 100) break;
    }
    return n;
  }

  /** Makes the identity's derived state agree with its sightings: counters, presence, representative crop, face, colour, person. */
  recompute(id: number): void {
    this.d.repo.setCounters(id, this.d.repo.aggregate(id), this.d.now());
    this.d.repo.replacePresence(id, presenceSegments(this.d.repo.intervals(id)));
    this.d.repo.refreshDerived(id, { face: true, color: true });
  }

  /** Tops up an identity's exemplars from its own sightings (after a split or a purge took some away); the ids added. */
  refill(id: number): number[] {
    const added: number[] = [];
    const counts = this.d.repo.exemplarCounts(id);
    for (const kind of ['face', 'appearance'] as const) {
      const missing = EXEMPLAR_MAX[kind] - counts[kind];
      if (missing <= 0) continue;
      for (const s of this.d.repo.exemplarCandidates(id, kind, missing)) added.push(this.d.repo.addExemplar(exemplarOf(id, s, kind, this.d.now())));
    }
    return added;
  }

  // --- internals ---------------------------------------------------------------------------------

  private open(kind: OpKind, identityIds: readonly number[], detail: string, payload: Record<string, unknown>, batch: Batch | null): number {
    const now = this.d.now();
    return this.d.ops.create({ kind, batch_id: batch?.id ?? null, created_ms: now, expires_ms: batch?.expires_ms ?? now + Math.round(this.d.undoHours() * 3_600_000), identity_ids: identityIds, detail, payload });
  }

  /**
   * Deletes up to DELETE_CHUNK identities as one logged operation: the rows are journalled and deleted, shared events lose
   * the link, files (crop folders, face crops, solo events' media) go to the trash, then solo events and face samples
   * leave through their own services.
   */
  private async deleteChunk(ids: number[], batch: Batch | null): Promise<{ deleted: number; opId: number | null }> {
    const found = this.d.repo.getMany(ids);
    if (!found.length) return { deleted: 0, opId: null };
    const foundIds = found.map((r) => r.id);
    const touched = this.d.repo.touchedEvents(foundIds);
    const { remove, unlink } = classifyEvents(touched, this.d.repo.eventSubjects(touched.map((e) => e.id)), new Set(foundIds));
    const removing = new Set(remove);
    const removed = touched.filter((e) => removing.has(e.id));
    const samples = this.d.repo.facesOfIdentities(foundIds);
    const sampleIds = samples.map((s) => s.id);
    const stray = this.d.repo.strayCrops(foundIds);
    const opId = this.d.repo.tx(() => {
      const detail = found.length === 1 ? `Deleted ${label(found[0] as IdentityRow)}` : `Deleted ${found.length} identities`;
      const opId = this.open('delete', foundIds, `${detail}${remove.length ? ` and ${plural(remove.length, 'event')} only they were in` : ''}`, { presence: true }, batch);
      this.d.ops.snapshot(opId, 'identities.id', foundIds);
      this.d.ops.snapshot(opId, 'sightings.identity', foundIds);
      this.d.ops.snapshot(opId, 'sighting_faces.identity', foundIds);
      this.d.ops.snapshot(opId, 'identity_exemplars.identity', foundIds);
      this.d.ops.snapshot(opId, 'presence_segments.identity', foundIds);
      this.d.ops.snapshot(opId, 'identity_never.identity', foundIds);
      this.d.ops.snapshot(opId, 'events.id', remove);
      this.d.ops.snapshot(opId, 'face_samples.id', sampleIds);
      this.d.ops.snapshot(opId, 'face_negatives.sample', sampleIds);
      this.d.ops.journalEmbeddingLinks(opId, sampleIds);
      this.d.ops.relinkEvents(opId, { events: unlink }, null);
      this.d.repo.deleteIdentities(foundIds);
      return opId;
    });
    const paths = [...foundIds.map(identityDir), ...stray, ...samples.map((s) => s.crop_path), ...removed.flatMap((e) => [e.clip_path, e.thumb_path, e.sprite_path])];
    const moves: { from: string; to: string }[] = [];
    let n = 0;
    for (const from of new Set(paths)) {
      if (!from) continue;
      const to = `${trashDir(opId)}/${from}`;
      if (await this.d.files.move(from, to)) moves.push({ from, to });
      if (++n % 200 === 0) await this.d.yieldLoop();
    }
    for (let k = 0; k < moves.length; k += FILE_CHUNK) this.d.repo.tx(() => this.d.ops.journal(opId, 'file', moves.slice(k, k + FILE_CHUNK)));
    if (remove.length) this.d.events.deleteIds(remove);
    if (sampleIds.length) await this.d.faceSamples.deleteIds(sampleIds);
    this.d.log.info({ op: opId, identities: foundIds.length, events: remove.length, unlinked: unlink.length, faces: sampleIds.length, files: moves.length }, 'identities deleted');
    return { deleted: found.length, opId };
  }

  /** Puts one operation's journalled state back (inside the undo transaction, foreign keys deferred). */
  private restore(o: OpRow): { samples: number[]; events: number[] } {
    const ops = this.d.ops;
    const payload = JSON.parse(o.payload) as { presence?: boolean };
    const involved = JSON.parse(o.identity_ids) as number[];
    // Parents before children, so the foreign-key fixups of a restored row see what is coming back with it.
    const events = ops.restoreRows(o.id, 'events', 'insert');
    const samples = ops.restoreRows(o.id, 'face_samples', 'insert');
    ops.restoreRows(o.id, 'face_negatives', 'insert');
    ops.restoreEmbeddingLinks(o.id);
    // Merges and deletes bring identities back; a rename or split only puts an existing one's row back.
    ops.restoreRows(o.id, 'identities', o.kind === 'merge' || o.kind === 'delete' ? 'upsert' : 'update');
    ops.restoreRows(o.id, 'sightings', 'insert');
    ops.restoreRows(o.id, 'sighting_faces', 'insert');
    // Full rows first: a row journalled after a move (an exemplar trimmed from a merge target) is then moved back too.
    ops.restoreRows(o.id, 'identity_exemplars', 'insert');
    ops.restoreOwners(o.id);
    ops.removeAdded(o.id);
    ops.restoreEventLinks(o.id);
    for (const c of created(o)) {
      // Sightings that joined the split-off identity since go back with the rest.
      if (this.d.repo.get(c.from)) this.d.repo.reassignSightings(c.id, c.from);
      this.d.repo.deleteIdentities([c.id]);
    }
    if (payload.presence) {
      this.d.repo.deletePresenceOf(involved);
      ops.restoreRows(o.id, 'presence_segments', 'insert');
    }
    ops.restoreRows(o.id, 'identity_never', 'insert');
    // An identity whose sightings all went since (a camera purge) is not brought back empty.
    this.d.repo.deleteIdentities(this.d.repo.withoutSightings(involved));
    const alive = this.d.repo.getMany(involved);
    for (const id of ops.fixIdentityRefs(alive.map((r) => r.id))) this.d.repo.refreshDerived(id, { face: true, color: true });
    // Sightings added or removed since the operation (capture, a camera purge): the restored counters would be stale.
    for (const r of alive) {
      const now = this.d.repo.aggregate(r.id);
      if (now.num_sightings !== r.num_sightings || now.total_seconds !== r.total_seconds || now.first_seen_ms !== r.first_seen_ms || now.last_seen_ms !== r.last_seen_ms) this.recompute(r.id);
    }
    return { samples, events };
  }

  /** Moves an operation's journalled files: forward (from → to) or back (to → from), newest last. */
  private async moveFiles(opId: number, dir: 'forward' | 'back'): Promise<void> {
    let after = 0;
    let failed = 0;
    for (;;) {
      const chunk = this.d.ops.read(opId, 'file', after, FILE_CHUNK);
      if (!chunk.length) break;
      after = (chunk[chunk.length - 1] as { rowId: number }).rowId;
      for (const { row } of chunk) {
        const from = String(row.from);
        const to = String(row.to);
        if (!(await (dir === 'forward' ? this.d.files.move(from, to) : this.d.files.move(to, from)))) failed++;
      }
      await this.d.yieldLoop();
    }
    if (failed) this.d.log.warn({ op: opId, dir, failed }, 'identity files not moved (missing or already there)');
  }

  private row(id: number): IdentityRow {
    const r = this.d.repo.get(id);
    if (!r) throw notFound(`Identity ${id} not found`);
    return r;
  }
}

function created(o: OpRow): { id: number; from: number }[] {
  return (JSON.parse(o.payload) as { created?: { id: number; from: number }[] }).created ?? [];
}

export function exemplarOf(identityId: number, s: SightingVectorsRow, kind: ExemplarKind, now: number) {
  let box: number[] = [];
  try {
    box = JSON.parse(s.best_box) as number[];
  } catch {
    box = [];
  }
  return {
    identity_id: identityId,
    sighting_id: s.id,
    kind,
    quality: kind === 'face' ? faceExemplarQuality(s.num_faces, s.best_score) : appearanceExemplarQuality(s.best_score, box),
    face: kind === 'face' ? s.face : null,
    face_model: kind === 'face' ? s.face_model : null,
    upper: kind === 'appearance' ? s.upper : null,
    lower: kind === 'appearance' ? s.lower : null,
    features: kind === 'appearance' ? s.features : null,
    created_ms: now,
  };
}
