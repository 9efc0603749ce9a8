// System screen: health, versions, ffmpeg, storage per camera with the retention forecast, workers, and the API key.
import { useEffect, useState } from 'react';
import { api } from '../../api/client';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { ExportsPanel } from './exports-panel';
import { FfmpegPathEditor } from './ffmpeg-path-editor';
import { RetentionPanel } from './retention-panel';
import { MqttPanel } from './mqtt-panel';
import { UsersPanel } from './users-panel';
import { useCameras } from '../../stores/cameras.store';
import { useSession } from '../../stores/session.store';
import { useSystem } from '../../stores/system.store';
import type { OpOutput } from '../../../../src-main/shared/contract';

type Storage = OpOutput<'storage.status'>;
const days = (d: number | null) => (d === null ? '—' : d >= 100 ? `${Math.round(d)} days` : `${d.toFixed(1)} days`);
const mbps = (bps: number) => `${(bps / 1e6).toFixed(2)} Mbit/s`;

const gb = (b: number) => `${(b / 1e9).toFixed(1)} GB`;

export function SystemScreen() {
  const { health, info, refresh } = useSystem();
  const reportError = useSession((s) => s.reportError);
  // Users are the admin's (the desktop app's and the API key's): role null.
  const role = useSession((s) => s.role);
  const [key, setKey] = useState<string | null>(null);
  const [storage, setStorage] = useState<Storage | null>(null);
  const [storageError, setStorageError] = useState<string | null>(null);
  const [regen, setRegen] = useState(false);
  const [cleaning, setCleaning] = useState(false);
  const cameras = useCameras((s) => s.cameras);
  const camName = (id: number) => cameras.find((c) => c.id === id)?.name ?? `#${id}`;
  useEffect(() => {
    const load = () => {
      // While the connection banner is up, a toast every 5 s would only repeat it.
      refresh().catch((err) => useSession.getState().connected && reportError(err));
      api.call('storage.status').then(
        (s) => {
          setStorage(s);
          setStorageError(null);
        },
        (err) => setStorageError(err instanceof Error ? err.message : String(err)),
      );
    };
    load();
    const t = setInterval(load, 5000);
    return () => clearInterval(t);
  }, [refresh, reportError]);

  const cleanup = async () => {
    setCleaning(true);
    try {
      const r = await api.call('storage.cleanup');
      useSession.getState().toast(`Cleanup removed ${r.deleted_segments} segment(s) and ${r.deleted_exports} export(s), freed ${gb(r.freed_bytes)}`);
      setStorage(await api.call('storage.status'));
    } catch (err) {
      reportError(err);
    } finally {
      setCleaning(false);
    }
  };

  const regenerate = async () => {
    setRegen(false);
    try {
      setKey(await useSession.getState().regenerateKey());
      useSession.getState().toast('API key regenerated; this session was signed in again with the new key.');
    } catch (err) {
      reportError(err);
    }
  };

  return (
    <section className="screen system" aria-label="System">
      <h2>System</h2>
      <div className="panel" data-testid="health-panel">
        <h3>Health</h3>
        {health ? (
          <dl>
            <dt>Status</dt>
            <dd data-testid="health-status" className={`badge ${health.status}`}>
              {health.status}
            </dd>
            <dt>Version</dt>
            <dd>{health.version}</dd>
            <dt>Workers</dt>
            <dd>{health.workers.length}</dd>
          </dl>
        ) : (
          <p>Loading…</p>
        )}
      </div>
      {info && (
        <>
          <div className="panel">
            <h3>Runtime</h3>
            <dl>
              <dt>Node</dt>
              <dd>{info.node}</dd>
              <dt>Electron</dt>
              <dd>{info.electron ?? 'headless'}</dd>
              <dt>ffmpeg</dt>
              <dd data-testid="ffmpeg">
                {info.ffmpeg.path ? `${info.ffmpeg.version} (${info.ffmpeg.source}: ${info.ffmpeg.path})` : 'not found'}
                {info.ffmpeg.error && <div className="field-error">{info.ffmpeg.error}</div>}
                {api.transport.kind === 'ipc' && <FfmpegPathEditor current={info.ffmpeg.source === 'local-settings' ? info.ffmpeg.path : null} onChanged={() => void refresh()} />}
              </dd>
              <dt>ONNX providers</dt>
              <dd>{info.backend.onnx_providers.join(', ') || 'none'}</dd>
              <dt>Data</dt>
              <dd>{info.data_dir}</dd>
              <dt>Disk</dt>
              <dd>
                {gb(info.disk.used_bytes)} used of {gb(info.disk.total_bytes)} ({info.disk.percent}%)
              </dd>
              <dt>Signed in as</dt>
              <dd>
                {info.user.name} via {info.user.via}
              </dd>
            </dl>
          </div>
          <div className="panel">
            <h3>Workers</h3>
            <table className="table">
              <thead>
                <tr>
                  <th>Camera</th>
                  <th>State</th>
                  <th>PID</th>
                  <th>Restarts</th>
                  <th>Last error</th>
                </tr>
              </thead>
              <tbody>
                {info.workers.map((w) => (
                  <tr key={w.camera_id}>
                    <td>{camName(w.camera_id)}</td>
                    <td>
                      <span className={`badge ${w.state === 'running' ? 'online' : w.state === 'error' ? 'error' : 'offline'}`}>{w.state}</span>
                    </td>
                    <td>{w.pid ?? '–'}</td>
                    <td>{w.restarts}</td>
                    <td>{w.last_error ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="panel">
            <h3>API key</h3>
            <div className="row">
              <code data-testid="api-key">{key ?? '••••••••••••'}</code>
              <button onClick={() => api.call('auth.apiKey').then((k) => setKey(k.api_key), reportError)}>Show</button>
              <button
                onClick={() =>
                  api
                    .call('auth.apiKey')
                    .then((k) => navigator.clipboard.writeText(k.api_key))
                    .then(() => useSession.getState().toast('API key copied'), reportError)
                }
              >
                Copy
              </button>
              <button className="danger" onClick={() => setRegen(true)} data-testid="regenerate-key">
                Regenerate…
              </button>
            </div>
          </div>
        </>
      )}
      <div className="panel" data-testid="storage-panel">
        <h3>Storage</h3>
        {storage ? (
          <>
            <dl>
              <dt>Recordings</dt>
              <dd>{gb(storage.total.recordings_bytes)}</dd>
              <dt>Exports</dt>
              <dd data-testid="exports-bytes">
                {gb(storage.total.exports_bytes)} in {storage.exports.count} file(s) · kept {storage.exports.max_days ? `${storage.exports.max_days} days` : 'until space is needed'}
                {storage.exports.max_gb ? `, at most ${storage.exports.max_gb} GB` : ''}
              </dd>
              <dt>Disk</dt>
              <dd>
                {gb(storage.total.used_bytes)} used, {gb(storage.total.free_bytes)} free ({storage.total.percent.toFixed(0)}%, limit {storage.policy.max_percent}%)
                <progress max={100} value={storage.total.percent} aria-label="Disk used" />
              </dd>
              <dt>Retention</dt>
              <dd>
                {storage.policy.max_days ? `${storage.policy.max_days} days` : 'no day limit'} · {storage.policy.max_gb ? `${storage.policy.max_gb} GB` : 'no size limit'}
              </dd>
              <dt>Forecast</dt>
              <dd>{days(storage.total.forecast_days)} fit at the current bitrate</dd>
            </dl>
            <table className="table">
              <thead>
                <tr>
                  <th>Camera</th>
                  <th>Used</th>
                  <th>Segments</th>
                  <th>Oldest</th>
                  <th>Bitrate</th>
                  <th>Forecast</th>
                </tr>
              </thead>
              <tbody>
                {storage.cameras.map((c) => (
                  <tr key={c.camera_id} data-testid="storage-row">
                    <td>{c.camera_name}</td>
                    <td>{gb(c.bytes)}</td>
                    <td>{c.segments}</td>
                    <td>{c.oldest ? new Date(c.oldest).toLocaleString() : '—'}</td>
                    <td>{mbps(c.bitrate_bps)}</td>
                    <td>{days(c.forecast_days)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div className="row">
              <button onClick={() => void cleanup()} disabled={cleaning} data-testid="cleanup-now">
                {cleaning ? 'Cleaning…' : 'Clean up now'}
              </button>
              <span className="muted">Runs the retention plan now; protected and open events keep their recordings.</span>
            </div>
          </>
        ) : (
          <p className="muted" data-testid="storage-error">Storage status unavailable{storageError ? `: ${storageError}` : '.'}</p>
        )}
      </div>
      <RetentionPanel />
      <MqttPanel />
      {role === null && <UsersPanel />}
      <ExportsPanel cameraName={camName} />
      {regen && (
        <ConfirmDialog title="Regenerate the API key?" confirmLabel="Regenerate" danger onConfirm={() => void regenerate()} onCancel={() => setRegen(false)}>
          Scripts, integrations and other browsers using the old key stop working at once.
        </ConfirmDialog>
      )}
    </section>
  );
}
