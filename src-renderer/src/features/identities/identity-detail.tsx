// One identity: inline name, notes and confirmation; its sightings across cameras and time, each crop with why it was
// linked; split (by hand or automatic), "Not the same person", delete; its faces and its events (linking to Events).
import { useEffect, useMemo, useState, type FormEvent, type KeyboardEvent } from 'react';
import { eventThumbUrl } from '../../api/media-routes';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { navigate } from '../../router';
import { displayName, notSamePartner, useIdentities, type IdentityDto, type IdentityFaceDto, type SightingDto } from '../../stores/identities.store';
import { useSession } from '../../stores/session.store';
import type { EventDto } from '../../../../src-main/shared/contract/events.contract';
import { formatDuration, labelColor } from '../timeline/timeline-math';
import { KIND_COLOR, KIND_LABEL, clock, scoresText, whyLinked } from './evidence';
import { NotSameDialog, SplitDialog } from './identity-dialogs';
import { FaceCrop, IdentityThumb, SightingCrop } from './identity-thumb';
import { SightingsStrip } from './sightings-strip';
import { offerUndo } from './undo';

type Partner = { id: number; linked: boolean; at: string | null; camera: string | null };
type Pending = { kind: 'delete' } | { kind: 'split'; ids: number[] } | { kind: 'auto' } | { kind: 'not-same'; sighting: SightingDto; partner: Partner } | null;

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');
const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Shows a sighting's card: scrolled into view and focused. */
function revealSighting(id: number) {
  const el = document.querySelector<HTMLElement>(`[data-testid="sighting-card"][data-sighting-id="${id}"]`);
  el?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  el?.focus({ preventScroll: true });
}

