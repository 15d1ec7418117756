import type { RosterChangePending } from '@teamspiegel/contracts';
import type { Db } from '@teamspiegel/db';
import { dateOf } from '../clock.ts';
import { findRosterChange, isFrozen, proposeRosterChange, type RosterProposal } from './freeze.ts';

class DryRun extends Error {}

/**
 * Runs a change in a transaction and rolls it back: a proposal is checked exactly as the change
 * would be applied now (the same function, the same errors), without changing anything.
 */
export async function dryRun(db: Db, change: (trx: Db) => Promise<unknown>): Promise<void> {
  try {
    await db.transaction().execute(async (trx) => {
      await change(trx);
      throw new DryRun('rolled back');
    });
  } catch (error) {
    if (!(error instanceof DryRun)) throw error;
  }
}

/** Records a proposal for a frozen roster; the 202 answer of the route that was asked to change it. */
export async function propose(
  db: Db,
  ctx: { actorId: string; now: Date },
  p: Omit<RosterProposal, 'proposedBy' | 'at'>,
): Promise<RosterChangePending> {
  const id = await db
    .transaction()
    .execute((trx) => proposeRosterChange(trx, { ...p, proposedBy: ctx.actorId, at: ctx.now }));
  // Shown to its proposer, who cannot approve it (own_proposal comes before any scope check).
  const change = await findRosterChange(
    db,
    id,
    { personId: ctx.actorId, scope: [] },
    dateOf(ctx.now),
  );
  return { status: 'pending_approval', change: change! };
}

export type FreezeOutcome<T> = { frozen: true } | { frozen: false; result: T };

/**
 * Applies a change unless a unit it touches is frozen on `today` (the clock's date, dateOf),
 * deciding in the change's own transaction:
 * a wave that starts preparing commits either before it (and the change waits) or after it (and
 * the change is in its snapshot), never in between.
 */
export async function applyUnlessFrozen<T>(
  db: Db,
  today: string,
  paths: (trx: Db) => Promise<readonly string[]> | readonly string[],
  apply: (trx: Db) => Promise<T>,
): Promise<FreezeOutcome<T>> {
  return db.transaction().execute(async (trx): Promise<FreezeOutcome<T>> => {
    if (await isFrozen(trx, await paths(trx), today)) return { frozen: true };
    return { frozen: false, result: await apply(trx) };
  });
}
