import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifySession from '@fastify/session';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from '@teamspiegel/db';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import { databaseSessionStore, sweepExpiredSessions } from './session-store.ts';

declare module 'fastify' {
  interface Session {
    personId?: string;
    /** When the person logged in (ms); the absolute timeout runs from here. */
    authenticatedAt?: number;
    /** Last request (ms), refreshed at most once a minute; the idle timeout runs from here. */
    lastSeenAt?: number;
    _csrf?: string;
  }
}

/** The session cookie's name: `__Host-` in production binds it to this exact origin over HTTPS. */
export function sessionCookieName(config: Config): string {
  return config.nodeEnv === 'production' ? '__Host-teamspiegel' : 'teamspiegel';
}

export const sessionPlugin = fp(
  async (app: FastifyInstance, opts: { db: Db; config: Config; clock: Clock }) => {
    const { db, config, clock } = opts;
    const idleMs = config.sessionIdleMinutes * 60_000;
    await app.register(fastifyCookie);
    await app.register(fastifySession, {
      secret: config.sessionSecret,
      cookieName: sessionCookieName(config),
      store: databaseSessionStore(db, clock, idleMs),
      saveUninitialized: false,
      // Saved only when changed: the authz hook refreshes lastSeenAt at most once a minute,
      // which keeps the row alive; the idle timeout itself is enforced on the server.
      rolling: false,
      cookie: {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: config.nodeEnv === 'production',
        maxAge: config.sessionAbsoluteHours * 3_600_000,
      },
    });
    await app.register(fastifyCsrf, {
      sessionPlugin: '@fastify/session',
      // Only the header: a token in a form field or the query string could leak into logs.
      getToken: (request) => request.headers['x-csrf-token'] as string | undefined,
    });

    await sweepExpiredSessions(db, clock.now());
    const sweeper = setInterval(() => {
      sweepExpiredSessions(db, clock.now()).catch((err: unknown) =>
        app.log.warn({ err }, 'session sweep failed'),
      );
    }, 10 * 60_000);
    sweeper.unref();
    app.addHook('onClose', () => clearInterval(sweeper));
  },
);
