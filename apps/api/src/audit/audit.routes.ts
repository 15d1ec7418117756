import type { FastifyInstance } from 'fastify';
import { AuditPage, AuditQuery } from '@teamspiegel/contracts';
import type { Db } from '@teamspiegel/db';
import type { Clock } from '../clock.ts';
import { errorResponses } from '../http.ts';
import { actorOf } from '../plugins/authz.ts';
import { homePathOf, listAudit, recordAudit } from './audit.repository.ts';
import { scopeOf } from '@teamspiegel/core';

/**
 * The audit log, for administrators and the works council. Reading it is itself recorded,
 * so the log also shows who looked.
 */
export function auditRoutes(app: FastifyInstance, opts: { db: Db; clock: Clock }) {
  const { db, clock } = opts;
  app.get(
    '/api/v1/audit',
    {
      config: { permission: 'audit:read' },
      schema: { querystring: AuditQuery, response: { 200: AuditPage, ...errorResponses } },
    },
    async (request) => {
      const query = request.query as AuditQuery;
      const page = query.page ?? 1;
      const pageSize = query.pageSize ?? 25;
      const actor = actorOf(request);
      const result = await listAudit(db, {
        ...query,
        page,
        pageSize,
        scope: scopeOf(actor.grants, 'audit:read'),
      });
      if (page === 1) {
        await recordAudit(db, clock.now(), {
          actorId: actor.personId,
          scopePath: homePathOf(actor),
          action: 'audit.viewed',
          details: { action: query.action ?? null, from: query.from ?? null, to: query.to ?? null },
        });
      }
      return { ...result, page, pageSize };
    },
  );
}
