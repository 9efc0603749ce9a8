// Turns triggers (motion on analysis frames, manual recording, later object detection) into events with clips, thumbnails and sprites.
import { badRequest, notFound } from '../../shared/errors';
import type { AnalysisFrame, IngestSource } from '../../ports/ingest.port';
import type { EventsRepository } from '../../repositories/events.repository';
import type { SegmentsRepository } from '../../repositories/segments.repository';
import type { MediaFilesRepository } from '../../repositories/media-files.repository';
import type { MediaToolsRepository } from '../../repositories/ffmpeg/media-tools.repository';
import type { Logger } from '../../repositories/logger';
import type { PushBus } from '../push-bus';
import type { SettingsService } from '../settings.service';
import type { SegmentIndexer } from './segment-indexer.service';
import type { CameraSettings, CameraSettingsSource } from '../cameras/camera-settings';
import { MotionDetector, type MotionConfig } from './motion-detector';
import { forceClose, initialTriggerState, stepTrigger, type Trigger, type TriggerAction, type TriggerConfig, type TriggerState } from './trigger-machine';

export type TriggerSource = 'motion' | 'detection';

interface Machine {
  state: TriggerState;
  eventId: number | null;
  lastWrite: number;
}

interface ActivityAcc {
  minute: number;
  frames: number;
  motion: number;
  max: number;
}

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const MANUAL_ROLL_MS = 1000;
export const triggerConfig = (c: CameraSettings): TriggerConfig => ({
  pre_ms: c.tuning.pre_seconds * 1000,
  post_ms: c.tuning.post_seconds * 1000,
  cooldown_ms: c.tuning.trigger_cooldown * 1000,
  min_trigger_frames: c.tuning.min_trigger_frames,
  max_ms: c.tuning.max_event_seconds * 1000,
});

const motionConfig = (c: CameraSettings): MotionConfig => ({ threshold: c.tuning.motion_threshold, min_area: c.tuning.motion_min_area, masks: c.tuning.motion_masks });

export class EventRecorder {
  private readonly machines = new Map<string, Machine>();
  private readonly detectors = new Map<number, { key: string; d: MotionDetector }>();
  private readonly activity = new Map<number, ActivityAcc>();
  private finalizing: Promise<void> = Promise.resolve();
  private pending = 0;
  private ticker: NodeJS.Timeout | null = null;
  private off: (() => void) | null = null;

