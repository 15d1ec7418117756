import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  AddMembershipBody,
  EndMembershipBody,
  IdParams,
  PersonDetail,
} from '@teamspiegel/contracts';
import { isCurrentOn, periodsOverlap } from '@teamspiegel/core';
import type { Db, Membership } from '@teamspiegel/db';
import { recordAudit } from '../audit/audit.repository.ts';
import { type Clock, dateOf } from '../clock.ts';
import { badRequest, conflict, notFound } from '../errors.ts';
import { errorResponses } from '../http.ts';
import { unitInScope } from '../org/units.routes.ts';
import { actorOf } from '../plugins/authz.ts';
import { personDetail } from './people.repository.ts';
import { activePersonInScope, PersonParams } from './scope.ts';

/** Ends a membership on a date (the first day no longer a member), with its audit line. */
async function endMembership(
  trx: Db,
  now: Date,
  actorId: string,
  membership: Pick<Membership, 'id' | 'person_id' | 'unit_id' | 'kind'>,
  unitPath: string,
  leftOn: string,
): Promise<void> {
  await trx
    .updateTable('membership')
    .set({ left_on: leftOn })
    .where('id', '=', membership.id)
    .execute();
  await recordAudit(trx, now, {
    actorId,
    scopePath: unitPath,
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
}

/**
 * Dated memberships: who was in which team, as member or lead, from when until when. The
 * roster of any team on any date follows from these rows, so they are ended, never deleted.
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
        response: { 201: PersonDetail, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { actor, person } = await activePersonInScope(db, request, 'people:manage', today());
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
          await endMembership(trx, now, actor.personId, m, unit.path, joinedOn);
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
      await db
        .transaction()
        .execute((trx) => endMembership(trx, now, actor.personId, membership, unit.path, leftOn));
      return personDetail(db, membership.person_id);
    },
  );
}
