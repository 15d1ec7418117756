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

/** Milliseconds until another attempt is allowed for this username from this address. */
export async function loginWaitMs(
  db: Db,
  username: string,
  ip: string,
  now: Date,
): Promise<number> {
  const keys = throttleKeys(username, ip);
  const rows = await db
    .selectFrom('login_throttle')
    .selectAll()
    .where(
      'key',
      'in',
      keys.map(([key]) => key),
    )
    .execute();
  return Math.max(
    0,
    ...keys.map(([key, policy]) => {
      const row = rows.find((r) => r.key === key);
      const state = row && {
        failures: row.failures,
        lastFailureAt: Date.parse(row.last_failure_at),
      };
      return remainingWaitMs(state, policy, now.getTime());
    }),
  );
}

/** A quiet hour forgets earlier failures, so counters do not grow for ever. */
const FORGET_AFTER_MS = 60 * 60_000;

export async function recordLoginFailure(
  db: Db,
  username: string,
  ip: string,
  now: Date,
): Promise<void> {
  const at = now.toISOString();
  for (const [key] of throttleKeys(username, ip)) {
    const row = await db
      .selectFrom('login_throttle')
      .selectAll()
      .where('key', '=', key)
      .executeTakeFirst();
    const recent = row && now.getTime() - Date.parse(row.last_failure_at) < FORGET_AFTER_MS;
    const failures = recent ? row.failures + 1 : 1;
    await db
      .insertInto('login_throttle')
      .values({ key, failures, last_failure_at: at })
      .onConflict((oc) => oc.column('key').doUpdateSet({ failures, last_failure_at: at }))
      .execute();
  }
}

/** A successful login clears the account's counter; the address counter decays on its own. */
export async function clearAccountFailures(db: Db, username: string): Promise<void> {
  await db
    .deleteFrom('login_throttle')
    .where('key', '=', `account:${username.toLowerCase()}`)
    .execute();
}
