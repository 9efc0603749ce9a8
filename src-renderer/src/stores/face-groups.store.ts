// Face groups: the clustered unknown faces (re-clustered, debounced, when the threshold or minimum size moves), the selected
// group with its checked samples, its clips, and "find this person everywhere" from one sample.
import { create } from 'zustand';
import { api } from '../api/client';
import type { OpOutput } from '../../../src-main/shared/contract';
import type { EventDto } from '../../../src-main/shared/contract/events.contract';
import type { FaceSearchResultDto } from '../../../src-main/shared/contract/face-groups.contract';
import { usePeople } from './people.store';

export type FaceGroupsResult = OpOutput<'faceGroups.list'>;
export type FaceGroupDto = FaceGroupsResult['groups'][number];
export type FaceGroupMember = FaceGroupDto['members'][number];
export type FaceSearchHit = FaceSearchResultDto['items'][number];
export type EnrollResult = OpOutput<'faceGroups.enroll'>;

/** Quiet time after the last slider/size change before the server re-clusters. */
export const RECLUSTER_DEBOUNCE_MS = 300;
/** Member thumbnails per group (the rest are counted, not shown). */
export const MAX_MEMBERS = 40;
/** Matches "find everywhere" asks for. */
export const SEARCH_LIMIT = 100;
/** bulkDeleteSamples takes at most this many ids per call. */
const DELETE_CHUNK = 1000;

export interface ClusterParams {
  /** Least cosine to link two faces; null = the embedding model's own threshold (the server's default). */
  face_threshold: number | null;
  min_size: number;
}

export interface GroupClips {
  group_id: number;
  total: number;
  items: EventDto[];
}

export interface FaceSearchState {
  sample_id: number;
  /** Newest first; null while searching. */
  result: FaceSearchResultDto | null;
  error: string | null;
}

/**
 * The group that continues `prev` after a re-clustering: the one sharing most of its samples (ties: the larger group),
 * or null when none shares any. Group ids are representative samples, so they change when membership does.
 */
export function successorGroup(prev: Pick<FaceGroupDto, 'group_id' | 'sample_ids'> | null, groups: readonly FaceGroupDto[]): FaceGroupDto | null {
  if (!prev) return null;
  const same = groups.find((g) => g.group_id === prev.group_id);
  if (same) return same;
  const wanted = new Set(prev.sample_ids);
  let best: FaceGroupDto | null = null;
  let bestShared = 0;
  for (const g of groups) {
    const shared = g.sample_ids.reduce((n, id) => n + (wanted.has(id) ? 1 : 0), 0);
    if (shared > bestShared || (shared === bestShared && shared > 0 && best !== null && g.size > best.size)) [best, bestShared] = [g, shared];
  }
  return best;
}

/** Search hits newest first (ties: the more similar first). */
export function newestFirst(items: readonly FaceSearchHit[]): FaceSearchHit[] {
  return [...items].sort((a, b) => Date.parse(b.ts) - Date.parse(a.ts) || b.similarity - a.similarity || a.sample_id - b.sample_id);
}

/** `group` without the given samples (the counts and first/last seen of what is shown stay as they are until the re-cluster). */
export function withoutSamples(group: FaceGroupDto, ids: ReadonlySet<number>): FaceGroupDto {
  const sample_ids = group.sample_ids.filter((id) => !ids.has(id));
  const members = group.members.filter((m) => !ids.has(m.sample_id));
  return { ...group, size: sample_ids.length, sample_ids, members, member_thumbs: members.map((m) => m.thumb_url) };
}

/** The slider's range around the model's own threshold (cosine scales differ per model: ≈0.91 for dlib, ≈0.3 for ArcFace). */
export function thresholdRange(modelDefault: number): { min: number; max: number } {
  const r = (x: number) => Math.round(x * 100) / 100;
  return { min: r(Math.max(0, modelDefault - 0.25)), max: r(Math.min(1, modelDefault + 0.08)) };
}

interface FaceGroupsState {
  groups: FaceGroupDto[];
  totalSamples: number;
  totalGroups: number;
  settings: FaceGroupsResult['settings'] | null;
  /** The threshold the server uses when none is given (the embedding model's), learnt from a default request. */
  defaultThreshold: number | null;
  loaded: boolean;
  params: ClusterParams;
  /** A re-clustering is waiting for its debounce or running on the server. */
  clustering: boolean;
  error: string | null;
  /** group_id of the selected group. */
  selected: number | null;
  /** Samples of the selected group checked for deletion. */
  checked: number[];
  clips: GroupClips | null;
  clipsLoading: boolean;
  search: FaceSearchState | null;
  load(): Promise<void>;
  /** Changes the clustering parameters and re-clusters after RECLUSTER_DEBOUNCE_MS of quiet. */
  setParams(patch: Partial<ClusterParams>): void;
  select(groupId: number | null): void;
  toggleChecked(sampleId: number): void;
  setChecked(ids: number[]): void;
  enroll(input: { name: string; person_id?: number }): Promise<EnrollResult>;
  label(label: string | null): Promise<void>;
  deleteChecked(): Promise<number>;
  loadClips(): Promise<void>;
  findEverywhere(sampleId: number): Promise<void>;
  closeSearch(): void;
  /** "Not this person" on a search hit. */
  rejectHit(sampleId: number, personId: number): Promise<void>;
}

let loadSeq = 0;
let searchSeq = 0;
let debounce: ReturnType<typeof setTimeout> | null = null;

const selectedGroup = (s: Pick<FaceGroupsState, 'groups' | 'selected'>): FaceGroupDto | null => s.groups.find((g) => g.group_id === s.selected) ?? null;

