// Pure: the analytics DTO turned into Chart.js configurations and the figures shown beside them.
import type { ChartConfiguration } from 'chart.js';
import type { AnalyticsDto } from '../../../../src-main/shared/contract/identities.contract';

export type { AnalyticsDto };

export interface ChartTheme {
  text: string;
  muted: string;
  grid: string;
  accent: string;
  ok: string;
  warn: string;
  err: string;
  violet: string;
}

/** styles.css's palette; the screen reads the live CSS variables and falls back to these. */
export const DEFAULT_THEME: ChartTheme = { text: '#e6edf3', muted: '#8b949e', grid: '#30363d', accent: '#2f81f7', ok: '#3fb950', warn: '#d29922', err: '#f85149', violet: '#a371f7' };

/** The link kinds in the order the legend and the list show them, with what each means to an operator. */
export const MATCH_KINDS = [
  { key: 'face', label: 'Face', hint: 'linked by a face match' },
  { key: 'appearance', label: 'Appearance', hint: 'linked by clothing and build' },
  { key: 'manual', label: 'Manual', hint: 'moved by an operator' },
  { key: 'new', label: 'New', hint: 'started a new identity' },
] as const;

/** "42 s", "3 min 5 s", "1 h 12 min"; an em dash for no value. */
export function formatDwell(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  return `${Math.floor(s / 3600)} h${Math.floor((s % 3600) / 60) ? ` ${Math.floor((s % 3600) / 60)} min` : ''}`;
}

/** A tick step (seconds) giving at most about six round ticks up to `maxSeconds`. */
export function dwellStep(maxSeconds: number): number {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400];
  return steps.find((s) => maxSeconds / s <= 6) ?? 86_400;
}

/** Local "14:00" for an hour bucket's ISO start. */
export const hourLabel = (iso: string): string => `${String(new Date(iso).getHours()).padStart(2, '0')}:00`;

export const cameraLabel = (c: { camera_id: number; camera_name: string | null }): string => c.camera_name ?? `Camera ${c.camera_id}`;

/** Cameras by sightings, most first (ties by name), so both per-camera charts and the table line up. */
export function camerasBySightings(a: AnalyticsDto): AnalyticsDto['by_camera'] {
  return [...a.by_camera].sort((x, y) => y.sightings - x.sightings || cameraLabel(x).localeCompare(cameraLabel(y)));
}

export interface Peak {
  hour: string;
  sightings: number;
}

/** The busiest hour of the last 24 (the latest on a tie), or null when nothing was seen. */
export function peakHour(a: AnalyticsDto): Peak | null {
  let best: Peak | null = null;
  for (const h of a.by_hour) if (h.sightings > 0 && (best === null || h.sightings >= best.sightings)) best = { hour: h.hour, sightings: h.sightings };
  return best;
}

export const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

const axes = (t: ChartTheme, yTitle: string) => ({
  x: { ticks: { color: t.muted, autoSkip: true, maxRotation: 0 }, grid: { display: false }, border: { color: t.grid } },
  y: { beginAtZero: true, ticks: { color: t.muted, precision: 0 }, grid: { color: t.grid }, border: { display: false }, title: { display: true, text: yTitle, color: t.muted } },
});

const base = (t: ChartTheme) => ({
  responsive: true,
  maintainAspectRatio: false,
  animation: false as const,
  plugins: { legend: { labels: { color: t.text, boxWidth: 10, boxHeight: 10 } }, tooltip: { intersect: false } },
});

export function perCameraChart(a: AnalyticsDto, t: ChartTheme): ChartConfiguration<'bar'> {
  const cams = camerasBySightings(a);
  return {
    type: 'bar',
    data: {
      labels: cams.map(cameraLabel),
      datasets: [
        { label: 'Sightings', data: cams.map((c) => c.sightings), backgroundColor: t.accent, borderRadius: 2, maxBarThickness: 36 },
        { label: 'Distinct identities', data: cams.map((c) => c.identities), backgroundColor: t.ok, borderRadius: 2, maxBarThickness: 36 },
      ],
    },
    options: { ...base(t), interaction: { mode: 'index', intersect: false }, scales: axes(t, 'count') },
  };
}

export function dwellChart(a: AnalyticsDto, t: ChartTheme): ChartConfiguration<'bar'> {
  const cams = camerasBySightings(a);
  const step = dwellStep(Math.max(0, ...cams.map((c) => c.avg_dwell_s ?? 0)));
  return {
    type: 'bar',
    data: {
      labels: cams.map(cameraLabel),
      datasets: [{ label: 'Average dwell', data: cams.map((c) => Math.round((c.avg_dwell_s ?? 0) * 10) / 10), backgroundColor: t.warn, borderRadius: 2, maxBarThickness: 36 }],
    },
    options: {
      ...base(t),
      plugins: { ...base(t).plugins, legend: { display: false }, tooltip: { callbacks: { label: (ctx) => `Average dwell ${formatDwell(ctx.parsed.y)}` } } },
      scales: { ...axes(t, 'time in view'), y: { ...axes(t, 'time in view').y, ticks: { color: t.muted, stepSize: step, callback: (v) => formatDwell(Number(v)) } } },
    },
  };
}

export function hourlyChart(a: AnalyticsDto, t: ChartTheme): ChartConfiguration<'bar'> {
  return {
    type: 'bar',
    data: {
      labels: a.by_hour.map((h) => hourLabel(h.hour)),
      datasets: [
        { label: 'Sightings', data: a.by_hour.map((h) => h.sightings), backgroundColor: t.accent, borderRadius: 1, categoryPercentage: 0.9, barPercentage: 0.9 },
        { label: 'Distinct identities', data: a.by_hour.map((h) => h.identities), backgroundColor: t.ok, borderRadius: 1, categoryPercentage: 0.9, barPercentage: 0.9 },
      ],
    },
    options: { ...base(t), interaction: { mode: 'index', intersect: false }, scales: axes(t, 'per hour') },
  };
}

export function matchKindChart(a: AnalyticsDto, t: ChartTheme): ChartConfiguration<'doughnut'> {
  const colours: Record<(typeof MATCH_KINDS)[number]['key'], string> = { face: t.accent, appearance: t.ok, manual: t.violet, new: t.muted };
  return {
    type: 'doughnut',
    data: {
      labels: MATCH_KINDS.map((k) => k.label),
      datasets: [{ label: 'Sightings', data: MATCH_KINDS.map((k) => a.by_match_kind[k.key]), backgroundColor: MATCH_KINDS.map((k) => colours[k.key]), borderColor: t.grid, borderWidth: 1 }],
    },
    options: { ...base(t), cutout: '60%', plugins: { ...base(t).plugins, legend: { position: 'right', labels: { color: t.text, boxWidth: 10, boxHeight: 10 } } } },
  };
}
