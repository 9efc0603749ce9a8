// System family: health, introspection, settings and API-key management.
import { z } from 'zod';
import { op } from './define';
import { settingsUpdateSchema, settingsViewSchema } from '../settings';

/** The one declaration of a camera worker's states (the supervisor's view; camera status is derived from it). */
export const WORKER_STATES = ['starting', 'running', 'backoff', 'stopped', 'error'] as const;

export const workerStateSchema = z.object({
  camera_id: z.number().int(),
  state: z.enum(WORKER_STATES),
  pid: z.number().int().nullable(),
  restarts: z.number().int(),
  last_error: z.string().nullable(),
});
/** A worker's state as /api/system and the `worker.state` push event carry it. */
export type WorkerState = z.output<typeof workerStateSchema>;

/** What the public liveness probe may say of a worker: no pid, no error text (those name hosts and paths). */
export const healthWorkerSchema = z.object({
  camera_id: z.number().int(),
  state: workerStateSchema.shape.state,
});

const empty = z.object({}).strict();

export const ffmpegInfoSchema = z.object({
  path: z.string().nullable(),
  ffprobe: z.string().nullable(),
  version: z.string().nullable(),
  source: z.enum(['cli', 'env', 'local-settings', 'PATH', '@ffmpeg-installer/ffmpeg', 'missing']).describe('Who chose this ffmpeg: the owner (cli, env, local-settings) or discovery.'),
  error: z.string().nullable().describe('Why an owner-configured binary was rejected (not ffmpeg), if it was.'),
});

export const systemContract = {
  'health.get': op({
    method: 'GET',
    path: '/health',
    tag: 'system',
    access: 'public',
    doc: 'Liveness probe for external monitoring; the only unauthenticated route. Each worker entry carries only its camera id and state.',
    input: z.object({}),
    output: z.object({
      status: z.enum(['ok', 'degraded']),
      version: z.string(),
      gpu: z.object({ used_mb: z.number(), total_mb: z.number() }).nullable(),
      workers: z.array(healthWorkerSchema),
    }),
  }),
  'system.get': op({
    method: 'GET',
    path: '/api/system',
    tag: 'system',
    // Every signed-in role reads it: the UI learns from it whether faces are available and how the workers are doing.
    access: 'user',
    doc: 'Authenticated introspection (any signed-in role): versions, principal, inference backend, ffmpeg, storage and per-worker states.',
    input: z.object({}),
    output: z.object({
      version: z.string(),
      node: z.string(),
      electron: z.string().nullable(),
      platform: z.string(),
      user: z.object({ email: z.string().nullable(), name: z.string(), via: z.string() }),
      backend: z.object({
        detector: z.string().nullable().describe('The object detector running now (null: none loaded, or detection off).'),
        detector_error: z.string().nullable().describe('Why the configured detector is not running, when it is not.'),
        device: z.string().describe('The execution provider the detector runs on.'),
        onnx_providers: z.array(z.string()).describe('ONNX execution providers that actually load on this machine.'),
        faces_enabled: z.boolean().describe('A face detector and embedder are loaded (enrolment and face capture work).'),
        faces: z.object({
          detector: z.string().nullable(),
          embedder: z.string().nullable(),
          dim: z.number().int().nullable().describe("The embedder's dimension, from its manifest."),
          match_threshold: z.number().nullable().describe('The cosine threshold in use (settings.face_match_threshold, else the model manifest\'s).'),
          error: z.string().nullable().describe('Why faces are not available, when they are not.'),
          index: z.object({ people: z.number().int(), enrolled_faces: z.number().int(), samples: z.number().int(), rebuilding: z.boolean() }),
        }),
        analysis: z.object({ state: z.enum(['stopped', 'starting', 'ready', 'restarting']), restarts: z.number().int(), last_crash: z.string().nullable() }),
        models: z.array(
          z.object({
            name: z.string(),
            path: z.string(),
            found: z.boolean(),
            origin: z.enum(['bundled', 'user']),
            task: z.string().nullable(),
            decoder: z.string().nullable(),
            input: z.object({ width: z.number().int(), height: z.number().int() }).nullable(),
            status: z.enum(['ok', 'error']),
            error: z.string().nullable(),
            active: z.boolean(),
          }),
        ),
      }),
      ffmpeg: ffmpegInfoSchema,
      data_dir: z.string(),
      disk: z.object({ total_bytes: z.number(), free_bytes: z.number(), used_bytes: z.number(), percent: z.number() }),
      api: z.object({ host: z.string(), port: z.number().int(), auth_required: z.boolean() }),
      workers: z.array(workerStateSchema),
    }),
  }),
  'system.setFfmpegPath': op({
    method: 'PUT',
    path: '/ipc/system/ffmpeg-path',
    tag: 'system',
    transport: 'ipc',
    doc: 'Desktop only (IPC, never REST): choose the ffmpeg binary; it must be an absolute path whose version banner says ffmpeg. null goes back to PATH.',
    input: z.object({ path: z.string().min(1).max(4096).nullable() }).strict(),
    output: ffmpegInfoSchema,
  }),
  'settings.get': op({
    method: 'GET',
    path: '/api/settings',
    tag: 'system',
    doc: 'Current settings, with defaults filled in.',
    input: z.object({}),
    output: settingsViewSchema,
  }),
  'settings.update': op({
    method: 'PUT',
    path: '/api/settings',
    tag: 'system',
    doc: 'Partial update of settings; unknown keys are rejected and every change is broadcast as settings.changed. A retention change that would delete recordings answers 409 with {detail, preview} and applies only when resent with confirm: true.',
    input: settingsUpdateSchema,
    output: settingsViewSchema,
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
