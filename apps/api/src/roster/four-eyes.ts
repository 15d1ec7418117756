import type { ApprovalBlock, RosterChangeKind } from '@teamspiegel/contracts';
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

/** Whether a making line counts: any person or account, a role only when it approves changes. */
function isMaking(row: { action: string; details: string }): boolean {
  if (row.action !== 'role.assigned') return true;
  const { role } = JSON.parse(row.details) as { role?: string };
  return role !== undefined && APPROVING_ROLES.has(role);
}

/**
 * Each person's maker ancestry: the administrators who made them (their person, account or an
 * approving role), who made those, and so on up to people made by the operator's command line
 * or by nobody. Read level by level, one query per level, whatever the number of people.
 */
export async function ancestriesOf(
  db: Db,
  people: readonly string[],
): Promise<Map<string, Set<string>>> {
  const makersOfTarget = new Map<string, Set<string>>();
  let frontier = [...new Set(people)];
  while (frontier.length) {
    const rows = await db
      .selectFrom('audit_event')
      .select(['action', 'details', 'actor_person_id', 'target_id'])
      .where('target_type', '=', 'person')
      .where('action', 'in', [...MAKING_ACTIONS])
      .where('target_id', 'in', frontier)
      .where('actor_person_id', 'is not', null)
      .execute();
    for (const id of frontier) makersOfTarget.set(id, new Set());
    for (const row of rows) {
      if (!row.target_id || !row.actor_person_id || !isMaking(row)) continue;
      if (row.actor_person_id === row.target_id) continue;
      makersOfTarget.get(row.target_id)!.add(row.actor_person_id);
    }
    frontier = [
      ...new Set(rows.flatMap((r) => (r.actor_person_id ? [r.actor_person_id] : []))),
    ].filter((id) => !makersOfTarget.has(id));
  }
  const ancestries = new Map<string, Set<string>>();
  for (const person of new Set(people)) {
    const seen = new Set<string>();
    const stack = [...(makersOfTarget.get(person) ?? [])];
    while (stack.length) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      stack.push(...(makersOfTarget.get(id) ?? []));
    }
    seen.delete(person);
    ancestries.set(person, seen);
  }
  return ancestries;
}

/**
 * Of `others`, those `person` is related to by making: either is in the other's maker ancestry
 * (one made the other, or made the one who made them), or their ancestries meet (one
 * administrator made both, directly or through others). A sock puppet, or two puppets of one
 * administrator, are one pair of eyes. The operator's command line (actor: none) makes no one
 * related to anyone: administrators who approve each other come from the command line or from
 * different makers.
 */
export async function relatedAmong(
  db: Db,
  person: string,
  others: readonly string[],
): Promise<Set<string>> {
  const ids = [...new Set(others)].filter((id) => id !== person);
  if (!ids.length) return new Set();
  const ancestries = await ancestriesOf(db, [person, ...ids]);
  const mine = ancestries.get(person)!;
  const related = new Set<string>();
  for (const other of ids) {
    const theirs = ancestries.get(other)!;
    if (mine.has(other) || theirs.has(person) || [...mine].some((id) => theirs.has(id))) {
      related.add(other);
    }
  }
  return related;
}

/**
 * The administrators who made `person` (their person, account or an approving role): they and
 * `person` cannot approve each other's changes. The operator's command line is no one.
 */
export async function makersOf(db: Db, person: string): Promise<string[]> {
  const rows = await db
    .selectFrom('audit_event')
    .select(['action', 'details', 'actor_person_id'])
    .where('target_type', '=', 'person')
    .where('action', 'in', [...MAKING_ACTIONS])
    .where('target_id', '=', person)
    .where('actor_person_id', 'is not', null)
    .execute();
  const makers = rows.filter(isMaking);
  return [...new Set(makers.map((row) => row.actor_person_id!))];
}

/** Whether the two are related by making (see relatedAmong). */
export async function oneMadeTheOther(db: Db, a: string, b: string): Promise<boolean> {
  return (await relatedAmong(db, a, [b])).has(b);
}

/**
 * The unit paths a change needs org:manage over to be approved, beyond the units it names: an
 * import reaches the whole organisation (its plan is made again at approval, and it may touch
 * any unit), so its organisation's root; a deactivation ends every membership and role the
 * person has, so every unit where they still hold one.
 */
async function reachOf(db: Db, row: RosterChangeRow, today: string): Promise<string[]> {
  const kind = row.kind as RosterChangeKind;
  if (kind === 'import' || kind === 'freeze_window' || kind === 'retention')
    return [row.organisation_path];
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

export interface Approver {
  personId: string;
  /** Where the approver holds org:manage. */
  scope: readonly string[];
}

/**
 * Why `approver` may not approve a change, or null when they may: it is decided already, it is
 * their own proposal, the two are related by making (a sock puppet is one administrator with two
 * logins; see relatedAmong), or it reaches beyond their org:manage scope. `related` may be given when known for a
 * whole list (relatedAmong); otherwise it is read here.
 */
export async function approvalBlockOf(
  db: Db,
  row: RosterChangeRow,
  approver: Approver,
  today: string,
  related?: ReadonlySet<string>,
): Promise<ApprovalBlock | null> {
  if (row.state !== 'pending') return 'not_pending';
  if (row.proposed_by === approver.personId) return 'own_proposal';
  const made = related
    ? related.has(row.proposed_by)
    : await oneMadeTheOther(db, row.proposed_by, approver.personId);
  if (made) return 'related';
  const reach = await reachOf(db, row, today);
  if (!reach.every((path) => isInScope(approver.scope, path))) return 'out_of_scope';
  return null;
}

/**
 * Four eyes, checked before anything of an approval is applied: the approver is not the
 * proposer nor one of the two made the other, and the approver holds org:manage over all the
 * change reaches. Two people made by one administrator (or by a chain from one) are one pair of
 * eyes too. Administrators the operator made with the command line are made by no
 * administrator, so two of them approve each other's changes (docs/operations.md).
 */
export async function assertMayApprove(
  db: Db,
  row: RosterChangeRow,
  approver: Approver,
  today: string,
): Promise<void> {
  const block = await approvalBlockOf(db, row, approver, today);
  if (block === 'not_pending') {
    throw conflict('roster_change_not_pending', 'This change has already been decided.');
  }
  if (block === 'own_proposal') {
    throw conflict(
      'four_eyes_required',
      'A second administrator must approve this change: you cannot approve your own proposal.',
    );
  }
  if (block === 'related') {
    throw conflict(
      'four_eyes_related',
      'You and the proposer were made by one another, or by the same administrator (their account or administrator role), so your approval would not be a second pair of eyes. Another administrator, or one appointed by the operator, must approve.',
    );
  }
  if (block === 'out_of_scope') throw forbidden();
}
