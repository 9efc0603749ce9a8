// Sensor registry: types, configure, status, enable/disable, GPIO test, mock and external trigger/release → recordings.
import { z } from 'zod';
import { ApiError, badRequest, notFound } from '../../shared/errors';
import { SENSOR_TYPES, sensorConfigureSchema, SENSOR_TYPE_NAMES, type SensorConfig, type SensorConfigureInput, type SensorStatus, type SensorType, type SensorTypeInfo } from '../../shared/sensors';
import type { Logger } from '../../repositories/logger';
import type { GpioRepository } from '../../repositories/gpio.repository';
import type { SensorsRepository } from '../../repositories/sensors.repository';

/** What a triggered sensor drives: the event recorder's sensor path. */
export interface SensorRecorder {
  sensorTrigger(cameraId: number, sensorKey: string, label: string): boolean;
  sensorRelease(cameraId: number, sensorKey: string, holdMs: number): void;
  sensorRecording(cameraId: number): boolean;
}

export interface SensorsDeps {
  repo: SensorsRepository;
  gpio: GpioRepository;
  recorder: SensorRecorder;
  cameras: () => { id: number; enabled: boolean }[];
  log: Logger;
  now?: () => number;
}

interface Runtime {
  triggered: boolean;
  suppressed: boolean;
  last_triggered_ms: number | null;
  last_released_ms: number | null;
  error: string | null;
  /** Cameras this trigger opened recordings on (released on the same ones). */
  cameras: number[];
  stopWatch: (() => void) | null;
  /** vibration: pulse times inside pulse_window. */
  pulses: number[];
  releaseTimer: NodeJS.Timeout | null;
}

const storedSchema = sensorConfigureSchema.extend({ id: z.number().int().positive(), name: z.string().min(1).max(80), gpio: z.number().int().min(0).max(27).nullable() });
export const SENSOR_EVENT_LABEL = 'sensor';
/** A vibration sensor stays triggered this long after its last qualifying pulse. */
const VIBRATION_RELEASE_MS = 2000;

