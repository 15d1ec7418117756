import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Comparison, Heatmap, TeamAction, Trend } from '@teamspiegel/contracts';
import { withTestApp } from './helpers.ts';
import { closedWaves, nodeIdOf, publishTree, published, type Entry } from './results-support.ts';
import {
  auditEvents,
  browserAs,
  expectRefused,
  personIdByUsername,
  type Browser,
} from './support.ts';

const t = withTestApp(test);

const ZAA = 'NL-NH-ZW-ZAA';
const TEAM = `${ZAA}-NHB`;
const SIBLING = `${ZAA}-NHA`;
const REMAINDER = `${ZAA}~remainder`;

const TREE: Entry[] = [
  ['NL', published(400)],
  ['NL-NH', published(200)],
  ['NL-NH-KEN', published(80)],
  ['NL-NH-ZW', published(100)],
  [ZAA, published(60)],
  [SIBLING, null],
  [TEAM, published(12, 70)],
  [REMAINDER, published(11, 45)],
  ['NL-OB', published(150)],
];

let wave1 = '';
let wave2 = '';
const id: Record<string, string> = {};
const browsers: Record<string, Browser> = {};
const as = (user: string) => browsers[user]!;

/** A cell of a wave with its theme tallies, as the close leaves them. */
async function cellWithTallies(
  waveId: string,
  key: string,
  kind: 'team' | 'remainder',
  themes: Record<string, { n: number; sum: number; sumSq: number }>,
) {
  const cellId = randomUUID();
  const unitId = (await nodeIdOf(t.db, key)).split('~')[0]!;
  await t.db
    .insertInto('wave_cell')
    .values({
      id: cellId,
      wave_id: waveId,
      unit_id: unitId,
      kind,
      eligible: 15,
      key_id: null,
      public_key: null,
      participation_band: null,
      band_computed_on: null,
    })
    .execute();
  for (const [theme, m] of Object.entries(themes)) {
    await t.db
      .insertInto('wave_theme_tally')
      .values({ wave_id: waveId, cell_id: cellId, theme, n: m.n, sum: m.sum, sum_sq: m.sumSq })
      .execute();
  }
}

test.before(async () => {
  [wave1, wave2] = (await closedWaves(t, 2)) as [string, string];
  await publishTree(t.db, wave1, 'wave', TREE);
  // Wave 2: the team is suppressed.
  await publishTree(
    t.db,
    wave2,
    'wave',
    TREE.map(([key, payload]) => [key, key === TEAM ? null : payload] as const),
  );
  for (const [key] of TREE) id[key] = await nodeIdOf(t.db, key);
  // Team: 12 scores around 70 (sd 10); remainder: 11 around 45. Inclusion is tallied but
  // not published in either node, so it must never be compared.
  await cellWithTallies(wave1, TEAM, 'team', {
    psychological_safety: { n: 12, sum: 840, sumSq: 12 * 4900 + 11 * 100 },
    inclusion: { n: 12, sum: 600, sumSq: 12 * 2500 + 11 * 100 },
  });
  await cellWithTallies(wave1, REMAINDER, 'remainder', {
    psychological_safety: { n: 11, sum: 495, sumSq: 11 * 2025 + 10 * 100 },
    inclusion: { n: 11, sum: 550, sumSq: 11 * 2500 + 10 * 100 },
  });
  for (const user of ['demo-officer', 'demo-lead', 'demo-chief', 'demo-hr', 'demo-council']) {
    browsers[user] = await browserAs(t.app, user);
  }
});

test('the HR heatmap starts at the root and shows one level of children', async () => {
  const response = await as('demo-hr').get(`/api/v1/results/waves/${wave1}/heatmap`);
  assert.is(response.statusCode, 200, response.body);
  const heatmap = response.json<Heatmap>();
  assert.is(heatmap.parent.node.nodeId, id.NL);
  assert.equal(
    heatmap.rows.map((r) => r.node.nodeId),
    [id['NL-NH'], id['NL-OB']],
  );
  assert.ok(heatmap.rows[0]!.hasChildren);
  assert.not.ok(heatmap.rows[1]!.hasChildren);
});

