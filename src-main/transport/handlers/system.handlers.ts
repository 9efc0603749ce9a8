// System-family handlers: each is one line onto a service.
import type { Handlers } from '../../shared/contract';
import type { AuthService } from '../../services/auth.service';
import type { SettingsService } from '../../services/settings.service';
import type { SystemService } from '../../services/system.service';
import type { FfmpegService } from '../../services/ffmpeg.service';

type SystemOps = 'health.get' | 'system.get' | 'system.setFfmpegPath' | 'settings.get' | 'settings.update' | 'auth.apiKey' | 'auth.regenerateKey' | 'auth.mediaAccess';

export const systemHandlers = (s: { system: SystemService; settings: SettingsService; auth: AuthService; ffmpeg: FfmpegService; baseUrl: () => string }): Pick<Handlers, SystemOps> => ({
  'health.get': () => s.system.health(),
  'system.get': (_i, ctx) => s.system.system(ctx.principal),
  'system.setFfmpegPath': (i) => s.ffmpeg.setLocalPath(i.path),
  'settings.get': () => s.settings.view(),
  'settings.update': ({ confirm, ...patch }) => s.settings.updateWithSecrets(patch, { confirm }),
  'auth.apiKey': () => s.auth.keyInfo(),
  'auth.regenerateKey': () => s.auth.regenerateKey(),
  'auth.mediaAccess': () => ({ base_url: s.baseUrl(), token: s.auth.mediaToken }),
});
