// Trigger machines → event rows: one event per presence from motion or from tracked detections, plus manual recording.
import { badRequest, notFound } from '../../shared/errors';
import type { EventObjectDto } from '../../shared/contract/events.contract';
import type { EventsRepository } from '../../repositories/events.repository';
import type { SegmentsRepository } from '../../repositories/segments.repository';
import type { PushSink } from '../../ports/push.port';
import type { SettingsService } from '../settings.service';
import type { SegmentIndexer } from './segment-indexer.service';
import type { CameraSettings, CameraSettingsSource } from '../cameras/camera-settings';
import type { ClipFinalizer } from './clip-finalizer.service';
import { forceClose, initialTriggerState, stepTrigger, type Trigger, type TriggerAction, type TriggerConfig, type TriggerState } from './trigger-machine';
import { detectionTriggerConfig, initialPresenceState, mainObject, parseTriggerClasses, stepPresence, type PresenceAction, type PresenceState, type SeenObject } from '../analysis/trigger-mapper';
import type { TrackView } from '../analysis/tracker';

/** Sensors (wired or external) open `manual` events: the events table's source check has no `sensor` yet. */
export type TriggerSource = 'motion' | 'detection' | 'manual';

interface Row {
  eventId: number | null;
  lastWrite: number;
  /**
   * The camera's frame clock minus the wall clock at its last frame. The tick closes events on the camera's own clock,
   * so frames stamped by another clock (a replayed file, a camera ahead or behind) never close an event early.
   */
  skew: number;
}

interface MotionMachine extends Row {
  state: TriggerState;
}

interface SensorMachine extends Row {
  state: TriggerState;
  /** Sensors triggered right now on this camera; the event stays open while any is. */
  active: Set<string>;
  /** hold_seconds of the sensor released last: the event closes this long after the release. */
  holdMs: number;
  label: string;
}

/** While a sensor is held, the trigger machine never times the event out between ticks. */
const HELD_MS = 24 * 3_600_000;

interface PresenceMachine extends Row {
  state: PresenceState;
  /** The live frame of the presence's best moment so far (becomes the thumbnail). */
  shot: Buffer | null;
}

const MANUAL_ROLL_MS = 1000;
/** An open event's row is rewritten at most this often while it extends. */
const WRITE_EVERY_MS = 2000;

export const triggerConfig = (c: CameraSettings): TriggerConfig => ({
  pre_ms: c.tuning.pre_seconds * 1000,
  post_ms: c.tuning.post_seconds * 1000,
  cooldown_ms: c.tuning.trigger_cooldown * 1000,
  min_trigger_frames: c.tuning.min_trigger_frames,
  max_ms: c.tuning.max_event_seconds * 1000,
});

const iso = (ms: number): string => new Date(ms).toISOString();

/** The stored form of an event's objects: the main object first, then by first sight. */
export function eventObjects(seen: readonly SeenObject[]): EventObjectDto[] {
  const main = mainObject(seen);
  const ordered = [...seen].sort((a, b) => (a === main ? -1 : b === main ? 1 : a.first_ms - b.first_ms || a.track_id - b.track_id));
  return ordered.map((o) => ({ track_id: o.track_id, label: o.label, best_score: o.best_score, first_seen: iso(o.first_ms), last_seen: iso(o.last_ms), box: o.best_box }));
}

export class EventRecorder {
  private readonly motion = new Map<number, MotionMachine>();
  private readonly presence = new Map<number, PresenceMachine>();
  private readonly sensors = new Map<number, SensorMachine>();
  private ticker: NodeJS.Timeout | null = null;

  constructor(
    private readonly events: EventsRepository,
    private readonly segments: SegmentsRepository,
    private readonly cameras: CameraSettingsSource,
    private readonly indexer: SegmentIndexer,
    private readonly finalizer: ClipFinalizer,
    private readonly settings: SettingsService,
    private readonly bus: PushSink,
    private readonly now: () => number,
    /** Called every tick (the activity counter flushes on it). */
    private readonly onTick: () => void = () => undefined,
  ) {}

  start(): void {
    this.ticker = setInterval(() => this.tick(), 1000);
    this.ticker.unref();
  }

