// Events (Iris /api/events) plus Vigil's recordings, export and storage operations; clip/thumbnail/sprite/VOD are raw routes.
import { z } from 'zod';
import { op } from './define';
import { zId, zTimeMs } from '../time';

const id = zId;
const optId = zId.optional();

export const EVENT_SOURCES = ['motion', 'manual', 'detection'] as const;

export const boxSchema = z.object({
  label: z.string(),
  score: z.number(),
  /** Normalised 0–1: x, y, w, h. */
  box: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  /** The tracked object this box belongs to (detection events). */
  track_id: z.number().int().optional(),
});

/** One object a detection event saw, followed by the tracker across frames. */
export const eventObjectSchema = z.object({
  track_id: z.number().int(),
  label: z.string(),
  best_score: z.number(),
  first_seen: z.string(),
  last_seen: z.string(),
  /** Normalised [x, y, w, h] at its best score. */
  box: z.tuple([z.number(), z.number(), z.number(), z.number()]),
});

export type EventObjectDto = z.output<typeof eventObjectSchema>;

export const eventSchema = z.object({
  id: z.number().int(),
  camera_id: z.number().int().nullable(),
  camera_name: z.string().nullable(),
  label: z.string(),
  source: z.enum(EVENT_SOURCES),
  score: z.number().nullable(),
  started_at: z.string(),
  ended_at: z.string().nullable(),
  /** Recording window including pre/post-roll. */
  window_start: z.string(),
  window_end: z.string().nullable(),
  duration: z.number().describe('Seconds from started_at to ended_at (or now while open).'),
  open: z.boolean(),
  retain: z.boolean().describe('Protected: retention never deletes its segments.'),
  person_id: z.number().int().nullable(),
  person_name: z.string().nullable(),
  identity_id: z.number().int().nullable(),
  boxes: z.array(boxSchema),
  objects: z.array(eventObjectSchema).describe('Every object seen during the event (detection events); empty for motion and manual ones.'),
  clip_url: z.string().nullable(),
  thumbnail_url: z.string().nullable(),
  sprite_url: z.string().nullable(),
  created_at: z.string(),
});
export type EventDto = z.output<typeof eventSchema>;

export const eventListSchema = z.object({ total: z.number().int(), items: z.array(eventSchema) });

const spanSchema = z.tuple([z.number(), z.number()]).describe('[start_ms, end_ms]');

export const exportStatusSchema = z.object({
  export_id: z.string(),
  camera_id: z.number().int(),
  from: z.number(),
  to: z.number(),
  state: z.enum(['queued', 'running', 'done', 'error']),
  percent: z.number(),
  detail: z.string().nullable(),
  file_url: z.string().nullable(),
  manifest: z
    .object({
      camera_id: z.number().int(),
      from: z.string(),
      to: z.string(),
      segments: z.array(z.object({ path: z.string(), start: z.string(), end: z.string(), sha256: z.string(), bytes: z.number() })),
    })
    .nullable(),
  bytes: z.number().nullable().describe('Size of the finished MP4.'),
  created_at: z.string().nullable(),
});

export const storageSchema = z.object({
  total: z.object({ used_bytes: z.number(), free_bytes: z.number(), percent: z.number(), recordings_bytes: z.number(), exports_bytes: z.number(), forecast_days: z.number().nullable() }),
  exports: z.object({ count: z.number().int(), bytes: z.number(), max_gb: z.number().nullable(), max_days: z.number().nullable() }),
  cameras: z.array(
    z.object({
      camera_id: z.number().int(),
      camera_name: z.string(),
      bytes: z.number(),
      segments: z.number().int(),
      oldest: z.string().nullable(),
      newest: z.string().nullable(),
      bitrate_bps: z.number(),
      forecast_days: z.number().nullable(),
    }),
  ),
  policy: z.object({ max_days: z.number().nullable(), max_gb: z.number().nullable(), max_percent: z.number() }),
});

