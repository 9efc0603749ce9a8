// A route family: its URL prefixes, how it renders an ApiError, and its error schema for OpenAPI.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../../shared/errors';
import type { Logger } from '../../../repositories/logger';

export interface RenderedError {
  status: number;
  body: unknown;
}

export interface RouteFamily {
  /** OpenAPI tag prefix and log name, e.g. `flex`. */
  name: string;
  /** Every path under these prefixes belongs to the family: an unknown one answers its JSON 404, never the SPA. */
  prefixes: string[];
  render(err: ApiError, requestId: string): RenderedError;
  /** JSON schema of its error body (OpenAPI). */
  errorSchema: Record<string, unknown>;
}

export const underPrefix = (path: string, prefix: string): boolean => path === prefix || path.startsWith(`${prefix}/`);

/** Any thrown value as an ApiError: framework 4xx keep their status, anything unexpected is a logged 500. */
export function toApiError(err: unknown, req: FastifyRequest, log: Logger): ApiError {
  if (err instanceof ApiError) {
    // A 503 is load or a camera not delivering yet (expected, often in bursts); anything else in 5xx is worth a warning.
    if (err.status >= 500) log[err.status === 503 ? 'info' : 'warn']({ reqId: req.id, status: err.status, code: err.code, detail: err.detail, path: req.url.split('?')[0], method: req.method }, 'request failed');
    return err;
  }
  const e = err as Partial<FastifyError> & { message: string };
  if (e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || err instanceof SyntaxError) return new ApiError(400, `Malformed JSON body: ${e.message}`);
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new ApiError(415, e.message, {}, { code: 'UNSUPPORTED_MEDIA_TYPE' });
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return new ApiError(e.statusCode, e.message);
  log.error({ err, reqId: req.id, path: req.url.split('?')[0], method: req.method }, 'unhandled error');
  return new ApiError(500, 'Internal server error');
}

export function sendFamilyError(family: RouteFamily, reply: FastifyReply, err: ApiError): void {
  const r = family.render(err, reply.request.id);
  void reply.code(r.status).headers(err.headers).type('application/json').send(r.body);
}

/** Gives an encapsulated family plugin its own error renderer and JSON 404. */
export function installFamilyErrors(app: FastifyInstance, family: RouteFamily, log: Logger): void {
  app.setErrorHandler((err, req, reply) => sendFamilyError(family, reply, toApiError(err, req, log)));
  app.setNotFoundHandler((_req, reply) => sendFamilyError(family, reply, new ApiError(404, 'Not Found')));
}
