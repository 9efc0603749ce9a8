// Identities: the filtered, paged list with multi-selection, the open identity (sightings, faces, events), every
// correction (rename, merge, split, not-same, delete) and the undo log; each correction reloads what it touched.
import { create } from 'zustand';
import { api, ClientError } from '../api/client';
import type { OpOutput } from '../../../src-main/shared/contract';
import type { EventDto } from '../../../src-main/shared/contract/events.contract';
import type { IdentityDto, IdentityItemDto, IdentityOpResultDto, SightingDto } from '../../../src-main/shared/contract/identities.contract';

export type { IdentityDto, IdentityItemDto, IdentityOpResultDto, SightingDto };
export type OperationDto = OpOutput<'identities.operations'>['items'][number];
export type IdentityFaceDto = OpOutput<'identities.faces'>['items'][number];
export type UndoResultDto = OpOutput<'identities.undo'>;

export interface IdentityFilters {
  named_only: boolean;
  /** 0 shows every identity, provisional ones included. */
  min_sightings: number;
  /** Empty: every class. */
  object_class: string;
}

export const PAGE = 100;
export const SIGHTINGS_PAGE = 200;
export const FACES_PAGE = 60;
export const EVENTS_PAGE = 24;
export const OPERATIONS_PAGE = 50;

/** The label an operator reads: the name, or "Unknown #id" until someone names it. */
export const displayName = (i: { id: number; name: string | null }): string => i.name ?? `Unknown #${i.id}`;

/** Shift-click range selection over the visible order. */
export function rangeIds(items: readonly { id: number }[], a: number, b: number): number[] {
  const ia = items.findIndex((x) => x.id === a);
  const ib = items.findIndex((x) => x.id === b);
  if (ia < 0 || ib < 0) return [b];
  const [lo, hi] = ia < ib ? [ia, ib] : [ib, ia];
  return items.slice(lo, hi + 1).map((x) => x.id);
}

type Mergeable = Pick<IdentityItemDto, 'id' | 'name' | 'is_named' | 'num_sightings'>;

/** The target a merge proposes: a named identity first, then the one with most sightings, then the oldest (lowest id). */
export function defaultMergeTarget(items: readonly Mergeable[]): number | null {
  const sorted = [...items].sort((a, b) => Number(b.is_named && b.name !== null) - Number(a.is_named && a.name !== null) || b.num_sightings - a.num_sightings || a.id - b.id);
  return sorted[0]?.id ?? null;
}

export interface MergePreview {
  target: Mergeable;
  /** Each source with the sightings it brings over. */
  moves: { id: number; label: string; sightings: number }[];
  moved: number;
  total: number;
  /** The name the merged identity will carry (null: still unknown). */
  keptName: string | null;
  /** Whether that name comes from a source (the target had none). */
  nameFromSource: boolean;
}

/** What a merge moves and which name survives, as the server decides it (identity-policy mergedName). */
export function mergePreview(items: readonly Mergeable[], targetId: number): MergePreview | null {
  const target = items.find((x) => x.id === targetId);
  if (!target) return null;
  const sources = items.filter((x) => x.id !== targetId);
  const targetNamed = target.is_named && target.name !== null;
  const donor = targetNamed ? null : ([...sources].filter((s) => s.is_named && s.name !== null).sort((a, b) => b.num_sightings - a.num_sightings || a.id - b.id)[0] ?? null);
  const moves = sources.map((s) => ({ id: s.id, label: displayName(s), sightings: s.num_sightings }));
  const moved = moves.reduce((n, m) => n + m.sightings, 0);
  return { target, moves, moved, total: target.num_sightings + moved, keptName: donor ? donor.name : target.name, nameFromSource: donor !== null };
}

/**
 * The sighting "Not the same person" compares a sighting with: the one it was linked to when that still exists, else the
 * identity's representative sighting (for the sighting that started the identity). Null when there is none to compare.
 */
export function notSamePartner(s: Pick<SightingDto, 'id' | 'link'>, repSightingId: number | null): { id: number; linked: boolean } | null {
  if (s.link.matched && s.link.matched.sighting_id !== s.id) return { id: s.link.matched.sighting_id, linked: true };
  if (repSightingId !== null && repSightingId !== s.id) return { id: repSightingId, linked: false };
  return null;
}

