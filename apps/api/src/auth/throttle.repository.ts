import type { Db } from '@teamspiegel/db';
import {
  ACCOUNT_THROTTLE,
  ADDRESS_THROTTLE,
  remainingWaitMs,
  type ThrottlePolicy,
} from '@teamspiegel/core';

/** The two counters a login attempt is held against: the account name and the client address. */
export function throttleKeys(username: string, ip: string): [string, ThrottlePolicy][] {
  return [
    [`account:${username.toLowerCase()}`, ACCOUNT_THROTTLE],
    [`address:${ip}`, ADDRESS_THROTTLE],
  ];
}

/** A quiet hour forgets earlier failures, so counters do not grow for ever. */
const FORGET_AFTER_MS = 60 * 60_000;

/**
 * Claims one password check for this username from this address, or says how long to wait.
 * Checking the counters and counting the attempt happen in one transaction (one SQLite
 * connection, so one claim at a time): parallel requests cannot all pass the check before any
 * is counted. The attempt counts as a failure until settleSuccessfulAttempt says otherwise.
 */
export async function claimPasswordAttempt(
  db: Db,
  username: string,
  ip: string,
  now: Date,
): Promise<{ waitMs: number }> {
  return db.transaction().execute(async (trx) => {
    const keys = throttleKeys(username, ip);
    const rows = await trx
      .selectFrom('login_throttle')
      .selectAll()
      .where(
        'key',
        'in',
        keys.map(([key]) => key),
      )
      .execute();
    const states = keys.map(([key, policy]) => {
      const row = rows.find((r) => r.key === key);
      const lastFailureAt = row ? Date.parse(row.last_failure_at) : 0;
      const recent = row !== undefined && now.getTime() - lastFailureAt < FORGET_AFTER_MS;
      return { key, policy, failures: recent ? row.failures : 0, lastFailureAt };
    });
    const waitMs = Math.max(0, ...states.map((s) => remainingWaitMs(s, s.policy, now.getTime())));
    if (waitMs > 0) return { waitMs };
    const at = now.toISOString();
    for (const { key, failures } of states) {
      await trx
        .insertInto('login_throttle')
        .values({ key, failures: failures + 1, last_failure_at: at })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({ failures: failures + 1, last_failure_at: at }),
        )
        .execute();
    }
    return { waitMs: 0 };
  });
}

/**
 * The claimed attempt was right: the account's counter is cleared and the address gets its
 * attempt back, so a busy station gateway is not slowed by officers who log in correctly.
 */
export async function settleSuccessfulAttempt(db: Db, username: string, ip: string): Promise<void> {
  const [[accountKey], [addressKey]] = throttleKeys(username, ip) as [
    [string, ThrottlePolicy],
    [string, ThrottlePolicy],
  ];
  await db.deleteFrom('login_throttle').where('key', '=', accountKey).execute();
  await db
    .updateTable('login_throttle')
    .set((eb) => ({ failures: eb('failures', '-', 1) }))
    .where('key', '=', addressKey)
    .where('failures', '>', 0)
    .execute();
}
