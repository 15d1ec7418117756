import type { AuditAction } from '@teamspiegel/contracts';
import { AUDIT_ACTION_LIST } from '$lib/constants';

/** The filters as the page's form holds them: dates as YYYY-MM-DD, '' for "any". */
export interface AuditFilterValues {
  action: AuditAction | '';
  group: string;
  actorName: string;
  targetType: string;
  targetId: string;
  from: string;
  to: string;
}

/** Action groups, as the API knows them: the part of an action before the dot. */
export const AUDIT_GROUPS: readonly string[] = [
  ...new Set(AUDIT_ACTION_LIST.map((action) => action.slice(0, action.indexOf('.')))),
];

/** What the audit log files events under, for the object filter. */
export const TARGET_TYPES = [
  'person',
  'unit',
  'membership',
  'account',
  'programme',
  'wave',
  'organisation',
  'roster_change',
  'import_run',
  'content_pack',
  'result_node',
  'team_action',
] as const;

/** The API's query for the filters: the page and the CSV export send the same. */
export function auditQuery(
  filters: AuditFilterValues,
  days: { startOfDayInstant: (d: string) => string; endOfDayInstant: (d: string) => string },
): Record<string, string | undefined> {
  return {
    action: filters.action || undefined,
    group: filters.group || undefined,
    actorName: filters.actorName || undefined,
    targetType: filters.targetType || undefined,
    targetId: filters.targetId || undefined,
    from: filters.from ? days.startOfDayInstant(filters.from) : undefined,
    to: filters.to ? days.endOfDayInstant(filters.to) : undefined,
  };
}
