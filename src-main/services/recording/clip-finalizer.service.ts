// Assembles a closed event's clip, thumbnail (the best frame, with the main object's box drawn) and hover sprite, one at a time.
import type { EventsRepository } from '../../repositories/events.repository';
import type { SegmentsRepository } from '../../repositories/segments.repository';
import type { MediaFilesRepository } from '../../repositories/media-files.repository';
import type { MediaToolsRepository } from '../../repositories/ffmpeg/media-tools.repository';
import type { DrawBox, ImageRepository } from '../../repositories/image/image.repository';
import type { Logger } from '../../repositories/logger';
import type { PushSink } from '../../ports/push.port';
import type { SettingsService } from '../settings.service';
import type { SegmentIndexer } from './segment-indexer.service';

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

interface StoredBox {
  label: string;
  score: number;
  box: [number, number, number, number];
  track_id?: number;
}

/** The boxes to draw on a detection event's thumbnail: the main object's (the best frame's boxes name their track). */
export function thumbnailBoxes(boxesJson: string, mainTrack: number | null): DrawBox[] {
  let boxes: StoredBox[] = [];
  try {
    boxes = JSON.parse(boxesJson) as StoredBox[];
  } catch {
    return [];
  }
  const main = mainTrack === null ? [] : boxes.filter((b) => b.track_id === mainTrack);
  return (main.length ? main : boxes.slice(0, 1)).map((b) => ({ box: b.box, label: b.label, score: b.score }));
}

export class ClipFinalizer {
  private chain: Promise<void> = Promise.resolve();
  private pendingJobs = 0;

  constructor(
    private readonly events: EventsRepository,
    private readonly segments: SegmentsRepository,
    private readonly files: MediaFilesRepository,
    private readonly tools: MediaToolsRepository,
    private readonly image: ImageRepository | null,
    private readonly indexer: SegmentIndexer,
    private readonly settings: SettingsService,
    private readonly bus: PushSink,
    private readonly log: Logger,
  ) {}

  /**
   * Queues an event; resolves when its media is assembled (or it was skipped). Serial: one ffmpeg at a time.
   * `bestShot` is the live frame taken when the detector saw the event's best moment: its boxes line up with it exactly,
   * so it becomes the thumbnail instead of a frame cut from the clip at a time that is only approximately the same.
   */
  enqueue(eventId: number, waitForSegments = true, bestShot: Buffer | null = null): Promise<void> {
    this.pendingJobs++;
    const job = this.chain.then(() => this.finalize(eventId, waitForSegments, bestShot));
    this.chain = job
      .catch((err: unknown) => this.log.warn({ err, eventId }, 'event clip assembly failed'))
      .finally(() => {
        this.pendingJobs--;
      });
    return this.chain;
  }

  pending(): number {
    return this.pendingJobs;
  }

  /** Waits (bounded) for queued assembly, e.g. on shutdown. */
  drain(timeoutMs: number): Promise<unknown> {
    return Promise.race([this.chain, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  private async finalize(eventId: number, waitForSegments: boolean, bestShot: Buffer | null): Promise<void> {
    const ev = this.events.get(eventId);
    if (!ev || ev.camera_id === null || ev.window_end_ms === null) return;
    const cam = ev.camera_id;
    if (waitForSegments) await this.indexer.waitFor(cam, ev.window_end_ms, (this.settings.get().segment_seconds * 2 + 5) * 1000);
    // ffmpeg's concat stops at a missing input yet exits 0, which would cut the clip short at the gap.
    const segs = this.segments.overlapping(cam, ev.window_start_ms, ev.window_end_ms).filter((s) => this.files.size(s.path) !== null);
    if (!segs.length || !this.events.get(eventId)) return;
    const d = day(ev.started_ms);
    const clipRel = `clips/${cam}/${d}/${eventId}.mp4`;
    const thumbRel = `thumbs/${cam}/${d}/${eventId}.jpg`;
    const spriteRel = `thumbs/${cam}/${d}/${eventId}-sprite.jpg`;
    const clipAbs = this.files.ensureDirFor(clipRel);
    await this.tools.concat(segs.map((s) => this.files.resolve(s.path)), clipAbs);
    const durS = segs.reduce((a, s) => a + (s.end_ms - s.start_ms), 0) / 1000;
    const best = ev.best_ms ?? ev.started_ms;
    const offset = Math.min(Math.max(0, (best - segs[0]!.start_ms) / 1000), Math.max(0, durS - 0.2));
    const thumbAbs = this.files.ensureDirFor(thumbRel);
    let thumb: string | null = thumbRel;
    let sprite: string | null = spriteRel;
    try {
      const boxes = ev.source === 'detection' ? thumbnailBoxes(ev.boxes, mainTrackOf(ev.objects)) : [];
      if (bestShot && this.image) {
        await this.image.writeAnnotated(bestShot, boxes, thumbAbs);
      } else {
        await this.tools.frame(clipAbs, offset, thumbAbs);
        if (boxes.length && this.image) await this.image.annotateFile(thumbAbs, boxes);
      }
    } catch (err) {
      this.log.warn({ err, eventId }, 'thumbnail failed');
      thumb = null;
    }
    try {
      await this.tools.sprite(clipAbs, durS, this.files.ensureDirFor(spriteRel));
    } catch (err) {
      this.log.warn({ err, eventId }, 'sprite failed');
      sprite = null;
    }
    if (!this.events.get(eventId)) {
      for (const p of [clipRel, thumb, sprite]) this.files.remove(p);
      return;
    }
    this.events.update(eventId, { clip_path: clipRel, thumb_path: thumb, sprite_path: sprite });
    this.bus.emit('event.updated', { event_id: eventId, camera_id: cam });
  }
}

/** The track id of an event's main object: the first entry of its stored objects (kept best-first). */
function mainTrackOf(objectsJson: string | undefined): number | null {
  try {
    const list = JSON.parse(objectsJson ?? '[]') as { track_id?: number }[];
    return typeof list[0]?.track_id === 'number' ? list[0].track_id : null;
  } catch {
    return null;
  }
}
