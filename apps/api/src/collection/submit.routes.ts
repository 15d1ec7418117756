import fastifyCors from '@fastify/cors';
import type { FastifyBaseLogger, FastifyInstance, RouteShorthandOptions } from 'fastify';
import { CompiledQuery } from 'kysely';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { SubmitAccepted, SubmitBody } from '@teamspiegel/contracts';
import { answerProblems, type TallyItem } from '@teamspiegel/core';
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

/**
 * Stores (or replaces) a response only while the wave is open: open means the state and the
 * window, so an answer arriving after the close began, or on the close date, is refused
 * instead of being stored and never counted. Written once as SQL text: building and compiling
 * the same query on every request cost more than the statement itself.
 * Parameters: token key, wave id, cell id, sealed answers, wave id, today.
 */
const STORE_RESPONSE_SQL = `insert into response (token_key, wave_id, cell_id, sealed)
select ?, ?, ?, ?
where exists (select 1 from wave where id = ? and state = 'open' and closes_on > ?)
on conflict (token_key) do update set sealed = excluded.sealed`;

/** The UTC date of `now`, recomputed only when the day changes (read on every submission). */
function dailyDate(clock: Clock): () => string {
  let date = '';
  let dayStart = 0;
  let dayEnd = 0;
  return () => {
    const now = clock.now();
    const t = now.getTime();
    if (t < dayStart || t >= dayEnd) {
      date = dateOf(now);
      dayStart = Date.parse(`${date}T00:00:00.000Z`);
      dayEnd = dayStart + 86_400_000;
    }
    return date;
  };
}

/** What a JSON answer from /submit needs of the security headers: no sniffing, caching or referrer. */
const SUBMIT_HEADERS = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
};

interface CellCheck {
  waveId: string;
  keyId: string;
  publicKey: KeyObject;
  items: TallyItem[];
  commentQuestion: boolean;
}
const INVALID_TOKEN = new AppError(400, 'invalid_token', 'This token is not valid for this wave.');

/**
 * Cross-origin answers when /submit has an origin of its own (TEAMSPIEGEL_SUBMIT_ORIGIN): the
 * pages, on the public origin, may POST JSON here, without credentials; no other origin may.
 * Registered only in this context, under /submit, so the logged-in API never answers CORS.
 */
async function submitCors(app: FastifyInstance, config: Config): Promise<void> {
  // @fastify/cors adds its preflight route without a permission; deny-by-default
  // (plugins/authz.ts) wants one on every route, and this one is as anonymous as /submit.
  const options = app.options.bind(app);
  app.options = ((path: string, routeOptions: RouteShorthandOptions, handler: never) =>
    options(
      path,
      {
        ...routeOptions,
        config: {
          ...routeOptions.config,
          permission: 'anonymous',
          // One global bucket, like the answers themselves: never counted per address.
          rateLimit: { max: 100_000, timeWindow: 60_000, keyGenerator: () => 'submit-preflight' },
        },
      },
      handler,
    )) as typeof app.options;
  await app.register(fastifyCors, {
    origin: [config.publicOrigin],
    methods: ['POST'],
    allowedHeaders: ['content-type'],
    credentials: false,
    maxAge: 600,
    logLevel: 'silent',
  });
}

/**
 * Anonymous submission (anonymity.md 4.3). Registered in a context of its own: no cookie,
 * session or CSRF plugin ever runs here, requests are not logged, and rate limits are one
 * global bucket, never per person. Every accepted outcome (first answers or a replacement)
 * gets the same 202 body.
 */
export async function submitRoutes(
  app: FastifyInstance,
  opts: { db: Db; config: Config; clock: Clock },
) {
  await app.register(submitContext, { ...opts, prefix: '/submit' });
}

