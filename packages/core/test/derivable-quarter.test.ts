import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import {
  decidePublication,
  decideQuarterPublication,
  derivableHidden,
  effectiveThresholds,
  mergeTallies,
  repairQuarterCounts,
  type CellTally,
  type CountNode,
  type DisclosureNode,
  type ResultItem,
} from '../src/index.ts';

const t = effectiveThresholds({});
const item: ResultItem = {
  id: 'ps1',
  theme: 'psychological_safety',
  min: 1,
  max: 5,
  reverseKeyed: false,
  dontKnow: true,
  scored: true,
  reportingLevel: 'team',
};

const cell = (respondents: number, options: Record<string, number>): CellTally => ({
  respondents,
  items: new Map([[item.id, new Map(Object.entries(options))]]),
  themes: new Map(),
});

/** One wave: unit U with the team X and a sibling S whose people all answer "don't know". */
function wave(xR: number, xValid: number) {
  const nodes: DisclosureNode[] = [
    { id: 'U', parentId: null, level: 'unit', eligible: xR + 14, respondents: xR + 10 },
    { id: 'X', parentId: 'U', level: 'cell', eligible: xR + 2, respondents: xR },
    { id: 'S', parentId: 'U', level: 'cell', eligible: 12, respondents: 10 },
  ];
  const x = cell(xR, { '4': xValid, dont_know: xR - xValid });
  const s = cell(10, { dont_know: 10 });
  const tallies = new Map([
    ['X', x],
    ['S', s],
    ['U', mergeTallies([x, s])],
  ]);
  return { nodes, tallies, publication: decidePublication({ nodes, thresholds: t }) };
}

function quarter(waves: ReturnType<typeof wave>[]) {
  const publication = decideQuarterPublication({
    waves: waves.map((w, i) => ({ waveId: `w${i + 1}`, ...w })),
    thresholds: t,
  });
  const sum = (id: string) =>
    waves.reduce((n, w) => n + w.nodes.find((x) => x.id === id)!.respondents, 0);
  const nodes: DisclosureNode[] = waves[0]!.nodes.map((n) => ({
    ...n,
    eligible: Math.min(...waves.map((w) => w.nodes.find((x) => x.id === n.id)!.eligible)),
    respondents: sum(n.id),
  }));
  const tallies = new Map(
    nodes.map((n) => [n.id, mergeTallies(waves.map((w) => w.tallies.get(n.id)!))]),
  );
  const hide = (withWaves: boolean) =>
    derivableHidden({
      nodes,
      tallies,
      publication,
      items: [item],
      thresholds: t,
      ...(withWaves ? { waves } : {}),
    });
  return { publication, hide };
}

const itemHiddenAt = (hidden: ReturnType<typeof derivableHidden>) =>
  [...hidden]
    .filter(([, h]) => h.items.has(item.id))
    .map(([id]) => id)
    .sort();

// The example of docs/anonymity.md: p(X) shows the item with valid n 30, X@1 and X@2 were shown
// frozen with 12 and 15, so p(X) - X@1 - X@2 is X@3 with 3 answers although X@3 has R = 12.
test('p(x) minus the frozen x@1 and x@2 would leave 3 answers of x@3: the item is hidden pooled', () => {
  const { publication, hide } = quarter([wave(12, 12), wave(15, 15), wave(12, 3)]);
  assert.ok(publication.get('X')?.has('score'));
  // The pooled tree alone sees nothing: p(U) - p(X) = 0 answers.
  assert.equal(itemHiddenAt(hide(false)), []);
  // Across the waves both p(X) and p(U) (U@1, U@2 were shown with 12 and 15) would give it away.
  assert.equal(itemHiddenAt(hide(true)), ['U', 'X']);
});

test('with enough answers in every wave the quarter hides nothing more', () => {
  const { hide } = quarter([wave(12, 12), wave(15, 15), wave(12, 8)]);
  assert.equal(itemHiddenAt(hide(true)), []);
});

