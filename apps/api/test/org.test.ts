import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Unit, UnitDetail, UnitList } from '@teamspiegel/contracts';
import { withTestApp } from './helpers.ts';
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

const org = suite('org');
const t = withTestApp(org);
let admin: Browser;
let adminId: string;

org.before(async () => {
  admin = await browserAs(t.app, 'demo-admin');
  adminId = await personIdByUsername(t.db, 'demo-admin');
});

/** Refused requests here must leave the units and the audit log alone. */
const { unchanged, expectRefusedWithoutChange, expectForbiddenFor } = refusalChecks(t, ['unit']);

let codeCounter = 0;
/** A new, empty team under a basisteam, made through the API. */
async function newTeam(parentCode = 'NL-NH-ZW-ZAA', name = 'Testteam'): Promise<Unit> {
  codeCounter += 1;
  const response = await admin.post('/api/v1/units', {
    parentId: await unitIdByCode(t.db, parentCode),
    code: `${parentCode}-T${codeCounter}`,
    name: `${name} ${codeCounter}`,
    kind: 'team',
  });
  assert.is(response.statusCode, 201, response.body);
  return response.json<Unit>();
}

/** The admin archives a unit. */
const archive = (unitId: string) => admin.post(`/api/v1/units/${unitId}/archive`);

org('an admin of both organisations lists the units of both', async () => {
  const response = await admin.get('/api/v1/units');
  assert.is(response.statusCode, 200);
  const { items } = response.json<UnitList>();
  const codes = new Set(items.map((u) => u.code));
  for (const code of ['NL', 'BE-SCH', 'NL-NH', 'NL-OB', 'NL-NH-ZW-ZAA-NHB', 'BE-SCH-INT-A']) {
    assert.ok(codes.has(code), code);
  }
  assert.is(items.length, await rowCount(t.db, 'unit'));
  const roots = items
    .filter((u) => u.parentId === null)
    .map((u) => u.kind)
    .sort();
  assert.equal(roots, ['corps', 'zone']);
});

org('a chief lists only the subtree of their district', async () => {
  const chief = await browserAs(t.app, 'demo-chief');
  const { items } = (await chief.get('/api/v1/units')).json<UnitList>();
  const district = await unitPath(t.db, 'NL-NH-ZW');
  const inDistrict = await t.db
    .selectFrom('unit')
    .select(['id', 'path'])
    .where('path', 'like', `${district}%`)
    .execute();
  assert.ok(items.length > 5);
  assert.equal(items.map((u) => u.id).sort(), inDistrict.map((u) => u.id).sort());
  const paths = new Map(inDistrict.map((u) => [u.id, u.path]));
  for (const unit of items) assert.ok(paths.get(unit.id)?.startsWith(district), unit.code);
  assert.not.ok(items.some((u) => u.code === 'NL' || u.code === 'NL-NH' || u.code === 'NL-NH-KEN'));
});

org('the works council sees the corps but nothing of the zone', async () => {
  const council = await browserAs(t.app, 'demo-council');
  const response = await council.get('/api/v1/units');
  assert.is(response.statusCode, 200);
  const { items } = response.json<UnitList>();
  const zone = await unitPath(t.db, 'BE-SCH');
  const zoneIds = new Set(
    (await t.db.selectFrom('unit').select('id').where('path', 'like', `${zone}%`).execute()).map(
      (u) => u.id,
    ),
  );
  assert.ok(items.some((u) => u.code === 'NL'));
  assert.not.ok(items.some((u) => zoneIds.has(u.id)));
  assert.is(items.length, (await rowCount(t.db, 'unit')) - zoneIds.size);
  const forbidden = await council.get(`/api/v1/units/${await unitIdByCode(t.db, 'BE-SCH')}`);
  expectRefused(forbidden, 403, 'forbidden');
});