export const eventsContract = {
  'events.list': op({
    method: 'GET',
    path: '/api/events',
    tag: 'events',
    doc: 'List/filter events newest-first: camera_id, person_id, identity_id (Vigil: events any sighting of that identity belongs to), from (inclusive), to (exclusive), label, limit 1–500 (50), offset.',
    input: z.object({
      camera_id: optId,
      person_id: optId,
      identity_id: optId,
      from: zTimeMs.optional(),
      to: zTimeMs.optional(),
      label: z.string().max(100).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(50),
      offset: z.coerce.number().int().min(0).default(0),
    }),
    output: eventListSchema,
  }),
  'events.get': op({
    method: 'GET',
    path: '/api/events/{id}',
    tag: 'events',
    doc: 'Full event detail.',
    input: z.object({ id }),
    output: eventSchema,
  }),
  'events.update': op({
    method: 'PUT',
    path: '/api/events/{id}',
    tag: 'events',
    doc: 'Protect or unprotect an event (retain); protected events keep their segments through retention.',
    input: z.object({ id, retain: z.boolean() }).strict(),
    output: eventSchema,
  }),
  'events.delete': op({
    method: 'DELETE',
    path: '/api/events/{id}',
    tag: 'events',
    status: 204,
    doc: 'Delete the event row and its clip, thumbnail and sprite files.',
    input: z.object({ id }),
    output: z.void(),
  }),
  'events.bulkDelete': op({
    method: 'POST',
    path: '/api/events/bulk-delete',
    tag: 'events',
    doc: 'Delete the given event ids (+ files); at most 1000.',
    input: z.object({ ids: z.array(z.number().int().positive()).max(1000) }).strict(),
    output: z.object({ deleted: z.number().int() }),
  }),
  'events.clearAll': op({
    method: 'POST',
    path: '/api/events/clear-all',
    tag: 'events',
    doc: 'Delete ALL events, optionally for one camera/label; requires confirm=true (400 otherwise); deletes in chunks of 200.',
    input: z.object({ confirm: z.boolean().optional(), camera_id: z.number().int().positive().optional(), label: z.string().max(100).optional() }).strict(),
    output: z.object({ deleted: z.number().int() }),
  }),
  'recordings.coverage': op({
    method: 'GET',
    path: '/api/recordings/coverage',
    tag: 'recordings',
    doc: 'Recorded coverage per camera as merged [start_ms, end_ms] spans for a time range (all cameras when camera_id is omitted).',
    input: z.object({ camera_id: optId, from: zTimeMs, to: zTimeMs, min_gap_ms: z.coerce.number().int().min(0).max(3_600_000).default(2000) }),
    output: z.object({ from: z.number(), to: z.number(), cameras: z.array(z.object({ camera_id: z.number().int(), spans: z.array(spanSchema) })) }),
  }),
  'recordings.activity': op({
    method: 'GET',
    path: '/api/recordings/activity',
    tag: 'recordings',
    doc: 'Activity histogram: motion and event density per bucket for a time range.',
    input: z.object({ camera_id: optId, from: zTimeMs, to: zTimeMs, buckets: z.coerce.number().int().min(1).max(2000).default(200) }),
    output: z.object({
      from: z.number(),
      to: z.number(),
      bucket_ms: z.number(),
      cameras: z.array(z.object({ camera_id: z.number().int(), motion: z.array(z.number()), events: z.array(z.number()) })),
    }),
  }),
  'recordings.export': op({
    method: 'POST',
    path: '/api/recordings/export',
    tag: 'recordings',
    status: 202,
    doc: 'Export a range of one camera to a single MP4 (codec copy) with a SHA-256 manifest of its source segments; progress is pushed as export.progress.',
    input: z.object({ camera_id: z.number().int().positive(), from: zTimeMs, to: zTimeMs }).strict(),
    output: exportStatusSchema,
  }),
  'recordings.exportStatus': op({
    method: 'GET',
    path: '/api/recordings/exports/{export_id}',
    tag: 'recordings',
    doc: 'State of an export, with its download URL and manifest when done.',
    input: z.object({ export_id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) }),
    output: exportStatusSchema,
  }),
  'recordings.exports': op({
    method: 'GET',
    path: '/api/recordings/exports',
    tag: 'recordings',
    doc: 'Exports newest first (optionally one camera), with size, state and download URL; limit 1–500 (50), offset.',
    input: z.object({ camera_id: optId, limit: z.coerce.number().int().min(1).max(500).default(50), offset: z.coerce.number().int().min(0).default(0) }),
    output: z.object({ total: z.number().int(), items: z.array(exportStatusSchema) }),
  }),
  'recordings.deleteExport': op({
    method: 'DELETE',
    path: '/api/recordings/exports/{export_id}',
    tag: 'recordings',
    status: 204,
    doc: 'Delete an export and its files (a queued one is dropped before it runs; 409 while it runs).',
    input: z.object({ export_id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) }),
    output: z.void(),
  }),
  'storage.status': op({
    method: 'GET',
    path: '/api/storage',
    tag: 'storage',
    doc: 'Storage used/free per camera and in total, with a forecast of how many days fit at the current bitrate.',
    input: z.object({}),
    output: storageSchema,
  }),
  'storage.cleanup': op({
    method: 'POST',
    path: '/api/storage/cleanup',
    tag: 'storage',
    doc: 'Run the retention plan now: exports past their own limits (and, when the disk is over its limit, before any recording) go first; protected and open events keep their segments.',
    input: z.object({}).strict(),
    output: z.object({ deleted_segments: z.number().int(), deleted_exports: z.number().int(), freed_bytes: z.number() }),
  }),
};
