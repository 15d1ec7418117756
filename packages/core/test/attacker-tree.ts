/**
 * Glue between the disclosure engine's trees and the exact attacker: which atoms each published
 * node sums over, for one wave or for a quarter, and random trees for property tests.
 */
import fc from 'fast-check';
import {
  classRule,
  decidePublication,
  decideQuarterPublication,
  STATISTIC_CLASSES,
  type DisclosureNode,
  type Publication,
  type StatisticClass,
  type Thresholds,
} from '../src/index.ts';
import { derivableSmallGroups, type DerivableGroup, type PublishedGroup } from './attacker.ts';
import { sumUnits } from './disclosure-support.ts';

/** For every node, the ids of the cells in its subtree. */
export function cellsBelow(nodes: readonly DisclosureNode[]): Map<string, string[]> {
  const out = new Map<string, string[]>(nodes.map((n) => [n.id, []]));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (const n of nodes) {
    if (n.level !== 'cell') continue;
    for (
      let at: DisclosureNode | undefined = n;
      at;
      at = at.parentId === null ? undefined : byId.get(at.parentId)
    ) {
      out.get(at.id)!.push(n.id);
    }
  }
  return out;
}

const atom = (cell: string, wave?: string) => (wave === undefined ? cell : `${cell}@${wave}`);

/** The published groups of one class in one wave, as atom sets (atoms named `cell@wave` if a wave is given). */
export function waveGroups(
  nodes: readonly DisclosureNode[],
  publication: Publication,
  cls: StatisticClass,
  wave?: string,
): PublishedGroup[] {
  const cells = cellsBelow(nodes);
  return [...publication]
    .filter(([, classes]) => classes.has(cls))
    .map(([id]) => ({
      label: `${cls} ${atom(id, wave)}`,
      atoms: cells.get(id)!.map((c) => atom(c, wave)),
    }));
}

/** R of every cell, as atoms. */
export function cellRespondents(
  nodes: readonly DisclosureNode[],
  wave?: string,
): Map<string, number> {
  return new Map(
    nodes.filter((n) => n.level === 'cell').map((n) => [atom(n.id, wave), n.respondents]),
  );
}

export interface WaveTree {
  waveId: string;
  nodes: DisclosureNode[];
}

/** The pooled groups of one class in a quarter: p(x) covers x's cells in every wave. */
export function quarterGroups(
  waves: readonly WaveTree[],
  quarter: Publication,
  cls: StatisticClass,
): PublishedGroup[] {
  const perWave = waves.map((w) => ({ waveId: w.waveId, cells: cellsBelow(w.nodes) }));
  return [...quarter]
    .filter(([, classes]) => classes.has(cls))
    .map(([id]) => ({
      label: `${cls} p(${id})`,
      atoms: perWave.flatMap((w) => (w.cells.get(id) ?? []).map((c) => atom(c, w.waveId))),
    }));
}

export interface Finding {
  cls: StatisticClass;
  group: DerivableGroup;
}

/** Runs the attacker on one wave, class by class, each with its own D. */
export function attackWave(
  nodes: readonly DisclosureNode[],
  publication: Publication,
  thresholds: Thresholds,
): Finding[] {
  return STATISTIC_CLASSES.flatMap((cls) =>
    derivableSmallGroups({
      groups: waveGroups(nodes, publication, cls),
      respondents: cellRespondents(nodes),
      d: classRule(cls, thresholds).d,
    }).map((group) => ({ cls, group })),
  );
}

/** Decides every wave and the quarter as the engine would, then attacks all of it at once. */
export function attackQuarter(waves: readonly WaveTree[], thresholds: Thresholds) {
  const decided = waves.map((w) => ({
    ...w,
    publication: decidePublication({ nodes: w.nodes, thresholds }),
  }));
  const quarter = decideQuarterPublication({ waves: decided, thresholds });
  const respondents = new Map(decided.flatMap((w) => [...cellRespondents(w.nodes, w.waveId)]));
  const findings = STATISTIC_CLASSES.flatMap((cls) =>
    derivableSmallGroups({
      groups: [
        ...decided.flatMap((w) => waveGroups(w.nodes, w.publication, cls, w.waveId)),
        ...quarterGroups(decided, quarter, cls),
      ],
      respondents,
      d: classRule(cls, thresholds).d,
    }).map((group) => ({ cls, group })),
  );
  return { decided, quarter, findings };
}

