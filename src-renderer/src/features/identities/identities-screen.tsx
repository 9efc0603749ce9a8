// Identities: the filtered list of cross-camera identities with multi-select (merge, delete; drag one onto another to
// merge), the open identity's page, and the undo history. Every correction offers Undo in a toast.
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent, type KeyboardEvent, type MouseEvent } from 'react';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { VirtualList } from '../../components/virtual-list';
import { navigate, useRoute } from '../../router';
import { defaultMergeTarget, displayName, useIdentities, type IdentityItemDto } from '../../stores/identities.store';
import { useSession } from '../../stores/session.store';
import { formatDuration } from '../timeline/timeline-math';
import { clock } from './evidence';
import { HistoryPanel } from './history-panel';
import { IdentityDetail } from './identity-detail';
import { MergeDialog } from './identity-dialogs';
import { IdentityThumb } from './identity-thumb';
import { offerUndo, undoOperations } from './undo';
import './identities.css';

const ROW = 58;
const CLASSES = ['person', 'car', 'truck', 'bus', 'motorcycle', 'bicycle', 'dog', 'cat'];
const DRAG_TYPE = 'application/x-vigil-identity';

type Pending = { kind: 'merge'; ids: number[]; target: number } | { kind: 'delete'; ids: number[] } | null;

const isTyping = (t: EventTarget | null) => t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement;

