/**
 * Settings reaching waves and officers: a raised threshold is fixed into the next wave that
 * starts preparing and never into one already open; the leader word and the support links
 * reach the officer's pulse; content packs asking who someone is are refused (A13).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type {
  ContentPackCheck,
  MyWaves,
  OrganisationSettings,
  Programme,
  SettingsView,
  SupportLinks,
} from '@teamspiegel/contracts';
import { TEAMSPIEGEL_PACK } from '@teamspiegel/core';
import { withTestApp } from './helpers.ts';
import { openNextWave, openWave } from './pulse-support.ts';
import { answerAsTeam, storedResult } from './results-support.ts';
import { browserAs, unitIdByCode, type Browser } from './support.ts';

const t = withTestApp(test);

const DISTRICT = 'NL-NH-ZW';
const TEAM = 'NL-NH-ZW-ZAA-NHB';
const SIBLING = 'NL-NH-ZW-ZAA-NHA';

let admin: Browser;
let nlId = '';

test.before(async () => {
  admin = await browserAs(t.app, 'demo-admin');
  nlId = await unitIdByCode(t.db, 'NL');
});

async function change(edit: (s: OrganisationSettings) => OrganisationSettings): Promise<void> {
  const view = (await admin.get(`/api/v1/settings?organisationId=${nlId}`)).json<SettingsView>();
  const response = await admin.request('PUT', '/api/v1/settings', {
    organisationId: nlId,
    settings: edit(view.settings),
  });
  assert.is(response.statusCode, 200, response.body);
}

const thresholdsOf = async (waveId: string) => {
  const row = await t.db
    .selectFrom('wave')
    .select('thresholds')
    .where('id', '=', waveId)
    .executeTakeFirstOrThrow();
  return JSON.parse(row.thresholds ?? '{}') as Record<string, number>;
};

test('a raise during an open wave changes nothing in it and applies from the next wave', async () => {
  const first = await openWave(t, { rootCode: DISTRICT, commentQuestion: false });
  assert.is((await thresholdsOf(first)).k, 5);
  // Eight respondents: published under K = 5, suppressed under the raised K = 9.
  await answerAsTeam(t, first, TEAM, 8, (index, i) => 3 + ((index + i) % 2));
  await change((s) => ({ ...s, thresholds: { ...s.thresholds, k: 9 } }));
  await answerAsTeam(t, first, SIBLING, 8, (index, i) => (index + i) % 2);
  await t.app.waves.close(first, null);

  assert.is((await thresholdsOf(first)).k, 5, 'the open wave keeps the thresholds it opened with');
  const team = await storedResult(t.db, first, 'wave', await unitIdByCode(t.db, TEAM));
  assert.not.ok('suppressed' in team, JSON.stringify(team));
  assert.is(team['respondents'], 8);

  const second = await openNextWave(t, first);
  assert.is((await thresholdsOf(second)).k, 9, 'the next wave is fixed with the raised K');
});

test("officers read items with the organisation's word for a lead and see its support links", async () => {
  const officer = await browserAs(t.app, 'demo-officer');
  const none = await officer.get('/api/v1/me/support');
  assert.is(none.statusCode, 200, none.body);
  assert.equal(none.json<SupportLinks>(), { confidentialAdviser: null, complaints: null });

  const links = {
    confidentialAdviser: 'https://intranet.politie.example/vertrouwenspersoon',
    complaints: 'mailto:klachten@politie.example',
  };
  await change((s) => ({
    ...s,
    links,
    leaderTerm: { nl: 'mijn brigadier', 'nl-BE': 'mijn brigadier', en: 'my sergeant' },
  }));
  assert.equal((await officer.get('/api/v1/me/support')).json<SupportLinks>(), links);

  const waves = (await officer.get('/api/v1/me/waves')).json<MyWaves>();
  const texts = waves.items.flatMap((w) => w.items.map((i) => i.text));
  assert.ok(texts.length > 0, 'the officer has an open wave');
  const lead = texts.filter((text) => /brigadier|sergeant/.test(text));
  assert.ok(lead.length > 0, texts.join(' | '));
  assert.not.ok(
    texts.some((text) => text.includes('{lead}') || /leidinggevende|team lead/.test(text)),
  );
});

test("a programme created without cadence, window or comment question takes the organisation's defaults", async () => {
  const zoneId = await unitIdByCode(t.db, 'BE-SCH');
  // One programme per organisation: the zone's demo programme makes way for a new one.
  await t.db
    .updateTable('programme')
    .set({ archived_at: '2026-11-22T08:00:00.000Z' })
    .where('root_unit_id', '=', zoneId)
    .execute();
  const view = (await admin.get(`/api/v1/settings?organisationId=${zoneId}`)).json<SettingsView>();
  const saved = await admin.request('PUT', '/api/v1/settings', {
    organisationId: zoneId,
    settings: {
      ...view.settings,
      programmeDefaults: { cadenceDays: 21, windowDays: 10, commentQuestion: false },
    },
  });
  assert.is(saved.statusCode, 200, saved.body);
  const created = await admin.post('/api/v1/programmes', {
    rootUnitId: zoneId,
    name: 'Zone, om de drie weken',
    firstOpensOn: '2026-12-07',
  });
  assert.is(created.statusCode, 201, created.body);
  const programme = created.json<Programme>();
  assert.equal(
    [programme.cadenceDays, programme.windowDays, programme.commentQuestion],
    [21, 10, false],
  );
});

test('a content pack asking who someone is, or for an open answer, is refused per item (A13)', async () => {
  const base = TEAMSPIEGEL_PACK.items[0]!;
  const pack = {
    id: 'own-questions',
    title: 'Own questions',
    source: 'Teamspiegel',
    licence: { status: 'owned' },
    translationStatus: 'original',
    items: [
      {
        ...base,
        id: 'own.team',
        texts: { nl: 'In welk team werk je?', en: 'Which team are you in?' },
      },
      { ...base, id: 'own.age', texts: { nl: 'Wat is je leeftijd?', en: 'How old are you?' } },
      { ...base, id: 'own.open', scale: 'text' },
      { ...base, id: 'own.fine' },
    ],
  };
  const response = await admin.post('/api/v1/content/packs/check', {
    format: 'json',
    text: JSON.stringify(pack),
  });
  assert.is(response.statusCode, 200, response.body);
  const check = response.json<ContentPackCheck>();
  assert.is(check.ok, false);
  const refused = check.problems.filter((p) => p.code === 'identifying_question');
  assert.equal(refused.map((p) => p.path).sort(), [
    '$.items[0].texts.en',
    '$.items[0].texts.nl',
    '$.items[1].texts.en',
    '$.items[1].texts.nl',
    '$.items[2].scale',
  ]);
  const imported = await admin.post('/api/v1/content/packs', {
    format: 'json',
    text: JSON.stringify(pack),
  });
  assert.is(imported.statusCode, 400, imported.body);

  // Teamspiegel's own bank, "In mijn team ..." and all, raises no A13 problem.
  const own = await admin.post('/api/v1/content/packs/check', {
    format: 'json',
    text: JSON.stringify(TEAMSPIEGEL_PACK),
  });
  const ownProblems = own.json<ContentPackCheck>().problems;
  assert.ok(ownProblems.length > 0, 'its ids are taken, which is reported');
  assert.equal(
    ownProblems.filter((p) => p.code !== 'duplicate_id'),
    [],
  );
});

test("a word for a lead is refused when it turns an imported pack's lead item into a question (A13)", async () => {
  const base = TEAMSPIEGEL_PACK.items.find((i) => i.leaderReferent)!;
  const pack = {
    id: 'own-lead-questions',
    title: 'Own lead questions',
    source: 'Teamspiegel',
    licence: { status: 'owned' },
    translationStatus: 'original',
    items: [
      {
        ...base,
        id: 'own.lead_work',
        texts: { nl: 'Hoe {lead} vind je het werk?', en: 'How {lead} do you find the work?' },
      },
    ],
  };
  const imported = await admin.post('/api/v1/content/packs', {
    format: 'json',
    text: JSON.stringify(pack),
  });
  assert.is(imported.statusCode < 300, true, imported.body);

  const view = (await admin.get(`/api/v1/settings?organisationId=${nlId}`)).json<SettingsView>();
  // "oud" (old) is no question by itself; in the pack's item it asks for the officer's age.
  const response = await admin.request('PUT', '/api/v1/settings', {
    organisationId: nlId,
    settings: { ...view.settings, leaderTerm: { ...view.settings.leaderTerm, nl: 'oud' } },
  });
  assert.is(response.statusCode, 400, response.body);
  assert.match(response.json<{ message: string }>().message, /own\.lead_work .*asks for age/);
});

test.run();
