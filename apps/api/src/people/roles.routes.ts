import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AssignRoleBody, IdParams, PersonDetail } from '@teamspiegel/contracts';
import type { Db } from '@teamspiegel/db';
import { recordAudit } from '../audit/audit.repository.ts';
import { type Clock, dateOf } from '../clock.ts';
import { AppError, conflict, notFound } from '../errors.ts';
import { errorResponses } from '../http.ts';
import { unitInScope } from '../org/units.routes.ts';
import { actorOf } from '../plugins/authz.ts';
import { personDetail } from './people.repository.ts';
import { activePersonInScope, PersonParams } from './scope.ts';

/** Assigned roles (chief, HR analyst, administrator, works council), each at a unit. */
export function roleRoutes(app: FastifyInstance, opts: { db: Db; clock: Clock }) {
  const { db, clock } = opts;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const today = () => dateOf(clock.now());

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
      const { actor, person } = await activePersonInScope(db, request, 'roles:manage', today());
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
