// Analytics: identity totals, sightings and distinct identities per camera, average dwell, the last 24 h and how
// sightings were linked, for one object class; charts by Chart.js with every figure also listed as text.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api } from '../../api/client';
import { useSession } from '../../stores/session.store';
import {
  DEFAULT_THEME,
  MATCH_KINDS,
  camerasBySightings,
  cameraLabel,
  dwellChart,
  formatDwell,
  hourLabel,
  hourlyChart,
  matchKindChart,
  peakHour,
  perCameraChart,
  sum,
  type AnalyticsDto,
  type ChartTheme,
} from './analytics-charts';
import { ChartCanvas } from './chart-canvas';
import './analytics.css';

const CLASSES = ['person', 'car', 'truck', 'bicycle', 'motorcycle', 'bus', 'dog', 'cat'];
/** Figures refresh on their own this often while the screen is open. */
const REFRESH_MS = 60_000;

/** The palette from styles.css's variables (the charts draw on a canvas, which CSS cannot colour). */
function readTheme(): ChartTheme {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return { ...DEFAULT_THEME, text: v('--text', DEFAULT_THEME.text), muted: v('--muted', DEFAULT_THEME.muted), grid: v('--border', DEFAULT_THEME.grid), accent: v('--accent', DEFAULT_THEME.accent), ok: v('--ok', DEFAULT_THEME.ok), warn: v('--warn', DEFAULT_THEME.warn), err: v('--err', DEFAULT_THEME.err) };
}

