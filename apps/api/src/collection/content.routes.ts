import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { parse as parseYaml } from 'yaml';
import {
  ContentPackCheck,
  ContentPackSummary,
  ContentPackUpload,
  IdParams,
  Item,
  LanguageSchema,
  OfficerItem,
  type ContentPack,
  type ContentProblem,
} from '@teamspiegel/contracts';
import { validateContentPack } from '@teamspiegel/core';
import type { Db } from '@teamspiegel/db';
import { recordAudit } from '../audit/audit.repository.ts';
import type { Clock } from '../clock.ts';
import { AppError, conflict, notFound } from '../errors.ts';
import { errorResponses } from '../http.ts';
import { actorOf } from '../plugins/authz.ts';
import { organisationIdOf, settingsFor } from '../settings/settings.repository.ts';
import { allItems, isKnownItem, officerItems, registerPackItems } from './catalogue.ts';
import { findWave, parseJsonArray } from './waves.repository.ts';

const ItemList = Type.Object({ items: Type.Array(Item) }, { additionalProperties: false });
const PackList = Type.Object(
  { items: Type.Array(ContentPackSummary) },
  { additionalProperties: false },
);
const WavePreview = Type.Object(
  { items: Type.Array(OfficerItem), commentQuestion: Type.Boolean() },
  { additionalProperties: false },
);

/**
 * Parses and validates an uploaded pack; every problem is listed, none is fixed silently.
 * `pack` is there once the pack itself is valid, even if its ids clash with ours.
 */
function checkPack(upload: ContentPackUpload): { pack?: ContentPack; problems: ContentProblem[] } {
  let input: unknown;
  try {
    input = upload.format === 'json' ? JSON.parse(upload.text) : parseYaml(upload.text);
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : 'unreadable';
    return {
      problems: [
        { path: '$', code: 'schema', message: `The file is not valid ${upload.format}: ${reason}` },
      ],
    };
  }
  const result = validateContentPack(input);
  if (!result.ok) return { problems: result.problems };
  // An imported item must not take the id of one we already have: answers are counted by id.
  const clashes = result.pack.items.flatMap((item, i) =>
    isKnownItem(item.id)
      ? [
          {
            path: `$.items[${i}].id`,
            code: 'duplicate_id' as const,
            message: `The item id ${item.id} is already in use.`,
          },
        ]
      : [],
  );
  return { pack: result.pack, problems: clashes };
}

function summary(pack: ContentPack, importedAt: string): ContentPackSummary {
  return {
    id: pack.id,
    title: pack.title,
    source: pack.source,
    licenceStatus: pack.licence.status,
    items: pack.items.length,
    importedAt,
  };
}

/**
 * The item bank and imported packs for administrators, and a wave exactly as an officer will
 * see it. Imported packs are registered with the catalogue at start.
 */
export async function contentRoutes(app: FastifyInstance, opts: { db: Db; clock: Clock }) {
  const { db, clock } = opts;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const stored = await db.selectFrom('content_pack').select('pack').execute();
  for (const row of stored) registerPackItems((JSON.parse(row.pack) as ContentPack).items);

  r.get(
    '/api/v1/content/items',
    {
      config: { permission: 'survey:manage' },
      schema: { response: { 200: ItemList, ...errorResponses } },
    },
    () => ({ items: allItems() }),
  );

  r.get(
    '/api/v1/content/packs',
    {
      config: { permission: 'survey:manage' },
      schema: { response: { 200: PackList, ...errorResponses } },
    },
    async () => {
      const rows = await db.selectFrom('content_pack').selectAll().orderBy('imported_at').execute();
      return {
        items: rows.map((row) => summary(JSON.parse(row.pack) as ContentPack, row.imported_at)),
      };
    },
  );

  r.post(
    '/api/v1/content/packs/check',
    {
      config: { permission: 'survey:manage' },
      schema: { body: ContentPackUpload, response: { 200: ContentPackCheck, ...errorResponses } },
    },
    (request) => {
      const { problems } = checkPack(request.body);
      return { ok: problems.length === 0, problems };
    },
  );

  r.post(
    '/api/v1/content/packs',
    {
      config: { permission: 'survey:manage' },
      schema: { body: ContentPackUpload, response: { 201: ContentPackSummary, ...errorResponses } },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const { pack, problems } = checkPack(request.body);
      const existing = pack
        ? await db
            .selectFrom('content_pack')
            .select('id')
            .where('id', '=', pack.id)
            .executeTakeFirst()
        : undefined;
      if (existing) throw conflict('conflict', 'A pack with this id was already imported.');
      if (!pack || problems.length) {
        throw new AppError(
          400,
          'content_pack_invalid',
          `The pack has ${problems.length} problem(s); check it first to see each one.`,
        );
      }
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const existing = await trx
          .selectFrom('content_pack')
          .select('id')
          .where('id', '=', pack.id)
          .executeTakeFirst();
        if (existing) throw conflict('conflict', 'A pack with this id was already imported.');
        await trx
          .insertInto('content_pack')
          .values({
            id: pack.id,
            title: pack.title,
            pack: JSON.stringify(pack),
            imported_at: now.toISOString(),
          })
          .execute();
        await recordAudit(trx, now, {
          actorId: actor.personId,
          scopePath: null,
          action: 'content.pack_imported',
          targetType: 'content_pack',
          targetId: pack.id,
          details: { title: pack.title, items: pack.items.length, licence: pack.licence.status },
        });
      });
      registerPackItems(pack.items);
      return reply.status(201).send(summary(pack, now.toISOString()));
    },
  );

  r.get(
    '/api/v1/waves/:waveId/preview',
    {
      config: { permission: 'survey:manage' },
      schema: {
        params: IdParams('waveId'),
        querystring: Type.Object({ language: LanguageSchema }, { additionalProperties: false }),
        response: { 200: WavePreview, ...errorResponses },
      },
    },
    async (request) => {
      const wave = await findWave(db, request.params.waveId);
      if (!wave) throw notFound('This wave');
      const programme = await db
        .selectFrom('programme')
        .innerJoin('unit', 'unit.id', 'programme.root_unit_id')
        .select('unit.path')
        .where('programme.id', '=', wave.programme_id)
        .executeTakeFirstOrThrow();
      const { leaderTerm } = await settingsFor(db, organisationIdOf(programme.path));
      return {
        items: officerItems(
          parseJsonArray<string>(wave.item_ids),
          request.query.language,
          leaderTerm,
        ),
        commentQuestion: wave.comment_question === 1,
      };
    },
  );
}