interface IdentitiesState {
  filters: IdentityFilters;
  items: IdentityItemDto[];
  total: number;
  loaded: boolean;
  loading: boolean;
  selected: Set<number>;
  anchor: number | null;
  /** The keyboard cursor in the list. */
  active: number | null;
  /** The identity whose page is open; `detail` etc. are null until loaded, `missing` once it is gone. */
  current: number | null;
  detail: IdentityDto | null;
  missing: boolean;
  sightings: SightingDto[] | null;
  sightingsTotal: number;
  faces: IdentityFaceDto[] | null;
  facesTotal: number;
  events: EventDto[] | null;
  eventsTotal: number;
  operations: OperationDto[] | null;
  operationsTotal: number;
  setFilters(f: IdentityFilters): Promise<void>;
  load(): Promise<void>;
  loadMore(): Promise<void>;
  select(id: number, mode: 'single' | 'toggle' | 'range'): void;
  selectAll(): void;
  clearSelection(): void;
  setActive(id: number | null): void;
  open(id: number | null): Promise<void>;
  refreshDetail(): Promise<void>;
  loadMoreSightings(): Promise<void>;
  loadOperations(): Promise<void>;
  /** Reloads the list, the open identity and the log after a correction; never rejects. */
  refreshAll(): Promise<void>;
  /** Returns the updated identity and the logged operation (null when nothing changed). */
  update(id: number, patch: { name?: string | null; notes?: string | null; is_named?: boolean }): Promise<{ identity: IdentityDto; operation: OperationDto | null }>;
  merge(targetId: number, sourceIds: number[]): Promise<IdentityOpResultDto>;
  split(id: number, input: { sighting_ids?: number[]; auto?: boolean; new_name?: string | null }): Promise<IdentityOpResultDto>;
  notSame(id: number, pair: [number, number]): Promise<{ added: boolean; operation_id: number | null }>;
  remove(ids: number[]): Promise<{ deleted: number; operation_id: number | null }>;
  undo(operationId?: number): Promise<UndoResultDto>;
}

/** Bumped per list load and per opened identity, so a slow answer for an old filter or identity is dropped. */
let listSeq = 0;
let openSeq = 0;
let opsSeq = 0;

/** The open-identity fields for a newly opened (or no) identity, before anything of it is loaded. */
const closed = (id: number | null) => ({ current: id, detail: null, missing: false, sightings: null, sightingsTotal: 0, faces: null, facesTotal: 0, events: null, eventsTotal: 0 });

const isGone = (err: unknown) => err instanceof ClientError && err.status === 404;

const listInput = (f: IdentityFilters, offset: number) => ({
  named_only: f.named_only || undefined,
  min_sightings: f.min_sightings > 0 ? f.min_sightings : undefined,
  object_class: f.object_class || undefined,
  limit: PAGE,
  offset,
});

