import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  classRule,
  decidePublication,
  decideQuarterPublication,
  effectiveThresholds,
  STATISTIC_CLASSES,
  THRESHOLD_FLOORS,
  type DisclosureNode,
  type Publication,
  type StatisticClass,
  type Thresholds,
} from '../src/index.ts';
import {
  arbQuarter,
  arbShape,
  arbThresholds,
  cellsBelow,
  shapeToNodes,
  type WaveTree,
} from './attacker-tree.ts';
import { plain } from './disclosure-support.ts';

/** Checked independently of the engine: atom sets, not its tree walk. */
function descendants(nodes: readonly DisclosureNode[]): Map<string, Set<string>> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const out = new Map<string, Set<string>>(nodes.map((n) => [n.id, new Set()]));
  for (const n of nodes) {
    for (let at = n.parentId; at !== null; at = byId.get(at)!.parentId) out.get(at)!.add(n.id);
  }
  return out;
}

const has = (p: Publication, id: string, cls: StatisticClass) => p.get(id)?.has(cls) ?? false;

/** Every published z minus the union of the cells of all published nodes strictly inside it. */
function inv2Failures(
  nodes: readonly DisclosureNode[],
  p: Publication,
  thresholds: Thresholds,
): string[] {
  const cells = cellsBelow(nodes);
  const below = descendants(nodes);
  const r = new Map(nodes.map((n) => [n.id, n.respondents]));
  const failures: string[] = [];
  for (const cls of STATISTIC_CLASSES) {
    const { d } = classRule(cls, thresholds);
    for (const z of nodes) {
      if (!has(p, z.id, cls)) continue;
      const covered = new Set(
        [...below.get(z.id)!].filter((y) => has(p, y, cls)).flatMap((y) => cells.get(y)!),
      );
      const rest = cells
        .get(z.id)!
        .filter((c) => !covered.has(c))
        .reduce((sum, c) => sum + r.get(c)!, 0);
      if (rest > 0 && rest < d) failures.push(`${cls} ${z.id} leaves ${rest}`);
    }
  }
  return failures;
}

/** INV-1 and the levels, for every published (node, class). */
function primaryFailures(
  nodes: readonly { id: string; level: string; eligible: number; respondents: number }[],
  p: Publication,
  thresholds: Thresholds,
): string[] {
  const t = effectiveThresholds(thresholds);
  const failures: string[] = [];
  for (const node of nodes) {
    for (const cls of p.get(node.id) ?? []) {
      const rule = classRule(cls, t);
      if (node.respondents < rule.primary)
        failures.push(`${cls} ${node.id}: R ${node.respondents}`);
      if (node.eligible < t.kE) failures.push(`${cls} ${node.id}: E ${node.eligible}`);
      if (rule.unitOnly && node.level !== 'unit') failures.push(`${cls} on cell ${node.id}`);
    }
  }
  return failures;
}

function subsetFailures(p: Publication): string[] {
  return [...p].filter(([, c]) => c.has('distribution') && !c.has('score')).map(([id]) => id);
}

const shuffled = <T>(items: readonly T[]) =>
  fc.shuffledSubarray([...items], { minLength: items.length, maxLength: items.length });

// --- One wave -----------------------------------------------------------------------------------

test('property (a), A4/A5: no published node minus its published descendants leaves 1..D-1', () => {
  fc.assert(
    fc.property(arbShape(6, 10), arbThresholds, (shape, thresholds) => {
      const nodes = shapeToNodes(shape);
      assert.equal(inv2Failures(nodes, decidePublication({ nodes, thresholds }), thresholds), []);
    }),
    { numRuns: 500 },
  );
});

test('property (b), INV-4/INV-5: shuffling the nodes never changes the publication', () => {
  fc.assert(
    fc.property(
      arbShape(6, 10).chain((shape) => {
        const nodes = shapeToNodes(shape);
        return fc.tuple(fc.constant(nodes), shuffled(nodes));
      }),
      arbThresholds,
      ([nodes, reordered], thresholds) => {
        assert.equal(
          plain(decidePublication({ nodes: reordered, thresholds })),
          plain(decidePublication({ nodes, thresholds })),
        );
      },
    ),
    { numRuns: 300 },
  );
});

test('property (c), A1: nothing below its primary threshold, below K_E or at a forbidden level is published', () => {
  fc.assert(
    fc.property(arbShape(6, 10), arbThresholds, (shape, thresholds) => {
      const nodes = shapeToNodes(shape);
      assert.equal(
        primaryFailures(nodes, decidePublication({ nodes, thresholds }), thresholds),
        [],
      );
    }),
    { numRuns: 500 },
  );
});