org(
  'a unit detail has its ancestors from the root, its children and its members with the lead marked',
  async () => {
    const team = await unitIdByCode(t.db, 'NL-NH-ZW-ZAA-NHB');
    const response = await admin.get(`/api/v1/units/${team}`);
    assert.is(response.statusCode, 200);
    const detail = response.json<UnitDetail>();
    assert.is(detail.unit.code, 'NL-NH-ZW-ZAA-NHB');
    assert.equal(
      detail.ancestors.map((a) => a.id),
      [
        await unitIdByCode(t.db, 'NL'),
        await unitIdByCode(t.db, 'NL-NH'),
        await unitIdByCode(t.db, 'NL-NH-ZW'),
        await unitIdByCode(t.db, 'NL-NH-ZW-ZAA'),
      ],
    );
    assert.equal(
      detail.ancestors.map((a) => a.kind),
      ['corps', 'regional_unit', 'district', 'basisteam'],
    );
    assert.equal(detail.children, []);
    const leadId = await personIdByUsername(t.db, 'demo-lead');
    const officerId = await personIdByUsername(t.db, 'demo-officer');
    const members = detail.members;
    assert.ok(members, 'an administrator sees the roster');
    const lead = members.find((m) => m.personId === leadId);
    const officer = members.find((m) => m.personId === officerId);
    assert.is(lead?.kind, 'lead');
    assert.is(officer?.kind, 'member');
    assert.is(members.filter((m) => m.kind === 'lead').length, 1);
    assert.is(detail.unit.memberCount, members.length);

    const basisteam = (
      await admin.get(`/api/v1/units/${await unitIdByCode(t.db, 'NL-NH-ZW-ZAA')}`)
    ).json<UnitDetail>();
    assert.ok(basisteam.children.some((c) => c.id === team));
    assert.ok(basisteam.children.every((c) => c.parentId === basisteam.unit.id));
  },
);

org('a chief sees ancestors only from their own district down', async () => {
  const chief = await browserAs(t.app, 'demo-chief');
  const team = await unitIdByCode(t.db, 'NL-NH-ZW-ZAA-NHB');
  const detail = (await chief.get(`/api/v1/units/${team}`)).json<UnitDetail>();
  assert.equal(
    detail.ancestors.map((a) => a.kind),
    ['district', 'basisteam'],
  );
});

org('an admin creates a team under a basisteam, audited with the actor', async () => {
  const before = await auditCount(t.db);
  const units = await rowCount(t.db, 'unit');
  const parentId = await unitIdByCode(t.db, 'NL-NH-ZW-WTL');
  const response = await admin.post('/api/v1/units', {
    parentId,
    code: 'NL-NH-ZW-WTL-FIETS',
    name: 'Fietsteam',
    kind: 'team',
  });
  assert.is(response.statusCode, 201);
  const unit = response.json<Unit>();
  assert.equal(
    { ...unit, id: '' },
    {
      id: '',
      parentId,
      code: 'NL-NH-ZW-WTL-FIETS',
      name: 'Fietsteam',
      kind: 'team',
      archived: false,
      memberCount: 0,
    },
  );
  assert.is(await rowCount(t.db, 'unit'), units + 1);
  assert.is(
    await unitPath(t.db, 'NL-NH-ZW-WTL-FIETS'),
    `${await unitPath(t.db, 'NL-NH-ZW-WTL')}${unit.id}/`,
  );
  assert.is(await auditCount(t.db), before + 1);
  const [event] = await auditEvents(t.db, 'unit.created');
  assert.is(event?.actor_person_id, adminId);
  assert.is(event?.target_id, unit.id);
  assert.equal(JSON.parse(event?.details ?? '{}'), {
    name: 'Fietsteam',
    code: 'NL-NH-ZW-WTL-FIETS',
    kind: 'team',
    parentId,
  });
});

org('a duplicate unit code is refused with 409 unit_code_taken', async () => {
  const parentId = await unitIdByCode(t.db, 'NL-NH-ZW-ZAA');
  await expectRefusedWithoutChange(
    () =>
      admin.post('/api/v1/units', {
        parentId,
        code: 'NL-NH-ZW-ZAA-NHB',
        name: 'Tweede Noodhulp B',
        kind: 'team',
      }),
    409,
    'unit_code_taken',
  );
});

