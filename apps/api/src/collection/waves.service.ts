/**
 * A wave's life (anonymity.md section 4): planned from the programme's schedule; preparing
 * (roster frozen, cells planned, one signing key per cell generated off the request path);
 * open; closing; closed, with only counts left. Every step is one transaction, and a crash
 * at any point leaves a state the scheduler picks up again (resume).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import {
  answerProblems,
  planCells,
  createScrubber,
  createCellCounter,
  type Answer,
  type CellKind,
  type CellPlan,
  type CellTally,
  type RosterName,
} from '@teamspiegel/core';
import { compactAfterErasure, type Database, type Db } from '@teamspiegel/db';
import type { Insertable } from 'kysely';
import { recordAudit } from '../audit/audit.repository.ts';
import { type Clock, dateOf } from '../clock.ts';
import type { Config } from '../config.ts';
import { conflict } from '../errors.ts';
import { currentOn } from '../org/periods.ts';
import { insertPublication, preparePublication } from '../results/publish.ts';
import { directRosterChangesSince } from '../roster/freeze.ts';
import { organisationIdOf, settingsFor, thresholdsFor } from '../settings/settings.repository.ts';
import { tallyItems } from './catalogue.ts';
import { toBase64url } from './crypto/encoding.ts';
import { KeyGenerationPool, type CellKeyPair, type KeySource } from './crypto/keys.ts';
import {
  createWaveDataKey,
  destroyWaveKeys,
  KeyExistsError,
  loadCellKey,
  loadWaveDataKey,
  saveCellKey,
} from './crypto/keystore.ts';
import { answersAad, open as openSealed } from './crypto/seal.ts';
import { addDays, findWave, parseJsonArray } from './waves.repository.ts';

/** Keys are generated and stored in batches, so progress is visible and a crash loses little. */
const KEY_BATCH = 25;

export interface WaveRunnerDeps {
  db: Db;
  clock: Clock;
  config: Config;
  log: FastifyBaseLogger;
  /** Where signing keys come from; a worker pool of config.keyWorkers threads unless given. */
  keySource?: KeySource;
}

/** Responses read per query while a close counts. */
const READ_PAGE = 2000;
/** Rows between turns given back to the event loop while a close reads and counts. */
const YIELD_EVERY = 200;
/** Rows per multi-row insert: well under SQLite's limit of bound variables. */
const INSERT_CHUNK = 500;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

type CountTable = 'wave_cell_tally' | 'wave_item_tally' | 'wave_theme_tally' | 'wave_comment';
type NewRow<T extends CountTable> = Insertable<Database[T]>;

async function insertInChunks<T extends CountTable>(
  trx: Db,
  table: T,
  rows: NewRow<T>[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    await trx
      .insertInto(table)
      .values(rows.slice(i, i + INSERT_CHUNK))
      .execute();
  }
}

/** What the sealed payload of one submission holds. */
export interface SealedAnswers {
  answers: Answer[];
  comment?: string;
}

