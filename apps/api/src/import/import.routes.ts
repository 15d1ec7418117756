import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  ApplyImportBody,
  IMPORT_FILE_KINDS,
  ImportChangesPage,
  ImportChangesQuery,
  ImportOrganisationQuery,
  ImportParams,
  ImportRun,
  ImportRunsPage,
  ImportRunsQuery,
  RejectedCsvQuery,
  type ImportFileKind,
} from '@teamspiegel/contracts';
import { isRootPath, scopeOf } from '@teamspiegel/core';
import type { Db } from '@teamspiegel/db';
import { type Clock, dateOf } from '../clock.ts';
import type { Config } from '../config.ts';
import { AppError, badRequest, forbidden } from '../errors.ts';
import { sendCsv } from '../csv.ts';
import { errorResponses } from '../http.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { actorOf } from '../plugins/authz.ts';
import { organisationIdOf } from '../settings/settings.repository.ts';
import { turn } from './import.apply.ts';
import { readImportFile, tooLarge, type ReadFile } from './import.read.ts';
import {
  applyRun,
  createDryRun,
  findRun,
  firstRejectedFile,
  listChanges,
  listRuns,
  rejectedCsv,
  runDto,
} from './import.service.ts';

/**
 * The organisations an administrator may import into: the roots where they hold both org:manage
 * and people:manage. An import is a full sync of a whole organisation, so nothing less will do.
 * None at all is a 403.
 */
function importRootsOf(
  request: FastifyRequest,
  organisationId?: string,
): { rootIds: string[]; actorId: string } {
  const actor = actorOf(request);
  const org = scopeOf(actor.grants, 'org:manage').filter(isRootPath);
  const people = new Set(scopeOf(actor.grants, 'people:manage').filter(isRootPath));
  const rootIds = org.filter((p) => people.has(p)).map(organisationIdOf);
  if (!rootIds.length) throw forbidden();
  if (organisationId === undefined) return { rootIds, actorId: actor.personId };
  if (!rootIds.includes(organisationId)) throw forbidden();
  return { rootIds: [organisationId], actorId: actor.personId };
}

/**
 * The one organisation an upload goes into: the administrator's only one, else the one they
 * named (organisationId); an administrator of several must name it.
 */
function uploadRootOf(
  request: FastifyRequest,
  organisationId?: string,
): { rootId: string; actorId: string } {
  const { rootIds, actorId } = importRootsOf(request, organisationId);
  if (rootIds.length !== 1)
    throw badRequest(
      'import_organisation_required',
      'You may import into more than one organisation: name it in organisationId.',
    );
  return { rootId: rootIds[0]!, actorId };
}

