import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  IdParams,
  TransparencyPage,
  TransparencyQuery,
  TransparencyWaveList,
  type WaveState,
} from '@teamspiegel/contracts';
import { classRule } from '@teamspiegel/core';
import type { Db } from '@teamspiegel/db';
import type { Config } from '../config.ts';
import { notFound } from '../errors.ts';
import { errorResponses } from '../http.ts';
import { actorOf } from '../plugins/authz.ts';
import { organisationIdOf } from '../settings/settings.repository.ts';
import { retentionFor } from './retention.ts';
import {
  cellPlan,
  findTransparentWave,
  keyStatusOf,
  listTransparentWaves,
  organisationsOf,
  toTransparencyWave,
  waveThresholds,
} from './transparency.repository.ts';

/**
 * The transparency page (product.md journey 5): anyone logged in in a wave's organisation reads
 * what protects them in that wave. It states rules, structure and keys, never respondents.
 * Reading it changes nothing and is not audited: it holds nothing personal.
 */
export function transparencyRoutes(app: FastifyInstance, opts: { db: Db; config: Config }) {
  const { db, config } = opts;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/api/v1/transparency/waves',
    {
      config: { permission: 'session' },
      schema: { response: { 200: TransparencyWaveList, ...errorResponses } },
    },
    async (request) => ({
      items: await listTransparentWaves(db, organisationsOf(actorOf(request).grants)),
    }),
  );

  r.get(
    '/api/v1/waves/:waveId/transparency',
    {
      config: { permission: 'session' },
      schema: {
        params: IdParams('waveId'),
        querystring: TransparencyQuery,
        response: { 200: TransparencyPage, ...errorResponses },
      },
    },
    async (request) => {
      const { waveId } = request.params;
      const wave = await findTransparentWave(db, waveId, organisationsOf(actorOf(request).grants));
      if (!wave) throw notFound('This wave');
      const page = request.query.page ?? 1;
      const pageSize = request.query.pageSize ?? 100;
      const plan = await cellPlan(db, waveId, { page, pageSize });
      const thresholds = waveThresholds(wave.thresholds);
      return {
        wave: toTransparencyWave(wave),
        thresholds,
        subtraction: {
          scores: classRule('score', thresholds).d,
          distributions: classRule('distribution', thresholds).d,
          incidents: classRule('incident', thresholds).d,
        },
        cellPlan: { ...plan, page, pageSize },
        keys: {
          status: keyStatusOf(wave.state as WaveState),
          manifestPath: `/api/v1/waves/${waveId}/manifest`,
        },
        codeVersion: config.codeVersion,
        retention: await retentionFor(db, organisationIdOf(wave.rootPath)),
      };
    },
  );
}
