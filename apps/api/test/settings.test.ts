/**
 * Organisation settings through the API: administrators raise thresholds (never lower them),
 * every change is audited with old and new values, the works council reads the settings and
 * their history but cannot change them, and one organisation never reads or changes another's.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type {
  AuditPage,
  OrganisationSettings,
  SettingsHistory,
  SettingsView,
} from '@teamspiegel/contracts';
import type { Db } from '@teamspiegel/db';
import { withTestApp } from './helpers.ts';
import {
  auditEvents,
  browserAs,
  expectRefused,
  personIdByUsername,
  refusalChecks,
  unitIdByCode,
  zoneAdminAccount,
  type Browser,
} from './support.ts';

const t = withTestApp(test);
const { unchanged } = refusalChecks(t, ['audit_event']);

let admin: Browser;
let council: Browser;
let nlId = '';
let zoneId = '';

test.before(async () => {
  admin = await browserAs(t.app, 'demo-admin');
  council = await browserAs(t.app, 'demo-council');
  nlId = await unitIdByCode(t.db, 'NL');
  zoneId = await unitIdByCode(t.db, 'BE-SCH');
});

const settingsOf = async (browser: Browser, organisationId = nlId): Promise<SettingsView> => {
  const response = await browser.get(`/api/v1/settings?organisationId=${organisationId}`);
  assert.is(response.statusCode, 200, response.body);
  return response.json<SettingsView>();
};

const putSettings = (browser: Browser, body: unknown) =>
  browser.request('PUT', '/api/v1/settings', body);

const withThresholds = (
  settings: OrganisationSettings,
  changes: Partial<OrganisationSettings['thresholds']>,
): OrganisationSettings => ({ ...settings, thresholds: { ...settings.thresholds, ...changes } });

/** The stored settings and their history: a refused change must leave both as they were. */
const storedState = async (db: Db) =>
  JSON.stringify([
    await db.selectFrom('organisation_setting').selectAll().orderBy('organisation_id').execute(),
    await db.selectFrom('setting_change').selectAll().orderBy('id').execute(),
  ]);

async function expectNothingChanged(run: () => Promise<void>) {
  const before = await storedState(t.db);
  await unchanged(run);
  assert.is(await storedState(t.db), before, 'settings or their history changed');
}

test('an organisation starts at the floors and the default retention', async () => {
  const view = await settingsOf(admin);
  assert.equal(view.settings.thresholds, { k: 5, kE: 5, kDist: 10, kSens: 20, kComment: 10, d: 5 });
  assert.equal(view.floors, view.settings.thresholds);
  assert.equal(view.settings.retention, { resultsYears: 5, commentsMonths: 24 });
  assert.is(view.canManage, true);
  assert.is(view.updatedAt, null);
});

test('an administrator raises K: stored, in the history and audited with old and new', async () => {
  const current = (await settingsOf(admin)).settings;
  const response = await putSettings(admin, {
    organisationId: nlId,
    settings: withThresholds(current, { k: 7 }),
  });
  assert.is(response.statusCode, 200, response.body);
  assert.is(response.json<SettingsView>().settings.thresholds.k, 7);
  assert.is((await settingsOf(admin)).settings.thresholds.k, 7);

  const changes = await t.db.selectFrom('setting_change').selectAll().execute();
  assert.is(changes.length, 1);
  assert.is(changes[0]?.key, 'thresholds.k');
  assert.is(changes[0]?.old_value, '5');
  assert.is(changes[0]?.new_value, '7');
  assert.is(changes[0]?.effective_from, 'next wave');
  assert.is(changes[0]?.actor_id, await personIdByUsername(t.db, 'demo-admin'));

  const [event] = await auditEvents(t.db, 'settings.changed');
  assert.ok(event);
  assert.is(event.target_id, nlId);
  assert.equal(JSON.parse(event.details), { 'thresholds.k.old': 5, 'thresholds.k.new': 7 });
});

test('lowering a raised threshold is refused, naming it and its value, and changes nothing', async () => {
  const current = (await settingsOf(admin)).settings;
  await expectNothingChanged(async () => {
    const response = await putSettings(admin, {
      organisationId: nlId,
      settings: withThresholds(current, { k: 6 }),
    });
    expectRefused(response, 400, 'threshold_lowering_refused');
    assert.match(response.json<{ message: string }>().message, 'k is 7 and cannot be lowered to 6');
  });
  assert.is((await settingsOf(admin)).settings.thresholds.k, 7);
});

test('a threshold below its floor is refused, even with other changes in the same request', async () => {
  const current = (await settingsOf(admin)).settings;
  await expectNothingChanged(async () => {
    const response = await putSettings(admin, {
      organisationId: nlId,
      settings: {
        ...withThresholds(current, { kDist: 9 }),
        retention: { resultsYears: 7, commentsMonths: 24 },
      },
    });
    expectRefused(response, 400, 'threshold_lowering_refused');
    assert.match(response.json<{ message: string }>().message, 'floor of 10');
  });
  assert.is((await settingsOf(admin)).settings.retention.resultsYears, 5);
});

