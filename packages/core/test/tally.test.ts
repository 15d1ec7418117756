import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import {
  answerProblems,
  pomp,
  recode,
  respondentThemeScore,
  tallyCell,
  type TallyItem,
} from '../src/index.ts';

const agree = (id: string, theme: string, extra: Partial<TallyItem> = {}): TallyItem => ({
  id,
  theme,
  min: 1,
  max: 5,
  reverseKeyed: false,
  dontKnow: false,
  scored: true,
  ...extra,
});

test('reverse keying recodes (min + max) - x', () => {
  const item = agree('r', 'safety', { reverseKeyed: true });
  assert.is(recode(item, 1), 5);
  assert.is(recode(item, 4), 2);
  assert.is(recode(agree('n', 'safety'), 4), 4);
});

test('POMP runs from 0 at the minimum to 100 at the maximum', () => {
  const ten: TallyItem = { ...agree('t', 'x'), min: 0, max: 10 };
  assert.is(pomp(ten, 0), 0);
  assert.is(pomp(ten, 10), 100);
  assert.is(pomp(agree('a', 'x'), 3), 50);
});

test('a theme score needs two thirds of the theme items valid', () => {
  const items = [agree('a', 's'), agree('b', 's'), agree('c', 's')];
  assert.is(
    respondentThemeScore(
      items,
      new Map([
        ['a', 5],
        ['b', 5],
      ]),
    ),
    100,
  );
  assert.is(respondentThemeScore(items, new Map([['a', 5]])), null);
  // "don't know" is not valid.
  assert.is(
    respondentThemeScore(
      items,
      new Map([
        ['a', 5],
        ['b', null],
      ]),
    ),
    null,
  );
  const four = [...items, agree('d', 's')];
  assert.is(
    respondentThemeScore(
      four,
      new Map([
        ['a', 1],
        ['b', 1],
      ]),
    ),
    null,
  );
  assert.is(
    respondentThemeScore(
      four,
      new Map([
        ['a', 1],
        ['b', 1],
        ['c', 1],
      ]),
    ),
    0,
  );
});

test("answers outside the wave, repeated, out of range or an unoffered don't know are refused", () => {
  const items = [agree('a', 's'), agree('b', 's', { dontKnow: true })];
  assert.equal(
    answerProblems(items, [
      { itemId: 'a', value: 3 },
      { itemId: 'b', value: null },
    ]),
    [],
  );
  assert.equal(answerProblems(items, []), [], 'skipping everything is allowed');
  assert.equal(
    answerProblems(items, [
      { itemId: 'zz', value: 1 },
      { itemId: 'a', value: 6 },
      { itemId: 'a', value: 2.5 },
      { itemId: 'a', value: null },
    ]).map((p) => p.kind),
    [
      'unknown_item',
      'out_of_range',
      'duplicate_item',
      'out_of_range',
      'duplicate_item',
      'dont_know_not_offered',
    ],
  );
});

test("a cell tally counts every option, don't know apart, and each response once", () => {
  const items = [
    agree('a', 's'),
    agree('b', 's', { dontKnow: true }),
    agree('c', 'inc', { scored: false }),
  ];
  const tally = tallyCell(items, [
    [
      { itemId: 'a', value: 5 },
      { itemId: 'b', value: 4 },
    ],
    [
      { itemId: 'a', value: 5 },
      { itemId: 'b', value: null },
      { itemId: 'c', value: 2 },
    ],
    [],
  ]);
  assert.is(tally.respondents, 3);
  assert.equal([...tally.items.get('a')!], [['5', 2]]);
  assert.equal([...tally.items.get('b')!].sort(), [
    ['4', 1],
    ['dont_know', 1],
  ]);
  const theme = tally.themes.get('s')!;
  // Only the first respondent has both items valid: mean POMP of 100 and 75.
  assert.is(theme.n, 1);
  assert.is(theme.sum, 87.5);
  assert.not.ok(tally.themes.has('inc'), 'unscored items make no theme score');
});

test('counts do not depend on the order of responses (property)', () => {
  const items = [agree('a', 's'), agree('b', 's', { dontKnow: true })];
  const answer = fc.record({
    a: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
    b: fc.option(fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }), { nil: undefined }),
  });
  fc.assert(
    fc.property(fc.array(answer, { maxLength: 30 }), (raw) => {
      const responses = raw.map((r) => [
        ...(r.a === undefined ? [] : [{ itemId: 'a', value: r.a }]),
        ...(r.b === undefined ? [] : [{ itemId: 'b', value: r.b }]),
      ]);
      const forward = tallyCell(items, responses);
      const backward = tallyCell(items, [...responses].reverse());
      const flat = (t: ReturnType<typeof tallyCell>) =>
        JSON.stringify([
          t.respondents,
          [...t.items].map(([k, v]) => [k, [...v].sort()]).sort(),
          [...t.themes].map(([k, v]) => [
            k,
            v.n,
            Math.round(v.sum * 1e6),
            Math.round(v.sumSq * 1e6),
          ]),
        ]);
      return flat(forward) === flat(backward);
    }),
  );
});

test.run();