export function IdentityDetail({ identity }: { identity: IdentityDto }) {
  const sightings = useIdentities((s) => s.sightings);
  const sightingsTotal = useIdentities((s) => s.sightingsTotal);
  const faces = useIdentities((s) => s.faces);
  const facesTotal = useIdentities((s) => s.facesTotal);
  const events = useIdentities((s) => s.events);
  const eventsTotal = useIdentities((s) => s.eventsTotal);
  const reportError = useSession((s) => s.reportError);
  const [name, setName] = useState(identity.name ?? '');
  const [notes, setNotes] = useState(identity.notes ?? '');
  const [confirmed, setConfirmed] = useState(identity.is_named);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [picked, setPicked] = useState<ReadonlySet<number>>(new Set());
  const [focused, setFocused] = useState<number | null>(null);
  const [pending, setPending] = useState<Pending>(null);

  useEffect(() => {
    setName(identity.name ?? '');
    setNotes(identity.notes ?? '');
    setConfirmed(identity.is_named);
    setError(null);
  }, [identity.id, identity.name, identity.notes, identity.is_named]);

  // Picks of sightings that left (split off, undone) are dropped.
  useEffect(() => {
    if (!sightings) return;
    const ids = new Set(sightings.map((s) => s.id));
    setPicked((p) => ([...p].every((x) => ids.has(x)) ? p : new Set([...p].filter((x) => ids.has(x)))));
  }, [sightings]);

  const byId = useMemo(() => new Map((sightings ?? []).map((s) => [s.id, s])), [sightings]);
  const label = displayName(identity);
  const newName = name.trim() || null;
  const newNotes = notes.trim() ? notes : null;
  const dirty = newName !== identity.name || newNotes !== identity.notes || confirmed !== identity.is_named;

  const save = async (e?: FormEvent) => {
    e?.preventDefault();
    const patch: { name?: string | null; notes?: string | null; is_named?: boolean } = {};
    if (newName !== identity.name) patch.name = newName;
    if (newNotes !== identity.notes) patch.notes = newNotes;
    if (confirmed !== identity.is_named) patch.is_named = confirmed;
    if (!Object.keys(patch).length) return;
    setSaving(true);
    setError(null);
    try {
      const r = await useIdentities.getState().update(identity.id, patch);
      const fallback = patch.name !== undefined ? (newName ? `Renamed #${identity.id} to ${newName}` : `Removed the name of #${identity.id}`) : `Saved #${identity.id}`;
      offerUndo(r.operation?.detail ?? fallback, [r.operation?.id ?? null]);
    } catch (err) {
      setError(errText(err));
    } finally {
      setSaving(false);
    }
  };

  const togglePick = (id: number) =>
    setPicked((p) => {
      const n = new Set(p);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });

  const show = (id: number) => {
    setFocused(id);
    revealSighting(id);
  };

  const askNotSame = (s: SightingDto) => {
    const p = notSamePartner(s, identity.rep_sighting_id);
    if (!p) return;
    const other = p.linked ? s.link.matched : null;
    const rep = byId.get(p.id);
    setPending({ kind: 'not-same', sighting: s, partner: { id: p.id, linked: p.linked, at: other?.started_at ?? rep?.started_at ?? null, camera: other?.camera_name ?? rep?.camera_name ?? null } });
  };

  const canSplitOff = picked.size > 0 && picked.size < sightingsTotal;
  const askSplit = () => {
    if (canSplitOff) setPending({ kind: 'split', ids: [...picked] });
  };

  const confirm = async (arg?: string | null | boolean) => {
    const p = pending;
    setPending(null);
    if (!p) return;
    const st = useIdentities.getState();
    try {
      if (p.kind === 'delete') {
        const r = await st.remove([identity.id]);
        offerUndo(`Deleted ${label}`, [r.operation_id]);
        navigate('identities');
      } else if (p.kind === 'split' || p.kind === 'auto') {
        const newNameArg = typeof arg === 'string' ? arg : null;
        const r = await st.split(identity.id, p.kind === 'auto' ? { auto: true, new_name: newNameArg } : { sighting_ids: p.ids, new_name: newNameArg });
        setPicked(new Set());
        offerUndo(r.detail, [r.operation_id]);
      } else if (p.kind === 'not-same') {
        const r = await st.notSame(identity.id, [p.sighting.id, p.partner.id]);
        const ops = [r.operation_id];
        let text = r.added ? `Marked sightings ${p.sighting.id} and ${p.partner.id} as different people` : `Sightings ${p.sighting.id} and ${p.partner.id} were already marked as different people`;
        if (arg === true) {
          const sp = await st.split(identity.id, { sighting_ids: [p.sighting.id] });
          ops.push(sp.operation_id);
          text = `${text}; ${sp.detail}`;
        }
        offerUndo(text, ops);
      }
    } catch (err) {
      reportError(err);
    }
  };

  const onGridKey = (e: KeyboardEvent) => {
    if (e.target instanceof HTMLButtonElement) return;
    if (e.key === 'Enter' && canSplitOff) askSplit();
    else if (e.key === 'Escape' && picked.size) setPicked(new Set());
    else return;
    e.preventDefault();
    e.stopPropagation();
  };

  const cameras = identity.cameras.map((c) => c.name ?? `#${c.id}`).join(', ');
  return (
    <div className="identity-detail" data-testid="identity-detail" data-identity-id={identity.id}>
      <form className="panel identity-form" onSubmit={(e) => void save(e)} aria-label="Identity details">
        <div className="identity-head">
          <IdentityThumb item={identity} size="large" />
          <div className="identity-fields">
            <div className="row">
              <input
                className="identity-title"
                value={name}
                maxLength={200}
                placeholder={`Unknown #${identity.id}`}
                onChange={(e) => setName(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Escape' && name !== (identity.name ?? '')) {
                    e.preventDefault();
                    e.stopPropagation();
                    setName(identity.name ?? '');
                  }
                }}
                aria-label="Identity name"
                title="Enter saves, Escape reverts"
                data-testid="identity-name"
              />
              <span className="muted small">#{identity.id}</span>
              {identity.is_named && <span className="badge named">confirmed</span>}
            </div>
            <div className="identity-facts small" data-testid="identity-facts">
              <span>{identity.object_class}</span>
              <span data-testid="identity-sightings">
                {identity.num_sightings} sighting{identity.num_sightings === 1 ? '' : 's'}
              </span>
              <span>{formatDuration(identity.total_seconds * 1000)} in view</span>
              <span title={`First seen ${when(identity.first_seen)}, last seen ${when(identity.last_seen)}`}>
                first {identity.first_seen ? clock(identity.first_seen) : '—'} · last {identity.last_seen ? clock(identity.last_seen) : '—'}
              </span>
              <span>on {cameras || 'no camera'}</span>
              <span className="muted">
                exemplars: {identity.num_face_exemplars} face, {identity.num_appearance_exemplars} appearance
              </span>
            </div>
            <label className="field check small">
              <input type="checkbox" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} data-testid="identity-confirmed" />
              <span>Confirmed by an operator (never merged automatically)</span>
            </label>
            <textarea
              className="identity-notes"
              value={notes}
              maxLength={4000}
              rows={2}
              placeholder="Notes"
              onChange={(e) => setNotes(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                  e.preventDefault();
                  void save();
                }
              }}
              aria-label="Notes"
              title="Ctrl+Enter saves"
              data-testid="identity-notes"
            />
          </div>
        </div>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        <div className="row end">
          <button type="button" className="danger" onClick={() => setPending({ kind: 'delete' })} data-testid="delete-identity">
            Delete identity…
          </button>
          <button type="button" onClick={() => setPending({ kind: 'auto' })} disabled={sightingsTotal < 2} title="Re-cluster its sightings into two and peel the smaller group off" data-testid="auto-split">
            Auto-split…
          </button>
          <div className="spacer" />
          <button type="submit" className="primary" disabled={saving || !dirty} data-testid="save-identity">
            {saving ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>

      <div className="panel" role="region" aria-label="Sightings">
        <div className="row">
          <h3>
            Sightings <span className="muted">({sightingsTotal})</span>
          </h3>
          <div className="spacer" />
          {picked.size > 0 && (
            <span className="muted" data-testid="picked-count">
              {picked.size} selected
            </span>
          )}
          <button className="small" disabled={!picked.size} onClick={() => setPicked(new Set())}>
            Clear selection
          </button>
          <button className="small" disabled={!canSplitOff} onClick={askSplit} title="Move the selected sightings to a new identity (Enter)" data-testid="split-selected">
            Split off…
          </button>
        </div>
        {sightings === null ? (
          <p className="muted">Loading…</p>
        ) : sightings.length === 0 ? (
          <p className="muted">No sightings.</p>
        ) : (
          <>
            <SightingsStrip sightings={sightings} selected={picked} focused={focused} onPick={(id, additive) => (additive ? togglePick(id) : show(id))} />
            <ul className="sighting-grid" onKeyDown={onGridKey} aria-label={`Sightings of ${label}: Space selects, Enter splits the selected off, Escape clears`}>
              {sightings.map((s) => (
                <SightingCard
                  key={s.id}
                  s={s}
                  picked={picked.has(s.id)}
                  focused={focused === s.id}
                  canNotSame={notSamePartner(s, identity.rep_sighting_id) !== null}
                  onToggle={() => togglePick(s.id)}
                  onFocus={() => setFocused(s.id)}
                  onNotSame={() => askNotSame(s)}
                  onShow={show}
                  inThis={(id) => byId.has(id)}
                />
              ))}
            </ul>
            {sightings.length < sightingsTotal && (
              <button onClick={() => void useIdentities.getState().loadMoreSightings().catch(reportError)}>
                Load more ({sightings.length} of {sightingsTotal})
              </button>
            )}
          </>
        )}
      </div>

      <div className="identity-lower">
        <div className="panel" role="region" aria-label="Faces">
          <h3>
            Faces <span className="muted">({facesTotal})</span>
          </h3>
          {faces === null ? (
            <p className="muted">Loading…</p>
          ) : faces.length === 0 ? (
            <p className="muted">No face was captured on its sightings.</p>
          ) : (
            <ul className="identity-faces">
              {faces.map((f) => (
                <FaceItem key={f.sample_id} face={f} onShow={() => (byId.has(f.sighting_id) ? show(f.sighting_id) : undefined)} />
              ))}
            </ul>
          )}
        </div>
        <div className="panel" role="region" aria-label="Events">
          <h3>
            Events <span className="muted">({eventsTotal})</span>
            {eventsTotal > 0 && (
              <button className="small" type="button" onClick={() => navigate(`events?identity=${identity.id}`)} data-testid="identity-all-events">
                Show all in Events
              </button>
            )}
            {identity.num_sightings > 0 && (
              <button className="small" type="button" onClick={() => navigate(`timeline?find=identity_id:${identity.id}`)} data-testid="identity-find" title="Every sighting and face of this person across cameras, played in order on the timeline">
                Find this person
              </button>
            )}
          </h3>
          {events === null ? (
            <p className="muted">Loading…</p>
          ) : events.length === 0 ? (
            <p className="muted">No recorded event shows {label}.</p>
          ) : (
            <ul className="person-events">
              {events.map((e) => (
                <IdentityEvent key={e.id} event={e} />
              ))}
            </ul>
          )}
        </div>
      </div>

      {pending?.kind === 'delete' && (
        <ConfirmDialog title={`Delete ${label}?`} confirmLabel="Delete identity" danger onConfirm={() => void confirm()} onCancel={() => setPending(null)}>
          Its {identity.num_sightings} sighting(s), crops and captured faces are removed; events that show only {label} go with their clips. Undo brings everything back while
          the undo window is open.
        </ConfirmDialog>
      )}
      {(pending?.kind === 'split' || pending?.kind === 'auto') && (
        <SplitDialog
          identity={identity}
          peel={pending.kind === 'split' ? pending.ids.map((id) => byId.get(id)).filter((s): s is SightingDto => s !== undefined) : null}
          remaining={sightingsTotal - (pending.kind === 'split' ? pending.ids.length : 0)}
          onConfirm={(n) => void confirm(n)}
          onCancel={() => setPending(null)}
        />
      )}
      {pending?.kind === 'not-same' && (
        <NotSameDialog sighting={pending.sighting} partner={pending.partner} canSplit={sightingsTotal > 1} onConfirm={(also) => void confirm(also)} onCancel={() => setPending(null)} />
      )}
    </div>
  );
}

