/**
 * Prometheus metrics (GET /metrics): how the server is doing, never how the survey is going.
 *
 * What is here: process metrics (prom-client's default collectors), HTTP requests of the
 * administration, results and health routes by route pattern and status class with their
 * duration, waves by state, the key generation of preparing waves, when the scheduler and its
 * daily retention last ran and the database size.
 *
 * What is not, on purpose (INV-6, A2, A14): nothing per person, cell, wave or team, no token,
 * submission, participation or login counters, and nothing that moves when one officer takes
 * part. The anonymous submission context (/submit) has no hook of ours at all (it is a sibling
 * context, which also keeps it free of any per-request work that could be correlated). Of the
 * logged-in API only an allow-list is counted (COUNTED_ROUTES): routes the answer journey never
 * calls. Everything an officer's browser requests on the way to answering is left out: the
 * login and logout, the CSRF token (the web app forgets it at login and fetches it lazily right
 * before taking the token, so that request is the token request's twin), the session and
 * language, one's open waves, the manifest, the support links, the team action shown in the
 * wave's intro (the results overview and a team's actions), the transparency pages the answer
 * page links to, and taking the token. A counter on any of them would rise, live and to the
 * second, as officers answer; an operator or a lead watching it beside the station could read
 * who just took part (A2, A14). An allow-list rather than a deny-list, so that a route added
 * later (or a new request of the answer page) is not counted until someone decides it may be.
 * Routes are labelled by their pattern, never the raw URL: ids in a URL would leak structure.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { sql } from 'kysely';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { Type } from 'typebox';
import type { Db } from '@teamspiegel/db';
import type { SchedulerStatus } from '../collection/scheduler.ts';
import type { Config } from '../config.ts';
import { AppError, notFound } from '../errors.ts';
import { errorResponses } from '../http.ts';

/**
 * The routes of the logged-in API that are counted, as `METHOD pattern`: administration,
 * results screens the answer page does not load, health. See the module comment for why only
 * these; ANSWER_JOURNEY_ROUTES must never appear here (metrics.test.ts walks that journey).
 */
export const COUNTED_ROUTES: ReadonlySet<string> = new Set([
  // health (probes and monitoring)
  'GET /api/v1/health',
  'GET /api/v1/health/ready',
  // organisation, people, roles
  'GET /api/v1/units',
  'GET /api/v1/units/:unitId',
  'POST /api/v1/units',
  'PATCH /api/v1/units/:unitId',
  'POST /api/v1/units/:unitId/archive',
  'GET /api/v1/people',
  'GET /api/v1/people/:personId',
  'POST /api/v1/people',
  'PATCH /api/v1/people/:personId',
  'POST /api/v1/people/:personId/deactivate',
  'POST /api/v1/people/:personId/account',
  'POST /api/v1/people/:personId/roles',
  'DELETE /api/v1/role-assignments/:assignmentId',
  'POST /api/v1/people/:personId/memberships',
  'POST /api/v1/memberships/:membershipId/end',
  // roster changes and HR import
  'GET /api/v1/roster-changes',
  'GET /api/v1/roster-changes/:changeId',
  'POST /api/v1/roster-changes/:changeId/approve',
  'POST /api/v1/roster-changes/:changeId/reject',
  'POST /api/v1/roster-changes/:changeId/withdraw',
  'POST /api/v1/imports',
  'GET /api/v1/imports',
  'GET /api/v1/imports/:importId',
  'GET /api/v1/imports/:importId/changes',
  'GET /api/v1/imports/:importId/rejected.csv',
  'POST /api/v1/imports/:importId/apply',
  // programmes, waves, content, settings, audit
  'GET /api/v1/programmes',
  'POST /api/v1/programmes',
  'GET /api/v1/waves',
  'GET /api/v1/waves/:waveId',
  'POST /api/v1/waves/:waveId/open',
  'POST /api/v1/waves/:waveId/close',
  'GET /api/v1/waves/:waveId/preview',
  'GET /api/v1/content/items',
  'GET /api/v1/content/packs',
  'POST /api/v1/content/packs/check',
  'POST /api/v1/content/packs',
  'GET /api/v1/settings',
  'PUT /api/v1/settings',
  'GET /api/v1/settings/history',
  'GET /api/v1/audit',
  'GET /api/v1/audit/export.csv',
  // results screens (not the overview or a team's actions: the answer page loads those)
  'GET /api/v1/results/waves/:waveId/nodes/:nodeId',
  'GET /api/v1/results/nodes/:nodeId/trend',
  'GET /api/v1/results/waves/:waveId/heatmap',
  'GET /api/v1/results/waves/:waveId/compare',
  'GET /api/v1/results/waves/:waveId/export.csv',
  'PUT /api/v1/results/nodes/:nodeId/actions',
]);

/**
 * What an officer's browser asks the logged-in API for on the way to answering (the login page,
 * the home page, the answer page with its lazy CSRF fetch, the transparency pages it links to,
 * a first password change, the logout). Never counted; listed for the test and for review.
 */
export const ANSWER_JOURNEY_ROUTES: ReadonlySet<string> = new Set([
  'GET /api/v1/auth/csrf',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/logout',
  'POST /api/v1/auth/password',
  'GET /api/v1/me',
  'PUT /api/v1/me/language',
  'GET /api/v1/me/waves',
  'GET /api/v1/me/support',
  'GET /api/v1/waves/:waveId/manifest',
  'POST /api/v1/waves/:waveId/tokens',
  'GET /api/v1/results/overview',
  'GET /api/v1/results/nodes/:nodeId/actions',
  'GET /api/v1/transparency/waves',
  'GET /api/v1/waves/:waveId/transparency',
]);

