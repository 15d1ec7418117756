import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { IdParams, Item, LanguageSchema, OfficerItem } from '@teamspiegel/contracts';
import { ITEM_BANK } from '@teamspiegel/core';
import type { Db } from '@teamspiegel/db';
import { notFound } from '../errors.ts';
import { errorResponses } from '../http.ts';
import { officerItems } from './catalogue.ts';
import { findWave, parseJsonArray } from './waves.repository.ts';

const ItemList = Type.Object({ items: Type.Array(Item) }, { additionalProperties: false });
const WavePreview = Type.Object(
  { items: Type.Array(OfficerItem), commentQuestion: Type.Boolean() },
  { additionalProperties: false },
);

/** The item bank for administrators, and a wave exactly as an officer will see it. */
export function contentRoutes(app: FastifyInstance, opts: { db: Db }) {
  const { db } = opts;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/api/v1/content/items',
    {
      config: { permission: 'survey:manage' },
      schema: { response: { 200: ItemList, ...errorResponses } },
    },
    () => ({ items: [...ITEM_BANK] }),
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
      return {
        items: officerItems(parseJsonArray<string>(wave.item_ids), request.query.language),
        commentQuestion: wave.comment_question === 1,
      };
    },
  );
}
