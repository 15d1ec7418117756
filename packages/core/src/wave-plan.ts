/**
 * Collection cells of a wave, planned once at wave open from the roster snapshot
 * (anonymity.md section 3: INV-8, INV-9, INV-11; section 4 step 1).
 *
 * The plan, in order:
 *
 * 1. One home per person. A person with any 'lead' membership is a lead (the lead role wins over
 *    every 'member' row); their home is the leadership cell of the parent of the highest unit
 *    they lead (smallest depth, then smallest unit id). Leads take their seats in order of fewest
 *    memberships, then person id; one who would break INV-9 there moves up as in step 3. A lead
 *    of a root unit leads everyone who could share a cell with them and is unplaced
 *    ('leads-root'). Anyone else answers through one membership: a team membership before a
 *    non-team one, then the earliest `joinedOn`, then the smallest unit id.
 * 2. A team with at least K_E ordinary members (its own members who are not newcomers) is a cell
 *    `team:<id>`. Members of a smaller team (INV-11) and newcomers (INV-8) answer in the parent's
 *    remainder cell (a team without a parent uses its own remainder cell). People whose membership
 *    is directly in a non-team unit answer in that unit's remainder cell, newcomers included.
 * 3. Small cells merge upward, deepest unit first (ties by unit id), leadership before remainder
 *    at the same unit. A remainder cell goes to the first ancestor's remainder cell whose merge is
 *    allowed. A leadership cell tries, at each ancestor A from the parent up: A's leadership cell
 *    if it reaches K_E together with this cell and the other small leadership cells of A's
 *    children (they are offered the same seat, so siblings choose alike whatever their order);
 *    else A's remainder cell if it has people; else A's leadership cell (which merges further
 *    when A's turn comes). So leads stay among leads unless joining the members already there
 *    makes a cell sooner. Cells only move to ancestors, which come later in the order, so one
 *    pass reaches the fixed point.
 * 4. What is still small (only possible at a root, or where every ancestor's cell is ruled out)
 *    merges into the largest allowed cell of its root unit (ties by key), repeated until nothing
 *    changes; whoever is then still in a cell below K_E is unplaced ('too-few').
 *
 * "Allowed" is INV-9, checked on every merge and every placement, so no cell ever holds a lead
 * together with anyone they lead. A lead of unit U leads every person with any membership in U's
 * subtree, except fellow leads of U itself (co-leads are peers). That is stricter than "the
 * members of their team": it also keeps a basisteam lead away from that basisteam's team leads
 * and members, and it uses every membership, not just the one a person answers through.
 */
import { effectiveThresholds } from './thresholds.ts';

export interface PlanUnit {
  id: string;
  /** null (or an id outside the list) for the programme's root. */
  parentId: string | null;
  /** Only 'team' matters here: it marks a pulse team; other kinds are structure. */
  kind: string;
}

export interface PlanMembership {
  personId: string;
  unitId: string;
  role: 'member' | 'lead';
  /** 'YYYY-MM-DD' */
  joinedOn: string;
}

export type CellKind = 'team' | 'remainder' | 'leadership';

export interface PlannedCell {
  /** `${kind}:${unitId}`, stable across runs for the same input. */
  key: string;
  kind: CellKind;
  unitId: string;
  /** Person ids, sorted. */
  members: string[];
}

/**
 * Why someone gets no token this wave:
 * - 'leads-root': leads the programme's root unit, so every cell would hold people they lead;
 * - 'too-few': no cell of at least K_E people was left that keeps INV-9;
 * - 'unknown-unit': every membership given for them is in a unit outside the tree.
 */
export type UnplacedReason = 'leads-root' | 'too-few' | 'unknown-unit';

export interface UnplacedPerson {
  personId: string;
  reason: UnplacedReason;
}

export interface CellPlan {
  /** Sorted by key; every cell has at least K_E members. */
  cells: PlannedCell[];
  /** Sorted by person id. */
  unplaced: UnplacedPerson[];
}

