/**
 * Who may do what, and where. Pure rules: the API loads grants, these functions decide.
 */
import type { Permission, Role } from '@teamspiegel/contracts';

/** What each role allows. Deny by default: a permission not listed here is held by nobody. */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  officer: [],
  team_lead: [],
  chief: ['org:read'],
  hr_analyst: ['org:read'],
  admin: [
    'org:read',
    'org:manage',
    'people:read',
    'people:manage',
    'roles:manage',
    'audit:read',
    'settings:read',
    'settings:manage',
    'survey:manage',
  ],
  // The works council checks the promises: settings and audit log, never people or results.
  works_council: ['org:read', 'audit:read', 'settings:read'],
};

/** A role held at a unit, and so over everything below it. */
export interface Grant {
  role: Role;
  unitId: string;
  /** Materialised path of the unit, '/root/.../unit/'. */
  unitPath: string;
}

/** Every permission a set of grants gives, including the two that need no role. */
export function permissionsOf(grants: readonly Grant[]): Permission[] {
  const held = new Set<Permission>(['public', 'session']);
  for (const grant of grants) {
    for (const permission of ROLE_PERMISSIONS[grant.role]) held.add(permission);
  }
  return [...held];
}

/**
 * The subtrees (as path prefixes) where a permission holds. Nested prefixes are folded
 * into their ancestor so callers build the smallest filter.
 */
export function scopeOf(grants: readonly Grant[], permission: Permission): string[] {
  const prefixes = grants
    .filter((g) => ROLE_PERMISSIONS[g.role].includes(permission))
    .map((g) => g.unitPath)
    .sort((a, b) => a.length - b.length);
  const folded: string[] = [];
  for (const prefix of prefixes) {
    if (!folded.some((outer) => prefix.startsWith(outer))) folded.push(prefix);
  }
  return folded;
}

/** Object-level check: is a unit (by its path) inside one of the scope prefixes? */
export function isInScope(scope: readonly string[], unitPath: string): boolean {
  return scope.some((prefix) => unitPath.startsWith(prefix));
}

/** The organisation (root unit) a unit belongs to, as a path: '/root/'. */
export function organisationOf(path: string): string {
  return `/${path.split('/').filter(Boolean)[0] ?? ''}/`;
}

/** A root unit's path has exactly one id: '/id/'. */
export function isRootPath(path: string): boolean {
  return path.split('/').filter(Boolean).length === 1;
}
