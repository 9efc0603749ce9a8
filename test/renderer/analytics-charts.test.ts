// Analytics (pure): dwell and hour formatting, tick steps, camera order, the busiest hour and the chart configurations.
import { describe, expect, it } from 'vitest';
import { DEFAULT_THEME, camerasBySightings, dwellChart, dwellStep, formatDwell, hourLabel, hourlyChart, matchKindChart, peakHour, perCameraChart, type AnalyticsDto } from '../../src-renderer/src/features/analytics/analytics-charts';

const hours = Array.from({ length: 24 }, (_, k) => ({ hour: new Date(Date.UTC(2026, 0, 1, k)).toISOString(), sightings: k === 5 || k === 9 ? 3 : k === 7 ? 1 : 0, identities: k === 5 ? 2 : k === 9 || k === 7 ? 1 : 0 }));
const data: AnalyticsDto = {
  object_class: 'person',
  summary: { total: 3, named: 1, unnamed: 2, created_today: 1, seen_today: 2, seen_7d: 3, total_sightings: 7 },
  by_camera: [
    { camera_id: 2, camera_name: 'Lobby', sightings: 3, identities: 2, avg_dwell_s: 90 },
    { camera_id: 1, camera_name: 'Gate', sightings: 3, identities: 2, avg_dwell_s: 25 },
    { camera_id: 3, camera_name: null, sightings: 1, identities: 1, avg_dwell_s: null },
  ],
  by_hour: hours,
  by_match_kind: { face: 2, appearance: 1, manual: 1, new: 3 },
};

describe('formatting', () => {
  it('formats dwell in s, min and h', () => {
    expect(formatDwell(null)).toBe('—');
    expect(formatDwell(Number.NaN)).toBe('—');
    expect(formatDwell(42.4)).toBe('42 s');
    expect(formatDwell(300)).toBe('5 min');
    expect(formatDwell(185)).toBe('3 min 5 s');
    expect(formatDwell(3600 + 12 * 60)).toBe('1 h 12 min');
    expect(formatDwell(7200)).toBe('2 h');
  });

  it('labels an hour bucket with its local hour', () => {
    const iso = new Date(2026, 0, 1, 14, 0, 0).toISOString();
    expect(hourLabel(iso)).toBe('14:00');
  });

  it('picks round dwell tick steps, about six at most', () => {
    expect(dwellStep(0)).toBe(1);
    expect(dwellStep(25)).toBe(5);
    expect(dwellStep(300)).toBe(60);
    expect(dwellStep(5000)).toBe(900);
    for (const max of [3, 40, 95, 700, 4000, 50_000]) expect(max / dwellStep(max)).toBeLessThanOrEqual(6);
  });
});

describe('figures', () => {
  it('orders cameras by sightings, then name (unnamed ones by their number)', () => {
    expect(camerasBySightings(data).map((c) => c.camera_id)).toEqual([1, 2, 3]);
  });

  it('finds the busiest hour, the latest on a tie, and none without sightings', () => {
    expect(peakHour(data)).toEqual({ hour: hours[9]?.hour, sightings: 3 });
    expect(peakHour({ ...data, by_hour: hours.map((h) => ({ ...h, sightings: 0 })) })).toBeNull();
  });
});

describe('chart configurations', () => {
  it('plot the per-camera, dwell, hourly and match-kind figures in the same order as the lists', () => {
    const cams = perCameraChart(data, DEFAULT_THEME);
    expect(cams.data.labels).toEqual(['Gate', 'Lobby', 'Camera 3']);
    expect(cams.data.datasets.map((d) => d.data)).toEqual([
      [3, 3, 1],
      [2, 2, 1],
    ]);
    expect(dwellChart(data, DEFAULT_THEME).data.datasets[0]?.data).toEqual([25, 90, 0]);
    const hourly = hourlyChart(data, DEFAULT_THEME);
    expect(hourly.data.labels).toHaveLength(24);
    expect(hourly.data.datasets[0]?.data).toEqual(hours.map((h) => h.sightings));
    const kinds = matchKindChart(data, DEFAULT_THEME);
    expect(kinds.data.labels).toEqual(['Face', 'Appearance', 'Manual', 'New']);
    expect(kinds.data.datasets[0]?.data).toEqual([2, 1, 1, 3]);
    // No chart animates (the desk UI redraws on every refresh).
    for (const c of [cams, hourly, kinds]) expect(c.options?.animation).toBe(false);
  });
});