export interface PlanCellsOptions {
  units: readonly PlanUnit[];
  /** Current memberships on the open date. */
  roster: readonly PlanMembership[];
  /** People who joined on or after this date are newcomers; null for a first wave. */
  previousWaveOpenedOn: string | null;
  /** K_E; the floor of 5 applies when lower. */
  thresholds: { kE: number };
}

interface WorkCell {
  key: string;
  kind: CellKind;
  unitId: string;
  members: Set<string>;
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const cellKey = (kind: CellKind, unitId: string): string => `${kind}:${unitId}`;

/** INV-8, INV-9, INV-11: the collection cells of a wave, and who cannot be placed in one. */
export function planCells(options: PlanCellsOptions): CellPlan {
  const kE = effectiveThresholds({ kE: options.thresholds.kE }).kE;
  const tree = buildTree(options.units);
  const unplaced = new Map<string, UnplacedReason>();

  const byPerson = new Map<string, PlanMembership[]>();
  for (const m of options.roster) {
    const list = byPerson.get(m.personId) ?? [];
    list.push(m);
    byPerson.set(m.personId, list);
  }
  const personIds = [...byPerson.keys()].sort(byString);
  const known = new Map<string, PlanMembership[]>();
  for (const personId of personIds) {
    const inTree = (byPerson.get(personId) ?? []).filter((m) => tree.has(m.unitId));
    if (inTree.length === 0) unplaced.set(personId, 'unknown-unit');
    else known.set(personId, inTree);
  }

  const under = whoIsUnderWhom(known, tree);
  const conflicts = (a: Iterable<string>, b: ReadonlySet<string>): boolean => {
    for (const p of a) {
      const led = under.get(p);
      if (led === undefined) continue;
      for (const q of b) if (led.has(q)) return true;
    }
    return false;
  };
  const mayMerge = (a: ReadonlySet<string>, b: ReadonlySet<string>): boolean =>
    !conflicts(a, b) && !conflicts(b, a);

  const cells = new Map<string, WorkCell>();
  const cellAt = (kind: CellKind, unitId: string): WorkCell => {
    const key = cellKey(kind, unitId);
    let cell = cells.get(key);
    if (cell === undefined) {
      cell = { key, kind, unitId, members: new Set() };
      cells.set(key, cell);
    }
    return cell;
  };

  // Step 1 and 2: homes.
  const ordinary = new Map<string, string[]>();
  const leads: { personId: string; unitId: string }[] = [];
  for (const [personId, memberships] of known) {
    const ledUnits = memberships.filter((m) => m.role === 'lead').map((m) => m.unitId);
    if (ledUnits.length > 0) {
      const top = ledUnits.sort((a, b) => tree.depth(a) - tree.depth(b) || byString(a, b))[0]!;
      const parent = tree.parent(top);
      if (parent === null) unplaced.set(personId, 'leads-root');
      else leads.push({ personId, unitId: parent });
      continue;
    }
    const home = [...memberships].sort(
      (a, b) =>
        Number(!tree.isTeam(a.unitId)) - Number(!tree.isTeam(b.unitId)) ||
        byString(a.joinedOn, b.joinedOn) ||
        byString(a.unitId, b.unitId),
    )[0]!;
    if (!tree.isTeam(home.unitId)) {
      cellAt('remainder', home.unitId).members.add(personId);
    } else if (
      options.previousWaveOpenedOn !== null &&
      home.joinedOn >= options.previousWaveOpenedOn
    ) {
      cellAt('remainder', tree.parent(home.unitId) ?? home.unitId).members.add(personId);
    } else {
      const list = ordinary.get(home.unitId) ?? [];
      list.push(personId);
      ordinary.set(home.unitId, list);
    }
  }
  for (const teamId of [...ordinary.keys()].sort(byString)) {
    const members = ordinary.get(teamId)!;
    const cell =
      members.length >= kE
        ? cellAt('team', teamId)
        : cellAt('remainder', tree.parent(teamId) ?? teamId);
    for (const p of members) cell.members.add(p);
  }

  // Leads join their leadership cell one by one (person id order); one that would share it with
  // someone they lead, or who leads them, is placed further up like a small leadership cell.
  // People with several memberships go last, so that a plain team lead keeps their seat and the
  // person holding two roles is the one who moves.
  leads.sort(
    (a, b) =>
      known.get(a.personId)!.length - known.get(b.personId)!.length ||
      byString(a.personId, b.personId),
  );
  const rejected: { personId: string; unitId: string }[] = [];
  for (const lead of leads) {
    const cell = cellAt('leadership', lead.unitId);
    const alone = new Set([lead.personId]);
    if (mayMerge(alone, cell.members)) cell.members.add(lead.personId);
    else rejected.push(lead);
  }

  /** People in the other small leadership cells of `unitId`'s children: they will join it too. */
  const smallLeadershipBelow = (unitId: string, except: ReadonlySet<string>): number => {
    let n = 0;
    for (const c of cells.values()) {
      const small = c.members.size > 0 && c.members.size < kE;
      if (
        c.kind === 'leadership' &&
        small &&
        c.members !== except &&
        tree.parent(c.unitId) === unitId
      ) {
        n += c.members.size;
      }
    }
    return n;
  };

  /** The first allowed target up the tree for a small cell or a rejected lead (step 3). */
  const upward = (
    kind: CellKind,
    unitId: string,
    members: ReadonlySet<string>,
  ): WorkCell | null => {
    const tries: [CellKind, 'reaches-kE' | 'not-empty' | 'any'][] =
      kind === 'leadership'
        ? [
            ['leadership', 'reaches-kE'],
            ['remainder', 'not-empty'],
            ['leadership', 'any'],
          ]
        : [['remainder', 'any']];
    for (const ancestor of tree.ancestors(unitId)) {
      for (const [targetKind, condition] of tries) {
        const target = cells.get(cellKey(targetKind, ancestor));
        const size = target?.members.size ?? 0;
        if (
          condition === 'reaches-kE' &&
          size + members.size + smallLeadershipBelow(ancestor, members) < kE
        )
          continue;
        if (condition === 'not-empty' && size === 0) continue;
        if (target === undefined) return cellAt(targetKind, ancestor);
        if (mayMerge(members, target.members)) return target;
      }
    }
    return null;
  };
  const moveInto = (target: WorkCell, members: Iterable<string>): void => {
    for (const p of members) target.members.add(p);
  };

  for (const lead of rejected) {
    const target = upward('leadership', lead.unitId, new Set([lead.personId]));
    if (target === null) unplaced.set(lead.personId, 'too-few');
    else moveInto(target, [lead.personId]);
  }

  // Step 3: bottom-up merge.
  const order = tree.ids().sort((a, b) => tree.depth(b) - tree.depth(a) || byString(a, b));
  for (const unitId of order) {
    for (const kind of ['leadership', 'remainder'] as const) {
      const cell = cells.get(cellKey(kind, unitId));
      if (cell === undefined || cell.members.size >= kE) continue;
      if (cell.members.size === 0) {
        cells.delete(cell.key);
        continue;
      }
      const target = upward(kind, unitId, cell.members);
      if (target !== null) {
        moveInto(target, cell.members);
        cells.delete(cell.key);
      }
    }
  }

  // Step 4: what is still small merges into the largest allowed cell of its root unit.
  for (let changed = true; changed;) {
    changed = false;
    const small = [...cells.values()]
      .filter((c) => c.members.size > 0 && c.members.size < kE)
      .sort((a, b) => tree.depth(b.unitId) - tree.depth(a.unitId) || byString(a.key, b.key));
    for (const cell of small) {
      if (!cells.has(cell.key) || cell.members.size >= kE) continue;
      const root = tree.root(cell.unitId);
      const target = [...cells.values()]
        .filter((c) => c.unitId === root && c.key !== cell.key && c.members.size > 0)
        .sort((a, b) => b.members.size - a.members.size || byString(a.key, b.key))
        .find((c) => mayMerge(cell.members, c.members));
      if (target === undefined) continue;
      moveInto(target, cell.members);
      cells.delete(cell.key);
      changed = true;
    }
  }

  const result: PlannedCell[] = [];
  for (const cell of cells.values()) {
    if (cell.members.size >= kE) {
      const members = [...cell.members].sort(byString);
      result.push({ key: cell.key, kind: cell.kind, unitId: cell.unitId, members });
    } else {
      for (const p of cell.members) unplaced.set(p, 'too-few');
    }
  }
  return {
    cells: result.sort((a, b) => byString(a.key, b.key)),
    unplaced: [...unplaced]
      .map(([personId, reason]) => ({ personId, reason }))
      .sort((a, b) => byString(a.personId, b.personId)),
  };
}

/** Number of people who joined or left a cell between two waves (the symmetric difference). */
export function cellRosterChange(previous: readonly string[], current: readonly string[]): number {
  const before = new Set(previous);
  const after = new Set(current);
  let change = 0;
  for (const p of before) if (!after.has(p)) change++;
  for (const p of after) if (!before.has(p)) change++;
  return change;
}

/**
 * INV-8: a trend or delta is shown only when a cell's roster changed by 0 or at least D people.
 * D below its floor counts as the floor.
 */
export function trendAllowed(change: number, d: number): boolean {
  const floor = effectiveThresholds({ d }).d;
  return change === 0 || change >= floor;
}

interface Tree {
  has(id: string): boolean;
  ids(): string[];
  isTeam(id: string): boolean;
  parent(id: string): string | null;
  depth(id: string): number;
  /** Parent first, root last. */
  ancestors(id: string): string[];
  root(id: string): string;
}

function buildTree(units: readonly PlanUnit[]): Tree {
  const byId = new Map<string, PlanUnit>();
  for (const u of units) {
    if (byId.has(u.id)) throw new Error(`duplicate unit ${u.id}`);
    byId.set(u.id, u);
  }
  const parent = (id: string): string | null => {
    const p = byId.get(id)?.parentId ?? null;
    return p !== null && byId.has(p) ? p : null;
  };
  const ancestorsOf = new Map<string, string[]>();
  const ancestors = (id: string): string[] => {
    const cached = ancestorsOf.get(id);
    if (cached !== undefined) return cached;
    const chain: string[] = [];
    for (let p = parent(id); p !== null; p = parent(p)) {
      if (p === id || chain.includes(p)) throw new Error(`unit ${id} is in a cycle`);
      chain.push(p);
    }
    ancestorsOf.set(id, chain);
    return chain;
  };
  for (const id of byId.keys()) ancestors(id);
  return {
    has: (id) => byId.has(id),
    ids: () => [...byId.keys()],
    isTeam: (id) => byId.get(id)?.kind === 'team',
    parent,
    depth: (id) => ancestors(id).length,
    ancestors,
    root: (id) => ancestors(id).at(-1) ?? id,
  };
}

/**
 * For each lead, everyone they lead: anyone with a membership anywhere in the subtree of a unit
 * they lead, except co-leads of that very unit.
 */
function whoIsUnderWhom(
  memberships: ReadonlyMap<string, readonly PlanMembership[]>,
  tree: Tree,
): Map<string, Set<string>> {
  const leadsOf = new Map<string, string[]>();
  for (const [personId, list] of memberships) {
    for (const m of list) {
      if (m.role !== 'lead') continue;
      const ids = leadsOf.get(m.unitId) ?? [];
      ids.push(personId);
      leadsOf.set(m.unitId, ids);
    }
  }
  const under = new Map<string, Set<string>>();
  for (const [personId, list] of memberships) {
    for (const m of list) {
      const above =
        m.role === 'lead' ? tree.ancestors(m.unitId) : [m.unitId, ...tree.ancestors(m.unitId)];
      for (const unitId of above) {
        for (const lead of leadsOf.get(unitId) ?? []) {
          if (lead === personId) continue;
          const set = under.get(lead) ?? new Set<string>();
          set.add(personId);
          under.set(lead, set);
        }
      }
    }
  }
  return under;
}
