// Cameras: the list with status, fps and recording mode; add/edit, enable toggle and delete (with the recordings warning).
import { useEffect, useState } from 'react';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { StatusBadge } from '../../components/status-badge';
import { navigate, useRoute } from '../../router';
import { useCameras, type Camera } from '../../stores/cameras.store';
import { useSession } from '../../stores/session.store';
import { ago } from '../../stores/live.store';
import { CameraForm } from './camera-form';
import type { OpInput } from '../../../../src-main/shared/contract';

export function CamerasScreen() {
  const route = useRoute();
  const { cameras, create, update, remove } = useCameras();
  const { reportError, toast } = useSession();
  const [editing, setEditing] = useState<Camera | 'new' | null>(() => (route.query.get('new') ? 'new' : null));
  const [deleting, setDeleting] = useState<Camera | null>(null);

  useEffect(() => {
    // Status pushes are change-only; a periodic refresh keeps "Last frame" and fps current.
    const r = setInterval(() => void useCameras.getState().load().catch(() => undefined), 5000);
    return () => clearInterval(r);
  }, []);

  // Disabling waits for the camera's ffmpeg to close its last segment, which can take seconds: the switch says so and
  // takes no second click meanwhile.
  const [switching, setSwitching] = useState<ReadonlyMap<number, boolean>>(new Map());
  const toggle = (c: Camera) => {
    if (switching.has(c.id)) return;
    setSwitching((s) => new Map(s).set(c.id, !c.enabled));
    void update({ id: c.id, enabled: !c.enabled })
      .then((u) => toast(`${u.name} ${u.enabled ? 'enabled' : 'disabled'}`), reportError)
      .finally(() =>
        setSwitching((s) => {
          const n = new Map(s);
          n.delete(c.id);
          return n;
        }),
      );
  };

  return (
    <section className="screen cameras" aria-label="Cameras" data-testid="cameras-screen">
      <div className="toolbar">
        <h2>Cameras</h2>
        <button className="primary" onClick={() => setEditing('new')} data-testid="add-camera">
          + Add camera
        </button>
      </div>
      <div className="cameras-body">
        <table className="table" aria-label="Cameras">
          <thead>
            <tr>
              <th>Name</th>
              <th>Status</th>
              <th>Source</th>
              <th>fps</th>
              <th>Recording</th>
              <th>Last frame</th>
              <th>Enabled</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {cameras.map((c) => (
              <tr key={c.id} data-testid="camera-row" data-camera-id={c.id} data-name={c.name}>
                <td>
                  {c.name} {c.is_demo && <span className="badge demo">demo</span>}
                </td>
                <td>
                  <StatusBadge status={c.status} />
                  {c.last_error && c.status !== 'online' && <div className="muted small">{c.last_error}</div>}
                </td>
                <td>
                  <code className="url" data-testid="camera-url">
                    {c.rtsp_url}
                  </code>{' '}
                  <span className="muted">({c.source_kind})</span>
                </td>
                <td>{c.fps.toFixed(1)}</td>
                <td>{c.recording_mode}</td>
                <td>{c.last_seen ? `${ago(Date.parse(c.last_seen))} ago` : '—'}</td>
                <td>
                  <button
                    role="switch"
                    aria-checked={c.enabled}
                    aria-busy={switching.has(c.id)}
                    disabled={switching.has(c.id)}
                    className={`switch ${c.enabled ? 'on' : ''}`}
                    onClick={() => toggle(c)}
                    aria-label={`${c.enabled ? 'Disable' : 'Enable'} ${c.name}`}
                    data-testid="enable-toggle"
                  >
                    {switching.has(c.id) ? (switching.get(c.id) ? 'Starting…' : 'Stopping…') : c.enabled ? 'On' : 'Off'}
                  </button>
                </td>
                <td className="row">
                  <button onClick={() => navigate(`live/${c.id}`)}>View</button>
                  <button onClick={() => setEditing(c)} data-testid="edit-camera">
                    Edit
                  </button>
                  <button className="danger" onClick={() => setDeleting(c)} data-testid="delete-camera">
                    Delete
                  </button>
                </td>
              </tr>
            ))}
            {cameras.length === 0 && (
              <tr>
                <td colSpan={8} className="muted">
                  No cameras. Add one with an RTSP, HTTP snapshot, MJPEG or file URL.
                </td>
              </tr>
            )}
          </tbody>
        </table>
        {editing && (
          <CameraForm
            key={editing === 'new' ? 'new' : editing.id}
            camera={editing === 'new' ? null : editing}
            save={(payload) => (editing === 'new' ? create(payload as OpInput<'cameras.create'>) : update({ ...(payload as object), id: editing.id } as OpInput<'cameras.update'>))}
            onSaved={(cam) => {
              toast(`Saved ${cam.name}`);
              setEditing(null);
            }}
            onCancel={() => setEditing(null)}
          />
        )}
      </div>
      {deleting && (
        <ConfirmDialog
          title={`Delete ${deleting.name}?`}
          confirmLabel="Delete camera and recordings"
          danger
          onCancel={() => setDeleting(null)}
          onConfirm={() => {
            const c = deleting;
            setDeleting(null);
            remove(c.id).then(() => toast(`Deleted ${c.name}`), reportError);
          }}
        >
          <p className="error">This removes ALL of this camera&rsquo;s recordings, events, clips and thumbnails. It cannot be undone.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
