/**
 * The demo's history: about six closed waves produced by the real pipeline, then the current
 * wave open, so a newcomer sees results, trends and intervals at once.
 *
 * Every past wave goes the way a real one goes, only on dates in the past: the wave runner
 * freezes the roster and plans the cells on the wave's opening date, gives every cell a real
 * signing key of its own (drawn from one set reused across the past waves: see key-set.ts), each simulated respondent's token is signed with their
 * cell's key (a finalized RFC 9474 signature is an ordinary RSASSA-PSS signature over the
 * prepared message, so the signature is made directly, as the officer's browser would end up
 * with it) and their participation recorded, the answers go through POST /submit/v1/responses
 * of the application itself (app.inject), and the runner closes the wave on its closing date:
 * tallies, scrubbed comments, publishing, erasure, key destruction. The dates come from a clock
 * this module moves; the scheduler is not involved.
 *
 * The current wave is left planned, opening two days ago: the server's scheduler opens it at
 * start, as it would any wave. Runs only right after seeding an empty database: with any
 * programme present it does nothing.
 */
import { constants, randomBytes, randomUUID, sign } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Db } from '@teamspiegel/db';
import { buildApp } from '../app.ts';
import { dateOf, type Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import { tallyItems } from '../collection/catalogue.ts';
import { toBase64url } from '../collection/crypto/encoding.ts';
import { KeyGenerationPool } from '../collection/crypto/keys.ts';
import { loadCellKey } from '../collection/crypto/keystore.ts';
import { tokenMessage } from '../collection/crypto/token.ts';
import { createProgramme } from '../collection/programmes.routes.ts';
import { addDays, parseJsonArray } from '../collection/waves.repository.ts';
import { DemoKeySet } from './key-set.ts';
import { SeededRandom } from './random.ts';
import {
  drawTeamEffect,
  simulateAnswers,
  simulateComment,
  type CommentName,
  type TeamProfile,
} from './simulate.ts';

/** The demo's pulse rhythm (content.md "Cadence"). */
export const DEMO_CADENCE_DAYS = 28;
export const DEMO_WINDOW_DAYS = 14;
/** Closed waves before the current one. */
export const DEMO_PAST_WAVES = 6;
/** The current wave opened this many days ago, so a newcomer can answer at once. */
export const CURRENT_WAVE_AGE_DAYS = 2;
/** The team of demo-lead and demo-officer (db/seed/dutch-corps.ts): clearly improving. */
export const DEMO_TEAM_CODE = 'NL-NH-ZW-ZAA-NHB';
const SEED = 20_261_128;
/** Key generation threads while the history is built (the server's own setting if higher). */
const HISTORY_KEY_WORKERS = 4;

export interface DemoHistoryOptions {
  db: Db;
  config: Config;
  /** The real now: the current wave opened CURRENT_WAVE_AGE_DAYS before it. */
  now: Date;
  /** Closed waves before the current one (DEMO_PAST_WAVES). */
  pastWaves?: number;
  /** Progress, one line per wave. */
  onProgress?: (message: string) => void;
}

export interface DemoHistorySummary {
  programmes: number;
  closedWaves: number;
  /** Answers submitted over all closed waves. */
  responses: number;
  /** Signing keys generated (the closed waves'; all destroyed at their close). */
  keys: number;
  ms: number;
}

/** A clock this module sets to each step's date. */
class HistoryClock implements Clock {
  private instant: Date;
  constructor(instant: Date) {
    this.instant = instant;
  }
  set(instant: Date): void {
    this.instant = instant;
  }
  now(): Date {
    return new Date(this.instant.getTime());
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const at = (date: string, time: string) => new Date(`${date}T${time}.000Z`);

interface WaveRow {
  id: string;
  programme_id: string;
  sequence: number;
  opens_on: string;
  closes_on: string;
  item_ids: string;
}

/**
 * Builds the history and plans the current wave. Returns null (and changes nothing) when the
 * database already has a programme.
 */
export async function buildDemoHistory(
  options: DemoHistoryOptions,
): Promise<DemoHistorySummary | null> {
  const { db, config, now } = options;
  const pastWaves = options.pastWaves ?? DEMO_PAST_WAVES;
  const progress = options.onProgress ?? (() => {});
  const started = performance.now();
  const existing = await db.selectFrom('programme').select('id').limit(1).execute();
  if (existing.length) return null;

  const today = dateOf(now);
  const firstOpensOn = addDays(today, -CURRENT_WAVE_AGE_DAYS - pastWaves * DEMO_CADENCE_DAYS);
  const clock = new HistoryClock(at(addDays(firstOpensOn, -7), '09:00:00'));
  const roots = await db
    .selectFrom('unit')
    .select(['id', 'name'])
    .where('parent_id', 'is', null)
    .orderBy('code')
    .execute();
  for (const root of roots) {
    await createProgramme(db, clock, {
      rootUnitId: root.id,
      name: `Teamspiegel ${root.name}`,
      firstOpensOn,
      cadenceDays: DEMO_CADENCE_DAYS,
      windowDays: DEMO_WINDOW_DAYS,
      commentQuestion: true,
    });
  }

  // The application itself, on the history's clock, without its scheduler or request logs.
  // Key generation is nearly all of the build's time and nothing else runs yet, so the pool
  // gets at least HISTORY_KEY_WORKERS threads, and the past waves share one set of keys.
  const keySet = new DemoKeySet(
    new KeyGenerationPool({
      workers: Math.max(
        config.keyWorkers,
        Math.min(HISTORY_KEY_WORKERS, 2 * availableParallelism()),
      ),
    }),
  );
  const app = await buildApp({
    db,
    config: { ...config, schedulerIntervalMs: 0, logLevel: 'error' as Config['logLevel'] },
    clock,
    keySource: keySet,
  });
  await app.ready();
  const simulation = new Simulation(new SeededRandom(SEED), pastWaves);
  let responses = 0;
  let keys = 0;
  try {
    for (let sequence = 1; sequence <= pastWaves; sequence++) {
      const waves = await plannedWaves(db, sequence);
      const opensOn = waves[0]!.opens_on;
      clock.set(at(opensOn, '07:00:00'));
      let t = performance.now();
      keySet.nextRound();
      keys += await openWaves(app, db, waves);
      const keysMs = performance.now() - t;
      t = performance.now();

      // Answers arrive during the window; bands are counted as the daily tick would.
      clock.set(at(addDays(opensOn, 3), '10:00:00'));
      let answered = 0;
      for (const wave of waves) answered += await answerWave(app, db, config, wave, simulation);
      await app.waves.refreshBands();
      responses += answered;
      const answerMs = performance.now() - t;
      t = performance.now();

      clock.set(at(waves[0]!.closes_on, '06:00:00'));
      for (const wave of waves) await app.waves.close(wave.id, null);
      await app.waves.planNextWaves();
      progress(
        `demo history: wave ${sequence} of ${pastWaves} closed (${answered} answers; keys ` +
          `${seconds(keysMs)}, answers ${seconds(answerMs)}, close ${seconds(performance.now() - t)})`,
      );
    }
    await recordDemoAction(db, clock.now());
    // The current wave: planned on the real clock; the server's scheduler opens it at start
    // (its keys are generated while the server already answers, as for any wave).
    clock.set(now);
    await app.waves.planNextWaves();
    const current = await plannedWaves(db, pastWaves + 1);
    if (current.some((w) => w.opens_on > today)) {
      throw new Error('the current demo wave would open in the future');
    }
  } finally {
    await app.close();
  }
  return {
    programmes: roots.length,
    closedWaves: pastWaves * roots.length,
    responses,
    keys,
    ms: performance.now() - started,
  };
}

/**
 * "You said, we did": after the last closed wave, the lead of the demo team records the action
 * agreed with the team, so officers see it beside the results and in the current wave's intro.
 */
async function recordDemoAction(db: Db, now: Date): Promise<void> {
  const lead = await db
    .selectFrom('unit')
    .innerJoin('membership', 'membership.unit_id', 'unit.id')
    .select(['unit.id as unitId', 'membership.person_id as personId'])
    .where('unit.code', '=', DEMO_TEAM_CODE)
    .where('membership.kind', '=', 'lead')
    .where('membership.left_on', 'is', null)
    .executeTakeFirst();
  if (!lead) return;
  const today = dateOf(now);
  const quarter = `${today.slice(0, 4)}-Q${Math.floor((Number(today.slice(5, 7)) - 1) / 3) + 1}`;
  await db
    .insertInto('team_action')
    .values({
      id: randomUUID(),
      node_id: lead.unitId,
      quarter,
      what:
        'Elke briefing begint met één vraag aan het team: wat zat je de afgelopen dienst niet lekker? ' +
        'De teamchef reageert pas als iedereen aan het woord is geweest.',
      theme: 'psychological_safety',
      due: addDays(today, 60),
      status: 'in_progress',
      recorded_by: lead.personId,
      updated_at: now.toISOString(),
    })
    .execute();
}

async function plannedWaves(db: Db, sequence: number): Promise<WaveRow[]> {
  const waves = await db
    .selectFrom('wave')
    .select(['id', 'programme_id', 'sequence', 'opens_on', 'closes_on', 'item_ids'])
    .where('sequence', '=', sequence)
    .where('state', '=', 'planned')
    .orderBy('programme_id')
    .execute();
  if (!waves.length) throw new Error(`no planned demo wave ${sequence}`);
  return waves;
}

/** Prepares the waves together (their keys share the worker pool) and waits until they open. */
async function openWaves(app: FastifyInstance, db: Db, waves: WaveRow[]): Promise<number> {
  for (const wave of waves) await app.waves.prepare(wave.id, null);
  await Promise.all(waves.map((wave) => app.waves.keysReady(wave.id)));
  const opened = await db
    .selectFrom('wave')
    .select(['state', 'keys_total'])
    .where(
      'id',
      'in',
      waves.map((w) => w.id),
    )
    .execute();
  if (opened.some((w) => w.state !== 'open')) {
    throw new Error('a demo wave did not open (key generation failed)');
  }
  return opened.reduce((sum, w) => sum + w.keys_total, 0);
}

interface CellRow {
  id: string;
  kind: string;
  eligible: number;
  unitCode: string;
}

/**
 * Every simulated respondent of one wave: participation recorded and a token signed, as
 * issuance does, then the answers sent to /submit. Returns how many answered.
 */
async function answerWave(
  app: FastifyInstance,
  db: Db,
  config: Config,
  wave: WaveRow,
  simulation: Simulation,
): Promise<number> {
  const items = tallyItems(parseJsonArray<string>(wave.item_ids));
  const cells: CellRow[] = await db
    .selectFrom('wave_cell')
    .innerJoin('unit', 'unit.id', 'wave_cell.unit_id')
    .select(['wave_cell.id', 'wave_cell.kind', 'wave_cell.eligible', 'unit.code as unitCode'])
    .where('wave_cell.wave_id', '=', wave.id)
    .orderBy('unit.code')
    .orderBy('wave_cell.kind')
    .execute();
  const roster = await db
    .selectFrom('wave_eligibility')
    .innerJoin('person', 'person.id', 'wave_eligibility.person_id')
    .select([
      'wave_eligibility.cell_id as cellId',
      'wave_eligibility.person_id as personId',
      'person.given_name as givenName',
      'person.family_name as familyName',
    ])
    .where('wave_eligibility.wave_id', '=', wave.id)
    .orderBy('person.employee_number')
    .execute();
  const byCell = new Map<string, typeof roster>();
  for (const person of roster) {
    const list = byCell.get(person.cellId) ?? [];
    list.push(person);
    byCell.set(person.cellId, list);
  }

  let answered = 0;
  for (const cell of cells) {
    const members = byCell.get(cell.id) ?? [];
    const team = simulation.profile(cell, wave.sequence);
    const rng = simulation.rng(`${cell.kind}:${cell.unitCode}:${wave.sequence}`);
    const respondents = members.filter(() => rng.chance(team.participation));
    if (!respondents.length) continue;
    const key = await loadCellKey(config.keyDir, wave.id, cell.id);
    if (!key) throw new Error(`demo cell ${cell.id} has no signing key`);
    // Issuance: one participation row and one signature per person, nothing linking the two.
    await db
      .insertInto('participation')
      .values(respondents.map((p) => ({ wave_id: wave.id, person_id: p.personId })))
      .execute();
    const names: CommentName[] = members;
    for (let i = 0; i < respondents.length; i++) {
      const nonce = toBase64url(randomBytes(32));
      const message = tokenMessage({ waveId: wave.id, cellId: cell.id, keyId: key.keyId, nonce });
      const prepared = Buffer.concat([randomBytes(32), Buffer.from(message, 'utf8')]);
      const signature = sign('sha384', prepared, {
        key: key.privateKey,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: 48,
      });
      const answers = simulateAnswers(rng, items, team);
      const comment = rng.chance(team.commentRate) ? simulateComment(rng, names) : undefined;
      const response = await app.inject({
        method: 'POST',
        url: '/submit/v1/responses',
        payload: {
          waveId: wave.id,
          cellId: cell.id,
          keyId: key.keyId,
          message: toBase64url(prepared),
          signature: toBase64url(signature),
          answers,
          ...(comment ? { comment } : {}),
        },
      });
      if (response.statusCode !== 202) {
        throw new Error(`demo submission refused: ${response.statusCode} ${response.body}`);
      }
      answered++;
    }
  }
  return answered;
}

/**
 * Who the simulated teams are: a stable profile per cell (named by kind and unit code, so it
 * survives the new cell ids of every wave) drifting a little from wave to wave, one intra-class
 * correlation per run, and the chosen few: demo-lead's team improving clearly in the last
 * closed wave, some small teams answering too little to be published, a few with incidents.
 */
class Simulation {
  private readonly icc: number;
  private readonly teams = new Map<string, { base: TeamProfile; drift: number[] }>();

  constructor(
    private readonly random: SeededRandom,
    private readonly pastWaves: number,
  ) {
    this.icc = 0.15 + 0.2 * random.fork('icc').next();
  }

  rng(label: string): SeededRandom {
    return this.random.fork(label);
  }

  profile(cell: CellRow, sequence: number): TeamProfile {
    const name = `${cell.kind}:${cell.unitCode}`;
    let team = this.teams.get(name);
    if (!team) {
      const rng = this.random.fork(`team:${name}`);
      const small = cell.eligible <= 9;
      const reluctant = rng.chance(small ? 0.5 : 0.12);
      const participation = reluctant
        ? 0.4 + 0.15 * rng.next()
        : Math.min(0.93, Math.max(0.6, 0.74 + 0.09 * rng.normal()));
      const base: TeamProfile = {
        effect: drawTeamEffect(rng, this.icc),
        icc: this.icc,
        participation: cell.kind === 'leadership' ? 0.8 : participation,
        dontKnow: 0.02 + 0.06 * rng.next(),
        incidentFactor: cell.kind === 'team' && rng.chance(0.1) ? 3.5 : 0.8,
        commentRate: 0.12,
      };
      // A small random walk: changes between waves that are mostly not clear.
      const drift = [0];
      for (let i = 1; i <= this.pastWaves + 1; i++) drift.push(drift[i - 1]! + 0.08 * rng.normal());
      team = { base, drift };
      this.teams.set(name, team);
    }
    if (cell.kind === 'team' && cell.unitCode === DEMO_TEAM_CODE) {
      // demo-lead's team: many answer; low and flat, then a clear rise in the last closed wave.
      const last = this.pastWaves;
      const effect = sequence >= last ? 0.4 : sequence === last - 1 ? -0.5 : -0.6;
      return { ...team.base, effect, participation: 0.85, incidentFactor: 0.8 };
    }
    return { ...team.base, effect: team.base.effect + (team.drift[sequence] ?? 0) };
  }
}
