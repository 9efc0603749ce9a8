// People: the enrolled people (name, faces), create, and the selected person's detail; a banner when faces are unavailable.
import { useEffect, useState, type FormEvent } from 'react';
import { navigate, useRoute } from '../../router';
import { usePeople } from '../../stores/people.store';
import { useSession } from '../../stores/session.store';
import { useSystem } from '../../stores/system.store';
import { PersonDetail } from './person-detail';

export function PeopleScreen() {
  const route = useRoute();
  const { people, loaded, selected, load, select, create } = usePeople();
  const { toast, reportError } = useSession();
  const info = useSystem((s) => s.info);
  const [name, setName] = useState('');
  const [creating, setCreating] = useState(false);
  const [createError, setCreateError] = useState<string | null>(null);
  const [filter, setFilter] = useState('');

  useEffect(() => {
    load().catch(reportError);
    useSystem.getState().refresh().catch(() => undefined);
  }, [load, reportError]);

  // A person can be linked to (#/people/<id>); the bare screen keeps whoever was selected last.
  const param = Number(route.param);
  const wanted = Number.isInteger(param) && param > 0 ? param : null;
  useEffect(() => {
    if (wanted !== null && wanted !== usePeople.getState().selected) select(wanted).catch(reportError);
  }, [wanted, select, reportError]);

  const faces = info?.backend.faces;
  const facesAvailable = info ? info.backend.faces_enabled && !faces?.error : true;
  const person = people.find((p) => p.id === selected) ?? null;

  useEffect(() => {
    // Models load after start-up and can be switched in settings: look again until they are there.
    if (facesAvailable) return;
    const t = setInterval(() => useSystem.getState().refresh().catch(() => undefined), 5000);
    return () => clearInterval(t);
  }, [facesAvailable]);
  const shown = filter.trim() ? people.filter((p) => p.name.toLowerCase().includes(filter.trim().toLowerCase())) : people;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const n = name.trim();
    if (!n) {
      setCreateError('Enter a name.');
      return;
    }
    setCreating(true);
    setCreateError(null);
    try {
      const p = await create(n);
      setName('');
      toast(`Added ${p.name}: now add a photo of their face`);
      navigate(`people/${p.id}`);
    } catch (err) {
      setCreateError(err instanceof Error ? err.message : String(err));
    } finally {
      setCreating(false);
    }
  };

  return (
    <section className="screen people" aria-label="People" data-testid="people-screen">
      <div className="toolbar">
        <h2>People</h2>
        <form className="row" onSubmit={(e) => void submit(e)} aria-label="Add person">
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="Name" maxLength={200} aria-label="New person name" data-testid="new-person-name" />
          <button type="submit" className="primary" disabled={creating} data-testid="add-person">
            + Add person
          </button>
          {createError && (
            <span className="field-error" role="alert">
              {createError}
            </span>
          )}
        </form>
        <div className="spacer" />
        {faces && facesAvailable && (
          <span className="muted small" data-testid="faces-models">
            Faces: {faces.detector} + {faces.embedder}
            {faces.match_threshold !== null && ` · match ≥ ${faces.match_threshold.toFixed(2)}`}
          </span>
        )}
      </div>
      {!facesAvailable && (
        <div className="banner faces-banner" role="alert" data-testid="faces-unavailable">
          Face recognition is not available: {(faces?.error ?? 'no face detector or embedding model is loaded').replace(/\.$/, '')}. People can be
          listed and edited, but no photo can be enrolled and nobody is recognised on live cameras until face models are loaded.
        </div>
      )}
      <div className="people-body">
        <div className="people-list panel">
          <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="Filter by name" aria-label="Filter people" />
          {loaded && people.length === 0 ? (
            <div className="empty">Nobody is enrolled yet. Add a person, then a photo of their face.</div>
          ) : (
            <ul aria-label="People list">
              {shown.map((p) => (
                <li key={p.id}>
                  <button
                    className={`person-row ${p.id === selected ? 'active' : ''}`}
                    aria-current={p.id === selected ? 'true' : undefined}
                    onClick={() => navigate(`people/${p.id}`)}
                    data-testid="person-row"
                    data-person-id={p.id}
                    data-name={p.name}
                  >
                    <span className="person-name">{p.name}</span>
                    <span className={`badge faces ${p.num_faces ? '' : 'none'}`} title="Enrolled faces" data-testid="num-faces">
                      {p.num_faces} face{p.num_faces === 1 ? '' : 's'}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
        <div className="people-detail">{person ? <PersonDetail key={person.id} person={person} facesAvailable={facesAvailable} /> : <div className="empty">{people.length ? 'Select a person to see their faces and events.' : ''}</div>}</div>
      </div>
    </section>
  );
}
