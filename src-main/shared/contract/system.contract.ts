// System family: health, introspection, settings and API-key management.
import { z } from 'zod';
import { op } from './define';
import { settingsPatchSchema, settingsSchema } from '../settings';

export const workerStateSchema = z.object({
  camera_id: z.number().int(),
  state: z.enum(['starting', 'running', 'backoff', 'stopped', 'error']),
  pid: z.number().int().nullable(),
  restarts: z.number().int(),
  last_error: z.string().nullable(),
});

const empty = z.object({}).strict();

export const systemContract = {
  'health.get': op({
    method: 'GET',
    path: '/health',
    tag: 'system',
    doc: 'Liveness probe for external monitoring; the only unauthenticated route.',
    input: z.object({}),
    output: z.object({
      status: z.enum(['ok', 'degraded']),
      version: z.string(),
      gpu: z.object({ used_mb: z.number(), total_mb: z.number() }).nullable(),
      workers: z.array(workerStateSchema),
    }),
  }),
  'system.get': op({
    method: 'GET',
    path: '/api/system',
    tag: 'system',
    doc: 'Authenticated introspection: versions, principal, inference backend, ffmpeg, storage and per-worker states.',
    input: z.object({}),
    output: z.object({
      version: z.string(),
      node: z.string(),
      electron: z.string().nullable(),
      platform: z.string(),
      user: z.object({ email: z.string().nullable(), name: z.string(), via: z.string() }),
      backend: z.object({
        detector: z.string().nullable(),
        device: z.string(),
        onnx_providers: z.array(z.string()),
        faces_enabled: z.boolean(),
        models: z.array(z.object({ name: z.string(), path: z.string(), found: z.boolean() })),
      }),
      ffmpeg: z.object({ path: z.string().nullable(), version: z.string().nullable(), source: z.string() }),
      data_dir: z.string(),
      disk: z.object({ total_bytes: z.number(), free_bytes: z.number(), used_bytes: z.number(), percent: z.number() }),
      api: z.object({ host: z.string(), port: z.number().int(), auth_required: z.boolean() }),
      workers: z.array(workerStateSchema),
    }),
  }),
  'settings.get': op({
    method: 'GET',
    path: '/api/settings',
    tag: 'system',
    doc: 'Current settings, with defaults filled in.',
    input: z.object({}),
    output: settingsSchema,
  }),
  'settings.update': op({
    method: 'PUT',
    path: '/api/settings',
    tag: 'system',
    doc: 'Partial update of settings; unknown keys are rejected and every change is broadcast as settings.changed.',
    input: settingsPatchSchema,
    output: settingsSchema,
  }),
  'auth.mediaAccess': op({
    method: 'GET',
    path: '/api/auth/media-access',
    tag: 'auth',
    doc: 'Base URL and per-launch token for media URLs (<img>/<video>), so the desktop renderer never needs the API key.',
    input: empty,
    output: z.object({ base_url: z.string(), token: z.string() }),
  }),
  'auth.apiKey': op({
    method: 'GET',
    path: '/api/auth/api-key',
    tag: 'auth',
    doc: 'The current API key, for the operator to copy into scripts.',
    input: empty,
    output: z.object({ api_key: z.string(), from_env: z.boolean() }),
  }),
  'auth.regenerateKey': op({
    method: 'POST',
    path: '/api/auth/api-key/regenerate',
    tag: 'auth',
    doc: 'Replace the API key; the old key and all browser sessions stop working at once. 409 when the key comes from VIGIL_API_KEY.',
    input: empty,
    output: z.object({ api_key: z.string(), from_env: z.boolean() }),
  }),
};
