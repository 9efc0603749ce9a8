// Events browser: filters, the paged list, multi-selection and bulk actions; pushes insert/update/remove rows live.
import { create } from 'zustand';
import { api } from '../api/client';
import type { EventDto } from '../../../src-main/shared/contract/events.contract';

export type { EventDto };

export interface EventFilters {
  camera_id?: number;
  /** Events recognised as this enrolled person. */
  person_id?: number;
  /** Events a sighting of this identity belongs to (pushed rows are matched on the event's own link only). */
  identity_id?: number;
  label?: string;
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, exclusive. */
  to?: number;
}

export const PAGE = 200;

/** Whether an event passes the filters (used to decide if a pushed event belongs in the list). */
export function matches(e: EventDto, f: EventFilters): boolean {
  if (f.camera_id !== undefined && e.camera_id !== f.camera_id) return false;
  if (f.person_id !== undefined && e.person_id !== f.person_id) return false;
  if (f.identity_id !== undefined && e.identity_id !== f.identity_id) return false;
  if (f.label && e.label !== f.label) return false;
  const t = Date.parse(e.started_at);
  if (f.from !== undefined && t < f.from) return false;
  if (f.to !== undefined && t >= f.to) return false;
  return true;
}

/** Inserts or replaces an event keeping newest-first order; returns whether it was new. */
export function upsertEvent(items: readonly EventDto[], e: EventDto): { items: EventDto[]; added: boolean } {
  const i = items.findIndex((x) => x.id === e.id);
  if (i >= 0) {
    const out = items.slice();
    out[i] = e;
    return { items: out, added: false };
  }
  const t = Date.parse(e.started_at);
  const out = items.slice();
  let at = out.findIndex((x) => Date.parse(x.started_at) < t || (Date.parse(x.started_at) === t && x.id < e.id));
  if (at < 0) at = out.length;
  out.splice(at, 0, e);
  return { items: out, added: true };
}

/** Shift-click range selection over the visible order. */
export function rangeIds(items: readonly EventDto[], a: number, b: number): number[] {
  const ia = items.findIndex((x) => x.id === a);
  const ib = items.findIndex((x) => x.id === b);
  if (ia < 0 || ib < 0) return [b];
  const [lo, hi] = ia < ib ? [ia, ib] : [ib, ia];
  return items.slice(lo, hi + 1).map((x) => x.id);
}

interface EventsState {
  filters: EventFilters;
  items: EventDto[];
  total: number;
  loading: boolean;
  selected: Set<number>;
  anchor: number | null;
  active: number | null;
  /**
   * While held (the pointer is over the list), pushed new events wait in `incoming` instead of being inserted: a row
   * inserted above the cursor would shift the list under a click, and the click would select or act on another event.
   */
  held: boolean;
  /** New events that arrived while held, newest first; shown by `showIncoming` or when the hold ends. */
  incoming: EventDto[];
  setFilters(f: EventFilters): Promise<void>;
  load(): Promise<void>;
  loadMore(): Promise<void>;
  created(id: number): Promise<void>;
  updated(id: number): Promise<void>;
  deleted(ids: number[]): void;
  select(id: number, mode: 'single' | 'toggle' | 'range'): void;
  selectAll(): void;
  clearSelection(): void;
  setActive(id: number | null): void;
  bulkDelete(ids: number[]): Promise<number>;
  setRetain(ids: number[], retain: boolean): Promise<void>;
  clearAll(): Promise<number>;
  hold(on: boolean): void;
  showIncoming(): void;
}

let loadSeq = 0;
/** Ids reported deleted: the core can still push event.updated for one (an open event closing after deletion). */
const gone = new Set<number>();

