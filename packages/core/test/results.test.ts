import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import type { ItemResult, ThemeResult } from '@teamspiegel/contracts';
import {
  compareThemes,
  meanInterval,
  mergeTallies,
  roundTo,
  summariseNode,
  tallyCell,
  THRESHOLD_FLOORS,
  ITEM_BANK,
  toResultItem,
  type Answer,
  type CellTally,
  type ResultItem,
  type StatisticClass,
  type SummariseNodeOptions,
} from '../src/index.ts';

const agree = (id: string, extra: Partial<ResultItem> = {}): ResultItem => ({
  id,
  theme: 'psychological_safety',
  min: 1,
  max: 5,
  reverseKeyed: false,
  dontKnow: true,
  scored: true,
  reportingLevel: 'team',
  ...extra,
});

const recommend: ResultItem = {
  id: 'rec',
  theme: 'recommendation',
  min: 0,
  max: 10,
  reverseKeyed: false,
  dontKnow: false,
  scored: false,
  reportingLevel: 'unit',
};

const TEAM: ReadonlySet<StatisticClass> = new Set(['score', 'distribution']);
const TEAM_SCORE_ONLY: ReadonlySet<StatisticClass> = new Set(['score']);
const UNIT: ReadonlySet<StatisticClass> = new Set([
  'score',
  'distribution',
  'unit_score',
  'incident',
  'recommendation',
]);

/** `n` respondents who all give `value` to every item listed. */
const alike = (n: number, answers: Answer[]): Answer[][] =>
  Array.from({ length: n }, () => answers);

/** Responses giving each item the values listed, one respondent per value. */
const each = (itemId: string, values: (number | null)[]): Answer[][] =>
  values.map((value) => [{ itemId, value }]);

function summary(
  items: ResultItem[],
  responses: Answer[][],
  extra: Partial<SummariseNodeOptions> = {},
) {
  return summariseNode({
    items,
    anchorItemIds: [],
    tally: tallyCell(items, responses),
    eligible: Math.max(responses.length, 5),
    classes: TEAM,
    thresholds: THRESHOLD_FLOORS,
    previous: null,
    trendAllowed: true,
    ...extra,
  });
}

const item = (results: { items: ItemResult[] }, id: string) => {
  const found = results.items.find((entry) => entry.itemId === id);
  if (!found) throw new Error(`no item ${id}`);
  return found;
};
const theme = (results: { themes: ThemeResult[] }, name: string) => {
  const found = results.themes.find((entry) => entry.theme === name);
  if (!found) throw new Error(`no theme ${name}`);
  return found;
};

const DISTRIBUTION_KEYS = [
  'favourablePct',
  'favourableLow',
  'favourableHigh',
  'unfavourablePct',
  'distribution',
];

/** Values 1..5 cycling, so the sample is never uniform. */
const spread = (n: number) => Array.from({ length: n }, (_, i) => (i % 5) + 1);

test('an item shows from K valid answers, its distribution from K_dist (K-1, K, K+1, K_dist-1, K_dist)', () => {
  const cases: [number, 'suppressed' | 'mean' | 'distribution'][] = [
    [4, 'suppressed'],
    [5, 'mean'],
    [6, 'mean'],
    [9, 'mean'],
    [10, 'distribution'],
    [11, 'distribution'],
  ];
  for (const [n, shows] of cases) {
    const result = item(summary([agree('a')], each('a', spread(n))), 'a');
    const what = `n = ${n}`;
    if (shows === 'suppressed') {
      assert.equal(result, { itemId: 'a', anchor: false, suppressed: true }, what);
      continue;
    }
    assert.ok('mean' in result, what);
    for (const key of DISTRIBUTION_KEYS) {
      assert.is(key in result, shows === 'distribution', `${what}: ${key}`);
    }
  }
});

test('an item shows only what the publication decided, whatever its n', () => {
  const responses = each('a', spread(12));
  assert.equal(item(summary([agree('a')], responses, { classes: new Set() }), 'a'), {
    itemId: 'a',
    anchor: false,
    suppressed: true,
  });
  const scoreOnly = item(summary([agree('a')], responses, { classes: TEAM_SCORE_ONLY }), 'a');
  assert.ok('mean' in scoreOnly);
  assert.not.ok('distribution' in scoreOnly);
});

