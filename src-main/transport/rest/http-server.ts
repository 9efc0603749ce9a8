// The HTTP server: contract routes, raw media routes from modules, SSE push, auth, OpenAPI/Swagger and the built UI.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { contract, restOpNames, type OpName, type Principal } from '../../shared/contract';
import { ApiError } from '../../shared/errors';
import type { AuthService } from '../../services/auth.service';
import type { PushBus } from '../../services/push-bus';
import type { Logger } from '../../repositories/logger';
import type { Dispatcher, InputSource } from '../dispatch';
import { buildOpenApi, type RawRouteDoc } from './openapi';
import { isLoopbackHostHeader } from '../../shared/loopback';
import type { SettingsService } from '../../services/settings.service';

/**
 * Who may call a route. Every route declares one; a route that declares nothing is refused at start-up.
 * - public: no credential (health, login).
 * - media: a credential or the per-launch media token (raw media that <img>/<video> load).
 * - user: a credential; the media token is refused.
 */
export type RouteAccess = 'public' | 'media' | 'user';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

export const MEDIA: { config: { access: RouteAccess } } = { config: { access: 'media' } };
export const USER: { config: { access: RouteAccess } } = { config: { access: 'user' } };
export const PUBLIC: { config: { access: RouteAccess } } = { config: { access: 'public' } };

export const SESSION_COOKIE = 'vigil_session';
const SSE_MAX_BUFFERED = 4 * 1024 * 1024;

export interface RestContext {
  auth: AuthService;
  log: Logger;
}

/** A family of raw (binary/streaming) routes; returns their docs for OpenAPI. */
export type RestModule = (app: FastifyInstance, ctx: RestContext) => RawRouteDoc[];

export interface HttpServerOptions {
  version: string;
  host: string;
  /** Bound to loopback only: requests must then name a loopback Host (defeats DNS rebinding). */
  loopbackOnly: boolean;
  port: number;
  rendererDir: string | null;
  dispatcher: Dispatcher;
  auth: AuthService;
  settings: SettingsService;
  bus: PushBus;
  log: Logger;
  modules: RestModule[];
}

export const RENDERER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    try {
      out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      // A malformed %-escape is ignored like a missing cookie, never a 500.
    }
  }
  return out;
}

function sameOrigin(origin: string, host: string | undefined): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

const isApiPath = (url: string): boolean => url === '/health' || url.startsWith('/api/') || url === '/api' || url.startsWith('/openapi.json') || url.startsWith('/docs');

/** Iris's error shape; a 5xx also names the request id that is in the log, never an exception message. */
function sendError(reply: FastifyReply, err: ApiError): void {
  const body: Record<string, unknown> = { ...err.data, detail: err.detail };
  if (err.status >= 500) body.request_id = reply.request.id;
  void reply.code(err.status).headers(err.headers).type('application/json').send(body);
}

/** The access a request needs: its route's declaration, or for an unknown path what its prefix would need. */
function accessOf(req: FastifyRequest): RouteAccess {
  const declared = req.routeOptions.config?.access;
  if (declared) return declared;
  const path = req.url.split('?')[0] ?? '/';
  return isApiPath(path) ? 'user' : 'public';
}

function sessionCookie(token: string, maxAgeS: number): string {
  return `${SESSION_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}`;
}

