import type { Db, RosterChangeRow } from '@teamspiegel/db';
import { applyApproved, importDecided } from './import.service.ts';

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

/**
 * Called by the four-eyes decision (roster.routes.ts) in its transaction for every change it
 * decides other than approved; an import's run then becomes rejected or failed and its HR rows
 * are cleared in that same transaction. Other kinds keep nothing to clear.
 */
export async function onDecided(
  trx: Db,
  change: RosterChangeRow,
  decision: 'rejected' | 'withdrawn' | 'failed',
): Promise<void> {
  if (change.kind !== 'import') return;
  const { importId } = JSON.parse(change.payload) as { importId: string };
  await importDecided(trx, importId, decision);
}