test('item statistics: mean on its scale, POMP with t-interval, distribution lowest first', () => {
  const values = [1, 2, 2, 3, 4, 4, 4, 5, 5, 5];
  const result = item(summary([agree('a')], each('a', values)), 'a');
  const pomps = values.map((v) => 25 * (v - 1));
  const interval = meanInterval({
    n: 10,
    sum: pomps.reduce((a, b) => a + b, 0),
    sumSq: pomps.reduce((a, b) => a + b * b, 0),
  });
  assert.equal(result, {
    itemId: 'a',
    anchor: false,
    n: 10,
    mean: 3.5,
    pomp: 62.5,
    low: roundTo(interval.low, 1),
    high: roundTo(interval.high, 1),
    dontKnowPct: 0,
    favourablePct: 60,
    // Wilson 6/10: 31.3%..83.2%
    favourableLow: 31,
    favourableHigh: 83,
    unfavourablePct: 30,
    distribution: [10, 20, 10, 30, 30],
  });
});

test('reverse keying recodes before the mean, POMP and % favourable; distribution stays raw', () => {
  const values = [1, 1, 1, 1, 1, 1, 1, 1, 2, 5];
  const result = item(summary([agree('r', { reverseKeyed: true })], each('r', values)), 'r');
  if (!('mean' in result)) throw new Error('expected a score');
  // Recoded: eight 5s, one 4, one 1.
  assert.is(result.mean, 4.5);
  assert.is(result.pomp, 87.5);
  assert.is(result.favourablePct, 90);
  assert.is(result.unfavourablePct, 10);
  assert.equal(result.distribution, [80, 10, 0, 0, 10]);
});

test("don't know is left out of n, mean and percentages, and reported over the item's respondents", () => {
  const values = [...spread(10), null, null, null];
  const result = item(summary([agree('a')], each('a', values)), 'a');
  if (!('mean' in result)) throw new Error('expected a score');
  assert.is(result.n, 10);
  assert.is(result.mean, 3);
  assert.is(result.dontKnowPct, 23);
  assert.equal(result.distribution, [20, 20, 20, 20, 20]);

  // 12 respondents, but only 9 valid answers: no distribution.
  const nine = item(summary([agree('a')], each('a', [...spread(9), null, null, null])), 'a');
  assert.ok('mean' in nine);
  assert.not.ok('distribution' in nine);
  // 10 respondents, 4 valid: nothing.
  const four = item(
    summary([agree('a')], each('a', [1, 2, 3, 4, ...Array<null>(6).fill(null)])),
    'a',
  );
  assert.equal(four, { itemId: 'a', anchor: false, suppressed: true });
});

test('unit-level items need unit_score and never show in a team', () => {
  const unitItem = agree('u', { theme: 'social_safety', reportingLevel: 'unit' });
  const responses = each('u', spread(12));
  assert.ok('suppressed' in item(summary([unitItem], responses, { classes: TEAM }), 'u'));
  const unit = item(summary([unitItem], responses, { classes: new Set(['unit_score']) }), 'u');
  assert.ok('distribution' in unit, 'own class and K_dist valid answers give the distribution');
  const nine = item(
    summary([unitItem], each('u', spread(9)), { classes: new Set(['unit_score']) }),
    'u',
  );
  assert.ok('mean' in nine);
  assert.not.ok('distribution' in nine);
  assert.ok(
    'suppressed' in theme(summary([unitItem], responses, { classes: TEAM }), 'social_safety'),
    'a theme with a unit-level item is a unit-level theme',
  );
});

test('incident items show only with the incident class and K_sens valid answers', () => {
  const incident = agree('i', {
    theme: 'social_safety',
    reportingLevel: 'incident',
    scored: false,
    dontKnow: false,
  });
  const at = (n: number, classes: ReadonlySet<StatisticClass>) =>
    item(summary([incident], each('i', spread(n)), { classes }), 'i');
  assert.ok('suppressed' in at(19, UNIT));
  assert.ok('distribution' in at(20, UNIT));
  assert.ok('suppressed' in at(40, new Set(['score', 'distribution', 'unit_score'])));
  // Incident items make no theme score.
  assert.equal(summary([incident], each('i', spread(20)), { classes: UNIT }).themes, []);
});

test('the recommendation question is reported as a score from 30 answers, never as an item', () => {
  const answers = (n: number) =>
    Array.from({ length: n }, (_, i) => [{ itemId: 'rec', value: [10, 9, 8, 3][i % 4]! }]);
  const items = [agree('a'), recommend];
  const at30 = summary(items, answers(30), { classes: UNIT });
  assert.equal(
    at30.items.map((entry) => entry.itemId),
    ['a'],
  );
  // 30 answers: 8 tens, 8 nines, 7 eights, 7 threes -> (16 - 7) / 30 = 30%.
  assert.equal(at30.recommendation, { score: 30, n: 30 });
  assert.equal(summary(items, answers(29), { classes: UNIT }).recommendation, {
    suppressed: true,
  });
  assert.equal(summary(items, answers(40), { classes: TEAM }).recommendation, {
    suppressed: true,
  });
  assert.equal(summary([agree('a')], answers(40), { classes: UNIT }).recommendation, {
    suppressed: true,
  });
});

