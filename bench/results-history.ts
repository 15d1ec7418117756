// Results history at reference scale (issue 5, "Demo and reference data"): a pulse programme
// on a generated organisation (reference-org.ts) with 12 closed waves written as tallies, and a
// 13th wave run through the full pipeline up to its close.
//
// The 12 history waves skip collection: each is planned exactly as the wave runner plans one
// (roster on the wave's opening date, planCells), its tallies are simulated per cell with the
// answers of apps/api/src/demo/simulate.ts and counted with core's tallyCell, and the frozen
// published results are computed by the application's own publishing (preparePublication over
// those tallies, reading the earlier waves back as a real close does) and stored with them in
// one transaction. No responses, tokens or keys exist for them, as after a real close.
//
// The 13th wave goes the real way: planned by the runner, prepared (roster snapshot, cell plan),
// keys (BENCH ONLY: one shared key written per cell, as bench/collection.ts does at reference
// scale, so the wave opens without minutes of key generation), participation and a token per
// respondent signed with the cell's key, and every answer sent to POST /submit/v1/responses.
// Its close (tallies, comments, publishing, erasure) is left to the caller, which times it.
//
// Run by itself (generates a small organisation, writes the history, prints what it made):
//
//   cd bench && node --import tsx results-history.ts [people]

import { constants, randomBytes, randomUUID, sign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '@teamspiegel/api/app';
import { createDb, migrateToLatest, type Db } from '@teamspiegel/db';
// Not part of the api package's public exports; the bench reaches in, as collection.ts does.
import { systemClock, dateOf, type Clock } from '../apps/api/src/clock.ts';
import { loadConfig, type Config } from '../apps/api/src/config.ts';
import { tallyItems } from '../apps/api/src/collection/catalogue.ts';
import { toBase64url } from '../apps/api/src/collection/crypto/encoding.ts';
import { loadCellKey } from '../apps/api/src/collection/crypto/keystore.ts';
import { tokenMessage } from '../apps/api/src/collection/crypto/token.ts';
import { createProgramme } from '../apps/api/src/collection/programmes.routes.ts';
import { addDays, findWave, parseJsonArray } from '../apps/api/src/collection/waves.repository.ts';
import { insertPlannedWave, planWaveCells } from '../apps/api/src/collection/waves.service.ts';
import { SeededRandom } from '../apps/api/src/demo/random.ts';
import {
  drawTeamEffect,
  simulateAnswers,
  simulateComment,
  type TeamProfile,
} from '../apps/api/src/demo/simulate.ts';
import { insertPublication, preparePublication } from '../apps/api/src/results/publish.ts';
// @teamspiegel/core is not a dependency of the bench; it is reached by path.
import {
  effectiveThresholds,
  tallyCell,
  type Answer,
  type CellTally,
  type TallyItem,
} from '../packages/core/src/index.ts';
import { buildReferenceOrg, describeOrg } from './reference-org.ts';
import { benchEnv, shareOneCellKey } from './support.ts';

export const HISTORY_WAVES = 12;
const CADENCE_DAYS = 28;
const WINDOW_DAYS = 14;
/** Rows per multi-row insert: well under SQLite's limit of bound variables. */
const CHUNK = 400;
const SEED = 13_013;

export interface ResultsHistory {
  programmeId: string;
  rootUnitId: string;
  /** The 12 closed waves, oldest first. */
  closedWaveIds: string[];
  /** The 13th wave: open, its answers submitted, ready to be closed. */
  currentWaveId: string;
  cells: number;
  responses: number;
  /** Published nodes of the last history wave (wave period). */
  publishedNodes: number;
  timings: { historyMs: number; perWaveMs: number[]; openMs: number; submitMs: number };
}

type Log = (message: string) => void;

/** Same-team answers across waves: a profile per cell name with a slow random walk. */
class Teams {
  private readonly profiles = new Map<string, TeamProfile>();
  private readonly walker: SeededRandom;
  readonly icc: number;
  constructor(private readonly random: SeededRandom) {
    this.icc = 0.15 + 0.2 * random.fork('icc').next();
    this.walker = random.fork('walk');
  }
  rng(label: string): SeededRandom {
    return this.random.fork(label);
  }
  profile(kind: string, unitId: string, eligible: number): TeamProfile {
    const name = `${kind}:${unitId}`;
    let team = this.profiles.get(name);
    if (!team) {
      const rng = this.random.fork(name);
      const reluctant = rng.chance(eligible <= 9 ? 0.4 : 0.12);
      team = {
        effect: drawTeamEffect(rng, this.icc),
        icc: this.icc,
        participation: reluctant
          ? 0.4 + 0.15 * rng.next()
          : Math.min(0.93, Math.max(0.6, 0.74 + 0.09 * rng.normal())),
        dontKnow: 0.02 + 0.06 * rng.next(),
        incidentFactor: rng.chance(0.1) ? 3.5 : 0.8,
        commentRate: 0.1,
      };
      this.profiles.set(name, team);
    }
    return team;
  }
  /** Moves every known team a little: most changes between waves are not clear ones. */
  step(): void {
    for (const team of this.profiles.values()) team.effect += 0.08 * this.walker.normal();
  }
}

interface ProgrammeRow {
  id: string;
  anchor_item_ids: string;
  modules: string;
  window_days: number;
  comment_question: number;
}

/**
 * Writes the programme and its 12 closed waves (the first 12 x 28 days before `today`), then
 * opens the 13th today and submits its answers through /submit of `app`, whose clock must be
 * the real one. `app` must use `db` and `config`.
 */
export async function buildResultsHistory(options: {
  db: Db;
  app: FastifyInstance;
  config: Config;
  rootUnitId: string;
  today: string;
  log?: Log;
}): Promise<ResultsHistory> {
  const { db, app, config, rootUnitId, today } = options;
  const log = options.log ?? (() => {});
  const teams = new Teams(new SeededRandom(SEED));
  const firstOpensOn = addDays(today, -HISTORY_WAVES * CADENCE_DAYS);
  const creation: Clock = { now: () => new Date(`${addDays(firstOpensOn, -7)}T09:00:00.000Z`) };
  const { programmeId, waveId: firstWaveId } = await createProgramme(db, creation, {
    rootUnitId,
    name: 'Teamspiegel bench (results)',
    firstOpensOn,
    cadenceDays: CADENCE_DAYS,
    windowDays: WINDOW_DAYS,
    commentQuestion: true,
  });
  const programme: ProgrammeRow = await db
    .selectFrom('programme')
    .select(['id', 'anchor_item_ids', 'modules', 'window_days', 'comment_question'])
    .where('id', '=', programmeId)
    .executeTakeFirstOrThrow();
  const root = await db
    .selectFrom('unit')
    .select('path')
    .where('id', '=', rootUnitId)
    .executeTakeFirstOrThrow();

  const t0 = performance.now();
  const closedWaveIds: string[] = [];
  const perWaveMs: number[] = [];
  let previousOpenedOn: string | null = null;
  let publishedNodes = 0;
  for (let sequence = 1; sequence <= HISTORY_WAVES; sequence++) {
    const t = performance.now();
    const opensOn = addDays(firstOpensOn, (sequence - 1) * CADENCE_DAYS);
    const clock: Clock = { now: () => new Date(`${opensOn}T07:00:00.000Z`) };
    const waveId =
      sequence === 1
        ? firstWaveId
        : await insertPlannedWave(db, clock, programme, sequence, opensOn);
    const written = await writeClosedWave(db, {
      waveId,
      rootPath: root.path,
      opensOn,
      previousOpenedOn,
      teams,
    });
    publishedNodes = written.publishedNodes;
    previousOpenedOn = opensOn;
    closedWaveIds.push(waveId);
    teams.step();
    perWaveMs.push(performance.now() - t);
    log(
      `  history wave ${sequence}/${HISTORY_WAVES}: ${written.cells} cells, ` +
        `${written.responses} respondents, ${written.publishedNodes} published rows, ` +
        `${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
  }
  const historyMs = performance.now() - t0;

  // The 13th wave, the real way.
  const tOpen = performance.now();
  await app.waves.planNextWaves();
  const current = await db
    .selectFrom('wave')
    .select(['id', 'opens_on'])
    .where('programme_id', '=', programmeId)
    .where('sequence', '=', HISTORY_WAVES + 1)
    .executeTakeFirstOrThrow();
  if (current.opens_on !== today) throw new Error(`wave 13 opens on ${current.opens_on}`);
  await app.waves.prepare(current.id, null);
  const cells = await db
    .selectFrom('wave_cell')
    .select(['id', 'kind', 'unit_id', 'eligible'])
    .where('wave_id', '=', current.id)
    .orderBy('unit_id')
    .execute();
  await shareOneCellKey(db, config, current.id, cells);
  await app.waves.keysReady(current.id);
  const opened = await findWave(db, current.id);
  if (opened?.state !== 'open') throw new Error(`wave 13 is ${opened?.state}, not open`);
  const openMs = performance.now() - tOpen;
  log(`  wave 13 open: ${cells.length} cells, ${((openMs / 1000) | 0).toString()} s`);

  const tSubmit = performance.now();
  const responses = await submitWave(app, db, config, current.id, cells, teams);
  const submitMs = performance.now() - tSubmit;
  log(`  wave 13: ${responses} answers through /submit, ${(submitMs / 1000).toFixed(1)} s`);
  return {
    programmeId,
    rootUnitId,
    closedWaveIds,
    currentWaveId: current.id,
    cells: cells.length,
    responses,
    publishedNodes,
    timings: { historyMs, perWaveMs, openMs, submitMs },
  };
}

/** One closed wave written directly: roster snapshot, cells, tallies and published rows. */
async function writeClosedWave(
  db: Db,
  options: {
    waveId: string;
    rootPath: string;
    opensOn: string;
    previousOpenedOn: string | null;
    teams: Teams;
  },
): Promise<{ cells: number; responses: number; publishedNodes: number }> {
  const { waveId, rootPath, opensOn, previousOpenedOn, teams } = options;
  const wave = await findWave(db, waveId);
  if (!wave) throw new Error(`no wave ${waveId}`);
  const items = tallyItems(parseJsonArray<string>(wave.item_ids));

  // The roster and plan exactly as the runner's prepare() makes them on the opening date.
  const thresholds = effectiveThresholds();
  const plan = await planWaveCells(db, {
    rootPath,
    date: opensOn,
    previousOpenedOn,
    kE: thresholds.kE,
  });
  const cells = plan.cells.map((cell) => ({
    id: randomUUID(),
    unitId: cell.unitId,
    kind: cell.kind,
    eligible: cell.members.length,
    members: cell.members,
  }));

  // Simulated tallies per cell.
  const tallies = new Map<string, CellTally>();
  const comments = new Map<string, string[]>();
  let responses = 0;
  for (const cell of cells) {
    const team = teams.profile(cell.kind, cell.unitId, cell.eligible);
    const rng = teams.rng(`${cell.kind}:${cell.unitId}:${opensOn}`);
    const answers: Answer[][] = [];
    const texts: string[] = [];
    for (let i = 0; i < cell.members.length; i++) {
      if (!rng.chance(team.participation)) continue;
      answers.push(simulateAnswers(rng, items, team));
      // Already clean text (no names or numbers), as the scrubber leaves a comment.
      if (rng.chance(team.commentRate)) texts.push(simulateComment(rng, []));
    }
    responses += answers.length;
    tallies.set(cell.id, tallyCell(items, answers));
    comments.set(cell.id, texts);
  }

  const openedAt = `${opensOn}T07:00:00.000Z`;
  const closedAt = `${addDays(opensOn, WINDOW_DAYS)}T06:00:00.000Z`;
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('wave')
      .set({
        state: 'closing',
        thresholds: JSON.stringify(thresholds),
        keys_total: cells.length,
        keys_done: cells.length,
        unplaced: plan.unplaced.length,
        opened_at: openedAt,
      })
      .where('id', '=', waveId)
      .execute();
    const cellRows = cells.map((c) => ({
      id: c.id,
      wave_id: waveId,
      unit_id: c.unitId,
      kind: c.kind,
      eligible: c.eligible,
      key_id: null,
      public_key: null,
      participation_band: band(tallies.get(c.id)!.respondents / Math.max(1, c.eligible)),
      band_computed_on: addDays(opensOn, WINDOW_DAYS - 1),
    }));
    await insertChunks(trx, 'wave_cell', cellRows);
    await insertChunks(
      trx,
      'wave_eligibility',
      cells.flatMap((c) =>
        c.members.map((personId) => ({ wave_id: waveId, person_id: personId, cell_id: c.id })),
      ),
    );
  });

  // Publishing over these tallies, as the close does (it reads the earlier waves back).
  const closing = await findWave(db, waveId);
  const published = await preparePublication(db, {
    wave: closing!,
    cells: cells.map(({ id, unitId, kind, eligible }) => ({ id, unitId, kind, eligible })),
    tallies,
    comments,
  });
  await db.transaction().execute(async (trx) => {
    const cellTally = [];
    const itemTally = [];
    const themeTally = [];
    const commentRows = [];
    for (const [cellId, tally] of tallies) {
      const key = { wave_id: waveId, cell_id: cellId };
      cellTally.push({ ...key, respondents: tally.respondents });
      for (const [itemId, options] of tally.items) {
        for (const [option, count] of options)
          itemTally.push({ ...key, item_id: itemId, option, count });
      }
      for (const [theme, acc] of tally.themes) {
        themeTally.push({ ...key, theme, n: acc.n, sum: acc.sum, sum_sq: acc.sumSq });
      }
      for (const text of comments.get(cellId) ?? []) {
        commentRows.push({ id: toBase64url(randomBytes(16)), ...key, text });
      }
    }
    await insertChunks(trx, 'wave_cell_tally', cellTally);
    await insertChunks(trx, 'wave_item_tally', itemTally);
    await insertChunks(trx, 'wave_theme_tally', themeTally);
    await insertChunks(trx, 'wave_comment', commentRows);
    await insertPublication(trx, published);
    await trx
      .updateTable('wave')
      .set({ state: 'closed', closed_at: closedAt })
      .where('id', '=', waveId)
      .execute();
  });
  return {
    cells: cells.length,
    responses,
    publishedNodes: published.filter((row) => row.period === 'wave').length,
  };
}

const band = (share: number) => (share < 0.3 ? '<30%' : share <= 0.6 ? '30-60%' : '>60%');

type ChunkTable =
  | 'wave_cell'
  | 'wave_eligibility'
  | 'wave_cell_tally'
  | 'wave_item_tally'
  | 'wave_theme_tally'
  | 'wave_comment';

async function insertChunks(trx: Db, table: ChunkTable, rows: readonly object[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await trx
      .insertInto(table)
      // The rows are built for exactly this table above.
      .values(rows.slice(i, i + CHUNK) as never)
      .execute();
  }
}

/** Signs with node's thread pool, so signing runs on every core. */
function signAsync(key: Parameters<typeof sign>[2], data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    sign('sha384', data, key, (err, signature) => (err ? reject(err) : resolve(signature))),
  );
}

/**
 * Participation and one signed token per respondent, then every answer through /submit
 * (app.inject: the same route, without sockets), a few at a time.
 */
async function submitWave(
  app: FastifyInstance,
  db: Db,
  config: Config,
  waveId: string,
  cells: readonly { id: string; kind: string; unit_id: string; eligible: number }[],
  teams: Teams,
): Promise<number> {
  const wave = await findWave(db, waveId);
  const items: TallyItem[] = tallyItems(parseJsonArray<string>(wave!.item_ids));
  const members = new Map<string, string[]>();
  for (const row of await db
    .selectFrom('wave_eligibility')
    .select(['cell_id', 'person_id'])
    .where('wave_id', '=', waveId)
    .orderBy('person_id')
    .execute()) {
    const list = members.get(row.cell_id) ?? [];
    list.push(row.person_id);
    members.set(row.cell_id, list);
  }
  const today = wave!.opens_on;
  let sent = 0;
  for (const cell of cells) {
    const team = teams.profile(cell.kind, cell.unit_id, cell.eligible);
    const rng = teams.rng(`${cell.kind}:${cell.unit_id}:${today}`);
    const respondents = (members.get(cell.id) ?? []).filter(() => rng.chance(team.participation));
    if (!respondents.length) continue;
    const key = await loadCellKey(config.keyDir, waveId, cell.id);
    if (!key) throw new Error(`cell ${cell.id} has no key`);
    for (let i = 0; i < respondents.length; i += CHUNK) {
      await db
        .insertInto('participation')
        .values(respondents.slice(i, i + CHUNK).map((p) => ({ wave_id: waveId, person_id: p })))
        .execute();
    }
    const bodies = respondents.map(() => {
      const nonce = toBase64url(randomBytes(32));
      const message = tokenMessage({ waveId, cellId: cell.id, keyId: key.keyId, nonce });
      const comment = rng.chance(team.commentRate) ? simulateComment(rng, []) : undefined;
      return {
        prepared: Buffer.concat([randomBytes(32), Buffer.from(message, 'utf8')]),
        answers: simulateAnswers(rng, items, team),
        comment,
      };
    });
    await Promise.all(
      bodies.map(async (body) => {
        const signature = await signAsync(
          { key: key.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 },
          body.prepared,
        );
        const response = await app.inject({
          method: 'POST',
          url: '/submit/v1/responses',
          payload: {
            waveId,
            cellId: cell.id,
            keyId: key.keyId,
            message: toBase64url(body.prepared),
            signature: toBase64url(signature),
            answers: body.answers,
            ...(body.comment ? { comment: body.comment } : {}),
          },
        });
        if (response.statusCode !== 202) {
          throw new Error(`/submit refused: ${response.statusCode} ${response.body}`);
        }
      }),
    );
    sent += respondents.length;
  }
  return sent;
}

// ------------------------------------------------------------------------------------------
// Run by itself: a small organisation, the history, a summary.

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const people = Number(process.argv[2] ?? 3000);
  const dir = mkdtempSync(join(tmpdir(), 'teamspiegel-results-history-'));
  const config = loadConfig({
    ...benchEnv(dir),
    TEAMSPIEGEL_SCHEDULER_INTERVAL_MS: '0',
    LOG_LEVEL: 'warn',
  });
  const db = createDb(join(dir, 'teamspiegel.sqlite'));
  try {
    await migrateToLatest(db);
    const today = dateOf(systemClock.now());
    const org = await buildReferenceOrg(db, { people, today });
    console.log(describeOrg(org));
    const app = await buildApp({ db, config, clock: systemClock });
    await app.ready();
    const history = await buildResultsHistory({
      db,
      app,
      config,
      rootUnitId: org.rootUnitId,
      today,
      log: console.log,
    });
    const t = performance.now();
    await app.waves.close(history.currentWaveId, null);
    console.log(
      `wave 13 closed with publishing in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    await app.close();
  } finally {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
