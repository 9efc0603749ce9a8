// Flex Video family shapes: pipeline specs and states, webhook registrations, settings (validated at its routes).
import { z } from 'zod';

export const PIPELINE_OUTPUTS = ['rtsp', 'srt', 'rtmp', 'hls', 'record'] as const;
export type PipelineOutputKind = (typeof PIPELINE_OUTPUTS)[number];
export const PIPELINE_STATES = ['stopped', 'starting', 'playing', 'error'] as const;
export type PipelineState = (typeof PIPELINE_STATES)[number];

const PUSH_SCHEMES: Record<'rtsp' | 'srt' | 'rtmp', RegExp> = { rtsp: /^rtsps?:\/\//i, srt: /^srt:\/\//i, rtmp: /^rtmps?:\/\//i };

export const pipelineSpecSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    /** A Vigil camera id, or a local capture device path (/dev/videoN). */
    source: z.union([z.object({ camera_id: z.number().int().positive() }).strict(), z.object({ device: z.string().regex(/^\/dev\/video\d{1,3}$/) }).strict()]),
    output: z
      .object({
        kind: z.enum(PIPELINE_OUTPUTS),
        /** Push target for rtsp/srt/rtmp; absent for local hls/record. */
        url: z.string().max(2048).optional(),
      })
      .strict(),
    /** copy the camera's H.264 when the output allows it (auto), or always encode. */
    video: z.enum(['auto', 'encode']).default('auto'),
    /** Seconds between framegrabs written while playing; null for none. */
    framegrab_interval_s: z.number().int().min(1).max(3600).nullable().default(null),
  })
  .strict()
  .superRefine((s, ctx) => {
    const k = s.output.kind;
    if (k === 'hls' || k === 'record') {
      if (s.output.url !== undefined) ctx.addIssue({ code: 'custom', path: ['output', 'url'], message: `a ${k} output is written under the data folder; give no url` });
      return;
    }
    if (!s.output.url || !PUSH_SCHEMES[k].test(s.output.url)) ctx.addIssue({ code: 'custom', path: ['output', 'url'], message: `a ${k} output needs a ${k}:// url` });
  });
export type PipelineSpec = z.output<typeof pipelineSpecSchema>;

export interface PipelineView extends PipelineSpec {
  id: string;
  state: PipelineState;
  error: string | null;
  started_at: string | null;
  created_at: string;
  updated_at: string;
}

export const WEBHOOK_EVENTS = ['pipeline.status', 'pipeline.error', 'event.opened', 'event.closed', 'person.recognized', 'camera.offline', 'camera.online'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const webhookCreateSchema = z
  .object({
    url: z.string().max(2048).regex(/^https?:\/\//i, 'an http(s) URL'),
    /** Events to receive; all when absent. */
    events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).optional(),
    /** HMAC-SHA256 key; generated (and returned once) when absent. */
    secret: z.string().min(16).max(256).optional(),
  })
  .strict();

export const flexSettingsSchema = z
  .object({
    device_name: z.string().trim().min(1).max(100),
    /** How long PUT /pipeline/{id}/play waits for media before 504 PIPELINE_START_TIMEOUT. */
    pipeline_start_timeout_s: z.number().int().min(1).max(120),
    webhook_timeout_s: z.number().int().min(1).max(60),
    webhook_max_attempts: z.number().int().min(1).max(10),
  })
  .strict();
export type FlexSettings = z.output<typeof flexSettingsSchema>;
export const defaultFlexSettings: FlexSettings = { device_name: 'Vigil', pipeline_start_timeout_s: 20, webhook_timeout_s: 5, webhook_max_attempts: 4 };
