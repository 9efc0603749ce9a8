// Streams (Verify AI /api/v1/streams): push cameras, their policies and pairing codes. Pairing and frame posts are the
// family's own routes (transport/rest/compat/streams); these management operations are Vigil additions in the contract.
import { z } from 'zod';
import { op } from './define';

export const STREAM_STATUSES = ['active', 'paused', 'archived'] as const;
export const STREAM_FRAME_MAX_BYTES = 8 * 1024 * 1024;
/** Larger frames are refused from their header, before any decoding (a decompression bomb never expands). */
export const STREAM_FRAME_MAX_PIXELS = 40_000_000;

const streamId = z.string().uuid();
const policyId = z.string().regex(/^pol_[A-Za-z0-9_-]{1,60}$/, 'Expected a policy id like pol_…');
const shortText = z.string().trim().max(200);
const className = z.string().trim().min(1).max(50);
const unit = z.number().min(0).max(1);

export const policyRulesSchema = z
  .object({
    require: z.array(className).max(50).default([]).describe('Classes that must be present (e.g. ["person"]).'),
    forbid: z.array(className).max(50).default([]).describe('Classes that must not be present.'),
    min_confidence: unit.default(0.5).describe('Detections below this confidence are ignored.'),
    zones: z
      .array(z.object({ name: z.string().trim().min(1).max(100), polygon: z.array(z.tuple([unit, unit])).min(3).max(64) }).strict())
      .max(16)
      .optional()
      .describe('When given, only detections whose box centre lies in a zone count. Normalised polygons.'),
    counts: z
      .record(className, z.object({ min: z.number().int().min(0).max(1000).optional(), max: z.number().int().min(0).max(1000).optional() }).strict())
      .optional()
      .describe('Per-class bounds, e.g. {"person": {"max": 2}}.'),
  })
  .strict();
export type PolicyRulesDto = z.output<typeof policyRulesSchema>;

export const policySchema = z.object({
  id: z.string(),
  name: z.string(),
  rules: policyRulesSchema,
  created_at: z.string(),
  updated_at: z.string(),
});
export type PolicyDto = z.output<typeof policySchema>;

export const streamSchema = z.object({
  id: z.string().describe('UUID, used in the frame URL.'),
  name: z.string(),
  location: z.string().nullable(),
  asset_type: z.string().nullable(),
  region: z.string().nullable(),
  expected_throughput: z.number().int().nullable(),
  site_id: z.string().nullable(),
  policy_id: z.string().nullable().describe('Policy applied to every frame.'),
  status: z.enum(STREAM_STATUSES),
  group_id: z.string().nullable().describe('Streams with the same group_id are correlated (one decision per vehicle) when stream_correlation_ms > 0.'),
  last_frame_at: z.string().nullable(),
  paired: z.boolean().describe('A stream token has been minted (only its hash is stored).'),
  camera_id: z.number().int().nullable().describe('The Vigil camera its frames are recorded on.'),
  created_at: z.string(),
  updated_at: z.string(),
});
export type StreamDto = z.output<typeof streamSchema>;

export const pairingSchema = z.object({ code: z.string(), expires_at: z.string() });
export type PairingDto = z.output<typeof pairingSchema>;

export const frameDetectionSchema = z.object({
  label: z.string(),
  confidence: z.number(),
  box: z.tuple([z.number(), z.number(), z.number(), z.number()]).describe('Normalised [x, y, w, h].'),
});

/** The verification object a frame post answers (the reference's POST /v1/verify shape). */
export const verificationSchema = z.object({
  is_compliant: z.boolean(),
  policy_id: z.string().nullable(),
  detections: z.array(frameDetectionSchema),
  reasons: z.array(z.string()).describe('Why it is not compliant; empty when it is.'),
  frame_id: z.string(),
  stream_id: z.string(),
  latency_ms: z.number().describe('Server time from receipt to the decision.'),
  correlation: z
    .object({ decision_id: z.string(), group_id: z.string(), frames: z.number().int(), stream_ids: z.array(z.string()) })
    .nullable()
    .describe('With correlation on: the group decision this frame joined (the verdict is over every frame in it).'),
});
export type VerificationDto = z.output<typeof verificationSchema>;
export const pairingCodeSchema = pairingSchema.extend({ qr_svg: z.string().describe('The code as a QR code (SVG), for a kiosk camera to scan.') });

