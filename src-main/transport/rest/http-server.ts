// The HTTP server, assembled from one fastify plugin per concern (security, auth, rate limits, contract routes, auth
// routes, push, media, docs, static UI) and one per route family (compat/<family>/, each under its own prefix with its
// own error renderer and 404). Every route declares its access; an undeclared route stops start-up.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyRateLimit from '@fastify/rate-limit';
import { contract, restOpNames, type OpName } from '../../shared/contract';
import { ApiError } from '../../shared/errors';
import type { AuthService } from '../../services/auth.service';
import type { PushBus } from '../../services/push-bus';
import type { Logger } from '../../repositories/logger';
import type { Dispatcher, InputSource } from '../dispatch';
import { buildOpenApi, type RawRouteDoc } from './openapi';
import type { SettingsService } from '../../services/settings.service';
import { allow, contractAccess, PUBLIC, USER } from './platform/access';
import { authPluginFp, credentialsOf, parseCookies, SESSION_COOKIE } from './platform/auth.plugin';
import { securityPlugin } from './platform/security.plugin';
import { installFamilyErrors, sendFamilyError, toApiError, underPrefix, type RouteFamily } from './platform/family';
import { irisFamily } from './compat/iris/iris.family';

export { MEDIA, USER, PUBLIC, allow, media, type RouteAccess } from './platform/access';
export { SESSION_COOKIE } from './platform/auth.plugin';

const SSE_MAX_BUFFERED = 4 * 1024 * 1024;
/** Every login route: 5 attempts per 15 minutes per client address (Flex's documented limit). */
export const LOGIN_RATE_LIMIT = { max: 5, timeWindow: 15 * 60_000 };
const SESSION_MAX_AGE_S = 7 * 24 * 3600;

export interface RestContext {
  auth: AuthService;
  settings: SettingsService;
  log: Logger;
}

/** A set of raw (binary/streaming/WebSocket) routes at absolute paths; each declares its access; returns its docs. */
export type RestModule = (app: FastifyInstance, ctx: RestContext) => RawRouteDoc[];

/** A route family under its own prefix: its routes are registered relative to it and rendered in its error shape. */
export interface FamilyPlugin {
  family: RouteFamily;
  /** The URL prefix its routes are registered under; '' for a family of root routes (it claims family.prefixes). */
  prefix: string;
  /** Registers the routes (relative paths) and returns their docs (absolute paths). */
  routes: (app: FastifyInstance, ctx: RestContext) => RawRouteDoc[] | Promise<RawRouteDoc[]>;
}

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
  families?: FamilyPlugin[];
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

function sessionCookie(token: string, maxAgeS: number): string {
  return `${SESSION_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}`;
}

