import type { Unit as UnitDto, UnitKind } from '@teamspiegel/contracts';
import type { Db, Unit } from '@teamspiegel/db';
import { sql } from 'kysely';
import { currentOn } from './periods.ts';

export function findUnit(db: Db, id: string): Promise<Unit | undefined> {
  return db.selectFrom('unit').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Units with the number of their current members (of the unit itself, not its subtree),
 * counted per unit through the (unit_id, joined_on) index.
 */
function unitsWithCounts(db: Db, today: string) {
  return db.selectFrom('unit').select((eb) => [
    'unit.id',
    'unit.parent_id',
    'unit.code',
    'unit.name',
    'unit.kind',
    'unit.archived_at',
    eb
      .selectFrom('membership')
      .select((m) => m.fn.countAll<number>().as('n'))
      .whereRef('membership.unit_id', '=', 'unit.id')
      .where(currentOn(today))
      .as('memberCount'),
  ]);
}

type UnitWithCountRow = Pick<
  Unit,
  'id' | 'parent_id' | 'code' | 'name' | 'kind' | 'archived_at'
> & {
  memberCount: number | null;
};

function toDto(r: UnitWithCountRow): UnitDto {
  return {
    id: r.id,
    parentId: r.parent_id,
    code: r.code,
    name: r.name,
    kind: r.kind as UnitKind,
    archived: r.archived_at !== null,
    memberCount: Number(r.memberCount ?? 0),
  };
}

/** Every unit inside the scope prefixes, parents before children. */
export async function listUnits(
  db: Db,
  scope: readonly string[],
  today: string,
): Promise<UnitDto[]> {
  if (!scope.length) return [];
  const rows = await unitsWithCounts(db, today)
    .where((eb) => eb.or(scope.map((prefix) => eb('unit.path', 'like', `${prefix}%`))))
    .orderBy('unit.path')
    .execute();
  return rows.map(toDto);
}

export async function unitWithCount(db: Db, id: string, today: string): Promise<UnitDto> {
  return toDto(
    await unitsWithCounts(db, today).where('unit.id', '=', id).executeTakeFirstOrThrow(),
  );
}

export async function childrenOf(db: Db, id: string, today: string): Promise<UnitDto[]> {
  const rows = await unitsWithCounts(db, today)
    .where('unit.parent_id', '=', id)
    .orderBy('unit.name')
    .execute();
  return rows.map(toDto);
}

export async function ancestorsOf(db: Db, unit: Unit) {
  const ids = unit.path.split('/').filter((id) => id && id !== unit.id);
  if (!ids.length) return [];
  const rows = await db
    .selectFrom('unit')
    .select(['id', 'name', 'kind', 'path'])
    .where('id', 'in', ids)
    .execute();
  return rows
    .sort((a, b) => a.path.length - b.path.length)
    .map((r) => ({ id: r.id, name: r.name, kind: r.kind as UnitKind, path: r.path }));
}

export function currentMembers(db: Db, unitId: string, today: string) {
  return db
    .selectFrom('membership')
    .innerJoin('person', 'person.id', 'membership.person_id')
    .select([
      'membership.id as membershipId',
      'person.id as personId',
      'person.given_name as givenName',
      'person.family_name as familyName',
      'person.employee_number as employeeNumber',
      'membership.kind',
      'membership.joined_on as joinedOn',
    ])
    .where('membership.unit_id', '=', unitId)
    .where(currentOn(today))
    .orderBy('membership.kind', 'desc')
    .orderBy('person.family_name')
    .execute();
}

/** Re-roots a subtree: every descendant's path swaps the old prefix for the new one. */
export async function moveSubtree(db: Db, unit: Unit, newParentId: string, newPath: string) {
  await db.updateTable('unit').set({ parent_id: newParentId }).where('id', '=', unit.id).execute();
  await db
    .updateTable('unit')
    .set({ path: sql<string>`${newPath} || substr(path, ${unit.path.length + 1})` })
    .where('path', 'like', `${unit.path}%`)
    .execute();
}
