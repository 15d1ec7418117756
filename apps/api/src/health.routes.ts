import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { Type } from 'typebox';
import type { Db } from '@teamspiegel/db';
import { errorResponses } from './http.ts';

/** For load balancers and monitoring: is the process up and the database reachable. */
export function healthRoutes(app: FastifyInstance, opts: { db: Db }) {
  app.get(
    '/api/v1/health',
    {
      config: { permission: 'public', rateLimit: false },
      schema: {
        response: {
          200: Type.Object({ status: Type.Literal('ok') }, { additionalProperties: false }),
          ...errorResponses,
        },
      },
    },
    async () => {
      await sql`select 1`.execute(opts.db);
      return { status: 'ok' as const };
    },
  );
}
