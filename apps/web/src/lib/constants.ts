import type {
  AssignableRole,
  AuditAction,
  Language,
  MembershipKind,
  Theme,
  UnitKind,
} from '@teamspiegel/contracts';

// The web app imports only types from the contracts, so the TypeBox runtime stays out of the
// bundle. Records keyed by the contract unions keep these lists complete at compile time.

const unitKinds: Record<UnitKind, true> = {
  corps: true,
  zone: true,
  regional_unit: true,
  district: true,
  basisteam: true,
  service: true,
  team: true,
};
export const UNIT_KIND_LIST = Object.keys(unitKinds) as UnitKind[];

const assignableRoles: Record<AssignableRole, true> = {
  chief: true,
  hr_analyst: true,
  admin: true,
  works_council: true,
};
export const ASSIGNABLE_ROLE_LIST = Object.keys(assignableRoles) as AssignableRole[];

const membershipKinds: Record<MembershipKind, true> = { member: true, lead: true };
export const MEMBERSHIP_KIND_LIST = Object.keys(membershipKinds) as MembershipKind[];

const languages: Record<Language, true> = { nl: true, 'nl-BE': true, en: true };
export const LANGUAGE_LIST = Object.keys(languages) as Language[];

const auditActions: Record<AuditAction, true> = {
  'auth.login': true,
  'auth.login_failed': true,
  'auth.logout': true,
  'auth.password_changed': true,
  'auth.password_change_failed': true,
  'unit.created': true,
  'unit.renamed': true,
  'unit.moved': true,
  'unit.archived': true,
  'person.created': true,
  'person.updated': true,
  'person.deactivated': true,
  'person.account_created': true,
  'membership.added': true,
  'membership.ended': true,
  'role.assigned': true,
  'role.revoked': true,
  'audit.viewed': true,
  'programme.created': true,
  'wave.preparing': true,
  'wave.opened': true,
  'wave.closing': true,
  'wave.closed': true,
  'content.pack_imported': true,
  'results.viewed': true,
  'results.exported': true,
  'results.action_saved': true,
  'retention.purged': true,
  'settings.changed': true,
  'roster_change.proposed': true,
  'roster_change.approved': true,
  'roster_change.rejected': true,
  'roster_change.withdrawn': true,
  'roster_change.failed': true,
  'audit.exported': true,
  'import.dry_run': true,
  'import.applied': true,
  'import.proposed': true,
  'import.discarded': true,
  'import.rejected_exported': true,
};
export const AUDIT_ACTION_LIST = Object.keys(auditActions) as AuditAction[];

export function isAuditAction(value: string | null): value is AuditAction {
  return value !== null && Object.prototype.hasOwnProperty.call(auditActions, value);
}

const themes: Record<Theme, true> = {
  psychological_safety: true,
  inclusion: true,
  inclusive_leadership: true,
  social_safety: true,
  professional_checks: true,
  allies_networks: true,
  recommendation: true,
};
/** The item bank's themes, in the order of docs/content.md. */
export const THEME_LIST = Object.keys(themes) as Theme[];
