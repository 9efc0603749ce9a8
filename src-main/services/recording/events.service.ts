// Events read/delete side: Iris list filters newest-first, detail, protect, deletes that remove the event's files.
import { ApiError, badRequest, notFound } from '../../shared/errors';
import type { EventDto } from '../../shared/contract/events.contract';
import type { EventFilter, EventRow, EventsRepository } from '../../repositories/events.repository';
import type { MediaFilesRepository } from '../../repositories/media-files.repository';
import type { PushBus } from '../push-bus';

export type EventMediaKind = 'clip' | 'thumbnail' | 'sprite';

const iso = (ms: number): string => new Date(ms).toISOString();
const CLEAR_CHUNK = 200;

export class EventsService {
  constructor(
    private readonly repo: EventsRepository,
    private readonly files: MediaFilesRepository,
    private readonly bus: PushBus,
    private readonly now: () => number,
  ) {}

  toDto(r: EventRow): EventDto {
    let boxes: EventDto['boxes'] = [];
    try {
      boxes = JSON.parse(r.boxes) as EventDto['boxes'];
    } catch {
      boxes = [];
    }
    let objects: EventDto['objects'] = [];
    try {
      objects = JSON.parse(r.objects ?? '[]') as EventDto['objects'];
    } catch {
      objects = [];
    }
    const end = r.ended_ms ?? this.now();
    return {
      id: r.id,
      camera_id: r.camera_id,
      camera_name: r.camera_name,
      label: r.label,
      source: r.source,
      score: r.score,
      started_at: iso(r.started_ms),
      ended_at: r.ended_ms === null ? null : iso(r.ended_ms),
      window_start: iso(r.window_start_ms),
      window_end: r.window_end_ms === null ? null : iso(r.window_end_ms),
      duration: Math.max(0, (end - r.started_ms) / 1000),
      open: r.ended_ms === null,
      retain: !!r.retain,
      person_id: r.person_id,
      person_name: r.person_name,
      identity_id: r.identity_id,
      boxes,
      objects,
      clip_url: r.clip_path ? `/api/events/${r.id}/clip` : null,
      thumbnail_url: r.thumb_path ? `/api/events/${r.id}/thumbnail` : null,
      sprite_url: r.sprite_path ? `/api/events/${r.id}/sprite` : null,
      created_at: r.created_at,
    };
  }

  list(f: EventFilter & { limit: number; offset: number }): { total: number; items: EventDto[] } {
    const { limit, offset, ...filter } = f;
    const r = this.repo.list(filter, limit, offset);
    return { total: r.total, items: r.items.map((e) => this.toDto(e)) };
  }

  get(id: number): EventDto {
    return this.toDto(this.row(id));
  }

  /** The events that still exist among `ids` (no 404 for gone ones). */
  getMany(ids: readonly number[]): EventDto[] {
    return ids.length ? this.repo.getMany([...ids]).map((r) => this.toDto(r)) : [];
  }

  setRetain(id: number, retain: boolean): EventDto {
    const r = this.row(id);
    this.repo.update(id, { retain: retain ? 1 : 0 });
    this.bus.emit('event.updated', { event_id: id, camera_id: r.camera_id });
    return this.get(id);
  }

  delete(id: number): void {
    this.row(id);
    this.deleteIds([id]);
  }

  bulkDelete(ids: number[]): { deleted: number } {
    return { deleted: this.deleteIds([...new Set(ids)]) };
  }

  clearAll(i: { confirm?: boolean; camera_id?: number; label?: string }): { deleted: number } {
    if (i.confirm !== true) throw badRequest('clear-all requires {"confirm": true}');
    let deleted = 0;
    for (;;) {
      const ids = this.repo.idsWhere({ camera_id: i.camera_id, label: i.label }, CLEAR_CHUNK);
      if (!ids.length) break;
      deleted += this.deleteIds(ids);
      if (ids.length < CLEAR_CHUNK) break;
    }
    return { deleted };
  }

  /** Absolute path of an event's clip/thumbnail/sprite: 404 when the event, field or file is missing, 400 if it escapes. */
  mediaPath(id: number, kind: EventMediaKind): { path: string; size: number } {
    const r = this.row(id);
    const rel = kind === 'clip' ? r.clip_path : kind === 'thumbnail' ? r.thumb_path : r.sprite_path;
    if (!rel) throw notFound(`Event ${id} has no ${kind}`);
    const path = this.files.resolve(rel);
    const size = this.files.size(rel);
    if (size === null) throw notFound(`The ${kind} file of event ${id} is missing`);
    return { path, size };
  }

  /** Files first, then rows; returns how many rows were deleted. */
  deleteIds(ids: number[]): number {
    const rows = this.repo.getMany(ids);
    for (const r of rows) {
      for (const p of [r.clip_path, r.thumb_path, r.sprite_path]) {
        try {
          this.files.remove(p);
        } catch (err) {
          if (!(err instanceof ApiError)) throw err;
        }
      }
    }
    const found = rows.map((r) => r.id);
    this.repo.deleteIds(found);
    if (found.length) this.bus.emit('event.deleted', { event_ids: found });
    return found.length;
  }

  private row(id: number): EventRow {
    const r = this.repo.get(id);
    if (!r) throw notFound(`Event ${id} not found`);
    return r;
  }
}
