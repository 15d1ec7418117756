import type { FastifyRequest } from 'fastify';
import { IdParams, type Permission } from '@teamspiegel/contracts';
import { isInScope, isRootPath, scopeOf } from '@teamspiegel/core';
import type { Db, Person } from '@teamspiegel/db';
import type { Actor } from '../access.repository.ts';
import { conflict, forbidden, notFound } from '../errors.ts';
import { actorOf } from '../plugins/authz.ts';
import { findPerson, placementPaths } from './people.repository.ts';

export const PersonParams = IdParams('personId');

/** The unit path a person's audit events are filed under. */
export async function placementPathOf(
  db: Db,
  personId: string,
  today: string,
): Promise<string | null> {
  return (await placementPaths(db, personId, today))[0] ?? null;
}

/**
 * Object-level check for a person: they must belong now to a unit in the actor's scope (or,
 * having left, have belonged to one), or never have been placed and the actor's scope be a
 * whole organisation.
 */
export async function personInScope(
  db: Db,
  actor: Actor,
  permission: Permission,
  id: string,
  today: string,
): Promise<Person> {
  const person = await findPerson(db, id);
  if (!person) throw notFound('This person');
  const scope = scopeOf(actor.grants, permission);
  const paths = await placementPaths(db, id, today);
  const visible = paths.length ? paths.some((p) => isInScope(scope, p)) : scope.some(isRootPath);
  if (!visible) throw forbidden();
  return person;
}

/**
 * A change to a person needs more than seeing them: everything they are (every current unit
 * and every assigned role) must lie in the actor's scope, so an administrator of one team
 * cannot deactivate, re-role or take over the account of someone who holds a role above it.
 */
async function assertWhollyInScope(
  db: Db,
  actor: Actor,
  permission: Permission,
  personId: string,
  today: string,
): Promise<void> {
  const scope = scopeOf(actor.grants, permission);
  const [paths, roles] = await Promise.all([
    placementPaths(db, personId, today),
    db
      .selectFrom('role_assignment')
      .innerJoin('unit', 'unit.id', 'role_assignment.unit_id')
      .select('unit.path')
      .where('role_assignment.person_id', '=', personId)
      .execute(),
  ]);
  const everything = [...paths, ...roles.map((r) => r.path)];
  if (!everything.every((path) => isInScope(scope, path))) throw forbidden();
}

export function assertActive(person: Person) {
  if (person.deactivated_at) throw conflict('person_inactive', 'This person is deactivated.');
}

/**
 * The actor and the person a change is about: the person must be wholly in the actor's scope
 * for the permission and still active.
 */
export async function activePersonInScope(
  db: Db,
  request: Pick<FastifyRequest, 'actor'> & { params: { personId: string } },
  permission: Permission,
  today: string,
): Promise<{ actor: Actor; person: Person }> {
  const actor = actorOf(request);
  const person = await personInScope(db, actor, permission, request.params.personId, today);
  await assertWhollyInScope(db, actor, permission, person.id, today);
  assertActive(person);
  return { actor, person };
}
