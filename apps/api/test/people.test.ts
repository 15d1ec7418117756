import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type {
  CreateAccountResponse,
  MeResponse,
  PeoplePage,
  PersonDetail,
  UnitDetail,
} from '@teamspiegel/contracts';
import { TODAY, withTestApp } from './helpers.ts';
import {
  auditCount,
  auditEvents,
  Browser,
  browserAs,
  DEMO_NON_ADMINS,
  expectRefused,
  personIdByUsername,
  refusalChecks,
  rowCount,
  unitIdByCode,
  unitPath,
} from './support.ts';

const people = suite('people');
const t = withTestApp(people);
let admin: Browser;
let adminId: string;

people.before(async () => {
  admin = await browserAs(t.app, 'demo-admin');
  adminId = await personIdByUsername(t.db, 'demo-admin');
});

/** Refused requests here must leave people, accounts, memberships, roles and the audit log alone. */
const { unchanged, expectRefusedWithoutChange, expectForbiddenFor } = refusalChecks(t, [
  'person',
  'account',
  'membership',
  'role_assignment',
]);

let counter = 0;
async function createPerson(familyName = 'Testpersoon'): Promise<PersonDetail> {
  counter += 1;
  const response = await admin.post('/api/v1/people', {
    employeeNumber: `PT-${counter}`,
    givenName: 'Kim',
    familyName: `${familyName} ${counter}`,
    email: `kim.test${counter}@politie.example`,
    language: 'nl',
  });
  assert.is(response.statusCode, 201, response.body);
  return response.json<PersonDetail>();
}

async function lastEvent(action: string) {
  const [event] = await auditEvents(t.db, action);
  assert.ok(event, `no ${action} event`);
  return { ...event, details: JSON.parse(event.details) as Record<string, unknown> };
}

/** The admin places a person in a unit from a date. */
const addMembership = (
  personId: string,
  unitId: string,
  kind: 'member' | 'lead',
  joinedOn: string,
) => admin.post(`/api/v1/people/${personId}/memberships`, { unitId, kind, joinedOn });

const search = async (query: string) => {
  const response = await admin.get(`/api/v1/people?${query}`);
  assert.is(response.statusCode, 200, response.body);
  return response.json<PeoplePage>();
};

people('searches by family name: every hit matches and the demo officer is found', async () => {
  const page = await search('q=bakker&pageSize=100');
  const officer = await personIdByUsername(t.db, 'demo-officer');
  assert.ok(page.items.some((p) => p.id === officer));
  for (const p of page.items) {
    assert.ok(
      [p.givenName, p.familyName, p.employeeNumber, p.email].some((v) =>
        v.toLowerCase().includes('bakker'),
      ),
      p.familyName,
    );
  }
  assert.is(page.total, page.items.length);
});

people('searches by employee number', async () => {
  const officer = await personIdByUsername(t.db, 'demo-officer');
  const row = await t.db
    .selectFrom('person')
    .select('employee_number')
    .where('id', '=', officer)
    .executeTakeFirstOrThrow();
  const page = await search(`q=${row.employee_number}`);
  assert.is(page.total, 1);
  assert.is(page.items[0]?.id, officer);
  assert.equal(page.items[0]?.currentUnits, ['Noodhulp B']);
});

people('pages through the results with a stable total', async () => {
  const first = await search('page=1&pageSize=10');
  const second = await search('page=2&pageSize=10');
  assert.is(first.items.length, 10);
  assert.is(second.items.length, 10);
  assert.is(first.total, second.total);
  assert.ok(first.total > 100);
  const firstIds = new Set(first.items.map((p) => p.id));
  assert.not.ok(second.items.some((p) => firstIds.has(p.id)));
  assert.is(second.page, 2);
  assert.is(second.pageSize, 10);
  const max = await search('pageSize=100');
  assert.is(max.items.length, 100);
});

people('a page size over 100 is refused', async () => {
  for (const query of ['pageSize=101', 'pageSize=0', 'page=0', 'pageSize=abc']) {
    expectRefused(await admin.get(`/api/v1/people?${query}`), 400, 'validation_failed', query);
  }
});

