// Search after the fact: the captured faces nearest to a sample, a person or an uploaded photo, across cameras and time.
import { notFound } from '../../shared/errors';
import type { FaceSearchResultDto } from '../../shared/contract/face-groups.contract';
import type { FaceSampleRow, FaceSamplesRepository, SampleFilter } from '../../repositories/face-samples.repository';
import type { PeopleRepository } from '../../repositories/people.repository';
import type { FaceIndexService } from './face-index.service';
import { dot, normalise, rankPeople, voteFloor } from './recognition';
import { facesInUpload, type FaceUploadDeps, type UploadedImage } from './face-upload';

/** Results are ranked among this many nearest samples; `total` counts matches within it. */
export const SEARCH_HORIZON = 1000;
/** With a camera/time filter, a narrowed set up to this size is scanned exactly instead of over-fetching the index. */
export const EXACT_FILTERED_MAX = 20_000;
/** Enrolled faces a person query searches with, besides the reference (each is one index search). */
export const PERSON_QUERY_FACES = 4;

export interface SearchOptions {
  /** Default: the vote floor of the effective match threshold. */
  min_similarity?: number;
  camera_id?: number;
  from?: number;
  to?: number;
  limit: number;
  offset: number;
}

export interface FaceSearchDeps extends FaceUploadDeps {
  samples: FaceSamplesRepository;
  people: PeopleRepository;
  index: FaceIndexService;
  model: () => string | null;
  matchThreshold: () => number;
}

type Query = FaceSearchResultDto['query'];

export class FaceSearchService {
  constructor(private readonly d: FaceSearchDeps) {}

  search(i: SearchOptions & { sample_id?: number; person_id?: number }): FaceSearchResultDto {
    if (i.sample_id !== undefined) return this.bySample(i.sample_id, i);
    return this.byPerson(i.person_id as number, i);
  }

  bySample(sampleId: number, o: SearchOptions): FaceSearchResultDto {
    const v = this.d.samples.vector(sampleId);
    if (!v) throw notFound(`Face sample ${sampleId} not found`);
    const q = normalise(v.embedding);
    const query: Query = { kind: 'sample', sample_id: sampleId, person_id: null, faces_detected: null };
    if (v.model !== this.d.model()) return { total: 0, items: [], query, people: [] };
    return this.answer([q], o, query, new Set([sampleId]), this.people(q));
  }

  /** Queries with the person's reference and up to PERSON_QUERY_FACES kept enrolled faces; a sample's score is its best. */
  byPerson(personId: number, o: SearchOptions): FaceSearchResultDto {
    if (!this.d.people.get(personId)) throw notFound(`Person ${personId} not found`);
    const query: Query = { kind: 'person', sample_id: null, person_id: personId, faces_detected: null };
    const model = this.d.index.gallery().people.find((p) => p.person_id === personId);
    if (!model) return { total: 0, items: [], query, people: [] };
    return this.answer([model.reference, ...model.inliers.slice(0, PERSON_QUERY_FACES)], o, query, this.d.samples.negativeSamplesOf(personId), []);
  }

  async byPhoto(o: SearchOptions, upload: UploadedImage): Promise<FaceSearchResultDto> {
    const r = await facesInUpload(upload, this.d);
    const q = normalise(r.face.embedding);
    const query: Query = { kind: 'photo', sample_id: null, person_id: null, faces_detected: r.faces.length };
    return this.answer([q], o, query, new Set(), this.people(q));
  }

  private people(q: Float32Array): FaceSearchResultDto['people'] {
    const g = this.d.index.gallery();
    return rankPeople(q, g.people, 5).map((r) => ({ person_id: r.person_id, name: g.names.get(r.person_id) ?? '', score: r.score }));
  }

  private answer(queries: Float32Array[], o: SearchOptions, query: Query, exclude: Set<number>, people: FaceSearchResultDto['people']): FaceSearchResultDto {
    const best = new Map<number, number>();
    const filtered = o.camera_id !== undefined || o.from !== undefined || o.to !== undefined;
    const model = this.d.model();
    const narrowed = filtered && model ? this.d.samples.vectorsWhere(model, filterOf(o), EXACT_FILTERED_MAX + 1) : null;
    if (narrowed && narrowed.length <= EXACT_FILTERED_MAX) {
      for (const q of queries) for (const r of narrowed) keepBest(best, r.id, dot(q, normalise(r.embedding)));
    } else {
      // Over-fetch when filtering, then drop what the filter excludes once rows are read.
      const k = Math.min(SEARCH_HORIZON * (filtered ? 4 : 1) + exclude.size, 20_000);
      for (const q of queries) for (const m of this.d.index.searchCaptured(q, k)) keepBest(best, m.key, m.similarity);
    }
    const floor = o.min_similarity ?? voteFloor(this.d.matchThreshold());
    const ranked = [...best.entries()].filter(([id, s]) => !exclude.has(id) && s >= floor).sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    // SQLite is the truth: ids the index still holds for deleted rows, or outside the filter, drop out here.
    const rows = new Map(this.d.samples.getMany(ranked.slice(0, SEARCH_HORIZON * (filtered ? 4 : 1)).map(([id]) => id)).map((r) => [r.id, r]));
    const hits = ranked.filter(([id]) => {
      const r = rows.get(id);
      return r !== undefined && (o.camera_id === undefined || r.camera_id === o.camera_id) && (o.from === undefined || r.ts_ms >= o.from) && (o.to === undefined || r.ts_ms < o.to);
    }).slice(0, SEARCH_HORIZON);
    const items = hits.slice(o.offset, o.offset + o.limit).map(([id, similarity]) => faceHit(rows.get(id) as FaceSampleRow, similarity));
    return { total: hits.length, items, query, people };
  }
}

/** One captured face as a search hit. */
export function faceHit(r: FaceSampleRow, similarity: number): FaceSearchResultDto['items'][number] {
  return {
    sample_id: r.id,
    similarity,
    camera_id: r.camera_id,
    camera_name: r.camera_name,
    ts: new Date(r.ts_ms).toISOString(),
    track_id: r.track_id,
    event_id: r.event_id,
    person_id: r.person_id,
    person_name: r.person_name,
    label: r.label,
    quality: r.quality,
    thumb_url: `/api/face-groups/samples/${r.id}/thumbnail`,
  };
}

function keepBest(m: Map<number, number>, id: number, s: number): void {
  const cur = m.get(id);
  if (cur === undefined || s > cur) m.set(id, s);
}

function filterOf(o: SearchOptions): SampleFilter {
  return { ...(o.camera_id !== undefined ? { camera_id: o.camera_id } : {}), ...(o.from !== undefined ? { from_ms: o.from } : {}), ...(o.to !== undefined ? { to_ms: o.to } : {}) };
}
