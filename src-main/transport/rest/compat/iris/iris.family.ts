// Iris's error shape: {detail} (a string or FastAPI-style issues), extra data beside it, a request id on a 5xx.
import type { RouteFamily } from '../../platform/family';

export const irisFamily: RouteFamily = {
  name: 'iris',
  prefixes: ['/api', '/health', '/openapi.json', '/docs'],
  render(err, requestId) {
    const body: Record<string, unknown> = { ...err.data, detail: err.detail };
    if (err.status >= 500) body.request_id = requestId;
    return { status: err.status, body };
  },
  errorSchema: {
    type: 'object',
    properties: {
      detail: {
        oneOf: [
          { type: 'string' },
          { type: 'array', items: { type: 'object', properties: { loc: { type: 'array' }, msg: { type: 'string' }, type: { type: 'string' } } } },
        ],
      },
      request_id: { type: 'string', description: 'On a 5xx: the id of the request in the server log.' },
    },
    required: ['detail'],
  },
};
