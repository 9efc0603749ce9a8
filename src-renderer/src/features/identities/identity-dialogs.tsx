// The confirmations of identity corrections, each previewing what it changes: merge (target, what moves, the name kept),
// split (what is peeled off, an optional name), and "Not the same person".
import { useMemo, useState } from 'react';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { displayName, mergePreview, type IdentityItemDto, type SightingDto } from '../../stores/identities.store';
import { IdentityThumb } from './identity-thumb';
import { clock } from './evidence';

export function MergeDialog({ items, initialTarget, onConfirm, onCancel }: { items: IdentityItemDto[]; initialTarget: number; onConfirm(target: number, sources: number[]): void; onCancel(): void }) {
  const [target, setTarget] = useState(initialTarget);
  const preview = mergePreview(items, target);
  return (
    <ConfirmDialog title={`Merge ${items.length} identities`} confirmLabel="Merge" onConfirm={() => onConfirm(target, items.filter((i) => i.id !== target).map((i) => i.id))} onCancel={onCancel}>
      <fieldset className="merge-targets">
        <legend>Keep as (the others move into it)</legend>
        {items.map((i) => (
          <label key={i.id} className={`merge-target ${i.id === target ? 'active' : ''}`} data-testid="merge-target" data-identity-id={i.id}>
            <input type="radio" name="merge-target" checked={i.id === target} onChange={() => setTarget(i.id)} aria-label={`Merge into ${displayName(i)}`} />
            <IdentityThumb item={i} size="small" />
            <span className="identity-name">{displayName(i)}</span>
            <span className="muted small">
              {i.num_sightings} sighting{i.num_sightings === 1 ? '' : 's'} · {i.cameras.map((c) => c.name ?? `#${c.id}`).join(', ') || 'no camera'}
            </span>
          </label>
        ))}
      </fieldset>
      {preview && (
        <div className="merge-preview" data-testid="merge-preview">
          <div>
            Moves into <strong>{displayName(preview.target)}</strong>:
          </div>
          <ul>
            {preview.moves.map((m) => (
              <li key={m.id}>
                {m.label}: {m.sightings} sighting{m.sightings === 1 ? '' : 's'}
              </li>
            ))}
          </ul>
          <div>
            {preview.total} sightings in all. Name kept: <strong data-testid="merge-kept-name">{preview.keptName ?? `none (stays Unknown #${preview.target.id})`}</strong>
            {preview.nameFromSource && ' (taken from a merged identity)'}.
          </div>
          <div className="muted small">The merged identities are removed; Undo brings them back exactly.</div>
        </div>
      )}
    </ConfirmDialog>
  );
}

const camerasOf = (sightings: readonly SightingDto[]) => [...new Set(sightings.map((s) => s.camera_name ?? `camera #${s.camera_id}`))].join(', ');

export function SplitDialog({
  identity,
  peel,
  remaining,
  onConfirm,
  onCancel,
}: {
  identity: { id: number; name: string | null };
  /** The sightings to peel off; null for an automatic split. */
  peel: SightingDto[] | null;
  remaining: number;
  onConfirm(newName: string | null): void;
  onCancel(): void;
}) {
  const [name, setName] = useState('');
  const title = peel ? `Split ${peel.length} sighting${peel.length === 1 ? '' : 's'} off ${displayName(identity)}` : `Split ${displayName(identity)} automatically`;
  return (
    <ConfirmDialog title={title} confirmLabel={peel ? 'Split off' : 'Auto-split'} onConfirm={() => onConfirm(name.trim() || null)} onCancel={onCancel}>
      <div data-testid="split-preview">
        {peel ? (
          <>
            {peel.length} sighting{peel.length === 1 ? '' : 's'} on {camerasOf(peel)} move to a new identity; {remaining} stay with {displayName(identity)}. The two are remembered as different
            people.
          </>
        ) : (
          <>Vigil re-clusters the sightings into two groups (by face first, then by appearance) and moves the smaller one to a new identity.</>
        )}
      </div>
      <label className="field">
        <span>Name of the new identity (optional)</span>
        <input value={name} maxLength={200} onChange={(e) => setName(e.target.value)} placeholder="Unknown" aria-label="New identity name" data-testid="split-name" />
      </label>
    </ConfirmDialog>
  );
}

export function NotSameDialog({
  sighting,
  partner,
  canSplit,
  onConfirm,
  onCancel,
}: {
  sighting: SightingDto;
  partner: { id: number; linked: boolean; at: string | null; camera: string | null };
  canSplit: boolean;
  onConfirm(alsoSplit: boolean): void;
  onCancel(): void;
}) {
  const [alsoSplit, setAlsoSplit] = useState(canSplit);
  const other = useMemo(() => (partner.at ? `the sighting at ${clock(partner.at)} on ${partner.camera ?? 'another camera'}` : `sighting #${partner.id}`), [partner]);
  return (
    <ConfirmDialog title="Not the same person" confirmLabel="Mark as different" onConfirm={() => onConfirm(canSplit && alsoSplit)} onCancel={onCancel}>
      <div>
        The sighting at {clock(sighting.started_at)} on {sighting.camera_name ?? `camera #${sighting.camera_id}`} and {other}
        {partner.linked ? ' (the one it was linked to)' : ' (this identity’s representative sighting)'} are marked as different people: linking and maintenance never join
        them again.
      </div>
      {canSplit && (
        <label className="field check">
          <input type="checkbox" checked={alsoSplit} onChange={(e) => setAlsoSplit(e.target.checked)} data-testid="not-same-split" />
          <span>Also split this sighting off into a new identity</span>
        </label>
      )}
    </ConfirmDialog>
  );
}
