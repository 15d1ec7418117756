import type { ImportSummary } from '@teamspiegel/contracts';

/** Planned changes per kind: everything in the summary except what stays unchanged. */
export function changeCounts(summary: ImportSummary): {
  units: number;
  people: number;
  memberships: number;
} {
  const { units, people, memberships } = summary;
  return {
    units: units.create + units.change + units.move + units.archive,
    people: people.create + people.change + people.deactivate,
    memberships: memberships.add + memberships.end + memberships.change,
  };
}
