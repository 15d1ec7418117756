/**
 * The agreed action a lead records: its text is stored trimmed and whitespace alone is refused;
 * its quarter is the current one or that of a closed wave of the team's programme, never an
 * arbitrary one (1999-Q1) that would sit beside no results.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { TeamAction } from '@teamspiegel/contracts';
import { withTestApp } from './helpers.ts';
import { closedWaves, nodeIdOf, publishTree, published, type Entry } from './results-support.ts';
import { browserAs, expectRefused, type Browser } from './support.ts';

const t = withTestApp(test);

const ZAA = 'NL-NH-ZW-ZAA';
const TEAM = `${ZAA}-NHB`;
const TREE: Entry[] = [
  ['NL', published(400)],
  ['NL-NH', published(200)],
  ['NL-NH-ZW', published(100)],
  [ZAA, published(60)],
  [TEAM, published(12)],
];

let url = '';
let lead: Browser;
const action = {
  quarter: '2026-Q4',
  what: 'Bespreek elke briefing één incident',
  theme: 'psychological_safety',
  due: '2026-12-31',
  status: 'planned',
} as const;

test.before(async () => {
  // Waves open 2026-06-01 and 2026-06-29, two weeks each: both close in 2026-Q2 and -Q3.
  const waves = await closedWaves(t, 2);
  for (const wave of waves) await publishTree(t.db, wave, 'wave', TREE);
  url = `/api/v1/results/nodes/${await nodeIdOf(t.db, TEAM)}/actions`;
  lead = await browserAs(t.app, 'demo-lead');
});

const stored = async () => t.db.selectFrom('team_action').selectAll().execute();

test('the text is stored trimmed; whitespace or too little text is refused', async () => {
  for (const what of ['   ', '\n\t \n', '  a  ', ' ab ']) {
    expectRefused(await lead.request('PUT', url, { ...action, what }), 400, 'validation_failed');
  }
  assert.is((await stored()).length, 0, 'refusals wrote nothing');
  const saved = await lead.request('PUT', url, { ...action, what: '  Elke week een rondje  \n' });
  assert.is(saved.statusCode, 200, saved.body);
  assert.is(saved.json<TeamAction>().what, 'Elke week een rondje');
  assert.equal(
    (await stored()).map((r) => r.what),
    ['Elke week een rondje'],
  );
});

test('a quarter of no closed wave of the programme, other than the current one, is refused', async () => {
  for (const quarter of ['1999-Q1', '2026-Q1', '2027-Q1']) {
    expectRefused(
      await lead.request('PUT', url, { ...action, quarter }),
      400,
      'validation_failed',
      quarter,
    );
  }
  // The quarter a closed wave closed in, and the current quarter (today is 2026-11-23).
  for (const quarter of ['2026-Q3', '2026-Q4']) {
    const response = await lead.request('PUT', url, { ...action, quarter });
    assert.is(response.statusCode, 200, `${quarter}: ${response.body}`);
  }
  assert.equal((await stored()).map((r) => r.quarter).sort(), ['2026-Q3', '2026-Q4']);
});

test.run();