export const useIdentities = create<IdentitiesState>((set, get) => ({
  filters: { named_only: false, min_sightings: 0, object_class: '' },
  items: [],
  total: 0,
  loaded: false,
  loading: false,
  selected: new Set(),
  anchor: null,
  active: null,
  current: null,
  detail: null,
  missing: false,
  sightings: null,
  sightingsTotal: 0,
  faces: null,
  facesTotal: 0,
  events: null,
  eventsTotal: 0,
  operations: null,
  operationsTotal: 0,
  async setFilters(f) {
    set({ filters: f, selected: new Set(), anchor: null });
    await get().load();
  },
  async load() {
    const seq = ++listSeq;
    set({ loading: true });
    try {
      const r = await api.call('identities.list', listInput(get().filters, 0));
      if (seq !== listSeq) return;
      const ids = new Set(r.items.map((x) => x.id));
      const { active, selected } = get();
      set({ items: r.items, total: r.total, loaded: true, selected: new Set([...selected].filter((x) => ids.has(x))), active: active !== null && ids.has(active) ? active : null });
    } finally {
      if (seq === listSeq) set({ loading: false });
    }
  },
  async loadMore() {
    const { items, total, loading, filters } = get();
    if (loading || items.length >= total) return;
    const seq = ++listSeq;
    set({ loading: true });
    try {
      const r = await api.call('identities.list', listInput(filters, items.length));
      if (seq !== listSeq) return;
      const seen = new Set(get().items.map((x) => x.id));
      set({ items: [...get().items, ...r.items.filter((x) => !seen.has(x.id))], total: r.total });
    } finally {
      if (seq === listSeq) set({ loading: false });
    }
  },
  select(id, mode) {
    const { selected, anchor, items } = get();
    if (mode === 'single') set({ selected: new Set([id]), anchor: id });
    else if (mode === 'toggle') {
      const s = new Set(selected);
      if (s.has(id)) s.delete(id);
      else s.add(id);
      set({ selected: s, anchor: id });
    } else set({ selected: new Set([...selected, ...rangeIds(items, anchor ?? id, id)]) });
  },
  selectAll() {
    set({ selected: new Set(get().items.map((x) => x.id)) });
  },
  clearSelection() {
    set({ selected: new Set(), anchor: null });
  },
  setActive(id) {
    set({ active: id });
  },
  async open(id) {
    ++openSeq;
    set(closed(id));
    if (id !== null) await get().refreshDetail();
  },
  async refreshDetail() {
    const id = get().current;
    if (id === null) return;
    const seq = openSeq;
    const still = () => seq === openSeq && get().current === id;
    try {
      const [detail, sightings, faces, events] = await Promise.all([
        api.call('identities.get', { id, recent: 0 }),
        api.call('identities.sightings', { id, limit: Math.max(SIGHTINGS_PAGE, get().sightings?.length ?? 0), offset: 0 }),
        api.call('identities.faces', { id, limit: FACES_PAGE }),
        api.call('identities.events', { id, limit: EVENTS_PAGE }),
      ]);
      if (!still()) return;
      set({ detail, missing: false, sightings: sightings.items, sightingsTotal: sightings.total, faces: faces.items, facesTotal: faces.total, events: events.items, eventsTotal: events.total });
    } catch (err) {
      if (!isGone(err)) throw err;
      if (still()) set({ detail: null, missing: true, sightings: null, faces: null, events: null });
    }
  },
  async loadMoreSightings() {
    const { current: id, sightings, sightingsTotal } = get();
    if (id === null || !sightings || sightings.length >= sightingsTotal) return;
    const seq = openSeq;
    const r = await api.call('identities.sightings', { id, limit: SIGHTINGS_PAGE, offset: sightings.length });
    if (seq !== openSeq || get().current !== id) return;
    const seen = new Set((get().sightings ?? []).map((s) => s.id));
    set({ sightings: [...(get().sightings ?? []), ...r.items.filter((s) => !seen.has(s.id))], sightingsTotal: r.total });
  },
  async loadOperations() {
    const seq = ++opsSeq;
    const r = await api.call('identities.operations', { limit: OPERATIONS_PAGE });
    if (seq === opsSeq) set({ operations: r.items, operationsTotal: r.total });
  },
  async refreshAll() {
    // After a correction succeeded, a failed reload must not read as the correction failing: the next load catches up.
    await Promise.allSettled([get().load(), get().refreshDetail(), get().loadOperations()]);
  },
  async update(id, patch) {
    const identity = await api.call('identities.update', { id, ...patch });
    await get().refreshAll();
    // The log does not come back with the update: the newest live rename of this identity is the one just made.
    const operation = get().operations?.find((o) => o.kind === 'rename' && !o.undone && o.identity_ids.includes(id)) ?? null;
    return { identity, operation };
  },
  async merge(targetId, sourceIds) {
    const r = await api.call('identities.merge', { target_id: targetId, source_ids: sourceIds });
    set({ selected: new Set(r.target_id === null ? [] : [r.target_id]), anchor: r.target_id });
    // An open source is gone: show the target instead of asking for the source.
    const current = get().current;
    if (current !== null && sourceIds.includes(current)) {
      ++openSeq;
      set(closed(targetId));
    }
    await get().refreshAll();
    return r;
  },
  async split(id, input) {
    const r = await api.call('identities.split', { id, ...input });
    await get().refreshAll();
    return r;
  },
  async notSame(id, pair) {
    const r = await api.call('identities.notSame', { id, sighting_ids: pair });
    await get().loadOperations();
    return { added: r.added, operation_id: r.operation_id };
  },
  async remove(ids) {
    const r = await api.call('identities.bulkDelete', { ids });
    const dropped = new Set(ids);
    set({ selected: new Set([...get().selected].filter((x) => !dropped.has(x))) });
    const current = get().current;
    if (current !== null && dropped.has(current)) {
      ++openSeq;
      set(closed(null));
    }
    await get().refreshAll();
    return r;
  },
  async undo(operationId) {
    try {
      return await api.call('identities.undo', operationId === undefined ? {} : { operation_id: operationId });
    } finally {
      // Refresh either way: a 409/410 means the log on screen is out of date.
      await get().refreshAll();
    }
  },
}));