people('the unit filter returns exactly the current members of that subtree', async () => {
  const basisteam = await unitIdByCode(t.db, 'NL-NH-ZW-ZAA');
  const prefix = await unitPath(t.db, 'NL-NH-ZW-ZAA');
  const expected = await t.db
    .selectFrom('membership')
    .innerJoin('unit', 'unit.id', 'membership.unit_id')
    .innerJoin('person', 'person.id', 'membership.person_id')
    .select('membership.person_id')
    .distinct()
    .where('unit.path', 'like', `${prefix}%`)
    .where('membership.joined_on', '<=', TODAY)
    .where((eb) =>
      eb.or([eb('membership.left_on', 'is', null), eb('membership.left_on', '>', TODAY)]),
    )
    .where('person.deactivated_at', 'is', null)
    .execute();
  const ids: string[] = [];
  let total: number | undefined;
  for (let page = 1; ; page++) {
    const result = await search(`unitId=${basisteam}&pageSize=100&page=${page}`);
    total = result.total;
    ids.push(...result.items.map((p) => p.id));
    if (result.items.length < 100) break;
  }
  assert.is(total, expected.length);
  assert.equal(ids.sort(), expected.map((e) => e.person_id).sort());
  assert.not.ok(ids.includes(adminId), 'corps staff are not in the basisteam');
});

people('deactivated people appear only with includeInactive', async () => {
  const deactivated = await t.db
    .selectFrom('person')
    .select(['id', 'employee_number'])
    .where('deactivated_at', 'is not', null)
    .execute();
  assert.ok(deactivated.length > 0);
  const active = await search('pageSize=1');
  const all = await search('pageSize=1&includeInactive=true');
  assert.is(all.total - active.total, deactivated.length);
  const one = deactivated[0]!;
  assert.is((await search(`q=${one.employee_number}`)).total, 0);
  const found = await search(`q=${one.employee_number}&includeInactive=true`);
  assert.is(found.total, 1);
  assert.is(found.items[0]?.active, false);
});

people('an admin creates a person, audited with the actor', async () => {
  const before = await auditCount(t.db);
  const persons = await rowCount(t.db, 'person');
  const response = await admin.post('/api/v1/people', {
    employeeNumber: 'NEW-0001',
    givenName: 'Fatima',
    familyName: 'Ouali',
    email: 'fatima.ouali@politie.example',
    language: 'nl',
  });
  assert.is(response.statusCode, 201);
  const person = response.json<PersonDetail>();
  assert.equal(
    { ...person, id: '', createdAt: '' },
    {
      id: '',
      employeeNumber: 'NEW-0001',
      givenName: 'Fatima',
      familyName: 'Ouali',
      email: 'fatima.ouali@politie.example',
      language: 'nl',
      active: true,
      username: null,
      createdAt: '',
      memberships: [],
      roleAssignments: [],
    },
  );
  assert.is(await rowCount(t.db, 'person'), persons + 1);
  assert.is(await auditCount(t.db), before + 1);
  const event = await lastEvent('person.created');
  assert.is(event.actor_person_id, adminId);
  assert.is(event.target_id, person.id);
  assert.equal(event.details, { employeeNumber: 'NEW-0001' });
});

people('a duplicate employee number is refused with 409 employee_number_taken', async () => {
  const existing = await createPerson();
  await expectRefusedWithoutChange(
    () =>
      admin.post('/api/v1/people', {
        employeeNumber: existing.employeeNumber,
        givenName: 'Ander',
        familyName: 'Mens',
        email: 'ander.mens@politie.example',
        language: 'en',
      }),
    409,
    'employee_number_taken',
  );
});

people('an edit changes the given fields and is audited', async () => {
  const person = await createPerson();
  const before = await auditCount(t.db);
  const response = await admin.patch(`/api/v1/people/${person.id}`, {
    familyName: 'Getrouwd',
    email: 'kim.getrouwd@politie.example',
  });
  assert.is(response.statusCode, 200);
  const detail = response.json<PersonDetail>();
  assert.is(detail.familyName, 'Getrouwd');
  assert.is(detail.email, 'kim.getrouwd@politie.example');
  assert.is(detail.givenName, 'Kim');
  const row = await t.db
    .selectFrom('person')
    .selectAll()
    .where('id', '=', person.id)
    .executeTakeFirstOrThrow();
  assert.is(row.family_name, 'Getrouwd');
  assert.is(await auditCount(t.db), before + 1);
  const event = await lastEvent('person.updated');
  assert.is(event.actor_person_id, adminId);
  assert.is(event.target_id, person.id);
  assert.equal(event.details, { fields: 'family_name,email' });
});