org('a kind of unit that does not belong there is refused with 400 unit_kind_not_allowed', () =>
  unchanged(async () => {
    for (const [parentCode, kind] of [
      ['NL-NH-ZW-ZAA-NHB', 'district'],
      ['NL-NH-ZW-ZAA-NHB', 'team'],
      ['NL-NH-ZW', 'regional_unit'],
      ['BE-SCH', 'district'],
      ['NL', 'corps'],
    ] as const) {
      const response = await admin.post('/api/v1/units', {
        parentId: await unitIdByCode(t.db, parentCode),
        code: `BAD-${parentCode}-${kind}`,
        name: 'Misplaatst',
        kind,
      });
      expectRefused(response, 400, 'unit_kind_not_allowed', `${kind} under ${parentCode}`);
    }
  }),
);

org('a rename is audited with the old and the new name', async () => {
  const team = await newTeam();
  const before = await auditCount(t.db);
  const response = await admin.patch(`/api/v1/units/${team.id}`, { name: 'Hernoemd team' });
  assert.is(response.statusCode, 200);
  assert.is(response.json<Unit>().name, 'Hernoemd team');
  const row = await t.db
    .selectFrom('unit')
    .select('name')
    .where('id', '=', team.id)
    .executeTakeFirstOrThrow();
  assert.is(row.name, 'Hernoemd team');
  assert.is(await auditCount(t.db), before + 1);
  const [event] = await auditEvents(t.db, 'unit.renamed');
  assert.is(event?.actor_person_id, adminId);
  assert.is(event?.target_id, team.id);
  assert.equal(JSON.parse(event?.details ?? '{}'), { from: team.name, to: 'Hernoemd team' });
});

org('a team moves to another basisteam and its path follows', async () => {
  const team = await newTeam('NL-NH-ZW-ZAA');
  const target = await unitIdByCode(t.db, 'NL-NH-ZW-WTL');
  const before = await auditCount(t.db);
  const response = await admin.patch(`/api/v1/units/${team.id}`, { parentId: target });
  assert.is(response.statusCode, 200);
  assert.is(response.json<Unit>().parentId, target);
  assert.is(await unitPath(t.db, team.code), `${await unitPath(t.db, 'NL-NH-ZW-WTL')}${team.id}/`);
  assert.is(await auditCount(t.db), before + 1);
  const [event] = await auditEvents(t.db, 'unit.moved');
  assert.equal(JSON.parse(event?.details ?? '{}'), {
    fromParentId: await unitIdByCode(t.db, 'NL-NH-ZW-ZAA'),
    toParentId: target,
  });
});

org("a moved basisteam's teams fall under the new district for that district's chief", async () => {
  const chief = await browserAs(t.app, 'demo-chief');
  const basisteam = await unitIdByCode(t.db, 'NL-NH-KEN-VLS');
  const oldDistrict = await unitIdByCode(t.db, 'NL-NH-KEN');
  const teams = await t.db
    .selectFrom('unit')
    .select(['id', 'code'])
    .where('parent_id', '=', basisteam)
    .execute();
  assert.ok(teams.length >= 4);
  const listed = async () =>
    new Set((await chief.get('/api/v1/units')).json<UnitList>().items.map((u) => u.id));
  assert.not.ok((await listed()).has(basisteam));
  assert.is((await chief.get(`/api/v1/units/${teams[0]!.id}`)).statusCode, 403);

  const moved = await admin.patch(`/api/v1/units/${basisteam}`, {
    parentId: await unitIdByCode(t.db, 'NL-NH-ZW'),
  });
  assert.is(moved.statusCode, 200, moved.body);
  try {
    const now = await listed();
    assert.ok(now.has(basisteam));
    for (const team of teams) {
      assert.ok(now.has(team.id), team.code);
      assert.ok(
        (await unitPath(t.db, team.code)).startsWith(await unitPath(t.db, 'NL-NH-ZW')),
        team.code,
      );
    }
    const detail = await chief.get(`/api/v1/units/${teams[0]!.id}`);
    assert.is(detail.statusCode, 200);
    assert.equal(
      detail.json<UnitDetail>().ancestors.map((a) => a.kind),
      ['district', 'basisteam'],
    );
  } finally {
    const back = await admin.patch(`/api/v1/units/${basisteam}`, { parentId: oldDistrict });
    assert.is(back.statusCode, 200);
  }
  assert.not.ok((await listed()).has(teams[0]!.id));
});