export function IdentitiesScreen() {
  const route = useRoute();
  const st = useIdentities();
  const { reportError } = useSession();
  const [pending, setPending] = useState<Pending>(null);
  const [history, setHistory] = useState(false);
  const [dropOn, setDropOn] = useState<number | null>(null);
  const listRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    useIdentities.getState().load().catch(reportError);
    useIdentities.getState().loadOperations().catch(reportError);
  }, [reportError]);

  // An identity is linked to as #/identities/<id>; the bare screen closes it.
  const param = Number(route.param);
  const wanted = Number.isInteger(param) && param > 0 ? param : null;
  useEffect(() => {
    if (wanted !== useIdentities.getState().current) useIdentities.getState().open(wanted).catch(reportError);
  }, [wanted, reportError]);

  const { items, selected, active, filters } = st;
  const selectedIds = useMemo(() => items.filter((x) => selected.has(x.id)).map((x) => x.id), [items, selected]);
  const activeIndex = items.findIndex((x) => x.id === active);
  const loadMore = useCallback(() => void useIdentities.getState().loadMore().catch(reportError), [reportError]);
  const setFilters = (f: typeof filters) => void st.setFilters(f).catch(reportError);

  const openIdentity = (id: number) => navigate(`identities/${id}`);

  const askMerge = (ids: number[], target?: number) => {
    const chosen = items.filter((x) => ids.includes(x.id));
    if (chosen.length < 2) return;
    setPending({ kind: 'merge', ids: chosen.map((x) => x.id), target: target ?? defaultMergeTarget(chosen) ?? (chosen[0] as IdentityItemDto).id });
  };
  const askDelete = (ids: number[]) => {
    if (ids.length) setPending({ kind: 'delete', ids });
  };

  const onRowClick = (e: MouseEvent, item: IdentityItemDto) => {
    st.setActive(item.id);
    if (e.shiftKey) st.select(item.id, 'range');
    else if (e.ctrlKey || e.metaKey) st.select(item.id, 'toggle');
    else {
      st.select(item.id, 'single');
      openIdentity(item.id);
    }
  };

  const onListKey = (e: KeyboardEvent) => {
    if (!(e.target instanceof HTMLElement) || isTyping(e.target)) return;
    const move = (d: number) => {
      const i = Math.max(0, Math.min(items.length - 1, (activeIndex < 0 ? -1 : activeIndex) + d));
      const it = items[i];
      if (!it) return;
      st.setActive(it.id);
      if (e.shiftKey) st.select(it.id, 'range');
      else if (!e.ctrlKey) st.select(it.id, 'single');
    };
    if (e.key === 'ArrowDown') move(1);
    else if (e.key === 'ArrowUp') move(-1);
    else if (e.key === 'PageDown') move(10);
    else if (e.key === 'PageUp') move(-10);
    else if (e.key === 'Home') move(-items.length);
    else if (e.key === 'End') move(items.length);
    else if (e.key === ' ' && active !== null) st.select(active, 'toggle');
    else if (e.key === 'Enter' && active !== null) openIdentity(active);
    else if ((e.key === 'a' || e.key === 'A') && (e.ctrlKey || e.metaKey)) st.selectAll();
    else if (e.key === 'Delete' || e.key === 'Backspace') askDelete(selectedIds.length ? selectedIds : active !== null ? [active] : []);
    else if ((e.key === 'm' || e.key === 'M') && !e.ctrlKey && !e.metaKey && !e.altKey) askMerge(selectedIds);
    else if (e.key === 'Escape' && selected.size) st.clearSelection();
    else return;
    e.preventDefault();
  };

  const onScreenKey = (e: KeyboardEvent) => {
    if (isTyping(e.target) || pending || (e.target instanceof HTMLElement && e.target.closest('dialog'))) return;
    if ((e.key === 'z' || e.key === 'Z') && (e.ctrlKey || e.metaKey) && !e.shiftKey) {
      const newest = st.operations?.find((o) => o.can_undo);
      if (newest) void undoOperations([newest.id]);
      else useSession.getState().toast('Nothing to undo.');
    } else if ((e.key === 'h' || e.key === 'H') && !e.ctrlKey && !e.metaKey && !e.altKey) setHistory((h) => !h);
    else return;
    e.preventDefault();
  };

  const confirm = async (arg?: { target: number; sources: number[] }) => {
    const p = pending;
    setPending(null);
    try {
      if (p?.kind === 'merge' && arg) {
        const r = await st.merge(arg.target, arg.sources);
        offerUndo(r.detail, [r.operation_id]);
        if (r.target_id !== null) openIdentity(r.target_id);
      } else if (p?.kind === 'delete') {
        const names = items.filter((x) => p.ids.includes(x.id)).map(displayName);
        const r = await st.remove(p.ids);
        offerUndo(r.deleted === 1 && names.length === 1 ? `Deleted ${names[0]}` : `Deleted ${r.deleted} identities`, [r.operation_id]);
        const open = useIdentities.getState().current;
        if (open !== null && p.ids.includes(open)) navigate('identities');
      }
    } catch (err) {
      reportError(err);
    }
    listRef.current?.focus();
  };

  // Drag one identity (or the selection it belongs to) onto another: merge into the one dropped on.
  const onDragStart = (e: DragEvent, item: IdentityItemDto) => {
    const ids = selected.has(item.id) ? selectedIds : [item.id];
    e.dataTransfer.setData(DRAG_TYPE, JSON.stringify(ids));
    e.dataTransfer.effectAllowed = 'move';
  };
  const onDrop = (e: DragEvent, item: IdentityItemDto) => {
    e.preventDefault();
    setDropOn(null);
    let ids: unknown;
    try {
      ids = JSON.parse(e.dataTransfer.getData(DRAG_TYPE));
    } catch {
      return;
    }
    if (!Array.isArray(ids)) return;
    const dragged = ids.filter((x): x is number => typeof x === 'number' && x !== item.id);
    if (dragged.length) askMerge([item.id, ...dragged], item.id);
  };

  // Focus goes back to the list once a dialog has left the page (while it is open, the rest of the page is inert).
  const refocus = useRef(false);
  useEffect(() => {
    if (pending !== null || !refocus.current) return;
    refocus.current = false;
    listRef.current?.focus();
  }, [pending]);
  const cancel = () => {
    refocus.current = true;
    setPending(null);
  };

  const detail = st.detail;
  const mergeItems = pending?.kind === 'merge' ? items.filter((x) => pending.ids.includes(x.id)) : [];

  return (
    <section className="screen identities" aria-label="Identities" data-testid="identities-screen" onKeyDown={onScreenKey}>
      <div className="toolbar" role="search">
        <h2>Identities</h2>
        <label className="row">
          <input type="checkbox" checked={filters.named_only} onChange={(e) => setFilters({ ...filters, named_only: e.target.checked })} data-testid="filter-named" />
          <span>Named only</span>
        </label>
        <label className="row">
          <span className="muted">Min sightings</span>
          <input
            type="number"
            className="min-sightings"
            min={0}
            max={1000}
            value={filters.min_sightings}
            onChange={(e) => setFilters({ ...filters, min_sightings: Math.max(0, Math.floor(Number(e.target.value) || 0)) })}
            aria-label="Minimum sightings"
            data-testid="filter-min-sightings"
          />
        </label>
        <select aria-label="Class filter" value={filters.object_class} onChange={(e) => setFilters({ ...filters, object_class: e.target.value })} data-testid="filter-class">
          <option value="">All classes</option>
          {CLASSES.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
        <span className="muted" data-testid="identities-total">
          {st.total} identit{st.total === 1 ? 'y' : 'ies'}
        </span>
        <div className="spacer" />
        <span className="muted">{selectedIds.length} selected</span>
        <button disabled={selectedIds.length < 2} onClick={() => askMerge(selectedIds)} title="Merge the selected identities (M)" data-testid="merge-selected">
          Merge…
        </button>
        <button className="danger" disabled={!selectedIds.length} onClick={() => askDelete(selectedIds)} title="Delete the selected identities (Delete)" data-testid="delete-selected">
          Delete…
        </button>
        <button onClick={() => void st.refreshAll()} title="Reload the list and the open identity">
          Refresh
        </button>
        <button className={history ? 'active' : ''} aria-pressed={history} onClick={() => setHistory((h) => !h)} title="Undo history (H); Ctrl+Z undoes the newest" data-testid="history-toggle">
          History
        </button>
      </div>
      <div className={`identities-body ${history ? 'with-history' : ''}`}>
        <div
          className="identities-list"
          ref={listRef}
          tabIndex={0}
          onKeyDown={onListKey}
          aria-label="Identity list (arrows move, Space selects, Enter opens, M merges, Delete deletes, Escape clears)"
        >
          <div className="events-head">
            <input
              type="checkbox"
              aria-label="Select all loaded"
              checked={items.length > 0 && selectedIds.length === items.length}
              onChange={(e) => (e.target.checked ? st.selectAll() : st.clearSelection())}
            />
            <span>Identity</span>
            <div className="spacer" />
            <span className="small">drag one onto another to merge</span>
          </div>
          {items.length === 0 && !st.loading ? (
            <div className="empty">{st.loaded ? 'No identities match these filters. Identities appear as cameras with analysis see people and objects.' : ''}</div>
          ) : (
            <VirtualList
              label="Identities"
              items={items}
              rowHeight={ROW}
              scrollToIndex={activeIndex}
              onEndReached={loadMore}
              render={(item) => (
                <div
                  className={`identity-row ${selected.has(item.id) ? 'selected' : ''} ${item.id === active ? 'active' : ''} ${item.id === st.current ? 'open' : ''} ${dropOn === item.id ? 'drop' : ''}`}
                  role="option"
                  aria-selected={selected.has(item.id)}
                  aria-current={item.id === st.current ? 'true' : undefined}
                  data-testid="identity-row"
                  data-identity-id={item.id}
                  data-name={displayName(item)}
                  draggable
                  onDragStart={(e) => onDragStart(e, item)}
                  onDragOver={(e) => {
                    if (!e.dataTransfer.types.includes(DRAG_TYPE)) return;
                    e.preventDefault();
                    e.dataTransfer.dropEffect = 'move';
                    setDropOn(item.id);
                  }}
                  onDragLeave={() => setDropOn((d) => (d === item.id ? null : d))}
                  onDrop={(e) => onDrop(e, item)}
                  onClick={(e) => onRowClick(e, item)}
                >
                  <input
                    type="checkbox"
                    tabIndex={-1}
                    aria-label={`Select ${displayName(item)}`}
                    checked={selected.has(item.id)}
                    onChange={() => st.select(item.id, 'toggle')}
                    onClick={(e) => e.stopPropagation()}
                  />
                  <IdentityThumb key={item.id} item={item} />
                  <div className="identity-main">
                    <div className="row">
                      <span className={`identity-name ${item.name ? '' : 'unknown'}`}>{displayName(item)}</span>
                      {item.object_class !== 'person' && <span className="badge class">{item.object_class}</span>}
                    </div>
                    <div className="identity-cams muted small" title={item.cameras.map((c) => c.name ?? `#${c.id}`).join(', ')}>
                      {item.cameras.map((c) => c.name ?? `#${c.id}`).join(', ') || 'no camera'}
                    </div>
                  </div>
                  <div className="identity-seen small" title={`First seen ${item.first_seen ?? '—'}, last seen ${item.last_seen ?? '—'}`}>
                    <span>{item.last_seen ? clock(item.last_seen) : '—'}</span>
                    <span className="muted">since {item.first_seen ? clock(item.first_seen) : '—'}</span>
                  </div>
                  <div className="identity-stats small">
                    <span data-testid="num-sightings">
                      {item.num_sightings} sighting{item.num_sightings === 1 ? '' : 's'}
                    </span>
                    <span className="muted">{formatDuration(item.total_seconds * 1000)}</span>
                  </div>
                </div>
              )}
            />
          )}
        </div>
        <div className="identities-detail">
          {st.current === null ? (
            <div className="empty">Select an identity to see where and when it was seen, and why its sightings were linked.</div>
          ) : st.missing ? (
            <div className="empty" data-testid="identity-missing">
              Identity #{st.current} no longer exists (merged, split back or deleted). <button onClick={() => navigate('identities')}>Back to the list</button>
            </div>
          ) : detail && detail.id === st.current ? (
            <IdentityDetail key={detail.id} identity={detail} />
          ) : (
            <div className="empty">Loading…</div>
          )}
        </div>
        {history && <HistoryPanel onClose={() => setHistory(false)} />}
      </div>
      {pending?.kind === 'merge' && mergeItems.length >= 2 && (
        <MergeDialog items={mergeItems} initialTarget={pending.target} onConfirm={(target, sources) => void confirm({ target, sources })} onCancel={cancel} />
      )}
      {pending?.kind === 'delete' && (
        <ConfirmDialog title={`Delete ${pending.ids.length === 1 ? displayName(items.find((x) => x.id === pending.ids[0]) ?? { id: pending.ids[0] as number, name: null }) : `${pending.ids.length} identities`}?`} confirmLabel="Delete" danger onConfirm={() => void confirm()} onCancel={cancel}>
          {pending.ids.length > 1 && <div className="muted">{items.filter((x) => pending.ids.includes(x.id)).map(displayName).join(', ')}</div>}
          Their sightings, crops and captured faces are removed; events that show only them go with their clips. Undo brings everything back while the undo window is open.
        </ConfirmDialog>
      )}
    </section>
  );
}
