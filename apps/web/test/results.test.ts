import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { NodeRef, ResultWave, TeamAction, Trend } from '@teamspiegel/contracts';
import {
  ancestorsOf,
  changeKey,
  compareKey,
  comparisonNodes,
  currentAction,
  exportUrl,
  formatInterval,
  formatScore,
  formatSigned,
  chartLines,
  hasTrendValues,
  heatLevel,
  HEAT_STEPS,
  latestWave,
  pickerNodes,
  quarterOf,
  themeTrendData,
  trendData,
} from '../src/lib/results/shape.ts';
import { translate } from '../src/lib/i18n/translate.ts';
import { itemLabel, parsePeriod } from '../src/lib/results/items.ts';

const ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

test('the change wording follows content.md, and nothing is said when no trend may be shown', () => {
  assert.is(translate('en', changeKey('better')!), 'Clearly better than last time');
  assert.is(translate('en', changeKey('worse')!), 'Clearly worse than last time');
  assert.is(translate('en', changeKey('no_clear_change')!), 'No clear change');
  assert.is(translate('nl', changeKey('no_clear_change')!), 'Geen duidelijke verandering');
  assert.is(changeKey('none'), null);
  assert.is(compareKey('none'), null);
  assert.is(translate('en', compareKey('better')!, { a: 'Noord' }), 'Clearly higher at Noord');
  assert.is(translate('en', compareKey('no_clear_change')!), 'No clear difference');
});

test('scores show one decimal in the reader’s language, differences with their sign', () => {
  assert.is(formatScore('en', 72), '72.0');
  assert.is(formatScore('nl', 72.34), '72,3');
  assert.is(formatSigned('en', 4.25), '+4.3');
  assert.is(formatSigned('nl', -2.1), '−2,1');
  assert.is(formatSigned('en', 0), '0.0');
  assert.is(formatInterval('nl', 61.2, 74.85), '61,2 – 74,9');
});

test('the heatmap colour steps cover 0-100 and change exactly at their boundaries', () => {
  assert.is(heatLevel(0), 1);
  assert.is(heatLevel(49.9), 1);
  assert.is(heatLevel(50), 2);
  assert.is(heatLevel(59.9), 2);
  assert.is(heatLevel(60), 3);
  assert.is(heatLevel(70), 4);
  assert.is(heatLevel(79.9), 4);
  assert.is(heatLevel(80), 5);
  assert.is(heatLevel(100), 5);
  const levels = HEAT_STEPS.map((s) => s.level);
  assert.equal(levels, [1, 2, 3, 4, 5]);
});

test('a suppressed wave or item in the trend is a gap, never a zero', () => {
  const trend: Trend = {
    nodeId: ID(1),
    period: 'wave',
    points: [
      {
        waveId: ID(12),
        opensOn: '2026-03-02',
        trendAllowed: true,
        result: {
          themes: [],
          anchors: [
            { itemId: 'ps.raise_problems', anchor: true, suppressed: true },
            {
              itemId: 'inc.at_home',
              anchor: true,
              n: 8,
              mean: 3.9,
              pomp: 72.5,
              low: 60,
              high: 85,
              dontKnowPct: 0,
            },
          ],
        },
      },
      // Out of order on purpose: the chart runs oldest first.
      {
        waveId: ID(11),
        opensOn: '2026-02-02',
        trendAllowed: true,
        result: { suppressed: true },
      },
    ],
  };
  const data = trendData(trend, ['ps.raise_problems', 'inc.at_home', 'lead.approachable']);
  assert.equal(data.dates, ['2026-02-02', '2026-03-02']);
  assert.equal(
    data.series.map((s) => [s.key, s.values]),
    [
      ['ps.raise_problems', [null, null]],
      ['inc.at_home', [null, 72.5]],
      ['lead.approachable', [null, null]],
    ],
  );
  assert.ok(hasTrendValues(data));
  const empty = trendData({ ...trend, points: [trend.points[1]!] }, ['inc.at_home']);
  assert.not.ok(hasTrendValues(empty));
});

