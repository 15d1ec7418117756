import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Unit, UnitKind } from '@teamspiegel/contracts';
import { buildUnitTree, flattenTree, matchesUnit, subtreeIds, unitPath } from '../src/lib/tree.ts';

const unit = (
  id: string,
  parentId: string | null,
  name: string,
  kind: UnitKind = 'team',
): Unit => ({
  id,
  parentId,
  code: id.toUpperCase(),
  name,
  kind,
  archived: false,
  memberCount: 0,
});

const units = [
  unit('b', 'root', 'Zuid', 'district'),
  unit('a', 'root', 'Noord', 'district'),
  unit('root', null, 'Korps', 'corps'),
  unit('a2', 'a', 'Team B'),
  unit('a1', 'a', 'Team A'),
];

test('builds the tree from parent ids, children sorted by name', () => {
  const tree = buildUnitTree(units);
  assert.is(tree.length, 1);
  assert.equal(
    flattenTree(tree).map((n) => `${n.depth}:${n.unit.name}`),
    ['0:Korps', '1:Noord', '2:Team A', '2:Team B', '1:Zuid'],
  );
});

test('a unit whose parent is outside the caller’s scope becomes a root', () => {
  const scoped = units.filter((u) => u.id !== 'root');
  assert.equal(
    buildUnitTree(scoped).map((n) => n.unit.name),
    ['Noord', 'Zuid'],
  );
});

test('a cycle in the data does not loop forever', () => {
  const cyclic = [unit('x', 'y', 'X'), unit('y', 'x', 'Y')];
  assert.is(buildUnitTree(cyclic).length, 0);
  assert.is(unitPath(cyclic, 'x'), 'Y › X');
});

test('unitPath reads from the top of the scope down', () => {
  assert.is(unitPath(units, 'a1'), 'Korps › Noord › Team A');
  assert.is(unitPath(units, 'missing'), '');
});

test('subtreeIds holds a unit and everything below it', () => {
  assert.equal([...subtreeIds(units, 'a')].sort(), ['a', 'a1', 'a2']);
  assert.equal([...subtreeIds(units, 'a1')], ['a1']);
});

test('matchesUnit searches name and code, ignoring case', () => {
  const u = unit('n1', null, 'Noodhulp A');
  assert.ok(matchesUnit(u, 'noodhulp'));
  assert.ok(matchesUnit(u, 'N1'));
  assert.ok(matchesUnit(u, '  '));
  assert.not.ok(matchesUnit(u, 'recherche'));
});

test.run();
