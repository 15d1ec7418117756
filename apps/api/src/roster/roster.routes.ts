import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  IdParams,
  RosterChange,
  RosterChangePage,
  RosterChangeQuery,
  RosterDecisionBody,
  type RosterChangeKind,
} from '@teamspiegel/contracts';
import { isInScope, organisationOf, scopeOf } from '@teamspiegel/core';
import type { Db, RosterChangeRow } from '@teamspiegel/db';
import type { Actor } from '../access.repository.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { type Clock, dateOf } from '../clock.ts';
import { AppError, conflict, forbidden, notFound } from '../errors.ts';
import { errorResponses } from '../http.ts';
import { actorOf } from '../plugins/authz.ts';
import { onDecided } from '../import/import.approval.ts';
import { ROSTER_APPLIERS } from './appliers.ts';
import {
  auditDetailsOfRow,
  findRosterChange,
  rosterChangeDtos,
  rosterChangesQuery,
} from './freeze.ts';
import { assertMayApprove } from './four-eyes.ts';

const ChangeParams = IdParams('changeId');

/** The current paths of the units a change touches, by id. */
async function unitPaths(db: Db, rows: readonly RosterChangeRow[]): Promise<Map<string, string>> {
  const ids = [...new Set(rows.flatMap((r) => JSON.parse(r.unit_ids) as string[]))];
  if (!ids.length) return new Map();
  const units = await db.selectFrom('unit').select(['id', 'path']).where('id', 'in', ids).execute();
  return new Map(units.map((u) => [u.id, u.path]));
}

/**
 * Whether a change lies wholly in a scope: every unit it touches (as the units are now), or,
 * for a change that names no unit, its whole organisation.
 */
function changeInScope(
  scope: readonly string[],
  row: RosterChangeRow,
  paths: ReadonlyMap<string, string>,
): boolean {
  const ids = JSON.parse(row.unit_ids) as string[];
  if (!ids.length) return isInScope(scope, row.organisation_path);
  return ids.every((id) => {
    const path = paths.get(id);
    return path !== undefined && isInScope(scope, path);
  });
}

/**
 * Four eyes on a frozen roster: the changes proposed while a wave froze their units, and the
 * second administrator's decision. Approving applies the change and marks it approved in one
 * transaction; a change that no longer applies is marked failed with the reason.
 */
