import { randomUUID } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { sql } from 'kysely';
import type { MeResponse, PersonDetail } from '@teamspiegel/contracts';
import {
  auditCount,
  buildTestApp,
  DEMO_PASSWORD,
  personIdByUsername,
  unitIdByCode,
  type TestApp,
} from './helpers.ts';
import { Browser, browserAs, errorOf, MINUTE, tableSnapshot, zoneAdminAccount } from './support.ts';

const security = suite('security');
let t: TestApp;
let admin: Browser;
let zoneAdmin: Browser;
let teamId: string;

security.before(async () => {
  t = await buildTestApp();
  const zone = await zoneAdminAccount(t.db);
  zoneAdmin = await browserAs(t.app, zone.username);
  admin = await browserAs(t.app, 'demo-admin');
  teamId = await unitIdByCode(t.db, 'NL-NH-ZW-ZAA-NHB');
});
security.after(async () => {
  await t.close();
});

/** Runs a refused request and checks that units, people and the audit log did not change. */
async function unchanged(run: () => Promise<void>) {
  const [units, people, memberships, audit] = await Promise.all([
    tableSnapshot(t.db, 'unit'),
    tableSnapshot(t.db, 'person'),
    tableSnapshot(t.db, 'membership'),
    auditCount(t.db),
  ]);
  await run();
  assert.is(await tableSnapshot(t.db, 'unit'), units, 'unit table changed');
  assert.is(await tableSnapshot(t.db, 'person'), people, 'person table changed');
  assert.is(await tableSnapshot(t.db, 'membership'), memberships, 'membership table changed');
  assert.is(await auditCount(t.db), audit, 'audit log changed');
}

const newPerson = (employeeNumber: string) => ({
  employeeNumber,
  givenName: 'Eva',
  familyName: 'Jansen',
  email: `${employeeNumber.toLowerCase()}@politie.example`,
  language: 'nl',
});

security('malformed JSON is refused with 400 malformed_json', () =>
  unchanged(async () => {
    const response = await admin.request(
      'PATCH',
      `/api/v1/units/${teamId}`,
      undefined,
      {},
      {
        payload: '{"name": "Nieuwe naam",',
        contentType: 'application/json',
      },
    );
    assert.is(response.statusCode, 400);
    assert.is(errorOf(response).code, 'malformed_json');
  }),
);

security('a value of the wrong type is refused, not coerced', () =>
  unchanged(async () => {
    const rename = await admin.patch(`/api/v1/units/${teamId}`, { name: 123 });
    assert.is(rename.statusCode, 400);
    assert.is(errorOf(rename).code, 'validation_failed');
    const create = await admin.post('/api/v1/people', { ...newPerson('X'), employeeNumber: 40404 });
    assert.is(create.statusCode, 400);
    assert.is(errorOf(create).code, 'validation_failed');
    const flag = await admin.post('/api/v1/people', { ...newPerson('BOOL-1'), language: true });
    assert.is(flag.statusCode, 400);
    assert.is(errorOf(flag).code, 'validation_failed');
  }),
);

security('unknown fields in a body are refused', () =>
  unchanged(async () => {
    const response = await admin.patch(`/api/v1/units/${teamId}`, {
      name: 'Noodhulp B2',
      archivedAt: null,
    });
    assert.is(response.statusCode, 400);
    assert.is(errorOf(response).code, 'validation_failed');
    const person = await admin.post('/api/v1/people', {
      ...newPerson('EXTRA-1'),
      passwordHash: 'x',
    });
    assert.is(person.statusCode, 400);
    assert.is(errorOf(person).code, 'validation_failed');
  }),
);

security('a body over 100 KB is refused with 413 payload_too_large', () =>
  unchanged(async () => {
    const response = await admin.post('/api/v1/people', {
      ...newPerson('BIG-1'),
      givenName: 'x'.repeat(110 * 1024),
    });
    assert.is(response.statusCode, 413);
    assert.is(errorOf(response).code, 'payload_too_large');
  }),
);

security('a body that is not JSON is refused with 415', () =>
  unchanged(async () => {
    const response = await admin.request(
      'POST',
      '/api/v1/people',
      undefined,
      {},
      {
        payload: '<person><employeeNumber>XML-1</employeeNumber></person>',
        contentType: 'application/xml',
      },
    );
    assert.is(response.statusCode, 415);
    assert.is(errorOf(response).code, 'unsupported_media_type');
  }),
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
      assert.is(response.statusCode, 404, response.body);
      assert.is(errorOf(response).code, 'not_found');
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
      assert.is(response.statusCode, 400, response.body);
      assert.is(errorOf(response).code, 'validation_failed');
    }
  }),
);

security('an admin of the zone only cannot read or rename a corps unit', () =>
  unchanged(async () => {
    const district = await unitIdByCode(t.db, 'NL-NH-ZW');
    const read = await zoneAdmin.get(`/api/v1/units/${district}`);
    assert.is(read.statusCode, 403);
    assert.is(errorOf(read).code, 'forbidden');
    const rename = await zoneAdmin.patch(`/api/v1/units/${district}`, { name: 'Overgenomen' });
    assert.is(rename.statusCode, 403);
    assert.is(errorOf(rename).code, 'forbidden');
    const list = await zoneAdmin.get('/api/v1/units');
    assert.is(list.statusCode, 200);
    assert.not.ok(list.json<{ items: { id: string }[] }>().items.some((u) => u.id === district));
  }),
);

