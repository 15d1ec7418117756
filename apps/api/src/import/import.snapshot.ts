import { createHash } from 'node:crypto';
import type { Language, MembershipKind, UnitKind } from '@teamspiegel/contracts';
import type { RosterSnapshot, SnapshotPerson } from '@teamspiegel/core';
import type { Db } from '@teamspiegel/db';
import { sql } from 'kysely';
import { turn } from './import.apply.ts';

/**
 * The organisation's roster as plain data for planning, in a few whole-table queries (no
 * per-row look-ups: 65,000 people load in well under a second).
 */
export async function loadSnapshot(
  db: Db,
  rootId: string,
): Promise<RosterSnapshot & { rootPath: string }> {
  const rootPath = `/${rootId}/`;
  // One after another with a turn between: each whole-table read holds the event loop.
  const units = await db
    .selectFrom('unit')
    .select(['id', 'code', 'name', 'kind', 'parent_id', 'archived_at'])
    .where('path', 'like', `${rootPath}%`)
    .execute();
  await turn();
  const foreign = await db
    .selectFrom('unit')
    .select('code')
    .where('path', 'not like', `${rootPath}%`)
    .execute();
  await turn();
  const people = await db
    .selectFrom('person')
    .select([
      'id',
      'employee_number',
      'given_name',
      'family_name',
      'email',
      'language',
      'deactivated_at',
    ])
    .execute();
  await turn();
  // Whether each placement is in this organisation, answered by SQLite: reading the unit's
  // path for each of 68,000 memberships held tens of MB of path strings for a moment.
  const placements = await db
    .selectFrom('membership')
    .innerJoin('unit', 'unit.id', 'membership.unit_id')
    .select('membership.person_id')
    .select(sql<number>`unit.path like ${`${rootPath}%`}`.as('inside'))
    .execute();
  await turn();
  const memberships = await db
    .selectFrom('membership')
    .innerJoin('unit', 'unit.id', 'membership.unit_id')
    .select([
      'membership.id',
      'membership.person_id',
      'membership.unit_id',
      'membership.kind',
      'membership.joined_on',
      'membership.left_on',
    ])
    .where('unit.path', 'like', `${rootPath}%`)
    .execute();
  await turn();
  // A role counts as much as a membership: an administrator of another organisation without a
  // membership anywhere is still that organisation's, and no import of this one may touch them.
  const roles = await db
    .selectFrom('role_assignment')
    .innerJoin('unit', 'unit.id', 'role_assignment.unit_id')
    .select(['role_assignment.person_id', 'unit.path'])
    .where('unit.path', 'not like', `${rootPath}%`)
    .execute();
  await turn();
  const placed = new Map<string, 'this' | 'other'>();
  for (const p of placements) {
    if (!p.inside) placed.set(p.person_id, 'other');
    else if (!placed.has(p.person_id)) placed.set(p.person_id, 'this');
  }
  // Anything outside the organisation makes the person another organisation's.
  for (const r of roles) placed.set(r.person_id, 'other');
  return {
    rootId,
    rootPath,
    units: units.map((u) => ({
      id: u.id,
      code: u.code,
      name: u.name,
      kind: u.kind as UnitKind,
      parentId: u.parent_id,
      archived: u.archived_at !== null,
    })),
    foreignUnitCodes: new Set(foreign.map((f) => f.code)),
    people: people.map((p): SnapshotPerson => ({
      id: p.id,
      employeeNumber: p.employee_number,
      givenName: p.given_name,
      familyName: p.family_name,
      email: p.email,
      language: p.language as Language,
      active: p.deactivated_at === null,
      organisation: placed.get(p.id) ?? 'none',
    })),
    memberships: memberships.map((m) => ({
      id: m.id,
      personId: m.person_id,
      unitId: m.unit_id,
      kind: m.kind as MembershipKind,
      joinedOn: m.joined_on,
      leftOn: m.left_on,
    })),
  };
}

/** A fingerprint of the roster a plan was made against: apply refuses when it changed. */
export function rosterHash(s: RosterSnapshot): string {
  const steps = rosterHashSteps(s);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** rosterHash in steps of a few thousand rows (run with `stepped`). */
export function* rosterHashSteps(s: RosterSnapshot): Generator<void, string, void> {
  const hash = createHash('sha256');
  const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  let n = 0;
  for (const u of [...s.units].sort(byId))
    hash.update(`u|${u.id}|${u.code}|${u.name}|${u.kind}|${u.parentId}|${u.archived}\n`);
  yield;
  const people = [...s.people].sort(byId);
  yield;
  for (const p of people) {
    if (++n % 5000 === 0) yield;
    hash.update(
      `p|${p.id}|${p.employeeNumber}|${p.givenName}|${p.familyName}|${p.email}|${p.language}|${p.active}|${p.organisation}\n`,
    );
  }
  const memberships = [...s.memberships].sort(byId);
  yield;
  for (const m of memberships) {
    if (++n % 5000 === 0) yield;
    hash.update(`m|${m.id}|${m.personId}|${m.unitId}|${m.kind}|${m.joinedOn}|${m.leftOn}\n`);
  }
  for (const c of [...s.foreignUnitCodes].sort()) hash.update(`f|${c}\n`);
  return hash.digest('hex');
}
