import type { Unit } from '@teamspiegel/contracts';

export interface UnitNode {
  unit: Unit;
  depth: number;
  children: UnitNode[];
}

const byName = (a: Unit, b: Unit) =>
  a.name.localeCompare(b.name, 'nl') || a.code.localeCompare(b.code);

/**
 * Builds the org tree from the flat list the API returns. Units whose parent is outside the
 * caller's scope become roots, so a chief scoped to a district sees their district at the top.
 */
export function buildUnitTree(units: readonly Unit[]): UnitNode[] {
  const ids = new Set(units.map((u) => u.id));
  const childrenOf = new Map<string | null, Unit[]>();
  for (const unit of units) {
    const key = unit.parentId !== null && ids.has(unit.parentId) ? unit.parentId : null;
    const list = childrenOf.get(key) ?? [];
    list.push(unit);
    childrenOf.set(key, list);
  }
  const visited = new Set<string>();
  const build = (parent: string | null, depth: number): UnitNode[] =>
    (childrenOf.get(parent) ?? [])
      .filter((u) => !visited.has(u.id))
      .sort(byName)
      .map((unit) => {
        visited.add(unit.id);
        return { unit, depth, children: build(unit.id, depth + 1) };
      });
  return build(null, 0);
}

/** Depth-first order, as a tree reads from top to bottom. */
export function flattenTree(nodes: readonly UnitNode[]): UnitNode[] {
  const out: UnitNode[] = [];
  const walk = (list: readonly UnitNode[]) => {
    for (const node of list) {
      out.push(node);
      walk(node.children);
    }
  };
  walk(nodes);
  return out;
}

/** "Corps › District › Team": the names from the top of the caller's scope down to the unit. */
export function unitPath(units: readonly Unit[], unitId: string): string {
  const byId = new Map(units.map((u) => [u.id, u]));
  const names: string[] = [];
  const seen = new Set<string>();
  let current = byId.get(unitId);
  while (current && !seen.has(current.id)) {
    seen.add(current.id);
    names.unshift(current.name);
    current = current.parentId === null ? undefined : byId.get(current.parentId);
  }
  return names.join(' › ');
}

/** Ids of a unit and everything below it (a unit cannot move under its own descendants). */
export function subtreeIds(units: readonly Unit[], unitId: string): Set<string> {
  const result = new Set<string>([unitId]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const u of units) {
      if (u.parentId !== null && result.has(u.parentId) && !result.has(u.id)) {
        result.add(u.id);
        grew = true;
      }
    }
  }
  return result;
}

export function matchesUnit(unit: Unit, query: string): boolean {
  const q = query.trim().toLocaleLowerCase('nl');
  if (!q) return true;
  return (
    unit.name.toLocaleLowerCase('nl').includes(q) || unit.code.toLocaleLowerCase('nl').includes(q)
  );
}