// Direct table cases of the repair on one statistic's counts.
const tree = (u: number, a: number, b: number, z: number): CountNode[] => [
  { id: 'U', parentId: null, level: 'unit', count: u },
  { id: 'A', parentId: 'U', level: 'cell', count: a },
  { id: 'B', parentId: 'U', level: 'cell', count: b },
  { id: 'Z', parentId: 'U', level: 'cell', count: z },
];

const cases: {
  name: string;
  waves: { counts: [number, number, number]; frozen: string[] }[];
  shown: string[];
  kept: string[];
}[] = [
  {
    name: 'a frozen unit minus two pooled teams leaves 3: the pooled team with the smaller count goes',
    waves: [
      { counts: [8, 9, 3], frozen: ['U'] },
      { counts: [8, 9, 3], frozen: [] },
      { counts: [8, 9, 3], frozen: [] },
    ],
    shown: ['A', 'B'],
    kept: ['B'],
  },
  {
    name: 'frozen parts are never dropped: the failing pooled node itself goes',
    waves: [
      { counts: [12, 9, 0], frozen: ['A'] },
      { counts: [15, 9, 0], frozen: ['A'] },
      { counts: [3, 9, 0], frozen: [] },
    ],
    shown: ['A', 'B'],
    kept: ['B'],
  },
  {
    name: 'remainders of 0 or at least D in every wave keep everything',
    waves: [
      { counts: [8, 9, 5], frozen: ['U', 'A'] },
      { counts: [8, 9, 0], frozen: ['U'] },
      { counts: [8, 9, 6], frozen: [] },
    ],
    shown: ['A', 'B', 'U'],
    kept: ['A', 'B', 'U'],
  },
];

for (const c of cases) {
  test(`repairQuarterCounts: ${c.name}`, () => {
    const kept = repairQuarterCounts({
      waves: c.waves.map((w) => {
        const [a, b, z] = w.counts;
        return { nodes: tree(a + b + z, a, b, z), frozen: new Set(w.frozen) };
      }),
      shown: new Set(c.shown),
      d: t.d,
    });
    assert.equal([...kept].sort(), c.kept);
  });
}

/** Per wave, the members whose residual is 1..D-1 although some pooled part could go. */
function violations(
  waves: { nodes: CountNode[]; frozen: Set<string> }[],
  kept: Set<string>,
  d: number,
): string[] {
  const found: string[] = [];
  waves.forEach((w, i) => {
    const members = new Set([...w.frozen, ...kept]);
    const count = (id: string) => w.nodes.find((n) => n.id === id)!.count;
    for (const x of members) {
      const node = w.nodes.find((n) => n.id === x)!;
      if (node.level === 'cell') {
        if (!w.frozen.has(x) && count(x) > 0 && count(x) < d) found.push(`${x}@${i}`);
        continue;
      }
      const parts = w.nodes.filter((n) => n.parentId === x && members.has(n.id));
      const residual = count(x) - parts.reduce((s, n) => s + n.count, 0);
      const repairable = !w.frozen.has(x) || parts.some((n) => !w.frozen.has(n.id));
      if (residual > 0 && residual < d && repairable) found.push(`${x}@${i}`);
    }
  });
  return found;
}

test('property: the repair only hides, and leaves no repairable remainder of 1..D-1 in any wave', () => {
  const ids = ['U', 'A', 'B', 'Z'];
  const waveArb = fc.record({
    counts: fc.tuple(fc.nat(14), fc.nat(14), fc.nat(14)),
    frozen: fc.subarray(ids),
  });
  fc.assert(
    fc.property(
      fc.array(waveArb, { minLength: 3, maxLength: 3 }),
      fc.subarray(ids),
      (ws, shown) => {
        const waves = ws.map((w) => {
          const [a, b, z] = w.counts;
          return { nodes: tree(a + b + z, a, b, z), frozen: new Set(w.frozen) };
        });
        const kept = repairQuarterCounts({ waves, shown: new Set(shown), d: t.d });
        for (const id of kept) assert.ok(shown.includes(id));
        assert.equal(violations(waves, kept, t.d), []);
      },
    ),
    { numRuns: 500 },
  );
});

test.run();
