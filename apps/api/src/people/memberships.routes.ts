import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  AddMembershipBody,
  EndMembershipBody,
  IdParams,
  PersonDetail,
  RosterChangePending,
} from '@teamspiegel/contracts';
import { isCurrentOn, periodsOverlap } from '@teamspiegel/core';
import type { Db, Membership } from '@teamspiegel/db';
import { recordAudit } from '../audit/audit.repository.ts';
import { type Clock, dateOf } from '../clock.ts';
import { badRequest, conflict, notFound } from '../errors.ts';
import { errorResponses } from '../http.ts';
import { findUnit } from '../org/units.repository.ts';
import { type ChangeContext, unitInScope, via } from '../org/units.routes.ts';
import { actorOf } from '../plugins/authz.ts';
import { applyUnlessFrozen, dryRun, propose } from '../roster/propose.ts';
import { findPerson, personDetail } from './people.repository.ts';
import { activePersonInScope, assertActive as assertActivePerson, PersonParams } from './scope.ts';

/** Ends a membership on a date (the first day no longer a member), with its audit line. */
async function endMembership(
  trx: Db,
  ctx: ChangeContext,
  membership: Pick<Membership, 'id' | 'person_id' | 'unit_id' | 'kind'>,
  unitPath: string,
  leftOn: string,
): Promise<void> {
  await trx
    .updateTable('membership')
    .set({ left_on: leftOn })
    .where('id', '=', membership.id)
    .execute();
  await recordAudit(trx, ctx.now, {
    actorId: ctx.actorId,
    scopePath: unitPath,
    action: 'membership.ended',
    targetType: 'membership',
    targetId: membership.id,
    details: {
      personId: membership.person_id,
      unitId: membership.unit_id,
      kind: membership.kind,
      leftOn,
      ...via(ctx),
    },
  });
}

export interface AddMembershipInput {
  personId: string;
  unitId: string;
  kind: 'member' | 'lead';
  joinedOn: string;
}

/**
 * Adds a membership (or switches a current one's kind: a lead change), with its audit lines.
 * Re-reads the person and the unit, so an approved proposal is checked against now.
 */
export async function addMembership(
  trx: Db,
  input: AddMembershipInput,
  ctx: ChangeContext,
): Promise<void> {
  const { personId, kind, joinedOn } = input;
  const person = await findPerson(trx, personId);
  if (!person) throw notFound('This person');
  assertActivePerson(person);
  const unit = await findUnit(trx, input.unitId);
  if (!unit) throw notFound('This unit');
  if (unit.archived_at) throw conflict('unit_archived', 'This unit is archived.');
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
      throw conflict('membership_overlap', 'This person is already in this unit in that period.');
    }
    await endMembership(trx, ctx, m, unit.path, joinedOn);
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
  await recordAudit(trx, ctx.now, {
    actorId: ctx.actorId,
    scopePath: unit.path,
    action: 'membership.added',
    targetType: 'membership',
    targetId: id,
    details: { personId: person.id, unitId: unit.id, kind, joinedOn, ...via(ctx) },
  });
}

/** Ends a current membership on a date, checked against the membership as it is now. */
export async function endMembershipOn(
  trx: Db,
  input: { membershipId: string; leftOn: string },
  ctx: ChangeContext,
): Promise<void> {
  const membership = await trx
    .selectFrom('membership')
    .innerJoin('unit', 'unit.id', 'membership.unit_id')
    .selectAll('membership')
    .select('unit.path')
    .where('membership.id', '=', input.membershipId)
    .executeTakeFirst();
  if (!membership) throw notFound('This membership');
  const { leftOn } = input;
  if (leftOn <= membership.joined_on) {
    throw badRequest('membership_dates_invalid', 'A membership must end after the day it started.');
  }
  if (
    membership.left_on !== null &&
    !isCurrentOn({ joinedOn: membership.joined_on, leftOn: membership.left_on }, dateOf(ctx.now))
  ) {
    throw conflict('conflict', 'This membership has already ended.');
  }
  await endMembership(trx, ctx, membership, membership.path, leftOn);
}

/**
 * Dated memberships: who was in which team, as member or lead, from when until when. The
 * roster of any team on any date follows from these rows, so they are ended, never deleted.
 * While a wave freezes the team's roster, a change is proposed and waits for a second
 * administrator (answer 202).
 */
export function membershipRoutes(app: FastifyInstance, opts: { db: Db; clock: Clock }) {
  const { db, clock } = opts;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const today = () => dateOf(clock.now());

  r.post(
    '/api/v1/people/:personId/memberships',
    {
      config: { permission: 'people:manage' },
      schema: {
        params: PersonParams,
        body: AddMembershipBody,
        response: { 201: PersonDetail, 202: RosterChangePending, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { actor, person } = await activePersonInScope(db, request, 'people:manage', today());
      const { unitId, kind, joinedOn } = request.body;
      const unit = await unitInScope(db, actor, 'people:manage', unitId);
      if (unit.archived_at) throw conflict('unit_archived', 'This unit is archived.');
      const ctx = { actorId: actor.personId, now: clock.now() };
      const input = { personId: person.id, unitId: unit.id, kind, joinedOn };
      const outcome = await applyUnlessFrozen(
        db,
        today(),
        () => [unit.path],
        (trx) => addMembership(trx, input, ctx),
      );
      if (outcome.frozen) {
        await dryRun(db, (trx) => addMembership(trx, input, ctx));
        const who = `${person.given_name} ${person.family_name} (${person.employee_number})`;
        const change = await propose(db, ctx, {
          organisationPath: unit.path,
          kind: 'membership_add',
          summary: `${who} joins "${unit.name}" as ${kind} from ${joinedOn}`,
          payload: input,
          unitIds: [unit.id],
        });
        return reply.status(202).send(change);
      }
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
        response: { 200: PersonDetail, 202: RosterChangePending, ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const membership = await db
        .selectFrom('membership')
        .selectAll()
        .where('id', '=', request.params.membershipId)
        .executeTakeFirst();
      if (!membership) throw notFound('This membership');
      const unit = await unitInScope(db, actor, 'people:manage', membership.unit_id);
      const ctx = { actorId: actor.personId, now: clock.now() };
      const input = { membershipId: membership.id, leftOn: request.body.leftOn };
      const outcome = await applyUnlessFrozen(
        db,
        today(),
        () => [unit.path],
        (trx) => endMembershipOn(trx, input, ctx),
      );
      if (outcome.frozen) {
        await dryRun(db, (trx) => endMembershipOn(trx, input, ctx));
        const person = await findPerson(db, membership.person_id);
        const who = person
          ? `${person.given_name} ${person.family_name} (${person.employee_number})`
          : 'A person';
        const change = await propose(db, ctx, {
          organisationPath: unit.path,
          kind: 'membership_end',
          summary: `${who} leaves "${unit.name}" (${membership.kind}) on ${input.leftOn}`,
          payload: input,
          unitIds: [unit.id],
        });
        return reply.status(202).send(change);
      }
      return personDetail(db, membership.person_id);
    },
  );
}
