// Find one person everywhere: from a face, a body sighting, an identity, an enrolled person or an event, every matching sighting and event across cameras.
import { z } from 'zod';
import { op } from './define';
import { zId } from '../time';

/** What a search starts from; exactly one is given. */
export const PERSON_SEARCH_SOURCES = ['sample_id', 'person_id', 'identity_id', 'sighting_id', 'event_id'] as const;
export type PersonSearchSource = (typeof PERSON_SEARCH_SOURCES)[number];

export const personSearchHitSchema = z.object({
  key: z.string().describe('Stable id of the hit: e<event>, s<sighting> or f<face sample>.'),
  camera_id: z.number().int(),
  camera_name: z.string().nullable(),
  start: z.string().describe('Start of the moment to play (ISO 8601).'),
  end: z.string(),
  match: z.enum(['face', 'identity', 'face+identity']).describe('Why it matched: a similar face, membership of the same cross-camera identity, or both.'),
  similarity: z.number().nullable().describe('Best face similarity (null for identity-only hits).'),
  event_id: z.number().int().nullable(),
  event_label: z.string().nullable(),
  identity_id: z.number().int().nullable(),
  sighting_id: z.number().int().nullable(),
  sample_id: z.number().int().nullable(),
  person_id: z.number().int().nullable(),
  person_name: z.string().nullable(),
  thumb_url: z.string().nullable().describe('A face crop when there is one, else the body crop, else the event thumbnail.'),
});
export type PersonSearchHitDto = z.output<typeof personSearchHitSchema>;

export const personSearchResultSchema = z.object({
  query: z.object({
    source: z.enum(PERSON_SEARCH_SOURCES),
    id: z.number().int(),
    person_id: z.number().int().nullable().describe('The enrolled person it resolved to, if any.'),
    person_name: z.string().nullable(),
    identity_ids: z.array(z.number().int()).describe('Cross-camera identities whose sightings are included.'),
    face_sample_ids: z.array(z.number().int()).describe('Captured faces used as face queries.'),
  }),
  total: z.number().int(),
  items: z.array(personSearchHitSchema).describe('Newest first; play them oldest first to follow the person.'),
});
export type PersonSearchResultDto = z.output<typeof personSearchResultSchema>;

export const personSearchInput = z
  .object({
    sample_id: zId.optional(),
    person_id: zId.optional(),
    identity_id: zId.optional(),
    sighting_id: zId.optional(),
    event_id: zId.optional(),
    min_similarity: z.coerce.number().min(-1).max(1).optional().describe("Face matches below this are left out; default: the embedding model's vote floor."),
    limit: z.coerce.number().int().min(1).max(500).default(200),
  })
  .strict()
  .refine((i) => PERSON_SEARCH_SOURCES.filter((k) => i[k] !== undefined).length === 1, {
    message: `Give exactly one of ${PERSON_SEARCH_SOURCES.join(', ')}.`,
  });

export const searchContract = {
  'search.person': op({
    method: 'GET',
    path: '/api/search/person',
    tag: 'search',
    doc: 'Vigil: find this person everywhere. From a captured face, an enrolled person, an identity, one of its sightings or an event, every matching sighting and event across cameras (face search plus cross-camera identity membership), merged per event, newest first.',
    input: personSearchInput,
    output: personSearchResultSchema,
  }),
};
