// System screen: health, versions, ffmpeg, storage, workers, and the API key.
import { useEffect, useState } from 'react';
import { api } from '../../api/client';
import { useSession } from '../../stores/session.store';
import { useSystem } from '../../stores/system.store';

const gb = (b: number) => `${(b / 1e9).toFixed(1)} GB`;

export function SystemScreen() {
  const { health, info, refresh } = useSystem();
  const reportError = useSession((s) => s.reportError);
  const [key, setKey] = useState<string | null>(null);
  useEffect(() => {
    refresh().catch(reportError);
    const t = setInterval(() => refresh().catch(() => undefined), 5000);
    return () => clearInterval(t);
  }, [refresh, reportError]);

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
              <dd data-testid="ffmpeg">{info.ffmpeg.path ? `${info.ffmpeg.version} (${info.ffmpeg.source}: ${info.ffmpeg.path})` : 'not found'}</dd>
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
                    <td>{w.camera_id}</td>
                    <td>{w.state}</td>
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
              <button
                onClick={() => {
                  if (confirm('Regenerate the API key? Scripts and other browsers using the old key stop working.'))
                    api.call('auth.regenerateKey').then((k) => setKey(k.api_key), reportError);
                }}
              >
                Regenerate
              </button>
            </div>
          </div>
        </>
      )}
    </section>
  );
}
