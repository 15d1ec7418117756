import type { Db } from '@teamspiegel/db';
import type { Language, MeResponse, Permission, UnitKind } from '@teamspiegel/contracts';
import { permissionsOf, type Grant } from '@teamspiegel/core';
import { currentOn } from './org/periods.ts';

/** The logged-in person as every request sees them, loaded fresh so revocations apply at once. */
export interface Actor {
  personId: string;
  person: MeResponse['person'];
  username: string;
  mustChangePassword: boolean;
  grants: ActorGrant[];
  permissions: Permission[];
}

/** A grant with the name and kind of its unit, for showing the person their roles. */
export interface ActorGrant extends Grant {
  unitName: string;
  unitKind: UnitKind;
}

/** Assigned roles plus the roles that follow from current memberships (officer, team lead). */
export async function loadGrants(db: Db, personId: string, today: string): Promise<ActorGrant[]> {
  const [assigned, memberships] = await Promise.all([
    db
      .selectFrom('role_assignment')
      .innerJoin('unit', 'unit.id', 'role_assignment.unit_id')
      .select([
        'role_assignment.role',
        'unit.id as unitId',
        'unit.path as unitPath',
        'unit.name',
        'unit.kind',
      ])
      .where('role_assignment.person_id', '=', personId)
      .where('unit.archived_at', 'is', null)
      .execute(),
    db
      .selectFrom('membership')
      .innerJoin('unit', 'unit.id', 'membership.unit_id')
      .select([
        'membership.kind as membershipKind',
        'unit.id as unitId',
        'unit.path as unitPath',
        'unit.name',
        'unit.kind',
      ])
      .where('membership.person_id', '=', personId)
      .where(currentOn(today))
      .execute(),
  ]);
  return [
    ...memberships.map((m) => ({
      role: m.membershipKind === 'lead' ? ('team_lead' as const) : ('officer' as const),
      unitId: m.unitId,
      unitPath: m.unitPath,
      unitName: m.name,
      unitKind: m.kind as UnitKind,
    })),
    ...assigned.map((a) => ({
      role: a.role as Grant['role'],
      unitId: a.unitId,
      unitPath: a.unitPath,
      unitName: a.name,
      unitKind: a.kind as UnitKind,
    })),
  ];
}

/** Null when the person no longer exists, is deactivated or has no account. */
export async function loadActor(db: Db, personId: string, today: string): Promise<Actor | null> {
  const row = await db
    .selectFrom('person')
    .innerJoin('account', 'account.person_id', 'person.id')
    .select([
      'account.username',
      'account.must_change_password',
      'person.employee_number',
      'person.given_name',
      'person.family_name',
      'person.email',
      'person.language',
    ])
    .where('person.id', '=', personId)
    .where('person.deactivated_at', 'is', null)
    .executeTakeFirst();
  if (!row) return null;
  const grants = await loadGrants(db, personId, today);
  return {
    personId,
    person: {
      id: personId,
      employeeNumber: row.employee_number,
      givenName: row.given_name,
      familyName: row.family_name,
      email: row.email,
      language: row.language as Language,
    },
    username: row.username,
    mustChangePassword: row.must_change_password === 1,
    grants,
    permissions: permissionsOf(grants),
  };
}