people(
  'deactivation ends current memberships, removes roles, is audited and freezes the person',
  async () => {
    const person = await createPerson();
    const team = await unitIdByCode(t.db, 'NL-NH-ZW-ZAA-NHA');
    assert.is((await addMembership(person.id, team, 'member', '2026-01-01')).statusCode, 201);
    assert.is(
      (
        await admin.post(`/api/v1/people/${person.id}/roles`, {
          role: 'works_council',
          unitId: await unitIdByCode(t.db, 'NL'),
        })
      ).statusCode,
      201,
    );
    const before = await auditCount(t.db);
    const response = await admin.post(`/api/v1/people/${person.id}/deactivate`);
    assert.is(response.statusCode, 200);
    const detail = response.json<PersonDetail>();
    assert.is(detail.active, false);
    assert.equal(
      detail.memberships.map((m) => m.leftOn),
      [TODAY],
    );
    assert.equal(detail.roleAssignments, []);
    const row = await t.db
      .selectFrom('person')
      .select('deactivated_at')
      .where('id', '=', person.id)
      .executeTakeFirstOrThrow();
    assert.ok(row.deactivated_at);
    assert.is(await auditCount(t.db), before + 1);
    const event = await lastEvent('person.deactivated');
    assert.is(event.actor_person_id, adminId);
    assert.is(event.target_id, person.id);
    const roster = (await admin.get(`/api/v1/units/${team}`)).json<UnitDetail>();
    assert.ok(roster.members);
    assert.not.ok(roster.members.some((m) => m.personId === person.id));

    await unchanged(async () => {
      const edit = await admin.patch(`/api/v1/people/${person.id}`, { givenName: 'Terug' });
      expectRefused(edit, 409, 'person_inactive');
      const again = await admin.post(`/api/v1/people/${person.id}/deactivate`);
      assert.is(again.statusCode, 409);
    });
  },
);

people('an admin cannot deactivate themselves', () =>
  expectRefusedWithoutChange(
    () => admin.post(`/api/v1/people/${adminId}/deactivate`),
    403,
    'forbidden',
  ),
);

people(
  'creating an account returns a temporary password once and stores only its hash',
  async () => {
    const person = await createPerson();
    const before = await auditCount(t.db);
    const response = await admin.post(`/api/v1/people/${person.id}/account`, {
      username: `kim.${counter}`,
    });
    assert.is(response.statusCode, 201);
    const body = response.json<CreateAccountResponse>();
    assert.equal(Object.keys(body).sort(), ['temporaryPassword', 'username']);
    assert.ok(body.temporaryPassword.length >= 12);
    const row = await t.db
      .selectFrom('account')
      .selectAll()
      .where('person_id', '=', person.id)
      .executeTakeFirstOrThrow();
    assert.is(row.must_change_password, 1);
    assert.match(row.password_hash, /^\$argon2id\$/);
    assert.not.ok(row.password_hash.includes(body.temporaryPassword));
    assert.is(await auditCount(t.db), before + 1);
    const event = await lastEvent('person.account_created');
    assert.equal(event.details, { username: body.username });
    assert.is(event.actor_person_id, adminId);
    // The detail shows the username, never the password.
    const detail = await admin.get(`/api/v1/people/${person.id}`);
    assert.is(detail.json<PersonDetail>().username, body.username);
    assert.not.ok(detail.body.includes(body.temporaryPassword));

    await unchanged(async () => {
      const again = await admin.post(`/api/v1/people/${person.id}/account`, {
        username: `kim.other.${counter}`,
      });
      expectRefused(again, 409, 'conflict');
      assert.not.ok('temporaryPassword' in again.json<object>());
    });
  },
);

people('a username already in use is refused with 409 username_taken', async () => {
  const person = await createPerson();
  await expectRefusedWithoutChange(
    () => admin.post(`/api/v1/people/${person.id}/account`, { username: 'demo-officer' }),
    409,
    'username_taken',
  );
});

