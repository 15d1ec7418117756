/**
 * Test helpers for the disclosure engine: a small tree builder (units are summed from their
 * cells, as the engine expects) and readers for a publication.
 */
import type { DisclosureNode, Publication, StatisticClass } from '../src/index.ts';

/** A cell row: [id, parentId, R] or [id, parentId, R, E]; a unit row: [id, parentId]. */
export type Row =
  | [string, string | null]
  | [string, string | null, number]
  | [string, string | null, number, number];

/**
 * Builds nodes from rows. A row with R is a cell (E defaults to max(R + 2, 6), so E never
 * decides unless a test says so); a row without is a unit whose E and R are summed.
 */
export function tree(rows: readonly Row[]): DisclosureNode[] {
  const nodes = rows.map(([id, parentId, r, e]): DisclosureNode => {
    const cell = r !== undefined;
    return {
      id,
      parentId,
      level: cell ? 'cell' : 'unit',
      eligible: cell ? (e ?? Math.max(r + 2, 6)) : 0,
      respondents: cell ? r : 0,
    };
  });
  return sumUnits(nodes);
}

/** Sets every unit's E and R to the sums over its cells (deepest first). */
export function sumUnits(nodes: DisclosureNode[]): DisclosureNode[] {
  const byId = new Map(nodes.map((n) => [n.id, { ...n }]));
  const depth = (n: DisclosureNode): number =>
    n.parentId === null ? 0 : 1 + depth(byId.get(n.parentId)!);
  for (const n of byId.values()) {
    if (n.level === 'unit') {
      n.eligible = 0;
      n.respondents = 0;
    }
  }
  const deepestFirst = [...byId.values()].sort((a, b) => depth(b) - depth(a));
  for (const n of deepestFirst) {
    if (n.parentId === null) continue;
    const parent = byId.get(n.parentId)!;
    parent.eligible += n.eligible;
    parent.respondents += n.respondents;
  }
  return nodes.map((n) => byId.get(n.id)!);
}

/** The ids that carry `cls`, sorted. */
export function ids(publication: Publication, cls: StatisticClass): string[] {
  return [...publication]
    .filter(([, classes]) => classes.has(cls))
    .map(([id]) => id)
    .sort();
}

/** The classes of one node, in the order of STATISTIC_CLASSES. */
export function classesOf(publication: Publication, id: string): StatisticClass[] {
  return [...(publication.get(id) ?? [])];
}

/** A publication as plain sorted data, for deep comparison. */
export function plain(publication: Publication): [string, StatisticClass[]][] {
  return [...publication]
    .map(([id, classes]): [string, StatisticClass[]] => [id, [...classes].sort()])
    .sort();
}
