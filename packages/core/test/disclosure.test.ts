import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  classRule,
  decidePublication,
  effectiveThresholds,
  THRESHOLD_FLOORS,
  type StatisticClass,
  type Thresholds,
} from '../src/index.ts';
import { classesOf, ids, plain, tree, type Row } from './disclosure-support.ts';

const floors: Thresholds = { ...THRESHOLD_FLOORS };
const decide = (rows: readonly Row[], thresholds: Partial<Thresholds> = {}) =>
  decidePublication({ nodes: tree(rows), thresholds: effectiveThresholds(thresholds) });

// --- INV-1: primary thresholds, K-1 / K / K+1 for every class --------------------------------

const primaries: { cls: StatisticClass; level: 'cell' | 'unit'; k: number }[] = [
  { cls: 'score', level: 'cell', k: 5 },
  { cls: 'score', level: 'unit', k: 5 },
  { cls: 'distribution', level: 'cell', k: 10 },
  { cls: 'distribution', level: 'unit', k: 10 },
  { cls: 'comment', level: 'cell', k: 10 },
  { cls: 'comment', level: 'unit', k: 10 },
  { cls: 'unit_score', level: 'unit', k: 5 },
  { cls: 'recommendation', level: 'unit', k: 30 },
  { cls: 'incident', level: 'unit', k: 20 },
];

for (const { cls, level, k } of primaries) {
  for (const r of [k - 1, k, k + 1]) {
    const shown = r >= k;
    test(`A1 small group: ${cls} at ${level} level with ${r} respondents is ${shown ? 'published' : 'hidden'} (threshold ${k})`, () => {
      // At unit level, two cells (a unit with one team is that team, see below).
      const publication = decide(
        level === 'unit'
          ? [
              ['U', null],
              ['C', 'U', Math.ceil(r / 2)],
              ['C2', 'U', Math.floor(r / 2)],
            ]
          : [
              ['U', null],
              ['C', 'U', r],
            ],
      );
      const id = level === 'unit' ? 'U' : 'C';
      assert.is(classesOf(publication, id).includes(cls), shown);
    });
  }
}

test('A1: a group with R = 0 publishes nothing, and its parent with R = 0 neither', () => {
  const publication = decide([
    ['U', null],
    ['C', 'U', 0],
  ]);
  assert.equal(plain(publication), []);
});

for (const [e, shown] of [
  [7, false],
  [8, true],
] as const) {
  test(`INV-1 eligibility: with K_E raised to 8, a cell of E = ${e} and R = 7 is ${shown ? 'published' : 'hidden'}`, () => {
    const publication = decide(
      [
        ['U', null],
        ['C', 'U', 7, e],
        ['D', 'U', 7, 20],
      ],
      { kE: 8 },
    );
    assert.is(classesOf(publication, 'C').includes('score'), shown);
    assert.ok(classesOf(publication, 'D').includes('score'));
  });
}

test('INV-1 eligibility: a unit whose cells sum to E = 4 publishes nothing, whatever the class', () => {
  const nodes = tree([
    ['U', null],
    ['C', 'U', 4, 4],
  ]);
  assert.equal(plain(decidePublication({ nodes, thresholds: floors })), []);
});

// --- Levels ------------------------------------------------------------------------------------

test('a unit with only one answering cell below it gets no unit-only class: it is that team', () => {
  const one = decide([
    ['U', null],
    ['V', 'U'],
    ['T', 'V', 40],
    ['E', 'V', 0],
  ]);
  for (const id of ['U', 'V']) {
    for (const cls of ['unit_score', 'incident', 'recommendation'] as const) {
      assert.not.ok(classesOf(one, id).includes(cls), `${id} ${cls}`);
    }
    assert.ok(classesOf(one, id).includes('score'));
  }
  const two = decide([
    ['U', null],
    ['T', 'U', 20],
    ['S', 'U', 20],
  ]);
  for (const cls of ['unit_score', 'incident', 'recommendation'] as const) {
    assert.ok(classesOf(two, 'U').includes(cls), cls);
  }
});

