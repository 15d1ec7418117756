import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  decidePublication,
  decideQuarterPublication,
  effectiveThresholds,
  THRESHOLD_FLOORS,
  type DisclosureNode,
  type Publication,
  type StatisticClass,
  type Thresholds,
} from '../src/index.ts';
import { derivableSmallGroups } from './attacker.ts';
import {
  arbQuarter,
  arbShape,
  arbThresholds,
  attackQuarter,
  attackWave,
  cellRespondents,
  quarterGroups,
  shapeToNodes,
  waveGroups,
  type WaveTree,
} from './attacker-tree.ts';
import { tree, type Row } from './disclosure-support.ts';

const floors: Thresholds = { ...THRESHOLD_FLOORS };

/** "Publish if R >= K", without INV-2: the rule that section 2 of the specification says fails. */
function naive(nodes: readonly DisclosureNode[], k: number): Publication {
  return new Map(
    nodes.filter((n) => n.respondents >= k).map((n) => [n.id, new Set<StatisticClass>(['score'])]),
  );
}

const show = (findings: ReturnType<typeof attackWave>) =>
  findings
    .map((f) => `${f.cls}: {${f.group.atoms.join(', ')}} = ${f.group.respondents}`)
    .join('; ');

// --- The attacker itself ---------------------------------------------------------------------

test('negative control, A4 parent minus child: the attacker catches a naive "R >= K" publication', () => {
  const nodes = tree([
    ['U', null],
    ['A', 'U', 10],
    ['B', 'U', 2],
  ]);
  const found = derivableSmallGroups({
    groups: waveGroups(nodes, naive(nodes, 5), 'score'),
    respondents: cellRespondents(nodes),
    d: 5,
  });
  assert.equal(found, [{ atoms: ['B'], respondents: 2 }]);
  assert.equal(attackWave(nodes, decidePublication({ nodes, thresholds: floors }), floors), []);
});

test('negative control, A5: the attacker sees through a sum of visible children', () => {
  const nodes = tree([
    ['R', null],
    ['U', 'R'],
    ['a', 'U', 6],
    ['b', 'U', 7],
    ['V', 'R'],
    ['c', 'V', 9],
    ['x', 'V', 1],
    ['y', 'R', 2],
  ]);
  const found = derivableSmallGroups({
    groups: waveGroups(nodes, naive(nodes, 5), 'score'),
    respondents: cellRespondents(nodes),
    d: 5,
  });
  // x = V - c; y = R - U - V; and the pair x + y = R - U - c.
  assert.equal(
    found.map((f) => f.atoms.join('+')),
    ['x', 'x+y', 'y'],
  );
});

test('the attacker needs a true combination: overlapping rows alone reveal nothing small', () => {
  // Rows a+b and b+c over three hidden cells of 3 each: a - c is known, but no group is.
  const found = derivableSmallGroups({
    groups: [{ atoms: ['a', 'b'] }, { atoms: ['b', 'c'] }],
    respondents: new Map([
      ['a', 3],
      ['b', 3],
      ['c', 3],
    ]),
    d: 5,
  });
  assert.equal(found, []);
});

test('the attacker treats atoms with R = 0 as known zeros', () => {
  // (a + z) - a = z has R = 0 and says nothing; (a + b) with b = 0 gives a exactly.
  const found = derivableSmallGroups({
    groups: [{ atoms: ['a', 'b'] }],
    respondents: new Map([
      ['a', 4],
      ['b', 0],
    ]),
    d: 5,
  });
  assert.equal(found, [{ atoms: ['a'], respondents: 4 }]);
});

test('the attacker solves with fractions: 2a = (a+b) + (a+c) - (b+c)', () => {
  const found = derivableSmallGroups({
    groups: [{ atoms: ['a', 'b'] }, { atoms: ['a', 'c'] }, { atoms: ['b', 'c'] }],
    respondents: new Map([
      ['a', 2],
      ['b', 9],
      ['c', 9],
    ]),
    d: 5,
  });
  assert.equal(found, [{ atoms: ['a'], respondents: 2 }]);
});

