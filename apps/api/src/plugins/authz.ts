import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Permission } from '@teamspiegel/contracts';
import type { Db } from '@teamspiegel/db';
import { type Actor, loadActor } from '../access.repository.ts';
import { type Clock, dateOf } from '../clock.ts';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import { sessionCookieName } from './session.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Deny by default: a route without a permission makes the app refuse to start. */
    permission?: Permission;
    /**
     * The few routes a person with a temporary password may use before choosing a new one
     * (who am I, language, change password, log out). Every other logged-in route refuses.
     */
    beforePasswordChange?: boolean;
  }
  interface FastifyRequest {
    actor: Actor | null;
  }
  interface FastifyInstance {
    /** Every route registered so far with the permission it declared (for the deny-by-default test). */
    routePermissions: { method: string; url: string; permission: Permission | undefined }[];
  }
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const LAST_SEEN_RESOLUTION_MS = 60_000;

export class MissingPermissionError extends Error {}

/** The actor of a route that requires a login; the hooks guarantee it is there. */
export function actorOf(request: Pick<FastifyRequest, 'actor'>): Actor {
  if (!request.actor) throw new AppError(401, 'unauthenticated', 'Please log in.');
  return request.actor;
}

/**
 * Deny by default, for the whole app: every route, in every context (the API, the anonymous
 * submission context, the web app), must declare a permission or the app refuses to start.
 */
export const routePermissionsPlugin = fp((app: FastifyInstance) => {
  app.decorate('routePermissions', []);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const permission = route.config?.permission;
    for (const method of methods) app.routePermissions.push({ method, url: route.url, permission });
    if (!permission) {
      throw new MissingPermissionError(
        `route ${methods.join(',')} ${route.url} declares no permission`,
      );
    }
  });
});

/**
 * Authentication, CSRF, Origin and permission checks for the logged-in API. Registered only
 * in the API's context: the anonymous submission context never sees a session.
 */
export const authzPlugin = fp(
  (app: FastifyInstance, opts: { db: Db; config: Config; clock: Clock }) => {
    const { db, config, clock } = opts;
    const allowedOrigins = new Set([config.publicOrigin, ...config.extraOrigins]);
    const cookieName = sessionCookieName(config);
    const idleMs = config.sessionIdleMinutes * 60_000;
    const absoluteMs = config.sessionAbsoluteHours * 3_600_000;

    app.decorateRequest('actor', null);

    const csrfCheck = (request: FastifyRequest, reply: FastifyReply) =>
      new Promise<void>((resolve, reject) => {
        app.csrfProtection(request, reply, (err?: Error) => (err ? reject(err) : resolve()));
      });

    const expire = async (request: FastifyRequest, code: 'unauthenticated' | 'session_expired') => {
      await request.session.destroy();
      throw new AppError(
        401,
        code,
        code === 'session_expired'
          ? 'Your session has ended. Please log in again.'
          : 'Please log in.',
      );
    };

    app.addHook('onRequest', async (request, reply) => {
      if (request.is404) return;
      const permission = request.routeOptions.config.permission;
      if (!permission) throw new AppError(403, 'forbidden', 'You do not have access to this.');
      const changesState = STATE_CHANGING.has(request.method);

      // 1. Origin (ASVS 50.x, CSRF defence in depth): browsers always send it on these methods.
      if (changesState && !allowedOrigins.has(request.headers.origin ?? '')) {
        throw new AppError(
          403,
          'origin_mismatch',
          'This request did not come from Teamspiegel itself.',
        );
      }

      // 2. Authentication, with idle and absolute timeouts measured on our own clock.
      if (permission !== 'public') {
        const session = request.session;
        if (!session.personId || !session.authenticatedAt) {
          // A cookie whose session the store no longer has (not even a pre-login CSRF secret)
          // is a session that timed out or was ended elsewhere.
          const lost = request.cookies[cookieName] !== undefined && session._csrf === undefined;
          throw new AppError(
            401,
            lost ? 'session_expired' : 'unauthenticated',
            lost ? 'Your session has ended. Please log in again.' : 'Please log in.',
          );
        }
        const now = clock.now().getTime();
        const lastSeen = session.lastSeenAt ?? session.authenticatedAt;
        if (now - lastSeen > idleMs || now - session.authenticatedAt > absoluteMs) {
          return expire(request, 'session_expired');
        }
        const actor = await loadActor(db, session.personId, dateOf(clock.now()));
        if (!actor) return expire(request, 'unauthenticated');
        request.actor = actor;
        if (now - lastSeen > LAST_SEEN_RESOLUTION_MS) session.lastSeenAt = now;
      }

      // 3. CSRF token on every state-changing request, login included (login CSRF).
      if (changesState) await csrfCheck(request, reply);

      // 4. Permission. A person with a temporary password may only change it: whoever set it
      // (an administrator resetting it, say) must not be able to read results with it.
      if (permission === 'public') return;
      const actor = request.actor;
      if (actor?.mustChangePassword && !request.routeOptions.config.beforePasswordChange) {
        throw new AppError(403, 'password_change_required', 'Please choose a new password first.');
      }
      if (permission === 'session') return;
      if (!actor?.permissions.includes(permission)) {
        throw new AppError(403, 'forbidden', 'You do not have access to this.');
      }
    });
  },
);
