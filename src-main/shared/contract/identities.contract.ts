// Identities (Iris /api/identities): cross-camera people and objects, their sightings with link evidence, merge/split and Vigil's undo.
import { z } from 'zod';
import { op } from './define';
import { zId } from '../time';
import { eventListSchema } from './events.contract';

const id = zId;
const ids = z.array(z.number().int().positive());
/** A boolean in a query string: true/false/1/0 (z.coerce.boolean would read "false" as true). */
const queryBool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((s) => s === 'true' || s === '1')]);
const objectClass = z.string().trim().min(1).max(50);

/** How a sighting joined its identity (services/identities/identity-model.ts LINK_KINDS). */
export const IDENTITY_LINK_KINDS = ['face', 'appearance', 'manual', 'new'] as const;

export const cameraRefSchema = z.object({ id: z.number().int(), name: z.string().nullable() });

export const identityItemSchema = z.object({
  id: z.number().int(),
  name: z.string().nullable(),
  is_named: z.boolean().describe('Named or confirmed by an operator: maintenance never auto-merges it.'),
  object_class: z.string().describe('Detector class: person, car, dog…'),
  color: z.string().nullable().describe('Vehicles: dominant colour name of the best crop.'),
  color_hex: z.string().nullable(),
  make: z.string().nullable().describe('Null until a model provides it.'),
  vehicle_type: z.string().nullable().describe('Null until a model provides it.'),
  total_seconds: z.number().describe('Sum of its sightings’ durations.'),
  num_sightings: z.number().int(),
  first_seen: z.string().nullable(),
  last_seen: z.string().nullable(),
  cameras: z.array(cameraRefSchema).describe('Cameras it was seen on, by id.'),
  rep_thumb_url: z.string().nullable().describe('Representative body crop (its best-scored sighting with a crop).'),
  face_thumb_url: z.string().nullable().describe('Its best-quality captured face.'),
  rep_sighting_id: z.number().int().nullable(),
  face_sample_id: z.number().int().nullable(),
  person_id: z.number().int().nullable().describe('The enrolled person its newest recognised sighting was named as.'),
  created_at: z.string(),
});
export type IdentityItemDto = z.output<typeof identityItemSchema>;

export const identitySchema = identityItemSchema.extend({
  notes: z.string().nullable(),
  num_face_exemplars: z.number().int(),
  num_appearance_exemplars: z.number().int(),
});
export type IdentityDto = z.output<typeof identitySchema>;

export const linkEvidenceSchema = z.object({
  kind: z.enum(IDENTITY_LINK_KINDS).describe('face, appearance, manual (an operator moved it) or new (it started this identity).'),
  score: z.number().nullable().describe('The similarity that decided it.'),
  face_score: z.number().nullable(),
  appearance_score: z.number().nullable(),
  matched_sighting_id: z.number().int().nullable().describe('The sighting of the identity it matched best.'),
  matched: z
    .object({ sighting_id: z.number().int(), identity_id: z.number().int(), camera_id: z.number().int(), camera_name: z.string().nullable(), started_at: z.string(), ended_at: z.string() })
    .nullable()
    .describe('That sighting as it is now (null once deleted).'),
  gap_s: z.number().nullable().describe('Seconds from the matched sighting’s end to this one’s start (negative: overlapping).'),
  detail: z.string().describe('One line an operator reads, e.g. "face 0.93 to the sighting at 14:02 on Gate".'),
});

export const sightingSchema = z.object({
  id: z.number().int(),
  identity_id: z.number().int(),
  camera_id: z.number().int(),
  camera_name: z.string().nullable(),
  event_id: z.number().int().nullable(),
  track_id: z.number().int().nullable(),
  object_class: z.string(),
  started_at: z.string(),
  ended_at: z.string(),
  duration_s: z.number(),
  best_at: z.string().describe('Time of the best detection (where the crop comes from).'),
  best_score: z.number(),
  box: z.tuple([z.number(), z.number(), z.number(), z.number()]).describe('Normalised [x, y, w, h] of the best detection.'),
  thumb_url: z.string().nullable(),
  person_id: z.number().int().nullable(),
  person_name: z.string().nullable(),
  color: z.string().nullable(),
  color_hex: z.string().nullable(),
  face_sample_ids: z.array(z.number().int()).describe('Face samples captured on its track.'),
  has_face: z.boolean(),
  has_appearance: z.boolean(),
  link: linkEvidenceSchema,
});
export type SightingDto = z.output<typeof sightingSchema>;

export const identityDetailSchema = identitySchema.extend({ sightings: z.array(sightingSchema).describe('The newest `recent` sightings.') });

