/**
 * INV-8 in the trend: a point whose group changed by 1..D-1 people since the wave before says
 * so (trendAllowed false, as publishing stored it), so no client draws one line through two
 * different group compositions.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Trend } from '@teamspiegel/contracts';
import { withTestApp } from './helpers.ts';
import { closedWaves, nodeIdOf, publishTree, published, type Entry } from './results-support.ts';
import { browserAs } from './support.ts';

const t = withTestApp(test);

const ZAA = 'NL-NH-ZW-ZAA';
const TEAM = `${ZAA}-NHB`;

const treeWith = (team: Entry[1]): Entry[] => [
  ['NL', published(400)],
  ['NL-NH', published(200)],
  ['NL-NH-ZW', published(100)],
  [ZAA, published(60)],
  [TEAM, team],
];

test('a point after a one-person roster change carries trendAllowed false; others true', async () => {
  const waves = await closedWaves(t, 4);
  // Wave 2: one colleague joined since wave 1, so publishing stored trendAllowed false.
  await publishTree(t.db, waves[0]!, 'wave', treeWith(published(12, 70)));
  await publishTree(
    t.db,
    waves[1]!,
    'wave',
    treeWith({ ...published(13, 60), trendAllowed: false }),
  );
  await publishTree(t.db, waves[2]!, 'wave', treeWith(null));
  await publishTree(t.db, waves[3]!, 'wave', treeWith(published(13, 64)));
  const team = await nodeIdOf(t.db, TEAM);
  const lead = await browserAs(t.app, 'demo-lead');
  const response = await lead.get(`/api/v1/results/nodes/${team}/trend`);
  assert.is(response.statusCode, 200, response.body);
  const trend = response.json<Trend>();
  assert.equal(
    trend.points.map((p) => [p.waveId, p.trendAllowed]),
    [
      [waves[0], true],
      [waves[1], false],
      [waves[2], true],
      [waves[3], true],
    ],
  );
  // The values themselves are still the stored ones; only the line breaks.
  const second = trend.points[1]!.result;
  assert.ok('themes' in second);
  assert.equal(second.themes, published(13, 60).themes);
  assert.equal(trend.points[2]!.result, { suppressed: true });
});

test.run();