function SightingCard({
  s,
  picked,
  focused,
  canNotSame,
  onToggle,
  onFocus,
  onNotSame,
  onShow,
  inThis,
}: {
  s: SightingDto;
  picked: boolean;
  focused: boolean;
  canNotSame: boolean;
  onToggle(): void;
  onFocus(): void;
  onNotSame(): void;
  onShow(id: number): void;
  inThis(id: number): boolean;
}) {
  const cam = s.camera_name ?? `Camera #${s.camera_id}`;
  const matched = s.link.matched;
  const scores = scoresText(s.link);
  return (
    <li
      className={`sighting-card ${picked ? 'picked' : ''} ${focused ? 'focused' : ''}`}
      tabIndex={-1}
      onFocus={onFocus}
      data-testid="sighting-card"
      data-sighting-id={s.id}
      data-kind={s.link.kind}
      aria-label={`Sighting ${s.id} on ${cam} at ${clock(s.started_at)}`}
    >
      <label className="sighting-pick" title="Select for a split">
        <input type="checkbox" checked={picked} onChange={onToggle} aria-label={`Select sighting ${s.id}`} data-testid="sighting-pick" />
        <SightingCrop id={s.id} url={s.thumb_url} alt={`Crop of sighting ${s.id} on ${cam}`} />
      </label>
      <div className="sighting-body">
        <div className="row sighting-where">
          <strong>{cam}</strong>
          <span className="muted">{clock(s.started_at)}</span>
          <span className="muted">{formatDuration(s.duration_s * 1000)}</span>
          {s.person_name && <span className="person-chip">{s.person_name}</span>}
        </div>
        <div className="sighting-why" data-testid="link-evidence">
          <span className="link-kind" style={{ borderColor: KIND_COLOR[s.link.kind], color: KIND_COLOR[s.link.kind] }}>
            {KIND_LABEL[s.link.kind]}
            {s.link.score !== null && ` ${s.link.score.toFixed(2)}`}
          </span>{' '}
          <span data-testid="link-why">{whyLinked(s)}</span>
        </div>
        <div className="muted small sighting-detail" title={`${scores ? `${scores} · ` : ''}linker: ${s.link.detail}`}>
          {scores && <span data-testid="link-scores">{scores} · </span>}
          <span data-testid="link-detail">{s.link.detail}</span>
        </div>
        <div className="row sighting-actions">
          {matched && inThis(matched.sighting_id) && (
            <button className="small" type="button" onClick={() => onShow(matched.sighting_id)} aria-label={`Show the sighting ${s.id} was linked to`}>
              Show match
            </button>
          )}
          {matched && !inThis(matched.sighting_id) && matched.identity_id !== s.identity_id && (
            <button className="small" type="button" onClick={() => navigate(`identities/${matched.identity_id}`)} aria-label={`Open identity ${matched.identity_id}, where the match now is`}>
              Open #{matched.identity_id}
            </button>
          )}
          {s.event_id !== null && (
            <button className="small" type="button" onClick={() => navigate(`events?event=${s.event_id}`)} aria-label={`Open event ${s.event_id} of sighting ${s.id}`}>
              Event
            </button>
          )}
          <button className="small" type="button" onClick={() => navigate(`timeline?find=sighting_id:${s.id}`)} aria-label={`Find the person of sighting ${s.id} everywhere`} data-testid="sighting-find">
            Find
          </button>
          <div className="spacer" />
          <button className="small" type="button" disabled={!canNotSame} onClick={onNotSame} title="Mark it and the sighting it was linked to as different people" data-testid="not-same" aria-label={`Not the same person: sighting ${s.id}`}>
            Not the same person
          </button>
        </div>
      </div>
    </li>
  );
}

