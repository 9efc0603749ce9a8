// Health alerts: samples the host every interval, keeps the current levels and pushes 'system.alert' on each transition.
import type { HostRepository } from '../repositories/host.repository';
import type { Logger } from '../repositories/logger';
import type { PushSink } from '../ports/push.port';
import { alertState, transitions, type AlertState } from './health-alerts';

export const HEALTH_POLL_MS = 30_000;

export class HealthAlertsService {
  private state: AlertState | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly d: {
      host: Pick<HostRepository, 'diskUsage' | 'cpuTempC' | 'sdLifeTime'>;
      dataDir: string;
      bus: PushSink;
      log: Logger;
      /** Active throttle flags where the platform can tell (a Pi); null elsewhere. */
      throttle?: () => string[] | null;
    },
  ) {}

  /** Samples now (the routes answer a fresh state) and pushes the metrics whose level changed. */
  sample(): AlertState {
    let storage: number | null = null;
    try {
      storage = this.d.host.diskUsage(this.d.dataDir).percent;
    } catch (err) {
      this.d.log.warn({ err }, 'disk usage unavailable');
    }
    const next = alertState({ cpu_temp: this.d.host.cpuTempC(), throttle: this.d.throttle?.() ?? null, storage, sd_health: this.d.host.sdLifeTime() });
    const changed = transitions(this.state, next);
    this.state = next;
    if (changed.length) {
      this.d.log.info({ overall: next.overall, changed, alerts: next.alerts }, 'health alert level changed');
      this.d.bus.emit('system.alert', { ...next, changed });
    }
    return next;
  }

  current(): AlertState {
    return this.state ?? this.sample();
  }

  start(): void {
    if (this.timer) return;
    this.sample();
    this.timer = setInterval(() => this.sample(), HEALTH_POLL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
