import type { RosterChangeKind } from '@teamspiegel/contracts';
import { isInScope, ROLE_PERMISSIONS } from '@teamspiegel/core';
import type { Db, RosterChangeRow } from '@teamspiegel/db';
import { conflict, forbidden } from '../errors.ts';
import { notEndedBy } from '../org/periods.ts';

/**
 * Who made an administrator what they are, read from the audit log. The log is the source
 * rather than new `created_by`/`granted_by` columns: it is append-only (the database refuses
 * edits and deletions of it), every one of these acts already writes its line with the actor's
 * id in the act's own transaction (the routes, and init-organisation for the first
 * administrator, whose actor is nobody; the HR import makes no accounts and grants no roles),
 * and it keeps the history:
 * a role revoked and granted again, an account removed and made again, are all still there,
 * where a column would hold only the latest. A reset of an account, once there is one, is
 * audited and belongs in this list.
 */
const MAKING_ACTIONS = ['person.created', 'person.account_created', 'role.assigned'] as const;

/** The roles whose holders approve roster changes (they hold org:manage). */
const APPROVING_ROLES: ReadonlySet<string> = new Set(
  Object.entries(ROLE_PERMISSIONS)
    .filter(([, permissions]) => permissions.includes('org:manage'))
    .map(([role]) => role),
);

/**
 * Whether one of the two made the other: created their person, created their account (whose
 * temporary password came back to the maker) or granted them a role that approves changes.
 * Either way round: a proposer approving through a person they made is one pair of eyes, and
 * so is an administrator approving what a person they made proposed.
 */
export async function oneMadeTheOther(db: Db, a: string, b: string): Promise<boolean> {
  const rows = await db
    .selectFrom('audit_event')
    .select(['action', 'details'])
    .where('target_type', '=', 'person')
    .where('action', 'in', [...MAKING_ACTIONS])
    .where((eb) =>
      eb.or([
        eb.and([eb('actor_person_id', '=', a), eb('target_id', '=', b)]),
        eb.and([eb('actor_person_id', '=', b), eb('target_id', '=', a)]),
      ]),
    )
    .execute();
  return rows.some((row) => {
    if (row.action !== 'role.assigned') return true;
    const { role } = JSON.parse(row.details) as { role?: string };
    return role !== undefined && APPROVING_ROLES.has(role);
  });
}

/**
 * The unit paths a change needs org:manage over to be approved, beyond the units it names: an
 * import reaches the whole organisation (its plan is made again at approval, and it may touch
 * any unit), so its organisation's root; a deactivation ends every membership and role the
 * person has, so every unit where they still hold one.
 */
async function reachOf(db: Db, row: RosterChangeRow, today: string): Promise<string[]> {
  const kind = row.kind as RosterChangeKind;
  if (kind === 'import') return [row.organisation_path];
  if (kind !== 'person_deactivate') return [];
  const { personId } = JSON.parse(row.payload) as { personId: string };
  const [memberships, roles] = await Promise.all([
    db
      .selectFrom('membership')
      .innerJoin('unit', 'unit.id', 'membership.unit_id')
      .select('unit.path')
      .where('membership.person_id', '=', personId)
      .where(notEndedBy(today))
      .execute(),
    db
      .selectFrom('role_assignment')
      .innerJoin('unit', 'unit.id', 'role_assignment.unit_id')
      .select('unit.path')
      .where('role_assignment.person_id', '=', personId)
      .execute(),
  ]);
  return [...memberships, ...roles].map((r) => r.path);
}

/**
 * Four eyes, checked before anything of an approval is applied: the approver is not the
 * proposer nor one of the two made the other (a sock puppet is one administrator with two
 * logins), and the approver holds org:manage over all the change reaches. Residual: two
 * persons made by a third administrator are not seen as one; the audit log shows all of it.
 */
export async function assertMayApprove(
  db: Db,
  row: RosterChangeRow,
  approver: { personId: string; scope: readonly string[] },
  today: string,
): Promise<void> {
  if (
    row.proposed_by === approver.personId ||
    (await oneMadeTheOther(db, row.proposed_by, approver.personId))
  ) {
    throw conflict(
      'four_eyes_required',
      'A second administrator must approve this change: not its proposer, nor anyone whose person, account or administrator role one of the two created for the other.',
    );
  }
  const reach = await reachOf(db, row, today);
  if (!reach.every((path) => isInScope(approver.scope, path))) throw forbidden();
}
