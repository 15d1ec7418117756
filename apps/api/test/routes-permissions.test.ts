import { test } from 'uvu';
import * as assert from 'uvu/assert';
import Fastify from 'fastify';
import { PERMISSIONS } from '@teamspiegel/contracts';
import { MissingPermissionError, routePermissionsPlugin } from '../src/plugins/authz.ts';
import { withTestApp } from './helpers.ts';
import { Browser, browserAs, expectRefused } from './support.ts';

const t = withTestApp(test);

const PUBLIC = new Set([
  '/api/v1/auth/login',
  '/api/v1/auth/csrf',
  '/api/v1/openapi.json',
  '/api/v1/health',
  '/api/v1/health/ready',
]);

test('every registered route declares a known permission', () => {
  assert.ok(t.app.routePermissions.length > 20, 'routes were enumerated');
  for (const route of t.app.routePermissions) {
    assert.ok(route.permission, `${route.method} ${route.url} declares no permission`);
    assert.ok(PERMISSIONS.includes(route.permission), `${route.url}: unknown permission`);
  }
});

test('only login, csrf, openapi and health (liveness, readiness) are public under /api', () => {
  const publicApi = t.app.routePermissions
    .filter((r) => r.url.startsWith('/api/') && r.permission === 'public')
    .map((r) => r.url);
  assert.equal([...new Set(publicApi)].sort(), [...PUBLIC].sort());
});

test('the app refuses to start when a route declares no permission', async () => {
  const app = Fastify();
  app.register(routePermissionsPlugin);
  // In a context of its own, like the anonymous submission routes: the check still applies.
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

/** Sends each route, with an empty body where it takes one, and expects the same refusal. */
async function expectEachRefused(
  browser: Browser,
  routes: typeof t.app.routePermissions,
  status: number,
  code: string,
) {
  for (const route of routes) {
    const response = await browser.request(
      route.method as 'GET',
      concrete(route.url),
      route.method === 'GET' ? undefined : {},
    );
    expectRefused(response, status, code, `${route.method} ${route.url}`);
  }
}

test('an anonymous request to any non-public /api route gets 401', async () => {
  const nonPublic = t.app.routePermissions.filter(
    (r) => r.url.startsWith('/api/') && r.permission !== 'public' && r.method !== 'HEAD',
  );
  await expectEachRefused(new Browser(t.app), nonPublic, 401, 'unauthenticated');
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
  await expectEachRefused(officer, adminRoutes, 403, 'forbidden');
});

test.run();
