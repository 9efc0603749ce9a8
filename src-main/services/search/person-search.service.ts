// Find one person everywhere: resolve any starting point to faces, a person and identities, then merge face matches and identity sightings per event.
import { notFound } from '../../shared/errors';
import type { EventDto } from '../../shared/contract/events.contract';
import type { FaceSearchResultDto } from '../../shared/contract/face-groups.contract';
import type { PersonSearchHitDto, PersonSearchResultDto, PersonSearchSource } from '../../shared/contract/search.contract';
import type { IdentitiesRepository, SightingRow } from '../../repositories/identities.repository';
import type { FaceSampleRow } from '../../repositories/face-samples.repository';
import { sightingThumbUrl } from '../identities/identity-dto';
import { faceHit } from '../faces/face-search.service';

/** Identities (and their sightings) included per search, newest seen first. */
export const MAX_IDENTITIES = 20;
/** Sightings read per identity. */
export const SIGHTINGS_PER_IDENTITY = 500;
/** Face matches read per face query. */
export const FACES_PER_QUERY = 200;
/** A face captured outside any event is played from this long before to this long after its capture. */
export const FACE_MOMENT_MS = 3_000;

export interface PersonSearchDeps {
  faces: {
    bySample(sampleId: number, o: { min_similarity?: number; limit: number; offset: number }): FaceSearchResultDto;
    byPerson(personId: number, o: { min_similarity?: number; limit: number; offset: number }): FaceSearchResultDto;
    /** Null when faces are off (no model): searches then use identities only. */
    available(): boolean;
  };
  samples: { bestOfEvent(eventId: number): number | undefined; get(id: number): FaceSampleRow | undefined };
  identities: Pick<IdentitiesRepository, 'get' | 'sighting' | 'sightings' | 'identitiesOfPerson' | 'identitiesOfSamples'>;
  people: { name(id: number): string | null | undefined };
  events: { get(id: number): EventDto; getMany(ids: readonly number[]): EventDto[] };
}

export type PersonSearchInput = { [K in PersonSearchSource]?: number } & { min_similarity?: number; limit: number };

interface Seeds {
  source: PersonSearchSource;
  id: number;
  personId: number | null;
  identityIds: number[];
  sampleIds: number[];
}

type FaceHit = FaceSearchResultDto['items'][number];

export class PersonSearchService {
  constructor(private readonly d: PersonSearchDeps) {}

  find(i: PersonSearchInput): PersonSearchResultDto {
    const seeds = this.resolve(i);
    const faceHits = this.faceHits(seeds, i.min_similarity);
    const sightings = seeds.identityIds.flatMap((id) => this.d.identities.sightings(id, SIGHTINGS_PER_IDENTITY, 0).items);
    const events = new Map(this.d.events.getMany(unique([...faceHits.map((h) => h.event_id), ...sightings.map((s) => s.event_id)])).map((e) => [e.id, e]));
    const hits = mergeHits(faceHits, sightings, events);
    const personName = seeds.personId === null ? null : (this.d.people.name(seeds.personId) ?? null);
    return {
      query: { source: seeds.source, id: seeds.id, person_id: seeds.personId, person_name: personName, identity_ids: seeds.identityIds, face_sample_ids: seeds.sampleIds },
      total: hits.length,
      items: hits.slice(0, i.limit),
    };
  }

  private resolve(i: PersonSearchInput): Seeds {
    const ids = this.d.identities;
    if (i.sample_id !== undefined) {
      if (!this.d.samples.get(i.sample_id)) throw notFound(`Face sample ${i.sample_id} not found`);
      return { source: 'sample_id', id: i.sample_id, personId: null, identityIds: ids.identitiesOfSamples([i.sample_id], MAX_IDENTITIES), sampleIds: [i.sample_id] };
    }
    if (i.person_id !== undefined) {
      if (this.d.people.name(i.person_id) === undefined) throw notFound(`Person ${i.person_id} not found`);
      return { source: 'person_id', id: i.person_id, personId: i.person_id, identityIds: ids.identitiesOfPerson(i.person_id, MAX_IDENTITIES), sampleIds: [] };
    }
    if (i.identity_id !== undefined || i.sighting_id !== undefined) {
      const identityId = i.identity_id ?? this.sightingIdentity(i.sighting_id as number);
      const identity = ids.get(identityId);
      if (!identity) throw notFound(`Identity ${identityId} not found`);
      const source: PersonSearchSource = i.identity_id !== undefined ? 'identity_id' : 'sighting_id';
      const sampleIds = identity.face_sample_id === null ? [] : [identity.face_sample_id];
      return { source, id: (i.identity_id ?? i.sighting_id) as number, personId: identity.person_id, identityIds: [identityId], sampleIds };
    }
    const eventId = i.event_id as number;
    const ev = this.d.events.get(eventId);
    const best = this.d.samples.bestOfEvent(eventId);
    const identityIds = unique([ev.identity_id, ...(best === undefined ? [] : ids.identitiesOfSamples([best], MAX_IDENTITIES))]);
    return { source: 'event_id', id: eventId, personId: ev.person_id, identityIds, sampleIds: best === undefined ? [] : [best] };
  }

