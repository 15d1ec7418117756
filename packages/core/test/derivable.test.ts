import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import {
  decidePublication,
  derivableHidden,
  effectiveThresholds,
  ITEM_BANK,
  mergeTallies,
  repairDerivableCounts,
  summariseNode,
  toResultItem,
  type CellTally,
  type DisclosureNode,
  type HiddenStatistics,
  type ResultItem,
} from '../src/index.ts';

const t = effectiveThresholds({});
const likert = (id: string, extra: Partial<ResultItem> = {}): ResultItem => ({
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

/** A cell's tally from per-item option counts; theme n/sum from the first item's valid answers. */
function cell(respondents: number, items: Record<string, Record<string, number>>): CellTally {
  const tally: CellTally = { respondents, items: new Map(), themes: new Map() };
  for (const [id, counts] of Object.entries(items)) {
    tally.items.set(id, new Map(Object.entries(counts)));
  }
  return tally;
}

interface Scenario {
  nodes: DisclosureNode[];
  cells: Map<string, CellTally>;
  items: ResultItem[];
}

function tallies({ nodes, cells }: Scenario): Map<string, CellTally> {
  const byNode = new Map<string, CellTally>();
  const cellsBelow = (id: string): string[] => {
    const node = nodes.find((n) => n.id === id)!;
    if (node.level === 'cell') return [id];
    return nodes.filter((n) => n.parentId === id).flatMap((n) => cellsBelow(n.id));
  };
  for (const n of nodes) byNode.set(n.id, mergeTallies(cellsBelow(n.id).map((c) => cells.get(c)!)));
  return byNode;
}

function publish(s: Scenario, useHidden: boolean) {
  const publication = decidePublication({ nodes: s.nodes, thresholds: t });
  const byNode = tallies(s);
  const hidden = useHidden
    ? derivableHidden({
        nodes: s.nodes,
        tallies: byNode,
        publication,
        items: s.items,
        thresholds: t,
      })
    : new Map<string, HiddenStatistics>();
  return new Map(
    s.nodes.map((n) => [
      n.id,
      summariseNode({
        items: s.items,
        anchorItemIds: [],
        tally: byNode.get(n.id)!,
        // An empty unit (E = 0) publishes nothing; 1 keeps the size band defined.
        eligible: Math.max(1, n.eligible),
        classes: publication.get(n.id) ?? new Set(),
        thresholds: t,
        previous: null,
        trendAllowed: true,
        hidden: hidden.get(n.id),
      }),
    ]),
  );
}

type Shown = { itemId: string; n?: number; distribution?: number[]; dontKnowPct?: number };
const itemOf = (summary: ReturnType<typeof summariseNode>, id: string) =>
  summary.items.find((i) => i.itemId === id) as Shown;

/** The smallest positive difference between the valid n of a shown item at a node and the sum
 * of the valid n at the maximal shown nodes inside it (what subtraction singles out). */
function remainders(
  s: Scenario,
  results: Map<string, ReturnType<typeof summariseNode>>,
  itemId: string,
  key: 'n' | 'distribution',
) {
  const shown = (id: string) => {
    const entry = itemOf(results.get(id)!, itemId);
    return key === 'n' ? entry.n !== undefined : entry.distribution !== undefined;
  };
  const nOf = (id: string) => itemOf(results.get(id)!, itemId).n!;
  const out: number[] = [];
  for (const z of s.nodes) {
    if (!shown(z.id)) continue;
    const stack = s.nodes.filter((n) => n.parentId === z.id).map((n) => n.id);
    let sum = 0;
    while (stack.length) {
      const x = stack.pop()!;
      if (shown(x)) sum += nOf(x);
      else stack.push(...s.nodes.filter((n) => n.parentId === x).map((n) => n.id));
    }
    if (sum > 0) out.push(nOf(z.id) - sum);
  }
  return out;
}

// --- The reviewer's scenarios ----------------------------------------------------------------

// demo1: unit U = team T (R=5) + remainder r (R=5); in r four answer "don't know", one answers 1.
const demo1: Scenario = {
  nodes: [
    { id: 'U', parentId: null, level: 'unit', eligible: 12, respondents: 10 },
    { id: 'T', parentId: 'U', level: 'cell', eligible: 6, respondents: 5 },
    { id: 'U~r', parentId: 'U', level: 'cell', eligible: 6, respondents: 5 },
  ],
  cells: new Map([
    ['T', cell(5, { ps1: { '4': 2, '5': 3 }, ps2: { '4': 5 } })],
    ['U~r', cell(5, { ps1: { dont_know: 4, '1': 1 }, ps2: { '3': 5 } })],
  ]),
  items: [likert('ps1'), likert('ps2')],
};

// demo2: unit P = sub-unit V (two cells, R=10) + remainder (R=5); a unit-level item's distribution.
const demo2: Scenario = {
  nodes: [
    { id: 'P', parentId: null, level: 'unit', eligible: 18, respondents: 15 },
    { id: 'V', parentId: 'P', level: 'unit', eligible: 12, respondents: 10 },
    { id: 'V1', parentId: 'V', level: 'cell', eligible: 7, respondents: 6 },
    { id: 'V2', parentId: 'V', level: 'cell', eligible: 5, respondents: 4 },
    { id: 'P~r', parentId: 'P', level: 'cell', eligible: 6, respondents: 5 },
  ],
  cells: new Map([
    ['V1', cell(6, { u1: { '4': 6 } })],
    ['V2', cell(4, { u1: { '5': 4 } })],
    ['P~r', cell(5, { u1: { '1': 3, '2': 2 } })],
  ]),
  items: [likert('u1', { theme: 'inclusion', dontKnow: false, reportingLevel: 'unit' })],
};

test('demo1: a unit and its team do not show valid n that differ by one answer', () => {
  const before = publish(demo1, false);
  // The defect: U n=6, T n=5, so one answer is derivable.
  assert.equal(remainders(demo1, before, 'ps1', 'n'), [1]);
  const after = publish(demo1, true);
  assert.equal(remainders(demo1, after, 'ps1', 'n'), []);
  // The smaller node (T) loses the mean; U still shows it, and ps2 (no gap) is untouched.
  assert.ok('suppressed' in itemOf(after.get('T')!, 'ps1'));
  assert.is(itemOf(after.get('U')!, 'ps1').n, 6);
  assert.is(itemOf(after.get('T')!, 'ps2').n, 5);
});

test('demo2: a unit-level distribution is not shown beside a sub-unit 5 answers smaller', () => {
  const before = publish(demo2, false);
  assert.equal(remainders(demo2, before, 'u1', 'distribution'), [5]);
  const after = publish(demo2, true);
  assert.equal(remainders(demo2, after, 'u1', 'distribution'), []);
  // Means may still differ by D = 5 answers; only the distribution (D = K_dist) goes.
  assert.is(itemOf(after.get('V')!, 'u1').n, 10);
  assert.not.ok(itemOf(after.get('V')!, 'u1').distribution);
  assert.ok(itemOf(after.get('P')!, 'u1').distribution);
});

// demo5: district D = sub-unit V (two cells, R=30) + remainder (R=10); in the remainder nine
// answer "don't know" to the discrimination item and one answers "very often".
test('demo5: an incident distribution does not give away one answer of the remainder', () => {
  const incident = toResultItem(ITEM_BANK.find((i) => i.id === 'soc.exp_discrimination')!);
  const id = incident.id;
  const s: Scenario = {
    nodes: [
      { id: 'D', parentId: null, level: 'unit', eligible: 50, respondents: 40 },
      { id: 'V', parentId: 'D', level: 'unit', eligible: 38, respondents: 30 },
      { id: 'V1', parentId: 'V', level: 'cell', eligible: 19, respondents: 15 },
      { id: 'V2', parentId: 'V', level: 'cell', eligible: 19, respondents: 15 },
      { id: 'D~r', parentId: 'D', level: 'cell', eligible: 12, respondents: 10 },
    ],
    cells: new Map([
      ['V1', cell(15, { [id]: { '1': 12, '2': 3 } })],
      ['V2', cell(15, { [id]: { '1': 13, '2': 2 } })],
      ['D~r', cell(10, { [id]: { '5': 1, dont_know: 9 } })],
    ]),
    items: [incident],
  };
  const before = publish(s, false);
  assert.equal(remainders(s, before, id, 'n'), [1]);
  const after = publish(s, true);
  assert.equal(remainders(s, after, id, 'n'), []);
  assert.equal(remainders(s, after, id, 'distribution'), []);
  assert.ok('suppressed' in itemOf(after.get('V')!, id));
  assert.is(itemOf(after.get('D')!, id).n, 31);
});

test("% don't know is shown only beside the distribution", () => {
  const after = publish(demo1, true);
  for (const id of ['U', 'T', 'U~r']) {
    for (const itemId of ['ps1', 'ps2']) {
      const entry = itemOf(after.get(id)!, itemId);
      assert.is(entry.dontKnowPct !== undefined, entry.distribution !== undefined);
    }
  }
});

// demo5/demo6 style: a recommendation and a theme whose own counts differ by a few between a
// unit and its sub-unit.
test('the recommendation score and theme scores are repaired on their own counts', () => {
  const rec = likert('rec', {
    theme: 'recommendation',
    min: 0,
    max: 10,
    dontKnow: false,
    scored: false,
    reportingLevel: 'unit',
  });
  const themeCell = (r: number, n: number): CellTally => {
    const c = cell(r, { rec: { '9': n } });
    c.themes.set('psychological_safety', { n, sum: 50 * n, sumSq: 2500 * n });
    return c;
  };
  const s: Scenario = {
    nodes: [
      { id: 'P', parentId: null, level: 'unit', eligible: 80, respondents: 70 },
      { id: 'V', parentId: 'P', level: 'unit', eligible: 40, respondents: 35 },
      { id: 'V1', parentId: 'V', level: 'cell', eligible: 20, respondents: 18 },
      { id: 'V2', parentId: 'V', level: 'cell', eligible: 20, respondents: 17 },
      { id: 'P~r', parentId: 'P', level: 'cell', eligible: 40, respondents: 35 },
    ],
    // The remainder answered the recommendation 3 times and the theme's items validly 2 times.
    cells: new Map([
      ['V1', themeCell(18, 18)],
      ['V2', themeCell(17, 17)],
      [
        'P~r',
        (() => {
          const c = cell(35, { rec: { '0': 3 } });
          c.themes.set('psychological_safety', { n: 2, sum: 0, sumSq: 0 });
          return c;
        })(),
      ],
    ]),
    items: [likert('ps1'), rec],
  };
  const publication = decidePublication({ nodes: s.nodes, thresholds: t });
  assert.ok(
    publication.get('V')!.has('recommendation') && publication.get('P')!.has('recommendation'),
  );
  const hidden = derivableHidden({
    nodes: s.nodes,
    tallies: tallies(s),
    publication,
    items: s.items,
    thresholds: t,
  });
  // P (38 answers) minus V (35) singles out 3 recommendation answers: V, the smaller, loses it.
  assert.ok(hidden.get('V')!.recommendation);
  assert.not.ok(hidden.get('P')?.recommendation);
  // Theme: P n=37, V n=35, cells 18 and 17 (no gap below V): V loses the theme.
  assert.ok(hidden.get('V')!.themes.has('psychological_safety'));
  const after = publish(s, true);
  assert.ok('suppressed' in after.get('V')!.recommendation);
  assert.ok(!('suppressed' in after.get('P')!.recommendation));
  assert.ok('suppressed' in after.get('V')!.themes[0]!);
});

test('repairDerivableCounts drops the smallest of the parts, or the node itself', () => {
  const nodes = [
    { id: 'U', parentId: null, level: 'unit' as const, count: 12 },
    { id: 'a', parentId: 'U', level: 'cell' as const, count: 6 },
    { id: 'b', parentId: 'U', level: 'cell' as const, count: 5 },
    { id: 'c', parentId: 'U', level: 'cell' as const, count: 1 },
  ];
  // U - a - b = 1: b (smallest) goes, leaving U - a = 6.
  assert.equal(
    [...repairDerivableCounts({ nodes, shown: new Set(['U', 'a', 'b']), d: 5 })].sort(),
    ['U', 'a'],
  );
  // U - a = 6 is fine with D = 5 but not with D = 10: a goes, then U alone has no parts.
  assert.equal([...repairDerivableCounts({ nodes, shown: new Set(['U', 'a']), d: 10 })].sort(), [
    'U',
  ]);
});

// --- Property: no shown item has a derivable valid-n remainder of 1..D-1 ----------------------

const arbTree = fc
  .array(
    fc.record({
      parent: fc.nat(),
      r: fc.integer({ min: 0, max: 25 }),
      dk: fc.nat(),
      values: fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 25 }),
    }),
    { minLength: 1, maxLength: 10 },
  )
  .chain((cells) =>
    fc.record({
      units: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
      cells: fc.constant(cells),
    }),
  );