export const identityFaceSchema = z.object({
  sample_id: z.number().int(),
  sighting_id: z.number().int(),
  camera_id: z.number().int(),
  camera_name: z.string().nullable(),
  ts: z.string(),
  quality: z.number(),
  label: z.string().nullable(),
  person_id: z.number().int().nullable(),
  person_name: z.string().nullable(),
  thumb_url: z.string().nullable(),
});

export const identityOpResultSchema = z.object({
  ok: z.boolean(),
  target_id: z.number().int().nullable().describe('Merge: the target. Split: the new identity.'),
  affected_ids: z.array(z.number().int()),
  moved_sightings: z.number().int(),
  detail: z.string(),
  operation_id: z.number().int().nullable().describe('Vigil: the logged operation (POST /api/identities/undo takes it).'),
});
export type IdentityOpResultDto = z.output<typeof identityOpResultSchema>;

export const OPERATION_KINDS = ['merge', 'split', 'rename', 'delete', 'not_same'] as const;

export const operationSchema = z.object({
  id: z.number().int(),
  kind: z.enum(OPERATION_KINDS),
  batch_id: z.number().int().nullable().describe('Operations of one request (a bulk delete logged in chunks) share it; undo takes the whole batch.'),
  created_at: z.string(),
  expires_at: z.string().describe('End of the undo window (settings.identity_undo_hours); a delete keeps its files until then.'),
  undone: z.boolean(),
  undone_at: z.string().nullable(),
  identity_ids: z.array(z.number().int()),
  detail: z.string(),
  can_undo: z.boolean(),
});

export const undoResultSchema = z.object({
  ok: z.boolean(),
  operation_id: z.number().int(),
  kind: z.enum(OPERATION_KINDS),
  undone_ids: z.array(z.number().int()).describe('Every operation undone (a batch is undone whole).'),
  affected_ids: z.array(z.number().int()),
  detail: z.string(),
});

const bySummary = z.object({
  total: z.number().int(),
  named: z.number().int(),
  unnamed: z.number().int(),
  created_today: z.number().int(),
  seen_today: z.number().int(),
  seen_7d: z.number().int(),
  total_sightings: z.number().int(),
});

export const analyticsSchema = z.object({
  object_class: z.string(),
  summary: bySummary,
  by_camera: z.array(
    z.object({
      camera_id: z.number().int(),
      camera_name: z.string().nullable(),
      sightings: z.number().int(),
      identities: z.number().int().describe('Distinct identities seen there.'),
      avg_dwell_s: z.number().nullable().describe('Mean length of its presence segments (sightings on the camera within 60 s join).'),
    }),
  ),
  by_hour: z.array(z.object({ hour: z.string(), sightings: z.number().int(), identities: z.number().int() })).describe('The last 24 hours, oldest first, one entry per hour.'),
  by_match_kind: z.object({ face: z.number().int(), appearance: z.number().int(), manual: z.number().int(), new: z.number().int() }),
});
export type AnalyticsDto = z.output<typeof analyticsSchema>;

const page = { limit: z.coerce.number().int().min(1).max(500).default(50), offset: z.coerce.number().int().min(0).default(0) };

