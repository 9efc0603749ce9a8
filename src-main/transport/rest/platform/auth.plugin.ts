// Deny-by-default auth for every route of every family: start-up refuses an undeclared route; each request is
// authenticated and checked against its route's declaration (an unknown path under an API prefix needs a credential).
import { resolve } from 'node:path';
import fp from 'fastify-plugin';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { ApiError } from '../../../shared/errors';
import { can } from '../../../shared/access';
import type { Principal } from '../../../shared/contract';
import type { AuthService, Credentials } from '../../../services/auth.service';
import type { SettingsService } from '../../../services/settings.service';
import { ruleOf, type RouteAccess } from './access';
import { underPrefix } from './family';

export const SESSION_COOKIE = 'vigil_session';

export function parseCookies(header: string | undefined): Record<string, string> {
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

/** Every credential a request carries, for AuthService. */
export function credentialsOf(req: FastifyRequest, settings: SettingsService, withQuery: boolean): Credentials {
  const h = settings.get().sso_email_header?.toLowerCase();
  const hu = settings.get().sso_user_header?.toLowerCase();
  const q = req.query as Record<string, unknown> | undefined;
  return {
    authorization: req.headers.authorization,
    ssoEmail: h ? (req.headers[h] as string | undefined) : undefined,
    ssoUser: hu ? (req.headers[hu] as string | undefined) : undefined,
    session: parseCookies(req.headers.cookie)[SESSION_COOKIE],
    queryToken: withQuery && typeof q?.token === 'string' ? q.token : undefined,
  };
}

export const forbidden = (p: Principal, permission: string): ApiError =>
  new ApiError(403, `Forbidden: this needs the ${permission} permission, which the ${p.role} role does not have.`, {}, { code: 'FORBIDDEN' });

export interface AuthPluginOptions {
  auth: AuthService;
  settings: SettingsService;
  /** Every API prefix of every family (an unknown path under one needs a credential, then gets that family's 404). */
  apiPrefixes: () => string[];
  /** Plugin-registered routes that cannot carry a declaration themselves. */
  rendererDir: string | null;
  docsPrefix: string;
}

const authPlugin: FastifyPluginAsync<AuthPluginOptions> = async (app, o) => {
  app.decorateRequest('principal', null);

  app.addHook('onRoute', (route) => {
    // @fastify/static's one route per built renderer file is the public UI bundle; Swagger UI needs a credential like
    // the API it documents.
    const cfg = route.config as { access?: RouteAccess; rootPath?: string } | undefined;
    if (!cfg?.access && o.rendererDir && cfg?.rootPath !== undefined && resolve(cfg.rootPath) === resolve(o.rendererDir)) route.config = { ...route.config, access: 'public' };
    if (!cfg?.access && underPrefix(route.url, o.docsPrefix)) route.config = { ...route.config, access: 'user' };
    if (!route.config?.access) throw new Error(`route ${String(route.method)} ${route.url} declares no access (public, media, user or a permission)`);
  });

  /** The access a request needs: its route's declaration, or for an unknown path what its prefix would need. */
  const accessOf = (req: FastifyRequest): RouteAccess => {
    const declared = req.routeOptions.config?.access;
    if (declared) return declared;
    const path = req.url.split('?')[0] ?? '/';
    return o.apiPrefixes().some((p) => underPrefix(path, p)) ? 'user' : 'public';
  };

  app.addHook('onRequest', async (req) => {
    const rule = ruleOf(accessOf(req));
    if (rule.auth === 'public') return;
    const principal = await o.auth.authenticate(credentialsOf(req, o.settings, true));
    // The media token rides in <img>/<video> URLs, which leak (history, copied links): it opens media routes and nothing else.
    if (principal.via === 'media_token' && rule.auth !== 'media') throw new ApiError(403, 'The media token only opens media routes; use the API key or a session.');
    if (rule.permission && !can(principal.role, rule.permission)) throw forbidden(principal, rule.permission);
    req.principal = principal;
  });
};

export const authPluginFp = fp(authPlugin, { name: 'vigil-auth' });
