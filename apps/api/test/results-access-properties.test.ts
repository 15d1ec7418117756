/**
 * Properties of the results access rule (src/results/access.ts) over random published trees
 * and random viewers: access selects nodes of the one publication and nothing else (INV-5),
 * never depends on whether a node is suppressed (A30: refused before suppression is looked at),
 * and more roles never show less.
 */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { NodeKind } from '@teamspiegel/contracts';
import { waveAccess, type Viewer } from '../src/results/access.ts';
import type { TreeRow } from '../src/results/results.repository.ts';

interface Unit {
  id: string;
  parent: number | null;
  team: boolean;
}

/** A random unit tree: unit i hangs below an earlier unit; leaves may be teams. */
const unitsArb = fc
  .array(fc.tuple(fc.nat(), fc.boolean()), { minLength: 1, maxLength: 25 })
  .map((spec) =>
    spec.map(([parent, team], i): Unit => ({
      id: `u${i}`,
      parent: i === 0 ? null : parent % i,
      team: i > 0 && team,
    })),
  );

function pathOf(units: readonly Unit[], i: number): string {
  const ids: string[] = [];
  for (let at: number | null = i; at !== null; at = units[at]!.parent) ids.unshift(units[at]!.id);
  return `/${ids.join('/')}/`;
}

/** The published tree of some cells: every unit node up to the root, as publishing builds it. */
function treeOf(
  units: readonly Unit[],
  cells: readonly { unit: number; kind: 'team' | 'remainder' | 'leadership' }[],
  suppressed: (nodeId: string) => boolean,
): TreeRow[] {
  const rows = new Map<string, TreeRow>();
  const add = (nodeId: string, unit: number, kind: NodeKind, parent: string | null) => {
    if (rows.has(nodeId)) return;
    rows.set(nodeId, {
      nodeId,
      unitId: units[unit]!.id,
      kind,
      name: nodeId,
      parentNodeId: parent,
      position: 0,
      unitPath: pathOf(units, unit),
      suppressed: suppressed(nodeId),
    });
  };
  const addUnit = (unit: number) => {
    for (let at: number | null = unit; at !== null; at = units[at]!.parent) {
      const parent = units[at]!.parent;
      add(units[at]!.id, at, 'unit', parent === null ? null : units[parent]!.id);
    }
  };
  for (const cell of cells) {
    const unit = units[cell.unit]!;
    if (cell.kind === 'team' && unit.team && unit.parent !== null) {
      addUnit(unit.parent);
      add(unit.id, cell.unit, 'team', units[unit.parent]!.id);
    } else if (cell.kind !== 'team') {
      addUnit(cell.unit);
      add(`${unit.id}~${cell.kind}`, cell.unit, cell.kind, unit.id);
    }
  }
  addUnit(0);
  return [...rows.values()].map((row, position) => ({ ...row, position }));
}

const caseArb = unitsArb.chain((units) => {
  const unit = fc.nat({ max: units.length - 1 });
  const viewerUnit = unit.map((i) => ({
    unitId: units[i]!.id,
    unitPath: pathOf(units, i),
    isTeam: units[i]!.team,
  }));
  return fc.record({
    units: fc.constant(units),
    cells: fc.array(
      fc.record({
        unit,
        kind: fc.constantFrom<'team' | 'remainder' | 'leadership'>(
          'team',
          'remainder',
          'leadership',
        ),
      }),
      { maxLength: 30 },
    ),
    members: fc.array(viewerUnit, { maxLength: 2 }),
    leads: fc.array(viewerUnit, { maxLength: 2 }),
    subtrees: fc.array(
      unit.map((i) => pathOf(units, i)),
      { maxLength: 2 },
    ),
    council: fc.array(
      unit.map((i) => pathOf(units, i)),
      { maxLength: 2 },
    ),
    placed: fc.option(fc.nat(), { nil: null }),
    hidden: fc.func(fc.boolean()),
  });
});

const viewerOfCase = (c: {
  members: Viewer['members'];
  leads: Viewer['leads'];
  subtrees: string[];
  council: string[];
}): Viewer => ({
  personId: 'p',
  members: c.members,
  leads: c.leads,
  subtrees: c.subtrees,
  council: c.council,
});

