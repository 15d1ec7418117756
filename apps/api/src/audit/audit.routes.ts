import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AuditExportQuery, AuditPage, AuditQuery } from '@teamspiegel/contracts';
import type { Db } from '@teamspiegel/db';
import type { Clock } from '../clock.ts';
import { sendCsv } from '../csv.ts';
import { errorResponses } from '../http.ts';
import { actorOf } from '../plugins/authz.ts';
import { homePathOf, listAudit, recordAudit, type AuditDetails } from './audit.repository.ts';
import { auditCsv } from './audit.export.ts';
import { isInScope, organisationOf, scopeOf } from '@teamspiegel/core';

/** The filters beyond action and time, recorded only when used (the common case stays short). */
function extraFilters(query: AuditExportQuery): AuditDetails {
  const details: AuditDetails = {};
  for (const key of ['group', 'actorId', 'actorName', 'targetType', 'targetId'] as const) {
    const value = query[key];
    if (value !== undefined) details[key] = value;
  }
  return details;
}

/**
 * The organisations whose lines name a target person to this reader: those whose root lies in
 * the reader's people:read scope. The works council reads the log without people (access.ts),
 * and an administrator of one district or one organisation does not learn, from the log, the
 * names of people elsewhere.
 */
function namesPeople(actor: { grants: Parameters<typeof scopeOf>[0] }): string[] {
  const scope = scopeOf(actor.grants, 'people:read');
  return [...new Set(scope.map(organisationOf))].filter((root) => isInScope(scope, root));
}

/**
 * The audit log, for administrators and the works council. Reading and exporting it are
 * themselves recorded, so the log also shows who looked.
 */
export function auditRoutes(app: FastifyInstance, opts: { db: Db; clock: Clock }) {
  const { db, clock } = opts;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/api/v1/audit',
    {
      config: { permission: 'audit:read' },
      schema: { querystring: AuditQuery, response: { 200: AuditPage, ...errorResponses } },
    },
    async (request) => {
      const query = request.query;
      const page = query.page ?? 1;
      const pageSize = query.pageSize ?? 25;
      const actor = actorOf(request);
      const result = await listAudit(db, {
        ...query,
        page,
        pageSize,
        scope: scopeOf(actor.grants, 'audit:read'),
        namesPeople: namesPeople(actor),
      });
      if (page === 1) {
        await recordAudit(db, clock.now(), {
          actorId: actor.personId,
          scopePath: homePathOf(actor),
          action: 'audit.viewed',
          details: {
            action: query.action ?? null,
            from: query.from ?? null,
            to: query.to ?? null,
            ...extraFilters(query),
          },
        });
      }
      return { ...result, page, pageSize };
    },
  );

  // Without the type provider: the reply is a stream of CSV text, not the schema's string.
  app.get(
    '/api/v1/audit/export.csv',
    {
      config: { permission: 'audit:read' },
      schema: {
        querystring: AuditExportQuery,
        response: { 200: Type.String(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const query = request.query as AuditExportQuery;
      const actor = actorOf(request);
      // Recorded before the first row leaves: an export cut off halfway was still an export.
      const at = clock.now();
      await recordAudit(db, at, {
        actorId: actor.personId,
        scopePath: homePathOf(actor),
        action: 'audit.exported',
        details: {
          action: query.action ?? null,
          from: query.from ?? null,
          to: query.to ?? null,
          ...extraFilters(query),
        },
      });
      const csv = auditCsv(db, {
        ...query,
        scope: scopeOf(actor.grants, 'audit:read'),
        namesPeople: namesPeople(actor),
      });
      return sendCsv(reply, `teamspiegel-audit-${at.toISOString().slice(0, 10)}.csv`, csv);
    },
  );
}
