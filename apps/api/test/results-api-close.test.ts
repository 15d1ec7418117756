/**
 * The results API on a wave that really closed: tokens, anonymous answers, close and publishing,
 * then each role reading what the publication holds for them, and nothing else.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Comparison, Heatmap, NodeResult, PublishedNode } from '@teamspiegel/contracts';
import { withTestApp } from './helpers.ts';
import { openWave } from './pulse-support.ts';
import { answerAsTeam, storedResult } from './results-support.ts';
import { browserAs, expectRefused, unitIdByCode, type Browser } from './support.ts';

const t = withTestApp(test);

const DISTRICT = 'NL-NH-ZW';
const TEAM = 'NL-NH-ZW-ZAA-NHB';
const SIBLING = 'NL-NH-ZW-ZAA-NHA';

let waveId = '';
const id: Record<string, string> = {};
const browsers: Record<string, Browser> = {};
const as = (user: string) => browsers[user]!;

test.before(async () => {
  waveId = await openWave(t, { rootCode: DISTRICT, commentQuestion: false });
  // The demo team answers high, its sibling low; nobody else in the district answers.
  await answerAsTeam(t, waveId, TEAM, 10, (index, i) => 3 + ((index + i) % 2));
  await answerAsTeam(t, waveId, SIBLING, 10, (index, i) => (index + i) % 2);
  await t.app.waves.close(waveId, null);
  for (const code of [DISTRICT, 'NL-NH-ZW-ZAA', TEAM, SIBLING]) {
    id[code] = await unitIdByCode(t.db, code);
  }
  for (const user of ['demo-officer', 'demo-lead', 'demo-chief', 'demo-hr', 'demo-council']) {
    browsers[user] = await browserAs(t.app, user);
  }
});

const nodeUrl = (nodeId: string) => `/api/v1/results/waves/${waveId}/nodes/${nodeId}`;

test('after a real close the team and its lead read the stored publication of their team', async () => {
  const stored = await storedResult(t.db, waveId, 'wave', id[TEAM]!);
  assert.not.ok('suppressed' in stored, 'ten respondents are published');
  const bodies = [];
  for (const user of ['demo-officer', 'demo-lead', 'demo-chief', 'demo-hr']) {
    const response = await as(user).get(nodeUrl(id[TEAM]!));
    assert.is(response.statusCode, 200, `${user}: ${response.body}`);
    const body = response.json<PublishedNode>();
    assert.is(body.respondents, 10);
    assert.equal(body.themes, (stored as unknown as PublishedNode).themes);
    assert.equal(body.items, (stored as unknown as PublishedNode).items);
    bodies.push(response.body);
  }
  assert.is(new Set(bodies).size, 1, 'one publication whoever asks (INV-5)');
  // The works council sees unit level and up only; the officer not their sibling team.
  expectRefused(await as('demo-council').get(nodeUrl(id[TEAM]!)), 403, 'forbidden');
  expectRefused(await as('demo-officer').get(nodeUrl(id[SIBLING]!)), 403, 'forbidden');
  const unit = await as('demo-council').get(nodeUrl(id['NL-NH-ZW-ZAA']!));
  assert.is(unit.statusCode, 200, unit.body);
});

test('the overview after a real close starts the officer at their team', async () => {
  const overview = await as('demo-officer').get('/api/v1/results/overview');
  const body = overview.json<{ waves: { waveId: string }[]; home: string[] }>();
  assert.equal(
    body.waves.map((w) => w.waveId),
    [waveId],
  );
  assert.equal(body.home, [id[TEAM]]);
});

test('a group with no respondents is suppressed without a count', async () => {
  const rows = await t.db
    .selectFrom('published_node')
    .select(['node_id', 'payload'])
    .where('wave_id', '=', waveId)
    .where('period', '=', 'wave')
    .execute();
  const hidden = rows.find((r) => r.payload === null);
  assert.ok(hidden, 'some group of the district is suppressed');
  const response = await as('demo-hr').get(nodeUrl(encodeURIComponent(hidden.node_id)));
  const body = response.json<NodeResult>();
  assert.equal(Object.keys(body).sort(), ['node', 'nodeId', 'period', 'suppressed', 'waveId']);
});

test('the chief compares the two teams from their published tallies', async () => {
  const response = await as('demo-chief').get(
    `/api/v1/results/waves/${waveId}/compare?a=${id[TEAM]!}&b=${id[SIBLING]!}`,
  );
  assert.is(response.statusCode, 200, response.body);
  const comparison = response.json<Comparison>();
  const team = (await storedResult(t.db, waveId, 'wave', id[TEAM]!)) as unknown as PublishedNode;
  const compared = comparison.themes.filter((c) => !('suppressed' in c));
  assert.ok(compared.length > 0, response.body);
  for (const theme of compared) {
    if ('suppressed' in theme) continue;
    const score = team.themes.find((s) => s.theme === theme.theme);
    assert.ok(score && !('suppressed' in score));
    assert.is(theme.a, score.score, 'a is the published score');
    assert.ok(theme.difference > 0 && theme.low <= theme.difference);
    assert.is(theme.verdict, 'better');
  }
});

test('the HR heatmap of the closed wave starts at the programme root', async () => {
  const heatmap = (
    await as('demo-hr').get(`/api/v1/results/waves/${waveId}/heatmap`)
  ).json<Heatmap>();
  assert.is(heatmap.parent.node.nodeId, id[DISTRICT]);
  assert.ok(heatmap.rows.length > 0);
});

test.run();