test('a theme score is the mean of respondent scores with its t-interval, from K respondents', () => {
  const items = [agree('a'), agree('b'), agree('c')];
  const respondent = (a: number, b: number, c: number): Answer[] => [
    { itemId: 'a', value: a },
    { itemId: 'b', value: b },
    { itemId: 'c', value: c },
  ];
  const responses = [
    respondent(5, 5, 5),
    respondent(4, 4, 5),
    respondent(3, 4, 4),
    respondent(2, 3, 3),
    respondent(1, 2, 1),
  ];
  const result = theme(summary(items, responses), 'psychological_safety');
  // Respondent scores: 100, 83.33, 66.67, 41.67, 8.33.
  const scores = [100, 250 / 3, 200 / 3, 125 / 3, 25 / 3];
  const interval = meanInterval({
    n: 5,
    sum: scores.reduce((x, y) => x + y, 0),
    sumSq: scores.reduce((x, y) => x + y * y, 0),
  });
  assert.equal(result, {
    theme: 'psychological_safety',
    score: 60,
    low: roundTo(interval.low, 1),
    // The t-interval reaches past 100; the scale ends there.
    high: 100,
    n: 5,
    change: { verdict: 'none' },
  });
  assert.equal(theme(summary(items, responses.slice(0, 4)), 'psychological_safety'), {
    theme: 'psychological_safety',
    suppressed: true,
  });
});

test('the two-thirds rule: respondents with too few valid theme items do not count towards K', () => {
  const items = [agree('a'), agree('b'), agree('c')];
  const twoOfThree: Answer[] = [
    { itemId: 'a', value: 4 },
    { itemId: 'b', value: null },
    { itemId: 'c', value: 5 },
  ];
  const oneOfThree: Answer[] = [
    { itemId: 'a', value: 4 },
    { itemId: 'b', value: null },
    { itemId: 'c', value: null },
  ];
  // Six respondents, but only four with a theme score: the theme is hidden, item a is shown.
  const four = summary(items, [...alike(4, twoOfThree), ...alike(2, oneOfThree)]);
  assert.equal(theme(four, 'psychological_safety'), {
    theme: 'psychological_safety',
    suppressed: true,
  });
  assert.ok('mean' in item(four, 'a'));
  const five = summary(items, [...alike(5, twoOfThree), ...alike(1, oneOfThree)]);
  const shown = theme(five, 'psychological_safety');
  assert.ok('score' in shown && shown.n === 5);
});

test('themes follow THEMES order and only themes asked in the wave appear', () => {
  const items = [
    agree('l', { theme: 'inclusive_leadership' }),
    agree('p', { theme: 'psychological_safety' }),
    recommend,
  ];
  const result = summary(items, []);
  assert.equal(
    result.themes.map((entry) => entry.theme),
    ['psychological_safety', 'inclusive_leadership'],
  );
  assert.equal(
    result.items.map((entry) => entry.itemId),
    ['l', 'p'],
    'items keep the wave order',
  );
});

test('anchor items are marked, shown or not', () => {
  const result = summary([agree('a'), agree('b')], each('a', spread(6)), { anchorItemIds: ['b'] });
  assert.equal(item(result, 'b'), { itemId: 'b', anchor: true, suppressed: true });
  assert.is(item(result, 'a').anchor, false);
});

test('participation is a band with an "interpret with care" badge that never suppresses', () => {
  const result = summary([agree('a')], each('a', spread(10)), { eligible: 20 });
  assert.is(result.respondents, 10);
  assert.is(result.eligibleBand, '20-49');
  assert.is(result.participationBand, '30-60%');
  assert.is(result.interpretWithCare, true);
  assert.ok('distribution' in item(result, 'a'));
});

