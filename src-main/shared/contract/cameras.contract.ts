// Cameras family (Iris /api/cameras) and the live routes that are JSON (manual recording); media routes are raw.
import { z } from 'zod';
import { op } from './define';
import { zId } from '../time';

// The one declaration of a camera's source kinds and derived statuses; every layer takes these types from here.
/** push: a Streams camera whose JPEGs are posted to Vigil (created by registering a stream, never from a URL). */
export const SOURCE_KINDS = ['rtsp', 'http', 'mjpeg', 'file', 'pattern', 'push'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];
export const RECORDING_MODES = ['continuous', 'events', 'off'] as const;
/** off: recording only, nothing decoded · keyframes: motion on keyframes only · full: motion/detection at analysis_fps. */
export const ANALYSIS_MODES = ['off', 'keyframes', 'full'] as const;
export type AnalysisMode = (typeof ANALYSIS_MODES)[number];
export const CAMERA_STATUSES = ['online', 'offline', 'error'] as const;
export type CameraStatus = (typeof CAMERA_STATUSES)[number];

const id = zId;
const point = z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]);

/** Tuning fields with Iris's ranges. Defaults apply on create; on update every field is optional. */
export const cameraTuningShape = {
  detect_conf: z.number().min(0).max(1).describe('Detection confidence threshold.'),
  pre_seconds: z.number().int().min(0).max(120).describe('Event pre-roll seconds.'),
  post_seconds: z.number().int().min(0).max(300).describe('Event post-roll seconds.'),
  trigger_classes: z.string().max(1000).describe('CSV of COCO classes that trigger recording; empty means person.'),
  detect_iou: z.number().min(0).max(1).describe('NMS IoU.'),
  detect_imgsz: z.number().int().min(128).max(1920).describe('Detector input size (px).'),
  detect_interval: z.number().min(0).max(60).describe('Seconds between detections (0 = every analysis frame).'),
  trigger_cooldown: z.number().min(0).max(3600).describe('Minimum seconds between event triggers.'),
  min_trigger_frames: z.number().int().min(1).max(100).describe('Consecutive trigger frames before an event opens.'),
  max_event_seconds: z.number().int().min(10).max(3600).describe('A presence longer than this continues as a new event, so a busy scene still yields finished, playable clips.'),
  rtsp_transport: z.enum(['tcp', 'udp']),
  faces_enabled: z.boolean(),
  reid_enabled: z.boolean(),
  // Vigil additions
  detect_enabled: z.boolean().describe('Run the object detector on this camera (events then open per tracked object of trigger_classes); off keeps motion events.'),
  recording_mode: z.enum(RECORDING_MODES).describe('continuous keeps everything within retention; events keeps event windows; off records nothing.'),
  snapshot_fps: z.number().min(0.1).max(30).describe('Poll rate for http snapshot sources.'),
  motion_enabled: z.boolean(),
  analysis_mode: z
    .enum(ANALYSIS_MODES)
    .describe('What the ingest decodes for analysis: off records and streams live with no decode at all; keyframes runs motion (and detection) on keyframes only; full analyses at analysis_fps. full with motion, detection and faces all off decodes nothing either.'),
  motion_threshold: z.number().int().min(1).max(255).describe('Per-pixel grey-level change that counts as motion.'),
  motion_min_area: z.number().min(0).max(1).describe('Fraction of the (unmasked) frame that must change to trigger.'),
  motion_masks: z.array(z.array(point).min(3).max(64)).max(32).describe('Polygons (normalised 0–1) ignored by motion detection.'),
  retention_max_days: z.number().min(0.01).max(3650).nullable(),
  retention_max_gb: z.number().min(0.01).nullable(),
} as const;

export const cameraTuningSchema = z.object(cameraTuningShape);
export type CameraTuning = z.output<typeof cameraTuningSchema>;