test('property: no shown mean or distribution leaves a valid-n remainder of 1..D-1', () => {
  fc.assert(
    fc.property(arbTree, ({ units, cells }) => {
      const nodes: DisclosureNode[] = [];
      // Units: u0 is the root, u_i hangs under some earlier unit.
      units.forEach((p, i) =>
        nodes.push({
          id: `u${i}`,
          parentId: i === 0 ? null : `u${p % i}`,
          level: 'unit',
          eligible: 0,
          respondents: 0,
        }),
      );
      const tallyByCell = new Map<string, CellTally>();
      cells.forEach((c, i) => {
        const id = `c${i}`;
        const valid = c.values.slice(0, c.r);
        const dk = Math.min(c.dk % 5, c.r - valid.length);
        const counts: Record<string, number> = {};
        for (const v of valid) counts[String(v)] = (counts[String(v)] ?? 0) + 1;
        if (dk > 0) counts.dont_know = dk;
        tallyByCell.set(id, cell(c.r, { a: counts }));
        nodes.push({
          id,
          parentId: `u${c.parent % units.length}`,
          level: 'cell',
          eligible: c.r + 1,
          respondents: c.r,
        });
      });
      // Units' E and R are the sums over their children, deepest first.
      for (let i = units.length - 1; i >= 0; i--) {
        const u = nodes.find((n) => n.id === `u${i}`)!;
        for (const kid of nodes.filter((n) => n.parentId === u.id)) {
          u.eligible += kid.eligible;
          u.respondents += kid.respondents;
        }
      }
      const s: Scenario = { nodes, cells: tallyByCell, items: [likert('a')] };
      const results = publish(s, true);
      for (const r of remainders(s, results, 'a', 'n'))
        assert.ok(r === 0 || r >= t.d, `mean remainder ${r}`);
      for (const r of remainders(s, results, 'a', 'distribution'))
        assert.ok(r === 0 || r >= t.kDist, `distribution remainder ${r}`);
    }),
    { numRuns: 300 },
  );
});

test.run();
