// Face groups (Iris /api/face-groups): on-demand clustering of captured faces, enrolment of a group, labels and clips.
import type { z } from 'zod';
import type { faceGroupSchema, faceGroupsContract } from '../../shared/contract/face-groups.contract';
import type { EventDto } from '../../shared/contract/events.contract';
import type { EventRow, EventsRepository } from '../../repositories/events.repository';
import type { FaceSampleRow, FaceSamplesRepository, SampleVectorRow } from '../../repositories/face-samples.repository';
import type { VectorIndexFactory } from '../../repositories/vector-index.repository';
import type { Logger } from '../../repositories/logger';
import type { PeopleService } from './people.service';
import { clusterFaces } from './face-clustering';
import { normalise } from './recognition';
import { timeSlicer } from './time-slice';

type FaceGroupDto = z.output<typeof faceGroupSchema>;
type ListInput = z.output<(typeof faceGroupsContract)['faceGroups.list']['input']>;
type ListOutput = z.input<(typeof faceGroupsContract)['faceGroups.list']['output']>;

/** Iris's clip window around a face capture: an event matches when start − 90 s ≤ capture ≤ end + 20 s. */
export const CLIP_BEFORE_MS = 90_000;
export const CLIP_AFTER_MS = 20_000;
/** Events longer than this are not searched for overlaps (keeps the overlap query on the camera/start index). */
export const CLIP_MAX_EVENT_MS = 24 * 3600_000;
/** Neighbours per sample in the clustering graph. */
export const CLUSTER_K = 32;

export interface FaceGroupsServiceDeps {
  samples: FaceSamplesRepository;
  people: PeopleService;
  events: EventsRepository;
  /** EventsService.toDto: clips answer in the events list shape. */
  eventDto: (r: EventRow) => EventDto;
  vectors: VectorIndexFactory;
  model: () => string | null;
  /** The effective match threshold: face_threshold's default. */
  matchThreshold: () => number;
  log: Logger;
  /** Monotonic milliseconds (performance.now): slices and timings. */
  now: () => number;
  /** Lets other work run between slices of clustering. */
  yieldLoop: () => Promise<void>;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const thumb = (id: number): string => `/api/face-groups/samples/${id}/thumbnail`;

export interface ClusterTiming {
  load_ms: number;
  knn_ms: number;
  cluster_ms: number;
}

export class FaceGroupsService {
  /** The split of the last clustering run (for the bench and logs). */
  lastTiming: ClusterTiming | null = null;

  constructor(private readonly d: FaceGroupsServiceDeps) {}

  /** Clusters on demand; the kNN graph and the linkage run in slices of ~12 ms, so the loop stays responsive. */
  async list(i: ListInput): Promise<ListOutput> {
    const model = this.d.model();
    const threshold = i.face_threshold ?? this.d.matchThreshold();
    const settings = { face_threshold: threshold, clothing_weight: i.clothing_weight, min_size: i.min_size, max_members: i.max_members, max_samples: i.max_samples, model };
    if (!model) return { total_samples: 0, total_groups: 0, settings, groups: [] };
    const t0 = this.d.now();
    const rows = this.d.samples.recent(model, i.max_samples);
    if (!rows.length) return { total_samples: 0, total_groups: 0, settings, groups: [] };
    const dim = rows[0]?.embedding.length ?? 0;
    const usable = rows.filter((r) => r.embedding.length === dim);
    const flat = new Float32Array(usable.length * dim);
    const units = usable.map((r, k) => {
      const u = normalise(r.embedding);
      flat.set(u, k * dim);
      return u;
    });
    const t1 = this.d.now();
    const graph = await this.d.vectors.knnGraph(flat, dim, CLUSTER_K);
    const t2 = this.d.now();
    const clusters = await clusterFaces(
      usable.map((r, k) => ({ id: r.id, camera_id: r.camera_id, ts_ms: r.ts_ms, track_id: r.track_id, quality: r.quality, embedding: units[k] as Float32Array, clothing: r.clothing })),
      graph,
      { threshold, clothing_weight: i.clothing_weight },
      timeSlicer(this.d.now, this.d.yieldLoop, 12),
    );
    const t3 = this.d.now();
    this.lastTiming = { load_ms: t1 - t0, knn_ms: t2 - t1, cluster_ms: t3 - t2 };
    const kept = clusters.filter((c) => c.length >= i.min_size);
    const details = new Map(this.d.samples.getMany(kept.flat().map((k) => (usable[k] as SampleVectorRow).id)).map((r) => [r.id, r]));
    const groups = kept
      .map((c) => this.group(c.map((k) => usable[k] as SampleVectorRow), details, i.max_members))
      .sort((a, b) => b.size - a.size || Date.parse(b.last_seen) - Date.parse(a.last_seen) || a.group_id - b.group_id);
    this.d.log.debug({ samples: usable.length, groups: groups.length, ...this.lastTiming }, 'face groups clustered');
    return { total_samples: usable.length, total_groups: groups.length, settings, groups };
  }

