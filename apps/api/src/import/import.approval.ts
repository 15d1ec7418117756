import type { Db, RosterChangeRow } from '@teamspiegel/db';
import { applyApproved } from './import.service.ts';

/**
 * The roster-freeze applier for kind 'import' (apps/api/src/roster/appliers.ts): a second
 * administrator approved an import that touches a frozen roster; it is re-planned and applied
 * in the approval's transaction.
 */
export async function applyApprovedImport(
  trx: Db,
  change: RosterChangeRow,
  ctx: { at: Date; approverId: string },
): Promise<void> {
  const { importId } = JSON.parse(change.payload) as { importId: string };
  await applyApproved(trx, importId, { ...ctx, rosterChangeId: change.id });
}
