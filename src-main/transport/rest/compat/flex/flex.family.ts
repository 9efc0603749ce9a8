// Flex Video's error envelope {success:false, error:{code, message}} with the codes of its documented table.
import { codeForStatus, type ErrorDetail } from '../../../../shared/errors';
import type { RouteFamily } from '../../platform/family';

/** Flex's table, plus FORBIDDEN (a role without the permission) and NOT_IMPLEMENTED (hardware-only features). */
export const FLEX_CODES: Record<string, number> = {
  VALIDATION_ERROR: 400,
  UNAUTHORIZED: 401,
  LICENSE_ERROR: 402,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  GSTREAMER_ERROR: 500,
  NOT_IMPLEMENTED: 501,
  GSTREAMER_UNAVAILABLE: 503,
  PIPELINE_START_TIMEOUT: 504,
};

export const messageOf = (detail: ErrorDetail): string =>
  typeof detail === 'string' ? detail : detail.map((d) => `${d.loc.filter((p) => p !== 'body').join('.') || 'body'}: ${d.msg}`).join('; ');

export const flexFamily: RouteFamily = {
  name: 'flex',
  prefixes: ['/flex'],
  render(err, requestId) {
    // Flex answers invalid input with 400 VALIDATION_ERROR where Iris uses 422.
    const status = err.status === 422 ? 400 : err.status;
    const code = err.code in FLEX_CODES ? err.code : status >= 500 ? 'GSTREAMER_ERROR' : codeForStatus(status);
    const error: Record<string, unknown> = { code, message: messageOf(err.detail) };
    if (typeof err.detail !== 'string') error.details = err.detail;
    if (status >= 500) error.request_id = requestId;
    return { status, body: { success: false, error } };
  },
  errorSchema: {
    type: 'object',
    properties: {
      success: { const: false },
      error: {
        type: 'object',
        properties: { code: { enum: Object.keys(FLEX_CODES) }, message: { type: 'string' }, details: { type: 'array' }, request_id: { type: 'string' } },
        required: ['code', 'message'],
      },
    },
    required: ['success', 'error'],
  },
};