export function createWaveRunner({ db, clock, config, log, keySource }: WaveRunnerDeps) {
  let pool: KeySource | undefined = keySource;
  const generating = new Map<string, Promise<void>>();
  const closing = new Map<string, Promise<void>>();

  const today = () => dateOf(clock.now());

  /** Freezes the roster, plans the cells (INV-8, INV-9, INV-11) and starts key generation. */
  async function prepare(waveId: string, actorId: string | null): Promise<void> {
    await db.transaction().execute(async (trx) => {
      const wave = await findWave(trx, waveId);
      if (!wave || wave.state !== 'planned') {
        throw conflict('wave_state_conflict', 'Only a planned wave can be opened.');
      }
      const programme = await trx
        .selectFrom('programme')
        .innerJoin('unit', 'unit.id', 'programme.root_unit_id')
        .select(['programme.id', 'unit.path'])
        .where('programme.id', '=', wave.programme_id)
        .executeTakeFirstOrThrow();
      const date = today();
      // Opened by hand before its day: only on a roster nobody reshaped alone within the
      // freeze window, which the scheduler's opening on the day always had.
      if (actorId !== null && wave.opens_on > date) {
        const windowDays = (await settingsFor(trx, organisationIdOf(programme.path))).roster
          .freezeWindowDays;
        const since = addDays(date, -windowDays);
        const direct = await directRosterChangesSince(trx, programme.path, since);
        if (direct.count > 0) {
          const waitUntil = addDays(direct.latestOn!, windowDays + 1);
          throw conflict(
            'wave_open_early_roster_changed',
            `Opening early needs a roster that was frozen for the freeze window: ${direct.count} direct changes since ${since}; wait until ${waitUntil} or open on schedule.`,
          );
        }
      }
      const previous = await trx
        .selectFrom('wave')
        .select('opened_at')
        .where('programme_id', '=', wave.programme_id)
        .where('sequence', '<', wave.sequence)
        .where('opened_at', 'is not', null)
        .orderBy('sequence', 'desc')
        .executeTakeFirst();
      // The organisation's thresholds as they are now, fixed into this wave: a raise made while
      // it is preparing, open or closing applies from the next wave on.
      const thresholds = await thresholdsFor(trx, organisationIdOf(programme.path));
      const plan = await planWaveCells(trx, {
        rootPath: programme.path,
        date,
        previousOpenedOn: previous?.opened_at ? previous.opened_at.slice(0, 10) : null,
        kE: thresholds.kE,
      });
      for (const cell of plan.cells) {
        const cellId = randomUUID();
        await trx
          .insertInto('wave_cell')
          .values({
            id: cellId,
            wave_id: wave.id,
            unit_id: cell.unitId,
            kind: cell.kind,
            eligible: cell.members.length,
            key_id: null,
            public_key: null,
            participation_band: null,
            band_computed_on: null,
          })
          .execute();
        for (let i = 0; i < cell.members.length; i += 200) {
          await trx
            .insertInto('wave_eligibility')
            .values(
              cell.members
                .slice(i, i + 200)
                .map((personId) => ({ wave_id: wave.id, person_id: personId, cell_id: cellId })),
            )
            .execute();
        }
      }
      await trx
        .updateTable('wave')
        .set({
          state: 'preparing',
          keys_total: plan.cells.length,
          keys_done: 0,
          unplaced: plan.unplaced.length,
          thresholds: JSON.stringify(thresholds),
        })
        .where('id', '=', wave.id)
        .execute();
      await recordAudit(trx, clock.now(), {
        actorId,
        scopePath: programme.path,
        action: 'wave.preparing',
        targetType: 'wave',
        targetId: wave.id,
        details: { cells: plan.cells.length, unplaced: plan.unplaced.length },
      });
    });
    void generateKeys(waveId);
  }

  /** Generates the missing signing keys of a preparing wave, then opens it. Idempotent. */
  function generateKeys(waveId: string): Promise<void> {
    const running = generating.get(waveId);
    if (running) return running;
    const run = (async () => {
      pool ??= new KeyGenerationPool({ workers: config.keyWorkers });
      for (;;) {
        const missing = await db
          .selectFrom('wave_cell')
          .select('id')
          .where('wave_id', '=', waveId)
          .where('key_id', 'is', null)
          .orderBy('id')
          .limit(KEY_BATCH)
          .execute();
        if (!missing.length) break;
        const keys = await pool.generate(missing.length);
        for (const [i, cell] of missing.entries()) {
          const { keyId, publicKeySpki } = await storeCellKey(waveId, cell.id, keys[i]!);
          await db
            .updateTable('wave_cell')
            .set({ key_id: keyId, public_key: toBase64url(publicKeySpki) })
            .where('id', '=', cell.id)
            .execute();
        }
        await db
          .updateTable('wave')
          .set((eb) => ({ keys_done: eb('keys_done', '+', missing.length) }))
          .where('id', '=', waveId)
          .execute();
      }
      if (!(await loadWaveDataKey(config.keyDir, waveId))) {
        await createWaveDataKey(config.keyDir, waveId);
      }
      await db.transaction().execute(async (trx) => {
        const wave = await findWave(trx, waveId);
        if (wave?.state !== 'preparing') return;
        const now = clock.now();
        await trx
          .updateTable('wave')
          .set({ state: 'open', opened_at: now.toISOString() })
          .where('id', '=', waveId)
          .execute();
        await recordAudit(trx, now, {
          actorId: null,
          scopePath: await programmePath(trx, wave.programme_id),
          action: 'wave.opened',
          targetType: 'wave',
          targetId: waveId,
          details: { cells: wave.keys_total },
        });
      });
    })()
      .catch((err: unknown) => log.error({ err, waveId }, 'key generation failed; retried later'))
      .finally(() => generating.delete(waveId));
    generating.set(waveId, run);
    return run;
  }

  /**
   * Saves a new key, or, after a crash between saving a key and recording it, keeps the one
   * already on disk: a cell never gets two keys.
   */
  async function storeCellKey(waveId: string, cellId: string, key: CellKeyPair) {
    try {
      await saveCellKey(config.keyDir, waveId, cellId, key.privateKeyPkcs8);
      return key;
    } catch (err) {
      if (!(err instanceof KeyExistsError)) throw err;
      const existing = await loadCellKey(config.keyDir, waveId, cellId);
      if (!existing) throw err;
      const spki = existing.publicKey.export({ format: 'der', type: 'spki' });
      return { keyId: existing.keyId, publicKeySpki: spki };
    }
  }

  async function programmePath(trx: Db, programmeId: string): Promise<string> {
    const row = await trx
      .selectFrom('programme')
      .innerJoin('unit', 'unit.id', 'programme.root_unit_id')
      .select('unit.path')
      .where('programme.id', '=', programmeId)
      .executeTakeFirstOrThrow();
    return row.path;
  }

  /** Stops issuance and submission at once; the counting follows in finishClose. */
  async function close(waveId: string, actorId: string | null): Promise<void> {
    await db.transaction().execute(async (trx) => {
      const wave = await findWave(trx, waveId);
      if (!wave || wave.state !== 'open') {
        throw conflict('wave_state_conflict', 'Only an open wave can be closed.');
      }
      await trx.updateTable('wave').set({ state: 'closing' }).where('id', '=', waveId).execute();
      await recordAudit(trx, clock.now(), {
        actorId,
        scopePath: await programmePath(trx, wave.programme_id),
        action: 'wave.closing',
        targetType: 'wave',
        targetId: waveId,
      });
    });
    await finishClose(waveId);
  }

  /**
   * Decrypts, checks and counts every response, scrubs comments and computes the frozen
   * published results from those counts (results/publish.ts), then in one short transaction
   * stores the counts, comments (under random keys) and published results, and deletes the raw
   * answers, spent tokens and participation. The reading and counting happen before that transaction, yielding to
   * the event loop as they go, so requests keep being served; the wave is 'closing', so no
   * submission changes the responses meanwhile. A crash anywhere leaves the wave 'closing' and
   * this runs again; the keys are destroyed only after the commit.
   */
  function finishClose(waveId: string): Promise<void> {
    const running = closing.get(waveId);
    if (running) return running;
    const run = (async () => {
      const wave = await findWave(db, waveId);
      if (wave?.state !== 'closing') return;
      const dataKey = await loadWaveDataKey(config.keyDir, waveId);
      const items = tallyItems(parseJsonArray<string>(wave.item_ids));
      const scrub = createScrubber(await rosterNames(db, waveId));
      const cells = await db
        .selectFrom('wave_cell')
        .select(['id', 'unit_id', 'kind', 'eligible'])
        .where('wave_id', '=', waveId)
        .execute();
      // Counted page by page, one counter per cell: a close at reference scale never holds
      // every decrypted answer at once (server memory budget).
      const byCell = new Map(
        cells.map((c) => [c.id, { counter: createCellCounter(items), comments: [] as string[] }]),
      );
      let after = '';
      for (;;) {
        const page = await db
          .selectFrom('response')
          .select(['token_key', 'cell_id', 'sealed'])
          .where('wave_id', '=', waveId)
          .where('token_key', '>', after)
          .orderBy('token_key')
          .limit(READ_PAGE)
          .execute();
        if (!page.length) break;
        after = page[page.length - 1]!.token_key;
        for (const [i, row] of page.entries()) {
          if (i % YIELD_EVERY === 0) await yieldToEventLoop();
          const group = byCell.get(row.cell_id);
          const payload = dataKey && openPayload(dataKey, waveId, row.cell_id, row.sealed);
          // Checked at submission already; a payload that no longer fits is left out.
          if (!group || !payload || answerProblems(items, payload.answers).length) continue;
          group.counter.add(payload.answers);
          const comment = payload.comment?.trim();
          if (wave.comment_question && comment) group.comments.push(scrub(comment).text);
        }
      }

      const cellRows: NewRow<'wave_cell_tally'>[] = [];
      const itemRows: NewRow<'wave_item_tally'>[] = [];
      const themeRows: NewRow<'wave_theme_tally'>[] = [];
      const commentRows: NewRow<'wave_comment'>[] = [];
      const tallies = new Map<string, CellTally>();
      let counted = 0;
      for (const [cellId, group] of byCell) {
        if (++counted % YIELD_EVERY === 0) await yieldToEventLoop();
        const tally = group.counter.tally;
        tallies.set(cellId, tally);
        const key = { wave_id: waveId, cell_id: cellId };
        cellRows.push({ ...key, respondents: tally.respondents });
        for (const [itemId, options] of tally.items) {
          for (const [option, count] of options)
            itemRows.push({ ...key, item_id: itemId, option, count });
        }
        for (const [theme, acc] of tally.themes) {
          themeRows.push({ ...key, theme, n: acc.n, sum: acc.sum, sum_sq: acc.sumSq });
        }
        // Random keys in a table without rowid: stored order says nothing about arrival.
        for (const text of group.comments)
          commentRows.push({ id: toBase64url(randomBytes(16)), ...key, text });
      }

      // The frozen results, computed from the same counts and stored with them (INV-7).
      const published = await preparePublication(db, {
        wave,
        cells: cells.map((c) => ({
          id: c.id,
          unitId: c.unit_id,
          kind: c.kind as CellKind,
          eligible: c.eligible,
        })),
        tallies,
        comments: new Map([...byCell].map(([cellId, group]) => [cellId, group.comments])),
      });

      await db.transaction().execute(async (trx) => {
        const current = await findWave(trx, waveId);
        if (current?.state !== 'closing') return;
        await insertInChunks(trx, 'wave_cell_tally', cellRows);
        await insertInChunks(trx, 'wave_item_tally', itemRows);
        await insertInChunks(trx, 'wave_theme_tally', themeRows);
        await insertInChunks(trx, 'wave_comment', commentRows);
        await insertPublication(trx, published);
        await trx.deleteFrom('response').where('wave_id', '=', waveId).execute();
        await trx.deleteFrom('participation').where('wave_id', '=', waveId).execute();
        const now = clock.now();
        await trx
          .updateTable('wave')
          .set({ state: 'closed', closed_at: now.toISOString() })
          .where('id', '=', waveId)
          .execute();
        await recordAudit(trx, now, {
          actorId: null,
          scopePath: await programmePath(trx, wave.programme_id),
          action: 'wave.closed',
          targetType: 'wave',
          targetId: waveId,
          details: { cells: cells.length },
        });
      });
      await destroyWaveKeys(config.keyDir, waveId);
      await compactAfterErasure(db);
    })().finally(() => closing.delete(waveId));
    closing.set(waveId, run);
    return run;
  }

  /** Everyone in the wave's roster, whose names are scrubbed from comments. */
  async function rosterNames(trx: Db, waveId: string): Promise<RosterName[]> {
    const people = await trx
      .selectFrom('wave_eligibility')
      .innerJoin('person', 'person.id', 'wave_eligibility.person_id')
      .select(['person.given_name', 'person.family_name'])
      .where('wave_eligibility.wave_id', '=', waveId)
      .execute();
    return people.map((p) => ({ givenName: p.given_name, familyName: p.family_name }));
  }

  /** Participation bands per cell, recomputed at most once a day (INV-6). */
  async function refreshBands(): Promise<void> {
    const date = today();
    const stale = await db
      .selectFrom('wave_cell')
      .innerJoin('wave', 'wave.id', 'wave_cell.wave_id')
      .select(['wave_cell.id', 'wave_cell.wave_id', 'wave_cell.eligible'])
      .where('wave.state', '=', 'open')
      .where((eb) =>
        eb.or([
          eb('wave_cell.band_computed_on', 'is', null),
          eb('wave_cell.band_computed_on', '<', date),
        ]),
      )
      .execute();
    for (const cell of stale) {
      const row = await db
        .selectFrom('participation')
        .innerJoin('wave_eligibility', (join) =>
          join
            .onRef('wave_eligibility.person_id', '=', 'participation.person_id')
            .onRef('wave_eligibility.wave_id', '=', 'participation.wave_id'),
        )
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('participation.wave_id', '=', cell.wave_id)
        .where('wave_eligibility.cell_id', '=', cell.id)
        .executeTakeFirstOrThrow();
      const share = Number(row.n) / cell.eligible;
      const band = share < 0.3 ? '<30%' : share <= 0.6 ? '30-60%' : '>60%';
      await db
        .updateTable('wave_cell')
        .set({ participation_band: band, band_computed_on: date })
        .where('id', '=', cell.id)
        .execute();
    }
  }

  /** Plans the next wave of every programme once the previous one has closed. */
  async function planNextWaves(): Promise<void> {
    const programmes = await db
      .selectFrom('programme')
      .selectAll()
      .where('archived_at', 'is', null)
      .execute();
    for (const programme of programmes) {
      const last = await db
        .selectFrom('wave')
        .selectAll()
        .where('programme_id', '=', programme.id)
        .orderBy('sequence', 'desc')
        .executeTakeFirst();
      if (last && last.state !== 'closed') continue;
      let opensOn = last
        ? addDays(last.opens_on, programme.cadence_days)
        : programme.first_opens_on;
      // A wave whose whole window lies in the past is skipped, not opened late.
      while (addDays(opensOn, programme.window_days) <= today()) {
        opensOn = addDays(opensOn, programme.cadence_days);
      }
      await insertPlannedWave(db, clock, programme, (last?.sequence ?? 0) + 1, opensOn);
    }
  }

  /** One look at every wave: plan, open what is due, close what ended, refresh bands, resume. */
  async function tick(): Promise<void> {
    await planNextWaves();
    const date = today();
    const waves = await db
      .selectFrom('wave')
      .select(['id', 'state', 'opens_on', 'closes_on'])
      .where('state', '!=', 'closed')
      .execute();
    for (const wave of waves) {
      if (wave.state === 'planned' && wave.opens_on <= date) await prepare(wave.id, null);
      else if (wave.state === 'preparing') void generateKeys(wave.id);
      else if (wave.state === 'open' && wave.closes_on <= date) await close(wave.id, null);
      else if (wave.state === 'closing') await finishClose(wave.id);
    }
    await refreshBands();
    // A crash between a close's commit and its key destruction leaves keys behind: not for long.
    const recentlyClosed = await db
      .selectFrom('wave')
      .select('id')
      .where('state', '=', 'closed')
      .where('closed_at', '>=', new Date(clock.now().getTime() - 7 * 86_400_000).toISOString())
      .execute();
    for (const wave of recentlyClosed) await destroyWaveKeys(config.keyDir, wave.id);
  }

  async function stop(): Promise<void> {
    await Promise.allSettled([...generating.values(), ...closing.values()]);
    await pool?.close();
  }

  /** Waits for key generation of a wave (tests, and the demo seed at start). */
  const keysReady = (waveId: string) => generating.get(waveId) ?? Promise.resolve();

  return {
    prepare,
    generateKeys,
    close,
    finishClose,
    refreshBands,
    planNextWaves,
    tick,
    stop,
    keysReady,
  };
}

