import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type {
  CreateAccountResponse,
  PersonDetail,
  RosterChange,
  RosterChangePending,
  SettingsView,
} from '@teamspiegel/contracts';
import { createProgramme } from '../src/collection/programmes.routes.ts';
import { addDays } from '../src/collection/waves.repository.ts';
import { TODAY, withTestApp } from './helpers.ts';
import {
  type Browser,
  browserAs,
  expectRefused,
  unitIdByCode,
  zoneAdminAccount,
} from './support.ts';

/**
 * Three ways one administrator could escape the roster freeze (A12), each closed: two
 * accounts made by one administrator approving each other, lowering the freeze window alone,
 * and opening a wave by hand before its day after reshaping a team alone.
 */
const s = suite('freeze bypasses by one administrator');
const t = withTestApp(s);
let admin: Browser;
let second: Browser;
let waveId: string;
let organisationId: string;
const TEAM = 'BE-SCH-INT-A';
let counter = 0;

s.before(async () => {
  admin = await browserAs(t.app, 'demo-admin');
  second = await browserAs(t.app, (await zoneAdminAccount(t.db)).username);
  organisationId = await unitIdByCode(t.db, 'BE-SCH');
  ({ waveId } = await createProgramme(t.db, t.clock, {
    rootUnitId: organisationId,
    name: 'review',
    firstOpensOn: addDays(TODAY, 1),
    cadenceDays: 28,
    windowDays: 14,
    commentQuestion: true,
  }));
});

const opensIn = (days: number) =>
  t.db
    .updateTable('wave')
    .set({ opens_on: addDays(TODAY, days) })
    .where('id', '=', waveId)
    .execute();

async function setWindow(days: number) {
  const { settings } = (
    await admin.get(`/api/v1/settings?organisationId=${organisationId}`)
  ).json<SettingsView>();
  return admin.request('PUT', '/api/v1/settings', {
    organisationId,
    settings: { ...settings, roster: { freezeWindowDays: days } },
  });
}
async function newPerson(): Promise<string> {
  counter += 1;
  const r = await admin.post('/api/v1/people', {
    employeeNumber: `RV-${counter}`,
    givenName: 'R',
    familyName: `V ${counter}`,
    email: `rv${counter}@politie.example`,
    language: 'nl',
  });
  assert.is(r.statusCode, 201, r.body);
  return r.json<PersonDetail>().id;
}
async function puppet(): Promise<Browser> {
  const id = await newPerson();
  const username = `rvpuppet.${counter}`;
  const acc = await admin.post(`/api/v1/people/${id}/account`, { username });
  assert.is(acc.statusCode, 201, acc.body);
  const g = await admin.post(`/api/v1/people/${id}/roles`, {
    role: 'admin',
    unitId: organisationId,
  });
  assert.is(g.statusCode, 201, g.body);
  const tmp = acc.json<CreateAccountResponse>().temporaryPassword;
  const b = await browserAs(t.app, username, tmp);
  const pw = `een-eigen-zin-${counter}-voor-de-review`;
  assert.is(
    (await b.post('/api/v1/auth/password', { currentPassword: tmp, newPassword: pw })).statusCode,
    204,
  );
  return browserAs(t.app, username, pw);
}
async function firstMember() {
  return t.db
    .selectFrom('membership')
    .selectAll()
    .where('unit_id', '=', await unitIdByCode(t.db, TEAM))
    .where('left_on', 'is', null)
    .where('joined_on', '<', TODAY)
    .where('kind', '=', 'member')
    .orderBy('id')
    .executeTakeFirstOrThrow();
}

