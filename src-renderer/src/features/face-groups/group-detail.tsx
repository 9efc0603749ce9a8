// One face group: enrol it (new or existing person), label it, check bad samples and delete them, its clips, and
// "find this person everywhere" from any of its samples.
import { useEffect, useState, type FormEvent } from 'react';
import { eventThumbUrl, mediaPath } from '../../api/media-routes';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { navigate } from '../../router';
import { useCameras } from '../../stores/cameras.store';
import { useFaceGroups, type FaceGroupDto, type FaceGroupMember } from '../../stores/face-groups.store';
import { usePeople } from '../../stores/people.store';
import { useSession } from '../../stores/session.store';
import type { EventDto } from '../../../../src-main/shared/contract/events.contract';
import { formatDuration, labelColor } from '../timeline/timeline-math';
import { FaceSearchPanel } from './face-search-panel';

export function GroupDetail({ group }: { group: FaceGroupDto }) {
  const { checked, clips, clipsLoading, search, toggleChecked, setChecked, enroll, label, deleteChecked, loadClips, findEverywhere } = useFaceGroups();
  const people = usePeople((s) => s.people);
  const { toast, reportError } = useSession();
  const person = group.person_id === null ? null : (people.find((p) => p.id === group.person_id) ?? null);
  const title = person?.name ?? group.label ?? `Unknown #${group.group_id}`;

  const [newName, setNewName] = useState(group.label ?? '');
  const [existing, setExisting] = useState<string>(group.person_id === null ? '' : String(group.person_id));
  const [labelDraft, setLabelDraft] = useState(group.label ?? '');
  const [busy, setBusy] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  useEffect(() => setLabelDraft(group.label ?? ''), [group.label]);

  const run = async (what: string, fn: () => Promise<void>) => {
    setBusy(what);
    setFormError(null);
    try {
      await fn();
    } catch (err) {
      setFormError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(null);
    }
  };

  const enrolNew = (e: FormEvent) => {
    e.preventDefault();
    const name = newName.trim();
    if (!name) return setFormError('Enter a name for the new person.');
    void run('enrol', async () => {
      const r = await enroll({ name });
      setNewName('');
      toast(`Enrolled ${r.name} from this group (${r.enrolled_faces} face${r.enrolled_faces === 1 ? '' : 's'})`);
    });
  };

  const addToExisting = (e: FormEvent) => {
    e.preventDefault();
    const target = people.find((p) => String(p.id) === existing);
    if (!target) return setFormError('Choose the person to add these faces to.');
    void run('add', async () => {
      const r = await enroll({ name: target.name, person_id: target.id });
      toast(`Added ${r.enrolled_faces} face${r.enrolled_faces === 1 ? '' : 's'} to ${r.name}`);
    });
  };

  const saveLabel = (e: FormEvent) => {
    e.preventDefault();
    const l = labelDraft.trim();
    void run('label', async () => {
      await label(l || null);
      toast(l ? `Labelled ${group.size} faces “${l}”` : `Cleared the label of ${group.size} faces`);
    });
  };

  const doDelete = () => {
    setConfirmDelete(false);
    void run('delete', async () => {
      const n = await deleteChecked();
      toast(`Deleted ${n} face${n === 1 ? '' : 's'}`);
    });
  };

  const shownIds = group.members.map((m) => m.sample_id);
  const checkedHere = checked.filter((id) => group.sample_ids.includes(id));
  const allChecked = shownIds.length > 0 && shownIds.every((id) => checked.includes(id));

  return (
    <div className="fg-group" data-testid="group-detail" data-group-id={group.group_id}>
      <div className="panel">
        <div className="row fg-head">
          <h3 className="fg-title">{title}</h3>
          <span className="muted small" data-testid="group-size">
            {group.size} face{group.size === 1 ? '' : 's'}
          </span>
          <span className="muted small">on {group.cameras.map((c) => c.name ?? `#${c.id}`).join(', ')}</span>
          <span className="muted small">
            {new Date(group.first_seen).toLocaleString()} – {new Date(group.last_seen).toLocaleString()}
          </span>
          <div className="spacer" />
          {person && (
            <button onClick={() => navigate(`people/${person.id}`)} data-testid="group-open-person">
              Open {person.name}
            </button>
          )}
        </div>
        <div className="fg-forms">
          <form className="row" onSubmit={enrolNew} aria-label="Enrol as a new person">
            <input value={newName} maxLength={200} onChange={(e) => setNewName(e.target.value)} placeholder="New person's name" aria-label="New person's name" data-testid="fg-new-name" />
            <button type="submit" className="primary" disabled={busy !== null} data-testid="fg-enrol-new">
              {busy === 'enrol' ? 'Enrolling…' : 'Enrol as new person'}
            </button>
          </form>
          <form className="row" onSubmit={addToExisting} aria-label="Add to an existing person">
            <select value={existing} onChange={(e) => setExisting(e.target.value)} aria-label="Existing person" data-testid="fg-person-select">
              <option value="">Existing person…</option>
              {people.map((p) => (
                <option key={p.id} value={String(p.id)}>
                  {p.name} ({p.num_faces} face{p.num_faces === 1 ? '' : 's'})
                </option>
              ))}
            </select>
            <button type="submit" disabled={busy !== null || !existing} data-testid="fg-add-existing">
              {busy === 'add' ? 'Adding…' : 'Add to person'}
            </button>
          </form>
          <form className="row" onSubmit={saveLabel} aria-label="Label the group">
            <input value={labelDraft} maxLength={100} onChange={(e) => setLabelDraft(e.target.value)} placeholder="Label (e.g. courier)" aria-label="Group label" data-testid="fg-label" />
            <button type="submit" disabled={busy !== null || labelDraft.trim() === (group.label ?? '')} data-testid="fg-label-save">
              {labelDraft.trim() ? 'Save label' : 'Clear label'}
            </button>
          </form>
        </div>
        {formError && (
          <p className="field-error" role="alert" data-testid="fg-form-error">
            {formError}
          </p>
        )}
      </div>

      <div className="panel" role="region" aria-label="Faces in this group">
        <div className="row">
          <h3>
            Faces{' '}
            <span className="muted">
              ({group.members.length < group.size ? `${group.members.length} best of ${group.size}` : group.size})
            </span>
          </h3>
          <div className="spacer" />
          <button onClick={() => setChecked(allChecked ? [] : shownIds)} data-testid="fg-check-all">
            {allChecked ? 'Select none' : 'Select all'}
          </button>
          <button className="danger" disabled={checkedHere.length === 0 || busy !== null} onClick={() => setConfirmDelete(true)} data-testid="fg-delete-checked">
            {busy === 'delete' ? 'Deleting…' : `Delete selected (${checkedHere.length})…`}
          </button>
        </div>
        <ul
          className="fg-members"
          aria-label={`Faces of ${title}`}
          title="Space selects a face; Delete deletes the selected ones"
          onKeyDown={(e) => {
            if (e.key === 'Delete' && checkedHere.length > 0 && busy === null) {
              e.preventDefault();
              setConfirmDelete(true);
            }
          }}
        >
          {group.members.map((m) => (
            <Member key={m.sample_id} member={m} checked={checked.includes(m.sample_id)} searching={search?.sample_id === m.sample_id} onToggle={() => toggleChecked(m.sample_id)} onFind={() => void findEverywhere(m.sample_id)} />
          ))}
        </ul>
      </div>

      {search && <FaceSearchPanel />}

      <div className="panel" role="region" aria-label="Clips of this group">
        <div className="row">
          <h3>Clips {clips && <span className="muted">({clips.total})</span>}</h3>
          <div className="spacer" />
          <button onClick={() => void loadClips().catch(reportError)} disabled={clipsLoading} data-testid="fg-open-clips">
            {clipsLoading ? 'Looking…' : clips ? 'Refresh clips' : 'Open clips'}
          </button>
        </div>
        {clips === null ? (
          <p className="muted small">The recorded events these faces were captured in.</p>
        ) : clips.items.length === 0 ? (
          <p className="muted" data-testid="fg-no-clips">
            No recorded event contains these faces.
          </p>
        ) : (
          <ul className="person-events" aria-label="Clips">
            {clips.items.map((e) => (
              <ClipRow key={e.id} event={e} />
            ))}
          </ul>
        )}
      </div>

      {confirmDelete && (
        <ConfirmDialog title={`Delete ${checkedHere.length} face${checkedHere.length === 1 ? '' : 's'}?`} confirmLabel="Delete faces" danger onConfirm={doDelete} onCancel={() => setConfirmDelete(false)}>
          The captured face crops and their embeddings are removed for good; the groups are clustered again without them. Recordings and events stay.
        </ConfirmDialog>
      )}
    </div>
  );
}