test('drilling down shows suppressed rows as { suppressed: true } only', async () => {
  const response = await as('demo-hr').get(
    `/api/v1/results/waves/${wave1}/heatmap?nodeId=${id[ZAA]!}`,
  );
  const heatmap = response.json<Heatmap>();
  assert.equal(
    heatmap.rows.map((r) => r.node.nodeId),
    [id[SIBLING], id[TEAM], `${id[ZAA]!}~remainder`],
  );
  assert.equal(heatmap.rows[0]!.result, { suppressed: true });
  assert.equal(Object.keys(heatmap.rows[1]!.result).sort(), [
    'interpretWithCare',
    'participationBand',
    'respondents',
    'themes',
  ]);
});

test('a lead drilling into the basisteam sees only their own team among its rows', async () => {
  const lead = as('demo-lead');
  const heatmap = (
    await lead.get(`/api/v1/results/waves/${wave1}/heatmap?nodeId=${id[ZAA]!}`)
  ).json<Heatmap>();
  assert.equal(
    heatmap.rows.map((r) => r.node.nodeId),
    [id[TEAM]],
  );
  const top = (await lead.get(`/api/v1/results/waves/${wave1}/heatmap`)).json<Heatmap>();
  assert.is(top.parent.node.nodeId, id.NL);
  expectRefused(
    await lead.get(`/api/v1/results/waves/${wave1}/heatmap?nodeId=${id['NL-NH-KEN']!}`),
    403,
    'forbidden',
  );
});

test('a trend follows the node over closed waves, suppressed where it was', async () => {
  const response = await as('demo-lead').get(`/api/v1/results/nodes/${id[TEAM]!}/trend`);
  assert.is(response.statusCode, 200, response.body);
  const trend = response.json<Trend>();
  assert.equal(
    trend.points.map((p) => p.waveId),
    [wave1, wave2],
  );
  const first = trend.points[0]!.result;
  assert.ok('themes' in first);
  assert.equal(first.themes, published(12, 70).themes);
  assert.equal(
    first.anchors,
    published(12, 70).items.filter((i) => i.anchor),
  );
  assert.equal(trend.points[1]!.result, { suppressed: true });
  expectRefused(
    await as('demo-officer').get(`/api/v1/results/nodes/${id['NL-NH-KEN']!}/trend`),
    403,
    'forbidden',
  );
});

test('compare gives the difference with its interval, only for themes published on both sides', async () => {
  const response = await as('demo-chief').get(
    `/api/v1/results/waves/${wave1}/compare?a=${id[TEAM]!}&b=${encodeURIComponent(`${id[ZAA]!}~remainder`)}`,
  );
  assert.is(response.statusCode, 200, response.body);
  const comparison = response.json<Comparison>();
  const safety = comparison.themes.find((c) => c.theme === 'psychological_safety')!;
  assert.ok(!('suppressed' in safety), response.body);
  if ('suppressed' in safety) return;
  assert.is(safety.a, 70);
  assert.is(safety.b, 45);
  assert.is(safety.difference, 25);
  assert.ok(safety.low > 10 && safety.low < 25 && safety.high > 25 && safety.high < 40);
  assert.is(safety.verdict, 'better');
  // Tallied but suppressed in the publication: never compared.
  assert.equal(
    comparison.themes.find((c) => c.theme === 'inclusion'),
    { theme: 'inclusion', suppressed: true },
  );
});

test('compare with a suppressed node or a node one may not see', async () => {
  const chief = as('demo-chief');
  const withSuppressed = (
    await chief.get(`/api/v1/results/waves/${wave1}/compare?a=${id[TEAM]!}&b=${id[SIBLING]!}`)
  ).json<Comparison>();
  assert.ok(withSuppressed.themes.length > 0);
  for (const theme of withSuppressed.themes) assert.ok('suppressed' in theme);
  expectRefused(
    await as('demo-lead').get(
      `/api/v1/results/waves/${wave1}/compare?a=${id[TEAM]!}&b=${id[SIBLING]!}`,
    ),
    403,
    'forbidden',
  );
});