export const defaultTuning: CameraTuning = {
  detect_conf: 0.5,
  pre_seconds: 5,
  post_seconds: 10,
  trigger_classes: 'person',
  detect_iou: 0.45,
  detect_imgsz: 416,
  detect_interval: 0.5,
  trigger_cooldown: 0,
  min_trigger_frames: 2,
  max_event_seconds: 120,
  rtsp_transport: 'tcp',
  detect_enabled: true,
  faces_enabled: false,
  reid_enabled: false,
  recording_mode: 'continuous',
  snapshot_fps: 2,
  motion_enabled: true,
  analysis_mode: 'full',
  motion_threshold: 25,
  motion_min_area: 0.01,
  motion_masks: [],
  retention_max_days: null,
  retention_max_gb: null,
};

/** Stored tuning with any invalid key dropped back to its default, so one bad value cannot hide a camera. */
export function parseStoredTuning(json: string, recordingMode: CameraTuning['recording_mode']): CameraTuning {
  let raw: Record<string, unknown> = {};
  try {
    const v: unknown = JSON.parse(json);
    if (v && typeof v === 'object' && !Array.isArray(v)) raw = v as Record<string, unknown>;
  } catch {
    raw = {};
  }
  const out: Record<string, unknown> = { ...defaultTuning };
  const shape = cameraTuningSchema.shape as Record<string, { safeParse(v: unknown): { success: boolean; data?: unknown } }>;
  for (const [k, v] of Object.entries(raw)) {
    const field = shape[k];
    if (!field) continue;
    const r = field.safeParse(v);
    if (r.success) out[k] = r.data;
  }
  out.recording_mode = recordingMode;
  return out as CameraTuning;
}

export const cameraSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  rtsp_url: z.string().describe('Masked: credentials are replaced by *** (rtsp://***@host/s).'),
  source_kind: z.enum(SOURCE_KINDS),
  enabled: z.boolean(),
  is_demo: z.boolean(),
  has_credentials: z.boolean(),
  status: z.enum(CAMERA_STATUSES),
  last_seen: z.string().nullable(),
  last_error: z.string().nullable(),
  fps: z.number(),
  created_at: z.string(),
  ...cameraTuningShape,
});
export type Camera = z.output<typeof cameraSchema>;

const credentialFields = {
  username: z.string().max(256).optional().describe('Write-only; alternative to userinfo in the URL.'),
  password: z.string().max(256).optional().describe('Write-only; never returned.'),
};

export const cameraCreateSchema = z
  .object({
    name: z.string().trim().min(1).max(120),
    rtsp_url: z.string().trim().min(1).max(2048).describe('rtsp://, rtsps://, http(s):// (snapshot or MJPEG), file path / file:// or pattern://'),
    source_kind: z.enum(SOURCE_KINDS).optional().describe('Derived from the URL scheme when omitted (http is probed for MJPEG).'),
    enabled: z.boolean().default(true),
    ...credentialFields,
  })
  .extend(cameraTuningSchema.partial().shape)
  .strict();

export const cameraUpdateSchema = z
  .object({
    id,
    name: z.string().trim().min(1).max(120).optional(),
    rtsp_url: z.string().trim().max(2048).optional().describe('Blank or containing *** keeps the stored URL.'),
    source_kind: z.enum(SOURCE_KINDS).optional(),
    enabled: z.boolean().optional(),
    ...credentialFields,
    confirm: z.boolean().optional().describe('Apply a recording_mode/retention change that deletes recordings (answered 409 with a preview without it).'),
  })
  .extend(cameraTuningSchema.partial().shape)
  .strict();

export const cameraStatusSchema = z.object({
  status: z.enum(CAMERA_STATUSES),
  last_seen: z.string().nullable(),
  fps: z.number(),
  detector: z
    .object({
      model: z.string().describe('The detector model analysing this camera.'),
      detections_per_second: z.number(),
      latency_ms: z.number().nullable().describe('Last inference latency.'),
      analysed_frames: z.number().int(),
      dropped_frames: z.number().int().describe('Frames replaced by a newer one before the detector got to them.'),
      motion_gated: z.boolean().describe('True when the last frame had no motion, so the detector did not run on it.'),
      tracks: z.number().int().describe('Objects tracked right now.'),
    })
    .nullable()
    .describe('null when detection is off for this camera or no detector model is loaded.'),
});

