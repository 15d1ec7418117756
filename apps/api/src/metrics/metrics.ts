/**
 * Prometheus metrics (GET /metrics): how the server is doing, never how the survey is going.
 *
 * What is here: process metrics (prom-client's default collectors), HTTP requests of the
 * logged-in API by route pattern and status class with their duration, waves by state, the key
 * generation of preparing waves, when the scheduler and its daily retention last ran and the
 * database size.
 *
 * What is not, on purpose (INV-6, A2, A14): nothing per person, cell, wave or team, no token,
 * submission, participation or login counters, and nothing that moves when one officer takes
 * part. The anonymous submission context (/submit) has no hook of ours at all (it is a sibling
 * context, which also keeps it free of any per-request work that could be correlated), and the
 * logged-in routes only the answer page uses are not counted either: one's open waves, the
 * wave's manifest, the support links and taking a token. A counter on them would rise, live and
 * to the second, as officers answer; an operator or a lead watching it beside the station could
 * read who just took part (A2, A14). Routes the answer page shares with the results screens
 * (the overview, a team's actions) are counted: that someone opened a page says nothing about
 * answering, and the reverse proxy's access log holds page loads anyway.
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

/** Routes whose use tracks taking part in a wave: never counted (see the module comment). */
export const UNCOUNTED_ROUTES: ReadonlySet<string> = new Set([
  '/api/v1/me/waves',
  '/api/v1/me/support',
  '/api/v1/waves/:waveId/manifest',
  '/api/v1/waves/:waveId/tokens',
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
    help: 'Requests to the logged-in API by route pattern and status class (taking part is not counted).',
    labelNames: ['method', 'route', 'status_class'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'teamspiegel_http_request_duration_seconds',
    help: 'Time to answer a request of the logged-in API, by route pattern and status class.',
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
 * Counts the requests of the context it is registered in (the logged-in API), except the routes
 * of taking part.
 */
export const httpMetricsPlugin = fp((app: FastifyInstance, opts: { metrics: Metrics }) => {
  const { requests, duration } = opts.metrics;
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url;
    if (route !== undefined && UNCOUNTED_ROUTES.has(route)) return;
    const labels = {
      method: request.method,
      route: route ?? 'unmatched',
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
