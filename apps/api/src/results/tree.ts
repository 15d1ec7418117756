/**
 * The published tree of a wave (or of a quarter, the same tree over the cells of three waves):
 * cells as leaves (team cells at `<teamUnitId>`, remainder groups at `<unitId>~remainder`,
 * leadership groups at `<unitId>~leadership`), every ancestor unit up to the programme's root as
 * a unit node with E and R summed over the cells below. Node ids follow units, not cells, so a
 * node keeps its id across waves and trends can follow it. Pure: no database, no clock.
 */
import type { NodeKind } from '@teamspiegel/contracts';

export interface TreeUnit {
  id: string;
  parentId: string | null;
  name: string;
}

export type CellKind = 'team' | 'remainder' | 'leadership';

export interface TreeCell {
  id: string;
  unitId: string;
  kind: CellKind;
  eligible: number;
  respondents: number;
}

export interface ResultNode {
  nodeId: string;
  unitId: string;
  kind: NodeKind;
  name: string;
  parentNodeId: string | null;
  level: 'cell' | 'unit';
  /** Child node ids in tree order. */
  children: string[];
  /** Every cell in the node's subtree (one for a cell node; of every pooled wave for a quarter). */
  cellIds: string[];
  eligible: number;
  respondents: number;
  /** Depth-first order over the whole tree. */
  position: number;
}

/** The node a cell is published at. */
export function cellNodeId(cell: Pick<TreeCell, 'unitId' | 'kind'>): string {
  switch (cell.kind) {
    case 'team':
      return cell.unitId;
    case 'remainder':
      return `${cell.unitId}~remainder`;
    case 'leadership':
      return `${cell.unitId}~leadership`;
  }
}

/** Units and teams first, then the remainder group, then the leadership group; by name, then id. */
const KIND_ORDER: Record<NodeKind, number> = { unit: 0, team: 0, remainder: 1, leadership: 2 };

/**
 * Builds the tree over the given cells: cells whose unit is unknown or outside the root's
 * subtree are left out (they cannot be placed anywhere). Nodes come back in tree order,
 * root first; `rootUnitId` is always the root even when it has no cells below.
 */
export function buildResultTree(options: {
  units: ReadonlyMap<string, TreeUnit>;
  rootUnitId: string;
  cells: readonly TreeCell[];
}): ResultNode[] {
  const { units, rootUnitId } = options;
  const root = units.get(rootUnitId);
  if (!root) return [];
  const nodes = new Map<string, ResultNode>();

  const unitNode = (unitId: string): ResultNode => {
    let node = nodes.get(unitId);
    if (node) return node;
    const unit = units.get(unitId)!;
    const parentNodeId = unitId === rootUnitId ? null : unit.parentId;
    node = {
      nodeId: unitId,
      unitId,
      kind: 'unit',
      name: unit.name,
      parentNodeId,
      level: 'unit',
      children: [],
      cellIds: [],
      eligible: 0,
      respondents: 0,
      position: 0,
    };
    nodes.set(unitId, node);
    if (parentNodeId !== null) unitNode(parentNodeId).children.push(unitId);
    return node;
  };

  /** The unit ids from `unitId` up to the root, or null when the unit is not below the root. */
  const chain = new Map<string, string[] | null>();
  const ancestry = (unitId: string): string[] | null => {
    if (chain.has(unitId)) return chain.get(unitId)!;
    const path: string[] = [];
    const seen = new Set<string>();
    let current: string | null = unitId;
    let result: string[] | null = null;
    while (current !== null && !seen.has(current)) {
      const unit = units.get(current);
      if (!unit) break;
      seen.add(current);
      path.push(current);
      if (current === rootUnitId) {
        result = path;
        break;
      }
      current = unit.parentId;
    }
    chain.set(unitId, result);
    return result;
  };

  // Units that are nodes of their own: every ancestor of a cell's node. A team cell whose
  // unit is one of them (a team with units below it, or the root) publishes as that unit's
  // remainder group, so one id never names two nodes.
  const unitIds = new Set<string>([rootUnitId]);
  for (const cell of options.cells) {
    const path = ancestry(cell.unitId);
    if (path) for (const id of path.slice(cell.kind === 'team' ? 1 : 0)) unitIds.add(id);
  }

  unitNode(rootUnitId);
  for (const cell of options.cells) {
    const path = ancestry(cell.unitId);
    if (!path) continue;
    // A team cell's parent is its team's parent unit; a remainder or leadership group hangs
    // below its own unit.
    const kind: CellKind =
      cell.kind === 'team' && unitIds.has(cell.unitId) ? 'remainder' : cell.kind;
    const parentUnit = kind === 'team' ? path[1]! : cell.unitId;
    const nodeId = cellNodeId({ unitId: cell.unitId, kind });
    let node = nodes.get(nodeId);
    if (!node) {
      node = {
        nodeId,
        unitId: cell.unitId,
        kind,
        name: units.get(cell.unitId)!.name,
        parentNodeId: parentUnit,
        level: 'cell',
        children: [],
        cellIds: [],
        eligible: 0,
        respondents: 0,
        position: 0,
      };
      nodes.set(nodeId, node);
      unitNode(parentUnit).children.push(nodeId);
    }
    node.cellIds.push(cell.id);
    node.eligible += cell.eligible;
    node.respondents += cell.respondents;
    for (const unitId of path.slice(kind === 'team' ? 1 : 0)) {
      const unit = unitNode(unitId);
      unit.cellIds.push(cell.id);
      unit.eligible += cell.eligible;
      unit.respondents += cell.respondents;
    }
  }

  const ordered: ResultNode[] = [];
  const visit = (node: ResultNode) => {
    node.position = ordered.length;
    ordered.push(node);
    node.children.sort((a, b) => compareNodes(nodes.get(a)!, nodes.get(b)!));
    for (const child of node.children) visit(nodes.get(child)!);
  };
  visit(nodes.get(rootUnitId)!);
  return ordered;
}

