// Sensor registry logic (real: SQLite file for the registry, libgpiod repository probing this host's /dev; mock: a GPIO
// chip — none can exist here — and the event recorder, whose sensor path the integration test drives for real).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src-main/repositories/db/database';
import { silentLogger } from '../../src-main/repositories/logger';
import { SqliteSensorsRepository } from '../../src-main/repositories/sensors.repository';
import { LibgpiodRepository, parseGpioget, parseGpiomon, type GpioRepository } from '../../src-main/repositories/gpio.repository';
import { SensorsService, type SensorRecorder } from '../../src-main/services/sensors/sensors.service';
import type { ApiError } from '../../src-main/shared/errors';
import { removeDir } from '../foundation/app-harness';

class FakeChip implements GpioRepository {
  watchers = new Map<number, (level: 0 | 1) => void>();
  levels = new Map<number, 0 | 1>();
  constructor(public missing: string | null = null) {}
  unavailable(): string | null {
    return this.missing;
  }
  read(line: number): Promise<0 | 1> {
    return Promise.resolve(this.levels.get(line) ?? 0);
  }
  watch(line: number, onLevel: (level: 0 | 1) => void): () => void {
    this.watchers.set(line, onLevel);
    return () => this.watchers.delete(line);
  }
  set(line: number, level: 0 | 1): void {
    this.watchers.get(line)?.(level);
  }
}

class FakeRecorder implements SensorRecorder {
  calls: string[] = [];
  open = new Set<number>();
  sensorTrigger(cameraId: number, key: string, label: string): boolean {
    this.calls.push(`trigger ${cameraId} ${key} ${label}`);
    this.open.add(cameraId);
    return cameraId !== 99;
  }
  sensorRelease(cameraId: number, key: string, holdMs: number): void {
    this.calls.push(`release ${cameraId} ${key} ${holdMs}`);
  }
  sensorRecording(cameraId: number): boolean {
    return this.open.has(cameraId);
  }
}

let dir: string;
let db: Db;
let now: number;
const cams = [
  { id: 1, enabled: true },
  { id: 2, enabled: true },
  { id: 3, enabled: false },
];
const make = (gpio: GpioRepository, recorder = new FakeRecorder()) => ({
  recorder,
  svc: new SensorsService({ repo: new SqliteSensorsRepository(db), gpio, recorder, cameras: () => cams, log: silentLogger(), now: () => now }),
});
const fails = (fn: () => unknown): { status: number; code: string | undefined; detail: unknown } => {
  try {
    fn();
  } catch (e) {
    const err = e as ApiError;
    return { status: err.status ?? 422, code: err.code, detail: err.detail };
  }
  throw new Error('expected a failure');
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-sensors-'));
  db = openDatabase({ file: join(dir, 'vigil.db'), logger: silentLogger() });
  now = Date.parse('2026-06-01T12:00:00Z');
});
afterEach(() => {
  db.close();
  removeDir(dir);
});

describe('libgpiod repository', () => {
  it('says clearly why GPIO cannot work on a host without a chip or without the tools', () => {
    const empty = mkdtempSync(join(tmpdir(), 'vigil-dev-'));
    const fake = mkdtempSync(join(tmpdir(), 'vigil-dev-'));
    writeFileSync(join(fake, 'gpiochip0'), '');
    try {
      expect(new LibgpiodRepository(empty).unavailable()).toMatch(/not supported on this host.*\/dev\/gpiochip/);
      expect(new LibgpiodRepository(fake, 'gpiochip4').unavailable()).toMatch(/gpiochip4 not found.*gpiochip0/);
      expect(new LibgpiodRepository(fake).unavailable()).toMatch(/gpioget|gpiochip/);
    } finally {
      removeDir(empty);
      removeDir(fake);
    }
  });

  it('parses both libgpiod 1.x and 2.x output', () => {
    expect([parseGpioget('0\n'), parseGpioget('1'), parseGpioget('"22"=active'), parseGpioget('"22"=inactive'), parseGpioget('?')]).toEqual([0, 1, 1, 0, null]);
    expect([parseGpiomon('event:  RISING EDGE offset: 22 timestamp: [1.2]'), parseGpiomon('1.2\tfalling\tgpiochip0 22'), parseGpiomon('')]).toEqual([1, 0, null]);
  });
});