function FaceItem({ face, onShow }: { face: IdentityFaceDto; onShow(): void }) {
  const cam = face.camera_name ?? `Camera #${face.camera_id}`;
  return (
    <li>
      <button className="identity-face" type="button" onClick={onShow} data-testid="identity-face" aria-label={`Face on ${cam} at ${clock(face.ts)}: show its sighting`}>
        <FaceCrop url={face.thumb_url} alt={`Face ${face.sample_id}`} />
        <span className="small">{cam}</span>
        <span className="muted small">
          {clock(face.ts)} · q {Math.round(face.quality * 100)}%
        </span>
        {face.person_name && <span className="person-chip">{face.person_name}</span>}
      </button>
    </li>
  );
}

function IdentityEvent({ event }: { event: EventDto }) {
  const [failed, setFailed] = useState(false);
  return (
    <li>
      <button
        className="person-event"
        onClick={() => navigate(`events?event=${event.id}`)}
        data-testid="identity-event"
        data-event-id={event.id}
        aria-label={`Open event ${event.id}: ${event.label} on ${event.camera_name ?? `camera ${event.camera_id}`}`}
      >
        {event.thumbnail_url && !failed ? <img className="thumb" loading="lazy" src={eventThumbUrl(event)} alt="" onError={() => setFailed(true)} /> : <span className="thumb none" />}
        <span className="label-chip" style={{ borderColor: labelColor(event.label), color: labelColor(event.label) }}>
          {event.label}
        </span>
        <span className="ev-camera">{event.camera_name ?? `#${event.camera_id}`}</span>
        <span className="ev-time">{new Date(event.started_at).toLocaleString()}</span>
        <span className="ev-dur">{event.open ? 'open' : formatDuration(event.duration * 1000)}</span>
      </button>
    </li>
  );
}
