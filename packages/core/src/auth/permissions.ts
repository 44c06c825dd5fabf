/**
 * Roles within an organisation and what each may do. Routes declare the
 * permission they need; this matrix is the single place that answers "may
 * this role do that".
 */
export const ROLES = ['owner', 'admin', 'trader', 'analyst', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'org:read',
  'org:manage', // members, invitations, api keys, organisation settings
  'audit:read',
  'market:read',
  'prices:import',
  'assets:read',
  'assets:write',
  'bids:read',
  'bids:write', // create, edit, submit, cancel
  'settlement:read',
  'optimize:run',
  'backtest:run',
  'forecast:read',
  'forecast:run', // compute a forecast now (CPU-heavy: not for viewers)
  'forecast:manage', // train, promote model versions
  'alerts:manage',
  'usage:read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const READ: Permission[] = [
  'org:read',
  'market:read',
  'assets:read',
  'bids:read',
  'settlement:read',
  'forecast:read',
  'alerts:manage',
  'usage:read',
];

const MATRIX: Record<Role, ReadonlySet<Permission>> = {
  owner: new Set(PERMISSIONS),
  admin: new Set(PERMISSIONS),
  trader: new Set<Permission>([...READ, 'assets:write', 'bids:write', 'optimize:run', 'backtest:run', 'forecast:run']),
  analyst: new Set<Permission>([...READ, 'prices:import', 'optimize:run', 'backtest:run', 'forecast:run', 'forecast:manage']),
  viewer: new Set<Permission>(READ),
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function can(role: Role, permission: Permission): boolean {
  return MATRIX[role].has(permission);
}

export function permissionsOf(role: Role): Permission[] {
  return PERMISSIONS.filter((p) => MATRIX[role].has(p));
}

/** Rank used when an action must not grant more than the actor holds (e.g. inviting). */
export function roleRank(role: Role): number {
  return ROLES.length - ROLES.indexOf(role);
}