people(
  'becoming lead of one own team ends the member membership the day the lead one starts',
  async () => {
    const person = await createPerson();
    const team = await unitIdByCode(t.db, 'NL-NH-KEN-HLM-NHA');
    const member = await addMembership(person.id, team, 'member', '2026-01-01');
    assert.is(member.statusCode, 201);
    assert.equal(
      member.json<PersonDetail>().memberships.map((m) => [m.kind, m.joinedOn, m.leftOn]),
      [['member', '2026-01-01', null]],
    );
    const before = await auditCount(t.db);
    const lead = await addMembership(person.id, team, 'lead', '2026-06-01');
    assert.is(lead.statusCode, 201);
    const detail = lead.json<PersonDetail>();
    assert.equal(
      detail.memberships.map((m) => [m.kind, m.joinedOn, m.leftOn]),
      [
        ['lead', '2026-06-01', null],
        ['member', '2026-01-01', '2026-06-01'],
      ],
    );
    assert.is(await auditCount(t.db), before + 2);
    const ended = await lastEvent('membership.ended');
    assert.equal(ended.details, {
      personId: person.id,
      unitId: team,
      kind: 'member',
      leftOn: '2026-06-01',
    });
    const added = await lastEvent('membership.added');
    assert.equal(added.details, {
      personId: person.id,
      unitId: team,
      kind: 'lead',
      joinedOn: '2026-06-01',
    });
    assert.is(added.actor_person_id, adminId);

    // The roster of today shows the person once, as a lead.
    const roster = (await admin.get(`/api/v1/units/${team}`)).json<UnitDetail>();
    assert.ok(roster.members);
    const rows = roster.members.filter((m) => m.personId === person.id);
    assert.equal(
      rows.map((m) => m.kind),
      ['lead'],
    );
    assert.is(roster.unit.memberCount, roster.members.length);

    // Overlapping periods of the same kind are a mistake.
    await unchanged(async () => {
      for (const [kind, joinedOn] of [
        ['member', '2026-03-01'],
        ['lead', '2026-07-01'],
        ['lead', '2026-06-01'],
      ] as const) {
        const response = await addMembership(person.id, team, kind, joinedOn);
        expectRefused(response, 409, 'membership_overlap', `${kind} ${joinedOn}`);
      }
    });
  },
);

people('a membership is ended on a date after it began, audited', async () => {
  const person = await createPerson();
  const team = await unitIdByCode(t.db, 'NL-NH-KEN-HLM-NHB');
  const added = await addMembership(person.id, team, 'member', '2026-02-01');
  const membershipId = added.json<PersonDetail>().memberships[0]!.id;

  await unchanged(async () => {
    for (const leftOn of ['2026-01-15', '2026-02-01']) {
      const response = await admin.post(`/api/v1/memberships/${membershipId}/end`, { leftOn });
      expectRefused(response, 400, 'membership_dates_invalid', leftOn);
    }
  });

  const before = await auditCount(t.db);
  const response = await admin.post(`/api/v1/memberships/${membershipId}/end`, {
    leftOn: '2026-10-01',
  });
  assert.is(response.statusCode, 200);
  assert.equal(
    response.json<PersonDetail>().memberships.map((m) => m.leftOn),
    ['2026-10-01'],
  );
  assert.is(await auditCount(t.db), before + 1);
  const event = await lastEvent('membership.ended');
  assert.is(event.target_id, membershipId);
  assert.is(event.actor_person_id, adminId);
  const roster = (await admin.get(`/api/v1/units/${team}`)).json<UnitDetail>();
  assert.ok(roster.members);
  assert.not.ok(roster.members.some((m) => m.personId === person.id));
});