/** HR import (journey 4): upload for a dry run, read its report, apply it on confirmation. */
export async function importRoutes(
  app: FastifyInstance,
  opts: { db: Db; clock: Clock; config: Pick<Config, 'importMaxBytes'> },
) {
  const { db, clock } = opts;
  // TEAMSPIEGEL_IMPORT_MAX_BYTES, validated with the rest of the configuration.
  const maxBytes = opts.config.importMaxBytes;
  // Multipart only here: streamed, one file per kind, each cut off at the limit.
  await app.register(multipart, {
    limits: {
      fileSize: maxBytes + 1,
      files: IMPORT_FILE_KINDS.length,
      fields: 0,
      parts: IMPORT_FILE_KINDS.length,
    },
    throwFileSizeLimit: true,
  });
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post(
    '/api/v1/imports',
    {
      config: { permission: 'org:manage' },
      schema: {
        consumes: ['multipart/form-data'],
        querystring: ImportOrganisationQuery,
        response: { 201: ImportRun, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { rootId, actorId } = uploadRootOf(request, request.query.organisationId);
      if (!request.isMultipart())
        throw new AppError(415, 'unsupported_media_type', 'Send the files as multipart/form-data.');
      const files: ReadFile[] = [];
      const seen = new Set<string>();
      try {
        for await (const part of request.parts()) {
          const kind = part.fieldname as ImportFileKind;
          if (part.type !== 'file' || !IMPORT_FILE_KINDS.includes(kind) || seen.has(kind)) {
            throw badRequest(
              'import_unexpected_field',
              `Unexpected part "${part.fieldname}": send at most one file each in the fields units, people and memberships.`,
            );
          }
          seen.add(kind);
          const chunks: Buffer[] = [];
          let bytes = 0;
          // Counted here, one byte past the limit, so the answer goes out while the rest of
          // a too-large upload is still on its way, and nothing past the limit is kept.
          for await (const chunk of part.file) {
            bytes += (chunk as Buffer).length;
            if (bytes > maxBytes) throw tooLarge(kind, maxBytes);
            chunks.push(chunk as Buffer);
          }
          if (part.file.truncated) throw tooLarge(kind, maxBytes);
          files.push(await readImportFile(kind, part.filename || kind, Buffer.concat(chunks)));
          await turn();
        }
      } catch (error) {
        if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
          throw tooLarge([...seen].at(-1) ?? 'uploaded', maxBytes);
        }
        if (
          (error as { code?: string }).code === 'FST_PARTS_LIMIT' ||
          (error as { code?: string }).code === 'FST_FILES_LIMIT' ||
          (error as { code?: string }).code === 'FST_FIELDS_LIMIT'
        ) {
          throw badRequest(
            'import_unexpected_field',
            'Send at most one file each in the fields units, people and memberships.',
          );
        }
        throw error;
      }
      if (!files.length)
        throw badRequest(
          'import_no_files',
          'Send at least one file: units, people or memberships.',
        );
      const now = clock.now();
      const id = await createDryRun(db, { rootId, actorId, now, today: dateOf(now) }, files);
      return reply.status(201).send(await runDto(db, await findRun(db, [rootId], id)));
    },
  );

  r.get(
    '/api/v1/imports',
    {
      config: { permission: 'org:manage' },
      schema: {
        querystring: ImportRunsQuery,
        response: { 200: ImportRunsPage, ...errorResponses },
      },
    },
    async (request) => {
      const { rootIds } = importRootsOf(request, request.query.organisationId);
      const { page = 1, pageSize = 25 } = request.query;
      const organisations = await db
        .selectFrom('unit')
        .select(['id', 'name'])
        .where('id', 'in', importRootsOf(request).rootIds)
        .orderBy('name')
        .orderBy('id')
        .execute();
      return { ...(await listRuns(db, rootIds, page, pageSize)), organisations };
    },
  );

  r.get(
    '/api/v1/imports/:importId',
    {
      config: { permission: 'org:manage' },
      schema: { params: ImportParams, response: { 200: ImportRun, ...errorResponses } },
    },
    async (request) => {
      const { rootIds } = importRootsOf(request);
      return runDto(db, await findRun(db, rootIds, request.params.importId));
    },
  );

  r.get(
    '/api/v1/imports/:importId/changes',
    {
      config: { permission: 'org:manage' },
      schema: {
        params: ImportParams,
        querystring: ImportChangesQuery,
        response: { 200: ImportChangesPage, ...errorResponses },
      },
    },
    async (request) => {
      const { rootIds } = importRootsOf(request);
      const run = await findRun(db, rootIds, request.params.importId);
      const { kind, page = 1, pageSize = 25 } = request.query;
      return listChanges(db, run.id, kind, page, pageSize);
    },
  );

  r.get(
    '/api/v1/imports/:importId/rejected.csv',
    {
      config: { permission: 'org:manage' },
      schema: {
        params: ImportParams,
        querystring: RejectedCsvQuery,
        response: { 200: Type.String(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { rootIds, actorId } = importRootsOf(request);
      const run = await findRun(db, rootIds, request.params.importId);
      const file = request.query.file ?? (await firstRejectedFile(db, run.id)) ?? 'units';
      // The reason in the requester's own language, as every text the server words for them.
      const language = actorOf(request).person.language;
      // HR rows leave the application: audited with the export, as every export is.
      const csv = await db.transaction().execute(async (trx) => {
        const out = await rejectedCsv(trx, run, file, language);
        await recordAudit(trx, clock.now(), {
          actorId,
          scopePath: `/${run.organisation_id}/`,
          action: 'import.rejected_exported',
          targetType: 'import_run',
          targetId: run.id,
          details: { file, rows: out.rows },
        });
        return out.text;
      });
      return sendCsv(reply, `import-${run.id}-${file}-rejected.csv`, csv);
    },
  );

  r.post(
    '/api/v1/imports/:importId/apply',
    {
      config: { permission: 'org:manage' },
      schema: {
        params: ImportParams,
        body: ApplyImportBody,
        response: { 200: ImportRun, 202: ImportRun, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { rootIds, actorId } = importRootsOf(request);
      const now = clock.now();
      const outcome = await applyRun(
        db,
        { rootIds, actorId, now, today: dateOf(now) },
        request.params.importId,
        request.body.acceptValidPart ?? false,
      );
      return reply
        .status(outcome.status)
        .send(await runDto(db, await findRun(db, rootIds, outcome.runId)));
    },
  );
}
