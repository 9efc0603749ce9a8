// Exports: every finished, running or failed export with its size, a download link and delete.
import { useCallback, useEffect, useState } from 'react';
import { api } from '../../api/client';
import { mediaPath } from '../../api/media-routes';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { useSession } from '../../stores/session.store';
import type { OpOutput } from '../../../../src-main/shared/contract';

type ExportList = OpOutput<'recordings.exports'>;
const mb = (b: number | null) => (b === null ? '—' : `${(b / 1e6).toFixed(1)} MB`);

export function ExportsPanel({ cameraName }: { cameraName(id: number): string }) {
  const [list, setList] = useState<ExportList | null>(null);
  const [doomed, setDoomed] = useState<string | null>(null);
  const reportError = useSession((s) => s.reportError);
  const load = useCallback(() => api.call('recordings.exports', { limit: 100 }).then(setList, reportError), [reportError]);

  useEffect(() => {
    void load();
    const offs = [api.on('export.progress', () => void load()), api.on('export.deleted', () => void load())];
    return () => offs.forEach((off) => off());
  }, [load]);

  const remove = async (id: string) => {
    setDoomed(null);
    try {
      await api.call('recordings.deleteExport', { export_id: id });
      useSession.getState().toast('Export deleted');
      await load();
    } catch (err) {
      reportError(err);
    }
  };

  return (
    <div className="panel" data-testid="exports-panel">
      <h3>Exports {list ? <span className="muted">({list.total})</span> : null}</h3>
      {list && list.items.length === 0 && <p className="muted">No exports yet. Shift+drag on the timeline to export a range.</p>}
      {list && list.items.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th>Camera</th>
              <th>Range</th>
              <th>State</th>
              <th>Size</th>
              <th>Created</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.items.map((x) => (
              <tr key={x.export_id} data-testid="export-item">
                <td>{cameraName(x.camera_id)}</td>
                <td>
                  {new Date(x.from).toLocaleString()} – {new Date(x.to).toLocaleTimeString()}
                </td>
                <td>{x.state === 'running' ? `${x.percent}%` : x.state}</td>
                <td>{mb(x.bytes)}</td>
                <td>{x.created_at ? new Date(x.created_at).toLocaleString() : '—'}</td>
                <td className="row">
                  {x.state === 'done' && x.file_url && (
                    <a href={mediaPath(x.file_url)} download target="_blank" rel="noopener">
                      Download
                    </a>
                  )}
                  <button className="danger" disabled={x.state === 'running'} onClick={() => setDoomed(x.export_id)} aria-label={`Delete export ${x.export_id}`}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {doomed && (
        <ConfirmDialog title="Delete this export?" confirmLabel="Delete" danger onConfirm={() => void remove(doomed)} onCancel={() => setDoomed(null)}>
          The MP4 and its manifest are removed. The recordings it was made from are not touched.
        </ConfirmDialog>
      )}
    </div>
  );
}