export type WaveRunner = ReturnType<typeof createWaveRunner>;

/**
 * The cell plan of a programme's subtree on a date (INV-8, INV-9, INV-11): the current roster
 * of active people in live units, as a wave's open freezes it.
 */
export async function planWaveCells(
  db: Db,
  options: { rootPath: string; date: string; previousOpenedOn: string | null; kE: number },
): Promise<CellPlan> {
  const units = await db
    .selectFrom('unit')
    .select(['id', 'parent_id as parentId', 'kind'])
    .where('path', 'like', `${options.rootPath}%`)
    .where('archived_at', 'is', null)
    .execute();
  const roster = await db
    .selectFrom('membership')
    .innerJoin('unit', 'unit.id', 'membership.unit_id')
    .innerJoin('person', 'person.id', 'membership.person_id')
    .select([
      'membership.person_id as personId',
      'membership.unit_id as unitId',
      'membership.kind as role',
      'membership.joined_on as joinedOn',
    ])
    .where('unit.path', 'like', `${options.rootPath}%`)
    .where('unit.archived_at', 'is', null)
    .where('person.deactivated_at', 'is', null)
    .where(currentOn(options.date))
    .execute();
  return planCells({
    units,
    roster: roster.map((m) => ({
      personId: m.personId,
      unitId: m.unitId,
      role: m.role === 'lead' ? 'lead' : 'member',
      joinedOn: m.joinedOn,
    })),
    previousWaveOpenedOn: options.previousOpenedOn,
    thresholds: { kE: options.kE },
  });
}

