// Backflow's error shape (its document names none; ours, the same on every /tenant route): {error:{status, code, message}}.
import { codeForStatus } from '../../../../shared/errors';
import type { RouteFamily } from '../../platform/family';
import { messageOf } from '../flex/flex.family';

export const backflowFamily: RouteFamily = {
  name: 'backflow',
  prefixes: ['/tenant'],
  render(err, requestId) {
    const status = err.status === 422 ? 400 : err.status;
    const code = /^[A-Z][A-Z0-9_]+$/.test(err.code) ? err.code : codeForStatus(status);
    const error: Record<string, unknown> = { status, code, message: messageOf(err.detail) };
    if (typeof err.detail !== 'string') error.details = err.detail;
    if (status >= 500) error.request_id = requestId;
    return { status, body: { error } };
  },
  errorSchema: {
    type: 'object',
    properties: {
      error: {
        type: 'object',
        properties: { status: { type: 'integer' }, code: { type: 'string' }, message: { type: 'string' }, details: { type: 'array' }, request_id: { type: 'string' } },
        required: ['status', 'code', 'message'],
      },
    },
    required: ['error'],
  },
};