  private sightingIdentity(sightingId: number): number {
    const s = this.d.identities.sighting(sightingId);
    if (!s) throw notFound(`Sighting ${sightingId} not found`);
    return s.identity_id;
  }

  /** A person query searches with their enrolled faces; otherwise each seed face is a query. Best similarity wins. */
  private faceHits(s: Seeds, minSimilarity: number | undefined): FaceHit[] {
    if (!this.d.faces.available()) return [];
    const o = { ...(minSimilarity === undefined ? {} : { min_similarity: minSimilarity }), limit: FACES_PER_QUERY, offset: 0 };
    const results = s.personId !== null ? [this.d.faces.byPerson(s.personId, o)] : [];
    for (const id of s.sampleIds) results.push(this.d.faces.bySample(id, o));
    const best = new Map<number, FaceHit>();
    for (const r of results) for (const h of r.items) if ((best.get(h.sample_id)?.similarity ?? -2) < h.similarity) best.set(h.sample_id, h);
    // The seed faces themselves are part of the answer (a face search leaves out its own query face).
    for (const id of s.sampleIds) {
      const r = best.has(id) ? undefined : this.d.samples.get(id);
      if (r) best.set(id, faceHit(r, 1));
    }
    return [...best.values()];
  }
}


interface Draft {
  hit: PersonSearchHitDto;
  face: boolean;
  identity: boolean;
}

/**
 * One hit per event (a face and a sighting of the same event are one moment), else one per sighting or face.
 * Pure: exported for tests.
 */
export function mergeHits(faces: readonly FaceHit[], sightings: readonly SightingRow[], events: ReadonlyMap<number, EventDto>): PersonSearchHitDto[] {
  const out = new Map<string, Draft>();
  const eventOf = (id: number | null): EventDto | undefined => (id === null ? undefined : events.get(id));
  for (const s of sightings) {
    const ev = eventOf(s.event_id);
    const key = ev ? `e${ev.id}` : `s${s.id}`;
    const cur = out.get(key);
    if (cur) {
      cur.identity = true;
      cur.hit.identity_id ??= s.identity_id;
      cur.hit.sighting_id ??= s.id;
      cur.hit.thumb_url ??= s.crop_path ? sightingThumbUrl(s.id) : null;
      continue;
    }
    out.set(key, {
      face: false,
      identity: true,
      hit: {
        key,
        camera_id: s.camera_id,
        camera_name: s.camera_name,
        start: new Date(ev ? Date.parse(ev.started_at) : s.start_ms).toISOString(),
        end: new Date(ev ? eventEnd(ev) : s.end_ms).toISOString(),
        match: 'identity',
        similarity: null,
        event_id: ev?.id ?? null,
        event_label: ev?.label ?? null,
        identity_id: s.identity_id,
        sighting_id: s.id,
        sample_id: null,
        person_id: s.person_id ?? ev?.person_id ?? null,
        person_name: s.person_name ?? ev?.person_name ?? null,
        thumb_url: s.crop_path ? sightingThumbUrl(s.id) : (ev?.thumbnail_url ?? null),
      },
    });
  }
  for (const f of faces) {
    const ev = eventOf(f.event_id);
    const key = ev ? `e${ev.id}` : `f${f.sample_id}`;
    const cur = out.get(key);
    if (cur) {
      cur.face = true;
      if (cur.hit.similarity === null || f.similarity > cur.hit.similarity) {
        cur.hit.similarity = f.similarity;
        cur.hit.sample_id = f.sample_id;
        cur.hit.thumb_url = f.thumb_url;
      }
      cur.hit.person_id ??= f.person_id;
      cur.hit.person_name ??= f.person_name;
      continue;
    }
    const ts = Date.parse(f.ts);
    out.set(key, {
      face: true,
      identity: false,
      hit: {
        key,
        camera_id: f.camera_id,
        camera_name: f.camera_name,
        start: new Date(ev ? Date.parse(ev.started_at) : ts - FACE_MOMENT_MS).toISOString(),
        end: new Date(ev ? eventEnd(ev) : ts + FACE_MOMENT_MS).toISOString(),
        match: 'face',
        similarity: f.similarity,
        event_id: ev?.id ?? null,
        event_label: ev?.label ?? null,
        identity_id: null,
        sighting_id: null,
        sample_id: f.sample_id,
        person_id: f.person_id ?? ev?.person_id ?? null,
        person_name: f.person_name ?? ev?.person_name ?? null,
        thumb_url: f.thumb_url,
      },
    });
  }
  return [...out.values()]
    .map((d) => ({ ...d.hit, match: d.face && d.identity ? ('face+identity' as const) : d.face ? ('face' as const) : ('identity' as const) }))
    .sort((a, b) => Date.parse(b.start) - Date.parse(a.start) || a.key.localeCompare(b.key));
}

function eventEnd(e: EventDto): number {
  return e.ended_at ? Date.parse(e.ended_at) : Date.parse(e.started_at) + e.duration * 1000;
}

function unique(ids: readonly (number | null | undefined)[]): number[] {
  return [...new Set(ids.filter((x): x is number => typeof x === 'number'))];
}