test('thresholds raised by the organisation apply; lower ones fall back to the floors', () => {
  const six = each('a', spread(6));
  const raised = { ...THRESHOLD_FLOORS, k: 7 };
  assert.ok('suppressed' in item(summary([agree('a')], six, { thresholds: raised }), 'a'));
  const lowered = { ...THRESHOLD_FLOORS, k: 2, kDist: 3 };
  assert.ok(
    'suppressed' in
      item(summary([agree('a')], each('a', [1, 2, 3, 4]), { thresholds: lowered }), 'a'),
  );
  assert.not.ok('distribution' in item(summary([agree('a')], six, { thresholds: lowered }), 'a'));
});

// --- change against the previous period -------------------------------------------------------

const themeItems = [agree('a'), agree('b')];
/** n respondents whose theme score runs over `values` (POMP of the two items together). */
const period = (n: number, values: number[]): CellTally =>
  tallyCell(
    themeItems,
    Array.from({ length: n }, (_, i) => {
      const v = values[i % values.length]!;
      return [
        { itemId: 'a', value: v },
        { itemId: 'b', value: v },
      ];
    }),
  );

const changeOf = (options: Partial<SummariseNodeOptions>) => {
  const result = theme(
    summariseNode({
      items: themeItems,
      anchorItemIds: [],
      tally: period(12, [4, 5]),
      eligible: 14,
      classes: TEAM,
      thresholds: THRESHOLD_FLOORS,
      previous: { tally: period(12, [2, 3]), classes: TEAM },
      trendAllowed: true,
      ...options,
    }),
    'psychological_safety',
  );
  if (!('change' in result)) throw new Error('expected a theme score');
  return result.change;
};

test('a clear improvement between two published waves is called "better", with its interval', () => {
  const change = changeOf({});
  assert.is(change.verdict, 'better');
  assert.is(change.difference, 50);
  assert.ok(change.low! > 0 && change.high! > change.low!);
  assert.is(
    changeOf({ tally: period(12, [2, 3]), previous: { tally: period(12, [4, 5]), classes: TEAM } })
      .verdict,
    'worse',
  );
});

test('a small or uncertain difference is "no clear change"', () => {
  // 62.5 against 58.3: about 4 points.
  const change = changeOf({
    tally: period(12, [3, 4]),
    previous: { tally: period(12, [3, 3, 4]), classes: TEAM },
  });
  assert.is(change.verdict, 'no_clear_change');
  assert.ok(typeof change.difference === 'number');
});

test('no change is shown without a previous period, a published previous theme, or when INV-8 forbids it', () => {
  const none = { verdict: 'none' };
  assert.equal(changeOf({ previous: null }), none);
  assert.equal(changeOf({ trendAllowed: false }), none);
  assert.equal(changeOf({ previous: { tally: period(12, [2, 3]), classes: new Set() } }), none);
  assert.equal(changeOf({ previous: { tally: period(4, [2, 3]), classes: TEAM } }), none);
  assert.equal(
    changeOf({
      previous: {
        tally: period(6, [2, 3]),
        classes: TEAM,
        thresholds: { ...THRESHOLD_FLOORS, k: 7 },
      },
    }),
    none,
    "the previous period's own thresholds apply",
  );
});

// --- merging and comparing -------------------------------------------------------------------

test("a unit's tally is the sum of its cells' tallies", () => {
  const items = [agree('a'), agree('b'), agree('c', { theme: 'inclusion' })];
  const one = [
    ...alike(3, [
      { itemId: 'a', value: 4 },
      { itemId: 'b', value: 2 },
    ]),
  ];
  const two = [
    ...alike(2, [
      { itemId: 'a', value: null },
      { itemId: 'c', value: 5 },
    ]),
    ...alike(4, [
      { itemId: 'a', value: 1 },
      { itemId: 'b', value: 5 },
      { itemId: 'c', value: 3 },
    ]),
  ];
  const merged = mergeTallies([tallyCell(items, one), tallyCell(items, two)]);
  assert.equal(merged, tallyCell(items, [...one, ...two]));
  assert.equal(mergeTallies([]), { respondents: 0, items: new Map(), themes: new Map() });
});

test('comparing two nodes gives a - b per theme, suppressed unless both show it', () => {
  const a = { tally: period(12, [4, 5]), classes: TEAM };
  const b = { tally: period(12, [2, 3]), classes: TEAM };
  const [entry] = compareThemes({ items: themeItems, a, b, thresholds: THRESHOLD_FLOORS });
  assert.ok(entry && 'difference' in entry);
  assert.equal([entry.a, entry.b, entry.difference, entry.verdict], [87.5, 37.5, 50, 'better']);
  assert.ok(entry.low < 50 && entry.high > 50);
  assert.equal(
    compareThemes({
      items: themeItems,
      a,
      b: { tally: period(12, [2, 3]), classes: new Set() },
      thresholds: THRESHOLD_FLOORS,
    }),
    [{ theme: 'psychological_safety', suppressed: true }],
  );
  assert.equal(
    compareThemes({
      items: themeItems,
      a: { tally: period(4, [4]), classes: TEAM },
      b,
      thresholds: THRESHOLD_FLOORS,
    }),
    [{ theme: 'psychological_safety', suppressed: true }],
  );
});