async function submitContext(app: FastifyInstance, opts: { db: Db; config: Config; clock: Clock }) {
  const { db, config, clock } = opts;
  if (config.submitOrigin) await submitCors(app, config);
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const today = dailyDate(clock);
  // Nothing is logged here (A14); one silent logger serves every request instead of a child
  // logger made per request only to be silenced.
  let silent: FastifyBaseLogger | undefined;
  /**
   * What a cell's submissions are checked against never changes once the cell has its key
   * (key, items, comment question), so it is read once per cell. Whether the wave is still
   * open is read fresh, inside the storing transaction.
   */
  const cells = new Map<string, CellCheck>();
  async function cellCheck(waveId: string, cellId: string): Promise<CellCheck | null> {
    const cached = cells.get(cellId);
    if (cached) return cached.waveId === waveId ? cached : null;
    const row = await db
      .selectFrom('wave_cell')
      .innerJoin('wave', 'wave.id', 'wave_cell.wave_id')
      .select([
        'wave_cell.key_id',
        'wave_cell.public_key',
        'wave.item_ids',
        'wave.comment_question',
      ])
      .where('wave_cell.id', '=', cellId)
      .where('wave_cell.wave_id', '=', waveId)
      .executeTakeFirst();
    if (!row?.key_id || !row.public_key) return null;
    const check: CellCheck = {
      waveId,
      keyId: row.key_id,
      publicKey: createPublicKey({
        key: Buffer.from(row.public_key, 'base64url'),
        format: 'der',
        type: 'spki',
      }),
      items: tallyItems(parseJsonArray<string>(row.item_ids)),
      commentQuestion: row.comment_question === 1,
    };
    cells.set(cellId, check);
    return check;
  }

  r.post(
    '/v1/responses',
    {
      logLevel: 'silent',
      childLoggerFactory: (logger) => (silent ??= logger.child({}, { level: 'silent' })),
      // Helmet's per-request header work is a third of this route's cost; a JSON endpoint
      // needs only the few headers set below.
      helmet: false,
      onSend: (_request, reply, payload, done) => {
        reply.headers(SUBMIT_HEADERS);
        done(null, payload);
      },
      config: {
        permission: 'anonymous',
        rateLimit: { max: 100_000, timeWindow: 60_000, keyGenerator: () => 'submit' },
      },
      schema: { body: SubmitBody, response: { 202: SubmitAccepted, ...errorResponses } },
    },
    async (request, reply) => {
      const body = request.body;
      const cell = await cellCheck(body.waveId, body.cellId);
      if (!cell || cell.keyId !== body.keyId) throw INVALID_TOKEN;

      const prepared = fromBase64urlStrict(body.message);
      const signature = fromBase64urlStrict(body.signature, 256);
      if (!prepared || !signature) throw INVALID_TOKEN;
      const token = verifyToken({
        publicKey: cell.publicKey,
        keyId: cell.keyId,
        waveId: body.waveId,
        cellId: body.cellId,
        prepared,
        signature,
      });
      if (!token) throw INVALID_TOKEN;

      if (answerProblems(cell.items, body.answers).length) {
        throw new AppError(
          400,
          'invalid_answers',
          'Not all answers fit the questions of this wave.',
        );
      }
      const comment = body.comment?.trim();
      if (comment && !cell.commentQuestion) {
        throw new AppError(400, 'invalid_answers', 'This wave asks for no comment.');
      }
      const dataKey = await loadWaveDataKey(config.keyDir, body.waveId);
      if (!dataKey) throw conflict('wave_not_open', 'This wave is not open.');

      const payload: SealedAnswers = { answers: body.answers, ...(comment ? { comment } : {}) };
      const sealed = toBase64url(
        seal(dataKey, Buffer.from(JSON.stringify(payload)), answersAad(body.waveId, body.cellId)),
      );
      // Last one counts: the same token replaces its earlier answers (A27), and only while the
      // wave is open (STORE_RESPONSE_SQL).
      const stored = await db.executeQuery(
        CompiledQuery.raw(STORE_RESPONSE_SQL, [
          toBase64url(spentTokenKey(token.nonce)),
          body.waveId,
          body.cellId,
          sealed,
          body.waveId,
          today(),
        ]),
      );
      if (Number(stored.numAffectedRows ?? 0) === 0) {
        throw conflict('wave_not_open', 'This wave is not open.');
      }
      return reply.status(202).send(RECEIVED);
    },
  );
}
