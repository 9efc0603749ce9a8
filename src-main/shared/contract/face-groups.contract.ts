// Face groups (Iris /api/face-groups) plus Vigil's search over every captured face and "this is not X" feedback.
import { z } from 'zod';
import { op } from './define';
import { zId, zTimeMs } from '../time';
import { eventListSchema } from './events.contract';

const id = zId;
const sampleIds = z.array(z.number().int().positive()).min(1).max(2000);
const unit = z.coerce.number().min(0).max(1);

export const groupMemberSchema = z.object({
  sample_id: z.number().int(),
  camera_id: z.number().int(),
  ts: z.string(),
  quality: z.number(),
  label: z.string().nullable(),
  thumb_url: z.string(),
});

export const faceGroupSchema = z.object({
  group_id: z.number().int().describe('Stable id: the representative (best-quality) sample of the group.'),
  size: z.number().int(),
  label: z.string().nullable().describe('The most common label among the members (null when none is labelled).'),
  person_id: z.number().int().nullable().describe('The person most members are recognised as, if any.'),
  cameras: z.array(z.object({ id: z.number().int(), name: z.string().nullable() })),
  first_seen: z.string(),
  last_seen: z.string(),
  rep_thumb_url: z.string(),
  member_thumbs: z.array(z.string()).describe('Thumbnails of up to max_members members, best quality first.'),
  members: z.array(groupMemberSchema),
  sample_ids: z.array(z.number().int()).describe('Every member, for enroll/label/clips.'),
});

export const faceGroupsSettingsSchema = z.object({
  face_threshold: z.number(),
  clothing_weight: z.number(),
  min_size: z.number().int(),
  max_members: z.number().int(),
  max_samples: z.number().int(),
  model: z.string().nullable(),
});

export const faceSearchHitSchema = z.object({
  sample_id: z.number().int(),
  similarity: z.number(),
  camera_id: z.number().int(),
  camera_name: z.string().nullable(),
  ts: z.string(),
  track_id: z.number().int().nullable(),
  event_id: z.number().int().nullable(),
  person_id: z.number().int().nullable(),
  person_name: z.string().nullable(),
  label: z.string().nullable(),
  quality: z.number(),
  thumb_url: z.string(),
});

export const faceSearchResultSchema = z.object({
  total: z.number().int().describe('Matches at or above min_similarity among the nearest 1000.'),
  items: z.array(faceSearchHitSchema),
  query: z.object({
    kind: z.enum(['sample', 'person', 'photo']),
    sample_id: z.number().int().nullable(),
    person_id: z.number().int().nullable(),
    faces_detected: z.number().int().nullable(),
  }),
  people: z.array(z.object({ person_id: z.number().int(), name: z.string(), score: z.number() })).describe('Enrolled people the query face matches best (empty for a person query).'),
});
export type FaceSearchResultDto = z.output<typeof faceSearchResultSchema>;

export const faceSearchInput = z
  .object({
    sample_id: z.number().int().positive().optional(),
    person_id: z.number().int().positive().optional(),
    min_similarity: z.number().min(-1).max(1).optional().describe("Default: the embedding model's vote floor, a little below its match threshold."),
    camera_id: z.number().int().positive().optional(),
    from: zTimeMs.optional(),
    to: zTimeMs.optional(),
    limit: z.number().int().min(1).max(200).default(50),
    offset: z.number().int().min(0).max(1000).default(0),
  })
  .strict()
  .refine((i) => (i.sample_id === undefined) !== (i.person_id === undefined), { message: 'Give exactly one of sample_id or person_id (or upload a photo to /api/faces/search/photo).' });

/** Query of the photo variant (POST /api/faces/search/photo, multipart `file`). */
export const faceSearchPhotoQuery = z
  .object({
    min_similarity: z.coerce.number().min(-1).max(1).optional(),
    camera_id: zId.optional(),
    from: zTimeMs.optional(),
    to: zTimeMs.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    offset: z.coerce.number().int().min(0).max(1000).default(0),
  })
  .strict();