test('a new group composition breaks the line before it and is marked, the first wave never', () => {
  const point = (n: number, opensOn: string, score: number, trendAllowed: boolean) => ({
    waveId: ID(n),
    opensOn,
    trendAllowed,
    result: {
      themes: [
        {
          theme: 'psychological_safety' as const,
          score,
          low: score - 5,
          high: score + 5,
          n: 12,
          change: { verdict: 'none' as const },
        },
      ],
      anchors: [],
    },
  });
  const trend: Trend = {
    nodeId: ID(1),
    period: 'wave',
    points: [
      point(11, '2026-01-05', 60, false),
      point(12, '2026-02-02', 62, true),
      // One colleague joined: a new group composition from here on (INV-8).
      point(13, '2026-03-02', 70, false),
      point(14, '2026-03-30', 71, true),
    ],
  };
  const data = themeTrendData(trend, ['psychological_safety']);
  assert.equal(data.newGroup, [false, false, true, false]);
  const lines = chartLines(data, ['a', 'b', 'c', 'd']);
  // A gap column with no value sits between b and c: the two segments do not join.
  assert.equal(lines.labels, ['a', 'b', '', 'c', 'd']);
  assert.equal(lines.series[0]!.values, [60, 62, null, 70, 71]);
  // Without a change the chart is the data as it is.
  const steady = themeTrendData(
    { ...trend, points: trend.points.map((p) => ({ ...p, trendAllowed: true })) },
    ['psychological_safety'],
  );
  assert.equal(chartLines(steady, ['a', 'b', 'c', 'd']).series[0]!.values, [60, 62, 70, 71]);
  assert.equal(trendData(trend, []).newGroup, [false, false, true, false]);
});

const ref = (n: number, parent: number | null, kind: NodeRef['kind'] = 'unit'): NodeRef => ({
  nodeId: ID(n),
  unitId: ID(n),
  kind,
  name: `Node ${n}`,
  parentNodeId: parent === null ? null : ID(parent),
});

test('theme trends keep the theme order, leave out themes never shown and gap withheld waves', () => {
  const trend: Trend = {
    nodeId: ID(1),
    period: 'quarter',
    points: [
      {
        waveId: ID(13),
        opensOn: '2026-04-06',
        trendAllowed: true,
        result: {
          themes: [
            { theme: 'inclusion', suppressed: true },
            {
              theme: 'psychological_safety',
              score: 66.1,
              low: 60,
              high: 72,
              n: 12,
              change: { verdict: 'none' },
            },
          ],
          anchors: [],
        },
      },
      {
        waveId: ID(12),
        opensOn: '2026-01-05',
        trendAllowed: true,
        result: {
          themes: [
            {
              theme: 'inclusion',
              score: 58.4,
              low: 50,
              high: 66,
              n: 11,
              change: { verdict: 'none' },
            },
          ],
          anchors: [],
        },
      },
    ],
  };
  const data = themeTrendData(trend, ['psychological_safety', 'inclusion', 'social_safety']);
  assert.equal(data.dates, ['2026-01-05', '2026-04-06']);
  assert.equal(
    data.series.map((s) => [s.key, s.values]),
    [
      ['psychological_safety', [null, 66.1]],
      ['inclusion', [58.4, null]],
    ],
  );
});

test('a team is shown beside its parent and the corps, each once', () => {
  const nodes = [ref(1, null), ref(2, 1), ref(3, 2), ref(4, 3, 'team')];
  assert.equal(
    ancestorsOf(nodes, ID(4)).map((n) => n.name),
    ['Node 3', 'Node 2', 'Node 1'],
  );
  assert.equal(
    comparisonNodes(nodes, nodes[3]!).map((n) => n.name),
    ['Node 3', 'Node 1'],
  );
  // A district directly under the corps: the parent is the corps, shown once.
  assert.equal(
    comparisonNodes(nodes, nodes[1]!).map((n) => n.name),
    ['Node 1'],
  );
  assert.equal(comparisonNodes(nodes, nodes[0]!), []);
  // A node the viewer's list does not hold (a merged team) still finds its parent.
  assert.equal(
    comparisonNodes(nodes, { nodeId: ID(9), parentNodeId: ID(3) }).map((n) => n.name),
    ['Node 3', 'Node 1'],
  );
});

test('the group picker offers own groups, the way up and one level down, not the whole tree', () => {
  const nodes = [
    ref(1, null),
    ref(2, 1),
    ref(3, 2),
    ref(4, 3, 'team'),
    ref(5, 3, 'team'),
    ref(6, 2),
    ref(7, 6, 'team'),
  ];
  assert.equal(
    pickerNodes(nodes, [ID(7)], ID(3)).map((n) => n.name),
    ['Node 1', 'Node 2', 'Node 3', 'Node 4', 'Node 5', 'Node 7'],
  );
  assert.equal(
    pickerNodes(nodes, [ID(1)], ID(4)).map((n) => n.name),
    ['Node 1', 'Node 2', 'Node 3', 'Node 4'],
  );
});