export async function createHttpServer(o: HttpServerOptions): Promise<FastifyInstance> {
  const families = o.families ?? [];
  const familyOf = (url: string): RouteFamily => {
    const path = url.split('?')[0] ?? '/';
    return families.find((f) => f.family.prefixes.some((p) => underPrefix(path, p)))?.family ?? irisFamily;
  };
  const app = Fastify({
    logger: false,
    bodyLimit: 10 * 1024 * 1024,
    forceCloseConnections: true,
    routerOptions: { ignoreTrailingSlash: true },
    genReqId: () => randomBytes(8).toString('hex'),
    // Node would answer a Host-less HTTP/1.1 request itself, with an empty 400; let it through to the JSON 403/404 paths.
    http: { requireHostHeader: false },
    // Router-level failures (a bad %-escape, an overlong path parameter) answer in the family's shape, not fastify's own.
    frameworkErrors: (err, req, reply) => {
      const tooLong = (err as { code?: string }).code === 'FST_ERR_MAX_PARAM_LENGTH';
      sendFamilyError(familyOf(req.url), reply as unknown as FastifyReply, new ApiError(tooLong ? 414 : 400, tooLong ? 'A path parameter is too long.' : 'Malformed request URL.'));
    },
    // Malformed HTTP never reaches a route; answer it in JSON and close the connection.
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
  const ctx: RestContext = { auth: o.auth, settings: o.settings, log: o.log };

  // --- concerns that apply to every route ------------------------------------------------------------
  await app.register(securityPlugin, { loopbackOnly: o.loopbackOnly });
  await app.register(authPluginFp, {
    auth: o.auth,
    settings: o.settings,
    apiPrefixes: () => [...irisFamily.prefixes, ...families.flatMap((f) => f.family.prefixes)],
    rendererDir: o.rendererDir,
    docsPrefix: '/docs',
  });
  await app.register(fastifyRateLimit, {
    global: false,
    errorResponseBuilder: (_req, c) => new ApiError(429, `Too many requests: try again in ${c.after}.`, { 'Retry-After': String(Math.max(1, Math.ceil(c.ttl / 1000))) }, { code: 'RATE_LIMITED' }),
  });

  // Iris is the root family: its renderer answers everything no other family claims (an unknown path under a root
  // family's prefix, e.g. the Pi's /storage/nope, fails in the root context and answers in that family's shape).
  app.setErrorHandler((err, req, reply) => sendFamilyError(familyOf(req.url), reply, toApiError(err, req, o.log)));
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    const api = irisFamily.prefixes.some((p) => underPrefix(path, p)) || families.some((f) => f.family.prefixes.some((p) => underPrefix(path, p)));
    if (api || req.method !== 'GET' || !o.rendererDir) return sendFamilyError(familyOf(path), reply, new ApiError(404, 'Not Found'));
    // SPA fallback: any other GET is a client-side route.
    return reply.header('Content-Security-Policy', RENDERER_CSP).type('text/html').sendFile('index.html');
  });

  const rawDocs: RawRouteDoc[] = [];
  await app.register(async (scope) => contractRoutes(scope, o.dispatcher));
  await app.register(async (scope) => void rawDocs.push(...irisAuthRoutes(scope, o)));
  await app.register(async (scope) => void rawDocs.push(...pushRoutes(scope, o.bus)));
  await app.register(async (scope) => {
    for (const m of o.modules) rawDocs.push(...m(scope, ctx));
  });
  for (const f of families) {
    await app.register(
      async (scope) => {
        // A root family shares the root's 404 handler, which answers in the family's shape by its prefixes.
        if (f.prefix) installFamilyErrors(scope, f.family, o.log);
        else scope.setErrorHandler((err, req, reply) => sendFamilyError(f.family, reply, toApiError(err, req, o.log)));
        rawDocs.push(...(await f.routes(scope, ctx)).map((d) => ({ ...d, family: f.family.name })));
      },
      { prefix: f.prefix },
    );
  }

  // --- OpenAPI + Swagger UI --------------------------------------------------------------------------
  const document = buildOpenApi(o.version, rawDocs, [irisFamily, ...families.map((f) => f.family)]);
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

/** Every contract operation as a REST route, with the access its declaration (or tag and method) gives it. */
function contractRoutes(app: FastifyInstance, dispatcher: Dispatcher): void {
  for (const name of restOpNames) {
    const def = contract[name];
    app.route({
      method: def.method,
      url: def.path.replace(/\{(\w+)\}/g, ':$1'),
      config: { access: contractAccess(def) },
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
        const principal = req.principal ?? { email: null, name: 'anonymous', via: 'anonymous' as const, role: 'viewer' as const };
        const result = await dispatcher.call(name as OpName, input, { principal }, locate);
        if (def.status === 204) return reply.code(204).send();
        return reply.code(def.status ?? 200).send(result);
      },
    });
  }
}