export async function createHttpServer(o: HttpServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: 10 * 1024 * 1024,
    forceCloseConnections: true,
    routerOptions: { ignoreTrailingSlash: true },
    genReqId: () => randomBytes(8).toString('hex'),
    // Node would answer a Host-less HTTP/1.1 request itself, with an empty 400; let it through to the JSON 403/404 paths.
    http: { requireHostHeader: false },
    // Router-level failures (a bad %-escape, an overlong path parameter) answer in Iris's shape, not fastify's own.
    frameworkErrors: (err, _req, reply) => {
      const tooLong = (err as { code?: string }).code === 'FST_ERR_MAX_PARAM_LENGTH';
      sendError(reply as unknown as FastifyReply, new ApiError(tooLong ? 414 : 400, tooLong ? 'A path parameter is too long.' : 'Malformed request URL.'));
    },
    // Malformed HTTP never reaches a route; answer it in the same JSON shape and close the connection.
    clientErrorHandler: (err, socket) => {
      if (!socket.writable) return void socket.destroy();
      const e = err as unknown as { code?: string; rawPacket?: Buffer };
      const tooLarge = e.code === 'HPE_HEADER_OVERFLOW';
      // A response to HEAD carries no body, or the client reads it as the start of another response.
      const head = e.rawPacket?.subarray(0, 5).toString('latin1') === 'HEAD ';
      const body = head ? '' : JSON.stringify({ detail: tooLarge ? 'Request headers too large.' : 'Malformed HTTP request.' });
      socket.end(`HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    },
  });
  app.decorateRequest('principal', null);
  const ssoHeader = () => o.settings.get().sso_email_header?.toLowerCase();
  const ssoUserHeader = () => o.settings.get().sso_user_header?.toLowerCase();

  // Deny by default: a route without an access declaration never starts serving.
  app.addHook('onRoute', (route) => {
    // Plugin-registered routes get their declaration here: @fastify/static's one route per built renderer file is the
    // public UI bundle; Swagger UI under /docs needs a credential like the API it documents.
    const cfg = route.config as { access?: RouteAccess; rootPath?: string } | undefined;
    if (!cfg?.access && o.rendererDir && cfg?.rootPath !== undefined && resolve(cfg.rootPath) === resolve(o.rendererDir)) route.config = { ...route.config, access: 'public' };
    if (!cfg?.access && (route.url === '/docs' || route.url.startsWith('/docs/'))) route.config = { ...route.config, access: 'user' };
    if (!route.config?.access) throw new Error(`route ${String(route.method)} ${route.url} declares no access (public, media or user)`);
  });

  app.addHook('onRequest', async (req, reply) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    // A rebound DNS name pointing at 127.0.0.1 would otherwise be same-origin for a hostile page (and could send the SSO header).
    if (o.loopbackOnly && !isLoopbackHostHeader(req.headers.host)) throw new ApiError(403, 'Host not allowed: this server only answers to 127.0.0.1, localhost or [::1].');
    // A page on another origin can make the browser send writes (forms, fetch no-cors) whatever the auth mode.
    if (!SAFE_METHODS.has(req.method)) {
      const origin = req.headers.origin;
      if (origin !== undefined && !sameOrigin(origin, req.headers.host)) throw new ApiError(403, 'Cross-origin request refused.');
    }
    const access = accessOf(req);
    if (access === 'public') return;
    const h = ssoHeader();
    const hu = ssoUserHeader();
    const cookies = parseCookies(req.headers.cookie);
    const q = req.query as Record<string, unknown> | undefined;
    const principal = o.auth.authenticate({
      authorization: req.headers.authorization,
      ssoEmail: h ? (req.headers[h] as string | undefined) : undefined,
      ssoUser: hu ? (req.headers[hu] as string | undefined) : undefined,
      session: cookies[SESSION_COOKIE],
      queryToken: typeof q?.token === 'string' ? q.token : undefined,
    });
    // The media token rides in <img>/<video> URLs, which leak (history, copied links): it opens media routes and nothing else.
    if (principal.via === 'media_token' && access !== 'media') throw new ApiError(403, 'The media token only opens media routes; use the API key or a session.');
    req.principal = principal;
  });

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof ApiError) {
      // A 503 is load or a camera not delivering yet (expected, often in bursts); anything else in 5xx is worth a warning.
      if (err.status >= 500) o.log[err.status === 503 ? 'info' : 'warn']({ reqId: req.id, status: err.status, detail: err.detail, path: req.url.split('?')[0], method: req.method }, 'request failed');
      return sendError(reply, err);
    }
    const e = err as { statusCode?: number; code?: string; message: string };
    if (e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || err instanceof SyntaxError) {
      return sendError(reply, new ApiError(400, `Malformed JSON body: ${e.message}`));
    }
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return sendError(reply, new ApiError(e.statusCode, e.message));
    o.log.error({ err, reqId: req.id, path: req.url.split('?')[0], method: req.method }, 'unhandled error');
    return sendError(reply, new ApiError(500, 'Internal server error'));
  });

  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    if (isApiPath(path) || req.method !== 'GET' || !o.rendererDir) return sendError(reply, new ApiError(404, 'Not Found'));
    // SPA fallback: any other GET is a client-side route.
    return reply.header('Content-Security-Policy', RENDERER_CSP).type('text/html').sendFile('index.html');
  });

  // --- contract routes -------------------------------------------------------------------------
  for (const name of restOpNames) {
    const def = contract[name];
    app.route({
      method: def.method,
      url: def.path.replace(/\{(\w+)\}/g, ':$1'),
      config: { access: def.path === '/health' ? 'public' : 'user' },
      handler: async (req: FastifyRequest, reply: FastifyReply) => {
        const params = (req.params ?? {}) as Record<string, unknown>;
        const query = (req.query ?? {}) as Record<string, unknown>;
        delete query.token;
        const body = req.body;
        if (body !== undefined && body !== null && (typeof body !== 'object' || Array.isArray(body))) {
          throw new ApiError(422, [{ loc: ['body'], msg: 'Expected a JSON object', type: 'type_error' }]);
        }
        const input = { ...query, ...((body as Record<string, unknown> | undefined) ?? {}), ...params };
        const locate = (key: string): InputSource | null => (key in params ? 'path' : key in query ? 'query' : 'body');
        const principal = req.principal ?? { email: null, name: 'anonymous', via: 'anonymous' as const };
        const result = await o.dispatcher.call(name as OpName, input, { principal }, locate);
        if (def.status === 204) return reply.code(204).send();
        return reply.code(def.status ?? 200).send(result);
      },
    });
  }

  // --- auth routes (cookies are an HTTP concern, so they live here, not in the contract) -----------
  const rawDocs: RawRouteDoc[] = [
    { method: 'GET', path: '/login', tag: 'auth', doc: 'Redeem the one-time login link printed at start-up; sets a session cookie and redirects to the UI.', public: true, produces: 'text/html' },
    { method: 'POST', path: '/api/auth/login', tag: 'auth', doc: 'Exchange {api_key} for an HttpOnly session cookie (browser UI login).', public: true },
    { method: 'POST', path: '/api/auth/logout', tag: 'auth', doc: 'End the browser session.', public: true },
    {
      method: 'GET',
      path: '/api/auth/session',
      tag: 'auth',
      doc: 'Whether this request is signed in, without a 401: {authenticated, auth_required, via}. The login screen asks this first, so a browser logs no error before login. A media token or a wrong key answers authenticated: false.',
      public: true,
    },
    { method: 'GET', path: '/api/push', tag: 'push', doc: 'Server-sent events: every push event as `event: <name>` with a JSON payload.', produces: 'text/event-stream' },
  ];

  app.get('/login', PUBLIC, async (req, reply) => {
    const token = (req.query as Record<string, unknown>).token;
    const session = typeof token === 'string' ? o.auth.redeemLoginLink(token) : null;
    if (!session) return reply.code(401).type('text/html').send('<!doctype html><title>Vigil</title><p>This login link is invalid or was already used. <a href="/">Log in with the API key</a>.</p>');
    return reply.header('Set-Cookie', sessionCookie(session, 7 * 24 * 3600)).redirect('/', 302);
  });

  app.post('/api/auth/login', PUBLIC, async (req, reply) => {
    const body = req.body as { api_key?: unknown } | undefined;
    if (!body || typeof body.api_key !== 'string' || body.api_key.length === 0) {
      throw new ApiError(422, [{ loc: ['body', 'api_key'], msg: 'Required', type: 'missing' }]);
    }
    const session = o.auth.login(body.api_key);
    return reply.header('Set-Cookie', sessionCookie(session, 7 * 24 * 3600)).send({ ok: true });
  });

  app.get('/api/auth/session', PUBLIC, async (req, reply) => {
    const h = ssoHeader();
    const hu = ssoUserHeader();
    let via: Principal['via'] | null = null;
    try {
      via = o.auth.authenticate({
        authorization: req.headers.authorization,
        ssoEmail: h ? (req.headers[h] as string | undefined) : undefined,
        ssoUser: hu ? (req.headers[hu] as string | undefined) : undefined,
        session: parseCookies(req.headers.cookie)[SESSION_COOKIE],
      }).via;
    } catch {
      via = null;
    }
    const authenticated = via !== null && via !== 'media_token';
    return reply.header('Cache-Control', 'no-store').send({ authenticated, auth_required: o.settings.get().auth_required, via: authenticated ? via : null });
  });

    app.post('/api/auth/logout', PUBLIC, async (req, reply) => {
    const s = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    if (s) o.auth.logout(s);
    return reply.header('Set-Cookie', sessionCookie('', 0)).code(204).send();
  });

  app.get('/api/push', { ...USER, exposeHeadRoute: false }, (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.write(': connected\n\n');
    // A client that stops reading would otherwise hold every later event in this process's memory.
    const write = (chunk: string) => {
      if (res.writableLength > SSE_MAX_BUFFERED) res.destroy();
      else res.write(chunk);
    };
    const unsubscribe = o.bus.subscribe((msg) => write(`event: ${msg.name}\ndata: ${JSON.stringify(msg.payload)}\n\n`));
    const ping = setInterval(() => write(': ping\n\n'), 15_000);
    req.raw.on('close', () => {
      clearInterval(ping);
      unsubscribe();
    });
  });

  const ctx: RestContext = { auth: o.auth, log: o.log };
  for (const m of o.modules) rawDocs.push(...m(app, ctx));

  // --- OpenAPI + Swagger UI --------------------------------------------------------------------------
  const document = buildOpenApi(o.version, rawDocs);
  app.get('/openapi.json', USER, async () => document);
  await app.register(fastifySwagger, { mode: 'static', specification: { document: document as never } });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', uiConfig: { persistAuthorization: true } });

  // --- the built renderer ----------------------------------------------------------------------------
  if (o.rendererDir && existsSync(join(o.rendererDir, 'index.html'))) {
    await app.register(fastifyStatic, {
      root: o.rendererDir,
      index: false,
      wildcard: false,
      decorateReply: true,
      setHeaders: (res, path) => {
        if (path.endsWith('.html')) res.header('Content-Security-Policy', RENDERER_CSP);
      },
    });
    app.get('/', PUBLIC, (_req, reply) => reply.header('Content-Security-Policy', RENDERER_CSP).header('Cache-Control', 'no-cache').type('text/html').sendFile('index.html'));
  }
  return app;
}
