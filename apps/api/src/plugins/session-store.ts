import type { Session } from 'fastify';
import type { SessionStore } from '@fastify/session';
import type { Db } from '@teamspiegel/db';
import type { Clock } from '../clock.ts';

type Callback = (err?: unknown) => void;
type SessionCallback = (err: unknown, session?: Session | null) => void;

/**
 * Sessions live in the database (ASVS 7.x: no in-memory sessions), so they survive a restart
 * and a logout or deactivation really ends them. Expired rows read as absent and are swept.
 */
export function databaseSessionStore(db: Db, clock: Clock, idleMs: number): SessionStore {
  return {
    set(sid: string, session: Session, callback: Callback) {
      const expiresAt = new Date(clock.now().getTime() + idleMs).toISOString();
      const data = JSON.stringify(session);
      const personId = session.personId ?? null;
      db.insertInto('session')
        .values({ sid, person_id: personId, expires_at: expiresAt, data })
        .onConflict((oc) =>
          oc.column('sid').doUpdateSet({ person_id: personId, expires_at: expiresAt, data }),
        )
        .execute()
        .then(() => callback(), callback);
    },
    get(sid: string, callback: SessionCallback) {
      db.selectFrom('session')
        .select(['data', 'expires_at'])
        .where('sid', '=', sid)
        .executeTakeFirst()
        .then((row) => {
          if (!row || row.expires_at <= clock.now().toISOString()) return callback(null, null);
          callback(null, JSON.parse(row.data) as Session);
        }, callback);
    },
    destroy(sid: string, callback: Callback) {
      db.deleteFrom('session')
        .where('sid', '=', sid)
        .execute()
        .then(() => callback(), callback);
    },
  };
}

/** Ends every session of a person but the one given (after a password change, at deactivation). */
export async function endSessionsOf(db: Db, personId: string, exceptSid?: string): Promise<void> {
  let query = db.deleteFrom('session').where('person_id', '=', personId);
  if (exceptSid) query = query.where('sid', '!=', exceptSid);
  await query.execute();
}

/** Removes expired sessions; run at start and periodically. */
export async function sweepExpiredSessions(db: Db, now: Date): Promise<number> {
  const result = await db
    .deleteFrom('session')
    .where('expires_at', '<=', now.toISOString())
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