export const probeResultSchema = z.object({
  ok: z.boolean(),
  source_kind: z.enum(SOURCE_KINDS).nullable(),
  codec: z.string().nullable(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  fps: z.number().nullable(),
  audio: z.string().nullable(),
  error: z.string().nullable(),
});

export const camerasContract = {
  'cameras.list': op({
    method: 'GET',
    path: '/api/cameras',
    tag: 'cameras',
    doc: 'List all cameras with derived status; URLs are masked.',
    input: z.object({}),
    output: z.array(cameraSchema),
  }),
  'cameras.create': op({
    method: 'POST',
    path: '/api/cameras',
    tag: 'cameras',
    status: 201,
    doc: 'Create a camera; its worker starts immediately when enabled. Credentials are encrypted at rest.',
    input: cameraCreateSchema,
    output: cameraSchema,
  }),
  'cameras.detectClasses': op({
    method: 'GET',
    path: '/api/cameras/detect/classes',
    tag: 'cameras',
    doc: "The detector's 80 COCO classes and the default trigger set.",
    input: z.object({}),
    output: z.object({ classes: z.array(z.string()), default: z.array(z.string()) }),
  }),
  'cameras.probe': op({
    method: 'POST',
    path: '/api/cameras/probe',
    tag: 'cameras',
    doc: 'Test a source without saving it: codec, resolution and fps, or the exact error. Pass camera_id with a masked URL to test stored credentials.',
    input: z
      .object({
        rtsp_url: z.string().trim().max(2048).optional(),
        camera_id: z.number().int().positive().optional(),
        source_kind: z.enum(SOURCE_KINDS).optional(),
        rtsp_transport: z.enum(['tcp', 'udp']).optional(),
        ...credentialFields,
      })
      .strict(),
    output: probeResultSchema,
  }),
  'cameras.get': op({
    method: 'GET',
    path: '/api/cameras/{id}',
    tag: 'cameras',
    doc: 'Fetch one camera.',
    input: z.object({ id }),
    output: cameraSchema,
  }),
  'cameras.update': op({
    method: 'PUT',
    path: '/api/cameras/{id}',
    tag: 'cameras',
    doc: 'Partial update. Enabling starts the worker, disabling stops it, URL or tuning changes restart it; a new URL purges the camera history.',
    input: cameraUpdateSchema,
    output: cameraSchema,
  }),
  'cameras.delete': op({
    method: 'DELETE',
    path: '/api/cameras/{id}',
    tag: 'cameras',
    status: 204,
    doc: 'Delete the camera and everything derived from it: worker, HLS session, segments, clips, thumbnails and rows.',
    input: z.object({ id }),
    output: z.void(),
  }),
  'cameras.status': op({
    method: 'GET',
    path: '/api/cameras/{id}/status',
    tag: 'cameras',
    doc: 'Live status from the worker heartbeat: offline when disabled or stale, error when the worker failed.',
    input: z.object({ id }),
    output: cameraStatusSchema,
  }),
  'live.recordStart': op({
    method: 'POST',
    path: '/api/live/{id}/record/start',
    tag: 'live',
    doc: 'Begin a manual recording; returns a server-trusted started_at to echo back to record/stop (stateless).',
    input: z.object({ id }),
    output: z.object({ started_at: z.string() }),
  }),
  'live.recordStop': op({
    method: 'POST',
    path: '/api/live/{id}/record/stop',
    tag: 'live',
    doc: 'Finish a manual recording: assembles [started_at, now] with ~1 s pre/post-roll from the segment buffer and persists a manual event. Invalid started_at gives 400.',
    input: z.object({ id, started_at: z.unknown().optional() }),
    output: z.object({ event_id: z.number().int(), clip: z.string(), duration: z.number() }),
  }),
};