export function AnalyticsScreen() {
  const reportError = useSession((s) => s.reportError);
  const [objectClass, setObjectClass] = useState('person');
  const [data, setData] = useState<AnalyticsDto | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [updated, setUpdated] = useState<Date | null>(null);
  const seq = useRef(0);

  const load = useCallback(
    async (cls: string) => {
      const mine = ++seq.current;
      setLoading(true);
      try {
        const r = await api.call('identities.analytics', { object_class: cls });
        if (mine !== seq.current) return;
        setData(r);
        setError(null);
        setUpdated(new Date());
      } catch (err) {
        if (mine !== seq.current) return;
        setError(err instanceof Error ? err.message : String(err));
        if (useSession.getState().connected) reportError(err);
      } finally {
        if (mine === seq.current) setLoading(false);
      }
    },
    [reportError],
  );

  useEffect(() => {
    void load(objectClass);
    const t = setInterval(() => void load(objectClass), REFRESH_MS);
    return () => clearInterval(t);
  }, [load, objectClass]);

  const theme = useMemo(readTheme, []);
  const charts = useMemo(() => (data ? { cameras: perCameraChart(data, theme), dwell: dwellChart(data, theme), hourly: hourlyChart(data, theme), kinds: matchKindChart(data, theme) } : null), [data, theme]);
  const cams = data ? camerasBySightings(data) : [];
  const peak = data ? peakHour(data) : null;
  const last24 = data ? sum(data.by_hour.map((h) => h.sightings)) : 0;
  const kindsTotal = data ? sum(MATCH_KINDS.map((k) => data.by_match_kind[k.key])) : 0;
  const plural = objectClass === 'person' ? 'people' : `${objectClass}s`;

  return (
    <section className="screen analytics" aria-label="Analytics" data-testid="analytics-screen" aria-busy={loading}>
      <div className="toolbar">
        <h2>Analytics</h2>
        <label className="row">
          <span className="muted">Class</span>
          <select value={objectClass} onChange={(e) => setObjectClass(e.target.value)} aria-label="Object class" data-testid="an-class">
            {CLASSES.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <div className="spacer" />
        <span className="muted small" role="status" data-testid="an-updated">
          {loading ? 'Loading…' : updated ? `Updated ${updated.toLocaleTimeString()}` : ''}
        </span>
        <button onClick={() => void load(objectClass)} disabled={loading} title="Load the figures again">
          Refresh
        </button>
      </div>
      {error && !data && (
        <div className="banner an-error" role="alert">
          Analytics are not available: {error}
        </div>
      )}
      {data && charts && (
        <>
          <dl className="an-totals" aria-label="Totals" data-testid="an-totals">
            <Stat label="Identities" value={data.summary.total} testId="an-total" />
            <Stat label="Named" value={data.summary.named} testId="an-named" />
            <Stat label="Unnamed" value={data.summary.unnamed} testId="an-unnamed" />
            <Stat label="New today" value={data.summary.created_today} testId="an-created-today" />
            <Stat label="Seen today" value={data.summary.seen_today} testId="an-seen-today" />
            <Stat label="Seen in 7 days" value={data.summary.seen_7d} testId="an-seen-7d" />
            <Stat label="Sightings" value={data.summary.total_sightings} testId="an-sightings" />
          </dl>
          {data.summary.total_sightings === 0 ? (
            <div className="empty" data-testid="an-empty">
              No {objectClass} has been seen yet. Sightings are counted on cameras that detect objects.
            </div>
          ) : (
            <div className="an-grid">
              <figure className="panel an-card" aria-labelledby="an-cam-title">
                <h3 id="an-cam-title">Per camera</h3>
                <ChartCanvas config={charts.cameras} label={`Sightings and distinct ${plural} per camera`} testId="an-chart-cameras" />
                <table className="table an-table" aria-label="Per camera" data-testid="an-camera-table">
                  <thead>
                    <tr>
                      <th scope="col">Camera</th>
                      <th scope="col">Sightings</th>
                      <th scope="col">Distinct</th>
                      <th scope="col">Avg dwell</th>
                    </tr>
                  </thead>
                  <tbody>
                    {cams.map((c) => (
                      <tr key={c.camera_id} data-testid="an-camera-row" data-camera-id={c.camera_id}>
                        <th scope="row">{cameraLabel(c)}</th>
                        <td data-testid="an-camera-sightings">{c.sightings}</td>
                        <td data-testid="an-camera-identities">{c.identities}</td>
                        <td data-testid="an-camera-dwell">{formatDwell(c.avg_dwell_s)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </figure>
              <figure className="panel an-card" aria-labelledby="an-dwell-title">
                <h3 id="an-dwell-title">Average dwell per camera</h3>
                <ChartCanvas config={charts.dwell} label={`Average time a ${objectClass} stays in view, per camera`} testId="an-chart-dwell" />
                <figcaption className="muted small">How long one presence lasts on a camera (sightings less than a minute apart count as one).</figcaption>
              </figure>
              <figure className="panel an-card" aria-labelledby="an-kind-title">
                <h3 id="an-kind-title">How sightings were linked</h3>
                <ChartCanvas config={charts.kinds} label="Sightings by how they were linked to their identity" testId="an-chart-kinds" />
                <ul className="an-kinds" aria-label="Match kinds">
                  {MATCH_KINDS.map((k) => (
                    <li key={k.key} data-testid="an-kind" data-kind={k.key}>
                      <span>{k.label}</span>
                      <span className="muted small">{k.hint}</span>
                      <strong data-testid="an-kind-count">{data.by_match_kind[k.key]}</strong>
                      <span className="muted small">{kindsTotal ? `${Math.round((data.by_match_kind[k.key] / kindsTotal) * 100)}%` : ''}</span>
                    </li>
                  ))}
                </ul>
              </figure>
              <figure className="panel an-card wide" aria-labelledby="an-hour-title">
                <h3 id="an-hour-title">Last 24 hours</h3>
                <ChartCanvas config={charts.hourly} label={`Sightings and distinct ${plural} per hour over the last 24 hours`} testId="an-chart-hourly" />
                <figcaption className="muted small" data-testid="an-hourly-caption">
                  {last24} sighting{last24 === 1 ? '' : 's'} in the last 24 h
                  {peak && (
                    <>
                      {' '}
                      · busiest hour {hourLabel(peak.hour)} ({peak.sightings})
                    </>
                  )}
                </figcaption>
              </figure>
            </div>
          )}
        </>
      )}
    </section>
  );
}

function Stat({ label, value, testId }: { label: string; value: number; testId: string }) {
  return (
    <div className="an-stat">
      <dt>{label}</dt>
      <dd data-testid={testId}>{value.toLocaleString()}</dd>
    </div>
  );
}