export const useFaceGroups = create<FaceGroupsState>((set, get) => ({
  groups: [],
  totalSamples: 0,
  totalGroups: 0,
  settings: null,
  defaultThreshold: null,
  loaded: false,
  params: { face_threshold: null, min_size: 2 },
  clustering: false,
  error: null,
  selected: null,
  checked: [],
  clips: null,
  clipsLoading: false,
  search: null,
  async load() {
    const seq = ++loadSeq;
    const { params } = get();
    set({ clustering: true });
    try {
      const r = await api.call('faceGroups.list', {
        ...(params.face_threshold !== null ? { face_threshold: params.face_threshold } : {}),
        min_size: params.min_size,
        max_members: MAX_MEMBERS,
      });
      if (seq !== loadSeq) return;
      const prev = selectedGroup(get());
      const next = successorGroup(prev, r.groups);
      const keep = new Set(next?.sample_ids ?? []);
      set({
        groups: r.groups,
        totalSamples: r.total_samples,
        totalGroups: r.total_groups,
        settings: r.settings,
        defaultThreshold: params.face_threshold === null ? r.settings.face_threshold : get().defaultThreshold,
        loaded: true,
        clustering: debounce !== null,
        error: null,
        selected: next?.group_id ?? null,
        checked: get().checked.filter((id) => keep.has(id)),
        clips: next && get().clips?.group_id === next.group_id ? get().clips : null,
      });
    } catch (err) {
      if (seq !== loadSeq) return;
      set({ clustering: debounce !== null, error: err instanceof Error ? err.message : String(err), loaded: true });
      throw err;
    }
  },
  setParams(patch) {
    set({ params: { ...get().params, ...patch }, clustering: true });
    if (debounce) clearTimeout(debounce);
    debounce = setTimeout(() => {
      debounce = null;
      // Errors land in `error`, which the screen shows next to the controls.
      get().load().catch(() => undefined);
    }, RECLUSTER_DEBOUNCE_MS);
  },
  select(groupId) {
    if (groupId === get().selected) return;
    set({ selected: groupId, checked: [], clips: null, clipsLoading: false });
  },
  toggleChecked(sampleId) {
    const checked = get().checked;
    set({ checked: checked.includes(sampleId) ? checked.filter((id) => id !== sampleId) : [...checked, sampleId] });
  },
  setChecked(ids) {
    set({ checked: [...new Set(ids)] });
  },
  async enroll(input) {
    const g = selectedGroup(get());
    if (!g) throw new Error('Select a group first.');
    const r = await api.call('faceGroups.enroll', { sample_ids: g.sample_ids, name: input.name, ...(input.person_id !== undefined ? { person_id: input.person_id } : {}) });
    // The samples are now labelled and named: show it on the group, and let the People screen list the person's new faces.
    set({ groups: get().groups.map((x) => (x.group_id === g.group_id ? { ...x, person_id: r.person_id, label: r.name } : x)) });
    // Enrolled either way: a failed refresh shows in `error`, not as a failed enrolment.
    await Promise.all([get().load().catch(() => undefined), usePeople.getState().load().catch(() => undefined)]);
    return r;
  },
  async label(label) {
    const g = selectedGroup(get());
    if (!g) throw new Error('Select a group first.');
    const r = await api.call('faceGroups.label', { sample_ids: g.sample_ids, label });
    set({
      groups: get().groups.map((x) => (x.group_id === g.group_id ? { ...x, label: r.label, members: x.members.map((m) => ({ ...m, label: r.label })) } : x)),
    });
  },
  async deleteChecked() {
    const ids = [...get().checked];
    if (!ids.length) return 0;
    let deleted = 0;
    for (let i = 0; i < ids.length; i += DELETE_CHUNK) deleted += (await api.call('faceGroups.bulkDeleteSamples', { ids: ids.slice(i, i + DELETE_CHUNK) })).deleted;
    const gone = new Set(ids);
    const search = get().search;
    set({
      groups: get().groups.map((g) => (g.sample_ids.some((id) => gone.has(id)) ? withoutSamples(g, gone) : g)),
      checked: [],
      search: search && gone.has(search.sample_id) ? null : search && search.result ? { ...search, result: { ...search.result, items: search.result.items.filter((h) => !gone.has(h.sample_id)) } } : search,
    });
    await get().load().catch(() => undefined);
    return deleted;
  },
  async loadClips() {
    const g = selectedGroup(get());
    if (!g) return;
    set({ clipsLoading: true });
    try {
      const r = await api.call('faceGroups.clips', { sample_ids: g.sample_ids, limit: 100 });
      if (get().selected === g.group_id) set({ clips: { group_id: g.group_id, total: r.total, items: r.items } });
    } finally {
      set({ clipsLoading: false });
    }
  },
  async findEverywhere(sampleId) {
    const seq = ++searchSeq;
    set({ search: { sample_id: sampleId, result: null, error: null } });
    try {
      const r = await api.call('faces.search', { sample_id: sampleId, limit: SEARCH_LIMIT });
      if (seq === searchSeq) set({ search: { sample_id: sampleId, result: { ...r, items: newestFirst(r.items) }, error: null } });
    } catch (err) {
      if (seq === searchSeq) set({ search: { sample_id: sampleId, result: null, error: err instanceof Error ? err.message : String(err) } });
    }
  },
  closeSearch() {
    ++searchSeq;
    set({ search: null });
  },
  async rejectHit(sampleId, personId) {
    await api.call('faces.rejectSample', { id: sampleId, person_id: personId });
    const s = get().search;
    if (!s?.result) return;
    set({ search: { ...s, result: { ...s.result, items: s.result.items.map((h) => (h.sample_id === sampleId && h.person_id === personId ? { ...h, person_id: null, person_name: null } : h)) } } });
  },
}));
