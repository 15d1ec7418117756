import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  IdParams,
  MyWaves,
  TokenBody,
  TokenResponse,
  type OrganisationSettings,
} from '@teamspiegel/contracts';
import type { Db } from '@teamspiegel/db';
import { type Clock, dateOf } from '../clock.ts';
import type { Config } from '../config.ts';
import { AppError, conflict } from '../errors.ts';
import { errorResponses } from '../http.ts';
import { actorOf } from '../plugins/authz.ts';
import { officerItems } from './catalogue.ts';
import { BlindSignError, blindSign } from './crypto/blind-sign.ts';
import { fromBase64urlStrict, toBase64url } from './crypto/encoding.ts';
import { loadCellKey } from './crypto/keystore.ts';
import { organisationIdOf, settingsFor } from '../settings/settings.repository.ts';
import { parseJsonArray } from './waves.repository.ts';

/**
 * The officer's side while logged in: which waves are open for them, and one blind signature
 * per wave. The server learns that this person took a token, never which message it signed.
 */
export function officerRoutes(
  app: FastifyInstance,
  opts: { db: Db; clock: Clock; config: Config },
) {
  const { db, clock, config } = opts;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/api/v1/me/waves',
    {
      config: { permission: 'session' },
      schema: { response: { 200: MyWaves, ...errorResponses } },
    },
    async (request) => {
      const actor = actorOf(request);
      const today = dateOf(clock.now());
      const rows = await db
        .selectFrom('wave_eligibility')
        .innerJoin('wave', 'wave.id', 'wave_eligibility.wave_id')
        .innerJoin('programme', 'programme.id', 'wave.programme_id')
        .innerJoin('unit as programme_root', 'programme_root.id', 'programme.root_unit_id')
        .innerJoin('wave_cell', 'wave_cell.id', 'wave_eligibility.cell_id')
        .leftJoin('participation', (join) =>
          join
            .onRef('participation.wave_id', '=', 'wave.id')
            .onRef('participation.person_id', '=', 'wave_eligibility.person_id'),
        )
        .select([
          'wave.id as waveId',
          'programme.name as programmeName',
          'programme_root.path as programmePath',
          'wave.closes_on as closesOn',
          'wave.item_ids as itemIds',
          'wave.comment_question as commentQuestion',
          'wave_cell.id as cellId',
          'wave_cell.key_id as keyId',
          'wave_cell.public_key as publicKey',
          'participation.person_id as took',
        ])
        .where('wave_eligibility.person_id', '=', actor.personId)
        .where('wave.state', '=', 'open')
        .where('wave.closes_on', '>', today)
        .orderBy('wave.closes_on')
        .execute();
      const language = actor.person.language;
      // Item texts name the lead with the word of the organisation the wave belongs to.
      const leaderTerms = new Map<string, OrganisationSettings['leaderTerm']>();
      for (const id of new Set(rows.map((w) => organisationIdOf(w.programmePath)))) {
        leaderTerms.set(id, (await settingsFor(db, id)).leaderTerm);
      }
      return {
        items: rows.map((w) => ({
          waveId: w.waveId,
          programmeName: w.programmeName,
          closesOn: w.closesOn,
          cellId: w.cellId,
          keyId: w.keyId!,
          publicKey: w.publicKey!,
          items: officerItems(
            parseJsonArray<string>(w.itemIds),
            language,
            leaderTerms.get(organisationIdOf(w.programmePath)),
          ),
          commentQuestion: w.commentQuestion === 1,
          tokenTaken: w.took !== null,
        })),
        ...(config.submitOrigin ? { submitOrigin: config.submitOrigin } : {}),
      };
    },
  );

  r.post(
    '/api/v1/waves/:waveId/tokens',
    {
      config: { permission: 'session' },
      schema: {
        params: IdParams('waveId'),
        body: TokenBody,
        response: { 200: TokenResponse, ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const { waveId } = request.params;
      const { cellId, blindedMessage } = request.body;
      const blinded = fromBase64urlStrict(blindedMessage, 256);
      if (!blinded) throw new AppError(400, 'invalid_token', 'The blinded message is not valid.');
      // Object-level check from the roster snapshot: this person, this wave, this cell.
      const eligibility = await db
        .selectFrom('wave_eligibility')
        .innerJoin('wave', 'wave.id', 'wave_eligibility.wave_id')
        .select(['wave_eligibility.cell_id', 'wave.state', 'wave.closes_on'])
        .where('wave_eligibility.wave_id', '=', waveId)
        .where('wave_eligibility.person_id', '=', actor.personId)
        .executeTakeFirst();
      if (!eligibility || eligibility.cell_id !== cellId) {
        throw new AppError(403, 'not_eligible', 'You are not among the participants of this wave.');
      }
      if (eligibility.state !== 'open' || eligibility.closes_on <= dateOf(clock.now())) {
        throw conflict('wave_not_open', 'This wave is not open.');
      }
      const key = await loadCellKey(config.keyDir, waveId, cellId);
      if (!key) throw conflict('wave_not_open', 'This wave is not open.');
      // Participation and signature commit together: one token per person, even in a race (A18).
      const signature = await db.transaction().execute(async (trx) => {
        // Checked again inside the transaction: a close between the check above and this write
        // would otherwise leave a participation row that no close ever deletes (INV-6).
        const state = await trx
          .selectFrom('wave')
          .select('state')
          .where('id', '=', waveId)
          .executeTakeFirst();
        if (state?.state !== 'open') throw conflict('wave_not_open', 'This wave is not open.');
        const inserted = await trx
          .insertInto('participation')
          .values({ wave_id: waveId, person_id: actor.personId })
          .onConflict((oc) => oc.doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) {
          throw conflict('token_already_taken', 'You already took part in this wave.');
        }
        try {
          return blindSign(key.privateKey, key.publicKey, blinded);
        } catch (err) {
          if (err instanceof BlindSignError) {
            throw new AppError(400, 'invalid_token', 'The blinded message is not valid.');
          }
          throw err;
        }
      });
      return { blindSignature: toBase64url(signature) };
    },
  );
}
