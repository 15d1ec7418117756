import { randomUUID } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { UnitDetail } from '@teamspiegel/contracts';
import { withTestApp } from './helpers.ts';
import {
  Browser,
  browserAs,
  errorOf,
  expectRefused,
  freshAccount,
  personIdByUsername,
  unitIdByCode,
} from './support.ts';

/**
 * Attacks from inside: a narrowly scoped administrator reaching above their scope, and roles
 * that may read the organisation but not its people.
 */
const escalation = suite('escalation');
const t = withTestApp(escalation);

const TEAM = 'NL-OB-EHV-DMS-OPS'; // demo-council is an ordinary member of this team

/** An administrator of one team only, with a login. */
async function teamAdmin(): Promise<string> {
  const account = await freshAccount(t.db, `team-admin-${randomUUID().slice(0, 8)}`);
  await t.db
    .insertInto('role_assignment')
    .values({
      id: randomUUID(),
      person_id: account.personId,
      role: 'admin',
      unit_id: await unitIdByCode(t.db, TEAM),
      created_at: '2026-11-01T08:00:00.000Z',
    })
    .execute();
  return account.username;
}

escalation('a team administrator sees a member of the team who holds a corps role', async () => {
  const admin = await browserAs(t.app, await teamAdmin());
  const council = await personIdByUsername(t.db, 'demo-council');
  assert.is((await admin.get(`/api/v1/people/${council}`)).statusCode, 200);
});

escalation(
  'a team administrator cannot deactivate, edit, re-account or re-role someone holding a role above the team',
  async () => {
    const admin = await browserAs(t.app, await teamAdmin());
    const council = await personIdByUsername(t.db, 'demo-council');
    const rolesBefore = await t.db
      .selectFrom('role_assignment')
      .select('id')
      .where('person_id', '=', council)
      .execute();
    assert.ok(rolesBefore.length > 0);
    const attempts = [
      await admin.post(`/api/v1/people/${council}/deactivate`),
      await admin.patch(`/api/v1/people/${council}`, { email: 'attacker@example.org' }),
      await admin.post(`/api/v1/people/${council}/roles`, {
        role: 'admin',
        unitId: await unitIdByCode(t.db, TEAM),
      }),
      await admin.post(`/api/v1/people/${council}/memberships`, {
        unitId: await unitIdByCode(t.db, TEAM),
        kind: 'lead',
        joinedOn: '2026-12-01',
      }),
    ];
    for (const response of attempts) expectRefused(response, 403, 'forbidden');
    const person = await t.db
      .selectFrom('person')
      .select(['deactivated_at', 'email'])
      .where('id', '=', council)
      .executeTakeFirstOrThrow();
    assert.is(person.deactivated_at, null);
    assert.not.equal(person.email, 'attacker@example.org');
    const rolesAfter = await t.db
      .selectFrom('role_assignment')
      .select('id')
      .where('person_id', '=', council)
      .execute();
    assert.is(rolesAfter.length, rolesBefore.length);
  },
);

escalation(
  'a team administrator cannot create a login for a corps administrator in the team',
  async () => {
    const admin = await browserAs(t.app, await teamAdmin());
    // A corps administrator without a local account who is also an ordinary member of the team.
    const target = randomUUID();
    await t.db
      .insertInto('person')
      .values({
        id: target,
        employee_number: `NL9${Date.now().toString().slice(-5)}`,
        given_name: 'Corps',
        family_name: 'Beheerder',
        email: 'corps.beheerder@politie.example',
        language: 'nl',
        deactivated_at: null,
        created_at: '2026-01-01T08:00:00.000Z',
      })
      .execute();
    await t.db
      .insertInto('membership')
      .values({
        id: randomUUID(),
        person_id: target,
        unit_id: await unitIdByCode(t.db, TEAM),
        kind: 'member',
        joined_on: '2025-01-01',
        left_on: null,
      })
      .execute();
    await t.db
      .insertInto('role_assignment')
      .values({
        id: randomUUID(),
        person_id: target,
        role: 'admin',
        unit_id: await unitIdByCode(t.db, 'NL'),
        created_at: '2026-01-01T08:00:00.000Z',
      })
      .execute();
    const response = await admin.post(`/api/v1/people/${target}/account`, { username: 'hijack' });
    expectRefused(response, 403, 'forbidden');
    const account = await t.db
      .selectFrom('account')
      .select('username')
      .where('person_id', '=', target)
      .executeTakeFirst();
    assert.is(account, undefined);
  },
);

escalation('chiefs, HR and the works council see a unit but not who is in it', async () => {
  const team = await unitIdByCode(t.db, 'NL-NH-ZW-ZAA-NHB');
  for (const username of ['demo-chief', 'demo-hr']) {
    const viewer = await browserAs(t.app, username);
    const response = await viewer.get(`/api/v1/units/${team}`);
    assert.is(response.statusCode, 200, username);
    const detail = response.json<UnitDetail>();
    assert.is(detail.members, null, username);
    assert.ok(detail.unit.memberCount > 0, 'the count stays');
    assert.not.match(response.body, /NL\d{6}/, `${username} sees no employee numbers`);
  }
  const council = await browserAs(t.app, 'demo-council');
  const own = await council.get(`/api/v1/units/${await unitIdByCode(t.db, TEAM)}`);
  assert.is(own.json<UnitDetail>().members, null);
  const admin = await browserAs(t.app, 'demo-admin');
  assert.ok((await admin.get(`/api/v1/units/${team}`)).json<UnitDetail>().members?.length);
});

escalation('a failed login with an unknown name does not keep what was typed', async () => {
  const typedPassword = 'my-secret-typed-in-the-wrong-field';
  const response = await new Browser(t.app).login(typedPassword, 'whatever');
  assert.is(response.statusCode, 401);
  const events = await t.db
    .selectFrom('audit_event')
    .select('details')
    .where('action', '=', 'auth.login_failed')
    .execute();
  assert.ok(events.length > 0);
  assert.not.ok(events.some((e) => e.details.includes(typedPassword)));
});

escalation('a time the schema accepts but no clock has is a 400, not a 500', async () => {
  const admin = await browserAs(t.app, 'demo-admin');
  const response = await admin.get('/api/v1/audit?from=2016-12-31T23:59:60Z');
  assert.is(response.statusCode, 400);
  assert.is(errorOf(response).code, 'validation_failed');
});

escalation('routes that take no body refuse one', async () => {
  const admin = await browserAs(t.app, 'demo-admin');
  const team = await unitIdByCode(t.db, 'NL-NH-ZW-ZAA-NHB');
  const response = await admin.post(`/api/v1/units/${team}/archive`, { anything: 'goes' });
  expectRefused(response, 400, 'validation_failed');
  const unit = await t.db
    .selectFrom('unit')
    .select('archived_at')
    .where('id', '=', team)
    .executeTakeFirstOrThrow();
  assert.is(unit.archived_at, null);
});

escalation.run();