people(
  'a chief role on a district shows up in the new chief’s own /me after the first password change',
  async () => {
    const person = await createPerson('Chef');
    const district = await unitIdByCode(t.db, 'NL-NH-KEN');
    const before = await auditCount(t.db);
    const assigned = await admin.post(`/api/v1/people/${person.id}/roles`, {
      role: 'chief',
      unitId: district,
    });
    assert.is(assigned.statusCode, 201);
    const roles = assigned.json<PersonDetail>().roleAssignments;
    assert.equal(
      roles.map((r) => [r.role, r.unitId, r.unitKind]),
      [['chief', district, 'district']],
    );
    assert.is(await auditCount(t.db), before + 1);
    const event = await lastEvent('role.assigned');
    assert.is(event.actor_person_id, adminId);
    assert.is(event.target_id, person.id);
    assert.equal(event.details, {
      role: 'chief',
      unitId: district,
      unitName: 'District Kennemerland',
    });

    const account = (
      await admin.post(`/api/v1/people/${person.id}/account`, { username: `chef.${counter}` })
    ).json<CreateAccountResponse>();
    const chief = new Browser(t.app);
    assert.is((await chief.login(account.username, account.temporaryPassword)).statusCode, 200);
    assert.is(
      (
        await chief.post('/api/v1/auth/password', {
          currentPassword: account.temporaryPassword,
          newPassword: 'een-lang-nieuw-wachtwoord',
        })
      ).statusCode,
      204,
    );
    await chief.csrfToken();
    const me = (await chief.get('/api/v1/me')).json<MeResponse>();
    assert.ok(me.roles.some((r) => r.role === 'chief' && r.unitId === district));
    assert.ok(me.permissions.includes('org:read'));
    assert.not.ok(me.permissions.includes('org:manage'));
    const units = await chief.get('/api/v1/units');
    assert.is(units.statusCode, 200);

    // Revoking takes effect at the chief's next request.
    const revoke = await admin.delete(`/api/v1/role-assignments/${roles[0]!.id}`);
    assert.is(revoke.statusCode, 200);
    assert.equal(revoke.json<PersonDetail>().roleAssignments, []);
    const revoked = await lastEvent('role.revoked');
    assert.is(revoked.actor_person_id, adminId);
    assert.is(revoked.target_id, person.id);
    assert.equal(revoked.details, { role: 'chief', unitId: district });
    assert.not.ok(
      await t.db
        .selectFrom('role_assignment')
        .select('id')
        .where('id', '=', roles[0]!.id)
        .executeTakeFirst(),
    );
    expectRefused(await chief.get('/api/v1/units'), 403, 'forbidden');
  },
);

people('a chief cannot be assigned on a team or a top-level unit', async () => {
  const person = await createPerson();
  await unchanged(async () => {
    for (const code of ['NL-NH-ZW-ZAA-NHB', 'NL', 'BE-SCH-INT-A']) {
      const response = await admin.post(`/api/v1/people/${person.id}/roles`, {
        role: 'chief',
        unitId: await unitIdByCode(t.db, code),
      });
      expectRefused(response, 400, 'role_scope_invalid', code);
    }
  });
});

people('the same role on the same unit cannot be assigned twice', async () => {
  const person = await createPerson();
  const unitId = await unitIdByCode(t.db, 'NL-OB');
  assert.is(
    (await admin.post(`/api/v1/people/${person.id}/roles`, { role: 'hr_analyst', unitId }))
      .statusCode,
    201,
  );
  await expectRefusedWithoutChange(
    () => admin.post(`/api/v1/people/${person.id}/roles`, { role: 'hr_analyst', unitId }),
    409,
    'role_already_assigned',
  );
});

people('officers, HR, chiefs and the works council cannot read or manage people', async () => {
  const officer = await personIdByUsername(t.db, 'demo-officer');
  await expectForbiddenFor(DEMO_NON_ADMINS, async (browser) => [
    await browser.get('/api/v1/people'),
    await browser.get(`/api/v1/people/${officer}`),
    await browser.patch(`/api/v1/people/${officer}`, { familyName: 'X' }),
    await browser.post(`/api/v1/people/${officer}/roles`, {
      role: 'admin',
      unitId: await unitIdByCode(t.db, 'NL'),
    }),
  ]);
});

people('a search for text with _ or % finds it literally', async () => {
  const response = await admin.post('/api/v1/people', {
    employeeNumber: 'LIKE-1',
    givenName: 'Jan',
    familyName: 'de Vries',
    email: 'jan_de_vries@politie.example',
    language: 'nl',
  });
  assert.is(response.statusCode, 201);
  const id = response.json<PersonDetail>().id;
  const underscore = await search(`q=${encodeURIComponent('jan_de')}`);
  assert.equal(
    underscore.items.map((p) => p.id),
    [id],
    'an underscore in the search is matched literally',
  );
  // A wildcard typed by the user matches nothing more than the literal text.
  const percent = await search(`q=${encodeURIComponent('%')}`);
  assert.is(percent.total, 0);
});

people.run();
