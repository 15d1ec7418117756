import type { Language, MeResponse, UnitKind } from '@teamspiegel/contracts';
import type { Db } from '@teamspiegel/db';
import type { Actor } from '../access.repository.ts';

export async function loadMe(db: Db, actor: Actor): Promise<MeResponse> {
  const person = await db
    .selectFrom('person')
    .select(['id', 'employee_number', 'given_name', 'family_name', 'email', 'language'])
    .where('id', '=', actor.personId)
    .executeTakeFirstOrThrow();
  const unitIds = [...new Set(actor.grants.map((g) => g.unitId))];
  const units = unitIds.length
    ? await db.selectFrom('unit').select(['id', 'name', 'kind']).where('id', 'in', unitIds).execute()
    : [];
  const unitById = new Map(units.map((u) => [u.id, u]));
  return {
    person: {
      id: person.id,
      employeeNumber: person.employee_number,
      givenName: person.given_name,
      familyName: person.family_name,
      email: person.email,
      language: person.language as Language,
    },
    username: actor.username,
    mustChangePassword: actor.mustChangePassword,
    roles: actor.grants.map((g) => {
      const unit = unitById.get(g.unitId);
      return {
        role: g.role,
        unitId: g.unitId,
        unitName: unit?.name ?? '',
        unitKind: (unit?.kind ?? 'team') as UnitKind,
      };
    }),
    permissions: actor.permissions,
  };
}
