/**
 * Retention (apps/api/src/retention): a closed wave's comments go after the organisation's
 * comment period (24 months by default), its results after the results period (5 years),
 * counted from the day it closed; the wave itself and its manifest stay.
 *
 * The clock starts on 2026-11-23. Wave A closed on 2021-11-24 (results expire 2026-11-24), wave
 * B on 2024-11-24 (comments expire 2026-11-24), wave C on 2026-08-10 (nothing expires).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { suite, test } from 'uvu';
import * as assert from 'uvu/assert';
import { sql } from 'kysely';
import type { NodeResult, ResultsOverview } from '@teamspiegel/contracts';
import { addMonths, quarterDays } from '../src/retention/policy.ts';
import { runRetention } from '../src/retention/retention.service.ts';
import { buildTestApp, withTestApp } from './helpers.ts';
import { rawDatabaseFiles } from './pulse-support.ts';
import { closedWaves, nodeIdOf, publishTree, published, type Entry } from './results-support.ts';
import { auditEvents, browserAs, personIdByUsername, unitIdByCode } from './support.ts';

const t = withTestApp(test);

const ZAA = 'NL-NH-ZW-ZAA';
const TEAM = `${ZAA}-NHB`;
const SIBLING = `${ZAA}-NHA`;
const REMAINDER = `${ZAA}~remainder`;
/** A team in none of the published trees. */
const OTHER = 'NL-OB-EHV-DMS-OPS';
const DAY = 86_400_000;

const shown = (text: string) => ({ texts: [text, `${text} (tweede)`] });

let waveA = '';
let waveB = '';
let waveC = '';
const id: Record<string, string> = {};

/** The published tree of a wave, with comments at the team and the basisteam. */
function tree(comment: string): Entry[] {
  return [
    ['NL', published(400)],
    ['NL-NH', published(200)],
    ['NL-NH-ZW', published(100)],
    [ZAA, { ...published(60), comments: shown(`${comment} basisteam`) }],
    [SIBLING, null],
    [TEAM, { ...published(12), comments: shown(`${comment} team`) }],
    [REMAINDER, { ...published(11), comments: { suppressed: true, movedTo: id[ZAA]! } }],
  ];
}

/** A cell of a wave with tallies and a stored comment, as the close leaves them. */
async function cellWithCounts(waveId: string, comment: string): Promise<void> {
  const cellId = randomUUID();
  await t.db
    .insertInto('wave_cell')
    .values({
      id: cellId,
      wave_id: waveId,
      unit_id: id[TEAM]!,
      kind: 'team',
      eligible: 15,
      key_id: 'a-public-key-id',
      public_key: 'a-public-key',
      participation_band: null,
      band_computed_on: null,
    })
    .execute();
  const key = { wave_id: waveId, cell_id: cellId };
  await t.db
    .insertInto('wave_cell_tally')
    .values({ ...key, respondents: 12 })
    .execute();
  await t.db
    .insertInto('wave_item_tally')
    .values({ ...key, item_id: 'ps.raise_problems', option: '4', count: 12 })
    .execute();
  await t.db
    .insertInto('wave_theme_tally')
    .values({ ...key, theme: 'psychological_safety', n: 12, sum: 840, sum_sq: 60000 })
    .execute();
  await t.db
    .insertInto('wave_comment')
    .values({ id: randomUUID(), ...key, text: comment })
    .execute();
}

async function closeOn(waveId: string, date: string): Promise<void> {
  await t.db
    .updateTable('wave')
    .set({ opens_on: addMonths(date, -1), closes_on: date, closed_at: `${date}T10:00:00.000Z` })
    .where('id', '=', waveId)
    .execute();
}

async function action(key: string, quarter: string): Promise<void> {
  await t.db
    .insertInto('team_action')
    .values({
      id: randomUUID(),
      node_id: id[key]!,
      quarter,
      what: `Actie ${key} ${quarter}`,
      theme: 'psychological_safety',
      due: quarterDays(quarter).last,
      status: 'planned',
      recorded_by: await personIdByUsername(t.db, 'demo-lead'),
      updated_at: `${quarterDays(quarter).first}T10:00:00.000Z`,
    })
    .execute();
}

