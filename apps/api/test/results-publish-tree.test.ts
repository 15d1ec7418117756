/**
 * The published tree and where comments are shown (anonymity.md section 5), without a
 * database: node ids that follow units, sums up to the root, and every comment shown once.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  buildResultTree,
  placeComments,
  type TreeCell,
  type TreeUnit,
} from '../src/results/tree.ts';

const tree = suite('results: the published tree');

const unit = (id: string, parentId: string | null, name = id): [string, TreeUnit] => [
  id,
  { id, parentId, name },
];
const UNITS = new Map<string, TreeUnit>([
  unit('corps', null),
  unit('north', 'corps', 'North'),
  unit('south', 'corps', 'South'),
  unit('n-a', 'north', 'Alpha'),
  unit('n-b', 'north', 'Bravo'),
  unit('s-a', 'south', 'Alpha'),
  unit('elsewhere', null),
  unit('lost', 'elsewhere'),
]);
const cell = (id: string, unitId: string, kind: TreeCell['kind'], e: number, r: number) => ({
  id,
  unitId,
  kind,
  eligible: e,
  respondents: r,
});
const CELLS: TreeCell[] = [
  cell('c1', 'n-b', 'team', 12, 10),
  cell('c2', 'n-a', 'team', 8, 6),
  cell('c3', 'north', 'remainder', 7, 3),
  cell('c4', 'north', 'leadership', 5, 4),
  cell('c5', 's-a', 'team', 20, 11),
  cell('c6', 'lost', 'team', 9, 9),
];

tree('cells publish at their unit, remainder and leadership groups below it', () => {
  const nodes = buildResultTree({ units: UNITS, rootUnitId: 'corps', cells: CELLS });
  assert.equal(
    nodes.map((n) => [n.nodeId, n.kind, n.parentNodeId, n.level]),
    [
      ['corps', 'unit', null, 'unit'],
      ['north', 'unit', 'corps', 'unit'],
      ['n-a', 'team', 'north', 'cell'],
      ['n-b', 'team', 'north', 'cell'],
      ['north~remainder', 'remainder', 'north', 'cell'],
      ['north~leadership', 'leadership', 'north', 'cell'],
      ['south', 'unit', 'corps', 'unit'],
      ['s-a', 'team', 'south', 'cell'],
    ],
  );
  assert.equal(
    nodes.map((n) => n.position),
    nodes.map((_, i) => i),
  );
});

tree('a unit sums E and R of every cell below it; cells outside the root are left out', () => {
  const nodes = buildResultTree({ units: UNITS, rootUnitId: 'corps', cells: CELLS });
  const byId = new Map(nodes.map((n) => [n.nodeId, n]));
  assert.equal([byId.get('north')!.eligible, byId.get('north')!.respondents], [32, 23]);
  assert.equal([byId.get('corps')!.eligible, byId.get('corps')!.respondents], [52, 34]);
  assert.equal(byId.get('corps')!.cellIds.sort(), ['c1', 'c2', 'c3', 'c4', 'c5']);
  assert.not.ok(byId.has('lost'));
});

tree('a team cell at a unit with cells below it publishes as that unit’s remainder', () => {
  const units = new Map(UNITS);
  units.set('n-b-sub', { id: 'n-b-sub', parentId: 'n-b', name: 'Sub' });
  const nodes = buildResultTree({
    units,
    rootUnitId: 'corps',
    cells: [...CELLS, cell('c7', 'n-b-sub', 'team', 6, 5)],
  });
  const ids = nodes.map((n) => n.nodeId);
  assert.is(ids.length, new Set(ids).size, 'no id twice');
  const bravo = nodes.find((n) => n.nodeId === 'n-b')!;
  assert.is(bravo.level, 'unit');
  assert.equal(bravo.children, ['n-b-sub', 'n-b~remainder']);
  assert.is(bravo.respondents, 15);
});

tree('the same units give the same node ids in another wave with other cells', () => {
  const first = buildResultTree({ units: UNITS, rootUnitId: 'corps', cells: CELLS });
  const next = buildResultTree({
    units: UNITS,
    rootUnitId: 'corps',
    cells: CELLS.map((c) => ({ ...c, id: `${c.id}-w2`, respondents: 1 })),
  });
  assert.equal(
    next.map((n) => n.nodeId),
    first.map((n) => n.nodeId),
  );
});

const comments = suite('results: where comments are shown');

const NODES = buildResultTree({ units: UNITS, rootUnitId: 'corps', cells: CELLS });
const TEXTS = new Map([
  ['c1', ['b1', 'b2']],
  ['c2', ['a1']],
  ['c3', ['r1', 'r2']],
  ['c4', ['l1']],
  ['c5', ['s1']],
]);
const reversed = <T>(values: T[]) => [...values].reverse();

comments('a group without the class sends its comments to the nearest ancestor with it', () => {
  const shows = new Set(['n-b', 'north']);
  const placed = placeComments({
    nodes: NODES,
    showsComments: (id) => shows.has(id),
    commentsByCell: TEXTS,
    shuffle: reversed,
  });
  assert.equal(placed.get('n-b'), { texts: ['b2', 'b1'] });
  assert.equal([...(placed.get('north') as { texts: string[] }).texts].sort(), [
    'a1',
    'l1',
    'r1',
    'r2',
  ]);
  assert.equal(placed.get('n-a'), { suppressed: true, movedTo: 'north' });
  assert.equal(placed.get('north~leadership'), { suppressed: true, movedTo: 'north' });
  // Nothing above South shows comments: they are not shown anywhere.
  assert.equal(placed.get('s-a'), { suppressed: true });
  assert.equal(placed.get('corps'), { suppressed: true });
});

comments('every comment is shown exactly once, whatever shows them', () => {
  for (const shows of [
    new Set(['corps']),
    new Set(['corps', 'north', 'n-a', 'n-b', 'south', 's-a']),
    new Set(['corps', 'n-b']),
  ]) {
    const placed = placeComments({
      nodes: NODES,
      showsComments: (id) => shows.has(id),
      commentsByCell: TEXTS,
      shuffle: (v) => v,
    });
    const shown = [...placed.values()].flatMap((f) => ('texts' in f ? f.texts : []));
    assert.equal(shown.sort(), [...TEXTS.values()].flat().sort(), [...shows].join());
  }
});

comments('the stored order is the shuffle’s, not the order of arrival', () => {
  const placed = placeComments({
    nodes: NODES,
    showsComments: (id) => id === 'corps',
    commentsByCell: TEXTS,
    shuffle: (v) => [...v].sort(),
  });
  assert.equal(placed.get('corps'), { texts: ['a1', 'b1', 'b2', 'l1', 'r1', 'r2', 's1'] });
});

tree.run();
comments.run();