export const faceGroupsContract = {
  'faceGroups.list': op({
    method: 'GET',
    path: '/api/face-groups',
    tag: 'face-groups',
    doc: "Cluster the newest max_samples (≤2000) captured faces into same-person groups, largest first; face_threshold is the least cosine to link (default: the embedding model's match threshold — cosine scales differ per model — or 0.5 without one), clothing_weight blends clothing similarity.",
    input: z.object({
      face_threshold: unit.optional(),
      clothing_weight: unit.default(0),
      min_size: z.coerce.number().int().min(1).max(2000).default(2),
      max_members: z.coerce.number().int().min(1).max(2000).default(40),
      max_samples: z.coerce.number().int().min(1).max(2000).default(2000),
    }),
    output: z.object({ total_samples: z.number().int(), total_groups: z.number().int(), settings: faceGroupsSettingsSchema, groups: z.array(faceGroupSchema) }),
  }),
  'faceGroups.enroll': op({
    method: 'POST',
    path: '/api/face-groups/enroll',
    tag: 'face-groups',
    doc: 'Turn a group into a known person: up to 12 highest-quality samples become enrolled faces, the samples are labelled, the index is rebuilt. person_id (Vigil) adds them to an existing person instead.',
    input: z.object({ sample_ids: sampleIds, name: z.string().trim().min(1).max(200), person_id: z.number().int().positive().optional() }).strict(),
    output: z.object({ person_id: z.number().int(), name: z.string(), enrolled_faces: z.number().int() }),
  }),
  'faceGroups.label': op({
    method: 'POST',
    path: '/api/face-groups/label',
    tag: 'face-groups',
    doc: 'Set a label on the given samples (null or "" clears it).',
    input: z.object({ sample_ids: sampleIds, label: z.string().trim().max(100).nullable() }).strict(),
    output: z.object({ updated: z.number().int(), label: z.string().nullable() }),
  }),
  'faceGroups.clips': op({
    method: 'POST',
    path: '/api/face-groups/clips',
    tag: 'face-groups',
    doc: 'Recorded events a group appears in: same camera and the capture inside [start − 90 s, end + 20 s], or linked directly; de-duplicated, newest first.',
    input: z.object({ sample_ids: sampleIds, limit: z.number().int().min(1).max(500).default(100), offset: z.number().int().min(0).default(0) }).strict(),
    output: eventListSchema,
  }),
  'faceGroups.deleteSample': op({
    method: 'DELETE',
    path: '/api/face-groups/samples/{id}',
    tag: 'face-groups',
    status: 204,
    doc: 'Drop one captured face and its crop.',
    input: z.object({ id }),
    output: z.void(),
  }),
  'faceGroups.bulkDeleteSamples': op({
    method: 'POST',
    path: '/api/face-groups/samples/bulk-delete',
    tag: 'face-groups',
    doc: 'Drop the given captured faces (+ crops); at most 1000.',
    input: z.object({ ids: z.array(z.number().int().positive()).max(1000) }).strict(),
    output: z.object({ deleted: z.number().int() }),
  }),
  'faceGroups.clearAllSamples': op({
    method: 'POST',
    path: '/api/face-groups/samples/clear-all',
    tag: 'face-groups',
    doc: 'Delete ALL captured faces (optionally one label); requires confirm=true (400 otherwise); deletes in chunks of 200.',
    input: z.object({ confirm: z.boolean().optional(), label: z.string().max(100).optional() }).strict(),
    output: z.object({ deleted: z.number().int() }),
  }),
  'faces.search': op({
    method: 'POST',
    path: '/api/faces/search',
    access: 'identities:read',
    tag: 'faces',
    doc: 'Vigil: the captured faces nearest to a sample (sample_id) or a person (person_id) across all cameras and time, with similarity, camera, time and event; paged. A photo goes to /api/faces/search/photo.',
    input: faceSearchInput,
    output: faceSearchResultSchema,
  }),
  'faces.rejectSample': op({
    method: 'POST',
    path: '/api/faces/samples/{id}/not-person',
    tag: 'faces',
    doc: 'Vigil: negative feedback — this captured face is not person_id. It stops naming them, stops counting as their evidence, and faces copied from it are removed from them.',
    input: z.object({ id, person_id: z.number().int().positive() }).strict(),
    output: z.object({ sample_id: z.number().int(), person_id: z.number().int(), removed_faces: z.number().int() }),
  }),
};
