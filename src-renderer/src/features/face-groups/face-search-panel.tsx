// "Find this person everywhere": the captured faces nearest to one sample across every camera and time, newest first.
import { mediaPath } from '../../api/media-routes';
import { navigate } from '../../router';
import { useFaceGroups, type FaceSearchHit } from '../../stores/face-groups.store';
import { useSession } from '../../stores/session.store';

export function FaceSearchPanel() {
  const { search, closeSearch, rejectHit } = useFaceGroups();
  const { toast, reportError } = useSession();
  if (!search) return null;
  const { result, error, sample_id } = search;

  const reject = (h: FaceSearchHit) => {
    if (h.person_id === null) return;
    const name = h.person_name ?? `person ${h.person_id}`;
    rejectHit(h.sample_id, h.person_id).then(() => toast(`Face ${h.sample_id} no longer counts as ${name}`), reportError);
  };

  return (
    <div className="panel fg-search" role="region" aria-label="Find everywhere" data-testid="fg-search">
      <div className="row">
        <img className="fg-search-query" src={mediaPath(`/api/face-groups/samples/${sample_id}/thumbnail`)} alt={`Face ${sample_id}`} />
        <h3>
          Everywhere face {sample_id} appears {result && <span className="muted" data-testid="fg-search-total">({result.total} match{result.total === 1 ? '' : 'es'}, newest first)</span>}
        </h3>
        <div className="spacer" />
        {result && result.people.length > 0 && (
          <span className="small" data-testid="fg-search-people">
            Looks like{' '}
            {result.people.slice(0, 3).map((p, i) => (
              <span key={p.person_id}>
                {i > 0 && ', '}
                <button className="linklike" onClick={() => navigate(`people/${p.person_id}`)}>
                  {p.name}
                </button>{' '}
                <span className="muted">{p.score.toFixed(2)}</span>
              </span>
            ))}
          </span>
        )}
        <button onClick={() => navigate(`timeline?find=sample_id:${sample_id}`)} data-testid="fg-search-timeline" title="Play every match in order on the timeline">
          Play on timeline
        </button>
        <button onClick={closeSearch} aria-label="Close the search" data-testid="fg-search-close">
          Close
        </button>
      </div>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : result === null ? (
        <p className="muted" role="status">
          Searching every camera…
        </p>
      ) : result.items.length === 0 ? (
        <p className="muted">No other capture is similar enough.</p>
      ) : (
        <table className="table fg-hits" aria-label="Matches">
          <thead>
            <tr>
              <th scope="col">Face</th>
              <th scope="col">Camera</th>
              <th scope="col">Time</th>
              <th scope="col">Similarity</th>
              <th scope="col">Person</th>
              <th scope="col">Event</th>
              <th scope="col">
                <span className="sr-only">Play</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {result.items.map((h) => (
              <tr key={h.sample_id} data-testid="fg-hit" data-sample-id={h.sample_id} data-ts={h.ts} className={h.sample_id === sample_id ? 'self' : ''}>
                <td>
                  <img className="fg-hit-thumb" src={mediaPath(h.thumb_url)} alt={`Face ${h.sample_id}`} loading="lazy" />
                </td>
                <td>{h.camera_name ?? `#${h.camera_id}`}</td>
                <td data-testid="fg-hit-time">{new Date(h.ts).toLocaleString()}</td>
                <td data-testid="fg-hit-similarity">{h.similarity.toFixed(3)}</td>
                <td>
                  {h.person_name ? (
                    <span className="row">
                      <span className="person-chip">{h.person_name}</span>
                      <button className="small" onClick={() => reject(h)} aria-label={`Face ${h.sample_id} is not ${h.person_name}`} title={`This face is not ${h.person_name}`}>
                        Not them
                      </button>
                    </span>
                  ) : (
                    <span className="muted">{h.label ?? '—'}</span>
                  )}
                </td>
                <td>{h.event_id !== null ? <a href={`#/events?event=${h.event_id}`}>Event {h.event_id}</a> : <span className="muted">—</span>}</td>
                <td>
                  <button className="small" onClick={() => navigate(`timeline?find=sample_id:${h.sample_id}`)} aria-label={`Find face ${h.sample_id} on the timeline`}>
                    Timeline
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
