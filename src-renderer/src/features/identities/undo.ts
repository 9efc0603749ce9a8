// Undo for identity corrections: a toast with an Undo button after each one, and the messages a refused undo gives.
import { ClientError } from '../../api/client';
import { useIdentities } from '../../stores/identities.store';
import { useSession } from '../../stores/session.store';

/** A refused undo in plain words: 409 (already undone, or a later change must be undone first), 410 (window closed), 404. */
export function undoErrorText(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  if (err instanceof ClientError && (err.status === 409 || err.status === 410 || err.status === 404)) return `Cannot undo: ${msg}`;
  return msg;
}

/**
 * Undoes operations newest first (a correction made of several, like not-same + split, is undone whole) and says what
 * came back; a refusal shows its message as an error toast. Resolves to whether everything was undone.
 */
export async function undoOperations(ids: readonly number[]): Promise<boolean> {
  const { toast } = useSession.getState();
  const details: string[] = [];
  for (const id of [...ids].sort((a, b) => b - a)) {
    try {
      details.push((await useIdentities.getState().undo(id)).detail);
    } catch (err) {
      toast(undoErrorText(err), 'error');
      return false;
    }
  }
  toast(details.join('; ') || 'Undone');
  return true;
}

/** Announces a correction; with logged operations the toast carries an Undo button. */
export function offerUndo(text: string, operationIds: readonly (number | null)[]): void {
  const ids = operationIds.filter((x): x is number => x !== null);
  const { toast } = useSession.getState();
  if (!ids.length) toast(text);
  else toast(text, 'info', { label: 'Undo', run: () => void undoOperations(ids) });
}
