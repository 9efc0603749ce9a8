// "Find this person everywhere": the search's source, its hits, the in-order playlist over them and the timeline marks.
import { create } from 'zustand';
import { api } from '../api/client';
import type { PersonSearchHitDto, PersonSearchResultDto, PersonSearchSource } from '../../../src-main/shared/contract/search.contract';

export type { PersonSearchHitDto, PersonSearchSource };

/** A hit is played from a little before it starts to a little after it ends. */
export const PLAY_PAD_MS = 2_000;

export interface SearchRef {
  source: PersonSearchSource;
  id: number;
}

const SOURCES: readonly PersonSearchSource[] = ['sample_id', 'person_id', 'identity_id', 'sighting_id', 'event_id'];

/** The timeline deep link of a search: `find=identity_id:12`. */
export const findParam = (r: SearchRef): string => `${r.source}:${r.id}`;

export function parseFind(v: string | null): SearchRef | null {
  const m = /^([a-z_]+):(\d+)$/.exec(v ?? '');
  if (!m) return null;
  const source = m[1] as PersonSearchSource;
  const id = Number(m[2]);
  return SOURCES.includes(source) && Number.isSafeInteger(id) && id > 0 ? { source, id } : null;
}

export interface Clip {
  key: string;
  cameraId: number;
  from: number;
  to: number;
}

/** Hits oldest first, so playing follows the person through the day; back-to-back overlapping hits on one camera are one clip. */
export function playlist(hits: readonly PersonSearchHitDto[]): Clip[] {
  const clips = hits
    .map((h) => ({ key: h.key, cameraId: h.camera_id, from: Date.parse(h.start) - PLAY_PAD_MS, to: Date.parse(h.end) + PLAY_PAD_MS }))
    .sort((a, b) => a.from - b.from || a.cameraId - b.cameraId);
  const out: Clip[] = [];
  for (const c of clips) {
    const last = out[out.length - 1];
    if (last && last.cameraId === c.cameraId && c.from <= last.to) last.to = Math.max(last.to, c.to);
    else out.push({ ...c });
  }
  return out;
}

/** Spans to highlight on each camera's lane. */
export function marksOf(hits: readonly PersonSearchHitDto[]): { cameraId: number; start: number; end: number }[] {
  return hits.map((h) => ({ cameraId: h.camera_id, start: Date.parse(h.start), end: Date.parse(h.end) }));
}

/** The view that shows every hit with a margin (null without hits). */
export function viewOf(hits: readonly PersonSearchHitDto[]): { start: number; end: number } | null {
  if (!hits.length) return null;
  const s = Math.min(...hits.map((h) => Date.parse(h.start)));
  const e = Math.max(...hits.map((h) => Date.parse(h.end)));
  const pad = Math.max(60_000, (e - s) * 0.05);
  return { start: s - pad, end: e + pad };
}

interface PersonSearchState {
  ref: SearchRef | null;
  result: PersonSearchResultDto | null;
  loading: boolean;
  error: string | null;
  /** Index into playlist(result.items) while playing in order, else null. */
  playing: number | null;
  find(ref: SearchRef): Promise<void>;
  clear(): void;
  play(index: number | null): void;
}

let seq = 0;

export const usePersonSearch = create<PersonSearchState>((set, get) => ({
  ref: null,
  result: null,
  loading: false,
  error: null,
  playing: null,
  async find(ref) {
    const cur = get().ref;
    if (cur && cur.source === ref.source && cur.id === ref.id && (get().result || get().loading)) return;
    const my = ++seq;
    set({ ref, result: null, loading: true, error: null, playing: null });
    try {
      const result = await api.call('search.person', { [ref.source]: ref.id, limit: 500 });
      if (my === seq) set({ result, loading: false });
    } catch (err) {
      if (my === seq) set({ loading: false, error: err instanceof Error ? err.message : String(err) });
    }
  },
  clear() {
    seq++;
    set({ ref: null, result: null, loading: false, error: null, playing: null });
  },
  play(index) {
    set({ playing: index });
  },
}));
