/**
 * The demo's history (src/demo/history.ts): six closed waves per organisation produced by the
 * real pipeline on past dates, then the current wave, which the server's scheduler opens at
 * start. What a newcomer (and an attacker with the database file) would notice: counts only,
 * nothing raw, no keys; results worth looking at (published, suppressed and merged cells, one
 * team clearly improving); comments scrubbed; demo-officer free to answer the current wave.
 *
 * Building the history generates about 500 real RSA-2048 keys, so this suite takes a while.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { MyWaves, ResultsOverview } from '@teamspiegel/contracts';
import { ANCHOR_ITEM_IDS } from '@teamspiegel/core';
import { createDb, migrateToLatest, type Db } from '@teamspiegel/db';
import { seedDemo } from '@teamspiegel/db/seed';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.ts';
import { hashPassword } from '../src/auth/passwords.ts';
import { dateOf } from '../src/clock.ts';
import { tallyItems } from '../src/collection/catalogue.ts';
import { addDays } from '../src/collection/waves.repository.ts';
import type { Config } from '../src/config.ts';
import {
  buildDemoHistory,
  DEMO_PAST_WAVES,
  DEMO_TEAM_CODE,
  type DemoHistorySummary,
} from '../src/demo/history.ts';
import { DEMO_PASSWORD, testConfig, TestClock, TODAY } from './helpers.ts';
import { browserAs, personIdByUsername } from './support.ts';

const history = suite('demo history');

let dir = '';
let db: Db;
let config: Config;
let summary: DemoHistorySummary | null = null;
const clock = new TestClock();

history.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'teamspiegel-demo-history-'));
  config = testConfig(dir);
  db = createDb(join(dir, 'teamspiegel.sqlite'));
  await migrateToLatest(db);
  await seedDemo(db, { today: TODAY, hashPassword, demoPassword: DEMO_PASSWORD });
  summary = await buildDemoHistory({ db, config, now: clock.now() });
});

history.after(async () => {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const closedWaves = () =>
  db
    .selectFrom('wave')
    .innerJoin('programme', 'programme.id', 'wave.programme_id')
    .select([
      'wave.id',
      'wave.programme_id',
      'wave.sequence',
      'wave.opens_on',
      'wave.closes_on',
      'wave.closed_at',
      'programme.name',
    ])
    .where('wave.state', '=', 'closed')
    .orderBy('programme.name')
    .orderBy('wave.sequence')
    .execute();

/** Every cell of the closed waves with its eligible count, respondents and unit. */
const closedCells = () =>
  db
    .selectFrom('wave_cell')
    .innerJoin('wave', 'wave.id', 'wave_cell.wave_id')
    .innerJoin('unit', 'unit.id', 'wave_cell.unit_id')
    .leftJoin('wave_cell_tally', 'wave_cell_tally.cell_id', 'wave_cell.id')
    .select([
      'wave_cell.id',
      'wave_cell.kind',
      'wave_cell.eligible',
      'wave_cell.key_id',
      'wave_cell_tally.respondents',
      'wave.sequence',
      'wave.id as waveId',
      'unit.code',
    ])
    .where('wave.state', '=', 'closed')
    .execute();

const count = async (table: 'response' | 'participation') => {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
};

history(
  'six closed waves per organisation, four weeks apart, the last one before today',
  async () => {
    assert.ok(summary, 'the history was built');
    assert.is(summary.closedWaves, 2 * DEMO_PAST_WAVES);
    const waves = await closedWaves();
    const programmes = new Set(waves.map((w) => w.programme_id));
    assert.is(programmes.size, 2);
    for (const programme of programmes) {
      const own = waves.filter((w) => w.programme_id === programme);
      assert.equal(
        own.map((w) => w.sequence),
        [1, 2, 3, 4, 5, 6],
      );
      for (let i = 1; i < own.length; i++) {
        assert.is(own[i]!.opens_on, addDays(own[i - 1]!.opens_on, 28));
      }
      // Closed on its closing date, in the past: the history is history.
      for (const wave of own) assert.is(wave.closed_at!.slice(0, 10), wave.closes_on);
      assert.ok(own.at(-1)!.closes_on < TODAY);
    }
  },
);

