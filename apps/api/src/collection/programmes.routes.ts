import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  CreateProgrammeBody,
  Programme,
  ProgrammeList,
  type Programme as ProgrammeDto,
} from '@teamspiegel/contracts';
import { ANCHOR_ITEM_IDS, MODULES, isInScope, scopeOf } from '@teamspiegel/core';
import type { Db } from '@teamspiegel/db';
import { recordAudit } from '../audit/audit.repository.ts';
import type { Clock } from '../clock.ts';
import { AppError, conflict } from '../errors.ts';
import { errorResponses } from '../http.ts';
import { unitInScope } from '../org/units.routes.ts';
import { actorOf } from '../plugins/authz.ts';
import { organisationIdOf, settingsFor } from '../settings/settings.repository.ts';
import { insertPlannedWave } from './waves.service.ts';
import { parseJsonArray } from './waves.repository.ts';

async function listProgrammes(db: Db, scope: readonly string[]): Promise<ProgrammeDto[]> {
  const rows = await db
    .selectFrom('programme')
    .innerJoin('unit', 'unit.id', 'programme.root_unit_id')
    .selectAll('programme')
    .select(['unit.name as rootUnitName', 'unit.path'])
    .where('programme.archived_at', 'is', null)
    .orderBy('programme.created_at')
    .execute();
  return rows
    .filter((r) => isInScope(scope, r.path))
    .map((r) => ({
      id: r.id,
      rootUnitId: r.root_unit_id,
      rootUnitName: r.rootUnitName,
      name: r.name,
      cadenceDays: r.cadence_days,
      windowDays: r.window_days,
      firstOpensOn: r.first_opens_on,
      commentQuestion: r.comment_question === 1,
      anchorItemIds: parseJsonArray<string>(r.anchor_item_ids),
      modules: parseJsonArray<string[]>(r.modules),
    }));
}

/** Inserts a programme with the item bank's anchors and modules, and plans its first wave. */
export async function createProgramme(
  db: Db,
  clock: Clock,
  input: {
    rootUnitId: string;
    name: string;
    firstOpensOn: string;
    cadenceDays: number;
    windowDays: number;
    commentQuestion: boolean;
  },
): Promise<{ programmeId: string; waveId: string }> {
  const programme = {
    id: randomUUID(),
    root_unit_id: input.rootUnitId,
    name: input.name,
    cadence_days: input.cadenceDays,
    window_days: input.windowDays,
    anchor_item_ids: JSON.stringify(ANCHOR_ITEM_IDS),
    modules: JSON.stringify(MODULES.map((m) => m.itemIds)),
    comment_question: input.commentQuestion ? 1 : 0,
    first_opens_on: input.firstOpensOn,
    created_at: clock.now().toISOString(),
    archived_at: null,
  };
  await db.insertInto('programme').values(programme).execute();
  const waveId = await insertPlannedWave(db, clock, programme, 1, input.firstOpensOn);
  return { programmeId: programme.id, waveId };
}

/** Programmes: the pulse for a whole organisation (corps or zone), every four weeks by default. */
export function programmeRoutes(app: FastifyInstance, opts: { db: Db; clock: Clock }) {
  const { db, clock } = opts;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/api/v1/programmes',
    {
      config: { permission: 'survey:manage' },
      schema: { response: { 200: ProgrammeList, ...errorResponses } },
    },
    async (request) => ({
      items: await listProgrammes(db, scopeOf(actorOf(request).grants, 'survey:manage')),
    }),
  );

  r.post(
    '/api/v1/programmes',
    {
      config: { permission: 'survey:manage' },
      schema: { body: CreateProgrammeBody, response: { 201: Programme, ...errorResponses } },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const body = request.body;
      const root = await unitInScope(db, actor, 'survey:manage', body.rootUnitId);
      // Everyone in a cell gets the same items: one programme per organisation, from its root.
      if (root.parent_id !== null || root.archived_at) {
        throw new AppError(
          400,
          'programme_root_invalid',
          'A programme covers a whole corps or zone: choose its top unit.',
        );
      }
      const created = await db.transaction().execute(async (trx) => {
        // One programme per organisation: two would put two open waves before the same people.
        const existing = await trx
          .selectFrom('programme')
          .select('id')
          .where('root_unit_id', '=', root.id)
          .where('archived_at', 'is', null)
          .executeTakeFirst();
        if (existing) {
          throw conflict('conflict', 'This organisation already has a pulse programme.');
        }
        const defaults = (await settingsFor(trx, organisationIdOf(root.path))).programmeDefaults;
        const ids = await createProgramme(trx, clock, {
          rootUnitId: root.id,
          name: body.name,
          firstOpensOn: body.firstOpensOn,
          cadenceDays: body.cadenceDays ?? defaults.cadenceDays,
          windowDays: body.windowDays ?? defaults.windowDays,
          commentQuestion: body.commentQuestion ?? defaults.commentQuestion,
        });
        await recordAudit(trx, clock.now(), {
          actorId: actor.personId,
          scopePath: root.path,
          action: 'programme.created',
          targetType: 'programme',
          targetId: ids.programmeId,
          details: { name: body.name, firstOpensOn: body.firstOpensOn },
        });
        return ids;
      });
      const programmes = await listProgrammes(db, [root.path]);
      const programme = programmes.find((p) => p.id === created.programmeId);
      if (!programme) throw new Error('the programme just created is missing');
      return reply.status(201).send(programme);
    },
  );
}
