// The persisted settings: one zod schema gives defaults, validation and the OpenAPI shape.
import { z } from 'zod';

/** Headers every HTTP client sends on its own: trusting one of them as the SSO identity would authenticate anybody. */
const STANDARD_HEADERS = new Set(['host', 'user-agent', 'accept', 'accept-language', 'accept-encoding', 'connection', 'cookie', 'authorization', 'content-type', 'content-length', 'origin', 'referer', 'cache-control', 'pragma', 'te', 'upgrade', 'dnt']);

/** mqtt:// or mqtts://, a host name, IPv4 or [IPv6], an optional port: no userinfo, path or query. */
const MQTT_URL = /^mqtts?:\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?\/?$/;
export const TIMELAPSE_RESOLUTIONS = ['original', '640:480', '320:240'] as const;
export type TimelapseResolution = (typeof TIMELAPSE_RESOLUTIONS)[number];

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
  mqtt_url: z
    .string()
    .trim()
    .max(512)
    .regex(MQTT_URL, 'mqtt://host[:port] or mqtts://host[:port], without credentials (use mqtt_username and mqtt_password)')
    .or(z.literal(''))
    .default('')
    .describe('MQTT broker (mqtt:// or mqtts://host:port); empty turns MQTT off. Credentials go in mqtt_username/mqtt_password, never in the URL.'),
  mqtt_username: z.string().min(1).max(256).nullable().default(null).describe('MQTT broker user name (null: anonymous).'),
  mqtt_topic_prefix: z
    .string()
    .regex(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, 'Letters, digits, _ and -, levels separated by /; no wildcards')
    .max(64)
    .default('vigil')
    .describe("First topic level of everything Vigil publishes and listens to (Frigate's topic_prefix)."),
  mqtt_qos: z.union([z.literal(0), z.literal(1), z.literal(2)]).default(0).describe('QoS of published messages and subscriptions.'),
  mqtt_tls_verify: z.boolean().default(true).describe("For mqtts://: verify the broker's certificate (off only for a self-signed broker on a trusted network)."),
  timelapse_enabled: z.boolean().default(false).describe('Capture a timelapse frame of every enabled camera each timelapse_interval_minutes, stitched per day.'),
  timelapse_interval_minutes: z.number().int().min(1).max(60).default(5),
  timelapse_fps: z.number().int().min(1).max(60).default(24).describe('Playback frame rate of the stitched timelapse videos.'),
  timelapse_resolution: z.enum(TIMELAPSE_RESOLUTIONS).default('640:480').describe('original keeps the camera size; 640:480 and 320:240 scale to exactly that.'),
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
/** Settings whose value is a secret: written through settings.update, sealed in the secrets table, never returned. */
export const secretSettingsSchema = z
  .object({
    mqtt_password: z.string().max(256).nullable().optional().describe('Write-only MQTT broker password, stored encrypted and never returned; null or "" clears it.'),
  })
  .strict();
export type SecretSettingsPatch = z.input<typeof secretSettingsSchema>;
export const settingsUpdateSchema = settingsPatchSchema.extend({
  ...secretSettingsSchema.shape,
  mqtt_password_set: z.boolean().optional().describe('Read-only and ignored, so a settings object read with GET can be sent back whole.'),
  confirm: z.boolean().optional().describe('Apply a retention change that deletes recordings (answered 409 with a preview without it).'),
});
/** What settings.get answers: the settings plus whether each write-only secret is set. */
export const settingsViewSchema = settingsSchema.extend({
  mqtt_password_set: z.boolean().describe('True when an MQTT password is stored (the password itself is never returned).'),
});
export type SettingsView = z.output<typeof settingsViewSchema>;
export const defaultSettings = (): Settings => settingsSchema.parse({});