test('property (d): distribution is always a subset of score', () => {
  fc.assert(
    fc.property(arbShape(6, 10), arbThresholds, (shape, thresholds) => {
      const nodes = shapeToNodes(shape);
      assert.equal(subsetFailures(decidePublication({ nodes, thresholds })), []);
    }),
    { numRuns: 300 },
  );
});

test('property: where every cell has 0 or at least 10 respondents, every node with a score is shown', () => {
  // Nothing can be derived that is small, so suppression here would be pure loss.
  const floors = { ...THRESHOLD_FLOORS };
  fc.assert(
    fc.property(
      arbShape(6, 10).map((shape) => ({
        ...shape,
        cells: shape.cells.map((c) => ({ ...c, r: c.r < 10 ? 0 : c.r, extraE: 5 })),
      })),
      (shape) => {
        const nodes = shapeToNodes(shape);
        const publication = decidePublication({ nodes, thresholds: floors });
        const expected = nodes.filter((n) => n.respondents >= 5).map((n) => n.id);
        assert.equal(
          nodes.filter((n) => has(publication, n.id, 'score')).map((n) => n.id),
          expected,
        );
      },
    ),
    { numRuns: 200 },
  );
});

// --- The quarter ------------------------------------------------------------------------------

function decideAll(waves: readonly WaveTree[], thresholds: Thresholds) {
  const decided = waves.map((w) => ({
    ...w,
    publication: decidePublication({ nodes: w.nodes, thresholds }),
  }));
  return { decided, quarter: decideQuarterPublication({ waves: decided, thresholds }) };
}

/** The pooled nodes as the engine should see them: R summed, E the smallest, level as given. */
function pooledNodes(waves: readonly WaveTree[]) {
  const out = new Map<
    string,
    { id: string; level: string; eligible: number; respondents: number }
  >();
  for (const w of waves) {
    for (const n of w.nodes) {
      const seen = out.get(n.id);
      if (seen) {
        seen.respondents += n.respondents;
        seen.eligible = Math.min(seen.eligible, n.eligible);
      } else
        out.set(n.id, {
          id: n.id,
          level: n.level,
          eligible: n.eligible,
          respondents: n.respondents,
        });
    }
  }
  return [...out.values()];
}

test('property, quarter: p(x) minus every published (cell, wave) inside it leaves 0 or at least D', () => {
  fc.assert(
    fc.property(arbQuarter(), arbThresholds, (waves, thresholds) => {
      const { decided, quarter } = decideAll(waves, thresholds);
      const failures: string[] = [];
      for (const cls of STATISTIC_CLASSES) {
        const { d } = classRule(cls, thresholds);
        for (const [x, classes] of quarter) {
          if (!classes.has(cls)) continue;
          let rest = 0;
          for (const w of decided) {
            if (!w.nodes.some((n) => n.id === x)) continue;
            const cells = cellsBelow(w.nodes);
            const below = descendants(w.nodes);
            const inside = [x, ...below.get(x)!].filter(
              (y) => has(w.publication, y, cls) || (y !== x && has(quarter, y, cls)),
            );
            const covered = new Set(inside.flatMap((y) => cells.get(y)!));
            for (const c of cells.get(x)!) {
              if (!covered.has(c)) rest += w.nodes.find((n) => n.id === c)!.respondents;
            }
          }
          if (rest > 0 && rest < d) failures.push(`${cls} p(${x}) leaves ${rest}`);
        }
      }
      assert.equal(failures, []);
    }),
    { numRuns: 300 },
  );
});

test('property, quarter: INV-7, the frozen waves stay as they were and the thresholds hold pooled', () => {
  fc.assert(
    fc.property(arbQuarter(), arbThresholds, (waves, thresholds) => {
      const { decided, quarter } = decideAll(waves, thresholds);
      for (const w of decided) {
        assert.equal(
          plain(w.publication),
          plain(decidePublication({ nodes: w.nodes, thresholds })),
        );
      }
      assert.equal(primaryFailures(pooledNodes(waves), quarter, thresholds), []);
      assert.equal(subsetFailures(quarter), []);
    }),
    { numRuns: 300 },
  );
});

test('property, quarter: the order of the waves and of their nodes never changes the result', () => {
  fc.assert(
    fc.property(
      arbQuarter().chain((waves) =>
        fc.tuple(
          fc.constant(waves),
          shuffled(waves).chain((order) =>
            fc.tuple(
              ...order.map((w) => shuffled(w.nodes).map((nodes) => ({ waveId: w.waveId, nodes }))),
            ),
          ),
        ),
      ),
      arbThresholds,
      ([waves, reordered], thresholds) => {
        assert.equal(
          plain(decideAll(reordered, thresholds).quarter),
          plain(decideAll(waves, thresholds).quarter),
        );
      },
    ),
    { numRuns: 200 },
  );
});

test.run();
