/**
 * Roster freeze and four eyes (anonymity.md, A11 and A12; INV-11). While a wave of the corps is
 * open, a change to who is counted where in the corps is proposed (202) and applied only once a
 * second administrator approves it; the wave's own snapshot never changes.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import type {
  CreateAccountResponse,
  PersonDetail,
  RosterChange,
  RosterChangePage,
  RosterChangePending,
  Unit,
  UnitDetail,
} from '@teamspiegel/contracts';
import { effectiveThresholds } from '@teamspiegel/core';
import type { Db } from '@teamspiegel/db';
import { planWaveCells } from '../src/collection/waves.service.ts';
import { frozenUnitIds, proposeRosterChange } from '../src/roster/freeze.ts';
import { TODAY, withTestApp } from './helpers.ts';
import { openWave } from './pulse-support.ts';
import {
  auditEvents,
  Browser,
  browserAs,
  expectRefused,
  freshAccount,
  personIdByUsername,
  tableSnapshot,
  unitIdByCode,
  unitPath,
  zoneAdminAccount,
} from './support.ts';

const freeze = suite('roster freeze');
const t = withTestApp(freeze);
let admin: Browser;
let second: Browser;
let adminId: string;
let secondId: string;
let waveId: string;

const TEAM = 'NL-NH-ZW-ZAA-NHB';
const BASISTEAM = 'NL-NH-ZW-ZAA';
const TOMORROW = '2026-11-24';

freeze.before(async () => {
  admin = await browserAs(t.app, 'demo-admin');
  second = await browserAs(t.app, 'demo-admin-2');
  adminId = await personIdByUsername(t.db, 'demo-admin');
  secondId = await personIdByUsername(t.db, 'demo-admin-2');
  waveId = await openWave(t, { name: 'Teamspiegel roster freeze' });
});

/** The wave's roster snapshot and cell plan, as one comparable text. */
async function waveSnapshot(db: Db): Promise<string> {
  const [eligibility, cells] = await Promise.all([
    db.selectFrom('wave_eligibility').selectAll().where('wave_id', '=', waveId).execute(),
    db
      .selectFrom('wave_cell')
      .select(['id', 'unit_id', 'kind', 'eligible', 'key_id'])
      .where('wave_id', '=', waveId)
      .execute(),
  ]);
  return JSON.stringify([
    eligibility.map((r) => JSON.stringify(r)).sort(),
    cells.map((r) => JSON.stringify(r)).sort(),
  ]);
}

/** Current members (not the lead) of a unit. */
async function membersOf(code: string) {
  return (
    t.db
      .selectFrom('membership')
      .selectAll()
      .where('unit_id', '=', await unitIdByCode(t.db, code))
      .where('left_on', 'is', null)
      // Not one booked to join later (its end would fall before its start).
      .where('joined_on', '<=', TODAY)
      .where('kind', '=', 'member')
      .orderBy('person_id')
      .execute()
  );
}

function pending(response: { statusCode: number; body: string; json: <T>() => T }): RosterChange {
  assert.is(response.statusCode, 202, response.body);
  const body = response.json<RosterChangePending>();
  assert.is(body.status, 'pending_approval');
  assert.is(body.change.state, 'pending');
  return body.change;
}

let counter = 0;
async function newPerson(by: Browser = admin): Promise<PersonDetail> {
  counter += 1;
  const response = await by.post('/api/v1/people', {
    employeeNumber: `RF-${counter}`,
    givenName: 'Noor',
    familyName: `Freeze ${counter}`,
    email: `noor.freeze${counter}@politie.example`,
    language: 'nl',
  });
  assert.is(response.statusCode, 201, response.body);
  return response.json<PersonDetail>();
}

const detailsOf = (event: { details: string }) =>
  JSON.parse(event.details) as Record<string, unknown>;

const approve = (b: Browser, id: string, note?: string) =>
  b.post(`/api/v1/roster-changes/${id}/approve`, note === undefined ? {} : { note });