const count = async (
  table: 'published_node' | 'wave_cell_tally' | 'wave_item_tally' | 'wave_theme_tally',
  waveId: string,
) => {
  const row = await t.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('wave_id', '=', waveId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
};

const storedComments = async (waveId: string) =>
  (await t.db.selectFrom('wave_comment').select('text').where('wave_id', '=', waveId).execute())
    .length;

const actions = async () =>
  (await t.db.selectFrom('team_action').select(['node_id', 'quarter']).execute())
    .map((a) => `${Object.keys(id).find((k) => id[k] === a.node_id)!} ${a.quarter}`)
    .sort();

/** Everything retention may change, to show that a run changed nothing. */
async function snapshot(): Promise<string> {
  const tables = [
    'published_node',
    'wave_cell_tally',
    'wave_item_tally',
    'wave_theme_tally',
    'wave_comment',
    'team_action',
    'wave',
    'wave_cell',
    'audit_event',
  ] as const;
  const parts: string[] = [];
  for (const table of tables) {
    const rows = await t.db.selectFrom(table).selectAll().execute();
    parts.push(JSON.stringify(rows.map((r) => JSON.stringify(r)).sort()));
  }
  return parts.join('\n');
}

const node = async (waveId: string, key: string) =>
  (await hrBrowser()).get(`/api/v1/results/waves/${waveId}/nodes/${id[key]!}`);

test.before(async () => {
  for (const key of ['NL', 'NL-NH', 'NL-NH-ZW', ZAA, SIBLING, TEAM, OTHER]) {
    id[key] = await nodeIdOf(t.db, key);
  }
  [waveA, waveB, waveC] = (await closedWaves(t, 3, 'Retention')) as [string, string, string];
  await closeOn(waveA, '2021-11-24');
  await closeOn(waveB, '2024-11-24');
  await closeOn(waveC, '2026-08-10');
  for (const [wave, word] of [
    [waveA, 'Alfacomment'],
    [waveB, 'Bravocomment'],
    [waveC, 'Charliecomment'],
  ] as const) {
    await publishTree(t.db, wave, 'wave', tree(word));
    await cellWithCounts(wave, `${word} bewaard`);
  }
  // Wave A also carries a quarter (publishing stores it under the quarter's latest wave).
  await publishTree(t.db, waveA, 'quarter', tree('Alfaquarter'));
  await action(TEAM, '2021-Q4'); // wave A's quarter: goes with wave A
  await action(TEAM, '2024-Q4'); // wave B's quarter: stays
  await action(SIBLING, '2021-Q4'); // shown (suppressed) by wave A only: goes with it
  await action(OTHER, '2021-Q4'); // beside no wave: goes when its quarter ended five years ago
  // Everything written so far into the database file itself, as a backup would copy it.
  await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(t.db);
  // Wave A's comments went on 2023-11-24, when the daily job ran then.
  const then = { now: () => new Date('2023-11-24T03:00:00.000Z') };
  const report = await runRetention({ db: t.db, clock: then });
  assert.equal(report, { resultsRemoved: [], commentsRemoved: [waveA], teamActionsRemoved: 0 });
});

/** A fresh login: the clock moves by days, past any session's idle timeout. */
const hrBrowser = () => browserAs(t.app, 'demo-hr');

test('nothing is removed a day before expiry', async () => {
  const before = await snapshot();
  const report = await runRetention({ db: t.db, clock: t.clock });
  assert.equal(report, { resultsRemoved: [], commentsRemoved: [], teamActionsRemoved: 0 });
  assert.is(await snapshot(), before);
  const response = await node(waveB, TEAM);
  assert.is(response.statusCode, 200, response.body);
  const result = response.json<NodeResult>();
  assert.ok('comments' in result);
  assert.equal(result.comments, shown('Bravocomment team'));
  assert.is((await node(waveA, TEAM)).statusCode, 200);
});

test('on the day, the comments of wave B are replaced by the removed marker and deleted', async () => {
  t.clock.advance(DAY);
  const report = await runRetention({ db: t.db, clock: t.clock });
  assert.equal(report.commentsRemoved, [waveB]);
  const hr = await hrBrowser();
  for (const key of [TEAM, ZAA, REMAINDER]) {
    const response = await hr.get(
      `/api/v1/results/waves/${waveB}/nodes/${await nodeIdOf(t.db, key)}`,
    );
    assert.is(response.statusCode, 200, response.body);
    const result = response.json<NodeResult>();
    assert.ok('comments' in result, key);
    assert.equal(result.comments, { removed: true }, key);
    // The numbers stay as they were frozen.
    assert.is(result.respondents, key === TEAM ? 12 : key === ZAA ? 60 : 11);
  }
  assert.is(await storedComments(waveB), 0);
  assert.is(await count('wave_item_tally', waveB), 1, 'wave B keeps its results');
  // Wave C keeps its comments.
  const c = (await node(waveC, TEAM)).json<NodeResult>();
  assert.ok('comments' in c);
  assert.equal(c.comments, shown('Charliecomment team'));
  assert.is(await storedComments(waveC), 1);
});

test('on the day, the results of wave A go, its wave row and manifest stay', async () => {
  assert.is(await count('published_node', waveA), 0, 'wave and quarter nodes');
  assert.is(await count('wave_cell_tally', waveA), 0);
  assert.is(await count('wave_item_tally', waveA), 0);
  assert.is(await count('wave_theme_tally', waveA), 0);
  assert.is(await storedComments(waveA), 0);
  const wave = await t.db
    .selectFrom('wave')
    .select(['state', 'closed_at'])
    .where('id', '=', waveA)
    .executeTakeFirstOrThrow();
  assert.equal(wave, { state: 'closed', closed_at: '2021-11-24T10:00:00.000Z' });
  const cells = await t.db
    .selectFrom('wave_cell')
    .select(['key_id', 'public_key', 'eligible'])
    .where('wave_id', '=', waveA)
    .execute();
  assert.equal(cells, [{ key_id: 'a-public-key-id', public_key: 'a-public-key', eligible: 15 }]);
  assert.is(await count('published_node', waveB), tree('x').length, 'wave B keeps its nodes');
  // The transparency page still shows that the wave took place, with its keys.
  const page = await (await hrBrowser()).get(`/api/v1/waves/${waveA}/transparency`);
  assert.is(page.statusCode, 200, page.body);
  assert.equal(page.json<{ wave: { id: string; state: string } }>().wave.id, waveA);
});

test('the results API answers 404 for the purged wave and no longer lists it', async () => {
  const hr = await hrBrowser();
  for (const key of [TEAM, ZAA, 'NL']) {
    const response = await node(waveA, key);
    assert.is(response.statusCode, 404, key);
    assert.is(response.json<{ code: string }>().code, 'not_found');
  }
  const quarter = await hr.get(`/api/v1/results/waves/${waveA}/nodes/${id[TEAM]!}?period=quarter`);
  assert.is(quarter.statusCode, 404);
  const overview = (await hr.get('/api/v1/results/overview')).json<ResultsOverview>();
  const listed = overview.waves.map((w) => w.waveId);
  assert.not.ok(listed.includes(waveA));
  assert.ok(listed.includes(waveB) && listed.includes(waveC));
  const trend = await hr.get(`/api/v1/results/nodes/${id[TEAM]!}/trend`);
  assert.is(trend.statusCode, 200, trend.body);
  assert.not.ok(trend.body.includes(waveA), 'the trend starts after the purged wave');
});

test("team actions go with their quarter's last kept wave", async () => {
  // 2021-Q4 of the team and its (suppressed) sibling went with wave A; 2024-Q4 stays beside
  // wave B; the other team's 2021-Q4 was never beside a wave and waits for its quarter's end.
  assert.equal(await actions(), [`${TEAM} 2024-Q4`, `${OTHER} 2021-Q4`]);
});

test('removals are audited with counts and wave ids, never contents', async () => {
  const events = await auditEvents(t.db, 'retention.purged');
  assert.is(events.length, 3);
  const byWave = new Map<string, object[]>();
  for (const e of events) {
    byWave.set(e.target_id!, [
      ...(byWave.get(e.target_id!) ?? []),
      JSON.parse(e.details) as object,
    ]);
  }
  assert.equal(byWave.get(waveA), [
    {
      part: 'results',
      waveId: waveA,
      quarter: '2021-Q4',
      publishedNodes: 2 * tree('x').length,
      cellTallies: 1,
      itemTallies: 1,
      themeTallies: 1,
      comments: 0,
      teamActions: 2,
    },
    {
      part: 'comments',
      waveId: waveA,
      nodes: 6,
      comments: 8,
      storedComments: 1,
    },
  ]);
  assert.equal(byWave.get(waveB), [
    {
      part: 'comments',
      waveId: waveB,
      nodes: 3,
      comments: 4,
      storedComments: 1,
    },
  ]);
  for (const event of events) {
    assert.is(event.actor_person_id, null);
    assert.not.ok(/comment|Actie/i.test(event.details.replace(/"(comments|storedComments)"/g, '')));
  }
});

test('removed texts are not left in the database file or its WAL', () => {
  const { file, wal } = rawDatabaseFiles(join(t.config.dataDir, 'teamspiegel.sqlite'));
  assert.ok(file.includes('Charliecomment team'), 'the check can see a kept comment');
  for (const text of [
    'Alfacomment team',
    'Alfacomment basisteam',
    'Alfacomment bewaard',
    'Alfaquarter team',
    'Bravocomment team',
    'Bravocomment basisteam',
    'Bravocomment bewaard',
    `Actie ${TEAM} 2021-Q4`,
    `Actie ${SIBLING} 2021-Q4`,
  ]) {
    assert.not.ok(file.includes(text), `file holds ${text}`);
    assert.not.ok(wal.includes(text), `WAL holds ${text}`);
  }
});

test('a second run on the same day changes nothing and records nothing', async () => {
  const before = await snapshot();
  const report = await runRetention({ db: t.db, clock: t.clock });
  assert.equal(report, { resultsRemoved: [], commentsRemoved: [], teamActionsRemoved: 0 });
  assert.is(await snapshot(), before);
});

test('the daily scheduler run removes an action whose quarter has no wave left', async () => {
  // No new wave of the programme is planned or opened meanwhile.
  await t.db.updateTable('programme').set({ archived_at: '2026-11-24T00:00:00.000Z' }).execute();
  // The other team's 2021-Q4 action: its quarter ended 2021-12-31, so it goes on 2026-12-31.
  t.clock.advance(36 * DAY); // 2026-12-30
  await t.app.scheduler.tick();
  assert.is(t.app.scheduler.status.lastDailyOn, '2026-12-30');
  assert.equal(await actions(), [`${TEAM} 2024-Q4`, `${OTHER} 2021-Q4`]);
  t.clock.advance(DAY);
  await t.app.scheduler.tick();
  assert.is(t.app.scheduler.status.lastDailyOn, '2026-12-31');
  assert.equal(await actions(), [`${TEAM} 2024-Q4`]);
  const event = (await auditEvents(t.db, 'retention.purged'))[0]!;
  assert.is(event.target_type, 'organisation');
  assert.equal(JSON.parse(event.details), { part: 'team_actions', teamActions: 1 });
});

test('expiry dates: same day of the month, or the month’s last day', () => {
  assert.is(addMonths('2024-11-24', 24), '2026-11-24');
  assert.is(addMonths('2021-11-24', 60), '2026-11-24');
  assert.is(addMonths('2026-08-31', 6), '2027-02-28');
  assert.is(addMonths('2024-02-29', 12), '2025-02-28');
  assert.is(addMonths('2026-01-31', -2), '2025-11-30');
  assert.equal(quarterDays('2021-Q4'), { first: '2021-10-01', last: '2021-12-31' });
  assert.equal(quarterDays('2024-Q1'), { first: '2024-01-01', last: '2024-03-31' });
});

test.run();

const settings = suite("retention: each organisation's own periods");

settings("an organisation's longer comment and shorter results periods apply", async () => {
  const app = await buildTestApp();
  try {
    // Comments 30 months instead of 24, results 3 years instead of 5.
    await app.db
      .insertInto('organisation_setting')
      .values({
        organisation_id: await unitIdByCode(app.db, 'NL'),
        settings: JSON.stringify({ retention: { resultsYears: 3, commentsMonths: 30 } }),
        updated_at: '2026-01-01T00:00:00.000Z',
        updated_by: null,
      })
      .execute();
    const [kept, gone] = (await closedWaves(app, 2, 'Settings')) as [string, string];
    const closeAt = async (waveId: string, date: string) =>
      app.db
        .updateTable('wave')
        .set({ closes_on: date, closed_at: `${date}T10:00:00.000Z` })
        .where('id', '=', waveId)
        .execute();
    // By default, wave `kept` would have lost its comments on 2026-11-20, and wave `gone`
    // would keep its results until 2028.
    await closeAt(kept, '2024-11-20');
    await closeAt(gone, '2023-11-24');
    for (const wave of [kept, gone]) {
      await publishTree(app.db, wave, 'wave', [
        ['NL', { ...published(400), comments: { texts: ['Een opmerking'] } }],
      ]);
    }
    app.clock.advance(DAY); // 2026-11-24
    const report = await runRetention({ db: app.db, clock: app.clock });
    // `gone` loses its results after 3 years, on 2026-11-24; `kept` keeps its comments for
    // 30 months, until 2027-05-20.
    assert.equal(report, { resultsRemoved: [gone], commentsRemoved: [], teamActionsRemoved: 0 });
    const row = await app.db
      .selectFrom('published_node')
      .select('payload')
      .where('wave_id', '=', kept)
      .executeTakeFirstOrThrow();
    const payload = JSON.parse(row.payload!) as { comments: unknown };
    assert.equal(payload.comments, { texts: ['Een opmerking'] });
  } finally {
    await app.close();
  }
});

settings.run();
