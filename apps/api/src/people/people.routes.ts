import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  AddMembershipBody,
  AssignRoleBody,
  CreateAccountBody,
  CreateAccountResponse,
  CreatePersonBody,
  EndMembershipBody,
  IdParams,
  PeoplePage,
  PeopleQuery,
  PersonDetail,
  UpdatePersonBody,
  type Permission,
} from '@teamspiegel/contracts';
import { isCurrentOn, isInScope, isRootPath, periodsOverlap, scopeOf } from '@teamspiegel/core';
import type { Db, Person } from '@teamspiegel/db';
import type { Actor } from '../access.repository.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { hashPassword, temporaryPassword } from '../auth/passwords.ts';
import { type Clock, dateOf } from '../clock.ts';
import { AppError, badRequest, conflict, forbidden, notFound } from '../errors.ts';
import { errorResponses } from '../http.ts';
import { unitInScope } from '../org/units.routes.ts';
import { actorOf } from '../plugins/authz.ts';
import { findPerson, personDetail, placementPaths, searchPeople } from './people.repository.ts';
import { endSessionsOf } from '../plugins/session-store.ts';

/** The unit path a person's audit events are filed under. */
async function placementPathOf(db: Db, personId: string, today: string): Promise<string | null> {
  return (await placementPaths(db, personId, today))[0] ?? null;
}

/**
 * Object-level check for a person: they must belong now to a unit in the actor's scope (or,
 * having left, have belonged to one), or never have been placed and the actor's scope be a
 * whole organisation.
 */
