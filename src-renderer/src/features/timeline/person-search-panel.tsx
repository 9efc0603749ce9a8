// Person search results beside the timeline: every matching moment newest first, why it matched, and in-order playback.
import { mediaPath } from '../../api/media-routes';
import { navigate } from '../../router';
import { usePersonSearch, type Clip, type PersonSearchHitDto } from '../../stores/person-search.store';

const SOURCE_LABEL = { sample_id: 'face', person_id: 'person', identity_id: 'identity', sighting_id: 'sighting', event_id: 'event' } as const;

/** `clips` is the screen's playlist of these hits (oldest first), so the panel and the player agree on what plays. */
export function PersonSearchPanel({ clips, onOpen, onPlayAll }: { clips: readonly Clip[]; onOpen(h: PersonSearchHitDto): void; onPlayAll(): void }) {
  const ps = usePersonSearch();
  if (!ps.ref) return null;
  const items = ps.result?.items ?? [];
  const q = ps.result?.query;
  return (
    <div className="panel person-search" role="region" aria-label="Person search" data-testid="person-search">
      <div className="row">
        <h3>
          Find this person <span className="muted">· from {SOURCE_LABEL[ps.ref.source]} {ps.ref.id}</span>
        </h3>
        <div className="spacer" />
        <button onClick={() => navigate('timeline')} title="Close the search" aria-label="Close person search">
          ✕
        </button>
      </div>
      {ps.loading && <p className="muted">Searching every camera…</p>}
      {ps.error && <p className="field-error" role="alert">{ps.error}</p>}
      {q && (
        <p className="muted small" data-testid="person-search-summary">
          {plural(ps.result?.total ?? 0, 'moment')} on {plural(new Set(items.map((h) => h.camera_id)).size, 'camera')}
          {q.person_name ? ` · ${q.person_name}` : ''}
          {q.identity_ids.length ? ` · identity ${q.identity_ids.join(', ')}` : ''}
        </p>
      )}
      {items.length > 0 && (
        <div className="row">
          <button className="primary" onClick={onPlayAll} data-testid="person-search-play">
            {ps.playing === null ? `Play all in order (${clips.length})` : `Playing ${ps.playing + 1} of ${clips.length}`}
          </button>
          {ps.playing !== null && <button onClick={() => ps.play(null)}>Stop</button>}
        </div>
      )}
      {ps.result && items.length === 0 && <p className="muted">No other sightings or faces of this person were found.</p>}
      <ul className="person-hits" aria-label="Matching moments, newest first">
        {items.map((h) => {
          const current = ps.playing !== null && clips[ps.playing]?.cameraId === h.camera_id && within(h, clips[ps.playing]!);
          return (
            <li key={h.key} className={current ? 'current' : undefined} data-testid="person-hit" data-key={h.key}>
              <button className="person-hit" onClick={() => onOpen(h)} title="Play this moment">
                {h.thumb_url ? <img src={mediaPath(h.thumb_url)} alt={`Crop at ${h.camera_name ?? h.camera_id}`} loading="lazy" /> : <span className="no-thumb" />}
                <span className="hit-text">
                  <span>
                    {h.camera_name ?? `Camera ${h.camera_id}`} · {new Date(h.start).toLocaleString()}
                  </span>
                  <span className="muted small">
                    {h.match}
                    {h.similarity !== null ? ` ${h.similarity.toFixed(2)}` : ''}
                    {h.person_name ? ` · ${h.person_name}` : ''}
                    {h.event_label ? ` · ${h.event_label}` : ''}
                  </span>
                </span>
              </button>
              {h.event_id !== null && (
                <button className="linklike" onClick={() => navigate(`events?event=${h.event_id}`)} aria-label={`Open event ${h.event_id}`}>
                  event
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function within(h: PersonSearchHitDto, c: { from: number; to: number }): boolean {
  return Date.parse(h.start) >= c.from && Date.parse(h.end) <= c.to;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
