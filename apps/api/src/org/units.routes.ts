import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  CreateUnitBody,
  IdParams,
  Unit,
  UnitDetail,
  UnitList,
  RosterChangePending,
  UpdateUnitBody,
  type Permission,
  type UnitKind,
} from '@teamspiegel/contracts';
import { childPath, isInScope, mayContain, scopeOf, wouldCreateCycle } from '@teamspiegel/core';
import type { Db, Unit as UnitRow } from '@teamspiegel/db';
import type { Actor } from '../access.repository.ts';
import { type AuditDetails, recordAudit } from '../audit/audit.repository.ts';
import { type Clock, dateOf } from '../clock.ts';
import { AppError, conflict, forbidden, notFound } from '../errors.ts';
import { errorResponses } from '../http.ts';
import { actorOf } from '../plugins/authz.ts';
import { applyUnlessFrozen, dryRun, propose } from '../roster/propose.ts';
import { isFrozen } from '../roster/freeze.ts';
import { organisationIdOf, thresholdsFor } from '../settings/settings.repository.ts';
import { notEndedBy } from './periods.ts';
import {
  ancestorsOf,
  childrenOf,
  currentMembers,
  findUnit,
  listUnits,
  moveSubtree,
  unitWithCount,
} from './units.repository.ts';

/**
 * The unit an actor names, if it exists and lies in their scope for a permission.
 * Object-level check: an id outside the scope is a 403, never data.
 */
export async function unitInScope(
  db: Db,
  actor: Actor,
  permission: Permission,
  id: string,
): Promise<UnitRow> {
  const unit = await findUnit(db, id);
  if (!unit) throw notFound('This unit');
  if (!isInScope(scopeOf(actor.grants, permission), unit.path)) throw forbidden();
  return unit;
}

function assertActive(unit: UnitRow) {
  if (unit.archived_at) throw conflict('unit_archived', 'This unit is archived.');
}

function assertMayContain(parent: UnitRow, kind: UnitKind) {
  if (!mayContain(parent.kind as UnitKind, kind)) {
    throw new AppError(400, 'unit_kind_not_allowed', 'A unit of this kind cannot be placed there.');
  }
}

/** Who makes a change and when; `rosterChangeId` when it is an approved proposal. */
export interface ChangeContext {
  actorId: string;
  now: Date;
  rosterChangeId?: string;
}

/** Audit details linking an applied change to the proposal it came from. */
export const via = (ctx: ChangeContext): AuditDetails =>
  ctx.rosterChangeId ? { rosterChangeId: ctx.rosterChangeId } : {};

export interface CreateUnitInput {
  parentId: string;
  code: string;
  name: string;
  kind: UnitKind;
}

/**
 * Creates a unit with its audit line. Re-reads the parent, so an approved proposal is checked
 * against the organisation as it is now. Returns the new unit's id.
 */
export async function createUnit(
  trx: Db,
  input: CreateUnitInput,
  ctx: ChangeContext,
): Promise<string> {
  const parent = await findUnit(trx, input.parentId);
  if (!parent) throw notFound('This unit');
  assertActive(parent);
  assertMayContain(parent, input.kind);
  const taken = await trx
    .selectFrom('unit')
    .select('id')
    .where('code', '=', input.code)
    .executeTakeFirst();
  if (taken) throw conflict('unit_code_taken', 'Another unit already has this code.');
  const id = randomUUID();
  await trx
    .insertInto('unit')
    .values({
      id,
      parent_id: parent.id,
      code: input.code,
      name: input.name,
      kind: input.kind,
      path: childPath(parent.path, id),
      archived_at: null,
      created_at: ctx.now.toISOString(),
    })
    .execute();
  await recordAudit(trx, ctx.now, {
    actorId: ctx.actorId,
    scopePath: parent.path,
    action: 'unit.created',
    targetType: 'unit',
    targetId: id,
    details: {
      name: input.name,
      code: input.code,
      kind: input.kind,
      parentId: parent.id,
      ...via(ctx),
    },
  });
  return id;
}

