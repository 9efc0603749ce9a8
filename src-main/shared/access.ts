// Roles and per-resource permissions (Backflow's RBAC resource types); runtime-free, shared by every transport.
export const ROLES = ['admin', 'operator', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const RESOURCES = ['iot', 'cameras', 'events', 'identities', 'system'] as const;
export type Resource = (typeof RESOURCES)[number];
export type Action = 'read' | 'write';
export type Permission = `${Resource}:${Action}`;

/**
 * admin: everything. operator: live, recordings, events and identities (reads cameras, never changes them or the
 * system). viewer: live only.
 */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: RESOURCES.flatMap((r) => [`${r}:read`, `${r}:write`] as Permission[]),
  operator: ['cameras:read', 'iot:read', 'events:read', 'events:write', 'identities:read', 'identities:write'],
  viewer: ['cameras:read', 'iot:read'],
};

export const can = (role: Role, permission: Permission): boolean => ROLE_PERMISSIONS[role].includes(permission);
