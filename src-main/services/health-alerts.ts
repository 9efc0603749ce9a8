// Pure health alert levels (the Pi camera's /system_alert_state): CPU temperature, throttling, storage and SD-card wear.

export type AlertLevel = 'ok' | 'warn' | 'critical' | 'unavailable';
export const ALERT_METRICS = ['cpu_temp', 'throttle', 'storage', 'sd_health'] as const;
export type AlertMetric = (typeof ALERT_METRICS)[number];

export interface HealthValues {
  cpu_temp: number | null;
  /** Active throttling flags; null where the platform cannot tell (everywhere but a Pi with vcgencmd). */
  throttle: string[] | null;
  /** Percent of the data disk used. */
  storage: number | null;
  /** JEDEC life_time estimate (1 = 0–10 % worn … 11 = exceeded). */
  sd_health: number | null;
}

export interface AlertState {
  overall: 'ok' | 'warn' | 'critical';
  alerts: Record<AlertMetric, AlertLevel>;
  values: HealthValues;
}

/** The reference's table: CPU ≥ 65 °C warn, ≥ 80 critical; any throttle flag critical; storage ≥ 85 % / ≥ 95 %; SD wear ≥ 0x03 / ≥ 0x0B. */
export function alertState(v: HealthValues): AlertState {
  const by = (x: number | null, warn: number, crit: number): AlertLevel => (x === null ? 'unavailable' : x >= crit ? 'critical' : x >= warn ? 'warn' : 'ok');
  const alerts: Record<AlertMetric, AlertLevel> = {
    cpu_temp: by(v.cpu_temp, 65, 80),
    throttle: v.throttle === null ? 'unavailable' : v.throttle.length ? 'critical' : 'ok',
    storage: by(v.storage, 85, 95),
    sd_health: by(v.sd_health, 0x03, 0x0b),
  };
  const levels = Object.values(alerts);
  const overall = levels.includes('critical') ? 'critical' : levels.includes('warn') ? 'warn' : 'ok';
  return { overall, alerts, values: v };
}

/** Metrics whose level changed between two states (what is pushed as a system_alert). */
export function transitions(prev: AlertState | null, next: AlertState): AlertMetric[] {
  if (!prev) return ALERT_METRICS.filter((m) => next.alerts[m] === 'warn' || next.alerts[m] === 'critical');
  return ALERT_METRICS.filter((m) => prev.alerts[m] !== next.alerts[m]);
}