/** Iris's browser login (cookies are an HTTP concern, so they live here, not in the contract). */
function irisAuthRoutes(app: FastifyInstance, o: HttpServerOptions): RawRouteDoc[] {
  const limited = { config: { access: 'public' as const, rateLimit: LOGIN_RATE_LIMIT } };
  // A login with a valid API key is not counted (keys are 256-bit random, nothing to guess; the desktop and browser
  // UIs log in with it again and again); wrong keys and password logins are, like on every other login route.
  const keyLimited = {
    config: {
      access: 'public' as const,
      rateLimit: {
        ...LOGIN_RATE_LIMIT,
        hook: 'preHandler' as const,
        allowList: (req: FastifyRequest) => {
          const key = (req.body as { api_key?: unknown } | undefined)?.api_key;
          return typeof key === 'string' && o.auth.isValidKey(key);
        },
      },
    },
  };
  app.get('/login', limited, async (req, reply) => {
    const token = (req.query as Record<string, unknown>).token;
    const session = typeof token === 'string' ? await o.auth.redeemLoginLink(token) : null;
    if (!session) return reply.code(401).type('text/html').send('<!doctype html><title>Vigil</title><p>This login link is invalid or was already used. <a href="/">Log in with the API key</a>.</p>');
    return reply.header('Set-Cookie', sessionCookie(session, SESSION_MAX_AGE_S)).redirect('/', 302);
  });

  app.post('/api/auth/login', keyLimited, async (req, reply) => {
    const body = req.body as { api_key?: unknown; username?: unknown; password?: unknown } | undefined;
    const byPassword = typeof body?.username === 'string' && typeof body.password === 'string';
    if (!byPassword && (!body || typeof body.api_key !== 'string' || body.api_key.length === 0)) {
      throw new ApiError(422, [{ loc: ['body', 'api_key'], msg: 'Required', type: 'missing' }]);
    }
    const session = byPassword ? (await o.auth.passwordLogin(body.username as string, body.password as string)).token : await o.auth.login(body?.api_key as string);
    return reply.header('Set-Cookie', sessionCookie(session, SESSION_MAX_AGE_S)).send({ ok: true });
  });

  app.get('/api/auth/session', PUBLIC, async (req, reply) => {
    let via: string | null = null;
    let role: string | null = null;
    try {
      const p = await o.auth.authenticate(credentialsOf(req, o.settings, false));
      via = p.via;
      role = p.role;
    } catch {
      via = null;
    }
    const authenticated = via !== null && via !== 'media_token';
    return reply.header('Cache-Control', 'no-store').send({ authenticated, auth_required: o.settings.get().auth_required, via: authenticated ? via : null, role: authenticated ? role : null });
  });

  app.post('/api/auth/logout', PUBLIC, async (req, reply) => {
    const s = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    if (s) await o.auth.logout(s);
    return reply.header('Set-Cookie', sessionCookie('', 0)).code(204).send();
  });
  return [
    { method: 'GET', path: '/login', tag: 'auth', doc: 'Redeem the one-time login link printed at start-up; sets a session cookie and redirects to the UI. Rate-limited with the other logins: 5 per 15 minutes per address, then 429 with Retry-After.', public: true, produces: 'text/html' },
    { method: 'POST', path: '/api/auth/login', tag: 'auth', doc: 'Exchange {api_key} (the Iris key or a personal key) or {username, password} for an HttpOnly session cookie holding a signed session token (7 days; it survives a restart). 5 failed or password attempts per 15 minutes per address (a valid key is not counted), then 429 with Retry-After.', public: true },
    { method: 'POST', path: '/api/auth/logout', tag: 'auth', doc: 'End the browser session (the token is revoked, also across a restart).', public: true },
    {
      method: 'GET',
      path: '/api/auth/session',
      tag: 'auth',
      doc: 'Whether this request is signed in, without a 401: {authenticated, auth_required, via, role}. The login screen asks this first, so a browser logs no error before login. A media token or a wrong key answers authenticated: false.',
      public: true,
    },
  ];
}

/** Server-sent events: every push event to any signed-in caller. */
function pushRoutes(app: FastifyInstance, bus: PushBus): RawRouteDoc[] {
  app.get('/api/push', { ...allow('cameras:read'), exposeHeadRoute: false }, (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.write(': connected\n\n');
    // A client that stops reading would otherwise hold every later event in this process's memory.
    const write = (chunk: string) => {
      if (res.writableLength > SSE_MAX_BUFFERED) res.destroy();
      else res.write(chunk);
    };
    const unsubscribe = bus.subscribe((msg) => write(`event: ${msg.name}\ndata: ${JSON.stringify(msg.payload)}\n\n`));
    const ping = setInterval(() => write(': ping\n\n'), 15_000);
    req.raw.on('close', () => {
      clearInterval(ping);
      unsubscribe();
    });
  });
  return [{ method: 'GET', path: '/api/push', tag: 'push', doc: 'Server-sent events: every push event as `event: <name>` with a JSON payload.', produces: 'text/event-stream' }];
}