security('an admin of the zone only cannot read or edit a corps person', () =>
  unchanged(async () => {
    const officer = await personIdByUsername(t.db, 'demo-officer');
    const read = await zoneAdmin.get(`/api/v1/people/${officer}`);
    assert.is(read.statusCode, 403);
    assert.is(errorOf(read).code, 'forbidden');
    const edit = await zoneAdmin.patch(`/api/v1/people/${officer}`, { familyName: 'Anders' });
    assert.is(edit.statusCode, 403);
    assert.is(errorOf(edit).code, 'forbidden');
    const membership = await t.db
      .selectFrom('membership')
      .select('id')
      .where('person_id', '=', officer)
      .executeTakeFirstOrThrow();
    const end = await zoneAdmin.post(`/api/v1/memberships/${membership.id}/end`, {
      leftOn: '2026-12-01',
    });
    assert.is(end.statusCode, 403);
    assert.is(errorOf(end).code, 'forbidden');
  }),
);

security('an admin of the zone only cannot read a former corps officer (no current unit)', () =>
  unchanged(async () => {
    // A Dutch leaver: their only memberships were in corps units and have ended.
    const corpsPath = (
      await t.db
        .selectFrom('unit')
        .select('path')
        .where('code', '=', 'NL')
        .executeTakeFirstOrThrow()
    ).path;
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
    const read = await zoneAdmin.get(`/api/v1/people/${leaver.id}`);
    assert.is(read.statusCode, 403, 'the zone admin sees the corps history of a Dutch leaver');
    assert.is(errorOf(read).code, 'forbidden');
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
    const response = await chief.get(`/api/v1/units/${other}`);
    assert.is(response.statusCode, 403);
    assert.is(errorOf(response).code, 'forbidden');
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
  unchanged(async () => {
    const response = await admin.request(
      'PATCH',
      `/api/v1/units/${teamId}`,
      { name: 'Zonder token' },
      {
        'x-csrf-token': undefined,
      },
    );
    assert.is(response.statusCode, 403);
    assert.is(errorOf(response).code, 'csrf_invalid');
  }),
);

security('a wrong CSRF token is refused', () =>
  unchanged(async () => {
    const response = await admin.request(
      'PATCH',
      `/api/v1/units/${teamId}`,
      { name: 'Verkeerd token' },
      {
        'x-csrf-token': 'abc123-not-a-token',
      },
    );
    assert.is(response.statusCode, 403);
    assert.is(errorOf(response).code, 'csrf_invalid');
  }),
);

security('a CSRF token of another session is refused', async () => {
  const attacker = await browserAs(t.app, 'demo-council');
  await unchanged(async () => {
    const foreignToken = attacker.csrf;
    assert.ok(foreignToken);
    const response = await admin.request(
      'PATCH',
      `/api/v1/units/${teamId}`,
      { name: 'Token van een ander' },
      {
        'x-csrf-token': foreignToken,
      },
    );
    assert.is(response.statusCode, 403);
    assert.is(errorOf(response).code, 'csrf_invalid');
    // A pre-login token of an anonymous visitor is no better.
    const anonymous = new Browser(t.app);
    const anonymousToken = await anonymous.csrfToken();
    const again = await admin.request(
      'PATCH',
      `/api/v1/units/${teamId}`,
      { name: 'Token van een ander' },
      {
        'x-csrf-token': anonymousToken,
      },
    );
    assert.is(again.statusCode, 403);
    assert.is(errorOf(again).code, 'csrf_invalid');
  });
});

security('a request from another origin is refused with origin_mismatch', () =>
  unchanged(async () => {
    for (const origin of ['https://evil.example', 'http://localhost:3000.evil.example', 'null']) {
      const response = await admin.request(
        'PATCH',
        `/api/v1/units/${teamId}`,
        { name: 'Van elders' },
        { origin },
      );
      assert.is(response.statusCode, 403, origin);
      assert.is(errorOf(response).code, 'origin_mismatch');
    }
  }),
);

security('a state-changing request without an Origin header is refused', () =>
  unchanged(async () => {
    const response = await admin.request(
      'PATCH',
      `/api/v1/units/${teamId}`,
      { name: 'Zonder origin' },
      {
        origin: undefined,
      },
    );
    assert.is(response.statusCode, 403);
    assert.is(errorOf(response).code, 'origin_mismatch');
    // Login too (a forged login would plant the attacker's session).
    const login = await new Browser(t.app).request(
      'POST',
      '/api/v1/auth/login',
      {
        username: 'demo-admin',
        password: DEMO_PASSWORD,
      },
      { origin: undefined },
    );
    assert.is(login.statusCode, 403);
    assert.is(errorOf(login).code, 'origin_mismatch');
  }),
);

security('an expired session cannot change anything', async () => {
  const browser = await browserAs(t.app, 'demo-admin');
  t.clock.advance(31 * MINUTE);
  await unchanged(async () => {
    const response = await browser.patch(`/api/v1/units/${teamId}`, { name: 'Na de time-out' });
    assert.is(response.statusCode, 401);
    assert.is(errorOf(response).code, 'session_expired');
  });
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
  assert.is(missing.statusCode, 404);
  assert.is(errorOf(missing).code, 'not_found');
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