// --- Random trees ------------------------------------------------------------------------------

/** R with weight on the small values where subtraction matters. */
export const arbRespondents = fc.oneof(
  fc.integer({ min: 0, max: 4 }),
  fc.integer({ min: 5, max: 12 }),
  fc.integer({ min: 13, max: 35 }),
);

export interface TreeShape {
  /** parent choice per unit (unit 0 is a root; unit i > 0 hangs under an earlier one or is a root). */
  units: number[];
  cells: { parent: number; r: number; extraE: number }[];
}

export const arbShape = (maxUnits = 4, maxCells = 8): fc.Arbitrary<TreeShape> =>
  fc.record({
    units: fc.array(fc.nat(), { minLength: 1, maxLength: maxUnits }),
    cells: fc.array(
      fc.record({ parent: fc.nat(), r: arbRespondents, extraE: fc.nat({ max: 3 }) }),
      {
        minLength: 1,
        maxLength: maxCells,
      },
    ),
  });

/** Nodes of a shape: units u0.., cells c0.. (E = R + extraE, at least 1). */
export function shapeToNodes(shape: TreeShape): DisclosureNode[] {
  const units: DisclosureNode[] = shape.units.map((choice, i) => {
    // One in (i + 1) choices makes another root, so forests appear too.
    const parent = i === 0 || choice % (i + 1) === i ? null : `u${choice % i}`;
    return { id: `u${i}`, parentId: parent, level: 'unit', eligible: 0, respondents: 0 };
  });
  const cells: DisclosureNode[] = shape.cells.map((c, i) => ({
    id: `c${i}`,
    parentId: `u${c.parent % units.length}`,
    level: 'cell',
    eligible: Math.max(1, c.r + c.extraE),
    respondents: c.r,
  }));
  return sumUnits([...units, ...cells]);
}

export const arbThresholds: fc.Arbitrary<Thresholds> = fc.record({
  k: fc.integer({ min: 5, max: 7 }),
  kE: fc.integer({ min: 5, max: 6 }),
  kDist: fc.integer({ min: 10, max: 12 }),
  kSens: fc.integer({ min: 20, max: 22 }),
  kComment: fc.integer({ min: 10, max: 11 }),
  d: fc.integer({ min: 5, max: 8 }),
});

/** Three waves over one unit structure: each cell present or absent per wave, with its own R. */
export const arbQuarter = (maxUnits = 3, maxCells = 5): fc.Arbitrary<WaveTree[]> =>
  fc
    .record({
      units: fc.array(fc.nat(), { minLength: 1, maxLength: maxUnits }),
      cells: fc.array(
        fc.record({
          parent: fc.nat(),
          waves: fc.tuple(...[0, 1, 2].map(() => fc.option(arbRespondents, { freq: 6 }))),
        }),
        { minLength: 1, maxLength: maxCells },
      ),
    })
    .map(({ units, cells }) =>
      ['w1', 'w2', 'w3']
        .map(
          (waveId, w) =>
            ({
              waveId,
              nodes: shapeToNodes({
                units,
                cells: [],
              }).concat(
                cells.flatMap((c, i) => {
                  const r = c.waves[w];
                  if (r === null || r === undefined) return [];
                  return [
                    {
                      id: `c${i}`,
                      parentId: `u${c.parent % units.length}`,
                      level: 'cell' as const,
                      eligible: Math.max(6, r + 1),
                      respondents: r,
                    },
                  ];
                }),
              ),
            }) satisfies WaveTree,
        )
        .map((w) => ({ ...w, nodes: sumUnits(w.nodes) })),
    );