freeze('a lead change in a team of the open wave waits for a second administrator', async () => {
  const [member] = await membersOf(TEAM);
  const teamId = await unitIdByCode(t.db, TEAM);
  const memberships = await tableSnapshot(t.db, 'membership');
  const snapshot = await waveSnapshot(t.db);

  const change = pending(
    await admin.post(`/api/v1/people/${member!.person_id}/memberships`, {
      unitId: teamId,
      kind: 'lead',
      joinedOn: TOMORROW,
    }),
  );
  assert.is(change.kind, 'membership_add');
  assert.is(change.proposedBy, adminId);
  assert.ok(change.summary.includes('lead'), change.summary);
  // The facts the screen words it from, in the reader's language.
  assert.is(change.facts.role, 'lead');
  assert.is(change.facts.date, TOMORROW);
  assert.ok(change.facts.unit?.startsWith('Noodhulp B'), change.facts.unit);
  const who = await t.db
    .selectFrom('person')
    .select(['family_name', 'employee_number'])
    .where('id', '=', member!.person_id)
    .executeTakeFirstOrThrow();
  assert.ok(change.facts.person?.includes(who.family_name), change.facts.person);
  assert.ok(change.facts.person?.includes(who.employee_number), change.facts.person);
  assert.is(await tableSnapshot(t.db, 'membership'), memberships, 'nothing applied yet');
  const [proposed] = await auditEvents(t.db, 'roster_change.proposed');
  assert.is(proposed!.target_id, change.id);
  assert.is(proposed!.actor_person_id, adminId);

  // The proposer cannot approve their own change.
  expectRefused(await approve(admin, change.id), 409, 'four_eyes_required');
  assert.is(await tableSnapshot(t.db, 'membership'), memberships);
  const still = await second.get(`/api/v1/roster-changes/${change.id}`);
  assert.is(still.json<RosterChange>().state, 'pending');

  // The second administrator approves: applied exactly as the direct change would be.
  const approved = await approve(second, change.id, 'Agreed with the district');
  assert.is(approved.statusCode, 200, approved.body);
  const decided = approved.json<RosterChange>();
  assert.is(decided.state, 'approved');
  assert.is(decided.decidedBy, secondId);
  assert.is(decided.decisionNote, 'Agreed with the district');
  const rows = await t.db
    .selectFrom('membership')
    .selectAll()
    .where('person_id', '=', member!.person_id)
    .where('unit_id', '=', teamId)
    .orderBy('joined_on')
    .execute();
  assert.equal(
    rows.map((r) => [r.kind, r.joined_on, r.left_on]),
    [
      ['member', member!.joined_on, TOMORROW],
      ['lead', TOMORROW, null],
    ],
  );
  const [added] = await auditEvents(t.db, 'membership.added');
  assert.is(added!.actor_person_id, secondId);
  assert.is(detailsOf(added!).rosterChangeId, change.id);
  const [approvedEvent] = await auditEvents(t.db, 'roster_change.approved');
  assert.is(approvedEvent!.target_id, change.id);
  assert.is(approvedEvent!.actor_person_id, secondId);

  // The open wave still counts everyone where it counted them at open.
  assert.is(await waveSnapshot(t.db), snapshot);

  // The works council reads the audit log: ids only, the name stays with the change itself.
  const lines = await t.db
    .selectFrom('audit_event')
    .selectAll()
    .where('target_id', '=', change.id)
    .execute();
  assert.equal(lines.map((l) => l.action).sort(), [
    'roster_change.approved',
    'roster_change.proposed',
  ]);
  for (const line of lines) {
    assert.not.ok(line.details.includes(who.family_name), line.details);
    assert.not.ok(line.details.includes(who.employee_number), line.details);
    assert.is(detailsOf(line).personId, member!.person_id);
    assert.is(detailsOf(line).unitIds, teamId);
    assert.is(detailsOf(line).kind, 'membership_add');
  }

  // Decided once: a second approval is refused.
  expectRefused(await approve(second, change.id), 409, 'roster_change_not_pending');
});

freeze('outside any open wave a change applies at once', async () => {
  const person = await newPerson();
  const response = await admin.post(`/api/v1/people/${person.id}/memberships`, {
    unitId: await unitIdByCode(t.db, 'BE-SCH-INT-A'),
    kind: 'member',
    joinedOn: TODAY,
  });
  assert.is(response.statusCode, 201, response.body);
  assert.is(response.json<PersonDetail>().memberships.length, 1);
  const archived = await admin.post('/api/v1/units', {
    parentId: await unitIdByCode(t.db, 'BE-SCH'),
    code: 'BE-SCH-RF',
    name: 'Freeze test unit',
    kind: 'service',
  });
  assert.is(archived.statusCode, 201, archived.body);
});

