// Sensor registry shapes: the sensor types (wiring, calibration) and the configure/status DTOs (zod, runtime-free).
import { z } from 'zod';

export interface CalibrationField {
  description: string;
  default: number;
  min: number;
  max: number;
}

export interface SensorTypeInfo {
  name: string;
  label: string;
  /** GPIO types read a BCM line through libgpiod; the others are triggered by the API (mock) or another system (external). */
  gpio: boolean;
  default_gpio: number | null;
  /** The line level that means "triggered" before invert_logic. */
  active_level: 0 | 1 | null;
  wiring: string;
  calibration: Record<string, CalibrationField>;
}

const debounce: CalibrationField = { description: 'Ignore level changes shorter than this (ms).', default: 50, min: 0, max: 2000 };

export const SENSOR_TYPES = {
  mock: { name: 'mock', label: 'Mock sensor', gpio: false, default_gpio: null, active_level: null, wiring: 'None: triggered and released through the API (sensor/mock/trigger and release). Works on every host.', calibration: {} },
  external: { name: 'external', label: 'External trigger', gpio: false, default_gpio: null, active_level: null, wiring: 'None: another system (alarm panel, door bell, home automation) triggers and releases it over HTTP or MQTT.', calibration: {} },
  reed_switch: { name: 'reed_switch', label: 'Reed switch (door/window)', gpio: true, default_gpio: 22, active_level: 1, wiring: 'Between the GPIO pin and GND with the internal pull-up: closed (magnet near) reads LOW, open (door opened) reads HIGH and triggers.', calibration: { debounce_ms: debounce } },
  pir: { name: 'pir', label: 'PIR motion sensor', gpio: true, default_gpio: 17, active_level: 1, wiring: 'OUT to the GPIO pin, VCC to 5 V, GND to GND; motion drives OUT HIGH.', calibration: { debounce_ms: debounce } },
  vibration: {
    name: 'vibration',
    label: 'Vibration sensor (SW-420)',
    gpio: true,
    default_gpio: 5,
    active_level: 1,
    wiring: 'DO to the GPIO pin, VCC to 3.3 V, GND to GND; vibration produces HIGH pulses.',
    calibration: {
      pulse_count: { description: 'Pulses needed within pulse_window to trigger.', default: 3, min: 1, max: 100 },
      pulse_window: { description: 'Window (s) in which pulse_count pulses must arrive.', default: 5, min: 1, max: 60 },
    },
  },
  hall_digital: { name: 'hall_digital', label: 'Hall-effect sensor (digital)', gpio: true, default_gpio: 13, active_level: 0, wiring: 'OUT to the GPIO pin with a pull-up, VCC to 3.3 V, GND to GND; a magnet pulls OUT LOW and triggers.', calibration: { debounce_ms: debounce } },
} as const satisfies Record<string, SensorTypeInfo>;

export type SensorType = keyof typeof SENSOR_TYPES;
export const SENSOR_TYPE_NAMES = Object.keys(SENSOR_TYPES) as [SensorType, ...SensorType[]];

export const sensorConfigureSchema = z
  .object({
    id: z.number().int().positive().optional().describe('The sensor to change; omitted creates one.'),
    name: z.string().trim().min(1).max(80).optional(),
    type: z.enum(SENSOR_TYPE_NAMES),
    gpio: z.number().int().min(0).max(27).nullable().optional().describe('BCM GPIO line (0-27); GPIO types default to their usual pin.'),
    enabled: z.boolean().default(true),
    hold_seconds: z.number().min(0).max(3600).default(10).describe('Seconds the recording continues after the sensor releases.'),
    invert_logic: z.boolean().default(false).describe('Swap trigger and release (trigger on the other level).'),
    calibration: z.record(z.string(), z.number()).default({}),
    camera_ids: z.array(z.number().int().positive()).max(256).default([]).describe('Cameras that record while it is triggered; empty means every camera.'),
  })
  .strict();
export type SensorConfigureInput = z.input<typeof sensorConfigureSchema>;

export interface SensorConfig {
  id: number;
  name: string;
  type: SensorType;
  gpio: number | null;
  enabled: boolean;
  hold_seconds: number;
  invert_logic: boolean;
  calibration: Record<string, number>;
  camera_ids: number[];
}

export interface SensorStatus extends SensorConfig {
  /** Enabled and able to fire (a GPIO sensor needs its line watched). */
  armed: boolean;
  triggered: boolean;
  /** A trigger arrived while the sensor was disabled and was ignored. */
  suppressed: boolean;
  /** A recording opened by this sensor is still running (triggered, or within hold_seconds of release). */
  recording_from_sensor: boolean;
  last_triggered_at: string | null;
  last_released_at: string | null;
  error: string | null;
}