export function rosterRoutes(app: FastifyInstance, opts: { db: Db; clock: Clock }) {
  const { db, clock } = opts;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  /** The pending-or-decided change an actor names, if it lies in their org:manage scope. */
  async function changeInActorScope(actor: Actor, id: string): Promise<RosterChangeRow> {
    const row = await db
      .selectFrom('roster_change')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound('This change');
    const scope = scopeOf(actor.grants, 'org:manage');
    if (!changeInScope(scope, row, await unitPaths(db, [row]))) throw forbidden();
    return row;
  }

  async function decide(
    row: RosterChangeRow,
    actor: Actor,
    state: 'approved' | 'rejected' | 'withdrawn',
    note: string | null,
    apply?: (trx: Db) => Promise<void>,
  ): Promise<void> {
    const now = clock.now();
    await db.transaction().execute(async (trx) => {
      if (apply) await apply(trx);
      const updated = await trx
        .updateTable('roster_change')
        .set({
          state,
          decided_by: actor.personId,
          decided_at: now.toISOString(),
          decision_note: note,
        })
        .where('id', '=', row.id)
        .where('state', '=', 'pending')
        .executeTakeFirst();
      // Decided by someone else meanwhile: nothing of this decision is applied.
      if (Number(updated.numUpdatedRows) !== 1) throw notPending();
      await recordAudit(trx, now, {
        actorId: actor.personId,
        scopePath: row.organisation_path,
        action: `roster_change.${state}`,
        targetType: 'roster_change',
        targetId: row.id,
        details: {
          ...auditDetailsOfRow(row),
          proposedBy: row.proposed_by,
          ...(note ? { note } : {}),
        },
      });
      if (state !== 'approved') await onDecided(trx, row, state);
    });
  }

  /** A change as `actor` sees it, with whether they may approve it. */
  const shown = async (id: string, actor: Actor) =>
    (await findRosterChange(
      db,
      id,
      { personId: actor.personId, scope: scopeOf(actor.grants, 'org:manage') },
      dateOf(clock.now()),
    ))!;

  const notPending = () =>
    conflict('roster_change_not_pending', 'This change has already been decided.');

  r.get(
    '/api/v1/roster-changes',
    {
      config: { permission: 'org:manage' },
      schema: {
        querystring: RosterChangeQuery,
        response: { 200: RosterChangePage, ...errorResponses },
      },
    },
    async (request) => {
      const { state, page = 1, pageSize = 25 } = request.query;
      const actor = actorOf(request);
      const scope = scopeOf(actor.grants, 'org:manage');
      const organisations = [...new Set(scope.map(organisationOf))];
      if (!organisations.length) return { items: [], total: 0, page, pageSize };
      let query = rosterChangesQuery(db).where(
        'roster_change.organisation_path',
        'in',
        organisations,
      );
      if (state) query = query.where('roster_change.state', '=', state);
      const rows = await query
        .orderBy('roster_change.proposed_at', 'desc')
        .orderBy('roster_change.id')
        .execute();
      const paths = await unitPaths(db, rows);
      const visible = rows.filter((row) => changeInScope(scope, row, paths));
      return {
        items: await rosterChangeDtos(
          db,
          visible.slice((page - 1) * pageSize, page * pageSize),
          { personId: actor.personId, scope },
          dateOf(clock.now()),
        ),
        total: visible.length,
        page,
        pageSize,
      };
    },
  );

  r.get(
    '/api/v1/roster-changes/:changeId',
    {
      config: { permission: 'org:manage' },
      schema: { params: ChangeParams, response: { 200: RosterChange, ...errorResponses } },
    },
    async (request) => {
      const actor = actorOf(request);
      const row = await changeInActorScope(actor, request.params.changeId);
      return shown(row.id, actor);
    },
  );

  r.post(
    '/api/v1/roster-changes/:changeId/approve',
    {
      config: { permission: 'org:manage' },
      schema: {
        params: ChangeParams,
        body: RosterDecisionBody,
        response: { 200: RosterChange, ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const row = await changeInActorScope(actor, request.params.changeId);
      if (row.state !== 'pending') throw notPending();
      await assertMayApprove(
        db,
        row,
        { personId: actor.personId, scope: scopeOf(actor.grants, 'org:manage') },
        dateOf(clock.now()),
      );
      const applier = ROSTER_APPLIERS[row.kind as RosterChangeKind];
      const at = clock.now();
      try {
        await decide(row, actor, 'approved', request.body.note ?? null, (trx) =>
          applier(trx, row, { at, approverId: actor.personId }),
        );
      } catch (error) {
        if (!(error instanceof AppError) || error.code === 'roster_change_not_pending') throw error;
        // It no longer applies to the organisation as it is now: nothing of it was applied.
        const failure = `${error.code}: ${error.message}`.slice(0, 500);
        await db.transaction().execute(async (trx) => {
          const updated = await trx
            .updateTable('roster_change')
            .set({
              state: 'failed',
              decided_by: actor.personId,
              decided_at: at.toISOString(),
              failure,
            })
            .where('id', '=', row.id)
            .where('state', '=', 'pending')
            .executeTakeFirst();
          if (Number(updated.numUpdatedRows) !== 1) throw notPending();
          await recordAudit(trx, at, {
            actorId: actor.personId,
            scopePath: row.organisation_path,
            action: 'roster_change.failed',
            targetType: 'roster_change',
            targetId: row.id,
            // The reason's code only: its message may name the person.
            details: { ...auditDetailsOfRow(row), failure: error.code },
          });
          await onDecided(trx, row, 'failed');
        });
        throw conflict(
          'roster_change_failed',
          `This change can no longer be applied (${error.message}) and is marked as failed.`,
        );
      }
      return shown(row.id, actor);
    },
  );

  r.post(
    '/api/v1/roster-changes/:changeId/reject',
    {
      config: { permission: 'org:manage' },
      schema: {
        params: ChangeParams,
        body: RosterDecisionBody,
        response: { 200: RosterChange, ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const row = await changeInActorScope(actor, request.params.changeId);
      if (row.state !== 'pending') throw notPending();
      await decide(row, actor, 'rejected', request.body.note ?? null);
      return shown(row.id, actor);
    },
  );

  r.post(
    '/api/v1/roster-changes/:changeId/withdraw',
    {
      config: { permission: 'org:manage' },
      schema: {
        params: ChangeParams,
        body: RosterDecisionBody,
        response: { 200: RosterChange, ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const row = await changeInActorScope(actor, request.params.changeId);
      // Only the proposer takes their own proposal back; anyone else rejects it.
      if (row.proposed_by !== actor.personId) throw forbidden();
      if (row.state !== 'pending') throw notPending();
      await decide(row, actor, 'withdrawn', request.body.note ?? null);
      return shown(row.id, actor);
    },
  );
}
