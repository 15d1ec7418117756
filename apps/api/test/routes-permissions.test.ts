import { test } from 'uvu';
import * as assert from 'uvu/assert';
import Fastify from 'fastify';
import { PERMISSIONS } from '@teamspiegel/contracts';
import { authzPlugin, MissingPermissionError } from '../src/plugins/authz.ts';
import { buildTestApp, type TestApp } from './helpers.ts';
import { Browser, browserAs } from './support.ts';

let t: TestApp;
test.before(async () => {
  t = await buildTestApp();
});
test.after(async () => {
  await t.close();
});

const PUBLIC = new Set([
  '/api/v1/auth/login',
  '/api/v1/auth/csrf',
  '/api/v1/openapi.json',
  '/api/v1/health',
]);

test('every registered route declares a known permission', () => {
  assert.ok(t.app.routePermissions.length > 20, 'routes were enumerated');
  for (const route of t.app.routePermissions) {
    assert.ok(route.permission, `${route.method} ${route.url} declares no permission`);
    assert.ok(PERMISSIONS.includes(route.permission), `${route.url}: unknown permission`);
  }
});

test('only login, csrf, openapi and health are public under /api', () => {
  const publicApi = t.app.routePermissions
    .filter((r) => r.url.startsWith('/api/') && r.permission === 'public')
    .map((r) => r.url);
  assert.equal([...new Set(publicApi)].sort(), [...PUBLIC].sort());
});

test('the app refuses to start when a route declares no permission', async () => {
  const app = Fastify();
  app.register(authzPlugin, { db: t.db, config: t.config, clock: t.clock });
  app.register(async (scope) => {
    scope.get('/api/v1/forgotten', () => ({ leaked: true }));
  });
  let error: unknown;
  try {
    await app.ready();
  } catch (err) {
    error = err;
  }
  assert.instance(error, MissingPermissionError);
  await app.close().catch(() => undefined);
});

/** Fills path parameters with a syntactically valid id that exists nowhere. */
const concrete = (url: string) =>
  url.replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000');

test('an anonymous request to any non-public /api route gets 401', async () => {
  const anonymous = new Browser(t.app);
  for (const route of t.app.routePermissions) {
    if (!route.url.startsWith('/api/') || route.permission === 'public' || route.method === 'HEAD')
      continue;
    const response = await anonymous.request(
      route.method as 'GET',
      concrete(route.url),
      route.method === 'GET' ? undefined : {},
    );
    assert.is(response.statusCode, 401, `${route.method} ${route.url}`);
    assert.is(response.json<{ code: string }>().code, 'unauthenticated');
  }
});

test('an officer gets 403 on every administrator route', async () => {
  const officer = await browserAs(t.app, 'demo-officer');
  const adminRoutes = t.app.routePermissions.filter(
    (r) =>
      r.url.startsWith('/api/') &&
      r.permission !== 'public' &&
      r.permission !== 'session' &&
      r.method !== 'HEAD',
  );
  assert.ok(adminRoutes.length >= 15);
  for (const route of adminRoutes) {
    const response = await officer.request(
      route.method as 'GET',
      concrete(route.url),
      route.method === 'GET' ? undefined : {},
    );
    assert.is(response.statusCode, 403, `${route.method} ${route.url}`);
    assert.is(response.json<{ code: string }>().code, 'forbidden');
  }
});

test.run();