/** Checks a move of a unit below a new parent; the new parent. */
async function checkMove(db: Db, unit: UnitRow, parentId: string): Promise<UnitRow> {
  if (!unit.parent_id) throw conflict('root_unit_immutable', 'A top-level unit cannot be moved.');
  const newParent = await findUnit(db, parentId);
  if (!newParent) throw notFound('This unit');
  assertActive(newParent);
  if (wouldCreateCycle(unit.path, newParent.path)) {
    throw conflict('unit_cycle', 'A unit cannot be moved below itself.');
  }
  assertMayContain(newParent, unit.kind as UnitKind);
  return newParent;
}

/** Moves a unit (and its subtree) below another parent, with its audit line. */
export async function moveUnit(
  trx: Db,
  input: { unitId: string; parentId: string },
  ctx: ChangeContext,
): Promise<void> {
  const unit = await findUnit(trx, input.unitId);
  if (!unit) throw notFound('This unit');
  assertActive(unit);
  if (input.parentId === unit.parent_id) return;
  const newParent = await checkMove(trx, unit, input.parentId);
  await moveSubtree(trx, unit, newParent.id, childPath(newParent.path, unit.id));
  await recordAudit(trx, ctx.now, {
    actorId: ctx.actorId,
    scopePath: unit.path,
    action: 'unit.moved',
    targetType: 'unit',
    targetId: unit.id,
    details: { fromParentId: unit.parent_id, toParentId: newParent.id, ...via(ctx) },
  });
}

/** Archives a unit with no active sub-units and no members, with its audit line. */
export async function archiveUnit(
  trx: Db,
  input: { unitId: string },
  ctx: ChangeContext,
): Promise<void> {
  const unit = await findUnit(trx, input.unitId);
  if (!unit) throw notFound('This unit');
  assertActive(unit);
  if (!unit.parent_id)
    throw conflict('root_unit_immutable', 'A top-level unit cannot be archived.');
  const activeChild = await trx
    .selectFrom('unit')
    .select('id')
    .where('parent_id', '=', unit.id)
    .where('archived_at', 'is', null)
    .executeTakeFirst();
  if (activeChild) {
    throw conflict('unit_has_active_children', 'Archive or move the units below this one first.');
  }
  const booked = await trx
    .selectFrom('membership')
    .select('id')
    .where('unit_id', '=', unit.id)
    .where(notEndedBy(dateOf(ctx.now)))
    .executeTakeFirst();
  // Members who have not joined yet count too: they would land in an archived unit.
  if (booked) {
    throw conflict('unit_has_members', 'End the memberships in this unit first.');
  }
  await trx
    .updateTable('unit')
    .set({ archived_at: ctx.now.toISOString() })
    .where('id', '=', unit.id)
    .execute();
  await recordAudit(trx, ctx.now, {
    actorId: ctx.actorId,
    scopePath: unit.path,
    action: 'unit.archived',
    targetType: 'unit',
    targetId: unit.id,
    details: { name: unit.name, ...via(ctx) },
  });
}

const UnitParams = IdParams('unitId');

