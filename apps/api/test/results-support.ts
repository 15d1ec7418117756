/**
 * Fixtures for the results API tests: closed waves with a published tree written straight into
 * published_node, as the close would leave it. These tests are about who may read what, not
 * how it was computed (that is the publishing tests' job).
 */
import * as assert from 'uvu/assert';
import type { NodeKind, Period, PublishedNode } from '@teamspiegel/contracts';
import type { Db } from '@teamspiegel/db';
import { createProgramme } from '../src/collection/programmes.routes.ts';
import { insertPlannedWave } from '../src/collection/waves.service.ts';
import { TODAY, type TestApp } from './helpers.ts';
import {
  answersFor,
  browserForPerson,
  cellMembers,
  myWave,
  submit,
  takeToken,
} from './pulse-support.ts';
import { unitIdByCode, type Browser } from './support.ts';

export type Payload = Omit<PublishedNode, 'waveId' | 'nodeId' | 'period' | 'node'>;

/** A published node's stored fields: one theme and one anchor item shown, one of each hidden. */
export function published(respondents: number, score = 62.5): Payload {
  return {
    respondents,
    eligibleBand: '10-19',
    participationBand: '>60%',
    interpretWithCare: false,
    trendAllowed: true,
    themes: [
      {
        theme: 'psychological_safety',
        score,
        low: score - 8.1,
        high: score + 8.1,
        n: respondents,
        change: { verdict: 'none' },
      },
      { theme: 'inclusion', suppressed: true },
    ],
    items: [
      {
        itemId: 'ps.raise_problems',
        anchor: true,
        n: respondents,
        mean: 3.6,
        pomp: 65,
        low: 55.2,
        high: 74.8,
        dontKnowPct: 0,
      },
      { itemId: 'inc.at_home', anchor: true, suppressed: true },
    ],
    recommendation: { suppressed: true },
    comments: { suppressed: true },
  };
}

/** A node of a fixture tree: `<unit code>` or `<unit code>~remainder|~leadership`. */
export type Entry = readonly [key: string, payload: Payload | Record<string, unknown> | null];

export interface FixtureNode {
  nodeId: string;
  unitId: string;
  kind: NodeKind;
  parentNodeId: string | null;
  name: string;
}

/** Resolves a fixture key to the node it names, with its parent as publishing builds it. */
export async function fixtureNode(db: Db, key: string): Promise<FixtureNode> {
  const [code, suffix] = key.split('~') as [string, string | undefined];
  const unit = await db
    .selectFrom('unit')
    .select(['id', 'parent_id', 'kind', 'name'])
    .where('code', '=', code)
    .executeTakeFirstOrThrow();
  if (suffix === 'remainder' || suffix === 'leadership') {
    return {
      nodeId: `${unit.id}~${suffix}`,
      unitId: unit.id,
      kind: suffix,
      parentNodeId: unit.id,
      name: unit.name,
    };
  }
  return {
    nodeId: unit.id,
    unitId: unit.id,
    kind: unit.kind === 'team' ? 'team' : 'unit',
    parentNodeId: unit.parent_id,
    name: unit.name,
  };
}

export const nodeIdOf = async (db: Db, key: string): Promise<string> =>
  (await fixtureNode(db, key)).nodeId;

/** Writes a published tree (entries in tree order) for a wave and period. */
export async function publishTree(
  db: Db,
  waveId: string,
  period: Period,
  entries: readonly Entry[],
): Promise<void> {
  for (const [position, [key, payload]] of entries.entries()) {
    const node = await fixtureNode(db, key);
    await db
      .insertInto('published_node')
      .values({
        wave_id: waveId,
        period,
        node_id: node.nodeId,
        unit_id: node.unitId,
        kind: node.kind,
        parent_node_id: node.parentNodeId,
        name: node.name,
        position,
        payload: payload === null ? null : JSON.stringify(payload),
        classes: JSON.stringify(payload === null ? [] : ['score']),
      })
      .execute();
  }
}

/** A programme on the corps with `count` closed waves four weeks apart, oldest first. */
export async function closedWaves(
  t: TestApp,
  count: number,
  name = 'Results test',
): Promise<string[]> {
  const { programmeId, waveId } = await createProgramme(t.db, t.clock, {
    rootUnitId: await unitIdByCode(t.db, 'NL'),
    name,
    firstOpensOn: '2026-06-01',
    cadenceDays: 28,
    windowDays: 14,
    commentQuestion: true,
  });
  const programme = await t.db
    .selectFrom('programme')
    .selectAll()
    .where('id', '=', programmeId)
    .executeTakeFirstOrThrow();
  const waves = [waveId];
  for (let sequence = 2; sequence <= count; sequence += 1) {
    const opensOn = new Date(Date.parse('2026-06-01') + (sequence - 1) * 28 * 86_400_000)
      .toISOString()
      .slice(0, 10);
    waves.push(await insertPlannedWave(t.db, t.clock, programme, sequence, opensOn));
  }
  await t.db
    .updateTable('wave')
    .set({ state: 'closed', closed_at: `${TODAY}T08:00:00.000Z` })
    .where('id', 'in', waves)
    .execute();
  return waves;
}