history('every closed cell has its tally; the totals match the answers sent', async () => {
  const cells = await closedCells();
  assert.ok(cells.length > 100, `${cells.length} cells`);
  assert.ok(cells.every((c) => c.respondents !== null));
  const total = cells.reduce((sum, c) => sum + (c.respondents ?? 0), 0);
  assert.is(total, summary!.responses);
  const themes = await db
    .selectFrom('wave_theme_tally')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  assert.ok(Number(themes.n) > 0);
});

history('nothing raw is left: no answers, no participation, no signing or data keys', async () => {
  assert.is(await count('response'), 0);
  assert.is(await count('participation'), 0);
  const waves = await closedWaves();
  for (const wave of waves) {
    const waveKeys = join(config.keyDir, wave.id);
    assert.ok(
      !existsSync(waveKeys) || readdirSync(waveKeys).length === 0,
      `keys left for ${wave.id}`,
    );
  }
});

history('participation around 70 %, some teams under 60 %', async () => {
  const cells = await closedCells();
  const eligible = cells.reduce((sum, c) => sum + c.eligible, 0);
  const answered = cells.reduce((sum, c) => sum + (c.respondents ?? 0), 0);
  const share = answered / eligible;
  assert.ok(share > 0.6 && share < 0.8, `participation ${share.toFixed(2)}`);
  const low = cells.filter((c) => c.kind === 'team' && c.respondents! / c.eligible < 0.6);
  assert.ok(low.length >= 10, `${low.length} team cells under 60 %`);
});

history(
  'a mix a newcomer can explore: too few answers, merged teams, demo team shown',
  async () => {
    const cells = await closedCells();
    // Too few answers to publish (K = 5), in teams big enough for a cell of their own.
    const few = cells.filter((c) => c.kind === 'team' && c.respondents! < 5);
    assert.ok(few.length >= 5, `${few.length} team cells with fewer than 5 answers`);
    // Teams below five members merged into a remainder cell.
    assert.ok(cells.some((c) => c.kind === 'remainder'));
    // demo-lead's and demo-officer's team: enough answers in every wave.
    const demo = cells.filter((c) => c.kind === 'team' && c.code === DEMO_TEAM_CODE);
    assert.is(demo.length, DEMO_PAST_WAVES);
    for (const cell of demo) assert.ok(cell.respondents! >= 10, `${cell.respondents} answers`);
  },
);

/** % favourable (top two of five, after reverse keying) over the anchor items of one cell. */
async function favourable(cellId: string): Promise<number> {
  const rows = await db
    .selectFrom('wave_item_tally')
    .select(['item_id', 'option', 'count'])
    .where('cell_id', '=', cellId)
    .where('item_id', 'in', [...ANCHOR_ITEM_IDS])
    .execute();
  const items = new Map(tallyItems(ANCHOR_ITEM_IDS).map((item) => [item.id, item]));
  let yes = 0;
  let valid = 0;
  for (const row of rows) {
    const item = items.get(row.item_id)!;
    const value = Number(row.option);
    if (!Number.isInteger(value)) continue; // "don't know"
    const recoded = item.reverseKeyed ? item.min + item.max - value : value;
    valid += row.count;
    if (recoded >= item.max - 1) yes += row.count;
  }
  return (100 * yes) / valid;
}