function compareNodes(a: ResultNode, b: ResultNode): number {
  return (
    KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
    a.name.localeCompare(b.name, 'nl') ||
    (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0)
  );
}

export type CommentsField = { texts: string[] } | { suppressed: true; movedTo?: string };

/**
 * Anonymity.md section 5: a group's comments are shown only at a node allowed to show them;
 * comments of a group that is not go up to the nearest ancestor that is. Each comment is shown
 * exactly once, in shuffled order. A node that is not allowed points to where its comments
 * went (`movedTo`), decided by structure alone, never by whether it had any.
 */
export function placeComments(options: {
  nodes: readonly ResultNode[];
  showsComments: (nodeId: string) => boolean;
  commentsByCell: ReadonlyMap<string, readonly string[]>;
  shuffle: <T>(values: T[]) => T[];
}): Map<string, CommentsField> {
  const byId = new Map(options.nodes.map((n) => [n.nodeId, n]));
  const target = new Map<string, string | null>();
  const targetOf = (nodeId: string | null): string | null => {
    if (nodeId === null) return null;
    if (target.has(nodeId)) return target.get(nodeId)!;
    const node = byId.get(nodeId)!;
    const found = options.showsComments(nodeId) ? nodeId : targetOf(node.parentNodeId);
    target.set(nodeId, found);
    return found;
  };

  const texts = new Map<string, string[]>();
  for (const node of options.nodes) {
    if (node.level !== 'cell') continue;
    const to = targetOf(node.nodeId);
    if (to === null) continue;
    for (const cellId of node.cellIds) {
      const comments = options.commentsByCell.get(cellId);
      if (!comments?.length) continue;
      const list = texts.get(to) ?? [];
      list.push(...comments);
      texts.set(to, list);
    }
  }

  const result = new Map<string, CommentsField>();
  for (const node of options.nodes) {
    if (options.showsComments(node.nodeId)) {
      result.set(node.nodeId, { texts: options.shuffle(texts.get(node.nodeId) ?? []) });
    } else {
      const movedTo = targetOf(node.parentNodeId);
      result.set(
        node.nodeId,
        movedTo === null ? { suppressed: true } : { suppressed: true, movedTo },
      );
    }
  }
  return result;
}