s(
  'two accounts made by one administrator cannot approve each other, nor a chain of them',
  async () => {
    const p1 = await puppet();
    const p2 = await puppet();
    const m = await firstMember();
    await opensIn(1);
    const proposed = await p1.post(`/api/v1/memberships/${m.id}/end`, {
      leftOn: addDays(TODAY, 1),
    });
    assert.is(proposed.statusCode, 202, proposed.body);
    const id = proposed.json<RosterChangePending>().change.id;
    expectRefused(
      await p2.post(`/api/v1/roster-changes/${id}/approve`, {}),
      409,
      'four_eyes_related',
    );
    // A chain: p2 makes p3; p1 and p3 share their maker's maker.
    const p3id = await newPerson();
    const acc = await p2.post(`/api/v1/people/${p3id}/account`, { username: 'rvchain' });
    assert.is(acc.statusCode, 201, acc.body);
    assert.is(
      (await p2.post(`/api/v1/people/${p3id}/roles`, { role: 'admin', unitId: organisationId }))
        .statusCode,
      201,
    );
    const tmp = acc.json<CreateAccountResponse>().temporaryPassword;
    const b = await browserAs(t.app, 'rvchain', tmp);
    assert.is(
      (
        await b.post('/api/v1/auth/password', {
          currentPassword: tmp,
          newPassword: 'een-eigen-zin-voor-de-keten',
        })
      ).statusCode,
      204,
    );
    const p3 = await browserAs(t.app, 'rvchain', 'een-eigen-zin-voor-de-keten');
    const listed = (await p3.get('/api/v1/roster-changes?state=pending')).json<{
      items: RosterChange[];
    }>();
    const shown = listed.items.find((c) => c.id === id);
    if (shown) assert.is(shown.approvalBlock, 'related');
    expectRefused(
      await p3.post(`/api/v1/roster-changes/${id}/approve`, {}),
      409,
      'four_eyes_related',
    );
    // An administrator from elsewhere approves.
    assert.is((await second.post(`/api/v1/roster-changes/${id}/approve`, {})).statusCode, 200);
  },
);

s(
  'lowering the freeze window waits for a second administrator; raising applies at once',
  async () => {
    await opensIn(1);
    const w = await setWindow(0);
    assert.is(w.statusCode, 202, w.body);
    const pending = w.json<RosterChangePending>();
    assert.is(pending.change.kind, 'freeze_window');
    assert.is(pending.change.facts.days, '0');
    // Still frozen: the window is unchanged until approved.
    const m = await firstMember();
    assert.is(
      (await admin.post(`/api/v1/memberships/${m.id}/end`, { leftOn: TODAY })).statusCode,
      202,
    );
    expectRefused(
      await admin.post(`/api/v1/roster-changes/${pending.change.id}/approve`, {}),
      409,
      'four_eyes_required',
    );
    const approved = await second.post(`/api/v1/roster-changes/${pending.change.id}/approve`, {});
    assert.is(approved.statusCode, 200, approved.body);
    const { settings } = (
      await admin.get(`/api/v1/settings?organisationId=${organisationId}`)
    ).json<SettingsView>();
    assert.is(settings.roster.freezeWindowDays, 0);
    const line = await t.db
      .selectFrom('audit_event')
      .select('details')
      .where('action', '=', 'settings.changed')
      .orderBy('at', 'desc')
      .executeTakeFirstOrThrow();
    assert.ok(line.details.includes(pending.change.id), line.details);
    assert.is((await setWindow(14)).statusCode, 200, 'raising applies at once');
  },
);

s(
  'a wave opened by hand before its day is refused after a direct reshape within the window',
  async () => {
    await opensIn(30);
    const m = await firstMember();
    const r = await admin.post(`/api/v1/memberships/${m.id}/end`, { leftOn: TODAY });
    assert.is(r.statusCode, 200, r.body);
    const open = await admin.post(`/api/v1/waves/${waveId}/open`, {});
    expectRefused(open, 409, 'wave_open_early_roster_changed');
    assert.match(open.json<{ message: string }>().message, /wait until \d{4}-\d{2}-\d{2}/);
    const wave = await t.db
      .selectFrom('wave')
      .select('state')
      .where('id', '=', waveId)
      .executeTakeFirstOrThrow();
    assert.is(wave.state, 'planned');
  },
);

s.run();