history('one team clearly improves in the last wave; the others mostly change little', async () => {
  const cells = await closedCells();
  const demo = cells
    .filter((c) => c.kind === 'team' && c.code === DEMO_TEAM_CODE)
    .sort((a, b) => a.sequence - b.sequence);
  const scores = await Promise.all(demo.map((c) => favourable(c.id)));
  const [before, last] = [scores.at(-2)!, scores.at(-1)!];
  assert.ok(last - before >= 20, `demo team ${scores.map((s) => s.toFixed(0)).join(', ')}`);

  // Other well-answered teams: between the last two waves most move less than 20 points.
  const bySequence = (sequence: number) =>
    new Map(
      cells
        .filter((c) => c.kind === 'team' && c.sequence === sequence && c.respondents! >= 10)
        .map((c) => [c.code, c]),
    );
  const [previous, latest] = [bySequence(5), bySequence(6)];
  let steady = 0;
  let compared = 0;
  for (const [key, cell] of latest) {
    const earlier = previous.get(key);
    if (!earlier || cell.code === DEMO_TEAM_CODE) continue;
    compared++;
    if (Math.abs((await favourable(cell.id)) - (await favourable(earlier.id))) < 20) steady++;
  }
  assert.ok(compared >= 20 && steady / compared > 0.6, `${steady} of ${compared} steady`);
});

/** The published wave results of one kind of node, per wave sequence. */
async function publishedNodes(kind: string) {
  const rows = await db
    .selectFrom('published_node')
    .innerJoin('wave', 'wave.id', 'published_node.wave_id')
    .innerJoin('unit', 'unit.id', 'published_node.unit_id')
    .select(['wave.sequence', 'unit.code', 'published_node.payload'])
    .where('published_node.period', '=', 'wave')
    .where('published_node.kind', '=', kind)
    .execute();
  return rows.map((r) => ({
    sequence: r.sequence,
    code: r.code,
    result: r.payload
      ? (JSON.parse(r.payload) as { themes: { change?: { verdict: string } }[] })
      : null,
  }));
}

history(
  'published at close: teams shown and hidden, merged groups, clear and unclear changes',
  async () => {
    const teams = await publishedNodes('team');
    assert.ok(teams.filter((t) => t.result).length > 100);
    assert.ok(teams.filter((t) => !t.result).length >= 5, 'some teams too small to show');
    assert.ok((await publishedNodes('remainder')).length > 0, 'merged small teams');

    const demo = teams
      .filter((t) => t.code === DEMO_TEAM_CODE)
      .sort((a, b) => a.sequence - b.sequence);
    assert.is(demo.length, DEMO_PAST_WAVES);
    assert.ok(
      demo.every((t) => t.result),
      "demo-lead's team is shown in every wave",
    );
    const verdicts = (t: (typeof teams)[number]) =>
      (t.result?.themes ?? []).map((theme) => theme.change?.verdict);
    assert.ok(verdicts(demo.at(-1)!).includes('better'), `${verdicts(demo.at(-1)!).join(', ')}`);
    const latest = teams.filter((t) => t.sequence === DEMO_PAST_WAVES && t.code !== DEMO_TEAM_CODE);
    assert.ok(latest.flatMap(verdicts).includes('no_clear_change'));
  },
);

history('teams differ: intra-class correlation of the anchor theme scores', async () => {
  // One-way ANOVA estimate from the theme tallies (n, sum, sum of squares per cell).
  const waves = await closedWaves();
  const rows = await db
    .selectFrom('wave_theme_tally')
    .innerJoin('wave_cell', 'wave_cell.id', 'wave_theme_tally.cell_id')
    .select(['wave_theme_tally.n', 'wave_theme_tally.sum', 'wave_theme_tally.sum_sq'])
    .where('wave_theme_tally.wave_id', '=', waves.find((w) => w.name.includes('Nederland'))!.id)
    .where('wave_theme_tally.theme', '=', 'psychological_safety')
    .where('wave_cell.kind', '=', 'team')
    .where('wave_theme_tally.n', '>=', 2)
    .execute();
  const N = rows.reduce((s, r) => s + r.n, 0);
  const grand = rows.reduce((s, r) => s + r.sum, 0) / N;
  const ssBetween = rows.reduce((s, r) => s + r.n * (r.sum / r.n - grand) ** 2, 0);
  const ssWithin = rows.reduce((s, r) => s + (r.sum_sq - r.sum ** 2 / r.n), 0);
  const k = rows.length;
  const msb = ssBetween / (k - 1);
  const msw = ssWithin / (N - k);
  const n0 = (N - rows.reduce((s, r) => s + r.n ** 2, 0) / N) / (k - 1);
  const icc = (msb - msw) / (msb + (n0 - 1) * msw);
  assert.ok(icc > 0.08 && icc < 0.5, `ICC ${icc.toFixed(2)} over ${k} teams`);
});