export const useEvents = create<EventsState>((set, get) => ({
  filters: {},
  items: [],
  total: 0,
  loading: false,
  selected: new Set(),
  anchor: null,
  active: null,
  held: false,
  incoming: [],
  async setFilters(f) {
    set({ filters: f, selected: new Set(), anchor: null });
    await get().load();
  },
  async load() {
    const seq = ++loadSeq;
    set({ loading: true });
    try {
      const r = await api.call('events.list', { ...get().filters, limit: PAGE, offset: 0 });
      // A fresh first page already holds whatever was waiting.
      if (seq === loadSeq) set({ items: r.items, total: r.total, incoming: [] });
    } finally {
      if (seq === loadSeq) set({ loading: false });
    }
  },
  async loadMore() {
    const { items, total, loading, filters } = get();
    if (loading || items.length >= total) return;
    const seq = ++loadSeq;
    set({ loading: true });
    try {
      const r = await api.call('events.list', { ...filters, limit: PAGE, offset: items.length });
      if (seq !== loadSeq) return;
      const seen = new Set(get().items.map((x) => x.id));
      set({ items: [...get().items, ...r.items.filter((x) => !seen.has(x.id))], total: r.total });
    } finally {
      if (seq === loadSeq) set({ loading: false });
    }
  },
  async created(id) {
    if (gone.has(id)) return;
    const e = await api.call('events.get', { id }).catch(() => null);
    // Deleted while the fetch ran: the answer predates the delete.
    if (!e || gone.has(id) || !matches(e, get().filters)) return;
    if (get().held && !get().items.some((x) => x.id === id)) {
      set({ incoming: upsertEvent(get().incoming, e).items });
      return;
    }
    const r = upsertEvent(get().items, e);
    set({ items: r.items, total: get().total + (r.added ? 1 : 0) });
  },
  async updated(id) {
    if (gone.has(id)) return;
    const e = await api.call('events.get', { id }).catch(() => null);
    if (!e || gone.has(id)) return;
    if (get().incoming.some((x) => x.id === id)) {
      set({ incoming: upsertEvent(get().incoming, e).items });
      return;
    }
    if (!get().items.some((x) => x.id === id)) {
      if (matches(e, get().filters)) await get().created(id);
      return;
    }
    set({ items: upsertEvent(get().items, e).items });
  },
  deleted(ids) {
    if (gone.size > 50_000) gone.clear();
    for (const id of ids) gone.add(id);
    const dropped = new Set(ids);
    const items = get().items.filter((x) => !dropped.has(x.id));
    const removed = get().items.length - items.length;
    const selected = new Set([...get().selected].filter((x) => !dropped.has(x)));
    const incoming = get().incoming.filter((x) => !dropped.has(x.id));
    set({ items, incoming, total: Math.max(0, get().total - removed), selected, active: get().active !== null && dropped.has(get().active as number) ? null : get().active });
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
  async bulkDelete(ids) {
    // Marked gone before the request: an update pushed while it runs must not fetch an event that is being deleted.
    for (const id of ids) gone.add(id);
    const r = await api.call('events.bulkDelete', { ids });
    get().deleted(ids);
    return r.deleted;
  },
  async setRetain(ids, retain) {
    const updated = await Promise.all(ids.map((id) => api.call('events.update', { id, retain })));
    let items = get().items;
    for (const e of updated) items = upsertEvent(items, e).items;
    set({ items });
  },
  async clearAll() {
    const { camera_id, label } = get().filters;
    for (const x of [...get().items, ...get().incoming]) gone.add(x.id);
    const r = await api.call('events.clearAll', { confirm: true, camera_id, label });
    set({ items: [], incoming: [], total: 0, selected: new Set(), active: null });
    await get().load();
    return r.deleted;
  },
  hold(on) {
    if (get().held === on) return;
    set({ held: on });
    if (!on) get().showIncoming();
  },
  showIncoming() {
    const { incoming } = get();
    if (!incoming.length) return;
    let { items, total } = get();
    for (const e of incoming) {
      const r = upsertEvent(items, e);
      items = r.items;
      if (r.added) total++;
    }
    set({ items, total, incoming: [] });
  },
}));
