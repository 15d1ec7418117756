/**
 * Who may open which published node (issue 5, "Who sees what"). Access only selects nodes of
 * the one publication of a wave (INV-5); it never changes what a node holds. Deny by default:
 * a node is visible only when one of the rules below names it.
 *
 * - officer: their own group (their team's node, or the cell the wave's roster snapshot placed
 *   them in) and its ancestors in that wave's tree;
 * - team lead: the teams they lead (or the group the snapshot placed most of such a team's
 *   members in) and their ancestors in that wave's tree;
 * - chief and HR analyst: every node of the unit they hold the role at, and below;
 * - works council: unit nodes (kind 'unit') at and below the unit they hold the role at,
 *   except a unit whose subtree holds a single cell (one team in disguise);
 * - administrator: nothing from that role.
 *
 * Memberships as of today decide who is an officer or lead (decision 0005); which group of a
 * past wave that opens follows the wave's snapshot, never today's place in the tree (A30).
 */
import type { Period } from '@teamspiegel/contracts';
import type { Db } from '@teamspiegel/db';
import type { Actor } from '../access.repository.ts';
import {
  cellNodeId,
  eligibilityCell,
  loadTree,
  memberCells,
  type CellKind,
  type TreeRow,
} from './results.repository.ts';

export interface ViewerUnit {
  unitId: string;
  unitPath: string;
  isTeam: boolean;
}

export interface Viewer {
  personId: string;
  /** Units the viewer is an ordinary member of today. */
  members: ViewerUnit[];
  /** Units the viewer leads today. */
  leads: ViewerUnit[];
  /** Subtrees (unit paths) where the viewer holds chief or HR analyst. */
  subtrees: string[];
  /** Subtrees where the viewer is on the works council. */
  council: string[];
}

export function viewerOf(actor: Actor): Viewer {
  const viewer: Viewer = {
    personId: actor.personId,
    members: [],
    leads: [],
    subtrees: [],
    council: [],
  };
  for (const grant of actor.grants) {
    const unit = {
      unitId: grant.unitId,
      unitPath: grant.unitPath,
      isTeam: grant.unitKind === 'team',
    };
    switch (grant.role) {
      case 'officer':
        viewer.members.push(unit);
        break;
      case 'team_lead':
        viewer.leads.push(unit);
        break;
      case 'chief':
      case 'hr_analyst':
        viewer.subtrees.push(grant.unitPath);
        break;
      case 'works_council':
        viewer.council.push(grant.unitPath);
        break;
      case 'admin':
        // Administering the organisation shows no results (issue 5).
        break;
    }
  }
  return viewer;
}

/** Does the viewer hold anything that can show results? Administrators alone do not. */
export function viewsResults(viewer: Viewer): boolean {
  return (
    viewer.members.length + viewer.leads.length + viewer.subtrees.length + viewer.council.length > 0
  );
}

/**
 * The node a unit's people answered in, in one wave's tree, from that wave's roster snapshot
 * (A30): the unit's own node when it has one this wave (a team's node; for a lead also a unit
 * node they lead); else the group the snapshot placed the unit's members in at wave open
 * (`snapshotGroup`, for a small team the remainder group it merged into, INV-11). Never a
 * group found by walking today's path: a team created or moved after the wave has no link to
 * any other group, and gets none.
 */
export function groupOfUnit(
  byId: ReadonlyMap<string, TreeRow>,
  unit: ViewerUnit,
  asLead: boolean,
  snapshotGroup?: string,
): { nodeId: string; merged: boolean } | null {
  if (unit.isTeam || asLead) {
    const own = byId.get(unit.unitId);
    if (own) return { nodeId: own.nodeId, merged: false };
  }
  const placed = snapshotGroup === undefined ? undefined : byId.get(snapshotGroup);
  if (placed) return { nodeId: placed.nodeId, merged: unit.isTeam };
  return null;
}

export interface WaveAccess {
  /** Node ids the viewer may open in this wave and period. */
  allowed: Set<string>;
  /** Where to start, in order: the tops of assigned roles, then own groups and led teams. */
  home: string[];
  /** Where the viewer's team answered when it had no node of its own this wave (INV-11). */
  mergedInto: string | null;
}