describe('sensor registry', () => {
  it('lists the types with wiring and calibration schemas', () => {
    const { svc } = make(new FakeChip());
    const types = svc.types();
    expect(types.map((t) => t.name)).toEqual(['mock', 'external', 'reed_switch', 'pir', 'vibration', 'hall_digital']);
    expect(types.find((t) => t.name === 'vibration')).toMatchObject({ gpio: true, default_gpio: 5, calibration: { pulse_count: { default: 3 } } });
    expect(types.every((t) => t.wiring.length > 10)).toBe(true);
  });

  it('GPIO types answer a clear 409 on a host without GPIO; mock and external work everywhere', async () => {
    const { svc } = make(new LibgpiodRepository(mkdtempSync(join(tmpdir(), 'vigil-nodev-'))));
    const refused = fails(() => svc.configure({ type: 'reed_switch', gpio: 22 }));
    expect(refused).toMatchObject({ status: 409, code: 'GPIO_UNAVAILABLE' });
    expect(String(refused.detail)).toMatch(/not supported on this host/);
    expect(svc.list()).toEqual([]);
    const off = svc.configure({ type: 'reed_switch', gpio: 22, enabled: false });
    expect(off).toMatchObject({ id: 1, enabled: false, armed: false, gpio: 22 });
    expect(off.error).toMatch(/gpiochip/);
    expect(fails(() => svc.enable(off.id))).toMatchObject({ status: 409, code: 'GPIO_UNAVAILABLE' });
    await expect(svc.test({ type: 'pir', gpio: 17 })).rejects.toMatchObject({ status: 409, code: 'GPIO_UNAVAILABLE' });
    await expect(svc.test({ type: 'mock' })).rejects.toMatchObject({ status: 400 });
    const mock = svc.configure({ type: 'mock', hold_seconds: 4 });
    expect(mock).toMatchObject({ id: 2, name: 'Mock sensor', gpio: null, armed: true, error: null });
  });

  it('validates calibration, cameras and ids', () => {
    const { svc } = make(new FakeChip());
    expect(fails(() => svc.configure({ type: 'vibration', calibration: { pulse_count: 0 } })).status).toBe(400);
    expect(fails(() => svc.configure({ type: 'vibration', calibration: { bogus: 1 } })).status).toBe(400);
    expect(fails(() => svc.configure({ type: 'mock', camera_ids: [42] })).status).toBe(400);
    expect(fails(() => svc.configure({ id: 9, type: 'mock' })).status).toBe(404);
    expect(fails(() => svc.configure({ type: 'pir', gpio: 40 })).status).toBe(422);
    expect(fails(() => svc.configure({ type: 'laser' as never })).status).toBe(422);
    expect(svc.configure({ type: 'vibration', calibration: { pulse_count: 2 } }).calibration).toEqual({ pulse_count: 2, pulse_window: 5 });
  });

  it('mock trigger opens recordings on its cameras and release hands them hold_seconds; disabled sensors are suppressed', () => {
    const { svc, recorder } = make(new FakeChip());
    expect(fails(() => svc.mockTrigger())).toMatchObject({ status: 409, code: 'NO_MOCK_SENSOR' });
    const all = svc.configure({ type: 'mock', hold_seconds: 7 });
    const one = svc.configure({ type: 'external', name: 'Alarm panel', camera_ids: [2, 2], hold_seconds: 0 });
    expect(one.camera_ids).toEqual([2]);
    const s = svc.mockTrigger();
    expect(s).toMatchObject({ id: all.id, triggered: true, recording_from_sensor: true, last_triggered_at: new Date(now).toISOString() });
    // Every enabled camera when none is named (camera 3 is disabled).
    expect(recorder.calls).toEqual([`trigger 1 sensor:${all.id} sensor`, `trigger 2 sensor:${all.id} sensor`]);
    svc.mockTrigger();
    expect(recorder.calls).toHaveLength(2);
    now += 5000;
    expect(svc.mockRelease()).toMatchObject({ triggered: false, last_released_at: new Date(now).toISOString() });
    expect(recorder.calls.slice(2)).toEqual([`release 1 sensor:${all.id} 7000`, `release 2 sensor:${all.id} 7000`]);
    svc.trigger(one.id);
    expect(recorder.calls.at(-1)).toBe(`trigger 2 sensor:${one.id} sensor`);
    svc.disable(one.id);
    expect(recorder.calls.at(-1)).toBe(`release 2 sensor:${one.id} 0`);
    expect(svc.trigger(one.id)).toMatchObject({ triggered: false, suppressed: true, enabled: false });
    expect(svc.enable(one.id)).toMatchObject({ enabled: true, suppressed: false });
  });

  it('GPIO sensors follow their line: level, invert_logic, vibration pulses; they cannot be triggered by hand', async () => {
    const chip = new FakeChip();
    const { svc, recorder } = make(chip);
    const reed = svc.configure({ type: 'reed_switch', camera_ids: [1], hold_seconds: 3 });
    expect(reed).toMatchObject({ gpio: 22, armed: true, error: null });
    chip.set(22, 1);
    expect(svc.statusOne(reed.id).triggered).toBe(true);
    chip.set(22, 0);
    expect(recorder.calls).toEqual([`trigger 1 sensor:${reed.id} sensor`, `release 1 sensor:${reed.id} 3000`]);
    expect(fails(() => svc.trigger(reed.id))).toMatchObject({ status: 409, code: 'GPIO_DRIVEN' });
    svc.configure({ id: reed.id, type: 'reed_switch', camera_ids: [1], invert_logic: true });
    chip.set(22, 1);
    expect(svc.statusOne(reed.id).triggered).toBe(false);
    chip.set(22, 0);
    expect(svc.statusOne(reed.id).triggered).toBe(true);
    const hall = svc.configure({ type: 'hall_digital', camera_ids: [2] });
    chip.levels.set(13, 0);
    expect(await svc.test({ type: 'hall_digital' })).toEqual({ type: 'hall_digital', gpio: 13, level: 0, active: true });
    expect(await svc.test({ type: 'hall_digital', invert_logic: true })).toMatchObject({ active: false });
    expect(hall.armed).toBe(true);
    const vib = svc.configure({ type: 'vibration', camera_ids: [2], calibration: { pulse_count: 3, pulse_window: 2 } });
    chip.set(5, 1);
    now += 1500;
    chip.set(5, 1);
    now += 1500;
    chip.set(5, 1);
    expect(svc.statusOne(vib.id).triggered).toBe(false);
    now += 100;
    chip.set(5, 1);
    expect(svc.statusOne(vib.id).triggered).toBe(true);
    svc.disable(vib.id);
    expect(chip.watchers.has(5)).toBe(false);
    svc.stop();
    expect(chip.watchers.size).toBe(0);
  });

  it('persists the registry and ignores an invalid stored sensor', () => {
    const { svc } = make(new FakeChip());
    svc.configure({ type: 'mock', name: 'Front door button' });
    const stored = new SqliteSensorsRepository(db).list();
    new SqliteSensorsRepository(db).save([...stored, { id: 2, name: '', type: 'laser' } as never]);
    const again = make(new FakeChip()).svc;
    expect(again.list().map((s) => s.name)).toEqual(['Front door button']);
    again.remove(1);
    expect(again.list()).toEqual([]);
    expect(fails(() => again.get(1)).status).toBe(404);
  });
});