freeze('A12: shrinking a group during an open wave cannot be done alone', async () => {
  const members = (await membersOf(TEAM)).slice(0, 3);
  const memberships = await tableSnapshot(t.db, 'membership');
  const units = await tableSnapshot(t.db, 'unit');
  const people = await tableSnapshot(t.db, 'person');
  const snapshot = await waveSnapshot(t.db);

  // Moving people out of the team, one by one...
  const ends = [];
  for (const m of members) {
    ends.push(pending(await admin.post(`/api/v1/memberships/${m.id}/end`, { leftOn: TOMORROW })));
  }
  // ...moving the team elsewhere, archiving a unit, deactivating a member...
  const move = pending(
    await admin.patch(`/api/v1/units/${await unitIdByCode(t.db, TEAM)}`, {
      parentId: await unitIdByCode(t.db, 'NL-NH-ZW'),
    }),
  );
  assert.is(move.kind, 'unit_move');
  const deactivate = pending(
    await admin.post(`/api/v1/people/${members[0]!.person_id}/deactivate`),
  );
  assert.is(deactivate.kind, 'person_deactivate');
  // ...and creating a unit inside the frozen organisation.
  const create = pending(
    await admin.post('/api/v1/units', {
      parentId: await unitIdByCode(t.db, BASISTEAM),
      code: 'NL-RF-A12',
      name: 'Side team',
      kind: 'team',
    }),
  );
  assert.is(create.kind, 'unit_create');

  // Nothing of it applied, and none of it can be approved by the same administrator.
  assert.is(await tableSnapshot(t.db, 'membership'), memberships);
  assert.is(await tableSnapshot(t.db, 'unit'), units);
  assert.is(await tableSnapshot(t.db, 'person'), people);
  for (const change of [...ends, move, deactivate, create]) {
    expectRefused(await approve(admin, change.id), 409, 'four_eyes_required');
  }
  assert.is(await tableSnapshot(t.db, 'membership'), memberships);
  assert.is(await tableSnapshot(t.db, 'unit'), units);
  assert.is(await waveSnapshot(t.db), snapshot);

  // They show up as pending for the second administrator to decide.
  const list = await second.get('/api/v1/roster-changes?state=pending');
  assert.is(list.statusCode, 200, list.body);
  const ids = list.json<RosterChangePage>().items.map((c) => c.id);
  for (const change of [...ends, move, deactivate, create]) assert.ok(ids.includes(change.id));

  // Rejected, everything stays as it was; the rejection is audited with its note.
  for (const change of [...ends, move, deactivate, create]) {
    const rejected = await second.post(`/api/v1/roster-changes/${change.id}/reject`, {
      note: 'Not during the wave',
    });
    assert.is(rejected.statusCode, 200, rejected.body);
    assert.is(rejected.json<RosterChange>().state, 'rejected');
  }
  assert.is(await tableSnapshot(t.db, 'membership'), memberships);
  assert.is(await tableSnapshot(t.db, 'unit'), units);
  assert.is(await tableSnapshot(t.db, 'person'), people);
  const rejections = await auditEvents(t.db, 'roster_change.rejected');
  assert.ok(rejections.length >= 6);
  assert.is(detailsOf(rejections[0]!).note, 'Not during the wave');
});

freeze('a rename changes no membership and applies at once', async () => {
  const teamId = await unitIdByCode(t.db, TEAM);
  const response = await admin.patch(`/api/v1/units/${teamId}`, { name: 'Noodhulp B (nacht)' });
  assert.is(response.statusCode, 200, response.body);
  assert.is(response.json<Unit>().name, 'Noodhulp B (nacht)');
});