// --- One wave -----------------------------------------------------------------------------------

const adversarial: { name: string; rows: Row[]; raised?: Partial<Thresholds> }[] = [
  {
    name: 'A4 parent minus its one big team',
    rows: [
      ['U', null],
      ['A', 'U', 40],
      ['B', 'U', 3],
    ],
  },
  {
    name: 'A5 parent minus the sum of its visible teams',
    rows: [
      ['U', null],
      ['A', 'U', 9],
      ['B', 'U', 11],
      ['C', 'U', 25],
      ['r', 'U', 1],
    ],
  },
  {
    name: 'A5 through a sub-unit whose teams are all visible',
    rows: [
      ['R', null],
      ['U', 'R'],
      ['a', 'U', 6],
      ['b', 'U', 6],
      ['l', 'R', 2],
      ['V', 'R'],
      ['c', 'V', 12],
      ['d', 'V', 3],
    ],
  },
  {
    name: 'incident figures at a unit and its sub-unit differing by 7',
    rows: [
      ['R', null],
      ['U', 'R'],
      ['a', 'U', 14],
      ['b', 'U', 14],
      ['c', 'R', 7],
    ],
  },
  {
    name: 'a basisteam of sub-teams, a remainder cell and a leadership cell one level up',
    rows: [
      ['district', null],
      ['leadership:district', 'district', 6],
      ['bt', 'district'],
      ['team:bt-1', 'bt', 12],
      ['team:bt-2', 'bt', 9],
      ['team:bt-3', 'bt', 5],
      ['remainder:bt', 'bt', 4],
      ['leadership:bt', 'bt', 2],
      ['bt2', 'district'],
      ['team:bt2-1', 'bt2', 21],
      ['remainder:bt2', 'bt2', 1],
    ],
  },
  {
    name: 'raised D cascading up three levels',
    raised: { d: 8, k: 6 },
    rows: [
      ['W', null],
      ['V', 'W'],
      ['U', 'V'],
      ['a', 'U', 6],
      ['b', 'U', 1],
      ['c', 'V', 1],
      ['e', 'W', 9],
      ['f', 'W', 30],
    ],
  },
];

for (const { name, rows, raised } of adversarial) {
  test(`exact attacker, one wave, ${name}: no group of 1..D-1 respondents is derivable`, () => {
    const thresholds = effectiveThresholds(raised);
    const nodes = tree(rows);
    const publication = decidePublication({ nodes, thresholds });
    assert.ok(publication.size > 0, 'something is published');
    assert.equal(show(attackWave(nodes, publication, thresholds)), '');
    assert.ok(naive(nodes, 5).size > 0);
  });
}

test('exact attacker, one wave, random trees and raised thresholds: nothing small is derivable', () => {
  fc.assert(
    fc.property(arbShape(), arbThresholds, (shape, thresholds) => {
      const nodes = shapeToNodes(shape);
      const findings = attackWave(nodes, decidePublication({ nodes, thresholds }), thresholds);
      assert.equal(show(findings), '');
    }),
    { numRuns: 300 },
  );
});

// --- Three waves and their quarter ----------------------------------------------------------

/** The same rows in three waves, each row's R given per wave (null = the cell is absent). */
function waves(
  units: [string, string | null][],
  cells: [string, string, (number | null)[]][],
): WaveTree[] {
  return ['w1', 'w2', 'w3'].map((waveId, w) => ({
    waveId,
    nodes: tree([
      ...units,
      ...cells.flatMap(([id, parent, rs]): Row[] =>
        rs[w] === null ? [] : [[id, parent, rs[w]!, 30]],
      ),
    ]),
  }));
}

