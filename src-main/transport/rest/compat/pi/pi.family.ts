// The Raspberry Pi camera's error shape (Flask-style, ours on every root route of the family): {error, code}.
import { codeForStatus } from '../../../../shared/errors';
import type { RouteFamily } from '../../platform/family';
import { messageOf } from '../flex/flex.family';

/** Every root prefix the Pi document uses: any path under one is the Pi family's (its JSON 404, its 401). */
export const PI_PREFIXES = [
  '/settings',
  '/storage',
  '/timelapse',
  '/snapshot',
  '/snapshots',
  '/snapshot_image',
  '/delete_snapshot',
  '/thumbnail',
  '/sprite',
  '/archive',
  '/logs',
  '/auth',
  '/system',
  '/system_alert_state',
  '/system_info',
  '/deploy_info',
  '/captive-portal',
  '/sensor',
  '/bt',
  '/devices',
  '/bluetooth',
  '/events',
];

export const piFamily: RouteFamily = {
  name: 'pi',
  prefixes: PI_PREFIXES,
  render(err, requestId) {
    const status = err.status === 422 ? 400 : err.status;
    const code = /^[A-Z][A-Z0-9_]+$/.test(err.code) && err.code !== 'NOT_IMPLEMENTED' ? err.code : status === 501 ? 'NOT_SUPPORTED' : codeForStatus(status);
    const body: Record<string, unknown> = { error: messageOf(err.detail), code };
    if (typeof err.detail !== 'string') body.details = err.detail;
    if (status >= 500 && status !== 501) body.request_id = requestId;
    return { status, body };
  },
  errorSchema: {
    type: 'object',
    description: 'Every error of the Pi routes: {error: message, code: stable upper-case code}; details for field errors, request_id on a 5xx. 501 NOT_SUPPORTED is a Raspberry Pi hardware feature this host does not have.',
    properties: { error: { type: 'string' }, code: { type: 'string' }, details: { type: 'array' }, request_id: { type: 'string' } },
    required: ['error', 'code'],
  },
};
