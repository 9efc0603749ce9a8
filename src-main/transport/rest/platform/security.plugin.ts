// Request hygiene for every route: nosniff, loopback-only Host (DNS rebinding) and same-origin writes.
import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';
import { ApiError } from '../../../shared/errors';
import { isLoopbackHostHeader } from '../../../shared/loopback';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameOrigin(origin: string, host: string | undefined): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

const security: FastifyPluginAsync<{ loopbackOnly: boolean }> = async (app, o) => {
  app.addHook('onRequest', async (req, reply) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    // A rebound DNS name pointing at 127.0.0.1 would otherwise be same-origin for a hostile page (and could send the SSO header).
    if (o.loopbackOnly && !isLoopbackHostHeader(req.headers.host)) throw new ApiError(403, 'Host not allowed: this server only answers to 127.0.0.1, localhost or [::1].');
    // A page on another origin can make the browser send writes (forms, fetch no-cors) whatever the auth mode.
    if (!SAFE_METHODS.has(req.method)) {
      const origin = req.headers.origin;
      if (origin !== undefined && !sameOrigin(origin, req.headers.host)) throw new ApiError(403, 'Cross-origin request refused.');
    }
  });
};

export const securityPlugin = fp(security, { name: 'vigil-security' });
