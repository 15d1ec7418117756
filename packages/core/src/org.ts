import type { UnitKind } from '@teamspiegel/contracts';

/**
 * Which kind of unit may sit directly under which. Dutch corps:
 * corps > regional_unit > district > basisteam > team; Belgian zone: zone > service > team.
 * Roots (corps, zone) are never created below another unit.
 */
export const ALLOWED_CHILD_KINDS: Record<UnitKind, readonly UnitKind[]> = {
  corps: ['regional_unit', 'district', 'basisteam', 'service', 'team'],
  zone: ['service', 'team'],
  regional_unit: ['district', 'basisteam', 'service', 'team'],
  district: ['basisteam', 'team'],
  basisteam: ['team'],
  service: ['team'],
  team: [],
};

export function mayContain(parent: UnitKind, child: UnitKind): boolean {
  return ALLOWED_CHILD_KINDS[parent].includes(child);
}

/** Moving a unit under itself or one of its descendants would make a cycle. */
export function wouldCreateCycle(unitPath: string, newParentPath: string): boolean {
  return newParentPath.startsWith(unitPath);
}

/** The path of a unit placed under a parent. */
export function childPath(parentPath: string | null, id: string): string {
  return `${parentPath ?? '/'}${id}/`;
}

/** Half-open date intervals [joined, left) overlap; a null `left` runs on forever. */
export function periodsOverlap(
  a: { joinedOn: string; leftOn: string | null },
  b: { joinedOn: string; leftOn: string | null },
): boolean {
  const aEndsAfterBStarts = a.leftOn === null || a.leftOn > b.joinedOn;
  const bEndsAfterAStarts = b.leftOn === null || b.leftOn > a.joinedOn;
  return aEndsAfterBStarts && bEndsAfterAStarts;
}

/** Is a membership current on a date? Joined on or before it, not yet left. */
export function isCurrentOn(m: { joinedOn: string; leftOn: string | null }, date: string): boolean {
  return m.joinedOn <= date && (m.leftOn === null || m.leftOn > date);
}
