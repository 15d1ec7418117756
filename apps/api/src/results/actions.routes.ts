import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  NodeParams,
  SaveTeamActionBody,
  TeamAction,
  TeamActionList,
  type ActionStatus,
  type Theme,
} from '@teamspiegel/contracts';
import type { Db, TeamActionRow } from '@teamspiegel/db';
import type { Actor } from '../access.repository.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { dateOf, type Clock } from '../clock.ts';
import { badRequest, forbidden } from '../errors.ts';
import { errorResponses } from '../http.ts';
import { actorOf } from '../plugins/authz.ts';
import { loadNodesAccess, recordableNodes, viewerOf, viewsResults } from './access.ts';
import {
  findAction,
  listActions,
  listClosedWaves,
  upsertAction,
  wavesWithNode,
} from './results.repository.ts';

const toAction = (row: TeamActionRow): TeamAction => ({
  id: row.id,
  nodeId: row.node_id,
  quarter: row.quarter,
  what: row.what,
  theme: row.theme as Theme,
  due: row.due,
  status: row.status as ActionStatus,
  updatedAt: row.updated_at,
});

/**
 * Whoever may see the team's node may read its actions: in the latest closed wave that has the
 * node and shows it to them; and the team's own leads and members today, also in a wave where
 * their team answered inside a larger group.
 */
async function mayReadActions(db: Db, actor: Actor, nodeId: string): Promise<boolean> {
  const viewer = viewerOf(actor);
  if (!viewsResults(viewer)) return false;
  if ([...viewer.leads, ...viewer.members].some((u) => u.isTeam && u.unitId === nodeId)) {
    return true;
  }
  const waves = await wavesWithNode(db, nodeId, 'wave');
  for (const wave of waves.reverse()) {
    const access = await loadNodesAccess(db, viewer, wave.id, 'wave', [nodeId]);
    if (access.allowed.has(nodeId)) return true;
  }
  return false;
}

/** The quarter ('YYYY-Qn') a date ('YYYY-MM-DD...') falls in. */
export const quarterOf = (date: string): string =>
  `${date.slice(0, 4)}-Q${Math.floor((Number(date.slice(5, 7)) - 1) / 3) + 1}`;

/**
 * The quarters an action of a team may be recorded for: the quarter of each closed wave of the
 * programmes that published the team (by closing date, as the results screen names it), and the
 * current quarter.
 */
async function actionQuarters(db: Db, nodeId: string, today: string): Promise<Set<string>> {
  const programmes = new Set((await wavesWithNode(db, nodeId, 'wave')).map((w) => w.programmeId));
  const quarters = new Set([quarterOf(today)]);
  for (const wave of await listClosedWaves(db)) {
    if (programmes.has(wave.programmeId)) quarters.add(quarterOf(wave.closesOn));
  }
  return quarters;
}

/** "You said, we did": one agreed action per team and quarter, recorded by the team's lead. */
export function actionRoutes(app: FastifyInstance, opts: { db: Db; clock: Clock }) {
  const { db, clock } = opts;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/api/v1/results/nodes/:nodeId/actions',
    {
      config: { permission: 'session' },
      schema: { params: NodeParams, response: { 200: TeamActionList, ...errorResponses } },
    },
    async (request) => {
      const actor = actorOf(request);
      const { nodeId } = request.params;
      if (!(await mayReadActions(db, actor, nodeId))) throw forbidden();
      return { items: (await listActions(db, nodeId)).map(toAction) };
    },
  );

  r.put(
    '/api/v1/results/nodes/:nodeId/actions',
    {
      config: { permission: 'session' },
      schema: {
        params: NodeParams,
        body: SaveTeamActionBody,
        response: { 200: TeamAction, ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const { nodeId } = request.params;
      // Only a lead of that team today (a lead membership of the team unit).
      if (!recordableNodes(viewerOf(actor)).includes(nodeId)) throw forbidden();
      const team = actor.grants.find((g) => g.role === 'team_lead' && g.unitId === nodeId)!;
      const body = { ...request.body, what: request.body.what.trim() };
      if (!(await actionQuarters(db, nodeId, dateOf(clock.now()))).has(body.quarter)) {
        throw badRequest(
          'validation_failed',
          'The quarter must be the current one or that of a closed wave of this team.',
        );
      }
      const saved = await db.transaction().execute(async (trx) => {
        const existing = await findAction(trx, nodeId, body.quarter);
        const row = await upsertAction(trx, {
          existing,
          nodeId,
          body,
          personId: actor.personId,
          at: clock.now().toISOString(),
        });
        await recordAudit(trx, clock.now(), {
          actorId: actor.personId,
          scopePath: team.unitPath,
          action: 'results.action_saved',
          targetType: 'team_action',
          targetId: row.id,
          details: {
            nodeId,
            quarter: body.quarter,
            oldWhat: existing?.what ?? null,
            newWhat: row.what,
            oldTheme: existing?.theme ?? null,
            newTheme: row.theme,
            oldDue: existing?.due ?? null,
            newDue: row.due,
            oldStatus: existing?.status ?? null,
            newStatus: row.status,
          },
        });
        return row;
      });
      return toAction(saved);
    },
  );
}