/**
 * The server's CSV format as Dutch Excel reads it: a byte order mark, then RFC 4180 fields
 * split by `;` and records ended by CRLF (enough for what the export writes).
 */
function parseCsv(file: string): string[][] {
  assert.ok(file.startsWith('\uFEFF'), 'the file starts with a UTF-8 byte order mark');
  const text = file.slice(1);
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ';') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 1;
    } else {
      assert.is.not(c === '\n', true, 'records end in CRLF, not a bare LF');
      field += c;
    }
  }
  if (field !== '' || row.length) rows.push([...row, field]);
  return rows;
}

test('the CSV export holds exactly the published tables, suppressed as a marker, formulas neutralised', async () => {
  const names = ['=HYPERLINK("http://x.example","hi")', '+1+2', '-3', '@SUM(A1)', '\tcmd', '\rcmd'];
  const [wave] = await closedWaves(t, 1, 'CSV export');
  await publishTree(t.db, wave!, 'wave', TREE);
  const nodes = [id[SIBLING]!, id[TEAM]!, `${id[ZAA]!}~remainder`, id[ZAA]!, id['NL-NH']!];
  for (const [i, nodeId] of nodes.entries()) {
    await t.db
      .updateTable('published_node')
      .set({ name: names[i % names.length]! })
      .where('wave_id', '=', wave!)
      .where('node_id', '=', nodeId)
      .execute();
  }
  await t.db
    .updateTable('published_node')
    .set({ name: names[5]! })
    .where('wave_id', '=', wave!)
    .where('node_id', '=', id.NL!)
    .execute();

  const before = (await auditEvents(t.db, 'results.exported')).length;
  const response = await as('demo-hr').get(
    `/api/v1/results/waves/${wave!}/export.csv?nodeId=${id[ZAA]!}`,
  );
  assert.is(response.statusCode, 200, response.body);
  assert.is(response.headers['content-type'], 'text/csv; charset=utf-8');
  assert.match(
    String(response.headers['content-disposition']),
    /^attachment; filename="teamspiegel-\d+-wave\.csv"$/,
  );
  const [header, ...rows] = parseCsv(response.body);
  const col = (name: string) => header!.indexOf(name);
  // Only the basisteam and the groups below it, in tree order.
  assert.equal(
    [...new Set(rows.map((r) => r[col('node_id')]))],
    [id[ZAA], id[SIBLING], id[TEAM], `${id[ZAA]!}~remainder`],
  );
  const suppressed = rows.filter((r) => r[col('node_id')] === id[SIBLING]);
  assert.is(suppressed.length, 1);
  assert.is(suppressed[0]![col('status')], 'suppressed');
  assert.is(suppressed[0]![col('respondents')], '');
  assert.is(suppressed[0]![col('n')], '');
  const team = rows.filter((r) => r[col('node_id')] === id[TEAM]);
  assert.equal(
    team.map((r) => [
      r[col('table')],
      r[col('key')],
      r[col('status')],
      r[col('n')],
      r[col('score')],
    ]),
    [
      ['node', '', 'published', '', ''],
      ['theme', 'psychological_safety', 'published', '12', '70'],
      ['theme', 'inclusion', 'suppressed', '', ''],
      ['item', 'ps.raise_problems', 'published', '12', '65'],
      ['item', 'inc.at_home', 'suppressed', '', ''],
    ],
  );
  assert.is(team[0]![col('respondents')], '12');
  // Every cell that a spreadsheet would run as a formula starts with a quote.
  for (const row of rows) {
    for (const cell of row) assert.not.match(cell, /^[=+\-@\t\r]/, `formula cell ${cell}`);
  }
  const exportedNames = new Set(rows.map((r) => r[col('node_name')]));
  for (const name of ['=HYPERLINK("http://x.example","hi")', '+1+2', '-3', '@SUM(A1)']) {
    assert.ok(exportedNames.has(`'${name}`), `${name} neutralised`);
  }
  const events = await auditEvents(t.db, 'results.exported');
  assert.is(events.length, before + 1);
  assert.equal(JSON.parse(events[0]!.details), { waveId: wave, nodeId: id[ZAA], period: 'wave' });
});