test('incident, unit_score and recommendation are never published for a cell, however large', () => {
  const publication = decide([
    ['U', null],
    ['C', 'U', 200, 250],
  ]);
  assert.equal(classesOf(publication, 'C'), ['score', 'distribution', 'comment']);
  // U holds only C, so it is that team: no unit-only class either.
  assert.equal(classesOf(publication, 'U'), ['score', 'distribution', 'comment']);
  const two = decide([
    ['U', null],
    ['C', 'U', 100, 125],
    ['C2', 'U', 100, 125],
  ]);
  assert.equal(classesOf(two, 'C'), ['score', 'distribution', 'comment']);
  assert.equal(classesOf(two, 'U'), [
    'score',
    'distribution',
    'unit_score',
    'recommendation',
    'incident',
    'comment',
  ]);
});

test('A9 homogeneity: a cell of 5-9 respondents shows a score but no distribution', () => {
  const publication = decide([
    ['U', null],
    ['A', 'U', 9],
    ['B', 'U', 12],
  ]);
  assert.ok(classesOf(publication, 'A').includes('score'));
  assert.not.ok(classesOf(publication, 'A').includes('distribution'));
});

// --- INV-2 repair --------------------------------------------------------------------------------

for (const left of [1, 2, 3, 4]) {
  test(`A4 parent minus child: a unit minus its one visible team leaving ${left} hides the team`, () => {
    const publication = decide([
      ['U', null],
      ['A', 'U', 10],
      ['B', 'U', left],
    ]);
    assert.equal(ids(publication, 'score'), ['U']);
  });
}

for (const left of [0, 5, 6]) {
  test(`A4 parent minus child: a difference of ${left} respondents leaves both published`, () => {
    const publication = decide([
      ['U', null],
      ['A', 'U', 10],
      ['B', 'U', left, 6],
    ]);
    assert.equal(ids(publication, 'score'), left >= 5 ? ['A', 'B', 'U'] : ['A', 'U']);
  });
}

test('A5 parent minus the sum of visible children: the smallest visible child is hidden', () => {
  const publication = decide([
    ['U', null],
    ['A', 'U', 9],
    ['B', 'U', 8],
    ['C', 'U', 3],
  ]);
  // U - A - B = 3; hiding B (8, the smallest) leaves U - A = 11.
  assert.equal(ids(publication, 'score'), ['A', 'U']);
});

test('INV-2 ties are broken by id, not by input order or position', () => {
  const rows: Row[] = [
    ['U', null],
    ['team-b', 'U', 8],
    ['team-a', 'U', 8],
    ['rest', 'U', 2],
  ];
  assert.equal(ids(decide(rows), 'score'), ['U', 'team-b']);
  assert.equal(ids(decide([...rows].reverse()), 'score'), ['U', 'team-b']);
});

test('A5: hiding a unit exposes its own visible teams, which still count against the parent', () => {
  const publication = decide([
    ['U', null],
    ['V', 'U'],
    ['a', 'V', 6],
    ['b', 'V', 6],
    ['c', 'U', 2],
  ]);
  // U - V = 2: hiding V exposes a and b (U - a - b = 2 again), so a (tie by id) goes too.
  assert.equal(ids(publication, 'score'), ['U', 'b']);
});

test('INV-2 fixed point cascades up two levels when D is raised above K', () => {
  const publication = decide(
    [
      ['W', null],
      ['V', 'W'],
      ['U', 'V'],
      ['a', 'U', 5],
      ['b', 'U', 1],
      ['c', 'V', 1],
      ['e', 'W', 9],
    ],
    { d: 8 },
  );
  // a (5 < D) and U (6) go, V (7) goes, so W - e = 7 and e goes too.
  assert.equal(ids(publication, 'score'), ['W']);
});

test('INV-2 per class: a distribution keeps D = K_dist even where the score is fine', () => {
  const publication = decide([
    ['U', null],
    ['A', 'U', 12],
    ['B', 'U', 6],
  ]);
  // Score: U - A = 6 >= 5 and B = 6: all published. Distribution: B has 6 < 10, U - A = 6 < 10.
  assert.equal(ids(publication, 'score'), ['A', 'B', 'U']);
  assert.equal(ids(publication, 'distribution'), ['U']);
});

test('incident items need D = 10 between a unit and its visible sub-unit', () => {
  const publication = decide([
    ['R', null],
    ['U', 'R'],
    ['a', 'U', 13],
    ['a2', 'U', 12],
    ['b', 'R', 7],
  ]);
  // R - U = 7: fine for scores (>= 5), not for incidents (< 10), so U loses its incident figures.
  assert.equal(ids(publication, 'incident'), ['R']);
  assert.equal(ids(publication, 'unit_score'), ['R', 'U']);
});

