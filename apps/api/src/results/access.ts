/**
 * Who may open which published node (issue 5, "Who sees what"). Access only selects nodes of
 * the one publication of a wave (INV-5); it never changes what a node holds. Deny by default:
 * a node is visible only when one of the rules below names it.
 *
 * - officer: their own group (their team's node, or the remainder group their team or they
 *   themselves answered in) and its ancestors;
 * - team lead: the teams they lead (or the group such a team answered in) and their ancestors;
 * - chief and HR analyst: every node of the unit they hold the role at, and below;
 * - works council: unit nodes (kind 'unit') at and below the unit they hold the role at;
 * - administrator: nothing from that role.
 *
 * Memberships as of today decide the officer and lead part (decision 0005).
 */
import type { Period } from '@teamspiegel/contracts';
import type { Db } from '@teamspiegel/db';
import type { Actor } from '../access.repository.ts';
import {
  cellNodeId,
  eligibilityCell,
  loadTree,
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

const unitIdsOnPath = (path: string): string[] => path.split('/').filter(Boolean);

/**
 * The node a unit's people answered in, in one wave's tree: the team's own node when it has one
 * (for a lead also a unit node they lead); else the nearest remainder group at or above it
 * (a small team merges into its parent's remainder group, INV-11; direct members of a unit
 * answer in that unit's remainder group).
 */
export function groupOfUnit(
  byId: ReadonlyMap<string, TreeRow>,
  unit: ViewerUnit,
  asLead: boolean,
): { nodeId: string; merged: boolean } | null {
  if (unit.isTeam || asLead) {
    const own = byId.get(unit.unitId);
    if (own) return { nodeId: own.nodeId, merged: false };
  }
  const ids = unitIdsOnPath(unit.unitPath);
  for (let i = unit.isTeam ? ids.length - 2 : ids.length - 1; i >= 0; i -= 1) {
    const remainder = byId.get(`${ids[i]}~remainder`);
    if (remainder) return { nodeId: remainder.nodeId, merged: unit.isTeam };
  }
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
 * `eligibilityNodeId` is the node of the cell the viewer was placed in at wave open; it counts
 * only when that cell lies at or above a unit the viewer is a member of today.
 */
export function waveAccess(options: {
  viewer: Viewer;
  tree: readonly TreeRow[];
  eligibilityNodeId: string | null;
}): WaveAccess {
  const { viewer, tree } = options;
  const byId = new Map(tree.map((row) => [row.nodeId, row]));
  const allowed = new Set<string>();
  const home: string[] = [];
  let mergedInto: string | null = null;
  const addHome = (nodeId: string) => {
    if (!home.includes(nodeId)) home.push(nodeId);
  };

  // Assigned roles: whole subtrees (works council: unit nodes only). Their tops come first
  // in `home`: a chief starts at their unit, HR at the root.
  const inSubtree = (row: TreeRow) => viewer.subtrees.some((p) => row.unitPath.startsWith(p));
  const inCouncil = (row: TreeRow) =>
    row.kind === 'unit' && viewer.council.some((p) => row.unitPath.startsWith(p));
  for (const row of tree) {
    if (!inSubtree(row) && !inCouncil(row)) continue;
    allowed.add(row.nodeId);
    if (row.parentNodeId === null || !allowed.has(row.parentNodeId)) addHome(row.nodeId);
  }

  // Memberships today: the viewer's own groups and every ancestor of them.
  const own = new Set<string>();
  const withAncestors = (nodeId: string) => {
    let current = byId.get(nodeId);
    while (current && !own.has(current.nodeId)) {
      own.add(current.nodeId);
      allowed.add(current.nodeId);
      current = current.parentNodeId === null ? undefined : byId.get(current.parentNodeId);
    }
  };
  // Where the viewer was placed at wave open, when that is at or above one of their units today.
  const placed = options.eligibilityNodeId ? byId.get(options.eligibilityNodeId) : undefined;
  const placedFor = (unit: ViewerUnit) =>
    placed && unit.unitPath.includes(`/${placed.unitId}/`) ? placed : undefined;
  for (const [units, asLead] of [
    [viewer.members, false],
    [viewer.leads, true],
  ] as const) {
    for (const unit of units) {
      let group = groupOfUnit(byId, unit, asLead);
      // Without a node of its own, the exact cell beats the nearest remainder group.
      const exact = asLead ? undefined : placedFor(unit);
      if (exact && (!group || group.merged || !unit.isTeam)) {
        group = { nodeId: exact.nodeId, merged: unit.isTeam };
      }
      if (!group) continue;
      withAncestors(group.nodeId);
      addHome(group.nodeId);
      if (group.merged && mergedInto === null) mergedInto = group.nodeId;
    }
  }
  // A newcomer answers in the parent's remainder group while their team has its own node (INV-8).
  const exact = viewer.members.map(placedFor).find((p) => p !== undefined);
  if (exact) {
    withAncestors(exact.nodeId);
    addHome(exact.nodeId);
  }
  return { allowed, home, mergedInto };
}

/**
 * The teams whose agreed action the viewer may record: teams they lead today (a lead
 * membership of that team unit), by node id.
 */
export function recordableNodes(viewer: Viewer): string[] {
  return viewer.leads.filter((u) => u.isTeam).map((u) => u.unitId);
}

/** A wave's tree for a period with the viewer's access to it. */
export async function loadWaveAccess(
  db: Db,
  viewer: Viewer,
  waveId: string,
  period: Period,
): Promise<WaveAccess & { tree: TreeRow[]; byId: Map<string, TreeRow> }> {
  const tree = await loadTree(db, waveId, period);
  const cell = viewer.members.length
    ? await eligibilityCell(db, waveId, viewer.personId)
    : undefined;
  const eligibilityNodeId =
    cell && isCellKind(cell.kind) ? cellNodeId({ unitId: cell.unitId, kind: cell.kind }) : null;
  return {
    tree,
    byId: new Map(tree.map((row) => [row.nodeId, row])),
    ...waveAccess({ viewer, tree, eligibilityNodeId }),
  };
}

/**
 * The same decision as loadWaveAccess for a few nodes, without reading the whole tree: only the
 * nodes asked for, the viewer's possible groups and their ancestors are loaded, and waveAccess
 * runs over that part (every rule looks only at a node, its own groups or their ancestors).
 */
export async function loadNodesAccess(
  db: Db,
  viewer: Viewer,
  waveId: string,
  period: Period,
  nodeIds: readonly string[],
): Promise<{ allowed: Set<string>; byId: Map<string, TreeRow> }> {
  const cell = viewer.members.length
    ? await eligibilityCell(db, waveId, viewer.personId)
    : undefined;
  const eligibilityNodeId =
    cell && isCellKind(cell.kind) ? cellNodeId({ unitId: cell.unitId, kind: cell.kind }) : null;
  const wanted = new Set(nodeIds);
  if (eligibilityNodeId) wanted.add(eligibilityNodeId);
  for (const unit of [...viewer.members, ...viewer.leads]) {
    wanted.add(unit.unitId);
    for (const id of unitIdsOnPath(unit.unitPath)) wanted.add(`${id}~remainder`);
  }
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
  const { allowed } = waveAccess({ viewer, tree, eligibilityNodeId });
  return { allowed: new Set(nodeIds.filter((id) => allowed.has(id))), byId };
}

const isCellKind = (kind: string): kind is CellKind =>
  kind === 'team' || kind === 'remainder' || kind === 'leadership';
