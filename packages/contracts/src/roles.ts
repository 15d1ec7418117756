import { Type } from 'typebox';

/**
 * Roles. `officer` and `team_lead` follow from memberships (everyone in a team is an officer
 * there, a lead membership makes a team lead); the others are assigned, each scoped to a unit
 * and everything below it.
 */
export const ROLES = [
  'officer',
  'team_lead',
  'chief',
  'hr_analyst',
  'admin',
  'works_council',
] as const;
export type Role = (typeof ROLES)[number];
export const RoleSchema = Type.Enum(ROLES);

export const ASSIGNABLE_ROLES = ['chief', 'hr_analyst', 'admin', 'works_council'] as const;
export type AssignableRole = (typeof ASSIGNABLE_ROLES)[number];
export const AssignableRoleSchema = Type.Enum(ASSIGNABLE_ROLES);

/**
 * Permissions a route can require. `public` and `session` are the two that need no role:
 * `public` routes are reachable without logging in, `session` ones by anyone logged in.
 * `anonymous` marks the submission routes, which live outside the session context entirely.
 */
export const PERMISSIONS = [
  'public',
  'session',
  'org:read',
  'org:manage',
  'people:read',
  'people:manage',
  'roles:manage',
  'audit:read',
  'settings:read',
  'settings:manage',
  'survey:manage',
  'anonymous',
] as const;
export type Permission = (typeof PERMISSIONS)[number];
export const PermissionSchema = Type.Enum(PERMISSIONS);
