import { Type, type Static } from 'typebox';
import { Id, Instant, Page, PagingQuery } from './common.ts';

export const AUDIT_ACTIONS = [
  'auth.login',
  'auth.login_failed',
  'auth.logout',
  'auth.password_changed',
  'auth.password_change_failed',
  'unit.created',
  'unit.renamed',
  'unit.moved',
  'unit.archived',
  'person.created',
  'person.updated',
  'person.deactivated',
  'person.account_created',
  'membership.added',
  'membership.ended',
  'role.assigned',
  'role.revoked',
  'audit.viewed',
  'programme.created',
  'content.pack_imported',
  'wave.preparing',
  'wave.opened',
  'wave.closing',
  'wave.closed',
  'results.viewed',
  'results.exported',
  'results.action_saved',
  // --- issue 6: roster freeze ---
  'roster_change.proposed',
  'roster_change.approved',
  'roster_change.rejected',
  'roster_change.withdrawn',
  'roster_change.failed',
  // --- issue 6: import ---
  'import.dry_run',
  'import.applied',
  'import.proposed',
  'import.discarded',
  'import.rejected_exported',
  // --- issue 6: settings ---
  'settings.changed',
  // --- issue 6: retention ---
  'retention.purged',
  // --- issue 6: works council audit ---
  'audit.exported',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
export const AuditActionSchema = Type.Enum(AUDIT_ACTIONS);

export const AuditEvent = Type.Object(
  {
    id: Id,
    at: Instant,
    actorId: Type.Union([Id, Type.Null()]),
    actorName: Type.Union([Type.String(), Type.Null()]),
    action: AuditActionSchema,
    targetType: Type.Union([Type.String(), Type.Null()]),
    targetId: Type.Union([Type.String(), Type.Null()]),
    /**
     * The target's name where the server can name it cheaply: a unit's or organisation's name,
     * a programme's name, a person's name only for readers who may read people (admins; the
     * works council sees people by their role in the log, not by name). Null otherwise.
     */
    targetLabel: Type.Union([Type.String(), Type.Null()]),
    /** Small structured facts about the change (old and new names, role, unit). Never answers. */
    details: Type.Record(
      Type.String(),
      Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]),
    ),
  },
  { additionalProperties: false },
);
export type AuditEvent = Static<typeof AuditEvent>;

/**
 * Actions fall in groups by the part before the dot (auth, wave, results, settings, ...), so a
 * reader checking one promise filters all its actions at once.
 */
export const AUDIT_ACTION_GROUPS: readonly string[] = [
  ...new Set(AUDIT_ACTIONS.map((action) => action.slice(0, action.indexOf('.')))),
];
/** The actions of a group, for the filter. */
export function actionsOfGroup(group: string): AuditAction[] {
  return AUDIT_ACTIONS.filter((action) => action.startsWith(`${group}.`));
}

/** The filters of the audit log, shared by the page and the CSV export. */
export const AuditFilters = {
  action: Type.Optional(AuditActionSchema),
  group: Type.Optional(Type.Enum([...AUDIT_ACTION_GROUPS])),
  actorId: Type.Optional(Id),
  /** Part of the actor's name, case-insensitive. */
  actorName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  targetType: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  targetId: Type.Optional(Type.String({ maxLength: 100 })),
  from: Type.Optional(Instant),
  to: Type.Optional(Instant),
};

export const AuditQuery = Type.Object(
  { ...AuditFilters, ...PagingQuery },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuery>;

export const AuditExportQuery = Type.Object(AuditFilters, { additionalProperties: false });
export type AuditExportQuery = Static<typeof AuditExportQuery>;

export const AuditPage = Page(AuditEvent);
export type AuditPage = Static<typeof AuditPage>;