  constructor(
    private readonly events: EventsRepository,
    private readonly segments: SegmentsRepository,
    private readonly files: MediaFilesRepository,
    private readonly tools: MediaToolsRepository,
    private readonly cameras: CameraSettingsSource,
    private readonly indexer: SegmentIndexer,
    private readonly settings: SettingsService,
    private readonly bus: PushBus,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {}

  start(ingest: IngestSource): void {
    this.off = ingest.on('analysis', (f) => this.onFrame(f));
    this.ticker = setInterval(() => this.tick(), 1000);
    this.ticker.unref();
  }

  /** Close every open presence and wait (bounded) for pending clip assembly. */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.off?.();
    this.off = null;
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    for (const [key, m] of this.machines) {
      const cam = this.cameras.get(Number(key.split(':')[0]));
      if (!cam) continue;
      const r = forceClose(m.state, triggerConfig(cam));
      m.state = r.state;
      this.apply(cam, key, m, r.actions, false);
    }
    this.flushActivity();
    await Promise.race([this.finalizing, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  onFrame(f: AnalysisFrame): void {
    const cam = this.cameras.get(f.camera_id);
    if (!cam || !cam.tuning.motion_enabled || cam.tuning.recording_mode === 'off') return;
    const key = JSON.stringify(motionConfig(cam));
    let det = this.detectors.get(cam.id);
    if (!det || det.key !== key) {
      det = { key, d: det?.d ?? new MotionDetector(motionConfig(cam)) };
      det.d.configure(motionConfig(cam));
      this.detectors.set(cam.id, det);
    }
    const res = det.d.push(f.data, f.width, f.height);
    if (!res) return;
    this.countActivity(cam.id, f.ts_ms, res.motion, res.area);
    const trigger: Trigger | null = res.motion && res.box ? { label: 'motion', score: res.area, boxes: [{ label: 'motion', score: res.area, box: res.box }] } : null;
    this.handleTrigger(cam.id, 'motion', f.ts_ms, trigger);
  }

  /** The seam object detection plugs into: one call per analysed frame, trigger null when nothing fired. */
  handleTrigger(cameraId: number, source: TriggerSource, ts: number, trigger: Trigger | null): void {
    const cam = this.cameras.get(cameraId);
    if (!cam) return;
    const key = `${cameraId}:${source}`;
    const m = this.machines.get(key) ?? { state: initialTriggerState(), eventId: null, lastWrite: 0 };
    this.machines.set(key, m);
    const r = stepTrigger(m.state, ts, trigger, triggerConfig(cam));
    m.state = r.state;
    this.apply(cam, key, m, r.actions, true, source);
  }

  /** Drop in-memory state of a camera (deleted / repointed). */
  forget(cameraId: number): void {
    for (const k of [...this.machines.keys()]) if (k.startsWith(`${cameraId}:`)) this.machines.delete(k);
    this.detectors.delete(cameraId);
    this.activity.delete(cameraId);
  }

  recordStart(cameraId: number): { started_at: string } {
    if (!this.cameras.get(cameraId)) throw notFound(`Camera ${cameraId} not found`);
    return { started_at: new Date(this.now()).toISOString() };
  }

  async recordStop(cameraId: number, startedAt: unknown): Promise<{ event_id: number; clip: string; duration: number }> {
    const cam = this.cameras.get(cameraId);
    if (!cam) throw notFound(`Camera ${cameraId} not found`);
    const now = this.now();
    const started = typeof startedAt === 'string' && startedAt.trim() !== '' ? Date.parse(startedAt) : typeof startedAt === 'number' ? startedAt : NaN;
    if (!Number.isFinite(started) || started > now + 2000 || started < 0) throw badRequest('Invalid started_at: echo the value returned by record/start');
    const s = this.settings.get();
    const begin = Math.max(started, now - s.segment_retention_seconds * 1000);
    const windowStart = begin - MANUAL_ROLL_MS;
    const windowEnd = now + MANUAL_ROLL_MS;
    await this.indexer.waitFor(cameraId, windowEnd, (s.segment_seconds + 4) * 1000);
    if (!this.segments.overlapping(cameraId, windowStart, windowEnd).length) throw notFound('No recorded footage for that range');
    const id = this.events.insert({
      camera_id: cameraId,
      label: 'manual',
      source: 'manual',
      score: null,
      started_ms: begin,
      ended_ms: now,
      last_ms: now,
      window_start_ms: windowStart,
      window_end_ms: windowEnd,
      post_ms: MANUAL_ROLL_MS,
      best_ms: Math.round((begin + now) / 2),
      boxes: '[]',
    });
    this.bus.emit('event.created', { event_id: id, camera_id: cameraId });
    await this.enqueueFinalize(id, false);
    const row = this.events.get(id);
    if (!row?.clip_path) throw notFound('No recorded footage for that range');
    return { event_id: id, clip: `/api/events/${id}/clip`, duration: (now - begin) / 1000 };
  }

  /** Assemble clip, thumbnail and sprite of a closed event (serially, one ffmpeg at a time). */
  enqueueFinalize(eventId: number, waitForSegments = true): Promise<void> {
    this.pending++;
    const job = this.finalizing.then(() => this.finalize(eventId, waitForSegments));
    this.finalizing = job
      .catch((err: unknown) => this.log.warn({ err, eventId }, 'event clip assembly failed'))
      .finally(() => {
        this.pending--;
      });
    return this.finalizing;
  }

  pendingFinalize(): number {
    return this.pending;
  }

  private async finalize(eventId: number, waitForSegments: boolean): Promise<void> {
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
      await this.tools.frame(clipAbs, offset, thumbAbs);
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

  private apply(cam: CameraSettings, key: string, m: Machine, actions: TriggerAction[], finalize: boolean, source: TriggerSource = 'motion'): void {
    for (const a of actions) {
      if (a.kind === 'open') {
        m.eventId = this.events.insert({
          camera_id: cam.id,
          label: a.label,
          source,
          score: a.score,
          started_ms: a.started_ms,
          ended_ms: null,
          last_ms: a.ts_ms,
          window_start_ms: a.window_start_ms,
          window_end_ms: null,
          post_ms: cam.tuning.post_seconds * 1000,
          best_ms: a.ts_ms,
          boxes: JSON.stringify(a.boxes),
        });
        m.lastWrite = this.now();
        this.bus.emit('event.created', { event_id: m.eventId, camera_id: cam.id });
      } else if (a.kind === 'extend' && m.eventId !== null) {
        if (this.now() - m.lastWrite >= 2000) {
          this.events.update(m.eventId, { last_ms: a.last_ms, best_ms: a.best.ts_ms, score: a.best.score, boxes: JSON.stringify(a.best.boxes) });
          m.lastWrite = this.now();
        }
      } else if (a.kind === 'close' && m.eventId !== null) {
        const id = m.eventId;
        m.eventId = null;
        // An operator may delete an event while it is still open: closing it then announces nothing.
        if (!this.events.update(id, { ended_ms: a.ended_ms, last_ms: a.ended_ms, window_end_ms: a.window_end_ms, best_ms: a.best.ts_ms, score: a.best.score, boxes: JSON.stringify(a.best.boxes) })) continue;
        this.bus.emit('event.updated', { event_id: id, camera_id: cam.id });
        if (finalize) void this.enqueueFinalize(id);
      }
    }
  }

  private tick(): void {
    const now = this.now();
    for (const [key, m] of [...this.machines]) {
      if (!m.state.open) continue;
      const [camId, source] = key.split(':') as [string, TriggerSource];
      const cam = this.cameras.get(Number(camId));
      if (!cam) {
        this.machines.delete(key);
        continue;
      }
      const r = stepTrigger(m.state, now, null, triggerConfig(cam));
      if (!r.actions.length) continue;
      m.state = r.state;
      this.apply(cam, key, m, r.actions, true, source);
    }
    this.flushActivity();
  }

  private countActivity(cam: number, ts: number, motion: boolean, area: number): void {
    const minute = Math.floor(ts / 60_000) * 60_000;
    let acc = this.activity.get(cam);
    if (acc && acc.minute !== minute) {
      this.events.addActivity(cam, acc.minute, acc.frames, acc.motion, acc.max);
      acc = undefined;
    }
    if (!acc) {
      acc = { minute, frames: 0, motion: 0, max: 0 };
      this.activity.set(cam, acc);
    }
    acc.frames++;
    if (motion) acc.motion++;
    acc.max = Math.max(acc.max, area);
  }

  /** Persist accumulated activity (every tick, so the histogram stays current). */
  private flushActivity(): void {
    for (const [cam, acc] of this.activity) {
      if (acc.frames === 0) continue;
      this.events.addActivity(cam, acc.minute, acc.frames, acc.motion, acc.max);
      this.activity.set(cam, { minute: acc.minute, frames: 0, motion: 0, max: 0 });
    }
  }
}
