/**
 * The roster freeze starts before a wave opens (anonymity.md 4.1): from the organisation's
 * freeze window (14 days unless changed) before a planned wave's opening day, a change to who is
 * counted where in its programme waits for a second administrator, so no one reshapes a team
 * on their own just before the snapshot.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { PersonDetail, RosterChangePending, SettingsView } from '@teamspiegel/contracts';
import { createProgramme } from '../src/collection/programmes.routes.ts';
import { addDays } from '../src/collection/waves.repository.ts';
import { frozenUnitIds } from '../src/roster/freeze.ts';
import { TODAY, withTestApp } from './helpers.ts';
import {
  auditEvents,
  type Browser,
  browserAs,
  expectRefused,
  unitIdByCode,
  zoneAdminAccount,
} from './support.ts';

const window = suite('roster freeze window');
const t = withTestApp(window);
let admin: Browser;
let waveId: string;
let organisationId: string;

const TEAM = 'BE-SCH-INT-A';

window.before(async () => {
  admin = await browserAs(t.app, 'demo-admin');
  organisationId = await unitIdByCode(t.db, 'BE-SCH');
  ({ waveId } = await createProgramme(t.db, t.clock, {
    rootUnitId: organisationId,
    name: 'Teamspiegel freeze window',
    firstOpensOn: addDays(TODAY, 13),
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

let counter = 0;
async function joinTeam() {
  counter += 1;
  const person = await admin.post('/api/v1/people', {
    employeeNumber: `FW-${counter}`,
    givenName: 'Sam',
    familyName: `Window ${counter}`,
    email: `sam.window${counter}@politie.example`,
    language: 'nl',
  });
  assert.is(person.statusCode, 201, person.body);
  return admin.post(`/api/v1/people/${person.json<PersonDetail>().id}/memberships`, {
    unitId: await unitIdByCode(t.db, TEAM),
    kind: 'member',
    joinedOn: TODAY,
  });
}

async function setWindow(days: number) {
  const view = await admin.get(`/api/v1/settings?organisationId=${organisationId}`);
  assert.is(view.statusCode, 200, view.body);
  const { settings } = view.json<SettingsView>();
  return admin.request('PUT', '/api/v1/settings', {
    organisationId,
    settings: { ...settings, roster: { freezeWindowDays: days } },
  });
}

window(
  '13 days before a planned wave opens, a change waits for a second administrator',
  async () => {
    const response = await joinTeam();
    assert.is(response.statusCode, 202, response.body);
    assert.is(response.json<RosterChangePending>().change.kind, 'membership_add');
    assert.ok((await frozenUnitIds(t.db, TODAY)).has(await unitIdByCode(t.db, TEAM)));
  },
);

window(
  'the day before it opens, ending memberships to shrink a team cannot be done alone',
  async () => {
    await opensIn(1);
    const [membership] = await t.db
      .selectFrom('membership')
      .select('id')
      .where('unit_id', '=', await unitIdByCode(t.db, TEAM))
      .where('left_on', 'is', null)
      .where('joined_on', '<', TODAY)
      .execute();
    const response = await admin.post(`/api/v1/memberships/${membership!.id}/end`, {
      leftOn: addDays(TODAY, 1),
    });
    assert.is(response.statusCode, 202, response.body);
  },
);

window('15 days before it opens, a change applies at once', async () => {
  await opensIn(15);
  const response = await joinTeam();
  assert.is(response.statusCode, 201, response.body);
  assert.not.ok((await frozenUnitIds(t.db, TODAY)).has(await unitIdByCode(t.db, TEAM)));
});

window('the window is the organisation setting, changed with an audit line', async () => {
  const wider = await setWindow(20);
  assert.is(wider.statusCode, 200, wider.body);
  const [event] = await auditEvents(t.db, 'settings.changed');
  assert.ok(event!.details.includes('roster.freezeWindowDays'), event!.details);
  // Still 15 days ahead: now inside the organisation's window of 20.
  assert.is((await joinTeam()).statusCode, 202);

  // Lowering it needs a second administrator (four eyes), as every roster change does.
  const lowered = await setWindow(0);
  assert.is(lowered.statusCode, 202, lowered.body);
  const id = lowered.json<RosterChangePending>().change.id;
  const second = await browserAs(t.app, (await zoneAdminAccount(t.db)).username);
  const approved = await second.post(`/api/v1/roster-changes/${id}/approve`, {});
  assert.is(approved.statusCode, 200, approved.body);
  await opensIn(1);
  assert.is((await joinTeam()).statusCode, 201, 'a window of 0 freezes from the opening day');
  expectRefused(await setWindow(-1), 400, 'validation_failed');
  await setWindow(14);
  await opensIn(14);
  assert.is((await joinTeam()).statusCode, 202, 'the 14th day before is inside the window');
  // The NL corps runs no wave: its units stay free.
  assert.not.ok((await frozenUnitIds(t.db, TODAY)).has(await unitIdByCode(t.db, 'NL')));
});

window.run();
