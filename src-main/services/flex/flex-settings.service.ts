// Flex settings: device name, pipeline start timeout and webhook delivery knobs, stored apart from Vigil's settings.
import { ApiError } from '../../shared/errors';
import { defaultFlexSettings, flexSettingsSchema, type FlexSettings } from '../../shared/flex';
import type { FlexStore } from '../../repositories/flex/flex-store.repository';
import { zodIssues } from '../../shared/zod-issues';

export class FlexSettingsService {
  constructor(private readonly store: FlexStore) {}

  get(): FlexSettings {
    const stored = flexSettingsSchema.partial().safeParse(this.store.settings());
    return { ...defaultFlexSettings, ...(stored.success ? stored.data : {}) };
  }

  update(patch: unknown): FlexSettings {
    const parsed = flexSettingsSchema.partial().safeParse(patch);
    if (!parsed.success) throw new ApiError(400, zodIssues(parsed.error), {}, { code: 'VALIDATION_ERROR' });
    this.store.putSettings(parsed.data);
    return this.get();
  }
}