/**
 * Decides, for one wave's published tree (in tree order), which nodes the viewer may open.
 * `eligibilityNodeId` is the node of the cell the viewer was placed in at wave open (the
 * roster snapshot); it counts while the viewer is a member of some unit today, wherever that
 * unit stands now. `unitGroups` maps a unit the viewer leads to the group the snapshot placed
 * most of that unit's members in (see `snapshotGroups`).
 */
export function waveAccess(options: {
  viewer: Viewer;
  tree: readonly TreeRow[];
  eligibilityNodeId: string | null;
  unitGroups?: ReadonlyMap<string, string>;
}): WaveAccess {
  const { viewer, tree } = options;
  const byId = new Map(tree.map((row) => [row.nodeId, row]));
  const allowed = new Set<string>();
  const home: string[] = [];
  let mergedInto: string | null = null;
  const addHome = (nodeId: string) => {
    if (!home.includes(nodeId)) home.push(nodeId);
  };

  // Assigned roles: whole subtrees (works council: unit nodes only, and not a unit that holds
  // a single cell, which is one team in disguise). Their tops come first in `home`: a chief
  // starts at their unit, HR at the root.
  const inSubtree = (row: TreeRow) => viewer.subtrees.some((p) => row.unitPath.startsWith(p));
  const singleCell = viewer.council.length > 0 ? singleCellUnits(tree) : new Set<string>();
  const inCouncil = (row: TreeRow) =>
    row.kind === 'unit' &&
    !singleCell.has(row.nodeId) &&
    viewer.council.some((p) => row.unitPath.startsWith(p));
  for (const row of tree) {
    if (!inSubtree(row) && !inCouncil(row)) continue;
    allowed.add(row.nodeId);
    if (row.parentNodeId === null || !allowed.has(row.parentNodeId)) addHome(row.nodeId);
  }

  // Own groups in this wave and every ancestor of them in this wave's tree.
  const own = new Set<string>();
  const withAncestors = (nodeId: string) => {
    let current = byId.get(nodeId);
    while (current && !own.has(current.nodeId)) {
      own.add(current.nodeId);
      allowed.add(current.nodeId);
      current = current.parentNodeId === null ? undefined : byId.get(current.parentNodeId);
    }
  };
  // The officer's own cell from the snapshot, whether or not their team has moved since.
  const placed =
    viewer.members.length > 0 && options.eligibilityNodeId
      ? byId.get(options.eligibilityNodeId)
      : undefined;
  for (const [units, asLead] of [
    [viewer.members, false],
    [viewer.leads, true],
  ] as const) {
    for (const unit of units) {
      const group = groupOfUnit(
        byId,
        unit,
        asLead,
        asLead ? options.unitGroups?.get(unit.unitId) : placed?.nodeId,
      );
      if (!group) continue;
      withAncestors(group.nodeId);
      addHome(group.nodeId);
      if (group.merged && mergedInto === null) mergedInto = group.nodeId;
    }
  }
  // A newcomer answers in the parent's remainder group while their team has its own node (INV-8).
  if (placed) {
    withAncestors(placed.nodeId);
    addHome(placed.nodeId);
  }
  return { allowed, home, mergedInto };
}

/** Unit nodes whose subtree holds exactly one cell node (team, remainder or leadership). */
function singleCellUnits(tree: readonly TreeRow[]): Set<string> {
  const byId = new Map(tree.map((row) => [row.nodeId, row]));
  const cells = new Map<string, number>();
  for (const row of tree) {
    if (row.kind === 'unit') continue;
    let parent = row.parentNodeId === null ? undefined : byId.get(row.parentNodeId);
    while (parent) {
      cells.set(parent.nodeId, (cells.get(parent.nodeId) ?? 0) + 1);
      parent = parent.parentNodeId === null ? undefined : byId.get(parent.parentNodeId);
    }
  }
  return new Set(
    tree.filter((row) => row.kind === 'unit' && cells.get(row.nodeId) === 1).map((r) => r.nodeId),
  );
}

/**
 * The teams whose agreed action the viewer may record: teams they lead today (a lead
 * membership of that team unit), by node id.
 */
export function recordableNodes(viewer: Viewer): string[] {
  return viewer.leads.filter((u) => u.isTeam).map((u) => u.unitId);
}

