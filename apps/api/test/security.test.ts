import { randomUUID } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { sql } from 'kysely';
import type { MeResponse, PersonDetail } from '@teamspiegel/contracts';
import { DEMO_PASSWORD, withTestApp } from './helpers.ts';
import {
  Browser,
  browserAs,
  errorOf,
  expectRefused,
  MINUTE,
  personIdByUsername,
  refusalChecks,
  unitIdByCode,
  unitPath,
  zoneAdminAccount,
} from './support.ts';

const security = suite('security');
const t = withTestApp(security);
let admin: Browser;
let zoneAdmin: Browser;
let teamId: string;

security.before(async () => {
  const zone = await zoneAdminAccount(t.db);
  zoneAdmin = await browserAs(t.app, zone.username);
  admin = await browserAs(t.app, 'demo-admin');
  teamId = await unitIdByCode(t.db, 'NL-NH-ZW-ZAA-NHB');
});

/** Refused requests here must leave units, people, memberships and the audit log alone. */
const { unchanged, expectRefusedWithoutChange } = refusalChecks(t, [
  'unit',
  'person',
  'membership',
]);

/** The admin sends a raw body that is not a JSON object. */
const sendRaw = (method: 'POST' | 'PATCH', url: string, payload: string, contentType: string) =>
  admin.request(method, url, undefined, {}, { payload, contentType });

/** The admin renames the test team, with some request headers changed or removed. */
const renameTeam = (name: string, headers: Record<string, string | undefined>) =>
  admin.request('PATCH', `/api/v1/units/${teamId}`, { name }, headers);

const newPerson = (employeeNumber: string) => ({
  employeeNumber,
  givenName: 'Eva',
  familyName: 'Jansen',
  email: `${employeeNumber.toLowerCase()}@politie.example`,
  language: 'nl',
});

security('malformed JSON is refused with 400 malformed_json', () =>
  expectRefusedWithoutChange(
    () =>
      sendRaw('PATCH', `/api/v1/units/${teamId}`, '{"name": "Nieuwe naam",', 'application/json'),
    400,
    'malformed_json',
  ),
);

security('a value of the wrong type is refused, not coerced', () =>
  unchanged(async () => {
    for (const response of [
      await admin.patch(`/api/v1/units/${teamId}`, { name: 123 }),
      await admin.post('/api/v1/people', { ...newPerson('X'), employeeNumber: 40404 }),
      await admin.post('/api/v1/people', { ...newPerson('BOOL-1'), language: true }),
    ]) {
      expectRefused(response, 400, 'validation_failed');
    }
  }),
);

security('unknown fields in a body are refused', () =>
  unchanged(async () => {
    for (const response of [
      await admin.patch(`/api/v1/units/${teamId}`, { name: 'Noodhulp B2', archivedAt: null }),
      await admin.post('/api/v1/people', { ...newPerson('EXTRA-1'), passwordHash: 'x' }),
    ]) {
      expectRefused(response, 400, 'validation_failed');
    }
  }),
);

security('a body over 100 KB is refused with 413 payload_too_large', () =>
  expectRefusedWithoutChange(
    () =>
      admin.post('/api/v1/people', { ...newPerson('BIG-1'), givenName: 'x'.repeat(110 * 1024) }),
    413,
    'payload_too_large',
  ),
);

security('a body that is not JSON is refused with 415', () =>
  expectRefusedWithoutChange(
    () =>
      sendRaw(
        'POST',
        '/api/v1/people',
        '<person><employeeNumber>XML-1</employeeNumber></person>',
        'application/xml',
      ),
    415,
    'unsupported_media_type',
  ),
);

security('unknown ids are 404 not_found', () =>
  unchanged(async () => {
    const missing = randomUUID();
    for (const response of [
      await admin.get(`/api/v1/units/${missing}`),
      await admin.patch(`/api/v1/units/${missing}`, { name: 'Spook' }),
      await admin.get(`/api/v1/people/${missing}`),
      await admin.post(`/api/v1/memberships/${missing}/end`, { leftOn: '2026-12-01' }),
      await admin.delete(`/api/v1/role-assignments/${missing}`),
    ]) {
      expectRefused(response, 404, 'not_found');
    }
  }),
);

security('an id that is not a uuid is 400', () =>
  unchanged(async () => {
    for (const response of [
      await admin.get('/api/v1/units/not-a-uuid'),
      await admin.get('/api/v1/people/1%20OR%201=1'),
      await admin.patch('/api/v1/units/123', { name: 'x' }),
    ]) {
      expectRefused(response, 400, 'validation_failed');
    }
  }),
);

