import type { Db } from '@teamspiegel/db';

/**
 * How long published results and released comments are kept, as the transparency page states
 * it. Until the organisation settings can say otherwise these are the defaults.
 */
export const RETENTION_DEFAULTS = { resultsYears: 5, commentsMonths: 24 } as const;

export async function retentionFor(
  _db: Db,
  _organisationId: string,
): Promise<{ resultsYears: number; commentsMonths: number }> {
  return { ...RETENTION_DEFAULTS };
}
