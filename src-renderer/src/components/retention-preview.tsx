// The confirmation a retention change needs: what it would delete, per camera, before the operator resends it with confirm.
import { ClientError } from '../api/client';
import { ConfirmDialog } from './confirm-dialog';

export interface RetentionPreview {
  segments: number;
  bytes: number;
  events: number;
  at_least: boolean;
  cameras: { camera_id: number; camera_name: string; segments: number; bytes: number; oldest_kept: string | null }[];
}

/** The preview a 409 carries when a change would delete recordings, or null for any other error. */
export function retentionPreviewOf(err: unknown): RetentionPreview | null {
  if (!(err instanceof ClientError) || err.status !== 409) return null;
  const p = err.data.preview as RetentionPreview | undefined;
  return p && typeof p.segments === 'number' && Array.isArray(p.cameras) ? p : null;
}

const size = (b: number) => (b >= 1e9 ? `${(b / 1e9).toFixed(2)} GB` : `${(b / 1e6).toFixed(1)} MB`);

export function RetentionPreviewDialog({ preview, onConfirm, onCancel }: { preview: RetentionPreview; onConfirm(): void; onCancel(): void }) {
  return (
    <ConfirmDialog title="Delete recordings?" confirmLabel={`Delete ${preview.at_least ? 'at least ' : ''}${preview.segments} segments`} danger typeToConfirm="delete" onConfirm={onConfirm} onCancel={onCancel}>
      <p data-testid="retention-preview-summary">
        This change deletes {preview.at_least ? 'at least ' : ''}
        {preview.segments} recorded segment(s), {size(preview.bytes)}
        {preview.events ? `, and ${preview.events} event(s)` : ''}. Protected events keep their recordings; footage of events still open is kept only until they close.
      </p>
      <table className="table" data-testid="retention-preview">
        <thead>
          <tr>
            <th>Camera</th>
            <th>Segments</th>
            <th>Size</th>
            <th>Oldest kept</th>
          </tr>
        </thead>
        <tbody>
          {preview.cameras.map((c) => (
            <tr key={c.camera_id}>
              <td>{c.camera_name}</td>
              <td>{c.segments}</td>
              <td>{size(c.bytes)}</td>
              <td>{c.oldest_kept ? new Date(c.oldest_kept).toLocaleString() : 'nothing'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </ConfirmDialog>
  );
}