const WAVE_STATES = ['planned', 'preparing', 'open', 'closing', 'closed'] as const;

/**
 * The database size is reported in whole MiB: a response adds a few hundred bytes, so the figure
 * cannot follow single answers (a step now and then says only that something was written, and
 * sessions and audit lines write far more often).
 */
const SIZE_STEP = 1024 * 1024;

export interface Metrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status_class'>;
  duration: Histogram<'method' | 'route' | 'status_class'>;
}

/** One registry per app (tests build many apps in one process). */
export function createMetrics(opts: { db: Db; scheduler: SchedulerStatus }): Metrics {
  const { db, scheduler } = opts;
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  const requests = new Counter({
    name: 'teamspiegel_http_requests_total',
    help: 'Requests to the administration, results and health routes by route pattern and status class (nothing an officer asks for on the way to answering).',
    labelNames: ['method', 'route', 'status_class'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'teamspiegel_http_request_duration_seconds',
    help: 'Time to answer a counted request, by route pattern and status class.',
    labelNames: ['method', 'route', 'status_class'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });

  new Gauge({
    name: 'teamspiegel_waves',
    help: 'Waves by state, over all organisations.',
    labelNames: ['state'] as const,
    registers,
    async collect() {
      const rows = await db
        .selectFrom('wave')
        .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('state')
        .execute();
      const byState = new Map(rows.map((r) => [r.state, Number(r.n)]));
      for (const state of WAVE_STATES) this.set({ state }, byState.get(state) ?? 0);
    },
  });

  new Gauge({
    name: 'teamspiegel_key_generation_keys',
    help: 'Signing keys of the waves now preparing: generated ("done") and needed ("total").',
    labelNames: ['progress'] as const,
    registers,
    async collect() {
      const row = await db
        .selectFrom('wave')
        .select((eb) => [
          eb.fn.coalesce(eb.fn.sum<number>('keys_done'), sql<number>`0`).as('done'),
          eb.fn.coalesce(eb.fn.sum<number>('keys_total'), sql<number>`0`).as('total'),
        ])
        .where('state', '=', 'preparing')
        .executeTakeFirstOrThrow();
      this.set({ progress: 'done' }, Number(row.done));
      this.set({ progress: 'total' }, Number(row.total));
    },
  });

  new Gauge({
    name: 'teamspiegel_scheduler_last_run_timestamp_seconds',
    help: 'When the scheduler last finished a run looking at the waves (0: not yet).',
    registers,
    collect() {
      this.set(scheduler.lastRunAt ? scheduler.lastRunAt.getTime() / 1000 : 0);
    },
  });

  new Gauge({
    name: 'teamspiegel_retention_last_run_timestamp_seconds',
    help: 'When the daily jobs (retention) last ran to the end (0: not since start).',
    registers,
    collect() {
      this.set(scheduler.lastDailyAt ? scheduler.lastDailyAt.getTime() / 1000 : 0);
    },
  });

  new Gauge({
    name: 'teamspiegel_database_size_bytes',
    help: 'Size of the database (pages in use and free), rounded down to whole MiB.',
    registers,
    async collect() {
      // SQLite's own count of pages; another dialect leaves the gauge out rather than fail.
      const bytes = await sql<{ bytes: number }>`
        select page_count * page_size as bytes from pragma_page_count(), pragma_page_size()
      `
        .execute(db)
        .then(({ rows }) => Number(rows[0]?.bytes ?? 0))
        .catch(() => null);
      if (bytes !== null) this.set(Math.floor(bytes / SIZE_STEP) * SIZE_STEP);
    },
  });

  return { registry, requests, duration };
}

/**
 * Counts the requests of the context it is registered in (the logged-in API) whose route is in
 * COUNTED_ROUTES; every other request (unmatched URLs included) is not counted.
 */
export const httpMetricsPlugin = fp((app: FastifyInstance, opts: { metrics: Metrics }) => {
  const { requests, duration } = opts.metrics;
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url;
    if (route === undefined || !COUNTED_ROUTES.has(`${request.method} ${route}`)) return;
    const labels = {
      method: request.method,
      route,
      status_class: `${Math.floor(reply.statusCode / 100)}xx`,
    };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });
});

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Constant-time check of `Authorization: Bearer <token>` (hashes make the lengths equal). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer ([^\s]+)$/.exec(header ?? '');
  const given = digest(match?.[1] ?? '');
  return timingSafeEqual(given, digest(token)) && match !== null;
}

/**
 * GET /metrics, outside the logged-in API's context (no session, no cookie): only with the
 * configured bearer token; without one configured, the endpoint does not exist (404).
 */
export function metricsRoutes(
  app: FastifyInstance,
  opts: { config: Config; metrics: Metrics },
  done: (err?: Error) => void,
) {
  const { config, metrics } = opts;
  app.get(
    '/metrics',
    {
      config: { permission: 'public' },
      schema: {
        hide: true,
        response: { 200: Type.String(), ...errorResponses },
      },
    },
    async (request, reply) => {
      if (config.metricsToken === null) throw notFound('That page');
      if (!bearerMatches(request.headers.authorization, config.metricsToken)) {
        reply.header('www-authenticate', 'Bearer');
        throw new AppError(401, 'unauthenticated', 'The metrics token is missing or wrong.');
      }
      reply.header('content-type', metrics.registry.contentType);
      reply.header('cache-control', 'no-store');
      return metrics.registry.metrics();
    },
  );
  done();
}
