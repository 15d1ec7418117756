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
  // --- issue 6: settings ---
  'settings.changed',
  // --- issue 6: retention ---
  // --- issue 6: works council audit ---
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
    /** Small structured facts about the change (old and new names, role, unit). Never answers. */
    details: Type.Record(
      Type.String(),
      Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]),
    ),
  },
  { additionalProperties: false },
);
export type AuditEvent = Static<typeof AuditEvent>;

export const AuditQuery = Type.Object(
  {
    action: Type.Optional(AuditActionSchema),
    actorId: Type.Optional(Id),
    targetId: Type.Optional(Type.String({ maxLength: 100 })),
    from: Type.Optional(Instant),
    to: Type.Optional(Instant),
    ...PagingQuery,
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuery>;

export const AuditPage = Page(AuditEvent);
export type AuditPage = Static<typeof AuditPage>;
