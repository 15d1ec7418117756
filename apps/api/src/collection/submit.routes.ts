import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { SubmitAccepted, SubmitBody } from '@teamspiegel/contracts';
import { answerProblems } from '@teamspiegel/core';
import type { Db } from '@teamspiegel/db';
import { type Clock, dateOf } from '../clock.ts';
import type { Config } from '../config.ts';
import { AppError, conflict } from '../errors.ts';
import { errorResponses } from '../http.ts';
import { tallyItems } from './catalogue.ts';
import { fromBase64urlStrict, toBase64url } from './crypto/encoding.ts';
import { loadWaveDataKey } from './crypto/keystore.ts';
import { answersAad, seal } from './crypto/seal.ts';
import { spentTokenKey, verifyToken } from './crypto/token.ts';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { parseJsonArray } from './waves.repository.ts';
import type { SealedAnswers } from './waves.service.ts';

const RECEIVED = { status: 'received' } as const;
const INVALID_TOKEN = new AppError(400, 'invalid_token', 'This token is not valid for this wave.');

/**
 * Anonymous submission (anonymity.md 4.3). Registered in a context of its own: no cookie,
 * session or CSRF plugin ever runs here, requests are not logged, and rate limits are one
 * global bucket, never per person. Every accepted outcome (first answers or a replacement)
 * gets the same 202 body.
 */
export function submitRoutes(app: FastifyInstance, opts: { db: Db; config: Config; clock: Clock }) {
  const { db, config, clock } = opts;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const publicKeys = new Map<string, KeyObject>();

  r.post(
    '/submit/v1/responses',
    {
      logLevel: 'silent',
      config: {
        permission: 'anonymous',
        rateLimit: { max: 100_000, timeWindow: 60_000, keyGenerator: () => 'submit' },
      },
      schema: { body: SubmitBody, response: { 202: SubmitAccepted, ...errorResponses } },
    },
    async (request, reply) => {
      const body = request.body;
      const cell = await db
        .selectFrom('wave_cell')
        .innerJoin('wave', 'wave.id', 'wave_cell.wave_id')
        .select([
          'wave_cell.key_id',
          'wave_cell.public_key',
          'wave.state',
          'wave.item_ids',
          'wave.comment_question',
        ])
        .where('wave_cell.id', '=', body.cellId)
        .where('wave_cell.wave_id', '=', body.waveId)
        .executeTakeFirst();
      if (!cell?.key_id || !cell.public_key || cell.key_id !== body.keyId) throw INVALID_TOKEN;
      if (cell.state !== 'open') throw conflict('wave_not_open', 'This wave is not open.');

      const prepared = fromBase64urlStrict(body.message);
      const signature = fromBase64urlStrict(body.signature, 256);
      if (!prepared || !signature) throw INVALID_TOKEN;
      let publicKey = publicKeys.get(cell.key_id);
      if (!publicKey) {
        publicKey = createPublicKey({
          key: Buffer.from(cell.public_key, 'base64url'),
          format: 'der',
          type: 'spki',
        });
        publicKeys.set(cell.key_id, publicKey);
      }
      const token = verifyToken({
        publicKey,
        keyId: cell.key_id,
        waveId: body.waveId,
        cellId: body.cellId,
        prepared,
        signature,
      });
      if (!token) throw INVALID_TOKEN;

      const items = tallyItems(parseJsonArray<string>(cell.item_ids));
      if (answerProblems(items, body.answers).length) {
        throw new AppError(
          400,
          'invalid_answers',
          'Not all answers fit the questions of this wave.',
        );
      }
      const comment = body.comment?.trim();
      if (comment && cell.comment_question !== 1) {
        throw new AppError(400, 'invalid_answers', 'This wave asks for no comment.');
      }
      const dataKey = await loadWaveDataKey(config.keyDir, body.waveId);
      if (!dataKey) throw conflict('wave_not_open', 'This wave is not open.');

      const payload: SealedAnswers = { answers: body.answers, ...(comment ? { comment } : {}) };
      const sealed = toBase64url(
        seal(dataKey, Buffer.from(JSON.stringify(payload)), answersAad(body.waveId, body.cellId)),
      );
      // Last one counts: the same token replaces its earlier answers (A27).
      await db.transaction().execute(async (trx) => {
        // Checked again inside the transaction: an answer stored after the close began would
        // never be counted, yet the officer would have been told it was.
        const wave = await trx
          .selectFrom('wave')
          .select(['state', 'closes_on'])
          .where('id', '=', body.waveId)
          .executeTakeFirst();
        // Open means the state and the window: the close date itself takes no more answers.
        if (wave?.state !== 'open' || wave.closes_on <= dateOf(clock.now())) {
          throw conflict('wave_not_open', 'This wave is not open.');
        }
        await trx
          .insertInto('response')
          .values({
            token_key: toBase64url(spentTokenKey(token.nonce)),
            wave_id: body.waveId,
            cell_id: body.cellId,
            sealed,
          })
          .onConflict((oc) => oc.column('token_key').doUpdateSet({ sealed }))
          .execute();
      });
      return reply.status(202).send(RECEIVED);
    },
  );
}