test('comments: a unit minus its visible team must leave at least K_comment', () => {
  const publication = decide([
    ['U', null],
    ['A', 'U', 12],
    ['B', 'U', 9],
  ]);
  assert.equal(ids(publication, 'comment'), ['U']);
});

test('distribution is always a subset of score', () => {
  const publication = decide(
    [
      ['U', null],
      ['A', 'U', 12],
      ['B', 'U', 12],
      ['C', 'U', 3],
    ],
    { kDist: 10 },
  );
  for (const id of ids(publication, 'distribution'))
    assert.ok(ids(publication, 'score').includes(id));
});

// --- Raised thresholds and floors -------------------------------------------------------------

test('A13: thresholds below the floors are raised to the floors', () => {
  const low = { k: 2, kE: 2, kDist: 2, kSens: 2, kComment: 2, d: 2 };
  const rows: Row[] = [
    ['U', null],
    ['A', 'U', 4, 4],
    ['B', 'U', 3, 3],
  ];
  assert.equal(plain(decidePublication({ nodes: tree(rows), thresholds: low })), [
    ['U', ['score', 'unit_score']],
  ]);
});

test('a raised K hides a team of 6 that the floor would show', () => {
  const rows: Row[] = [
    ['U', null],
    ['A', 'U', 6],
    ['B', 'U', 6],
  ];
  assert.equal(ids(decide(rows), 'score'), ['A', 'B', 'U']);
  assert.equal(ids(decide(rows, { k: 7 }), 'score'), ['U']);
});

test('class rules: D is never below the floor and incidents need at least 10', () => {
  assert.equal(classRule('incident', floors), { primary: 20, d: 10, unitOnly: true });
  assert.equal(classRule('distribution', { ...floors, kDist: 15 }), {
    primary: 15,
    d: 15,
    unitOnly: false,
  });
  // The recommendation score is a %-minus-% distribution statistic: D = max(d, K_dist).
  assert.equal(classRule('recommendation', { ...floors, kDist: 40 }), {
    primary: 40,
    d: 40,
    unitOnly: true,
  });
  assert.is(classRule('recommendation', floors).d, 10);
  assert.is(classRule('recommendation', { ...floors, d: 12 }).d, 12);
  assert.equal(classRule('score', { ...floors, d: 1 }).d, 5);
});

// --- Determinism, role independence and bad input ---------------------------------------------

test('INV-5: the same input always gives the same publication, whatever the node order', () => {
  const rows: Row[] = [
    ['R', null],
    ['U', 'R'],
    ['V', 'R'],
    ['a', 'U', 7],
    ['b', 'U', 8],
    ['c', 'V', 2],
    ['d', 'V', 11],
    ['e', 'R', 3],
  ];
  const once = plain(decide(rows));
  assert.equal(plain(decide([...rows].reverse())), once);
  assert.equal(
    plain(decide([rows[4]!, rows[0]!, rows[7]!, rows[2]!, rows[1]!, rows[6]!, rows[3]!, rows[5]!])),
    once,
  );
});

test('a forest of several roots is decided tree by tree', () => {
  const publication = decide([
    ['R1', null],
    ['a', 'R1', 7],
    ['R2', null],
    ['b', 'R2', 3],
    ['c', 'R2', 12],
  ]);
  assert.equal(ids(publication, 'score'), ['R1', 'R2', 'a']);
});

test('refuses a tree whose unit totals are not the sums of its cells', () => {
  const nodes = tree([
    ['U', null],
    ['A', 'U', 6],
  ]);
  nodes[0]!.respondents = 9;
  assert.throws(() => decidePublication({ nodes, thresholds: floors }), /sums/);
});

test('refuses duplicate ids, unknown parents, cells with children and cycles', () => {
  const cell = (id: string, parentId: string | null) =>
    ({ id, parentId, level: 'cell', eligible: 6, respondents: 6 }) as const;
  const unit = (id: string, parentId: string | null) =>
    ({ id, parentId, level: 'unit', eligible: 6, respondents: 6 }) as const;
  const run = (nodes: Parameters<typeof decidePublication>[0]['nodes']) => () =>
    decidePublication({ nodes, thresholds: floors });
  assert.throws(run([cell('A', null), cell('A', null)]), /duplicate/);
  assert.throws(run([cell('A', 'X')]), /unknown parent/);
  assert.throws(run([cell('A', null), cell('B', 'A')]), /has a child/);
  assert.throws(run([unit('A', 'B'), unit('B', 'A')]), /cycle/);
});

test.run();