test('links must be https or mailto; retention at least a year of results', async () => {
  const current = (await settingsOf(admin)).settings;
  await expectNothingChanged(async () => {
    for (const links of [
      { confidentialAdviser: 'javascript:alert(1)', complaints: null },
      { confidentialAdviser: null, complaints: 'http://intranet.example/klachten' },
    ]) {
      const response = await putSettings(admin, {
        organisationId: nlId,
        settings: { ...current, links },
      });
      expectRefused(response, 400, 'settings_invalid');
    }
    const zero = await putSettings(admin, {
      organisationId: nlId,
      settings: { ...current, retention: { resultsYears: 0, commentsMonths: 24 } },
    });
    expectRefused(zero, 400, 'validation_failed');
  });
});

test('a word for a team lead that carries a question, or hides letters, is refused (A13)', async () => {
  const current = (await settingsOf(admin)).settings;
  await expectNothingChanged(async () => {
    for (const [language, word, says] of [
      ['nl', 'mijn teamchef. Ik ben een vrouw en', 'only letters'],
      ['en', 'my team lead. How old are you? And', 'only letters'],
      ['en', 'how old', 'asks for age'],
      ['nl', 'mijn l\u0435idinggevende', 'outside the Latin alphabet'],
      ['nl', 'mijn leiding\u00ADgevende', 'invisible'],
    ] as const) {
      const response = await putSettings(admin, {
        organisationId: nlId,
        settings: { ...current, leaderTerm: { ...current.leaderTerm, [language]: word } },
      });
      expectRefused(response, 400, 'settings_invalid', word);
      const { message } = response.json<{ message: string }>();
      assert.match(message, `leaderTerm.${language}`, word);
      assert.match(message, says, word);
    }
  });
  assert.equal((await settingsOf(admin)).settings.leaderTerm, current.leaderTerm);
});

test('the works council reads the settings and who changed what, but cannot change them', async () => {
  const view = await settingsOf(council);
  assert.is(view.settings.thresholds.k, 7);
  assert.is(view.canManage, false);
  const history = await council.get('/api/v1/settings/history?page=1');
  assert.is(history.statusCode, 200, history.body);
  const page = history.json<SettingsHistory>();
  assert.is(page.total, 1);
  assert.equal(
    { ...page.items[0], id: undefined, at: undefined, actorId: undefined },
    {
      id: undefined,
      at: undefined,
      actorId: undefined,
      actorName: page.items[0]?.actorName,
      key: 'thresholds.k',
      oldValue: 5,
      newValue: 7,
      effectiveFrom: 'next wave',
    },
  );
  assert.ok(page.items[0]?.actorName, 'the history names who changed it');

  await expectNothingChanged(async () => {
    const response = await putSettings(council, {
      organisationId: nlId,
      settings: withThresholds(view.settings, { k: 9 }),
    });
    expectRefused(response, 403, 'forbidden');
  });
  // Officers, leads, chiefs and analysts read no settings at all.
  for (const user of ['demo-officer', 'demo-lead', 'demo-chief', 'demo-hr']) {
    const browser = await browserAs(t.app, user);
    expectRefused(await browser.get('/api/v1/settings'), 403, 'forbidden', user);
    expectRefused(await browser.get('/api/v1/settings/history'), 403, 'forbidden', user);
  }
});

test('an administrator of one organisation never reads or changes another one', async () => {
  const zoneAdmin = await browserAs(t.app, (await zoneAdminAccount(t.db)).username);
  const own = await zoneAdmin.get('/api/v1/settings');
  assert.is(own.statusCode, 200, own.body);
  const view = own.json<SettingsView>();
  assert.is(view.organisationId, zoneId);
  assert.equal(
    view.organisations.map((o) => o.id),
    [zoneId],
  );
  assert.is(view.settings.thresholds.k, 5, "the corps' raise is not the zone's");

  await expectNothingChanged(async () => {
    expectRefused(await zoneAdmin.get(`/api/v1/settings?organisationId=${nlId}`), 403, 'forbidden');
    expectRefused(
      await zoneAdmin.get(`/api/v1/settings/history?organisationId=${nlId}`),
      403,
      'forbidden',
    );
    const put = await putSettings(zoneAdmin, {
      organisationId: nlId,
      settings: withThresholds(view.settings, { k: 50 }),
    });
    expectRefused(put, 403, 'forbidden');
    // The works council of the corps does not read the zone's settings either.
    expectRefused(await council.get(`/api/v1/settings?organisationId=${zoneId}`), 403, 'forbidden');
  });

  // The zone's own change lands in the zone only, and its history is its own.
  const raised = await putSettings(zoneAdmin, {
    settings: withThresholds(view.settings, { kComment: 12 }),
  });
  assert.is(raised.statusCode, 200, raised.body);
  assert.is((await settingsOf(admin, zoneId)).settings.thresholds.kComment, 12);
  assert.is((await settingsOf(admin, nlId)).settings.thresholds.kComment, 10);
  const zoneHistory = (await zoneAdmin.get('/api/v1/settings/history')).json<SettingsHistory>();
  assert.equal(
    zoneHistory.items.map((c) => c.key),
    ['thresholds.kComment'],
  );
});

test('settings changes appear in the audit log the works council reads', async () => {
  const response = await council.get('/api/v1/audit?action=settings.changed');
  assert.is(response.statusCode, 200, response.body);
  const page = response.json<AuditPage>();
  // The corps' council sees the corps' change, not the zone's.
  assert.equal(
    page.items.map((e) => e.targetId),
    [nlId],
  );
  assert.is(page.items[0]?.details['thresholds.k.new'], 7);
});

test.run();