/** Stored rows of a wave, as the API must answer them: identity plus the stored payload. */
export async function storedResult(
  db: Db,
  waveId: string,
  period: Period,
  nodeId: string,
): Promise<Record<string, unknown>> {
  const row = await db
    .selectFrom('published_node')
    .selectAll()
    .where('wave_id', '=', waveId)
    .where('period', '=', period)
    .where('node_id', '=', nodeId)
    .executeTakeFirstOrThrow();
  const identity = {
    waveId,
    nodeId,
    period,
    node: {
      nodeId,
      unitId: row.unit_id,
      kind: row.kind,
      name: row.name,
      parentNodeId: row.parent_node_id,
    },
  };
  return row.payload === null
    ? { ...identity, suppressed: true }
    : { ...(JSON.parse(row.payload) as Record<string, unknown>), ...identity };
}

/** The id of a team's own cell in a wave (its `team` cell, not remainder or leadership). */
export async function teamCellOf(db: Db, waveId: string, code: string): Promise<string> {
  const unitId = await unitIdByCode(db, code);
  const cell = await db
    .selectFrom('wave_cell')
    .select('id')
    .where('wave_id', '=', waveId)
    .where('unit_id', '=', unitId)
    .where('kind', '=', 'team')
    .executeTakeFirstOrThrow();
  return cell.id;
}

/**
 * The first `count` members of a team's cell answer through the real token protocol: a token
 * each, then /submit with `pick(index, i)` as the value of item `index` for member `i`, and
 * `comments[i]` as member i's comment. `browserOf` gives a member's logged-in browser (by
 * default a fresh login each call).
 */
export async function answerAsTeam(
  t: Pick<TestApp, 'app' | 'db'>,
  waveId: string,
  code: string,
  count: number,
  pick: (index: number, i: number) => number,
  options: {
    comments?: readonly string[];
    browserOf?: (personId: string) => Promise<Browser>;
  } = {},
): Promise<void> {
  const members = await cellMembers(t.db, waveId, await teamCellOf(t.db, waveId, code));
  assert.ok(members.length >= count, `${code} has ${members.length} members`);
  const browserOf = options.browserOf ?? ((personId) => browserForPerson(t.app, t.db, personId));
  for (const [i, personId] of members.slice(0, count).entries()) {
    const browser = await browserOf(personId);
    const wave = await myWave(browser, waveId);
    const { token, response } = await takeToken(browser, wave);
    assert.ok(token, response.body);
    const sent = await submit(
      t.app,
      token,
      answersFor(wave, (index) => pick(index, i)),
      options.comments?.[i],
    );
    assert.is(sent.statusCode, 202, sent.body);
  }
}

/**
 * Writes a wave's roster snapshot as the open would have left it: the people are placed in the
 * cell a fixture key names (`<code>` a team cell, `<code>~remainder|~leadership`), created when
 * missing; any earlier placement of theirs in that wave is replaced.
 */
export async function placeAtOpen(
  db: Db,
  waveId: string,
  key: string,
  personIds: readonly string[],
): Promise<void> {
  const node = await fixtureNode(db, key);
  const kind = node.kind === 'unit' ? 'team' : node.kind;
  let cell = await db
    .selectFrom('wave_cell')
    .select('id')
    .where('wave_id', '=', waveId)
    .where('unit_id', '=', node.unitId)
    .where('kind', '=', kind)
    .executeTakeFirst();
  if (!cell) {
    cell = { id: crypto.randomUUID() };
    await db
      .insertInto('wave_cell')
      .values({
        id: cell.id,
        wave_id: waveId,
        unit_id: node.unitId,
        kind,
        eligible: 0,
        key_id: null,
        public_key: null,
        participation_band: null,
        band_computed_on: null,
      })
      .execute();
  }
  for (const personId of personIds) {
    await db
      .deleteFrom('wave_eligibility')
      .where('wave_id', '=', waveId)
      .where('person_id', '=', personId)
      .execute();
    await db
      .insertInto('wave_eligibility')
      .values({ wave_id: waveId, person_id: personId, cell_id: cell.id })
      .execute();
  }
  await db
    .updateTable('wave_cell')
    .set((eb) => ({
      eligible: eb
        .selectFrom('wave_eligibility')
        .select((e) => e.fn.countAll<number>().as('n'))
        .whereRef('wave_eligibility.cell_id', '=', 'wave_cell.id'),
    }))
    .where('wave_id', '=', waveId)
    .execute();
}

/** The ordinary members of a unit today (not its leads), by person id. */
export async function membersOf(db: Db, code: string): Promise<string[]> {
  const rows = await db
    .selectFrom('membership')
    .select('person_id')
    .where('unit_id', '=', await unitIdByCode(db, code))
    .where('kind', '=', 'member')
    .where('left_on', 'is', null)
    .execute();
  return rows.map((r) => r.person_id);
}
