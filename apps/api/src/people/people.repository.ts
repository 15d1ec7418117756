import type {
  Language,
  Membership,
  MembershipKind,
  PersonDetail,
  PersonSummary,
  RoleAssignment,
  AssignableRole,
  UnitKind,
} from '@teamspiegel/contracts';
import type { Db, Person } from '@teamspiegel/db';
import { sql } from 'kysely';
import { currentOn } from '../org/periods.ts';

export function findPerson(db: Db, id: string): Promise<Person | undefined> {
  return db.selectFrom('person').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Paths of the units a person currently belongs to (member or lead). */
export async function currentUnitPaths(db: Db, personId: string, today: string): Promise<string[]> {
  const rows = await db
    .selectFrom('membership')
    .innerJoin('unit', 'unit.id', 'membership.unit_id')
    .select('unit.path')
    .where('membership.person_id', '=', personId)
    .where(currentOn(today))
    .execute();
  return rows.map((r) => r.path);
}

/** Paths of every unit a person was ever placed in, newest first. */
export async function allUnitPaths(db: Db, personId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('membership')
    .innerJoin('unit', 'unit.id', 'membership.unit_id')
    .select('unit.path')
    .where('membership.person_id', '=', personId)
    .orderBy('membership.joined_on', 'desc')
    .execute();
  return rows.map((r) => r.path);
}

/**
 * Where a person belongs for scope checks: their current units; when they have none (they
 * left), the units they were in; an empty list for someone never placed anywhere.
 */
export async function placementPaths(db: Db, personId: string, today: string): Promise<string[]> {
  const current = await currentUnitPaths(db, personId, today);
  return current.length ? current : allUnitPaths(db, personId);
}

export interface PeopleSearch {
  q?: string;
  unitPath?: string;
  includeInactive: boolean;
  page: number;
  pageSize: number;
  /** Subtrees the viewer may see people in. */
  scope: readonly string[];
  /** Whether the viewer may also see people with no current membership (root-level scope). */
  seesUnplaced: boolean;
  today: string;
}

/**
 * People in the viewer's scope: anyone with a current membership in a unit of the scope, and
 * for organisation-wide administrators also those not placed in any unit yet.
 */
export async function searchPeople(
  db: Db,
  s: PeopleSearch,
): Promise<{ items: PersonSummary[]; total: number }> {
  const current = currentOn(s.today, 'm');
  let base = db.selectFrom('person');
  if (!s.includeInactive) base = base.where('person.deactivated_at', 'is', null);
  if (s.q) {
    // Wildcards typed by the user are matched literally.
    const like = `%${s.q.toLowerCase().replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
    base = base.where((eb) =>
      eb.or(
        (['given_name', 'family_name', 'employee_number', 'email'] as const).map(
          (col) => sql<boolean>`lower(${sql.ref(`person.${col}`)}) like ${like} escape '\\'`,
        ),
      ),
    );
  }
  base = base.where((eb) => {
    const inUnits = (prefixes: readonly string[]) =>
      eb.exists(
        eb
          .selectFrom('membership as m')
          .innerJoin('unit as u', 'u.id', 'm.unit_id')
          .select('m.id')
          .whereRef('m.person_id', '=', 'person.id')
          .where(current)
          .where((e) => e.or(prefixes.map((p) => e('u.path', 'like', `${p}%`)))),
      );
    const memberships = (when: typeof current | undefined) => {
      const q = eb
        .selectFrom('membership as m')
        .select('m.id')
        .whereRef('m.person_id', '=', 'person.id');
      return eb.exists(when ? q.where(when) : q);
    };
    const everIn = eb.exists(
      eb
        .selectFrom('membership as m')
        .innerJoin('unit as u', 'u.id', 'm.unit_id')
        .select('m.id')
        .whereRef('m.person_id', '=', 'person.id')
        .where((e) => e.or(s.scope.map((p) => e('u.path', 'like', `${p}%`)))),
    );
    // The same rule as the object-level check: current units; else (left) past units; else
    // (never placed) organisation-wide administrators only.
    const visible = [];
    if (s.scope.length) {
      visible.push(inUnits(s.scope));
      visible.push(eb.and([eb.not(memberships(current)), everIn]));
    }
    if (s.seesUnplaced) visible.push(eb.not(memberships(undefined)));
    const scoped = visible.length ? eb.or(visible) : eb.val(false);
    return s.unitPath ? eb.and([scoped, inUnits([s.unitPath])]) : scoped;
  });

  const [rows, count] = await Promise.all([
    base
      .select([
        'person.id',
        'employee_number',
        'given_name',
        'family_name',
        'email',
        'deactivated_at',
      ])
      .orderBy('family_name')
      .orderBy('given_name')
      .orderBy('person.id')
      .limit(s.pageSize)
      .offset((s.page - 1) * s.pageSize)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const ids = rows.map((r) => r.id);
  const units = ids.length
    ? await db
        .selectFrom('membership')
        .innerJoin('unit', 'unit.id', 'membership.unit_id')
        .select(['membership.person_id', 'unit.name'])
        .where('membership.person_id', 'in', ids)
        .where(currentOn(s.today))
        .execute()
    : [];
  return {
    total: Number(count.n),
    items: rows.map((r) => ({
      id: r.id,
      employeeNumber: r.employee_number,
      givenName: r.given_name,
      familyName: r.family_name,
      email: r.email,
      active: r.deactivated_at === null,
      currentUnits: units.filter((u) => u.person_id === r.id).map((u) => u.name),
    })),
  };
}

export async function personDetail(db: Db, id: string): Promise<PersonDetail> {
  const [person, account, memberships, roles] = await Promise.all([
    db.selectFrom('person').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
    db.selectFrom('account').select('username').where('person_id', '=', id).executeTakeFirst(),
    db
      .selectFrom('membership')
      .innerJoin('unit', 'unit.id', 'membership.unit_id')
      .select([
        'membership.id',
        'membership.unit_id',
        'unit.name',
        'unit.kind as unitKind',
        'membership.kind',
        'membership.joined_on',
        'membership.left_on',
      ])
      .where('membership.person_id', '=', id)
      .orderBy('membership.joined_on', 'desc')
      .execute(),
    db
      .selectFrom('role_assignment')
      .innerJoin('unit', 'unit.id', 'role_assignment.unit_id')
      .select([
        'role_assignment.id',
        'role_assignment.role',
        'unit.id as unitId',
        'unit.name',
        'unit.kind',
      ])
      .where('role_assignment.person_id', '=', id)
      .orderBy('role_assignment.created_at')
      .execute(),
  ]);
  return {
    id: person.id,
    employeeNumber: person.employee_number,
    givenName: person.given_name,
    familyName: person.family_name,
    email: person.email,
    language: person.language as Language,
    active: person.deactivated_at === null,
    username: account?.username ?? null,
    createdAt: person.created_at,
    memberships: memberships.map((m): Membership => ({
      id: m.id,
      unitId: m.unit_id,
      unitName: m.name,
      unitKind: m.unitKind as UnitKind,
      kind: m.kind as MembershipKind,
      joinedOn: m.joined_on,
      leftOn: m.left_on,
    })),
    roleAssignments: roles.map((r): RoleAssignment => ({
      id: r.id,
      role: r.role as AssignableRole,
      unitId: r.unitId,
      unitName: r.name,
      unitKind: r.kind as UnitKind,
    })),
  };
}
