// Face groups: unknown faces clustered into likely people, largest first; threshold and minimum size re-cluster live.
import { useEffect, useState, type KeyboardEvent } from 'react';
import { mediaPath } from '../../api/media-routes';
import { useFaceGroups, thresholdRange, type FaceGroupDto } from '../../stores/face-groups.store';
import { usePeople } from '../../stores/people.store';
import { useSession } from '../../stores/session.store';
import { GroupDetail } from './group-detail';
import './face-groups.css';

/** Member thumbnails on a group card. */
const CARD_THUMBS = 6;

export function FaceGroupsScreen() {
  const { groups, totalSamples, totalGroups, settings, defaultThreshold, loaded, params, clustering, error, selected, load, setParams, select } = useFaceGroups();
  const reportError = useSession((s) => s.reportError);
  const peopleLoaded = usePeople((s) => s.loaded);

  // A failed clustering shows in the banner below the toolbar (with the server's reason), not as a toast as well.
  useEffect(() => {
    load().catch(() => undefined);
  }, [load]);
  const [minDraft, setMinDraft] = useState(String(params.min_size));
  useEffect(() => setMinDraft(String(params.min_size)), [params.min_size]);
  useEffect(() => {
    if (!peopleLoaded) usePeople.getState().load().catch(reportError);
  }, [peopleLoaded, reportError]);

  const modelDefault = defaultThreshold ?? settings?.face_threshold ?? null;
  const threshold = params.face_threshold ?? modelDefault ?? 0.5;
  const range = thresholdRange(modelDefault ?? threshold);
  const group = groups.find((g) => g.group_id === selected) ?? null;
  const noModel = loaded && settings !== null && settings.model === null;

  // Arrow keys move through the group list like a listbox; Enter/Space on a card selects it (it is a button).
  const onListKey = (e: KeyboardEvent<HTMLUListElement>) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    const cards = [...e.currentTarget.querySelectorAll<HTMLButtonElement>('button[data-group-id]')];
    const i = cards.indexOf(document.activeElement as HTMLButtonElement);
    const next = cards[Math.max(0, Math.min(cards.length - 1, i + (e.key === 'ArrowDown' ? 1 : -1)))];
    next?.focus();
  };

  return (
    <section className="screen face-groups" aria-label="Face groups" data-testid="face-groups-screen">
      <div className="toolbar">
        <h2>Face groups</h2>
        <label className="fg-control" title="Least face similarity for two captures to be grouped as one person: higher splits groups, lower merges them">
          <span>Match threshold</span>
          <input
            type="range"
            min={range.min}
            max={range.max}
            step={0.01}
            value={threshold}
            onChange={(e) => setParams({ face_threshold: Number(e.target.value) })}
            aria-label="Match threshold"
            aria-valuetext={threshold.toFixed(2)}
            data-testid="fg-threshold"
          />
          <output className="fg-value" data-testid="fg-threshold-value">
            {threshold.toFixed(2)}
          </output>
        </label>
        {params.face_threshold !== null && modelDefault !== null && Math.abs(params.face_threshold - modelDefault) > 1e-9 && (
          <button className="small" onClick={() => setParams({ face_threshold: null })} title={`Back to the model's threshold (${modelDefault.toFixed(2)})`}>
            Reset
          </button>
        )}
        <label className="fg-control">
          <span>Min. size</span>
          <input
            type="number"
            min={1}
            max={2000}
            value={minDraft}
            onChange={(e) => {
              setMinDraft(e.target.value);
              const v = Number(e.target.value);
              if (e.target.value !== '' && Number.isInteger(v) && v >= 1 && v <= 2000) setParams({ min_size: v });
            }}
            onBlur={() => setMinDraft(String(params.min_size))}
            aria-label="Minimum group size"
            className="fg-min-size"
            data-testid="fg-min-size"
          />
        </label>
        <span className="fg-status" role="status" aria-live="polite" data-testid="fg-status" data-clustering={clustering ? 'true' : 'false'}>
          {clustering ? (
            <>
              <span className="fg-spinner" aria-hidden="true" /> Clustering…
            </>
          ) : loaded ? (
            <span data-testid="fg-counts">
              {totalGroups} group{totalGroups === 1 ? '' : 's'} · {totalSamples} face{totalSamples === 1 ? '' : 's'}
            </span>
          ) : null}
        </span>
        <div className="spacer" />
        <button onClick={() => void load().catch(() => undefined)} disabled={clustering} title="Cluster the captured faces again (new captures are included)">
          Refresh
        </button>
      </div>
      {error && (
        <div className="banner fg-error" role="alert">
          Clustering failed: {error}
        </div>
      )}
      {noModel ? (
        <div className="empty">No face embedding model is configured, so captured faces cannot be grouped. Choose one under System → Settings.</div>
      ) : loaded && totalSamples === 0 ? (
        <div className="empty" data-testid="fg-empty">
          No captured faces yet. Faces are captured on cameras with face capture turned on; unknown people appear here in groups.
        </div>
      ) : (
        <div className={`fg-body ${clustering ? 'busy' : ''}`} aria-busy={clustering}>
          <div className="panel fg-list">
            {loaded && groups.length === 0 ? (
              <div className="empty">No group of {params.min_size} or more faces at this threshold. Lower the threshold or the minimum size.</div>
            ) : (
              <ul aria-label="Face groups, largest first" onKeyDown={onListKey}>
                {groups.map((g) => (
                  <GroupCard key={g.group_id} group={g} active={g.group_id === selected} onSelect={() => select(g.group_id)} />
                ))}
              </ul>
            )}
          </div>
          <div className="fg-detail">{group ? <GroupDetail key={group.group_id} group={group} /> : <div className="empty">{groups.length ? 'Select a group to enrol, label or clean it, or to open its clips.' : ''}</div>}</div>
        </div>
      )}
    </section>
  );
}

function GroupCard({ group, active, onSelect }: { group: FaceGroupDto; active: boolean; onSelect(): void }) {
  const person = usePeople((s) => (group.person_id === null ? null : (s.people.find((p) => p.id === group.person_id) ?? null)));
  const title = person?.name ?? group.label ?? `Unknown #${group.group_id}`;
  const cameras = group.cameras.map((c) => c.name ?? `#${c.id}`).join(', ');
  return (
    <li>
      <button
        className={`fg-card ${active ? 'active' : ''}`}
        aria-current={active ? 'true' : undefined}
        aria-label={`${title}: ${group.size} faces on ${cameras}, last seen ${new Date(group.last_seen).toLocaleString()}`}
        onClick={onSelect}
        data-testid="face-group"
        data-group-id={group.group_id}
        data-size={group.size}
        data-person-id={group.person_id ?? ''}
      >
        <span className="fg-card-head">
          <strong className="fg-card-title">{title}</strong>
          {person && <span className="person-chip">enrolled</span>}
          <span className="badge fg-size" data-testid="fg-size">
            {group.size}
          </span>
        </span>
        <span className="fg-thumbs" aria-hidden="true">
          {group.member_thumbs.slice(0, CARD_THUMBS).map((u) => (
            <img key={u} src={mediaPath(u)} alt="" loading="lazy" />
          ))}
          {group.size > CARD_THUMBS && <span className="fg-more">+{group.size - CARD_THUMBS}</span>}
        </span>
        <span className="muted small fg-card-meta">
          {cameras} · {new Date(group.last_seen).toLocaleString()}
        </span>
      </button>
    </li>
  );
}