const quarters: {
  name: string;
  units: [string, string | null][];
  cells: [string, string, (number | null)[]][];
}[] = [
  {
    name: 'a small team visible only pooled (3 + 3 + 3)',
    units: [['U', null]],
    cells: [
      ['T', 'U', [3, 3, 3]],
      ['S', 'U', [10, 10, 10]],
    ],
  },
  {
    name: 'pooled team minus its two frozen waves leaves the third (A7 across waves)',
    units: [['U', null]],
    cells: [
      ['T', 'U', [10, 10, 3]],
      ['S', 'U', [12, 12, 12]],
    ],
  },
  {
    name: 'the sum of frozen per-wave residues minus a pooled sibling (y hidden each wave, t of 1)',
    units: [['X', null]],
    cells: [
      ['y', 'X', [10, 10, 10]],
      ['z', 'X', [10, 10, 10]],
      ['t', 'X', [1, 1, 1]],
    ],
  },
  {
    name: 'a team that exists in one wave only, beside a frozen parent',
    units: [
      ['R', null],
      ['U', 'R'],
    ],
    cells: [
      ['a', 'U', [8, 8, null]],
      ['b', 'U', [null, null, 4]],
      ['c', 'R', [20, 20, 20]],
    ],
  },
  {
    name: 'nested units with small remainders in different waves',
    units: [
      ['R', null],
      ['U', 'R'],
      ['V', 'R'],
    ],
    cells: [
      ['a', 'U', [6, 2, 6]],
      ['b', 'U', [6, 6, 1]],
      ['c', 'V', [9, 9, 9]],
      ['d', 'V', [2, 0, 2]],
      ['e', 'R', [1, 4, 0]],
    ],
  },
];

for (const { name, units, cells } of quarters) {
  test(`exact attacker, three waves and their quarter, ${name}: nothing small is derivable`, () => {
    const { quarter, findings } = attackQuarter(waves(units, cells), floors);
    assert.equal(show(findings), '');
    assert.ok(quarter.size > 0, 'the quarter publishes something');
  });
}

test('negative control, quarter: pooling every group of R >= K beside the frozen waves leaks', () => {
  const three = waves(
    [['X', null]],
    [
      ['y', 'X', [10, 10, 10]],
      ['z', 'X', [10, 10, 10]],
      ['t', 'X', [1, 1, 1]],
    ],
  );
  const decided = three.map((w) => ({
    ...w,
    publication: decidePublication({ nodes: w.nodes, thresholds: floors }),
  }));
  const pooledAll: Publication = new Map(
    ['X', 'y', 'z'].map((id) => [id, new Set<StatisticClass>(['score'])]),
  );
  const respondents = new Map(decided.flatMap((w) => [...cellRespondents(w.nodes, w.waveId)]));
  const found = derivableSmallGroups({
    groups: [
      ...decided.flatMap((w) => waveGroups(w.nodes, w.publication, 'score', w.waveId)),
      ...quarterGroups(decided, pooledAll, 'score'),
    ],
    respondents,
    d: 5,
  });
  assert.ok(
    found.some((f) => f.atoms.join(',') === 't@w1,t@w2,t@w3'),
    'the three t cells (3 respondents) come out',
  );
});

test('the quarter pools a team seen in every wave, and never one whose part in a wave is below D', () => {
  const three = waves(
    [['U', null]],
    [
      ['T', 'U', [3, 3, 3]],
      ['S', 'U', [10, 10, 10]],
      ['V', 'U', [11, 12, 13]],
    ],
  );
  // Each wave hides S (U - S - V = 3). Pooling S would be safe here (U - V - p(S) sums T over
  // three waves), but its part in each wave is a remainder of 3 beside the frozen U and V: the
  // rule that is provably safe refuses it.
  const decided = three.map((w) => ({
    ...w,
    publication: decidePublication({ nodes: w.nodes, thresholds: floors }),
  }));
  const quarter = decideQuarterPublication({ waves: decided, thresholds: floors });
  assert.equal(
    [...quarter].filter(([, c]) => c.has('score')).map(([id]) => id),
    ['U', 'V'],
  );
  assert.equal(
    [...quarter].filter(([, c]) => c.has('distribution')).map(([id]) => id),
    ['U', 'V'],
  );
});

test('exact attacker, random quarters over three waves: nothing small is derivable', () => {
  fc.assert(
    fc.property(arbQuarter(), arbThresholds, (three, thresholds) => {
      assert.equal(show(attackQuarter(three, thresholds).findings), '');
    }),
    { numRuns: 300 },
  );
});

test.run();