/** The node of the cell the viewer was placed in at the wave's open, if they are an officer. */
async function placedNode(db: Db, viewer: Viewer, waveId: string): Promise<string | null> {
  const cell = viewer.members.length
    ? await eligibilityCell(db, waveId, viewer.personId)
    : undefined;
  return cell && isCellKind(cell.kind)
    ? cellNodeId({ unitId: cell.unitId, kind: cell.kind })
    : null;
}

/** Per unit the viewer leads, the group the wave's snapshot placed most of its members in. */
async function leadGroups(db: Db, viewer: Viewer, waveId: string): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  for (const [unitId, cells] of await memberCells(
    db,
    waveId,
    viewer.leads.map((u) => u.unitId),
  )) {
    const counts = new Map<string, number>();
    for (const cell of cells) {
      if (!isCellKind(cell.kind)) continue;
      const nodeId = cellNodeId({ unitId: cell.unitId, kind: cell.kind });
      counts.set(nodeId, (counts.get(nodeId) ?? 0) + 1);
    }
    const ranked = [...counts].sort((a, b) => b[1] - a[1]);
    // A tie links the unit to no one group: grant none rather than guess.
    if (ranked[0] && ranked[0][1] !== ranked[1]?.[1]) result.set(unitId, ranked[0][0]);
  }
  return result;
}

/** A wave's tree for a period with the viewer's access to it. */
export async function loadWaveAccess(
  db: Db,
  viewer: Viewer,
  waveId: string,
  period: Period,
): Promise<WaveAccess & { tree: TreeRow[]; byId: Map<string, TreeRow> }> {
  const tree = await loadTree(db, waveId, period);
  const eligibilityNodeId = await placedNode(db, viewer, waveId);
  const unitGroups = await leadGroups(db, viewer, waveId);
  return {
    tree,
    byId: new Map(tree.map((row) => [row.nodeId, row])),
    ...waveAccess({ viewer, tree, eligibilityNodeId, unitGroups }),
  };
}

/**
 * The same decision as loadWaveAccess for a few nodes, without reading the whole tree: only the
 * nodes asked for, the viewer's possible groups and their ancestors are loaded, and waveAccess
 * runs over that part (every rule looks only at a node, its own groups or their ancestors; the
 * works council's rule also counts cells below a unit, so it reads the whole tree).
 */
export async function loadNodesAccess(
  db: Db,
  viewer: Viewer,
  waveId: string,
  period: Period,
  nodeIds: readonly string[],
): Promise<{ allowed: Set<string>; byId: Map<string, TreeRow> }> {
  if (viewer.council.length > 0) {
    const whole = await loadWaveAccess(db, viewer, waveId, period);
    return { allowed: new Set(nodeIds.filter((id) => whole.allowed.has(id))), byId: whole.byId };
  }
  const eligibilityNodeId = await placedNode(db, viewer, waveId);
  const unitGroups = await leadGroups(db, viewer, waveId);
  const wanted = new Set(nodeIds);
  if (eligibilityNodeId) wanted.add(eligibilityNodeId);
  for (const nodeId of unitGroups.values()) wanted.add(nodeId);
  for (const unit of [...viewer.members, ...viewer.leads]) wanted.add(unit.unitId);
  const byId = new Map<string, TreeRow>();
  let next = [...wanted];
  // Parents until the root: a handful of small reads, one per level.
  while (next.length > 0) {
    for (const row of await loadTree(db, waveId, period, next)) byId.set(row.nodeId, row);
    next = [
      ...new Set(
        [...byId.values()]
          .map((row) => row.parentNodeId)
          .filter((id): id is string => id !== null && !byId.has(id) && !wanted.has(id)),
      ),
    ];
    for (const id of next) wanted.add(id);
  }
  const tree = [...byId.values()].sort((a, b) => a.position - b.position);
  const { allowed } = waveAccess({ viewer, tree, eligibilityNodeId, unitGroups });
  return { allowed: new Set(nodeIds.filter((id) => allowed.has(id))), byId };
}

const isCellKind = (kind: string): kind is CellKind =>
  kind === 'team' || kind === 'remainder' || kind === 'leadership';