function Member({ member, checked, searching, onToggle, onFind }: { member: FaceGroupMember; checked: boolean; searching: boolean; onToggle(): void; onFind(): void }) {
  const camera = useCameras((s) => s.cameras.find((c) => c.id === member.camera_id)?.name ?? `Camera ${member.camera_id}`);
  const [failed, setFailed] = useState(false);
  const when = new Date(member.ts).toLocaleString();
  return (
    <li className={`fg-member ${checked ? 'checked' : ''} ${searching ? 'searching' : ''}`} data-testid="group-member" data-sample-id={member.sample_id}>
      <label className="fg-member-pick">
        <input type="checkbox" checked={checked} onChange={onToggle} aria-label={`Select face ${member.sample_id} (${camera}, ${when})`} data-testid="fg-member-check" />
        {failed ? <span className="face-missing">no image</span> : <img src={mediaPath(member.thumb_url)} alt={`Face ${member.sample_id}`} loading="lazy" onError={() => setFailed(true)} />}
      </label>
      <div className="fg-member-meta">
        <span className="muted small" title={`${camera}, ${when}, quality ${Math.round(member.quality * 100)}%`}>
          {camera} · {new Date(member.ts).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}
        </span>
        <button className="small" onClick={onFind} aria-label={`Find face ${member.sample_id} everywhere`} title="Find this person everywhere" data-testid="fg-find">
          Find
        </button>
      </div>
    </li>
  );
}

function ClipRow({ event }: { event: EventDto }) {
  const [failed, setFailed] = useState(false);
  return (
    <li>
      <a className="person-event fg-clip" href={`#/events?event=${event.id}`} data-testid="fg-clip" data-event-id={event.id} aria-label={`Open event ${event.id}: ${event.label} on ${event.camera_name ?? `camera ${event.camera_id}`}`}>
        {event.thumbnail_url && !failed ? <img className="thumb" loading="lazy" src={eventThumbUrl(event)} alt="" onError={() => setFailed(true)} /> : <span className="thumb none" />}
        <span className="label-chip" style={{ borderColor: labelColor(event.label), color: labelColor(event.label) }}>
          {event.label}
        </span>
        <span className="ev-camera">{event.camera_name ?? `#${event.camera_id}`}</span>
        <span className="ev-time">{new Date(event.started_at).toLocaleString()}</span>
        <span className="ev-dur">{event.open ? 'open' : formatDuration(event.duration * 1000)}</span>
        {event.person_name && <span className="person-chip">{event.person_name}</span>}
      </a>
    </li>
  );
}