async function personInScope(
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

function assertActive(person: Person) {
  if (person.deactivated_at) throw conflict('person_inactive', 'This person is deactivated.');
}

const PersonParams = IdParams('personId');

export function peopleRoutes(app: FastifyInstance, opts: { db: Db; clock: Clock }) {
  const { db, clock } = opts;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const today = () => dateOf(clock.now());

  r.get(
    '/api/v1/people',
    {
      config: { permission: 'people:read' },
      schema: { querystring: PeopleQuery, response: { 200: PeoplePage, ...errorResponses } },
    },
    async (request) => {
      const actor = actorOf(request);
      const { q, unitId, includeInactive, page = 1, pageSize = 25 } = request.query;
      const scope = scopeOf(actor.grants, 'people:read');
      const unitPath = unitId
        ? (await unitInScope(db, actor, 'people:read', unitId)).path
        : undefined;
      const result = await searchPeople(db, {
        q: q?.trim() || undefined,
        unitPath,
        includeInactive: includeInactive ?? false,
        page,
        pageSize,
        scope,
        seesUnplaced: scope.some(isRootPath),
        today: today(),
      });
      return { ...result, page, pageSize };
    },
  );

  r.get(
    '/api/v1/people/:personId',
    {
      config: { permission: 'people:read' },
      schema: { params: PersonParams, response: { 200: PersonDetail, ...errorResponses } },
    },
    async (request) => {
      const person = await personInScope(
        db,
        actorOf(request),
        'people:read',
        request.params.personId,
        today(),
      );
      return personDetail(db, person.id);
    },
  );

  r.post(
    '/api/v1/people',
    {
      config: { permission: 'people:manage' },
      schema: { body: CreatePersonBody, response: { 201: PersonDetail, ...errorResponses } },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      // A person placed nowhere is visible only organisation-wide, so only such admins create them.
      const manageScope = scopeOf(actor.grants, 'people:manage');
      if (!manageScope.some(isRootPath)) throw forbidden();
      const managedOrganisations = [...new Set(manageScope.filter(isRootPath))];
      const body = request.body;
      const id = randomUUID();
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const taken = await trx
          .selectFrom('person')
          .select('id')
          .where('employee_number', '=', body.employeeNumber)
          .executeTakeFirst();
        if (taken)
          throw conflict(
            'employee_number_taken',
            'Another person already has this employee number.',
          );
        await trx
          .insertInto('person')
          .values({
            id,
            employee_number: body.employeeNumber,
            given_name: body.givenName,
            family_name: body.familyName,
            email: body.email,
            language: body.language,
            deactivated_at: null,
            created_at: now.toISOString(),
          })
          .execute();
        await recordAudit(trx, now, {
          actorId: actor.personId,
          // A new person is placed nowhere yet: file it under the creator's organisation if one.
          scopePath: managedOrganisations.length === 1 ? managedOrganisations[0]! : null,
          action: 'person.created',
          targetType: 'person',
          targetId: id,
          details: { employeeNumber: body.employeeNumber },
        });
      });
      return reply.status(201).send(await personDetail(db, id));
    },
  );

  r.patch(
    '/api/v1/people/:personId',
    {
      config: { permission: 'people:manage' },
      schema: {
        params: PersonParams,
        body: UpdatePersonBody,
        response: { 200: PersonDetail, ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const person = await personInScope(
        db,
        actor,
        'people:manage',
        request.params.personId,
        today(),
      );
      assertActive(person);
      const { givenName, familyName, email, language } = request.body;
      const changes = {
        ...(givenName !== undefined && { given_name: givenName }),
        ...(familyName !== undefined && { family_name: familyName }),
        ...(email !== undefined && { email }),
        ...(language !== undefined && { language }),
      };
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('person').set(changes).where('id', '=', person.id).execute();
        await recordAudit(trx, now, {
          actorId: actor.personId,
          scopePath: await placementPathOf(trx, person.id, dateOf(now)),
          action: 'person.updated',
          targetType: 'person',
          targetId: person.id,
          details: { fields: Object.keys(changes).join(',') },
        });
      });
      return personDetail(db, person.id);
    },
  );

  r.post(
    '/api/v1/people/:personId/deactivate',
    {
      config: { permission: 'people:manage' },
      schema: { params: PersonParams, response: { 200: PersonDetail, ...errorResponses } },
    },
    async (request) => {
      const actor = actorOf(request);
      const person = await personInScope(
        db,
        actor,
        'people:manage',
        request.params.personId,
        today(),
      );
      assertActive(person);
      if (person.id === actor.personId) throw forbidden();
      const now = clock.now();
      const date = dateOf(now);
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('person')
          .set({ deactivated_at: now.toISOString() })
          .where('id', '=', person.id)
          .execute();
        // Current memberships end today, so rosters from tomorrow on no longer count them.
        await trx
          .updateTable('membership')
          .set({ left_on: date })
          .where('person_id', '=', person.id)
          .where((eb) => eb.or([eb('left_on', 'is', null), eb('left_on', '>', date)]))
          .where('joined_on', '<', date)
          .execute();
        await trx
          .deleteFrom('membership')
          .where('person_id', '=', person.id)
          .where('joined_on', '>=', date)
          .execute();
        await trx.deleteFrom('role_assignment').where('person_id', '=', person.id).execute();
        await endSessionsOf(trx, person.id);
        await recordAudit(trx, now, {
          actorId: actor.personId,
          scopePath: await placementPathOf(trx, person.id, dateOf(now)),
          action: 'person.deactivated',
          targetType: 'person',
          targetId: person.id,
        });
      });
      return personDetail(db, person.id);
    },
  );

  r.post(
    '/api/v1/people/:personId/account',
    {
      config: { permission: 'people:manage' },
      schema: {
        params: PersonParams,
        body: CreateAccountBody,
        response: { 201: CreateAccountResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const person = await personInScope(
        db,
        actor,
        'people:manage',
        request.params.personId,
        today(),
      );
      assertActive(person);
      const username = request.body.username;
      const password = temporaryPassword();
      const passwordHash = await hashPassword(password);
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const existing = await trx
          .selectFrom('account')
          .select(['person_id', 'username'])
          .where((eb) => eb.or([eb('person_id', '=', person.id), eb('username', '=', username)]))
          .executeTakeFirst();
        if (existing?.username === username)
          throw conflict('username_taken', 'This username is already in use.');
        if (existing) throw conflict('conflict', 'This person already has an account.');
        await trx
          .insertInto('account')
          .values({
            person_id: person.id,
            username,
            password_hash: passwordHash,
            must_change_password: 1,
            password_changed_at: now.toISOString(),
          })
          .execute();
        await recordAudit(trx, now, {
          actorId: actor.personId,
          scopePath: await placementPathOf(trx, person.id, dateOf(now)),
          action: 'person.account_created',
          targetType: 'person',
          targetId: person.id,
          details: { username },
        });
      });
      return reply.status(201).send({ username, temporaryPassword: password });
    },
  );

  r.post(
    '/api/v1/people/:personId/memberships',
    {
      config: { permission: 'people:manage' },
      schema: {
        params: PersonParams,
        body: AddMembershipBody,
        response: { 201: PersonDetail, ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const person = await personInScope(
        db,
        actor,
        'people:manage',
        request.params.personId,
        today(),
      );
      assertActive(person);
      const { unitId, kind, joinedOn } = request.body;
      const unit = await unitInScope(db, actor, 'people:manage', unitId);
      if (unit.archived_at) throw conflict('unit_archived', 'This unit is archived.');
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const existing = await trx
          .selectFrom('membership')
          .selectAll()
          .where('person_id', '=', person.id)
          .where('unit_id', '=', unit.id)
          .execute();
        const added = { joinedOn, leftOn: null };
        for (const m of existing) {
          const period = { joinedOn: m.joined_on, leftOn: m.left_on };
          if (!periodsOverlap(period, added)) continue;
          // Becoming lead of one's own team (or stepping back to member) ends the other kind
          // the day the new one starts; anything else overlapping is a mistake.
          const switchesKind = m.kind !== kind && m.left_on === null && m.joined_on < joinedOn;
          if (!switchesKind) {
            throw conflict(
              'membership_overlap',
              'This person is already in this unit in that period.',
            );
          }
          await trx
            .updateTable('membership')
            .set({ left_on: joinedOn })
            .where('id', '=', m.id)
            .execute();
          await recordAudit(trx, now, {
            actorId: actor.personId,
            scopePath: unit.path,
            action: 'membership.ended',
            targetType: 'membership',
            targetId: m.id,
            details: { personId: person.id, unitId: unit.id, kind: m.kind, leftOn: joinedOn },
          });
        }
        const id = randomUUID();
        await trx
          .insertInto('membership')
          .values({
            id,
            person_id: person.id,
            unit_id: unit.id,
            kind,
            joined_on: joinedOn,
            left_on: null,
          })
          .execute();
        await recordAudit(trx, now, {
          actorId: actor.personId,
          scopePath: unit.path,
          action: 'membership.added',
          targetType: 'membership',
          targetId: id,
          details: { personId: person.id, unitId: unit.id, kind, joinedOn },
        });
      });
      return reply.status(201).send(await personDetail(db, person.id));
    },
  );

  r.post(
    '/api/v1/memberships/:membershipId/end',
    {
      config: { permission: 'people:manage' },
      schema: {
        params: IdParams('membershipId'),
        body: EndMembershipBody,
        response: { 200: PersonDetail, ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const membership = await db
        .selectFrom('membership')
        .selectAll()
        .where('id', '=', request.params.membershipId)
        .executeTakeFirst();
      if (!membership) throw notFound('This membership');
      const unit = await unitInScope(db, actor, 'people:manage', membership.unit_id);
      const { leftOn } = request.body;
      if (leftOn <= membership.joined_on) {
        throw badRequest(
          'membership_dates_invalid',
          'A membership must end after the day it started.',
        );
      }
      if (
        membership.left_on !== null &&
        !isCurrentOn({ joinedOn: membership.joined_on, leftOn: membership.left_on }, today())
      ) {
        throw conflict('conflict', 'This membership has already ended.');
      }
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('membership')
          .set({ left_on: leftOn })
          .where('id', '=', membership.id)
          .execute();
        await recordAudit(trx, now, {
          actorId: actor.personId,
          scopePath: unit.path,
          action: 'membership.ended',
          targetType: 'membership',
          targetId: membership.id,
          details: {
            personId: membership.person_id,
            unitId: membership.unit_id,
            kind: membership.kind,
            leftOn,
          },
        });
      });
      return personDetail(db, membership.person_id);
    },
  );

  r.post(
    '/api/v1/people/:personId/roles',
    {
      config: { permission: 'roles:manage' },
      schema: {
        params: PersonParams,
        body: AssignRoleBody,
        response: { 201: PersonDetail, ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const person = await personInScope(
        db,
        actor,
        'roles:manage',
        request.params.personId,
        today(),
      );
      assertActive(person);
      const { role, unitId } = request.body;
      // Nobody hands out more than they hold: the role's unit must lie in the actor's own scope.
      const unit = await unitInScope(db, actor, 'roles:manage', unitId);
      if (unit.archived_at) throw conflict('unit_archived', 'This unit is archived.');
      if (role === 'chief' && ['corps', 'zone', 'team'].includes(unit.kind)) {
        throw new AppError(
          400,
          'role_scope_invalid',
          'A chief leads a unit between the top level and the teams.',
        );
      }
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const existing = await trx
          .selectFrom('role_assignment')
          .select('id')
          .where('person_id', '=', person.id)
          .where('role', '=', role)
          .where('unit_id', '=', unit.id)
          .executeTakeFirst();
        if (existing)
          throw conflict('role_already_assigned', 'This person already has this role here.');
        const id = randomUUID();
        await trx
          .insertInto('role_assignment')
          .values({
            id,
            person_id: person.id,
            role,
            unit_id: unit.id,
            created_at: now.toISOString(),
          })
          .execute();
        await recordAudit(trx, now, {
          actorId: actor.personId,
          scopePath: unit.path,
          action: 'role.assigned',
          targetType: 'person',
          targetId: person.id,
          details: { role, unitId: unit.id, unitName: unit.name },
        });
      });
      return reply.status(201).send(await personDetail(db, person.id));
    },
  );

  r.delete(
    '/api/v1/role-assignments/:assignmentId',
    {
      config: { permission: 'roles:manage' },
      schema: {
        params: IdParams('assignmentId'),
        response: { 200: PersonDetail, ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const assignment = await db
        .selectFrom('role_assignment')
        .selectAll()
        .where('id', '=', request.params.assignmentId)
        .executeTakeFirst();
      if (!assignment) throw notFound('This role assignment');
      const unit = await unitInScope(db, actor, 'roles:manage', assignment.unit_id);
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('role_assignment').where('id', '=', assignment.id).execute();
        await recordAudit(trx, now, {
          actorId: actor.personId,
          scopePath: unit.path,
          action: 'role.revoked',
          targetType: 'person',
          targetId: assignment.person_id,
          details: { role: assignment.role, unitId: assignment.unit_id },
        });
      });
      return personDetail(db, assignment.person_id);
    },
  );
}
