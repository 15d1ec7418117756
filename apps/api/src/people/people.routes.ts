import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  CreateAccountBody,
  CreateAccountResponse,
  CreatePersonBody,
  PeoplePage,
  PeopleQuery,
  PersonDetail,
  RosterChangePending,
  UpdatePersonBody,
} from '@teamspiegel/contracts';
import { isRootPath, scopeOf } from '@teamspiegel/core';
import type { Db } from '@teamspiegel/db';
import { recordAudit } from '../audit/audit.repository.ts';
import { hashPassword, temporaryPassword } from '../auth/passwords.ts';
import { type Clock, dateOf } from '../clock.ts';
import { conflict, forbidden, notFound } from '../errors.ts';
import { errorResponses } from '../http.ts';
import { notEndedBy } from '../org/periods.ts';
import { type ChangeContext, unitInScope, via } from '../org/units.routes.ts';
import { actorOf } from '../plugins/authz.ts';
import { endSessionsOf } from '../plugins/session-store.ts';
import { applyUnlessFrozen, propose } from '../roster/propose.ts';
import { findPerson, personDetail, searchPeople } from './people.repository.ts';
import {
  activePersonInScope,
  assertActive,
  PersonParams,
  personInScope,
  placementPathOf,
} from './scope.ts';

/** The units a person has a membership in that has not ended by `today` (current or future). */
async function bookedUnits(db: Db, personId: string, today: string) {
  return db
    .selectFrom('membership')
    .innerJoin('unit', 'unit.id', 'membership.unit_id')
    .select(['unit.id', 'unit.path', 'unit.name'])
    .distinct()
    .where('membership.person_id', '=', personId)
    .where(notEndedBy(today))
    .execute();
}

/**
 * Deactivates a person: their memberships end today (future ones go), their roles and sessions
 * end, with its audit line. Re-reads the person, so an approved proposal is checked against now.
 */
export async function deactivatePerson(
  trx: Db,
  input: { personId: string },
  ctx: ChangeContext,
): Promise<void> {
  const person = await findPerson(trx, input.personId);
  if (!person) throw notFound('This person');
  assertActive(person);
  const date = dateOf(ctx.now);
  // Filed where the person belongs before their memberships end.
  const scopePath = await placementPathOf(trx, person.id, date);
  await trx
    .updateTable('person')
    .set({ deactivated_at: ctx.now.toISOString() })
    .where('id', '=', person.id)
    .execute();
  // Current memberships end today, so rosters from tomorrow on no longer count them.
  await trx
    .updateTable('membership')
    .set({ left_on: date })
    .where('person_id', '=', person.id)
    .where(notEndedBy(date))
    .where('joined_on', '<', date)
    .execute();
  await trx
    .deleteFrom('membership')
    .where('person_id', '=', person.id)
    .where('joined_on', '>=', date)
    .execute();
  await trx.deleteFrom('role_assignment').where('person_id', '=', person.id).execute();
  await endSessionsOf(trx, person.id);
  await recordAudit(trx, ctx.now, {
    actorId: ctx.actorId,
    scopePath,
    action: 'person.deactivated',
    targetType: 'person',
    targetId: person.id,
    details: via(ctx),
  });
}

/** People: search, read, create, edit, deactivate, and a local account for them. */
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
      const { actor, person } = await activePersonInScope(db, request, 'people:manage', today());
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
      schema: {
        params: PersonParams,
        response: { 200: PersonDetail, 202: RosterChangePending, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { actor, person } = await activePersonInScope(db, request, 'people:manage', today());
      if (person.id === actor.personId) throw forbidden();
      const ctx = { actorId: actor.personId, now: clock.now() };
      const input = { personId: person.id };
      // Deactivating ends the person's memberships: while one of their units is frozen by a
      // wave, that waits for a second administrator.
      const outcome = await applyUnlessFrozen(
        db,
        today(),
        async (trx) => (await bookedUnits(trx, person.id, today())).map((u) => u.path),
        (trx) => deactivatePerson(trx, input, ctx),
      );
      if (outcome.frozen) {
        const booked = await bookedUnits(db, person.id, today());
        const change = await propose(db, ctx, {
          organisationPath: booked[0]!.path,
          kind: 'person_deactivate',
          summary: `Deactivate ${person.given_name} ${person.family_name} (${person.employee_number}), ending their memberships in ${booked.map((u) => `"${u.name}"`).join(', ')}`,
          payload: input,
          unitIds: booked.map((u) => u.id),
        });
        return reply.status(202).send(change);
      }
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
      const { actor, person } = await activePersonInScope(db, request, 'people:manage', today());
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
}
