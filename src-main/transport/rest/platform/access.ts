// Route access declarations: every route says who may call it; the auth plugin refuses to start a route that does not.
import type { Permission } from '../../../shared/access';
import type { Principal } from '../../../shared/contract';

/**
 * - public: no credential (health, logins).
 * - user: any credential except the media token (a signed-in principal of any role).
 * - media: a credential or the per-launch media token (raw media that <img>/<video> load).
 * - a permission (`cameras:read`, `iot:write`, …): a credential whose role grants it; the media token is refused.
 * - { media: permission }: a media route that also needs the permission when a user calls it.
 */
export type RouteAccess = 'public' | 'user' | 'media' | Permission | { media: Permission };

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

type Decl = { config: { access: RouteAccess } };
export const PUBLIC: Decl = { config: { access: 'public' } };
export const USER: Decl = { config: { access: 'user' } };
export const MEDIA: Decl = { config: { access: 'media' } };
/** A route that needs `permission`. */
export const allow = (permission: Permission): Decl => ({ config: { access: permission } });
/** A media route (the media token opens it) that needs `permission` from a user. */
export const media = (permission: Permission): Decl => ({ config: { access: { media: permission } } });

export interface AccessRule {
  auth: 'public' | 'user' | 'media';
  permission: Permission | null;
}

export function ruleOf(a: RouteAccess): AccessRule {
  if (typeof a === 'object') return { auth: 'media', permission: a.media };
  if (a === 'public' || a === 'user' || a === 'media') return { auth: a, permission: null };
  return { auth: 'user', permission: a };
}

/** The REST access of a contract operation: its own declaration, else its tag's resource and read/write by method. */
export function contractAccess(def: { method: string; path: string; tag: string; access?: 'public' | 'user' | Permission }): RouteAccess {
  if (def.access) return def.access;
  const resource = TAG_RESOURCE[def.tag] ?? 'system';
  // Keys, users and the media token are the admin's alone, whatever the method.
  if (def.tag === 'auth' || def.tag === 'users') return 'system:write';
  return `${resource}:${def.method === 'GET' ? 'read' : 'write'}`;
}

const TAG_RESOURCE: Record<string, 'cameras' | 'events' | 'identities' | 'system'> = {
  cameras: 'cameras',
  live: 'cameras',
  events: 'events',
  recordings: 'events',
  storage: 'system',
  people: 'identities',
  faces: 'identities',
  'face-groups': 'identities',
  identities: 'identities',
  search: 'identities',
  streams: 'cameras',
  system: 'system',
};