const streamFields = {
  name: z.string().trim().min(1).max(200),
  location: shortText.nullable().optional(),
  asset_type: z.string().trim().max(50).nullable().optional(),
  region: z.string().trim().max(50).nullable().optional(),
  expected_throughput: z.number().int().min(0).max(1_000_000).nullable().optional(),
  site_id: z.string().trim().max(100).nullable().optional(),
  policy_id: policyId.nullable().optional(),
  group_id: z.string().trim().min(1).max(100).nullable().optional(),
};

export const streamsContract = {
  'streams.list': op({
    method: 'GET',
    path: '/api/v1/streams',
    tag: 'streams',
    doc: 'Vigil: every registered push stream, newest first (archived ones too; filter with ?status=).',
    input: z.object({ status: z.enum(STREAM_STATUSES).optional() }).strict(),
    output: z.array(streamSchema),
  }),
  'streams.create': op({
    method: 'POST',
    path: '/api/v1/streams',
    tag: 'streams',
    status: 201,
    doc: 'Vigil: register a push stream (status active, unpaired) and mint its first pairing code (10 minutes, single use), with its QR code.',
    input: z.object({ ...streamFields, status: z.enum(STREAM_STATUSES).default('active') }).strict(),
    output: streamSchema.extend({ pairing: pairingCodeSchema }),
  }),
  'streams.get': op({
    method: 'GET',
    path: '/api/v1/streams/{id}',
    tag: 'streams',
    doc: 'Vigil: one stream.',
    input: z.object({ id: streamId }).strict(),
    output: streamSchema,
  }),
  'streams.update': op({
    method: 'PUT',
    path: '/api/v1/streams/{id}',
    tag: 'streams',
    doc: 'Vigil: change a stream; status active/paused/archived is changed here (paused and archived streams refuse frames with 409).',
    input: z.object({ id: streamId, ...streamFields, name: streamFields.name.optional(), status: z.enum(STREAM_STATUSES).optional() }).strict(),
    output: streamSchema,
  }),
  'streams.delete': op({
    method: 'DELETE',
    path: '/api/v1/streams/{id}',
    tag: 'streams',
    status: 204,
    doc: 'Vigil: remove a stream, its pairing codes and verification log (its recordings stay with its camera).',
    input: z.object({ id: streamId }).strict(),
    output: z.void(),
  }),
  'streams.pairingCode': op({
    method: 'POST',
    path: '/api/v1/streams/{id}/pairing-code',
    tag: 'streams',
    status: 201,
    doc: 'Vigil: mint a new single-use pairing code (10 minutes) with its QR code; pairing again replaces the stream token.',
    input: z.object({ id: streamId }).strict(),
    output: pairingCodeSchema,
  }),
  'policies.list': op({
    method: 'GET',
    path: '/api/v1/policies',
    tag: 'streams',
    doc: 'Vigil: every policy, by name.',
    input: z.object({}).strict(),
    output: z.array(policySchema),
  }),
  'policies.create': op({
    method: 'POST',
    path: '/api/v1/policies',
    tag: 'streams',
    status: 201,
    doc: 'Vigil: a rule set over the detector output of each frame: required and forbidden classes, minimum confidence, zones, counts.',
    input: z.object({ name: z.string().trim().min(1).max(200), rules: policyRulesSchema }).strict(),
    output: policySchema,
  }),
  'policies.get': op({
    method: 'GET',
    path: '/api/v1/policies/{id}',
    tag: 'streams',
    doc: 'Vigil: one policy.',
    input: z.object({ id: policyId }).strict(),
    output: policySchema,
  }),
  'policies.update': op({
    method: 'PUT',
    path: '/api/v1/policies/{id}',
    tag: 'streams',
    doc: 'Vigil: rename a policy or replace its rules (the next frame of every stream using it is verified with the new rules).',
    input: z.object({ id: policyId, name: z.string().trim().min(1).max(200).optional(), rules: policyRulesSchema.optional() }).strict(),
    output: policySchema,
  }),
  'policies.delete': op({
    method: 'DELETE',
    path: '/api/v1/policies/{id}',
    tag: 'streams',
    status: 204,
    doc: 'Vigil: delete a policy; 409 while streams use it (move them to another policy first).',
    input: z.object({ id: policyId }).strict(),
    output: z.void(),
  }),
};
