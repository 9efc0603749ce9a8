// The persisted settings: one zod schema gives defaults, validation and the OpenAPI shape.
import { z } from 'zod';

/** Headers every HTTP client sends on its own: trusting one of them as the SSO identity would authenticate anybody. */
const STANDARD_HEADERS = new Set(['host', 'user-agent', 'accept', 'accept-language', 'accept-encoding', 'connection', 'cookie', 'authorization', 'content-type', 'content-length', 'origin', 'referer', 'cache-control', 'pragma', 'te', 'upgrade', 'dnt']);

export const settingsSchema = z.object({
  auth_required: z.boolean().default(true).describe('Require a credential on every /api route (Iris semantics).'),
  sso_email_header: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/)
    .refine((h) => !STANDARD_HEADERS.has(h.toLowerCase()), 'A standard request header (sent by every client) cannot carry the SSO identity')
    .nullable()
    .default(null)
    .describe('Trusted SSO header carrying the user e-mail; honoured only while bound to loopback.'),
  sso_user_header: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/)
    .refine((h) => !STANDARD_HEADERS.has(h.toLowerCase()), 'A standard request header (sent by every client) cannot carry the SSO identity')
    .nullable()
    .default(null),
  status_stale_seconds: z.number().int().min(2).max(3600).default(30),
  live_mjpeg_fps: z.number().int().min(1).max(60).default(10),
  hls_enabled: z.boolean().default(true),
  hls_max_sessions: z.number().int().min(0).max(64).default(4),
  hls_idle_seconds: z.number().int().min(5).max(86_400).default(300).describe('A live HLS session stops after this long without a playlist or segment request.'),
  segment_seconds: z.number().int().min(1).max(60).default(4),
  segment_retention_seconds: z.number().int().min(30).max(86_400).default(900),
  analysis_fps: z.number().min(0.2).max(30).default(2),
  analysis_max_fps: z.number().min(1).max(240).default(40).describe('Frames analysed per second across all cameras (motion and detection); newer frames replace older ones beyond it.'),
  face_detector_model: z.string().min(1).max(120).nullable().default('blazeface-back-256').describe('Manifest name of the face detector; null turns face capture and enrolment off.'),
  face_embedder_model: z.string().min(1).max(120).nullable().default('dlib-resnet-face-128').describe('Manifest name of the face embedding model (its dimension comes from its manifest).'),
  face_min_quality: z.number().min(0).max(1).default(0.35).describe('Faces below this quality (size, sharpness, detector score, pose) are not embedded or stored.'),
  face_match_threshold: z.number().min(0).max(1).nullable().default(null).describe("Least weighted cosine similarity for a track to be named as an enrolled person; null uses the embedding model's measured threshold (0.91 for dlib 128-d)."),
  face_min_faces: z.number().int().min(1).max(50).default(2).describe('Faces of a track that must agree before it is named.'),
  identity_undo_hours: z.number().min(0).max(720).default(24).describe('Hours an identity merge, split, rename or delete can be undone; a delete keeps its files (in <data>/trash) until then.'),
  stream_correlation_ms: z.number().int().min(0).max(10_000).default(0).describe('Push streams sharing a group_id: frames within this many ms make one decision (0: one decision per frame, as the reference does today).'),
  detector_model: z.string().min(1).max(120).nullable().default('nanodet-m-416-coco').describe('Manifest name of the object detector (resources/models or <data>/models); null turns detection off everywhere.'),
  analysis_width: z.number().int().min(64).max(1920).default(320),
  retention_max_days: z.number().min(0.01).max(3650).nullable().default(30),
  retention_max_gb: z.number().min(0.01).nullable().default(null),
  retention_max_percent: z.number().min(1).max(99).default(85),
  exports_max_gb: z.number().min(0.01).nullable().default(20).describe('Exports beyond this total size are removed oldest first (null: no size cap).'),
  exports_max_days: z.number().min(0.01).max(3650).nullable().default(14).describe('Exports older than this are removed (null: kept until space is needed).'),
  ui_grid_layout: z.enum(['1', '2x2', '3x3', '4x4', 'auto']).default('auto'),
  ui_tile_order: z.array(z.number().int()).max(1000).default([]),
});

export type Settings = z.output<typeof settingsSchema>;
/**
 * A partial update: every key optional and WITHOUT its default. (zod 4 keeps `.default()` through `.partial()`, so a
 * patch naming one key used to reset every other setting to its default.)
 */
export const settingsPatchSchema = z
  .object(
    Object.fromEntries(
      Object.entries(settingsSchema.shape).map(([k, field]) => {
        const inner = field instanceof z.ZodDefault ? (field.unwrap() as z.ZodType) : (field as z.ZodType);
        return [k, (field.description ? inner.describe(field.description) : inner).optional()];
      }),
    ) as { [K in keyof typeof settingsSchema.shape]: z.ZodOptional<z.ZodType<z.output<(typeof settingsSchema.shape)[K]>, z.input<(typeof settingsSchema.shape)[K]>>> },
  )
  .strict();
export type SettingsPatch = z.input<typeof settingsPatchSchema>;
/** Settings whose change can delete recordings: such a change needs `confirm: true` once its preview has been seen. */
export const RETENTION_SETTINGS = ['retention_max_days', 'retention_max_gb', 'retention_max_percent'] as const;
export const settingsUpdateSchema = settingsPatchSchema.extend({
  confirm: z.boolean().optional().describe('Apply a retention change that deletes recordings (answered 409 with a preview without it).'),
});
export const defaultSettings = (): Settings => settingsSchema.parse({});
