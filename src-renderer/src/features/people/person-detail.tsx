// One person: name and notes, enrolled faces with delete, "Add photo", and their recent events linking to the events screen.
import { useEffect, useState, type FormEvent } from 'react';
import { eventThumbUrl, mediaPath } from '../../api/media-routes';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { navigate } from '../../router';
import { usePeople, type FaceEmbeddingDto, type PersonDto } from '../../stores/people.store';
import { useSession } from '../../stores/session.store';
import type { EventDto } from '../../../../src-main/shared/contract/events.contract';
import { formatDuration, labelColor } from '../timeline/timeline-math';
import { AddPhoto } from './add-photo';

type Pending = { kind: 'person' } | { kind: 'face'; face: FaceEmbeddingDto } | null;

export function PersonDetail({ person, facesAvailable }: { person: PersonDto; facesAvailable: boolean }) {
  const { faces, events, eventsTotal, update, remove, deleteFace } = usePeople();
  const { toast, reportError } = useSession();
  const [name, setName] = useState(person.name);
  const [notes, setNotes] = useState(person.notes ?? '');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState<Pending>(null);

  useEffect(() => {
    setName(person.name);
    setNotes(person.notes ?? '');
    setError(null);
  }, [person.id, person.name, person.notes]);

  const dirty = name.trim() !== person.name || notes !== (person.notes ?? '');

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) {
      setError('A name is required.');
      return;
    }
    setSaving(true);
    setError(null);
    try {
      const p = await update(person.id, { name: name.trim(), notes: notes.trim() ? notes : null });
      toast(`Saved ${p.name}`);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setSaving(false);
    }
  };

  const confirm = async () => {
    const p = pending;
    setPending(null);
    try {
      if (p?.kind === 'person') {
        await remove(person.id);
        toast(`Deleted ${person.name}`);
        navigate('people');
      } else if (p?.kind === 'face') {
        await deleteFace(person.id, p.face.id);
        toast(`Removed a face from ${person.name}`);
      }
    } catch (err) {
      reportError(err);
    }
  };

  return (
    <div className="person-detail" data-testid="person-detail" data-person-id={person.id}>
      <form className="panel person-form" onSubmit={(e) => void save(e)} aria-label="Person details">
        <h3>Person</h3>
        <div className="form-grid">
          <label className="field">
            <span>Name</span>
            <input value={name} maxLength={200} onChange={(e) => setName(e.target.value)} data-testid="person-name" />
          </label>
          <label className="field wide">
            <span>Notes</span>
            <textarea value={notes} maxLength={4000} rows={2} onChange={(e) => setNotes(e.target.value)} data-testid="person-notes" />
          </label>
        </div>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        <div className="row end">
          <span className="muted small">Added {new Date(person.created_at).toLocaleDateString()}</span>
          <div className="spacer" />
          <button type="button" className="danger" onClick={() => setPending({ kind: 'person' })} data-testid="delete-person">
            Delete person…
          </button>
          <button type="submit" className="primary" disabled={saving || !dirty} data-testid="save-person">
            {saving ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>

      <div className="panel" aria-label="Enrolled faces" role="region">
        <h3>
          Enrolled faces <span data-testid="face-count">({faces?.length ?? person.num_faces})</span>
        </h3>
        {faces === null ? (
          <p className="muted">Loading…</p>
        ) : faces.length === 0 ? (
          <p className="muted">No faces yet: add a photo so {person.name} can be recognised on live cameras.</p>
        ) : (
          <ul className="face-grid" aria-label={`Faces of ${person.name}`}>
            {faces.map((f) => (
              <FaceThumb key={f.id} face={f} personName={person.name} onDelete={() => setPending({ kind: 'face', face: f })} />
            ))}
          </ul>
        )}
        <AddPhoto key={person.id} personId={person.id} personName={person.name} disabled={!facesAvailable} />
      </div>

      <div className="panel" aria-label="Recent events" role="region">
        <div className="row">
          <h3>Recent events {events && <span className="muted">({eventsTotal})</span>}</h3>
          <div className="spacer" />
          <button onClick={() => navigate(`events?person=${person.id}`)} disabled={!eventsTotal} data-testid="person-all-events">
            Show all in Events
          </button>
          <button onClick={() => navigate(`timeline?find=person_id:${person.id}`)} data-testid="person-find" title="Every face and sighting of this person across cameras, played in order on the timeline">
            Find everywhere on the timeline
          </button>
        </div>
        {events === null ? (
          <p className="muted">Loading…</p>
        ) : events.length === 0 ? (
          <p className="muted">{person.name} has not been recognised on any event yet.</p>
        ) : (
          <ul className="person-events">
            {events.map((e) => (
              <PersonEvent key={e.id} event={e} />
            ))}
          </ul>
        )}
      </div>

      {pending?.kind === 'person' && (
        <ConfirmDialog title={`Delete ${person.name}?`} confirmLabel="Delete person" danger onConfirm={() => void confirm()} onCancel={() => setPending(null)}>
          Their {person.num_faces} enrolled face(s) and photos are removed and they are no longer recognised. Past events keep the name.
        </ConfirmDialog>
      )}
      {pending?.kind === 'face' && (
        <ConfirmDialog title="Remove this face?" confirmLabel="Remove face" danger onConfirm={() => void confirm()} onCancel={() => setPending(null)}>
          The photo and its embedding are removed from {person.name}.
        </ConfirmDialog>
      )}
    </div>
  );
}

function FaceThumb({ face, personName, onDelete }: { face: FaceEmbeddingDto; personName: string; onDelete(): void }) {
  const [failed, setFailed] = useState(false);
  const src = face.image_url ? mediaPath(face.image_url) : null;
  return (
    <li className="face" data-testid="face-thumb" data-face-id={face.id}>
      {src && !failed ? <img src={src} alt={`Face ${face.id} of ${personName}`} loading="lazy" onError={() => setFailed(true)} /> : <span className="face-missing">no image</span>}
      <div className="face-meta">
        <span className="muted small" title={`Model ${face.model}, quality ${face.quality ?? '—'}`}>
          {face.quality === null ? 'quality —' : `quality ${Math.round(face.quality * 100)}%`}
          {face.source_sample_id !== null && ' · from a capture'}
        </span>
        <button className="danger small" onClick={onDelete} aria-label={`Delete face ${face.id}`} data-testid="delete-face">
          Remove
        </button>
      </div>
    </li>
  );
}

function PersonEvent({ event }: { event: EventDto }) {
  const [failed, setFailed] = useState(false);
  const open = () => navigate(`events?event=${event.id}`);
  return (
    <li>
      <button className="person-event" onClick={open} data-testid="person-event" data-event-id={event.id} aria-label={`Open event ${event.id}: ${event.label} on ${event.camera_name ?? `camera ${event.camera_id}`}`}>
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