  enroll(i: { sample_ids: number[]; name: string; person_id?: number }): Promise<{ person_id: number; name: string; enrolled_faces: number }> {
    return this.d.people.enrollSamples(i.sample_ids, i.name, i.person_id ?? null);
  }

  label(i: { sample_ids: number[]; label: string | null }): { updated: number; label: string | null } {
    const label = i.label === null || i.label === '' ? null : i.label;
    return { updated: this.d.samples.setLabel([...new Set(i.sample_ids)], label), label };
  }

  clips(i: { sample_ids: number[]; limit: number; offset: number }): { total: number; items: EventDto[] } {
    const ids = this.d.samples.overlappingEventIds([...new Set(i.sample_ids)], CLIP_BEFORE_MS, CLIP_AFTER_MS, CLIP_MAX_EVENT_MS);
    const page = ids.slice(i.offset, i.offset + i.limit);
    const rows = new Map(this.d.events.getMany(page).map((r) => [r.id, r]));
    return { total: ids.length, items: page.flatMap((id) => (rows.has(id) ? [this.d.eventDto(rows.get(id) as EventRow)] : [])) };
  }

  /** Representative: the best-quality member (ties: the oldest id), so the id is stable while membership is. */
  private group(members: SampleVectorRow[], details: Map<number, FaceSampleRow>, maxMembers: number): FaceGroupDto {
    const byQuality = [...members].sort((a, b) => b.quality - a.quality || a.id - b.id);
    const rep = byQuality[0] as SampleVectorRow;
    const labels = new Map<string, number>();
    const persons = new Map<number, number>();
    const cameras = new Map<number, string | null>();
    let first = Infinity;
    let last = -Infinity;
    for (const m of members) {
      if (m.label) labels.set(m.label, (labels.get(m.label) ?? 0) + 1);
      const d = details.get(m.id);
      if (d?.person_id) persons.set(d.person_id, (persons.get(d.person_id) ?? 0) + 1);
      if (!cameras.has(m.camera_id)) cameras.set(m.camera_id, d?.camera_name ?? null);
      first = Math.min(first, m.ts_ms);
      last = Math.max(last, m.ts_ms);
    }
    const shown = byQuality.slice(0, maxMembers);
    return {
      group_id: rep.id,
      size: members.length,
      label: majority(labels),
      person_id: majority(persons),
      cameras: [...cameras.entries()].sort((a, b) => a[0] - b[0]).map(([id, name]) => ({ id, name })),
      first_seen: iso(first),
      last_seen: iso(last),
      rep_thumb_url: thumb(rep.id),
      member_thumbs: shown.map((m) => thumb(m.id)),
      members: shown.map((m) => ({ sample_id: m.id, camera_id: m.camera_id, ts: iso(m.ts_ms), quality: m.quality, label: m.label, thumb_url: thumb(m.id) })),
      sample_ids: members.map((m) => m.id).sort((a, b) => a - b),
    };
  }
}

/** The most common key (ties: the smallest), or null for none. */
function majority<K extends string | number>(counts: Map<K, number>): K | null {
  let best: K | null = null;
  let n = 0;
  for (const [k, c] of counts) if (c > n || (c === n && best !== null && k < best)) [best, n] = [k, c];
  return best;
}
