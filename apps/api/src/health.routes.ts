import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { Type } from 'typebox';
import type { Db } from '@teamspiegel/db';
import type { Clock } from './clock.ts';
import type { SchedulerStatus } from './collection/scheduler.ts';
import type { Config } from './config.ts';
import { errorResponses } from './http.ts';

const Readiness = Type.Object(
  {
    status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
    checks: Type.Object(
      {
        database: Type.Union([Type.Literal('ok'), Type.Literal('unreachable')]),
        /** 'off' when the server does not run the schedule itself (an operator's choice). */
        scheduler: Type.Union([Type.Literal('ok'), Type.Literal('late'), Type.Literal('off')]),
        keyDirectory: Type.Union([Type.Literal('ok'), Type.Literal('not_writable')]),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

/** A run is late after three intervals without one, and never sooner than five minutes. */
const lateAfterMs = (intervalMs: number) => Math.max(3 * intervalMs, 5 * 60_000);

/**
 * For load balancers and monitoring. Liveness: is the process up and the database reachable.
 * Readiness: also, has the scheduler run recently (from start, it has one late-window to do so)
 * and can the server write signing keys. Both say nothing about waves, people or participation.
 */
export function healthRoutes(
  app: FastifyInstance,
  opts: { db: Db; config: Config; clock: Clock; scheduler: SchedulerStatus },
) {
  const { db, config, clock, scheduler } = opts;
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
      await sql`select 1`.execute(db);
      return { status: 'ok' as const };
    },
  );

  app.get(
    '/api/v1/health/ready',
    {
      config: { permission: 'public', rateLimit: false },
      schema: { response: { 200: Readiness, 503: Readiness, ...errorResponses } },
    },
    async (_request, reply) => {
      const database = await sql`select 1`.execute(db).then(
        () => 'ok' as const,
        () => 'unreachable' as const,
      );
      const keyDirectory = await writableDirectory(config.keyDir);
      let schedulerCheck: 'ok' | 'late' | 'off' = 'off';
      if (scheduler.intervalMs > 0) {
        const since = (scheduler.lastRunAt ?? scheduler.startedAt).getTime();
        schedulerCheck =
          clock.now().getTime() - since <= lateAfterMs(scheduler.intervalMs) ? 'ok' : 'late';
      }
      const ready = database === 'ok' && keyDirectory === 'ok' && schedulerCheck !== 'late';
      reply.code(ready ? 200 : 503);
      return {
        status: ready ? ('ready' as const) : ('not_ready' as const),
        checks: { database, scheduler: schedulerCheck, keyDirectory },
      };
    },
  );
}

/**
 * The key directory can take new keys: it exists as a directory the server may write, or does
 * not exist yet but its parent is (the key store creates it with the first key).
 */
async function writableDirectory(path: string): Promise<'ok' | 'not_writable'> {
  const writable = async (dir: string) => {
    try {
      if (!(await stat(dir)).isDirectory()) return false;
      await access(dir, constants.W_OK | constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  const exists = await stat(path).then(
    () => true,
    () => false,
  );
  if (exists) return (await writable(path)) ? 'ok' : 'not_writable';
  return (await writable(dirname(path))) ? 'ok' : 'not_writable';
}
