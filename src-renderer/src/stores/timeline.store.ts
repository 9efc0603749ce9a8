// Timeline: the visible window, coverage/activity/events loaded around it, the playhead, range selection and exports.
import { create } from 'zustand';
import { api } from '../api/client';
import type { OpOutput } from '../../../src-main/shared/contract';
import type { EventDto } from '../../../src-main/shared/contract/events.contract';
import type { PushEventMap } from '../../../src-main/shared/push-events';
import { HOUR, bucketCount, clampView, duration, mergeSpans, type Span, type View } from '../features/timeline/timeline-math';

export type ExportStatus = OpOutput<'recordings.exportStatus'>;
export type Activity = OpOutput<'recordings.activity'>;

interface Loaded {
  from: number;
  to: number;
  gap: number;
  cameraId: number | null;
}

/** Whether data loaded for `l` still serves view `v` (inside it, and zoom close enough for its resolution). */
export function loadedCovers(l: Loaded | null, v: View, gap: number, cameraId: number | null): boolean {
  if (!l || l.cameraId !== cameraId) return false;
  return l.from <= v.start && l.to >= v.end && gap >= l.gap / 2 && gap <= l.gap * 4;
}

/** The window to fetch for a view: one view-width either side, so small pans need no request. */
export function fetchWindow(v: View, now: number): { from: number; to: number } {
  const d = duration(v);
  return { from: Math.max(0, Math.floor(v.start - d)), to: Math.ceil(Math.min(now + d, v.end + d)) };
}

export function applyExportProgress(exports: Record<string, ExportStatus>, p: PushEventMap['export.progress']): Record<string, ExportStatus> {
  const cur = exports[p.export_id];
  if (!cur) return exports;
  return { ...exports, [p.export_id]: { ...cur, percent: p.percent, state: p.state, detail: p.detail } };
}

interface TimelineState {
  view: View;
  cameraId: number | null;
  coverage: Record<number, Span[]>;
  activity: Activity | null;
  events: EventDto[];
  loaded: Loaded | null;
  playhead: number | null;
  playing: boolean;
  rate: number;
  selection: Span | null;
  exports: Record<string, ExportStatus>;
  /** The enrolled person whose events are marked on the lanes (null: none). */
  markPerson: number | null;
  personEvents: EventDto[];
  setMarkPerson(id: number | null): void;
  setView(v: View): void;
  setCamera(id: number | null): void;
  fetch(width: number, force?: boolean): Promise<void>;
  setPlayhead(t: number | null): void;
  setPlaying(p: boolean, rate?: number): void;
  setSelection(s: Span | null): void;
  startExport(cameraId: number, span: Span): Promise<ExportStatus>;
  exportProgress(p: PushEventMap['export.progress']): void;
  refreshExport(id: string): Promise<void>;
  eventChanged(): void;
}

let fetchSeq = 0;

export const useTimeline = create<TimelineState>((set, get) => ({
  view: { start: Date.now() - HOUR, end: Date.now() + 60_000 },
  cameraId: null,
  coverage: {},
  activity: null,
  events: [],
  loaded: null,
  playhead: null,
  playing: false,
  rate: 1,
  selection: null,
  exports: {},
  markPerson: null,
  personEvents: [],
  setMarkPerson(id) {
    set({ markPerson: id, personEvents: [], loaded: null });
  },
  setView(v) {
    set({ view: clampView(v) });
  },
  setCamera(id) {
    set({ cameraId: id, loaded: null });
  },
  async fetch(width, force = false) {
    const { view, cameraId, loaded, markPerson } = get();
    const gap = Math.max(0, Math.min(3_600_000, Math.floor(duration(view) / Math.max(1, width))));
    if (!force && loadedCovers(loaded, view, gap, cameraId)) return;
    const seq = ++fetchSeq;
    const { from, to } = fetchWindow(view, Date.now());
    const cam = cameraId ?? undefined;
    const [cov, act, ev, mine] = await Promise.all([
      api.call('recordings.coverage', { camera_id: cam, from, to, min_gap_ms: gap }),
      api.call('recordings.activity', { camera_id: cam, from, to, buckets: bucketCount(width * ((to - from) / Math.max(1, duration(view)))) }),
      api.call('events.list', { camera_id: cam, from, to, limit: 500 }),
      markPerson === null ? null : api.call('events.list', { camera_id: cam, person_id: markPerson, from, to, limit: 500 }),
    ]);
    if (seq !== fetchSeq) return;
    const coverage: Record<number, Span[]> = {};
    for (const c of cov.cameras) coverage[c.camera_id] = mergeSpans(c.spans, 0);
    set({ coverage, activity: act, events: ev.items, personEvents: mine?.items ?? [], loaded: { from, to, gap, cameraId } });
  },
  setPlayhead(t) {
    set({ playhead: t });
  },
  setPlaying(p, rate) {
    set({ playing: p, rate: rate ?? get().rate });
  },
  setSelection(s) {
    set({ selection: s });
  },
  async startExport(cameraId, span) {
    const st = await api.call('recordings.export', { camera_id: cameraId, from: Math.floor(span[0]), to: Math.ceil(span[1]) });
    set({ exports: { ...get().exports, [st.export_id]: st } });
    return st;
  },
  exportProgress(p) {
    const next = applyExportProgress(get().exports, p);
    if (next !== get().exports) set({ exports: next });
    if (p.state === 'done' || p.state === 'error') void get().refreshExport(p.export_id);
  },
  async refreshExport(id) {
    const st = await api.call('recordings.exportStatus', { export_id: id });
    set({ exports: { ...get().exports, [id]: st } });
  },
  eventChanged() {
    set({ loaded: null });
  },
}));