test('access only ever selects nodes of the publication, and the same whatever is suppressed', () => {
  fc.assert(
    fc.property(caseArb, (c) => {
      const viewer = viewerOfCase(c);
      const published = treeOf(c.units, c.cells, () => false);
      const mixed = treeOf(c.units, c.cells, (id) => c.hidden(id));
      const placed =
        c.placed === null ? null : (published[c.placed % published.length]?.nodeId ?? null);
      const a = waveAccess({ viewer, tree: published, eligibilityNodeId: placed });
      const b = waveAccess({ viewer, tree: mixed, eligibilityNodeId: placed });
      const ids = new Set(published.map((r) => r.nodeId));
      for (const id of a.allowed) assert.ok(ids.has(id), `${id} is not in the publication`);
      for (const id of a.home) assert.ok(a.allowed.has(id), 'home is openable');
      assert.equal([...b.allowed].sort(), [...a.allowed].sort());
      assert.equal(b.home, a.home);
      assert.is(b.mergedInto, a.mergedInto);
    }),
    { numRuns: 300 },
  );
});

test('more roles never show less, and no role shows nothing but what its rule names', () => {
  fc.assert(
    fc.property(caseArb, (c) => {
      const tree = treeOf(c.units, c.cells, () => false);
      const all = waveAccess({ viewer: viewerOfCase(c), tree, eligibilityNodeId: null });
      const parts = [
        { ...c, leads: [], subtrees: [], council: [] },
        { ...c, members: [], subtrees: [], council: [] },
        { ...c, members: [], leads: [], council: [] },
        { ...c, members: [], leads: [], subtrees: [] },
      ].map((part) => waveAccess({ viewer: viewerOfCase(part), tree, eligibilityNodeId: null }));
      // The union of what each role shows alone is exactly what they show together.
      const union = new Set(parts.flatMap((p) => [...p.allowed]));
      assert.equal([...all.allowed].sort(), [...union].sort());
      // The works council alone: unit nodes in its subtrees only.
      for (const id of parts[3]!.allowed) {
        const row = tree.find((r) => r.nodeId === id)!;
        assert.is(row.kind, 'unit');
        assert.ok(c.council.some((p) => row.unitPath.startsWith(p)));
      }
      // Nobody: nothing.
      const none = waveAccess({
        viewer: viewerOfCase({ members: [], leads: [], subtrees: [], council: [] }),
        tree,
        eligibilityNodeId: tree[0]?.nodeId ?? null,
      });
      assert.is(none.allowed.size, 0);
    }),
    { numRuns: 300 },
  );
});

test('an own group comes with every ancestor, up to the root of the publication', () => {
  fc.assert(
    fc.property(caseArb, (c) => {
      const tree = treeOf(c.units, c.cells, () => false);
      const byId = new Map(tree.map((r) => [r.nodeId, r]));
      const viewer = viewerOfCase({ ...c, subtrees: [], council: [] });
      const { allowed } = waveAccess({ viewer, tree, eligibilityNodeId: null });
      for (const id of allowed) {
        const parent = byId.get(id)!.parentNodeId;
        if (parent !== null) assert.ok(allowed.has(parent), `${id} without its parent`);
      }
    }),
    { numRuns: 300 },
  );
});

test('without a roster snapshot, members and leads open only their own units and the way up', () => {
  fc.assert(
    fc.property(caseArb, (c) => {
      const tree = treeOf(c.units, c.cells, () => false);
      const byId = new Map(tree.map((r) => [r.nodeId, r]));
      const viewer = viewerOfCase({ ...c, subtrees: [], council: [] });
      const { allowed } = waveAccess({ viewer, tree, eligibilityNodeId: null });
      // What may be opened: a member's team node or a led unit's node, and their ancestors.
      const reachable = new Set<string>();
      const own = [
        ...c.members.filter((u) => u.isTeam).map((u) => u.unitId),
        ...c.leads.map((u) => u.unitId),
      ];
      for (const id of own) {
        for (let row = byId.get(id); row; row = byId.get(row.parentNodeId ?? '')) {
          reachable.add(row.nodeId);
        }
      }
      for (const id of allowed) assert.ok(reachable.has(id), `${id} reached by no own unit`);
      for (const id of allowed) assert.not.ok(id.includes('~'), `${id}: a group by path`);
    }),
    { numRuns: 300 },
  );
});

test('the works council never opens a unit with a single cell below it', () => {
  fc.assert(
    fc.property(caseArb, (c) => {
      const tree = treeOf(c.units, c.cells, () => false);
      const byId = new Map(tree.map((r) => [r.nodeId, r]));
      const viewer = viewerOfCase({ members: [], leads: [], subtrees: [], council: c.council });
      const { allowed } = waveAccess({ viewer, tree, eligibilityNodeId: null });
      for (const id of allowed) {
        const cells = tree.filter((row) => {
          if (row.kind === 'unit') return false;
          for (
            let at = byId.get(row.parentNodeId ?? '');
            at;
            at = byId.get(at.parentNodeId ?? '')
          ) {
            if (at.nodeId === id) return true;
          }
          return false;
        });
        assert.is.not(cells.length, 1, `${id} holds one cell`);
      }
    }),
    { numRuns: 300 },
  );
});

test.run();
