import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Db } from '@teamspiegel/db';
import { auditRoutes } from './audit/audit.routes.ts';
import { contentRoutes } from './collection/content.routes.ts';
import { officerRoutes } from './collection/officer.routes.ts';
import { programmeRoutes } from './collection/programmes.routes.ts';
import { createScheduler, schedulerPlugin, type Scheduler } from './collection/scheduler.ts';
import { submitRoutes } from './collection/submit.routes.ts';
import { waveRoutes } from './collection/waves.routes.ts';
import { createWaveRunner, type WaveRunner } from './collection/waves.service.ts';
import type { KeySource } from './collection/crypto/keys.ts';
import { authRoutes } from './auth/auth.routes.ts';
import { badRequest } from './errors.ts';
import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import { healthRoutes } from './health.routes.ts';
import { importRoutes } from './import/import.routes.ts';
import { createMetrics, httpMetricsPlugin, metricsRoutes } from './metrics/metrics.ts';
import { meRoutes } from './me/me.routes.ts';
import { unitRoutes } from './org/units.routes.ts';
import { membershipRoutes } from './people/memberships.routes.ts';
import { peopleRoutes } from './people/people.routes.ts';
import { roleRoutes } from './people/roles.routes.ts';
import { authzPlugin, routePermissionsPlugin } from './plugins/authz.ts';
import { errorsPlugin } from './plugins/errors.ts';
import { openapiPlugin, openapiRoutes } from './plugins/openapi.ts';
import { securityPlugin } from './plugins/security.ts';
import { settingsRoutes } from './settings/settings.routes.ts';
import { sessionPlugin } from './plugins/session.ts';
import { actionRoutes } from './results/actions.routes.ts';
import { resultsRoutes } from './results/results.routes.ts';
import { runRetention } from './retention/retention.service.ts';
import { rosterRoutes } from './roster/roster.routes.ts';
import { readWebBuild, webRoutes } from './web/web.routes.ts';
import { transparencyRoutes } from './transparency/transparency.routes.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The wave lifecycle: prepare, open, close, the scheduler's tick. */
    waves: WaveRunner;
    /** The schedule's runs (waves, then the daily retention) and when it last ran. */
    scheduler: Scheduler;
  }
}

export interface AppDeps {
  db: Db;
  config: Config;
  clock: Clock;
  /** Where wave signing keys come from; the worker pool unless given (the demo history). */
  keySource?: KeySource;
}

/**
 * Request bodies are validated strictly (no type coercion, unknown properties rejected);
 * query strings and path parameters coerce, since they arrive as text.
 */
function validators() {
  const common = { allErrors: false, useDefaults: true, removeAdditional: false as const };
  const body = addFormats.default(new Ajv.default({ ...common, coerceTypes: false }));
  const text = addFormats.default(new Ajv.default({ ...common, coerceTypes: 'array' }));
  return { body, text };
}

/** Builds the whole application without listening; tests use it with app.inject(). */
export async function buildApp({
  db,
  config,
  clock,
  keySource,
}: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: config.logLevel },
    bodyLimit: config.bodyLimitBytes,
    // A hop count becomes proxy-addr's trust function: the nearest n hops are our proxies.
    trustProxy:
      typeof config.trustProxy === 'number'
        ? (_address: string, hop: number) => hop < (config.trustProxy as number)
        : config.trustProxy,
  });
  const ajv = validators();
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? ajv.body : ajv.text).compile(schema),
  );

  // A route without a body schema takes no body (an empty JSON object at most): unknown
  // input is refused there as it is everywhere else.
  app.addHook('preValidation', async (request) => {
    if (request.routeOptions.schema?.body) return;
    const body: unknown = request.body;
    if (body === undefined || body === null) return;
    if (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0) return;
    throw badRequest('validation_failed', 'Invalid request: this request takes no body.');
  });

  const web = readWebBuild(config.webBuildDir);
  if (!web) app.log.warn(`no built web app in ${config.webBuildDir}; serving the API only`);

  await app.register(errorsPlugin);
  await app.register(openapiPlugin);
  await app.register(securityPlugin, {
    config,
    inlineSources: web?.inlineSources ?? { scriptSrc: [], styleSrc: [] },
  });
  await app.register(routePermissionsPlugin);

  const deps = { db, config, clock };
  const waves = createWaveRunner({ db, clock, config, log: app.log, keySource });
  app.decorate('waves', waves);
  const scheduler = createScheduler({
    waves,
    clock,
    log: app.log,
    intervalMs: config.schedulerIntervalMs,
    daily: async () => {
      const report = await runRetention({ db, clock });
      if (report.resultsRemoved.length || report.commentsRemoved.length) {
        app.log.info(report, 'retention removed expired results and comments');
      }
    },
  });
  app.decorate('scheduler', scheduler);
  const metrics = createMetrics({ db, scheduler: scheduler.status });
  // The logged-in API: cookies, sessions, CSRF and permissions live only in this context.
  await app.register(async (api) => {
    await api.register(sessionPlugin, deps);
    await api.register(authzPlugin, deps);
    await api.register(httpMetricsPlugin, { metrics });
    await api.register(healthRoutes, { ...deps, scheduler: scheduler.status });
    await api.register(openapiRoutes);
    await api.register(authRoutes, deps);
    await api.register(meRoutes, deps);
    await api.register(unitRoutes, deps);
    await api.register(peopleRoutes, deps);
    await api.register(membershipRoutes, deps);
    await api.register(roleRoutes, deps);
    await api.register(auditRoutes, deps);
    await api.register(programmeRoutes, deps);
    await api.register(waveRoutes, { db, waves });
    await api.register(officerRoutes, deps);
    await api.register(contentRoutes, deps);
    await api.register(resultsRoutes, deps);
    await api.register(actionRoutes, deps);
    // --- issue 6: roster freeze ---
    await api.register(rosterRoutes, deps);
    // --- issue 6: import ---
    await api.register(importRoutes, deps);
    // --- issue 6: settings ---
    await api.register(settingsRoutes, deps);
    // --- issue 6: transparency ---
    await api.register(transparencyRoutes, deps);
    // --- issue 6: works council audit ---
    // --- issue 6: operations ---
  });
  // Anonymous submission: a sibling context, so no cookie, session or CSRF plugin runs there.
  await app.register(submitRoutes, deps);
  // Operations: outside both contexts, with its own bearer token and no session.
  await app.register(metricsRoutes, { config, metrics });
  await app.register(schedulerPlugin, { scheduler, waves, intervalMs: config.schedulerIntervalMs });
  await app.register(webRoutes, { build: web });
  return app;
}
