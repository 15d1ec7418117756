import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  IdParams,
  WaveDetail,
  WaveList,
  WaveManifest,
  WaveSummary,
  type CellKind,
  type ParticipationBand,
} from '@teamspiegel/contracts';
import { isInScope, scopeOf } from '@teamspiegel/core';
import type { Db } from '@teamspiegel/db';
import type { Actor } from '../access.repository.ts';
import { forbidden, notFound } from '../errors.ts';
import { errorResponses } from '../http.ts';
import { actorOf } from '../plugins/authz.ts';
import type { WaveRunner } from './waves.service.ts';
import { findWave, sizeBand, toWaveSummary, waveSummary } from './waves.repository.ts';

const WaveParams = IdParams('waveId');

/** The wave, if its programme's organisation lies in the actor's survey scope. */
async function waveInScope(db: Db, actor: Actor, waveId: string) {
  const row = await db
    .selectFrom('wave')
    .innerJoin('programme', 'programme.id', 'wave.programme_id')
    .innerJoin('unit', 'unit.id', 'programme.root_unit_id')
    .select(['wave.id', 'unit.path'])
    .where('wave.id', '=', waveId)
    .executeTakeFirst();
  if (!row) throw notFound('This wave');
  if (!isInScope(scopeOf(actor.grants, 'survey:manage'), row.path)) throw forbidden();
  return row;
}

/** Administrators run waves; anyone logged in may read a wave's manifest. */
export function waveRoutes(app: FastifyInstance, opts: { db: Db; waves: WaveRunner }) {
  const { db, waves } = opts;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/api/v1/waves',
    {
      config: { permission: 'survey:manage' },
      schema: { response: { 200: WaveList, ...errorResponses } },
    },
    async (request) => {
      const scope = scopeOf(actorOf(request).grants, 'survey:manage');
      const rows = await db
        .selectFrom('wave')
        .innerJoin('programme', 'programme.id', 'wave.programme_id')
        .innerJoin('unit', 'unit.id', 'programme.root_unit_id')
        .selectAll('wave')
        .select(['programme.name as programmeName', 'unit.path'])
        .orderBy('wave.opens_on', 'desc')
        .limit(200)
        .execute();
      return {
        items: rows
          .filter((w) => isInScope(scope, w.path))
          .map((w) => toWaveSummary(w, w.programmeName)),
      };
    },
  );

  r.get(
    '/api/v1/waves/:waveId',
    {
      config: { permission: 'survey:manage' },
      schema: { params: WaveParams, response: { 200: WaveDetail, ...errorResponses } },
    },
    async (request) => {
      await waveInScope(db, actorOf(request), request.params.waveId);
      const wave = await waveSummary(db, request.params.waveId);
      const cells = await db
        .selectFrom('wave_cell')
        .innerJoin('unit', 'unit.id', 'wave_cell.unit_id')
        .select([
          'wave_cell.id',
          'wave_cell.unit_id',
          'unit.name',
          'wave_cell.kind',
          'wave_cell.eligible',
          'wave_cell.key_id',
          'wave_cell.participation_band',
        ])
        .where('wave_cell.wave_id', '=', wave.id)
        .orderBy('unit.path')
        .execute();
      const { unplaced } = await db
        .selectFrom('wave')
        .select('unplaced')
        .where('id', '=', wave.id)
        .executeTakeFirstOrThrow();
      return {
        wave,
        cells: cells.map((c) => ({
          id: c.id,
          unitId: c.unit_id,
          unitName: c.name,
          kind: c.kind as CellKind,
          eligibleBand: sizeBand(c.eligible),
          keyId: c.key_id,
          participationBand: c.participation_band as ParticipationBand | null,
        })),
        unplaced,
      };
    },
  );

  // Opening starts key generation (the wave is 'preparing' until every cell has its key);
  // closing counts and erases. Both answer with the wave as it stands.
  for (const step of ['open', 'close'] as const) {
    r.post(
      `/api/v1/waves/:waveId/${step}`,
      {
        config: { permission: 'survey:manage' },
        schema: { params: WaveParams, response: { 202: WaveSummary, ...errorResponses } },
      },
      async (request: FastifyRequest<{ Params: { waveId: string } }>, reply: FastifyReply) => {
        const actor = actorOf(request);
        const { waveId } = request.params;
        await waveInScope(db, actor, waveId);
        if (step === 'open') await waves.prepare(waveId, actor.personId);
        else await waves.close(waveId, actor.personId);
        return reply.status(202).send(await waveSummary(db, waveId));
      },
    );
  }

  r.get(
    '/api/v1/waves/:waveId/manifest',
    {
      config: { permission: 'session' },
      schema: { params: WaveParams, response: { 200: WaveManifest, ...errorResponses } },
    },
    async (request) => {
      const wave = await findWave(db, request.params.waveId);
      if (!wave || wave.state === 'planned') throw notFound('This wave');
      const cells = await db
        .selectFrom('wave_cell')
        .select(['id', 'kind', 'key_id', 'public_key', 'eligible'])
        .where('wave_id', '=', wave.id)
        .where('key_id', 'is not', null)
        .orderBy('id')
        .execute();
      return {
        waveId: wave.id,
        state: wave.state as WaveSummary['state'],
        cells: cells.map((c) => ({
          cellId: c.id,
          kind: c.kind as CellKind,
          keyId: c.key_id!,
          publicKey: c.public_key!,
          eligibleBand: sizeBand(c.eligible),
        })),
      };
    },
  );
}
