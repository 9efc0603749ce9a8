// Events browser: filters, a virtualised multi-select list with bulk delete/protect, clear-all, and a clip player.
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import { api } from '../../api/client';
import { eventClipUrl, eventThumbUrl } from '../../api/media-routes';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { VirtualList } from '../../components/virtual-list';
import { navigate, useRoute } from '../../router';
import { useCameras } from '../../stores/cameras.store';
import { useEvents, type EventDto, type EventFilters } from '../../stores/events.store';
import { usePeople } from '../../stores/people.store';
import { useSession } from '../../stores/session.store';
import { formatDuration, labelColor } from '../timeline/timeline-math';

const ROW = 56;
const LABELS = ['motion', 'manual', 'person', 'car', 'truck', 'bicycle', 'dog', 'cat'];

const toLocalInput = (ms: number | undefined) => (ms === undefined ? '' : new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 16));
const fromLocalInput = (s: string) => (s ? new Date(s).getTime() : undefined);

type Pending = { kind: 'delete'; ids: number[] } | { kind: 'clear' } | null;

type Filters = EventFilters;

export function EventsScreen() {
  const route = useRoute();
  const cameras = useCameras((s) => s.cameras);
  const ev = useEvents();
  const people = usePeople((s) => s.people);
  const peopleLoaded = usePeople((s) => s.loaded);
  const { reportError, toast } = useSession();
  const [pending, setPending] = useState<Pending>(null);
  const [detail, setDetail] = useState<EventDto | null>(null);
  const listRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    ev.load().catch(reportError);
  }, [ev.load, reportError]);
  // Leaving the screen under the pointer fires no pointerleave: end the hold so pushed events are not kept back.
  useEffect(() => () => useEvents.getState().hold(false), []);

  useEffect(() => {
    if (!peopleLoaded) usePeople.getState().load().catch(reportError);
  }, [peopleLoaded, reportError]);

  const filters: Filters = ev.filters;
  const personId = filters.person_id;
  const wantedPerson = route.query.get('person');
  useEffect(() => {
    const id = Number(wantedPerson);
    const current: Filters = useEvents.getState().filters;
    if (!wantedPerson || !Number.isInteger(id) || id <= 0 || current.person_id === id) return;
    const next: Filters = { ...current, person_id: id };
    useEvents.getState().setFilters(next).catch(reportError);
  }, [wantedPerson, reportError]);

  // #/events?identity=ID (from an identity's page): that identity's events, shown as a removable chip.
  const identityId = filters.identity_id;
  const wantedIdentity = route.query.get('identity');
  useEffect(() => {
    const id = Number(wantedIdentity);
    const current: Filters = useEvents.getState().filters;
    if (!wantedIdentity || !Number.isInteger(id) || id <= 0 || current.identity_id === id) return;
    useEvents.getState().setFilters({ ...current, identity_id: id }).catch(reportError);
  }, [wantedIdentity, reportError]);
  const clearIdentity = () => {
    if (route.query.has('identity')) navigate('events');
    void setFilters({ ...filters, identity_id: undefined });
  };

  const items = ev.items;
  const visibleIds = useMemo(() => new Set(items.map((x) => x.id)), [items]);
  const total = ev.total;

  const wanted = route.query.get('event');
  useEffect(() => {
    if (!wanted) return;
    const id = Number(wanted);
    ev.setActive(id);
    ev.select(id, 'single');
  }, [wanted, ev.setActive, ev.select]);

  const active = useMemo(() => items.find((x) => x.id === ev.active) ?? (detail?.id === ev.active ? detail : null), [items, ev.active, detail]);
  useEffect(() => {
    if (ev.active === null || items.some((x) => x.id === ev.active)) return;
    api.call('events.get', { id: ev.active }).then(setDetail, reportError);
  }, [ev.active, items, reportError]);

  const setFilters = (f: Filters) => ev.setFilters(f).catch(reportError);
  const setPerson = (id: number | undefined) => {
    if (route.query.has('person')) navigate('events');
    void setFilters({ ...filters, person_id: id });
  };
  const selectedIds = [...ev.selected].filter((id) => visibleIds.has(id));
  const selectVisible = () => ev.selectAll();
  const activeIndex = items.findIndex((x) => x.id === ev.active);
  const loadMore = useCallback(() => void ev.loadMore().catch(reportError), [ev.loadMore, reportError]);

  const onRowClick = (e: MouseEvent, item: EventDto) => {
    ev.select(item.id, e.shiftKey ? 'range' : e.ctrlKey || e.metaKey ? 'toggle' : 'single');
    ev.setActive(item.id);
  };

  const onListKey = (e: KeyboardEvent) => {
    if (!(e.target instanceof HTMLElement) || e.target.closest('input,select,video')) return;
    const move = (d: number) => {
      const i = Math.max(0, Math.min(items.length - 1, (activeIndex < 0 ? -1 : activeIndex) + d));
      const it = items[i];
      if (!it) return;
      ev.setActive(it.id);
      if (e.shiftKey) ev.select(it.id, 'range');
      else if (!e.ctrlKey) ev.select(it.id, 'single');
    };
    if (e.key === 'ArrowDown') move(1);
    else if (e.key === 'ArrowUp') move(-1);
    else if (e.key === 'PageDown') move(10);
    else if (e.key === 'PageUp') move(-10);
    else if (e.key === ' ' && ev.active !== null) ev.select(ev.active, 'toggle');
    else if ((e.key === 'a' || e.key === 'A') && (e.ctrlKey || e.metaKey)) selectVisible();
    else if (e.key === 'Delete' && selectedIds.length) setPending({ kind: 'delete', ids: selectedIds });
    else if (e.key === 'p' && selectedIds.length) void protect(!items.find((x) => ev.selected.has(x.id))?.retain);
    else if (e.key === 'Escape') ev.clearSelection();
    else return;
    e.preventDefault();
  };

  const protect = async (retain: boolean) => {
    try {
      await ev.setRetain(selectedIds, retain);
      toast(`${selectedIds.length} event(s) ${retain ? 'protected' : 'unprotected'}`);
    } catch (err) {
      reportError(err);
    }
  };

  const confirm = async () => {
    const p = pending;
    setPending(null);
    try {
      if (p?.kind === 'delete') toast(`Deleted ${await ev.bulkDelete(p.ids)} event(s)`);
      else if (p?.kind === 'clear') toast(`Cleared ${await ev.clearAll()} event(s)`);
    } catch (err) {
      reportError(err);
    }
    listRef.current?.focus();
  };

  const camName = (id: number | null) => cameras.find((c) => c.id === id)?.name ?? (id === null ? '—' : `#${id}`);
  const personName = (id: number) => people.find((p) => p.id === id)?.name ?? `person #${id}`;

  return (
    <section className="screen events" aria-label="Events" data-testid="events-screen">
      <div className="toolbar" role="search">
        <h2>Events</h2>
        <select aria-label="Camera filter" value={filters.camera_id ?? ''} onChange={(e) => setFilters({ ...filters, camera_id: e.target.value ? Number(e.target.value) : undefined })} data-testid="filter-camera">
          <option value="">All cameras</option>
          {cameras.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
        <select aria-label="Label filter" value={filters.label ?? ''} onChange={(e) => setFilters({ ...filters, label: e.target.value || undefined })} data-testid="filter-label">
          <option value="">All labels</option>
          {LABELS.map((l) => (
            <option key={l} value={l}>
              {l}
            </option>
          ))}
        </select>
        {identityId !== undefined && (
          <button className="small identity-filter" type="button" onClick={clearIdentity} data-testid="filter-identity" aria-label={`Showing identity #${identityId}'s events; clear`}>
            Identity #{identityId} ✕
          </button>
        )}
        <select aria-label="Person filter" value={personId ?? ''} onChange={(e) => setPerson(e.target.value ? Number(e.target.value) : undefined)} data-testid="filter-person">
          <option value="">Anyone</option>
          {personId !== undefined && !people.some((p) => p.id === personId) && <option value={personId}>{personName(personId)}</option>}
          {people.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
        <label className="row">
          <span className="muted">From</span>
          <input type="datetime-local" value={toLocalInput(filters.from)} onChange={(e) => setFilters({ ...filters, from: fromLocalInput(e.target.value) })} />
        </label>
        <label className="row">
          <span className="muted">To</span>
          <input type="datetime-local" value={toLocalInput(filters.to)} onChange={(e) => setFilters({ ...filters, to: fromLocalInput(e.target.value) })} />
        </label>
        <span className="muted" data-testid="events-total">
          {total} event{total === 1 ? '' : 's'}
        </span>
        <div className="spacer" />
        <span className="muted">{selectedIds.length} selected</span>
        <button disabled={!selectedIds.length} onClick={() => void protect(true)} data-testid="protect-button">
          Protect
        </button>
        <button disabled={!selectedIds.length} onClick={() => void protect(false)}>
          Unprotect
        </button>
        <button className="danger" disabled={!selectedIds.length} onClick={() => setPending({ kind: 'delete', ids: selectedIds })} data-testid="delete-selected">
          Delete…
        </button>
        <button
          className="danger"
          disabled={personId !== undefined}
          title={personId !== undefined ? 'Clear all cannot be limited to one person: select their events and use Delete' : undefined}
          onClick={() => setPending({ kind: 'clear' })}
          data-testid="clear-all"
        >
          Clear all…
        </button>
      </div>
      <div className="events-body">
        <div
          className="events-list"
          ref={listRef}
          tabIndex={0}
          onKeyDown={onListKey}
          onPointerEnter={() => ev.hold(true)}
          onPointerLeave={() => ev.hold(false)}
          aria-label="Event list (arrows, Space select, Delete, P protect)"
        >
          <div className="events-head">
            <input
              type="checkbox"
              aria-label="Select all loaded"
              checked={items.length > 0 && selectedIds.length === items.length}
              onChange={(e) => (e.target.checked ? selectVisible() : ev.clearSelection())}
            />
            <span>Event</span>
            {/* In the header row, so showing it moves no event row. */}
            {ev.incoming.length > 0 && (
              <button className="new-events" onClick={ev.showIncoming} data-testid="new-events">
                {ev.incoming.length} new ↑
              </button>
            )}
          </div>
          {items.length === 0 && !ev.loading ? (
            <div className="empty">No events match these filters.</div>
          ) : (
            <VirtualList
              label="Events"
              items={items}
              rowHeight={ROW}
              scrollToIndex={activeIndex}
              onEndReached={loadMore}
              render={(item) => (
                <div
                  className={`event-row ${ev.selected.has(item.id) ? 'selected' : ''} ${item.id === ev.active ? 'active' : ''}`}
                  role="option"
                  aria-selected={ev.selected.has(item.id)}
                  data-testid="event-row"
                  data-event-id={item.id}
                  onClick={(e) => onRowClick(e, item)}
                >
                  <input type="checkbox" tabIndex={-1} aria-label={`Select event ${item.id}`} checked={ev.selected.has(item.id)} onChange={() => ev.select(item.id, 'toggle')} onClick={(e) => e.stopPropagation()} />
                  {/* Rows are recycled by index: keyed by event so a failed thumbnail never sticks to the next event in that slot. */}
                  <Thumb key={item.id} event={item} />
                  <span className="label-chip" style={{ borderColor: labelColor(item.label), color: labelColor(item.label) }}>
                    {item.label}
                  </span>
                  {item.person_name && <PersonChip name={item.person_name} personId={item.person_id} />}
                  <span className="ev-camera">{item.camera_name ?? camName(item.camera_id)}</span>
                  <span className="ev-time">{new Date(item.started_at).toLocaleString()}</span>
                  <span className="ev-dur">{item.open ? 'open' : formatDuration(item.duration * 1000)}</span>
                  {item.retain && (
                    <span className="badge protected" title="Protected from retention" data-testid="protected-badge">
                      protected
                    </span>
                  )}
                </div>
              )}
            />
          )}
        </div>
        <div className="events-detail">{active ? <ClipPlayer event={active} fps={cameras.find((c) => c.id === active.camera_id)?.fps || 10} /> : <div className="empty">Select an event to play its clip.</div>}</div>
      </div>
      {pending?.kind === 'delete' && (
        <ConfirmDialog title={`Delete ${pending.ids.length} event(s)?`} confirmLabel="Delete" danger onConfirm={() => void confirm()} onCancel={() => setPending(null)}>
          Their clips, thumbnails and sprites are removed. This cannot be undone.
        </ConfirmDialog>
      )}
      {pending?.kind === 'clear' && (
        <ConfirmDialog title="Clear all events?" confirmLabel="Clear all" danger typeToConfirm="DELETE" onConfirm={() => void confirm()} onCancel={() => setPending(null)}>
          This deletes every event{ev.filters.camera_id ? ` of ${camName(ev.filters.camera_id)}` : ''}
          {ev.filters.label ? ` labelled ${ev.filters.label}` : ''}, with clips and thumbnails.
        </ConfirmDialog>
      )}
    </section>
  );
}

/** The person an event was recognised as; person_id is null once that person was deleted (the name stays). */
function PersonChip({ name, personId }: { name: string; personId: number | null }) {
  return (
    <span className="person-chip" title={personId === null ? `Recognised as ${name} (since deleted)` : `Recognised as ${name}`} data-testid="person-chip">
      {name}
    </span>
  );
}

function Thumb({ event }: { event: EventDto }) {
  const [failed, setFailed] = useState(false);
  if (failed || !event.thumbnail_url) return <span className="thumb none" />;
  return <img className="thumb" loading="lazy" src={eventThumbUrl(event)} alt="" onError={() => setFailed(true)} />;
}

function ClipPlayer({ event, fps }: { event: EventDto; fps: number }) {
  const video = useRef<HTMLVideoElement>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setError(null), [event.id]);
  const stepFrame = (d: number) => {
    const v = video.current;
    if (!v) return;
    v.pause();
    v.currentTime = Math.max(0, Math.min(v.duration || Infinity, v.currentTime + d / fps));
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === ',') stepFrame(-1);
    else if (e.key === '.') stepFrame(1);
    else return;
    e.preventDefault();
  };
  const clip = eventClipUrl(event);
  return (
    <div className="clip-player" onKeyDown={onKey} data-testid="clip-player" data-event-id={event.id}>
      <div className="row">
        <strong>
          {event.label} · {event.camera_name ?? `camera ${event.camera_id}`}
        </strong>
        {event.person_name && <PersonChip name={event.person_name} personId={event.person_id} />}
        <span className="muted">
          {new Date(event.started_at).toLocaleString()} · {event.open ? 'recording…' : formatDuration(event.duration * 1000)}
        </span>
      </div>
      {event.open || !event.clip_url ? (
        <div className="no-image">{event.open ? 'The event is still open; its clip is assembled when it closes.' : 'This event has no clip (yet).'}</div>
      ) : error ? (
        <div className="no-image">{error}</div>
      ) : (
        <video
          key={event.id}
          ref={video}
          className="stage-media"
          src={clip}
          controls
          autoPlay
          muted
          preload="metadata"
          data-testid="clip-video"
          onError={() => setError('The clip could not be loaded (it may have been removed by retention).')}
        />
      )}
      <div className="row">
        <button onClick={() => stepFrame(-1)} title="Previous frame (,)">
          ◀︎ frame
        </button>
        <button onClick={() => stepFrame(1)} title="Next frame (.)">
          frame ▶︎
        </button>
        <a className="button" href={clip} download={`event-${event.id}.mp4`} target="_blank" rel="noopener" data-testid="clip-download">
          Download
        </a>
        {event.camera_id !== null && (
          <button onClick={() => navigate(`timeline?camera=${event.camera_id}&t=${Date.parse(event.started_at)}`)} data-testid="show-on-timeline">
            Show on timeline
          </button>
        )}
        {(event.person_id !== null || event.identity_id !== null || event.label === 'person') && (
          <button onClick={() => navigate(`timeline?find=event_id:${event.id}`)} data-testid="event-find" title="Find the person in this event on every camera">
            Find this person
          </button>
        )}
      </div>
    </div>
  );
}