test('bank items become result items with their scale, keying and reporting level', () => {
  for (const bankItem of ITEM_BANK) {
    const result = toResultItem(bankItem);
    assert.is(result.max - result.min, bankItem.scale === 'zero_to_ten' ? 10 : 4, bankItem.id);
    assert.is(result.reverseKeyed, bankItem.reverseKeyed);
    assert.is(result.reportingLevel, bankItem.reportingLevel);
    assert.is(
      result.scored,
      bankItem.reportingLevel !== 'incident' && bankItem.theme !== 'recommendation',
      bankItem.id,
    );
  }
  const recommendation = ITEM_BANK.find((entry) => entry.theme === 'recommendation');
  assert.ok(recommendation, 'the bank has a recommendation question');
  assert.equal([toResultItem(recommendation).min, toResultItem(recommendation).max], [0, 10]);
});

// --- INV-10 over random waves ----------------------------------------------------------------

const waveItems: ResultItem[] = [
  agree('p1'),
  agree('p2', { reverseKeyed: true }),
  agree('l1', { theme: 'inclusive_leadership' }),
  agree('s1', { theme: 'social_safety', reportingLevel: 'unit' }),
  agree('i1', {
    theme: 'social_safety',
    reportingLevel: 'incident',
    scored: false,
    dontKnow: false,
  }),
  recommend,
];

const arbitraryResponse = fc.tuple(
  ...waveItems.map((entry) =>
    fc.option(
      fc.option(fc.integer({ min: entry.min, max: entry.max }), {
        nil: null,
        freq: entry.dontKnow ? 8 : 1_000_000,
      }),
      { nil: undefined, freq: 6 },
    ),
  ),
);

const arbitraryClasses = fc
  .subarray(['score', 'distribution', 'unit_score', 'incident', 'recommendation'] as const)
  .map((list) => new Set<StatisticClass>(list));

test('INV-10 on any wave: means to 0.1, percentages whole, suppressed entries carry nothing else', () => {
  const oneDecimal = (x: number) => roundTo(x, 1) === x;
  fc.assert(
    fc.property(
      fc.array(arbitraryResponse, { maxLength: 45, size: 'max' }),
      arbitraryClasses,
      (rows, classes) => {
        const responses = rows.map((row) =>
          row.flatMap((value, index) =>
            value === undefined ? [] : [{ itemId: waveItems[index]!.id, value }],
          ),
        );
        const result = summary(waveItems, responses, {
          classes,
          eligible: Math.max(5, responses.length),
        });
        for (const entry of result.themes) {
          if ('suppressed' in entry) {
            assert.equal(Object.keys(entry).sort(), ['suppressed', 'theme']);
            continue;
          }
          assert.ok(entry.n >= 5);
          for (const x of [entry.score, entry.low, entry.high]) assert.ok(oneDecimal(x));
          assert.ok(entry.low <= entry.score && entry.score <= entry.high);
          assert.ok(entry.low >= 0 && entry.high <= 100);
        }
        for (const entry of result.items) {
          if ('suppressed' in entry) {
            assert.equal(Object.keys(entry).sort(), ['anchor', 'itemId', 'suppressed']);
            continue;
          }
          assert.ok(entry.n >= 5);
          for (const x of [entry.mean, entry.pomp, entry.low, entry.high]) assert.ok(oneDecimal(x));
          const whole = [
            entry.dontKnowPct,
            entry.favourablePct,
            entry.favourableLow,
            entry.favourableHigh,
            entry.unfavourablePct,
            ...(entry.distribution ?? []),
          ].filter((x) => x !== undefined);
          for (const x of whole) assert.ok(Number.isInteger(x) && x >= 0 && x <= 100);
          if (entry.distribution) assert.ok(entry.n >= 10);
        }
        if ('suppressed' in result.recommendation) {
          assert.equal(Object.keys(result.recommendation), ['suppressed']);
        } else {
          assert.ok(Number.isInteger(result.recommendation.score));
          assert.ok(result.recommendation.n >= 30);
        }
      },
    ),
    { numRuns: 300 },
  );
});

test.run();
