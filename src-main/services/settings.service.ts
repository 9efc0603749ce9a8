// Settings: defaults + persisted overrides, validated by the shared schema; every change is broadcast.
import { ApiError } from '../shared/errors';
import { settingsPatchSchema, settingsSchema, type Settings, type SettingsPatch } from '../shared/settings';
import type { SettingsRepository } from '../repositories/settings.repository';
import type { Logger } from '../repositories/logger';
import type { PushBus } from './push-bus';

/** Vetoes a change with a reason (409), or throws its own ApiError (e.g. a 409 carrying a preview until confirmed). */
export type SettingsGuard = (next: Settings, prev: Settings, opts: { confirm: boolean }) => string | null;

export class SettingsService {
  private current: Settings;
  private readonly guards: SettingsGuard[] = [];
  private readonly watchers = new Set<(next: Settings, prev: Settings) => void>();

  constructor(
    private readonly repo: SettingsRepository,
    private readonly bus: PushBus,
    private readonly log: Logger,
  ) {
    const stored = repo.readAll();
    const parsed = settingsSchema.safeParse(stored);
    if (parsed.success) {
      this.current = parsed.data;
    } else {
      // Drop only the invalid keys so one bad row cannot reset everything.
      const bad = new Set(parsed.error.issues.map((i) => String(i.path[0])));
      log.warn({ keys: [...bad] }, 'ignoring invalid stored settings');
      this.current = settingsSchema.parse(Object.fromEntries(Object.entries(stored).filter(([k]) => !bad.has(k))));
    }
  }

  get(): Settings {
    return this.current;
  }

  /** A guard vetoes a change with a reason (409), e.g. turning auth off while bound to the LAN. */
  addGuard(guard: SettingsGuard): void {
    this.guards.push(guard);
  }

  onChange(fn: (next: Settings, prev: Settings) => void): () => void {
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }

  update(patch: SettingsPatch, opts: { confirm?: boolean } = {}): Settings {
    const clean = settingsPatchSchema.parse(patch);
    const prev = this.current;
    const next = settingsSchema.parse({ ...prev, ...clean });
    for (const g of this.guards) {
      const reason = g(next, prev, { confirm: opts.confirm === true });
      if (reason) throw new ApiError(409, reason);
    }
    const changed = Object.fromEntries(Object.entries(clean).filter(([k]) => JSON.stringify(prev[k as keyof Settings]) !== JSON.stringify(next[k as keyof Settings])));
    if (Object.keys(changed).length === 0) return prev;
    this.repo.writeMany(Object.fromEntries(Object.keys(changed).map((k) => [k, next[k as keyof Settings]])));
    this.current = next;
    this.log.info({ keys: Object.keys(changed) }, 'settings changed');
    for (const w of this.watchers) w(next, prev);
    this.bus.emit('settings.changed', next);
    return next;
  }
}