security('an admin of the zone only cannot read or rename a corps unit', () =>
  unchanged(async () => {
    const district = await unitIdByCode(t.db, 'NL-NH-ZW');
    expectRefused(await zoneAdmin.get(`/api/v1/units/${district}`), 403, 'forbidden');
    expectRefused(
      await zoneAdmin.patch(`/api/v1/units/${district}`, { name: 'Overgenomen' }),
      403,
      'forbidden',
    );
    const list = await zoneAdmin.get('/api/v1/units');
    assert.is(list.statusCode, 200);
    assert.not.ok(list.json<{ items: { id: string }[] }>().items.some((u) => u.id === district));
  }),
);

security('an admin of the zone only cannot read or edit a corps person', () =>
  unchanged(async () => {
    const officer = await personIdByUsername(t.db, 'demo-officer');
    const membership = await t.db
      .selectFrom('membership')
      .select('id')
      .where('person_id', '=', officer)
      .executeTakeFirstOrThrow();
    for (const response of [
      await zoneAdmin.get(`/api/v1/people/${officer}`),
      await zoneAdmin.patch(`/api/v1/people/${officer}`, { familyName: 'Anders' }),
      await zoneAdmin.post(`/api/v1/memberships/${membership.id}/end`, { leftOn: '2026-12-01' }),
    ]) {
      expectRefused(response, 403, 'forbidden');
    }
  }),
);

security('an admin of the zone only cannot read a former corps officer (no current unit)', () =>
  unchanged(async () => {
    // A Dutch leaver: their only memberships were in corps units and have ended.
    const corpsPath = await unitPath(t.db, 'NL');
    const leaver = await t.db
      .selectFrom('person')
      .select('person.id')
      .where('person.employee_number', 'like', 'NL%')
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('membership')
              .select('membership.id')
              .whereRef('membership.person_id', '=', 'person.id')
              .where('membership.left_on', 'is', null),
          ),
        ),
      )
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('membership')
            .innerJoin('unit', 'unit.id', 'membership.unit_id')
            .select('membership.id')
            .whereRef('membership.person_id', '=', 'person.id')
            .where('unit.path', 'like', `${corpsPath}%`),
        ),
      )
      .executeTakeFirstOrThrow();
    expectRefused(
      await zoneAdmin.get(`/api/v1/people/${leaver.id}`),
      403,
      'forbidden',
      'the zone admin sees the corps history of a Dutch leaver',
    );
    const search = await zoneAdmin.get('/api/v1/people?includeInactive=true&q=NL&pageSize=100');
    assert.is(search.statusCode, 200);
    assert.is(
      search.json<{ total: number }>().total,
      0,
      'the zone admin finds Dutch people by search',
    );
  }),
);

security('a chief cannot read a unit of another district', async () => {
  const chief = await browserAs(t.app, 'demo-chief');
  await unchanged(async () => {
    const other = await unitIdByCode(t.db, 'NL-NH-KEN');
    expectRefused(await chief.get(`/api/v1/units/${other}`), 403, 'forbidden');
    const otherTeam = await unitIdByCode(t.db, 'NL-NH-KEN-HLM-NHA');
    assert.is((await chief.get(`/api/v1/units/${otherTeam}`)).statusCode, 403);
    // Its own district it does read.
    assert.is(
      (await chief.get(`/api/v1/units/${await unitIdByCode(t.db, 'NL-NH-ZW')}`)).statusCode,
      200,
    );
  });
});

security('a state-changing request without a CSRF token is refused', () =>
  expectRefusedWithoutChange(
    () => renameTeam('Zonder token', { 'x-csrf-token': undefined }),
    403,
    'csrf_invalid',
  ),
);

security('a wrong CSRF token is refused', () =>
  expectRefusedWithoutChange(
    () => renameTeam('Verkeerd token', { 'x-csrf-token': 'abc123-not-a-token' }),
    403,
    'csrf_invalid',
  ),
);

security('a CSRF token of another session is refused', async () => {
  const attacker = await browserAs(t.app, 'demo-council');
  await unchanged(async () => {
    const foreignToken = attacker.csrf;
    assert.ok(foreignToken);
    // A pre-login token of an anonymous visitor is no better.
    const anonymousToken = await new Browser(t.app).csrfToken();
    for (const token of [foreignToken, anonymousToken]) {
      const response = await renameTeam('Token van een ander', { 'x-csrf-token': token });
      expectRefused(response, 403, 'csrf_invalid');
    }
  });
});

security('a request from another origin is refused with origin_mismatch', () =>
  unchanged(async () => {
    for (const origin of ['https://evil.example', 'http://localhost:3000.evil.example', 'null']) {
      expectRefused(await renameTeam('Van elders', { origin }), 403, 'origin_mismatch', origin);
    }
  }),
);

security('a state-changing request without an Origin header is refused', () =>
  unchanged(async () => {
    const response = await renameTeam('Zonder origin', { origin: undefined });
    expectRefused(response, 403, 'origin_mismatch');
    // Login too (a forged login would plant the attacker's session).
    const login = await new Browser(t.app).request(
      'POST',
      '/api/v1/auth/login',
      { username: 'demo-admin', password: DEMO_PASSWORD },
      { origin: undefined },
    );
    expectRefused(login, 403, 'origin_mismatch');
  }),
);

