// What each role may open in the UI, mirroring the server's role permissions (shared/access.ts), so a viewer or operator
// is never shown a screen that would only answer 403.
import { can, type Permission, type Role } from '../../src-main/shared/access';

/** The permission a screen needs to be useful. */
const SCREEN_NEEDS: Record<string, Permission> = {
  live: 'cameras:read',
  timeline: 'events:read',
  events: 'events:read',
  cameras: 'cameras:write',
  system: 'system:read',
  people: 'identities:read',
  identities: 'identities:read',
  'face-groups': 'identities:read',
  analytics: 'identities:read',
  streams: 'cameras:write',
};

/** Null role: the desktop app or an admin credential (IPC, the API key): everything. */
export function canOpen(screen: string, role: Role | null): boolean {
  if (role === null) return true;
  const need = SCREEN_NEEDS[screen];
  return need === undefined ? role === 'admin' : can(role, need);
}

/** Where a role lands: Live for everyone who can watch, else the first screen it may open. */
export function landingFor(role: Role | null, screens: readonly string[], preferred: string): string {
  if (canOpen(preferred, role)) return preferred;
  return screens.find((s) => canOpen(s, role)) ?? 'live';
}
