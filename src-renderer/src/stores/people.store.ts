// People: the enrolled people, and the selected person's faces and recent events; enrolment goes through api/uploads.
import { create } from 'zustand';
import { api, ClientError } from '../api/client';
import { enrolPhoto, type EnrollResult } from '../api/uploads';
import type { EventDto } from '../../../src-main/shared/contract/events.contract';
import type { FaceEmbeddingDto, PersonDto } from '../../../src-main/shared/contract/people.contract';
import type { PushEventMap } from '../../../src-main/shared/push-events';

export type { FaceEmbeddingDto, PersonDto };

/** How many of a person's newest events the People screen shows. */
export const RECENT_EVENTS = 12;

const byName = (a: PersonDto, b: PersonDto) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }) || a.id - b.id;

/** Inserts or replaces one person, keeping name order (the server's order). */
export function upsertPerson(people: readonly PersonDto[], p: PersonDto): PersonDto[] {
  return [...people.filter((x) => x.id !== p.id), p].sort(byName);
}

export function removePerson(people: readonly PersonDto[], id: number): PersonDto[] {
  return people.filter((x) => x.id !== id);
}

interface PeopleState {
  people: PersonDto[];
  loaded: boolean;
  selected: number | null;
  /** Faces and recent events of `selected`; null until loaded. */
  faces: FaceEmbeddingDto[] | null;
  events: EventDto[] | null;
  eventsTotal: number;
  load(): Promise<void>;
  select(id: number | null): Promise<void>;
  create(name: string, notes?: string | null): Promise<PersonDto>;
  update(id: number, patch: { name?: string; notes?: string | null }): Promise<PersonDto>;
  remove(id: number): Promise<void>;
  refreshPerson(id: number): Promise<void>;
  loadFaces(id: number): Promise<void>;
  loadEvents(id: number): Promise<void>;
  enrol(id: number, file: File): Promise<EnrollResult>;
  deleteFace(id: number, fid: number): Promise<void>;
  recognized(p: PushEventMap['face.recognized']): void;
}

/** Bumped on every selection, so a slow answer for a person no longer selected is dropped. */
let selectSeq = 0;

export const usePeople = create<PeopleState>((set, get) => ({
  people: [],
  loaded: false,
  selected: null,
  faces: null,
  events: null,
  eventsTotal: 0,
  async load() {
    const people = await api.call('people.list');
    const selected = get().selected;
    set({ people: people.slice().sort(byName), loaded: true });
    if (selected !== null && !people.some((p) => p.id === selected)) await get().select(null);
  },
  async select(id) {
    ++selectSeq;
    set({ selected: id, faces: null, events: null, eventsTotal: 0 });
    if (id === null) return;
    await Promise.all([get().loadFaces(id), get().loadEvents(id)]);
  },
  async create(name, notes) {
    const p = await api.call('people.create', notes ? { name, notes } : { name });
    set({ people: upsertPerson(get().people, p) });
    return p;
  },
  async update(id, patch) {
    const p = await api.call('people.update', { id, ...patch });
    set({ people: upsertPerson(get().people, p) });
    return p;
  },
  async remove(id) {
    await api.call('people.delete', { id });
    set({ people: removePerson(get().people, id) });
    if (get().selected === id) await get().select(null);
  },
  async refreshPerson(id) {
    try {
      const p = await api.call('people.get', { id });
      set({ people: upsertPerson(get().people, p) });
    } catch (err) {
      if (err instanceof ClientError && err.status === 404) set({ people: removePerson(get().people, id) });
      else throw err;
    }
  },
  async loadFaces(id) {
    const seq = selectSeq;
    const faces = await api.call('people.faces', { id });
    if (seq === selectSeq && get().selected === id) set({ faces });
  },
  async loadEvents(id) {
    const seq = selectSeq;
    const r = await api.call('events.list', { person_id: id, limit: RECENT_EVENTS });
    if (seq === selectSeq && get().selected === id) set({ events: r.items, eventsTotal: r.total });
  },
  async enrol(id, file) {
    const r = await enrolPhoto(id, file);
    await Promise.all([get().refreshPerson(id), get().selected === id ? get().loadFaces(id) : undefined]);
    return r;
  },
  async deleteFace(id, fid) {
    await api.call('people.deleteFace', { id, fid });
    const faces = get().faces;
    if (get().selected === id && faces) set({ faces: faces.filter((f) => f.id !== fid) });
    await get().refreshPerson(id);
  },
  recognized(p) {
    const { selected, events } = get();
    if (selected === null) return;
    // Named as the selected person, or a name withdrawn from one of their listed events.
    if (p.person_id === selected || (p.event_id !== null && events?.some((e) => e.id === p.event_id))) void get().loadEvents(selected).catch(() => undefined);
  },
}));