freeze('A11: a new tiny team is collected in its parent remainder until it has K_E', async () => {
  const basisteamId = await unitIdByCode(t.db, BASISTEAM);
  const create = pending(
    await admin.post('/api/v1/units', {
      parentId: basisteamId,
      code: 'NL-RF-TINY',
      name: 'Tiny team',
      kind: 'team',
    }),
  );
  assert.not.ok(
    await t.db.selectFrom('unit').select('id').where('code', '=', 'NL-RF-TINY').executeTakeFirst(),
  );
  const created = await approve(second, create.id);
  assert.is(created.statusCode, 200, created.body);
  const tinyId = await unitIdByCode(t.db, 'NL-RF-TINY');
  const kE = effectiveThresholds().kE;
  const people: string[] = [];
  for (let i = 0; i < kE - 1; i++) {
    const person = await newPerson();
    const change = pending(
      await admin.post(`/api/v1/people/${person.id}/memberships`, {
        unitId: tinyId,
        kind: 'member',
        joinedOn: TODAY,
      }),
    );
    const approved = await approve(second, change.id);
    assert.is(approved.statusCode, 200, approved.body);
    people.push(person.id);
  }

  // The unit page has what it needs to say so: fewer members than the organisation's K_E.
  const page = (await admin.get(`/api/v1/units/${tinyId}`)).json<UnitDetail>();
  assert.is(page.teamCellMinimum, kE);
  assert.is(page.unit.memberCount, kE - 1);

  // The next wave plan: no cell of its own; its members answer in an ancestor's remainder group.
  const plan = await planWaveCells(t.db, {
    rootPath: await unitPath(t.db, 'NL'),
    date: TODAY,
    previousOpenedOn: null,
    kE,
  });
  assert.not.ok(plan.cells.some((c) => c.unitId === tinyId));
  const cells = plan.cells.filter((c) => people.some((p) => c.members.includes(p)));
  assert.is(cells.length, 1, 'all in one cell');
  assert.is(cells[0]!.kind, 'remainder');
  assert.ok((await unitPath(t.db, 'NL-RF-TINY')).includes(`/${cells[0]!.unitId}/`));
  assert.ok(cells[0]!.members.length >= kE);
});

freeze('an approval that no longer applies fails, and applies nothing', async () => {
  const person = await newPerson();
  const teamId = await unitIdByCode(t.db, TEAM);
  const body = { unitId: teamId, kind: 'member', joinedOn: TOMORROW };
  const first = pending(await admin.post(`/api/v1/people/${person.id}/memberships`, body));
  const twin = pending(await admin.post(`/api/v1/people/${person.id}/memberships`, body));
  assert.is((await approve(second, first.id)).statusCode, 200);
  const memberships = await tableSnapshot(t.db, 'membership');

  expectRefused(await approve(second, twin.id), 409, 'roster_change_failed');
  assert.is(await tableSnapshot(t.db, 'membership'), memberships);
  const failed = (await second.get(`/api/v1/roster-changes/${twin.id}`)).json<RosterChange>();
  assert.is(failed.state, 'failed');
  assert.ok(failed.failure?.startsWith('membership_overlap'), failed.failure ?? '');
  const [event] = await auditEvents(t.db, 'roster_change.failed');
  assert.is(event!.target_id, twin.id);
});

freeze('only the proposer withdraws; others may only reject', async () => {
  const [member] = await membersOf(TEAM);
  const change = pending(
    await admin.post(`/api/v1/memberships/${member!.id}/end`, { leftOn: TOMORROW }),
  );
  expectRefused(
    await second.post(`/api/v1/roster-changes/${change.id}/withdraw`, {}),
    403,
    'forbidden',
  );
  const withdrawn = await admin.post(`/api/v1/roster-changes/${change.id}/withdraw`, {});
  assert.is(withdrawn.statusCode, 200, withdrawn.body);
  assert.is(withdrawn.json<RosterChange>().state, 'withdrawn');
  expectRefused(await approve(second, change.id), 409, 'roster_change_not_pending');
  const [event] = await auditEvents(t.db, 'roster_change.withdrawn');
  assert.is(event!.target_id, change.id);
});

freeze('no one without org:manage sees or decides changes', async () => {
  const [member] = await membersOf(TEAM);
  const change = pending(
    await admin.post(`/api/v1/memberships/${member!.id}/end`, { leftOn: TOMORROW }),
  );
  for (const username of ['demo-hr', 'demo-chief', 'demo-lead', 'demo-council']) {
    const b = await browserAs(t.app, username);
    expectRefused(await b.get('/api/v1/roster-changes'), 403, 'forbidden');
    expectRefused(await approve(b, change.id), 403, 'forbidden');
  }
  // The zone's own administrator manages no unit of the corps: not in their list, 403.
  const zoneAdmin = await browserAs(t.app, (await zoneAdminAccount(t.db)).username);
  const theirs = await zoneAdmin.get('/api/v1/roster-changes');
  assert.is(theirs.statusCode, 200, theirs.body);
  assert.not.ok(theirs.json<RosterChangePage>().items.some((c) => c.id === change.id));
  expectRefused(await zoneAdmin.get(`/api/v1/roster-changes/${change.id}`), 403, 'forbidden');
  expectRefused(await approve(zoneAdmin, change.id), 403, 'forbidden');
  const mine = await second.get('/api/v1/roster-changes?state=pending');
  assert.ok(mine.json<RosterChangePage>().items.some((c) => c.id === change.id));
  assert.is(
    (await second.get(`/api/v1/roster-changes/${change.id}`)).json<RosterChange>().state,
    'pending',
  );
});

