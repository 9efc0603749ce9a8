// The undo log: every merge, split, rename, delete and not-same mark, newest first, with Undo while its window is open.
import { useEffect, type KeyboardEvent } from 'react';
import { useIdentities, type OperationDto } from '../../stores/identities.store';
import { useSession } from '../../stores/session.store';
import { undoOperations } from './undo';

const when = (iso: string) => new Date(iso).toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });

function status(o: OperationDto): string {
  if (o.undone) return `undone ${o.undone_at ? when(o.undone_at) : ''}`.trim();
  if (o.can_undo) return `undo until ${when(o.expires_at)}`;
  return 'undo window closed';
}

export function HistoryPanel({ onClose }: { onClose(): void }) {
  const operations = useIdentities((s) => s.operations);
  const total = useIdentities((s) => s.operationsTotal);
  const reportError = useSession((s) => s.reportError);

  useEffect(() => {
    useIdentities.getState().loadOperations().catch(reportError);
  }, [reportError]);

  const onKey = (e: KeyboardEvent) => {
    if (e.key !== 'Escape') return;
    e.preventDefault();
    e.stopPropagation();
    onClose();
  };

  return (
    <aside className="panel history-panel" aria-label="Operation history" data-testid="history-panel" onKeyDown={onKey}>
      <div className="row">
        <h3>
          History {operations && <span className="muted">({total})</span>}
        </h3>
        <div className="spacer" />
        <button className="small" onClick={onClose} aria-label="Close history">
          ×
        </button>
      </div>
      {operations === null ? (
        <p className="muted">Loading…</p>
      ) : operations.length === 0 ? (
        <p className="muted">No corrections yet. Merges, splits, renames and deletes show up here and can be undone.</p>
      ) : (
        <ul className="op-list">
          {operations.map((o) => (
            <li key={o.id} className={`op-row ${o.undone ? 'undone' : ''}`} data-testid="operation-row" data-op-id={o.id} data-kind={o.kind} data-undone={o.undone}>
              <div className="row">
                <span className={`op-kind ${o.kind}`}>{o.kind.replace('_', '-')}</span>
                <span className="muted small">{when(o.created_at)}</span>
                <div className="spacer" />
                {!o.undone && (
                  <button className="small" disabled={!o.can_undo} title={o.can_undo ? undefined : 'The undo window has closed'} onClick={() => void undoOperations([o.id])} aria-label={`Undo operation ${o.id}: ${o.detail}`}>
                    Undo
                  </button>
                )}
              </div>
              <div className="op-detail">{o.detail || o.kind}</div>
              <div className="muted small">{status(o)}</div>
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}