security('an expired session cannot change anything', async () => {
  const browser = await browserAs(t.app, 'demo-admin');
  t.clock.advance(31 * MINUTE);
  await expectRefusedWithoutChange(
    () => browser.patch(`/api/v1/units/${teamId}`, { name: 'Na de time-out' }),
    401,
    'session_expired',
  );
  // The shared admin session of this file timed out too; log in again.
  admin = await browserAs(t.app, 'demo-admin');
  zoneAdmin = await browserAs(t.app, (await zoneAdminAccount(t.db)).username);
});

security(
  'responses carry a strict Content-Security-Policy and the other security headers',
  async () => {
    for (const response of [
      await admin.get('/api/v1/me'),
      await new Browser(t.app).get('/api/v1/me'),
    ]) {
      const csp = String(response.headers['content-security-policy']);
      assert.match(csp, /default-src 'self'/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.match(csp, /object-src 'none'/);
      const scriptSrc = csp.split(';').find((d) => d.trim().startsWith('script-src')) ?? '';
      assert.ok(scriptSrc, 'script-src is set');
      assert.not.match(scriptSrc, /unsafe-inline|unsafe-eval|\*/);
      assert.is(response.headers['x-content-type-options'], 'nosniff');
      assert.is(response.headers['referrer-policy'], 'no-referrer');
      assert.is(response.headers['cache-control'], 'no-store');
    }
  },
);

security('API errors are not cacheable either', async () => {
  const response = await new Browser(t.app).get(`/api/v1/units/${teamId}`);
  assert.is(response.statusCode, 401);
  assert.is(response.headers['cache-control'], 'no-store');
  const missing = await new Browser(t.app).get('/api/v1/nothing-here');
  expectRefused(missing, 404, 'not_found');
  assert.is(missing.headers['cache-control'], 'no-store');
});

security('a server fault answers 500 with a generic body that reveals nothing', async () => {
  await sql`ALTER TABLE login_throttle RENAME TO login_throttle_hidden`.execute(t.db);
  try {
    const response = await new Browser(t.app, { remoteAddress: '10.9.0.1' }).login(
      'demo-admin',
      'whatever-password',
    );
    assert.is(response.statusCode, 500);
    assert.equal(Object.keys(response.json<object>()).sort(), ['code', 'message']);
    assert.is(errorOf(response).code, 'internal_error');
    assert.not.match(response.body, /login_throttle|sqlite|no such table|at \/|\.ts|stack/i);
    assert.is(response.headers['cache-control'], 'no-store');
  } finally {
    await sql`ALTER TABLE login_throttle_hidden RENAME TO login_throttle`.execute(t.db);
  }
});

security('the OpenAPI document is public and lists the units and people paths', async () => {
  const response = await new Browser(t.app).get('/api/v1/openapi.json');
  assert.is(response.statusCode, 200);
  const doc = response.json<{ openapi: string; paths: Record<string, unknown> }>();
  assert.match(doc.openapi, /^3\./);
  for (const path of [
    '/api/v1/units',
    '/api/v1/people',
    '/api/v1/units/{unitId}',
    '/api/v1/people/{personId}',
  ]) {
    assert.ok(doc.paths[path], `${path} is documented`);
  }
  assert.not.ok(doc.paths['/api/v1/openapi.json'], 'the document itself is hidden');
});

security(
  'a person detail holds exactly the documented fields: no password hash, no account internals',
  async () => {
    const officer = await personIdByUsername(t.db, 'demo-officer');
    const response = await admin.get(`/api/v1/people/${officer}`);
    assert.is(response.statusCode, 200);
    const person = response.json<PersonDetail>();
    assert.equal(Object.keys(person).sort(), [
      'active',
      'createdAt',
      'email',
      'employeeNumber',
      'familyName',
      'givenName',
      'id',
      'language',
      'memberships',
      'roleAssignments',
      'username',
    ]);
    assert.is(person.username, 'demo-officer');
    assert.not.match(response.body, /argon2|password|must_change|mustChange/i);
  },
);

security('/me holds exactly the documented fields', async () => {
  const response = await admin.get('/api/v1/me');
  const me = response.json<MeResponse>();
  assert.equal(Object.keys(me).sort(), [
    'mustChangePassword',
    'permissions',
    'person',
    'roles',
    'username',
  ]);
  assert.equal(Object.keys(me.person).sort(), [
    'email',
    'employeeNumber',
    'familyName',
    'givenName',
    'id',
    'language',
  ]);
  assert.not.match(response.body, /argon2|password_hash|passwordHash/i);
});

security.run();