/**
 * Gives a person a login through the API as `maker` (the temporary password comes back to
 * them), optionally an administrator role at `adminAt`, and logs in as it, as a sock puppet.
 */
async function loginMadeBy(
  maker: Browser,
  personId: string,
  adminAt: string | null,
): Promise<Browser> {
  counter += 1;
  const username = `puppet.${counter}`;
  const account = await maker.post(`/api/v1/people/${personId}/account`, { username });
  assert.is(account.statusCode, 201, account.body);
  const temporary = account.json<CreateAccountResponse>().temporaryPassword;
  if (adminAt) {
    const granted = await maker.post(`/api/v1/people/${personId}/roles`, {
      role: 'admin',
      unitId: await unitIdByCode(t.db, adminAt),
    });
    assert.is(granted.statusCode, 201, granted.body);
  }
  const puppet = await browserAs(t.app, username, temporary);
  const newPassword = `een-eigen-zin-${counter}-voor-de-test`;
  const changed = await puppet.post('/api/v1/auth/password', {
    currentPassword: temporary,
    newPassword,
  });
  assert.is(changed.statusCode, 204, changed.body);
  return browserAs(t.app, username, newPassword);
}

/** An administrator at `code` put straight into the database, as the seed does: no login. */
async function adminWithoutLogin(code: string): Promise<string> {
  const { personId } = await freshAccount(t.db, `nobody.${++counter}`);
  await t.db.deleteFrom('account').where('person_id', '=', personId).execute();
  await t.db
    .insertInto('role_assignment')
    .values({
      id: randomUUID(),
      person_id: personId,
      role: 'admin',
      unit_id: await unitIdByCode(t.db, code),
      created_at: '2026-11-01T08:00:00.000Z',
    })
    .execute();
  return personId;
}

async function endOfFirstMember(by: Browser): Promise<RosterChange> {
  const [member] = await membersOf(TEAM);
  return pending(await by.post(`/api/v1/memberships/${member!.id}/end`, { leftOn: TOMORROW }));
}

freeze('four eyes: a person the proposer made cannot approve for them', async () => {
  const change = await endOfFirstMember(admin);
  const memberships = await tableSnapshot(t.db, 'membership');

  // A new person, a login and the administrator role at the root, all by the proposer.
  const puppet = await loginMadeBy(admin, (await newPerson()).id, 'NL');
  expectRefused(await approve(puppet, change.id), 409, 'four_eyes_related');

  // An administrator who had no login, given one by the proposer, is taken over the same way.
  const takenOver = await loginMadeBy(admin, await adminWithoutLogin('NL'), null);
  expectRefused(await approve(takenOver, change.id), 409, 'four_eyes_related');

  // Either way round: what a person the approver made proposes, the approver cannot approve.
  const second2 = await loginMadeBy(second, (await newPerson(second)).id, 'NL');
  const theirs = await endOfFirstMember(second2);
  expectRefused(await approve(second, theirs.id), 409, 'four_eyes_related');

  assert.is(await tableSnapshot(t.db, 'membership'), memberships, 'nothing applied');
  // Each reader is told whether they may approve, and why not, in the list and the detail.
  const seenBy = async (b: Browser, id: string) => {
    const detail = (await b.get(`/api/v1/roster-changes/${id}`)).json<RosterChange>();
    const list = (
      await b.get('/api/v1/roster-changes?state=pending&pageSize=100')
    ).json<RosterChangePage>();
    const listed = list.items.find((c) => c.id === id);
    assert.equal(
      [listed?.canApprove, listed?.approvalBlock],
      [detail.canApprove, detail.approvalBlock],
      'the list and the detail agree',
    );
    return [detail.canApprove, detail.approvalBlock];
  };
  assert.equal(await seenBy(admin, change.id), [false, 'own_proposal']);
  assert.equal(await seenBy(puppet, change.id), [false, 'related']);
  assert.equal(await seenBy(takenOver, change.id), [false, 'related']);
  assert.equal(await seenBy(second, theirs.id), [false, 'related']);
  assert.equal(await seenBy(second, change.id), [true, null]);
  for (const id of [change.id, theirs.id]) {
    assert.is(
      (await second.get(`/api/v1/roster-changes/${id}`)).json<RosterChange>().state,
      'pending',
    );
  }
  // A truly second administrator still approves.
  const approved = await approve(second, change.id);
  assert.is(approved.statusCode, 200, approved.body);
  const withdrawn = await second2.post(`/api/v1/roster-changes/${theirs.id}/withdraw`, {});
  assert.is(withdrawn.statusCode, 200, withdrawn.body);
});