org('a unit cannot be moved below itself or one of its descendants', () =>
  unchanged(async () => {
    const district = await unitIdByCode(t.db, 'NL-NH-ZW');
    for (const target of [
      district,
      await unitIdByCode(t.db, 'NL-NH-ZW-ZAA'),
      await unitIdByCode(t.db, 'NL-NH-ZW-ZAA-NHB'),
    ]) {
      const response = await admin.patch(`/api/v1/units/${district}`, { parentId: target });
      expectRefused(response, 409, 'unit_cycle');
    }
  }),
);

org('a root unit can be neither moved nor archived', () =>
  unchanged(async () => {
    const corps = await unitIdByCode(t.db, 'NL');
    const zone = await unitIdByCode(t.db, 'BE-SCH');
    for (const response of [
      await admin.patch(`/api/v1/units/${corps}`, { parentId: zone }),
      await archive(zone),
    ]) {
      expectRefused(response, 409, 'root_unit_immutable');
    }
  }),
);

org('a team with members cannot be archived', async () => {
  const team = await unitIdByCode(t.db, 'NL-NH-ZW-ZAA-NHB');
  await expectRefusedWithoutChange(() => archive(team), 409, 'unit_has_members');
});

org('a unit with active units below it cannot be archived', async () => {
  const basisteam = await unitIdByCode(t.db, 'NL-NH-ZW-WTL');
  await expectRefusedWithoutChange(() => archive(basisteam), 409, 'unit_has_active_children');
});

org('an empty team is archived, audited, and then refuses changes', async () => {
  const team = await newTeam();
  const before = await auditCount(t.db);
  const response = await archive(team.id);
  assert.is(response.statusCode, 200);
  assert.is(response.json<Unit>().archived, true);
  const row = await t.db
    .selectFrom('unit')
    .select('archived_at')
    .where('id', '=', team.id)
    .executeTakeFirstOrThrow();
  assert.ok(row.archived_at);
  assert.is(await auditCount(t.db), before + 1);
  const [event] = await auditEvents(t.db, 'unit.archived');
  assert.is(event?.target_id, team.id);
  assert.is(event?.actor_person_id, adminId);

  await unchanged(async () => {
    for (const response of [
      await admin.patch(`/api/v1/units/${team.id}`, { name: 'Toch niet' }),
      await admin.post('/api/v1/units', {
        parentId: team.id,
        code: 'UNDER-ARCHIVED',
        name: 'x',
        kind: 'team',
      }),
    ]) {
      expectRefused(response, 409, 'unit_archived');
    }
  });
});

org(
  'officers, team leads, HR, chiefs and the works council cannot create, rename or archive units',
  async () => {
    const basisteam = await unitIdByCode(t.db, 'NL-NH-ZW-ZAA');
    const team = await unitIdByCode(t.db, 'NL-NH-ZW-ZAA-NHB');
    await expectForbiddenFor(DEMO_NON_ADMINS, async (browser, username) => [
      await browser.post('/api/v1/units', {
        parentId: basisteam,
        code: `BY-${username}`,
        name: 'Eigen team',
        kind: 'team',
      }),
      await browser.patch(`/api/v1/units/${team}`, { name: 'Eigen naam' }),
      await browser.post(`/api/v1/units/${team}/archive`),
    ]);
  },
);

org('a team with members who join later cannot be archived either', async () => {
  const team = await newTeam();
  const person = await personIdByUsername(t.db, 'demo-officer');
  const added = await admin.post(`/api/v1/people/${person}/memberships`, {
    unitId: team.id,
    kind: 'member',
    joinedOn: '2026-12-15',
  });
  assert.is(added.statusCode, 201, added.body);
  await unchanged(async () =>
    expectRefused(
      await archive(team.id),
      409,
      'unit_has_members',
      'archived a unit that has a scheduled member',
    ),
  );
});

org.run();
