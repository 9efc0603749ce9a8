// Settings: defaults + persisted overrides, validated by the shared schema; every change is broadcast.
import { zodIssues } from '../shared/zod-issues';
import { ApiError } from '../shared/errors';
import { secretSettingsSchema, settingsPatchSchema, settingsSchema, type SecretSettingsPatch, type Settings, type SettingsPatch, type SettingsView } from '../shared/settings';
import type { SettingsRepository } from '../repositories/settings.repository';
import type { SecretsRepository } from '../repositories/secrets.repository';
import type { Logger } from '../repositories/logger';
import type { PushBus } from './push-bus';

/** Vetoes a change with a reason (409), or throws its own ApiError (e.g. a 409 carrying a preview until confirmed). */
export type SettingsGuard = (next: Settings, prev: Settings, opts: { confirm: boolean }) => string | null;

export type SecretName = keyof SecretSettingsPatch;
/** Row names in the secrets table (kept apart from the API-key rows). */
const SECRET_KEYS: Record<SecretName, string> = { mqtt_password: 'settings.mqtt_password' };

export class SettingsService {
  private current: Settings;
  private readonly guards: SettingsGuard[] = [];
  private readonly watchers = new Set<(next: Settings, prev: Settings) => void>();
  private readonly secretWatchers = new Set<(name: SecretName) => void>();

  constructor(
    private readonly repo: SettingsRepository,
    private readonly bus: PushBus,
    private readonly log: Logger,
    /** Sealed store for write-only settings (mqtt_password); without it they cannot be set. */
    private readonly secrets: SecretsRepository | null = null,
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

  /** What clients see: the settings plus whether each secret is set, never the secret. */
  view(): SettingsView {
    return { ...this.current, mqtt_password_set: this.secret('mqtt_password') !== null };
  }

  /** A write-only setting's value, for the one component that uses it (never for a reply or a log). */
  secret(name: SecretName): string | null {
    const v = this.secrets?.get(SECRET_KEYS[name]) ?? null;
    return v === null || v === '' ? null : v;
  }

  /** Called after a secret changes (the settings object itself does not carry it). */
  onSecretChange(fn: (name: SecretName) => void): () => void {
    this.secretWatchers.add(fn);
    return () => this.secretWatchers.delete(fn);
  }

  /** settings.update's full input: ordinary settings, write-only secrets, and the retention confirmation. */
  updateWithSecrets(input: SettingsPatch & SecretSettingsPatch & { mqtt_password_set?: boolean }, opts: { confirm?: boolean } = {}): SettingsView {
    // mqtt_password_set is read-only: a settings object read with GET may be sent back whole.
    const { mqtt_password, mqtt_password_set: _readOnly, ...patch } = input;
    const parsedSecrets = secretSettingsSchema.safeParse(mqtt_password === undefined ? {} : { mqtt_password });
    if (!parsedSecrets.success) throw new ApiError(422, zodIssues(parsedSecrets.error));
    const secrets = parsedSecrets.data;
    if (secrets.mqtt_password !== undefined && !this.secrets) throw new ApiError(503, 'Secrets store unavailable');
    this.update(patch, opts);
    if (secrets.mqtt_password !== undefined) {
      const value = secrets.mqtt_password ?? '';
      if ((this.secret('mqtt_password') ?? '') !== value) {
        this.secrets?.set(SECRET_KEYS.mqtt_password, value);
        this.log.info({ keys: ['mqtt_password'] }, 'secret setting changed');
        for (const w of this.secretWatchers) w('mqtt_password');
        this.bus.emit('settings.changed', this.view());
      }
    }
    return this.view();
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
    // A caller that did not validate first still gets a 422 with the issues, never a raw schema error (a 500).
    const parsed = settingsPatchSchema.safeParse(patch);
    if (!parsed.success) throw new ApiError(422, zodIssues(parsed.error));
    const clean = parsed.data;
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
    this.bus.emit('settings.changed', this.view());
    return next;
  }
}
