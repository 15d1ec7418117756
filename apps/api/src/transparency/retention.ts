import type { Db } from '@teamspiegel/db';
import { settingsFor } from '../settings/settings.repository.ts';

/**
 * How long published results and released comments are kept, as the transparency page states
 * it: the organisation's settings, which the retention job also reads.
 */
export async function retentionFor(
  db: Db,
  organisationId: string,
): Promise<{ resultsYears: number; commentsMonths: number }> {
  const { resultsYears, commentsMonths } = (await settingsFor(db, organisationId)).retention;
  return { resultsYears, commentsMonths };
}
