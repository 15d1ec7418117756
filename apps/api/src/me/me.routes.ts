import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { LanguageBody, MeResponse } from '@teamspiegel/contracts';
import type { Db } from '@teamspiegel/db';
import { errorResponses } from '../http.ts';
import { actorOf } from '../plugins/authz.ts';
import { loadActor } from '../access.repository.ts';
import { dateOf, type Clock } from '../clock.ts';
import { toMe } from './me.repository.ts';

export function meRoutes(app: FastifyInstance, opts: { db: Db; clock: Clock }) {
  const { db, clock } = opts;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/api/v1/me',
    {
      config: { permission: 'session', beforePasswordChange: true },
      schema: { response: { 200: MeResponse, ...errorResponses } },
    },
    (request) => toMe(actorOf(request)),
  );

  // A personal preference, not an organisational change: not audited.
  r.put(
    '/api/v1/me/language',
    {
      config: { permission: 'session', beforePasswordChange: true },
      schema: { body: LanguageBody, response: { 200: MeResponse, ...errorResponses } },
    },
    async (request) => {
      const actor = actorOf(request);
      await db
        .updateTable('person')
        .set({ language: request.body.language })
        .where('id', '=', actor.personId)
        .execute();
      return toMe((await loadActor(db, actor.personId, dateOf(clock.now())))!);
    },
  );
}