const info = (t: SensorType): SensorTypeInfo => SENSOR_TYPES[t];
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export class SensorsService {
  private readonly runtime = new Map<number, Runtime>();
  private readonly now: () => number;

  constructor(private readonly d: SensorsDeps) {
    this.now = d.now ?? Date.now;
  }

  /** Arms every enabled GPIO sensor (the others need nothing running). */
  start(): void {
    for (const s of this.list()) if (s.enabled && info(s.type).gpio) this.arm(s);
  }

  stop(): void {
    for (const [id, r] of this.runtime) {
      r.stopWatch?.();
      r.stopWatch = null;
      if (r.releaseTimer) clearTimeout(r.releaseTimer);
      const s = this.find(id);
      if (s && r.triggered) this.unfire(s, r);
    }
  }

  types(): SensorTypeInfo[] {
    return SENSOR_TYPE_NAMES.map(info);
  }

  list(): SensorConfig[] {
    const out: SensorConfig[] = [];
    for (const raw of this.d.repo.list()) {
      const p = storedSchema.safeParse(raw);
      if (p.success) out.push(p.data as SensorConfig);
      else this.d.log.warn({ id: (raw as { id?: unknown }).id }, 'ignoring an invalid stored sensor');
    }
    return out;
  }

  get(id: number): SensorConfig {
    const s = this.find(id);
    if (!s) throw notFound(`Sensor ${id} not found`);
    return s;
  }

  /** Creates (no id) or replaces a sensor's configuration. A GPIO sensor enabled on a host without GPIO is refused (409). */
  configure(input: SensorConfigureInput): SensorStatus {
    const c = sensorConfigureSchema.parse(input);
    const all = this.list();
    const prev = c.id !== undefined ? all.find((s) => s.id === c.id) : undefined;
    if (c.id !== undefined && !prev) throw notFound(`Sensor ${c.id} not found`);
    const t = info(c.type);
    this.checkCalibration(c.type, c.calibration);
    const known = new Set(this.d.cameras().map((x) => x.id));
    const missing = c.camera_ids.filter((id) => !known.has(id));
    if (missing.length) throw badRequest(`Unknown camera id(s): ${missing.join(', ')}`);
    if (t.gpio && c.enabled) this.requireGpio();
    const next: SensorConfig = {
      id: prev?.id ?? all.reduce((m, s) => Math.max(m, s.id), 0) + 1,
      name: c.name ?? prev?.name ?? t.label,
      type: c.type,
      gpio: t.gpio ? (c.gpio ?? t.default_gpio) : null,
      enabled: c.enabled,
      hold_seconds: c.hold_seconds,
      invert_logic: c.invert_logic,
      calibration: Object.fromEntries(Object.entries(t.calibration).map(([k, f]) => [k, c.calibration[k] ?? f.default])),
      camera_ids: [...new Set(c.camera_ids)],
    };
    if (prev) this.disarm(prev.id);
    this.d.repo.save(prev ? all.map((s) => (s.id === next.id ? next : s)) : [...all, next]);
    if (next.enabled && t.gpio) this.arm(next);
    this.d.log.info({ sensor_id: next.id, type: next.type, enabled: next.enabled }, prev ? 'sensor reconfigured' : 'sensor added');
    return this.statusOf(next);
  }

  remove(id: number): void {
    const s = this.get(id);
    this.disarm(s.id);
    this.runtime.delete(s.id);
    this.d.repo.save(this.list().filter((x) => x.id !== s.id));
  }

  status(): SensorStatus[] {
    return this.list().map((s) => this.statusOf(s));
  }

  statusOne(id: number): SensorStatus {
    return this.statusOf(this.get(id));
  }

  enable(id: number): SensorStatus {
    const s = this.get(id);
    if (info(s.type).gpio) this.requireGpio();
    return this.setEnabled(s, true);
  }

  disable(id: number): SensorStatus {
    return this.setEnabled(this.get(id), false);
  }

  /** Reads a GPIO line now without disturbing a running sensor: {level, active}. 409 without GPIO, 400 for a non-GPIO type. */
  async test(input: { type: SensorType; gpio?: number | null; invert_logic?: boolean }): Promise<{ type: SensorType; gpio: number; level: 0 | 1; active: boolean }> {
    const t = SENSOR_TYPES[input.type] as SensorTypeInfo | undefined;
    if (!t) throw badRequest(`Unknown sensor type: ${String(input.type)}`);
    if (!t.gpio) throw badRequest(`A ${t.name} sensor has no GPIO line to test`);
    const line = input.gpio ?? t.default_gpio;
    if (line === null || !Number.isInteger(line) || line < 0 || line > 27) throw badRequest('gpio must be a BCM line 0-27');
    this.requireGpio();
    let level: 0 | 1;
    try {
      level = await this.d.gpio.read(line);
    } catch (err) {
      throw new ApiError(500, `Reading GPIO ${line} failed: ${(err as Error).message}`, {}, { code: 'GPIO_READ_FAILED' });
    }
    return { type: t.name as SensorType, gpio: line, level, active: this.isActive(t, level, input.invert_logic ?? false) };
  }

  /** Triggers a mock or external sensor (GPIO sensors follow their line). A disabled sensor ignores it (suppressed). */
  trigger(id: number): SensorStatus {
    const s = this.get(id);
    this.requireSoft(s);
    this.fire(s, this.rt(s.id));
    return this.statusOf(s);
  }

  /** Releases a mock or external sensor: its recordings continue hold_seconds, then close. */
  release(id: number): SensorStatus {
    const s = this.get(id);
    this.requireSoft(s);
    this.unfire(s, this.rt(s.id));
    return this.statusOf(s);
  }

  private unfire(s: SensorConfig, r: Runtime): void {
    if (!r.triggered) return;
    r.triggered = false;
    r.last_released_ms = this.now();
    for (const cam of r.cameras) this.d.recorder.sensorRelease(cam, `sensor:${s.id}`, s.hold_seconds * 1000);
    r.cameras = [];
    this.d.log.info({ sensor_id: s.id, hold_seconds: s.hold_seconds }, 'sensor released');
  }

  /** The Pi's /sensor/mock/trigger: the first enabled mock sensor (409 when there is none). */
  mockTrigger(): SensorStatus {
    return this.trigger(this.mockSensor().id);
  }

  mockRelease(): SensorStatus {
    return this.release(this.mockSensor().id);
  }

  private mockSensor(): SensorConfig {
    const s = this.list().find((x) => x.type === 'mock' && x.enabled);
    if (!s) throw new ApiError(409, 'No enabled mock sensor: configure one with type "mock" first', {}, { code: 'NO_MOCK_SENSOR' });
    return s;
  }

  private requireSoft(s: SensorConfig): void {
    if (info(s.type).gpio) throw new ApiError(409, `Sensor ${s.id} is a ${s.type} sensor: its GPIO line triggers it`, {}, { code: 'GPIO_DRIVEN' });
  }

  private requireGpio(): void {
    const why = this.d.gpio.unavailable();
    if (why) throw new ApiError(409, why, {}, { code: 'GPIO_UNAVAILABLE' });
  }

  private checkCalibration(type: SensorType, cal: Record<string, number>): void {
    const fields = info(type).calibration;
    for (const [k, v] of Object.entries(cal)) {
      const f = fields[k];
      if (!f) throw badRequest(`Unknown calibration field for ${type}: ${k}`);
      if (!(v >= f.min && v <= f.max)) throw badRequest(`calibration.${k} must be between ${f.min} and ${f.max}`);
    }
  }

  private setEnabled(s: SensorConfig, enabled: boolean): SensorStatus {
    const next = { ...s, enabled };
    this.d.repo.save(this.list().map((x) => (x.id === s.id ? next : x)));
    const r = this.rt(s.id);
    if (!enabled) {
      this.disarm(s.id);
      this.unfire(next, r);
    } else {
      r.suppressed = false;
      if (info(s.type).gpio) this.arm(next);
    }
    return this.statusOf(next);
  }

  private rt(id: number): Runtime {
    let r = this.runtime.get(id);
    if (!r) {
      r = { triggered: false, suppressed: false, last_triggered_ms: null, last_released_ms: null, error: null, cameras: [], stopWatch: null, pulses: [], releaseTimer: null };
      this.runtime.set(id, r);
    }
    return r;
  }

  private find(id: number): SensorConfig | undefined {
    return this.list().find((s) => s.id === id);
  }

  private fire(s: SensorConfig, r: Runtime): void {
    if (!s.enabled) {
      r.suppressed = true;
      return;
    }
    r.last_triggered_ms = this.now();
    if (r.triggered) return;
    r.triggered = true;
    const targets = s.camera_ids.length ? s.camera_ids : this.d.cameras().filter((c) => c.enabled).map((c) => c.id);
    r.cameras = targets.filter((cam) => this.d.recorder.sensorTrigger(cam, `sensor:${s.id}`, SENSOR_EVENT_LABEL));
    this.d.log.info({ sensor_id: s.id, cameras: r.cameras }, 'sensor triggered');
  }

  private isActive(t: SensorTypeInfo, level: 0 | 1, invert: boolean): boolean {
    return (level === t.active_level) !== invert;
  }

  private arm(s: SensorConfig): void {
    const r = this.rt(s.id);
    r.stopWatch?.();
    r.error = this.d.gpio.unavailable();
    if (r.error || s.gpio === null) return;
    const t = info(s.type);
    const onLevel = (level: 0 | 1): void => {
      const cur = this.find(s.id) ?? s;
      const active = this.isActive(t, level, cur.invert_logic);
      if (t.name === 'vibration') {
        if (!active) return;
        const now = this.now();
        const windowMs = (cur.calibration.pulse_window ?? 5) * 1000;
        r.pulses = [...r.pulses.filter((p) => now - p <= windowMs), now];
        if (r.pulses.length < (cur.calibration.pulse_count ?? 3)) return;
        this.fire(cur, r);
        if (r.releaseTimer) clearTimeout(r.releaseTimer);
        r.releaseTimer = setTimeout(() => this.unfire(cur, r), VIBRATION_RELEASE_MS);
        r.releaseTimer.unref();
      } else if (active) this.fire(cur, r);
      else this.unfire(cur, r);
    };
    r.stopWatch = this.d.gpio.watch(s.gpio, onLevel, (message) => {
      r.error = message;
      r.stopWatch = null;
      this.d.log.warn({ sensor_id: s.id, error: message }, 'sensor GPIO watch stopped');
    });
  }

  private disarm(id: number): void {
    const r = this.runtime.get(id);
    if (!r) return;
    r.stopWatch?.();
    r.stopWatch = null;
    if (r.releaseTimer) clearTimeout(r.releaseTimer);
    r.releaseTimer = null;
  }

  private statusOf(s: SensorConfig): SensorStatus {
    const r = this.rt(s.id);
    const gpio = info(s.type).gpio;
    const error = gpio ? (r.error ?? this.d.gpio.unavailable()) : null;
    const targets = s.camera_ids.length ? s.camera_ids : this.d.cameras().map((c) => c.id);
    return {
      ...s,
      armed: s.enabled && (!gpio || (error === null && r.stopWatch !== null)),
      triggered: r.triggered,
      suppressed: r.suppressed,
      recording_from_sensor: (r.triggered ? r.cameras : targets).some((c) => this.d.recorder.sensorRecording(c)),
      last_triggered_at: iso(r.last_triggered_ms),
      last_released_at: iso(r.last_released_ms),
      error,
    };
  }
}