test('a cycle in the node list cannot hang the ancestor walk', () => {
  const nodes = [ref(1, 2), ref(2, 1)];
  assert.equal(
    ancestorsOf(nodes, ID(1)).map((n) => n.name),
    ['Node 2'],
  );
});

test('the latest wave is the one that closed last', () => {
  const wave = (n: number, closesOn: string, sequence: number): ResultWave => ({
    waveId: ID(n),
    programmeId: ID(100),
    programmeName: 'Puls',
    sequence,
    opensOn: '2026-01-01',
    closesOn,
    leaderTerm: { nl: 'mijn leidinggevende', 'nl-BE': 'mijn teamchef', en: 'my team lead' },
  });
  assert.is(
    latestWave([wave(1, '2026-02-15', 1), wave(3, '2026-04-12', 3), wave(2, '2026-03-15', 2)])
      ?.waveId,
    ID(3),
  );
  assert.is(latestWave([]), undefined);
});

test('an action belongs to the quarter of its wave', () => {
  assert.is(quarterOf('2026-01-01'), '2026-Q1');
  assert.is(quarterOf('2026-03-31'), '2026-Q1');
  assert.is(quarterOf('2026-04-01'), '2026-Q2');
  assert.is(quarterOf('2026-12-31'), '2026-Q4');
  assert.throws(() => quarterOf('soon'));
});

test('the current action is the latest quarter’s, last saved first', () => {
  const action = (id: number, quarter: string, updatedAt: string): TeamAction => ({
    id: ID(id),
    nodeId: ID(4),
    quarter,
    what: 'Evaluate each night shift together',
    theme: 'psychological_safety',
    due: '2026-06-30',
    status: 'planned',
    updatedAt,
  });
  const list = [
    action(1, '2026-Q1', '2026-04-01T10:00:00Z'),
    action(2, '2026-Q2', '2026-05-01T10:00:00Z'),
    action(3, '2026-Q2', '2026-06-01T10:00:00Z'),
  ];
  assert.is(currentAction(list)?.id, ID(3));
  assert.is(currentAction([]), undefined);
});

test('the CSV export asks for exactly the table on screen', () => {
  assert.is(
    exportUrl(ID(5), ID(1), 'quarter'),
    `/api/v1/results/waves/${ID(5)}/export.csv?nodeId=${ID(1)}&period=quarter`,
  );
  assert.is(
    exportUrl(ID(5), null, 'wave'),
    `/api/v1/results/waves/${ID(5)}/export.csv?period=wave`,
  );
});

test('items read as they were asked, with the organisation’s word for the lead', () => {
  const builtIn = { nl: 'mijn leidinggevende', 'nl-BE': 'mijn teamchef', en: 'my team lead' };
  const own = { nl: 'mijn chef', 'nl-BE': 'mijn ploegchef', en: 'my sergeant' };
  assert.is(
    itemLabel('lead.approachable', 'en', own),
    'I can go to my sergeant when something is going on.',
  );
  assert.is(
    itemLabel('lead.approachable', 'nl', own),
    'Ik kan bij mijn chef terecht als er iets speelt.',
  );
  assert.match(itemLabel('lead.approachable', 'nl-BE', own), /mijn ploegchef/);
  // At the start of a sentence the word is capitalised, as the pulse shows it.
  assert.is(
    itemLabel('lead.listens', 'en', own),
    'My sergeant really listens when I come with a suggestion.',
  );
  assert.match(itemLabel('lead.approachable', 'en', builtIn), /my team lead/);
  assert.not.match(itemLabel('lead.approachable', 'en', own), /team lead|\{lead\}/);
  assert.is(itemLabel('pack.unknown', 'en', own), 'pack.unknown');
});

test('only "quarter" selects the quarter view; anything else is one wave', () => {
  assert.is(parsePeriod('quarter'), 'quarter');
  assert.is(parsePeriod('wave'), 'wave');
  assert.is(parsePeriod(null), 'wave');
  assert.is(parsePeriod('year'), 'wave');
});

test.run();