export function unitRoutes(app: FastifyInstance, opts: { db: Db; clock: Clock }) {
  const { db, clock } = opts;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const today = () => dateOf(clock.now());

  r.get(
    '/api/v1/units',
    {
      config: { permission: 'org:read' },
      schema: { response: { 200: UnitList, ...errorResponses } },
    },
    async (request) => ({
      items: await listUnits(db, scopeOf(actorOf(request).grants, 'org:read'), today()),
    }),
  );

  r.get(
    '/api/v1/units/:unitId',
    {
      config: { permission: 'org:read' },
      schema: { params: UnitParams, response: { 200: UnitDetail, ...errorResponses } },
    },
    async (request) => {
      const actor = actorOf(request);
      const unit = await unitInScope(db, actor, 'org:read', request.params.unitId);
      // The roster is people data: only for those who may read people here.
      const seesPeople = isInScope(scopeOf(actor.grants, 'people:read'), unit.path);
      const [dto, ancestors, children, members, thresholds] = await Promise.all([
        unitWithCount(db, unit.id, today()),
        ancestorsOf(db, unit),
        childrenOf(db, unit.id, today()),
        seesPeople ? currentMembers(db, unit.id, today()) : null,
        thresholdsFor(db, organisationIdOf(unit.path)),
      ]);
      // Ancestors above the actor's scope are named only by what the actor may read.
      const scope = scopeOf(actor.grants, 'org:read');
      return {
        unit: dto,
        ancestors: ancestors
          .filter((a) => isInScope(scope, a.path))
          .map(({ id, name, kind }) => ({ id, name, kind })),
        children,
        members: members && members.map((m) => ({ ...m, kind: m.kind as 'member' | 'lead' })),
        createdAt: unit.created_at,
        teamCellMinimum: thresholds.kE,
      };
    },
  );

  r.post(
    '/api/v1/units',
    {
      config: { permission: 'org:manage' },
      schema: {
        body: CreateUnitBody,
        response: { 201: Unit, 202: RosterChangePending, ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const body = request.body;
      const parent = await unitInScope(db, actor, 'org:manage', body.parentId);
      const ctx = { actorId: actor.personId, now: clock.now() };
      const outcome = await applyUnlessFrozen(
        db,
        today(),
        () => [parent.path],
        (trx) => createUnit(trx, body, ctx),
      );
      if (outcome.frozen) {
        await dryRun(db, (trx) => createUnit(trx, body, ctx));
        const change = await propose(db, ctx, {
          organisationPath: parent.path,
          kind: 'unit_create',
          summary: `Create ${body.kind} "${body.name}" (${body.code}) under "${parent.name}"`,
          payload: body,
          unitIds: [parent.id],
        });
        return reply.status(202).send(change);
      }
      return reply.status(201).send(await unitWithCount(db, outcome.result, today()));
    },
  );

  r.patch(
    '/api/v1/units/:unitId',
    {
      config: { permission: 'org:manage' },
      schema: {
        params: UnitParams,
        body: UpdateUnitBody,
        response: { 200: Unit, 202: RosterChangePending, ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const unit = await unitInScope(db, actor, 'org:manage', request.params.unitId);
      assertActive(unit);
      const { name, parentId } = request.body;
      const ctx = { actorId: actor.personId, now: clock.now() };
      let newParent: UnitRow | undefined;
      if (parentId !== undefined && parentId !== unit.parent_id) {
        if (!unit.parent_id)
          throw conflict('root_unit_immutable', 'A top-level unit cannot be moved.');
        newParent = await unitInScope(db, actor, 'org:manage', parentId);
        await checkMove(db, unit, parentId);
      }
      // A move changes who is counted where; it waits for a second administrator while frozen.
      // A rename changes no membership and applies at once.
      const moveWaits = await db.transaction().execute(async (trx) => {
        if (name !== undefined && name !== unit.name) {
          await trx.updateTable('unit').set({ name }).where('id', '=', unit.id).execute();
          await recordAudit(trx, ctx.now, {
            actorId: actor.personId,
            scopePath: unit.path,
            action: 'unit.renamed',
            targetType: 'unit',
            targetId: unit.id,
            details: { from: unit.name, to: name },
          });
        }
        if (!newParent) return false;
        if (await isFrozen(trx, [unit.path, newParent.path], today())) return true;
        await moveUnit(trx, { unitId: unit.id, parentId: newParent.id }, ctx);
        return false;
      });
      if (newParent && moveWaits) {
        const change = await propose(db, ctx, {
          organisationPath: unit.path,
          kind: 'unit_move',
          summary: `Move "${name ?? unit.name}" (${unit.code}) under "${newParent.name}"`,
          payload: { unitId: unit.id, parentId: newParent.id },
          unitIds: [unit.id, unit.parent_id!, newParent.id],
        });
        return reply.status(202).send(change);
      }
      return await unitWithCount(db, unit.id, today());
    },
  );

  r.post(
    '/api/v1/units/:unitId/archive',
    {
      config: { permission: 'org:manage' },
      schema: {
        params: UnitParams,
        response: { 200: Unit, 202: RosterChangePending, ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const unit = await unitInScope(db, actor, 'org:manage', request.params.unitId);
      const ctx = { actorId: actor.personId, now: clock.now() };
      const input = { unitId: unit.id };
      const outcome = await applyUnlessFrozen(
        db,
        today(),
        () => [unit.path],
        (trx) => archiveUnit(trx, input, ctx),
      );
      if (outcome.frozen) {
        await dryRun(db, (trx) => archiveUnit(trx, input, ctx));
        const change = await propose(db, ctx, {
          organisationPath: unit.path,
          kind: 'unit_archive',
          summary: `Archive "${unit.name}" (${unit.code})`,
          payload: input,
          unitIds: [unit.id],
        });
        return reply.status(202).send(change);
      }
      return await unitWithCount(db, unit.id, today());
    },
  );
}