export const identitiesContract = {
  'identities.list': op({
    method: 'GET',
    path: '/api/identities',
    tag: 'identities',
    doc: 'List identities, most recently seen first: named_only, min_sightings (hide sparse/provisional ones), object_class, limit 1–500 (100), offset.',
    input: z.object({
      named_only: queryBool.optional(),
      min_sightings: z.coerce.number().int().min(0).max(1_000_000).optional(),
      object_class: objectClass.optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
      offset: z.coerce.number().int().min(0).default(0),
    }),
    output: z.object({ total: z.number().int(), items: z.array(identityItemSchema) }),
  }),
  'identities.analytics': op({
    method: 'GET',
    path: '/api/identities/analytics',
    tag: 'identities',
    doc: 'Aggregates for the analytics dashboard, for one object_class (default person): summary, by_camera (with average dwell from presence segments), by_hour (last 24 h), by_match_kind.',
    input: z.object({ object_class: objectClass.default('person') }),
    output: analyticsSchema,
  }),
  'identities.operations': op({
    method: 'GET',
    path: '/api/identities/operations',
    tag: 'identities',
    doc: 'Vigil: the undo log, newest first — every merge, split, rename, delete and not-same mark, and whether it can still be undone.',
    input: z.object(page),
    output: z.object({ total: z.number().int(), items: z.array(operationSchema) }),
  }),
  'identities.undo': op({
    method: 'POST',
    path: '/api/identities/undo',
    tag: 'identities',
    doc: 'Vigil: undo an operation (the newest one when operation_id is omitted) within the undo window: the exact previous rows, event links and files come back. 404 unknown or nothing to undo, 409 already undone or a later operation on the same identities must be undone first, 410 expired.',
    input: z.object({ operation_id: z.number().int().positive().optional() }).strict(),
    output: undoResultSchema,
  }),
  'identities.get': op({
    method: 'GET',
    path: '/api/identities/{id}',
    tag: 'identities',
    doc: 'One identity with its `recent` (0–200, default 24) newest sightings inline, notes and exemplar counts.',
    input: z.object({ id, recent: z.coerce.number().int().min(0).max(200).default(24) }),
    output: identityDetailSchema,
  }),
  'identities.sightings': op({
    method: 'GET',
    path: '/api/identities/{id}/sightings',
    tag: 'identities',
    doc: 'Its sightings across cameras and time, newest first (limit 1–500, default 50), each with the evidence of its link.',
    input: z.object({ id, ...page }),
    output: z.object({ total: z.number().int(), items: z.array(sightingSchema) }),
  }),
  'identities.events': op({
    method: 'GET',
    path: '/api/identities/{id}/events',
    tag: 'identities',
    doc: 'Recorded events this identity appears in (through its sightings or its link), newest first.',
    input: z.object({ id, ...page }),
    output: eventListSchema,
  }),
  'identities.faces': op({
    method: 'GET',
    path: '/api/identities/{id}/faces',
    tag: 'identities',
    doc: 'Face samples captured on its sightings, newest first; thumbnails at /api/face-groups/samples/{id}/thumbnail.',
    input: z.object({ id, ...page }),
    output: z.object({ total: z.number().int(), items: z.array(identityFaceSchema) }),
  }),
  'identities.update': op({
    method: 'PUT',
    path: '/api/identities/{id}',
    tag: 'identities',
    doc: 'Rename / annotate / confirm: {name?, notes?, is_named?}. A non-null name sets is_named (unless is_named is given); logged for undo.',
    input: z.object({ id, name: z.string().trim().min(1).max(200).nullable().optional(), notes: z.string().max(4000).nullable().optional(), is_named: z.boolean().optional() }).strict(),
    output: identitySchema,
  }),
  'identities.merge': op({
    method: 'POST',
    path: '/api/identities/merge',
    tag: 'identities',
    doc: 'Merge source_ids (1–1000; the target itself is dropped) into target_id: sightings, exemplars, presence and event links move; a named source’s name goes to an unnamed target; counters are recomputed; logged for undo.',
    input: z.object({ target_id: z.number().int().positive(), source_ids: ids.min(1).max(1000) }).strict(),
    output: identityOpResultSchema,
  }),
  'identities.split': op({
    method: 'POST',
    path: '/api/identities/{id}/split',
    tag: 'identities',
    doc: 'Split sightings off into a new identity: explicit sighting_ids, or auto=true to re-cluster into two (face first, then appearance). Neither: 400. The halves are remembered as never-together; logged for undo.',
    input: z.object({ id, sighting_ids: ids.max(10_000).optional(), auto: z.boolean().optional(), new_name: z.string().trim().min(1).max(200).nullable().optional() }).strict(),
    output: identityOpResultSchema,
  }),
  'identities.notSame': op({
    method: 'POST',
    path: '/api/identities/{id}/not-same',
    tag: 'identities',
    doc: 'Vigil: mark two sightings (at least one of this identity) as not the same person; linking and maintenance never join them again. Logged for undo.',
    input: z.object({ id, sighting_ids: z.tuple([z.number().int().positive(), z.number().int().positive()]) }).strict(),
    output: z.object({ ok: z.boolean(), added: z.boolean(), operation_id: z.number().int().nullable() }),
  }),
  'identities.delete': op({
    method: 'DELETE',
    path: '/api/identities/{id}',
    tag: 'identities',
    status: 204,
    doc: 'Recursive delete: sightings, exemplars, presence, its crops and the face samples of its sightings; an event whose subjects are all deleted goes with its clip and thumbnail, a shared one only loses the link. Files stay in the trash for the undo window.',
    input: z.object({ id }),
    output: z.void(),
  }),
  'identities.bulkDelete': op({
    method: 'POST',
    path: '/api/identities/bulk-delete',
    tag: 'identities',
    doc: 'Delete the given identities (at most 1000) like DELETE /api/identities/{id}; undone together.',
    input: z.object({ ids: ids.max(1000) }).strict(),
    output: z.object({ deleted: z.number().int(), operation_id: z.number().int().nullable() }),
  }),
  'identities.clearAll': op({
    method: 'POST',
    path: '/api/identities/clear-all',
    tag: 'identities',
    doc: 'Delete ALL identities (optionally one object_class) like DELETE /api/identities/{id}; requires confirm=true (400 otherwise); chunks of 200, undone together.',
    input: z.object({ confirm: z.boolean().optional(), object_class: objectClass.optional() }).strict(),
    output: z.object({ deleted: z.number().int(), operation_id: z.number().int().nullable() }),
  }),
};