history('comments: some stored, names and phone numbers replaced by the scrubber', async () => {
  const comments = await db.selectFrom('wave_comment').select('text').execute();
  assert.ok(comments.length > 100, `${comments.length} comments`);
  assert.ok(comments.some((c) => c.text.includes('[naam]')));
  assert.ok(comments.some((c) => c.text.includes('[telefoon]')));
  assert.not.ok(comments.some((c) => /06-\d{8}/.test(c.text)));
  const people = await db.selectFrom('person').select(['given_name', 'family_name']).execute();
  const fullNames = new Set(people.map((p) => `${p.given_name} ${p.family_name}`));
  for (const { text } of comments) {
    for (const name of fullNames) assert.not.ok(text.includes(name), text);
  }
});

history('runs only once: with a programme present it changes nothing', async () => {
  const before = await db
    .selectFrom('wave')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  assert.is(await buildDemoHistory({ db, config, now: clock.now() }), null);
  const after = await db
    .selectFrom('wave')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  assert.is(Number(after.n), Number(before.n));
});

history('at start the current wave opens, and demo-officer may answer it', async () => {
  const app: FastifyInstance = await buildApp({ db, config, clock });
  await app.ready();
  try {
    // What the server's scheduler does at start.
    await app.waves.tick();
    const current = await db
      .selectFrom('wave')
      .select(['id', 'state', 'sequence', 'opens_on'])
      .where('state', '!=', 'closed')
      .execute();
    assert.is(current.length, 2);
    for (const wave of current) {
      assert.is(wave.sequence, DEMO_PAST_WAVES + 1);
      assert.is(wave.opens_on, addDays(dateOf(clock.now()), -2));
      await app.waves.keysReady(wave.id);
    }
    const officer = await personIdByUsername(db, 'demo-officer');
    const eligible = await db
      .selectFrom('wave_eligibility')
      .innerJoin('wave', 'wave.id', 'wave_eligibility.wave_id')
      .select(['wave.id', 'wave.state'])
      .where('wave_eligibility.person_id', '=', officer)
      .where('wave.state', '!=', 'closed')
      .execute();
    assert.is(eligible.length, 1);
    assert.is(eligible[0]!.state, 'open');
    assert.is(await count('participation'), 0);

    const browser = await browserAs(app, 'demo-officer');
    const mine = (await browser.get('/api/v1/me/waves')).json<MyWaves>().items;
    assert.is(mine.length, 1);
    assert.is(mine[0]!.waveId, eligible[0]!.id);
    assert.is(mine[0]!.tokenTaken, false);

    // "You said, we did": the action demo-lead's team agreed on, visible to the officer.
    const overview = (await browser.get('/api/v1/results/overview')).json<ResultsOverview>();
    const team = overview.home.find(
      (id) => overview.nodes.find((n) => n.nodeId === id)?.kind === 'team',
    );
    assert.ok(team, 'demo-officer has a team node');
    const actions = (await browser.get(`/api/v1/results/nodes/${team}/actions`)).json<{
      items: { what: string; status: string }[];
    }>();
    assert.is(actions.items.length, 1);
    assert.is(actions.items[0]!.status, 'in_progress');
  } finally {
    await app.close();
  }
});

history.run();