  /** Close every open presence and wait (bounded) for pending clip assembly. */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    for (const [id, m] of this.motion) {
      const cam = this.cameras.get(id);
      if (!cam) continue;
      const r = forceClose(m.state, triggerConfig(cam));
      m.state = r.state;
      this.applyMotion(cam, m, r.actions, false);
    }
    for (const [id, m] of this.sensors) {
      const cam = this.cameras.get(id);
      if (!cam) continue;
      const r = forceClose(m.state, this.sensorConfig(cam, m));
      m.state = r.state;
      this.applySensor(cam, m, r.actions, false);
    }
    for (const [id, m] of this.presence) {
      const cam = this.cameras.get(id);
      if (!cam || !m.state.trigger.open) continue;
      const r = forceClose(m.state.trigger, detectionTriggerConfig(cam.tuning));
      const seen = m.state.seen;
      m.state = initialPresenceState();
      this.applyPresence(cam, m, r.actions.map((a) => (a.kind === 'close' ? { ...a, objects: seen, main: mainObject(seen) } : a)), false);
    }
    this.onTick();
    await this.finalizer.drain(timeoutMs);
  }

  /** Motion path (cameras without a detector): one call per analysed frame, trigger null when nothing moved. */
  handleTrigger(cameraId: number, ts: number, trigger: Trigger | null): void {
    const cam = this.cameras.get(cameraId);
    if (!cam || cam.tuning.recording_mode === 'off') return;
    const m = this.motion.get(cameraId) ?? { state: initialTriggerState(), eventId: null, lastWrite: 0, skew: 0 };
    this.motion.set(cameraId, m);
    m.skew = ts - this.now();
    const r = stepTrigger(m.state, ts, trigger, triggerConfig(cam));
    m.state = r.state;
    this.applyMotion(cam, m, r.actions, true);
  }

  /**
   * Detection path: the tracker's view of one analysed frame, or null when the detector did not run on it. `shot` gives
   * the live frame of this moment; it is taken only when this frame becomes the presence's best.
   */
  handleTracks(cameraId: number, ts: number, tracks: readonly TrackView[] | null, shot: () => Buffer | null = () => null): void {
    const cam = this.cameras.get(cameraId);
    if (!cam || cam.tuning.recording_mode === 'off') return;
    const m = this.presence.get(cameraId) ?? { state: initialPresenceState(), eventId: null, lastWrite: 0, shot: null, skew: 0 };
    this.presence.set(cameraId, m);
    m.skew = ts - this.now();
    const r = stepPresence(m.state, ts, tracks, parseTriggerClasses(cam.tuning.trigger_classes), detectionTriggerConfig(cam.tuning));
    m.state = r.state;
    this.applyPresence(cam, m, r.actions, true, ts, shot);
  }

  /** A detection event is open for this camera (the detector gate keeps running while one is). */
  presenceOpen(cameraId: number): boolean {
    return this.presence.get(cameraId)?.state.trigger.open != null;
  }

  /** The camera's open detection event, if any (face recognition names it). */
  openPresenceEvent(cameraId: number): number | null {
    const m = this.presence.get(cameraId);
    return m && m.state.trigger.open != null ? m.eventId : null;
  }

  /** Drop in-memory state of a camera (deleted / repointed). */
  forget(cameraId: number): void {
    this.motion.delete(cameraId);
    this.presence.delete(cameraId);
    this.sensors.delete(cameraId);
  }

  /**
   * A sensor triggered for this camera: an event opens (with the camera's pre-roll) and stays open while any of its
   * sensors is triggered. False when the camera does not record (unknown or recording_mode off).
   */
  sensorTrigger(cameraId: number, sensorKey: string, label: string): boolean {
    const cam = this.cameras.get(cameraId);
    if (!cam || cam.tuning.recording_mode === 'off') return false;
    const m = this.sensors.get(cameraId) ?? { state: initialTriggerState(), eventId: null, lastWrite: 0, skew: 0, active: new Set<string>(), holdMs: 0, label };
    this.sensors.set(cameraId, m);
    if (!m.state.open) m.label = label;
    m.active.add(sensorKey);
    this.stepSensor(cam, m, true);
    return true;
  }

  /** The sensor released: once no sensor of the camera is triggered, the event closes hold_ms after this moment. */
  sensorRelease(cameraId: number, sensorKey: string, holdMs: number): void {
    const m = this.sensors.get(cameraId);
    if (!m || !m.active.has(sensorKey)) return;
    const cam = this.cameras.get(cameraId);
    if (!cam) {
      this.sensors.delete(cameraId);
      return;
    }
    // The release moment is the event's last trigger; hold_ms counts from it.
    this.stepSensor(cam, m, true);
    m.active.delete(sensorKey);
    m.holdMs = Math.max(0, holdMs);
  }

  /** A sensor event of this camera is open (triggered or within its hold). */
  sensorRecording(cameraId: number): boolean {
    return this.sensors.get(cameraId)?.state.open != null;
  }

  private sensorConfig(cam: CameraSettings, m: SensorMachine): TriggerConfig {
    return { pre_ms: cam.tuning.pre_seconds * 1000, post_ms: m.active.size ? HELD_MS : m.holdMs, cooldown_ms: 0, min_trigger_frames: 1, max_ms: cam.tuning.max_event_seconds * 1000 };
  }

  private stepSensor(cam: CameraSettings, m: SensorMachine, triggered: boolean): void {
    const r = stepTrigger(m.state, this.now(), triggered ? { label: m.label, score: 1, boxes: [] } : null, this.sensorConfig(cam, m));
    m.state = r.state;
    this.applySensor(cam, m, r.actions, true);
  }

  private applySensor(cam: CameraSettings, m: SensorMachine, actions: TriggerAction[], finalize: boolean): void {
    for (const a of actions) {
      if (a.kind === 'open') {
        m.eventId = this.open(cam, 'manual', a);
        m.lastWrite = this.now();
      } else if (a.kind === 'extend' && m.eventId !== null) {
        if (this.now() - m.lastWrite >= WRITE_EVERY_MS) {
          this.events.update(m.eventId, { last_ms: a.last_ms });
          m.lastWrite = this.now();
        }
      } else if (a.kind === 'close' && m.eventId !== null) {
        this.close(cam, m, a, {}, finalize);
      }
    }
  }

  recordStart(cameraId: number): { started_at: string } {
    if (!this.cameras.get(cameraId)) throw notFound(`Camera ${cameraId} not found`);
    return { started_at: iso(this.now()) };
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
    await this.finalizer.enqueue(id, false);
    const row = this.events.get(id);
    if (!row?.clip_path) throw notFound('No recorded footage for that range');
    return { event_id: id, clip: `/api/events/${id}/clip`, duration: (now - begin) / 1000 };
  }

  private open(cam: CameraSettings, source: TriggerSource, a: Extract<TriggerAction, { kind: 'open' }>): number {
    const id = this.events.insert({
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
    this.bus.emit('event.created', { event_id: id, camera_id: cam.id });
    return id;
  }

  private applyMotion(cam: CameraSettings, m: MotionMachine, actions: TriggerAction[], finalize: boolean): void {
    for (const a of actions) {
      if (a.kind === 'open') {
        m.eventId = this.open(cam, 'motion', a);
        m.lastWrite = this.now();
      } else if (a.kind === 'extend' && m.eventId !== null) {
        if (this.now() - m.lastWrite >= WRITE_EVERY_MS) {
          this.events.update(m.eventId, { last_ms: a.last_ms, best_ms: a.best.ts_ms, score: a.best.score, boxes: JSON.stringify(a.best.boxes) });
          m.lastWrite = this.now();
        }
      } else if (a.kind === 'close' && m.eventId !== null) {
        this.close(cam, m, a, {}, finalize);
      }
    }
  }

  private applyPresence(cam: CameraSettings, m: PresenceMachine, actions: PresenceAction[], finalize: boolean, ts = 0, shot: () => Buffer | null = () => null): void {
    for (const a of actions) {
      if (a.kind === 'open') {
        m.shot = shot();
        m.eventId = this.open(cam, 'detection', a);
        m.lastWrite = this.now();
        this.events.update(m.eventId, { objects: JSON.stringify(eventObjects(m.state.seen)) });
      } else if (a.kind === 'extend' && m.eventId !== null) {
        if (a.best.ts_ms === ts) m.shot = shot() ?? m.shot;
        if (this.now() - m.lastWrite >= WRITE_EVERY_MS) {
          const main = mainObject(m.state.seen);
          this.events.update(m.eventId, {
            last_ms: a.last_ms,
            best_ms: a.best.ts_ms,
            score: a.best.score,
            boxes: JSON.stringify(a.best.boxes),
            objects: JSON.stringify(eventObjects(m.state.seen)),
            ...(main ? { label: main.label } : {}),
          });
          m.lastWrite = this.now();
        }
      } else if (a.kind === 'close' && m.eventId !== null) {
        // The label is the main object's class: the trigger machine fixed it at the first trigger.
        const best = m.shot;
        m.shot = null;
        this.close(cam, m, a, { objects: JSON.stringify(eventObjects(a.objects)), ...(a.main ? { label: a.main.label } : {}) }, finalize, best);
      }
    }
  }

  private close(cam: CameraSettings, m: Row, a: Extract<TriggerAction, { kind: 'close' }>, extra: { objects?: string; label?: string }, finalize: boolean, bestShot: Buffer | null = null): void {
    const id = m.eventId as number;
    m.eventId = null;
    // An operator may delete an event while it is still open: closing it then announces nothing.
    if (!this.events.update(id, { ended_ms: a.ended_ms, last_ms: a.ended_ms, window_end_ms: a.window_end_ms, best_ms: a.best.ts_ms, score: a.best.score, boxes: JSON.stringify(a.best.boxes), ...extra })) return;
    this.bus.emit('event.updated', { event_id: id, camera_id: cam.id });
    if (finalize) void this.finalizer.enqueue(id, true, bestShot);
  }

  private tick(): void {
    const now = this.now();
    for (const [id, m] of [...this.motion]) {
      if (!m.state.open) continue;
      const cam = this.cameras.get(id);
      if (!cam) {
        this.motion.delete(id);
        continue;
      }
      const r = stepTrigger(m.state, now + m.skew, null, triggerConfig(cam));
      if (!r.actions.length) continue;
      m.state = r.state;
      this.applyMotion(cam, m, r.actions, true);
    }
    for (const [id, m] of [...this.sensors]) {
      if (!m.state.open) continue;
      const cam = this.cameras.get(id);
      if (!cam) {
        this.sensors.delete(id);
        continue;
      }
      this.stepSensor(cam, m, m.active.size > 0);
    }
    for (const [id, m] of [...this.presence]) {
      if (!m.state.trigger.open) continue;
      if (!this.cameras.get(id)) {
        this.presence.delete(id);
        continue;
      }
      this.handleTracks(id, now + m.skew, null);
    }
    this.onTick();
  }
}