test('an export holds only what the viewer may see', async () => {
  const response = await as('demo-lead').get(
    `/api/v1/results/waves/${wave1}/export.csv?nodeId=${id[ZAA]!}`,
  );
  assert.is(response.statusCode, 200, response.body);
  const [header, ...rows] = parseCsv(response.body);
  const nodeCol = header!.indexOf('node_id');
  assert.equal([...new Set(rows.map((r) => r[nodeCol]))], [id[ZAA], id[TEAM]]);
  expectRefused(
    await as('demo-lead').get(`/api/v1/results/waves/${wave1}/export.csv?nodeId=${id['NL-OB']!}`),
    403,
    'forbidden',
  );
});

test('a trend stays within one programme when another programme publishes the same team', async () => {
  // The CSV test above published the same tree in a programme of its own (one wave).
  const trend = (
    await as('demo-lead').get(`/api/v1/results/nodes/${id[TEAM]!}/trend`)
  ).json<Trend>();
  assert.equal(
    trend.points.map((p) => p.waveId),
    [wave1, wave2],
  );
});

const action = {
  quarter: '2026-Q4',
  what: 'Bespreek elke briefing één incident van de afgelopen week',
  theme: 'psychological_safety',
  due: '2026-12-31',
  status: 'planned',
} as const;

test('only the team lead records the agreed action; one per quarter, audited with old and new', async () => {
  const url = `/api/v1/results/nodes/${id[TEAM]!}/actions`;
  for (const user of ['demo-officer', 'demo-chief', 'demo-hr']) {
    expectRefused(await as(user).request('PUT', url, action), 403, 'forbidden');
  }
  expectRefused(
    await as('demo-lead').request('PUT', `/api/v1/results/nodes/${id[SIBLING]!}/actions`, action),
    403,
    'forbidden',
  );
  assert.is(
    (await t.db.selectFrom('team_action').select('id').execute()).length,
    0,
    'refusals wrote nothing',
  );

  const first = await as('demo-lead').request('PUT', url, action);
  assert.is(first.statusCode, 200, first.body);
  const saved = first.json<TeamAction>();
  assert.equal(
    { ...saved, id: '', updatedAt: '' },
    {
      ...action,
      id: '',
      nodeId: id[TEAM]!,
      updatedAt: '',
    },
  );
  const second = await as('demo-lead').request('PUT', url, { ...action, status: 'done' });
  assert.is(second.json<TeamAction>().id, saved.id, 'the same action was updated');
  assert.is((await t.db.selectFrom('team_action').select('id').execute()).length, 1);

  const events = await auditEvents(t.db, 'results.action_saved');
  assert.is(events.length, 2);
  const lead = await personIdByUsername(t.db, 'demo-lead');
  const update = events.find(
    (e) => (JSON.parse(e.details) as { oldStatus: string | null }).oldStatus === 'planned',
  )!;
  assert.is(update.actor_person_id, lead);
  assert.equal(JSON.parse(update.details), {
    nodeId: id[TEAM],
    quarter: '2026-Q4',
    oldWhat: action.what,
    newWhat: action.what,
    oldTheme: action.theme,
    newTheme: action.theme,
    oldDue: action.due,
    newDue: action.due,
    oldStatus: 'planned',
    newStatus: 'done',
  });
});

test('the agreed action is read by whoever may see the team, and refused to others', async () => {
  const url = `/api/v1/results/nodes/${id[TEAM]!}/actions`;
  for (const user of ['demo-officer', 'demo-lead', 'demo-chief', 'demo-hr']) {
    const response = await as(user).get(url);
    assert.is(response.statusCode, 200, `${user}: ${response.body}`);
    assert.equal(
      response.json<{ items: TeamAction[] }>().items.map((a) => a.status),
      ['done'],
    );
  }
  // The works council sees unit level and up, not teams.
  expectRefused(await as('demo-council').get(url), 403, 'forbidden');
  expectRefused(
    await as('demo-officer').get(`/api/v1/results/nodes/${id[SIBLING]!}/actions`),
    403,
    'forbidden',
  );
});

test.run();