/** A login with the administrator role at `code` that no one of the demo made. */
async function independentAdmin(code: string): Promise<Browser> {
  const account = await freshAccount(t.db, `independent.${++counter}`);
  await t.db
    .insertInto('role_assignment')
    .values({
      id: randomUUID(),
      person_id: account.personId,
      role: 'admin',
      unit_id: await unitIdByCode(t.db, code),
      created_at: '2026-11-01T08:00:00.000Z',
    })
    .execute();
  return browserAs(t.app, account.username, account.password);
}

freeze('an import is approved only by an administrator of the whole organisation', async () => {
  const district = await independentAdmin('NL-NH');
  // An import that touches one frozen team of the district (its plan may reach any unit).
  const organisationPath = await unitPath(t.db, 'NL');
  const teamId = await unitIdByCode(t.db, TEAM);
  const id = await t.db.transaction().execute((trx) =>
    proposeRosterChange(trx, {
      organisationPath,
      kind: 'import',
      summary: 'HR import (people.csv)',
      payload: { importId: randomUUID() },
      unitIds: [teamId],
      proposedBy: adminId,
      at: t.clock.now(),
    }),
  );
  // The district's administrator sees it (it names a unit of theirs) but cannot approve it.
  expectRefused(await approve(district, id), 403, 'forbidden');
  // The screen is told so and offers no approval to them.
  const seen = (await district.get(`/api/v1/roster-changes/${id}`)).json<RosterChange>();
  assert.equal([seen.canApprove, seen.approvalBlock], [false, 'out_of_scope']);
  const still = (await second.get(`/api/v1/roster-changes/${id}`)).json<RosterChange>();
  assert.is(still.state, 'pending');
  assert.equal([still.canApprove, still.approvalBlock], [true, null]);
  const rejected = await second.post(`/api/v1/roster-changes/${id}/reject`, {});
  assert.is(rejected.statusCode, 200, rejected.body);
});

freeze(
  'a deactivation is approved only by an administrator over every unit it ends something in',
  async () => {
    const district = await independentAdmin('NL-NH');
    const person = await newPerson();
    const teamId = await unitIdByCode(t.db, TEAM);
    // A member of a district team, and HR analyst at the corps' root.
    const joined = pending(
      await admin.post(`/api/v1/people/${person.id}/memberships`, {
        unitId: teamId,
        kind: 'member',
        joinedOn: TOMORROW,
      }),
    );
    assert.is((await approve(second, joined.id)).statusCode, 200);
    const role = await admin.post(`/api/v1/people/${person.id}/roles`, {
      role: 'hr_analyst',
      unitId: await unitIdByCode(t.db, 'NL'),
    });
    assert.is(role.statusCode, 201, role.body);
    const change = pending(await admin.post(`/api/v1/people/${person.id}/deactivate`));
    assert.equal(change.unitIds, [teamId]);
    const people = await tableSnapshot(t.db, 'person');

    // The district's administrator manages the team, not the root where the role would end.
    expectRefused(await approve(district, change.id), 403, 'forbidden');
    assert.is(await tableSnapshot(t.db, 'person'), people);
    const approved = await approve(second, change.id);
    assert.is(approved.statusCode, 200, approved.body);
  },
);

freeze(
  'the freeze covers the subtree of the programme with a wave, and ends at close',
  async () => {
    const frozen = await frozenUnitIds(t.db, TODAY);
    assert.ok(frozen.has(await unitIdByCode(t.db, 'NL')));
    assert.ok(frozen.has(await unitIdByCode(t.db, TEAM)));
    assert.not.ok(frozen.has(await unitIdByCode(t.db, 'BE-SCH')));
    assert.not.ok(frozen.has(await unitIdByCode(t.db, 'BE-SCH-INT-A')));

    await t.app.waves.close(waveId, null);
    assert.is((await frozenUnitIds(t.db, TODAY)).size, 0);
    const person = await newPerson();
    const response = await admin.post(`/api/v1/people/${person.id}/memberships`, {
      unitId: await unitIdByCode(t.db, TEAM),
      kind: 'member',
      joinedOn: TOMORROW,
    });
    assert.is(response.statusCode, 201, response.body);
  },
);

freeze.run();