function openPayload(
  dataKey: Buffer,
  waveId: string,
  cellId: string,
  sealed: string,
): SealedAnswers | null {
  try {
    const plain = openSealed(dataKey, Buffer.from(sealed, 'base64url'), answersAad(waveId, cellId));
    return JSON.parse(plain.toString('utf8')) as SealedAnswers;
  } catch {
    return null;
  }
}

/** A planned wave: the programme's anchors plus the module whose turn it is. */
export async function insertPlannedWave(
  db: Db,
  clock: Clock,
  programme: {
    id: string;
    anchor_item_ids: string;
    modules: string;
    window_days: number;
    comment_question: number;
  },
  sequence: number,
  opensOn: string,
): Promise<string> {
  const modules = parseJsonArray<string[]>(programme.modules);
  const module = modules.length ? modules[(sequence - 1) % modules.length]! : [];
  const id = randomUUID();
  await db
    .insertInto('wave')
    .values({
      id,
      programme_id: programme.id,
      sequence,
      state: 'planned',
      opens_on: opensOn,
      closes_on: addDays(opensOn, programme.window_days),
      item_ids: JSON.stringify([...parseJsonArray<string>(programme.anchor_item_ids), ...module]),
      comment_question: programme.comment_question,
      thresholds: null,
      keys_total: 0,
      keys_done: 0,
      unplaced: 0,
      opened_at: null,
      closed_at: null,
      created_at: clock.now().toISOString(),
    })
    .execute();
  return id;
}
