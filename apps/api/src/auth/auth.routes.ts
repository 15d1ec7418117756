import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  CsrfResponse,
  LoginBody,
  MeResponse,
  NoContent,
  PasswordChangeBody,
} from '@teamspiegel/contracts';
import { passwordProblem } from '@teamspiegel/core';
import type { Db } from '@teamspiegel/db';
import { loadActor } from '../access.repository.ts';
import { homePathOf, recordAudit } from '../audit/audit.repository.ts';
import { placementPaths } from '../people/people.repository.ts';
import { endSessionsOf } from '../plugins/session-store.ts';
import { type Clock, dateOf } from '../clock.ts';
import { AppError } from '../errors.ts';
import { errorResponses } from '../http.ts';
import { toMe } from '../me/me.repository.ts';
import { actorOf } from '../plugins/authz.ts';
import { decoyPasswordHash, hashPassword, verifyPassword } from './passwords.ts';
import { claimPasswordAttempt, settleSuccessfulAttempt } from './throttle.repository.ts';

const INVALID_CREDENTIALS = new AppError(
  401,
  'invalid_credentials',
  'The username or password is not right.',
);

/**
 * Local password login. Another login method (OIDC from the police directory) only has to
 * end the same way: find the person, regenerate the session, set personId and authenticatedAt.
 */
export function authRoutes(app: FastifyInstance, opts: { db: Db; clock: Clock }) {
  const { db, clock } = opts;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  /** One password check may go ahead, or the request ends here with 429 and Retry-After. */
  async function claimAttemptOrThrottle(
    username: string,
    ip: string,
    now: Date,
    reply: FastifyReply,
  ) {
    const { waitMs } = await claimPasswordAttempt(db, username, ip, now);
    if (waitMs > 0) {
      reply.header('retry-after', Math.ceil(waitMs / 1000));
      throw new AppError(
        429,
        'login_throttled',
        'Too many attempts. Please wait a moment and try again.',
      );
    }
  }

  r.get(
    '/api/v1/auth/csrf',
    {
      config: { permission: 'public' },
      schema: { response: { 200: CsrfResponse, ...errorResponses } },
    },
    (_request, reply) => ({ token: reply.generateCsrf() }),
  );

  r.post(
    '/api/v1/auth/login',
    {
      config: { permission: 'public' },
      schema: { body: LoginBody, response: { 200: MeResponse, ...errorResponses } },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      const now = clock.now();
      await claimAttemptOrThrottle(username, request.ip, now, reply);

      const account = await db
        .selectFrom('account')
        .innerJoin('person', 'person.id', 'account.person_id')
        .select(['account.person_id', 'account.password_hash', 'person.deactivated_at'])
        .where('account.username', '=', username.toLowerCase())
        .executeTakeFirst();
      // Always verify one hash, so timing does not tell an unknown user from a wrong password.
      const valid = await verifyPassword(
        account?.password_hash ?? (await decoyPasswordHash()),
        password,
      );
      const actor =
        account && valid && !account.deactivated_at
          ? await loadActor(db, account.person_id, dateOf(now))
          : null;

      if (!actor) {
        // The attempt already counts as a failure (claimed above). The username is kept only
        // when it names a real account: an unknown one is often a password typed in the
        // wrong field, and the works council reads this log.
        await recordAudit(db, now, {
          actorId: null,
          scopePath: account
            ? ((await placementPaths(db, account.person_id, dateOf(now)))[0] ?? null)
            : null,
          action: 'auth.login_failed',
          targetType: 'account',
          details: { username: account ? username.toLowerCase() : null },
        });
        throw INVALID_CREDENTIALS;
      }

      // Audit first: a login that cannot be recorded does not happen.
      await db.transaction().execute(async (trx) => {
        await settleSuccessfulAttempt(trx, username, request.ip);
        await recordAudit(trx, now, {
          actorId: actor.personId,
          scopePath: homePathOf(actor),
          action: 'auth.login',
          targetType: 'person',
          targetId: actor.personId,
        });
      });
      await request.session.regenerate();
      request.session.personId = actor.personId;
      request.session.authenticatedAt = now.getTime();
      request.session.lastSeenAt = now.getTime();
      return toMe(actor);
    },
  );

  r.post(
    '/api/v1/auth/logout',
    {
      config: { permission: 'session', beforePasswordChange: true },
      schema: { response: { 204: NoContent, ...errorResponses } },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      await recordAudit(db, clock.now(), {
        actorId: actor.personId,
        scopePath: homePathOf(actor),
        action: 'auth.logout',
        targetType: 'person',
        targetId: actor.personId,
      });
      await request.session.destroy();
      return reply.status(204).send(null);
    },
  );

  r.post(
    '/api/v1/auth/password',
    {
      config: { permission: 'session', beforePasswordChange: true },
      schema: { body: PasswordChangeBody, response: { 204: NoContent, ...errorResponses } },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const { currentPassword, newPassword } = request.body;
      // Someone at an unlocked station PC must not be able to guess the password here either.
      await claimAttemptOrThrottle(actor.username, request.ip, clock.now(), reply);
      const account = await db
        .selectFrom('account')
        .select(['password_hash'])
        .where('person_id', '=', actor.personId)
        .executeTakeFirstOrThrow();
      if (!(await verifyPassword(account.password_hash, currentPassword))) {
        await recordAudit(db, clock.now(), {
          actorId: actor.personId,
          scopePath: homePathOf(actor),
          action: 'auth.password_change_failed',
          targetType: 'person',
          targetId: actor.personId,
        });
        throw INVALID_CREDENTIALS;
      }
      await settleSuccessfulAttempt(db, actor.username, request.ip);
      const problem = passwordProblem({
        password: newPassword,
        username: actor.username,
        currentPassword,
      });
      if (problem === 'same_as_current') {
        throw new AppError(
          400,
          'password_reused',
          'Choose a password different from the current one.',
        );
      }
      if (problem) {
        throw new AppError(
          400,
          'password_too_weak',
          'Choose a password of at least 12 characters that does not contain your username.',
        );
      }
      const now = clock.now();
      const passwordHash = await hashPassword(newPassword);
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('account')
          .set({
            password_hash: passwordHash,
            must_change_password: 0,
            password_changed_at: now.toISOString(),
          })
          .where('person_id', '=', actor.personId)
          .execute();
        await recordAudit(trx, now, {
          actorId: actor.personId,
          scopePath: homePathOf(actor),
          action: 'auth.password_changed',
          targetType: 'person',
          targetId: actor.personId,
        });
      });
      // A new session id after a credential change (ASVS 7.2).
      const session = {
        personId: actor.personId,
        authenticatedAt: request.session.authenticatedAt,
      };
      await request.session.regenerate();
      Object.assign(request.session, session, { lastSeenAt: now.getTime() });
      // Anyone else holding an old session of this person (a forgotten station PC) is logged out.
      await endSessionsOf(db, actor.personId, request.session.sessionId);
      return reply.status(204).send(null);
    },
  );
}
