/**
 * The results pages show the items as they were asked: with the organisation's word for a team
 * lead. The overview carries that word per wave (the only setting a results viewer is sent), and
 * it follows the administrator's change of the setting.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ResultsOverview, SettingsView } from '@teamspiegel/contracts';
import { withTestApp } from './helpers.ts';
import { closedWaves, publishTree, published } from './results-support.ts';
import { browserAs, expectRefused, unitIdByCode, type Browser } from './support.ts';

const t = withTestApp(test);

let waveId = '';
let nlId = '';
let admin: Browser;
let officer: Browser;

test.before(async () => {
  [waveId] = (await closedWaves(t, 1, 'Lead word')) as [string];
  await publishTree(t.db, waveId, 'wave', [
    ['NL', published(400)],
    ['NL-NH', published(200)],
    ['NL-NH-ZW', published(100)],
    ['NL-NH-ZW-ZAA', published(60)],
    ['NL-NH-ZW-ZAA-NHB', published(12, 70)],
  ]);
  nlId = await unitIdByCode(t.db, 'NL');
  admin = await browserAs(t.app, 'demo-admin');
  officer = await browserAs(t.app, 'demo-officer');
});

const waveOf = async (browser: Browser) => {
  const response = await browser.get('/api/v1/results/overview');
  assert.is(response.statusCode, 200, response.body);
  const wave = response.json<ResultsOverview>().waves.find((w) => w.waveId === waveId);
  assert.ok(wave, 'the officer sees the closed wave');
  return wave;
};

test('without a setting the overview names the lead with the built-in words', async () => {
  const wave = await waveOf(officer);
  assert.equal(wave.leaderTerm, {
    nl: 'mijn leidinggevende',
    'nl-BE': 'mijn teamchef',
    en: 'my team lead',
  });
});

test('the organisation’s own word reaches the officer’s results, and no other setting does', async () => {
  const view = await admin.get(`/api/v1/settings?organisationId=${nlId}`);
  assert.is(view.statusCode, 200, view.body);
  const current = view.json<SettingsView>().settings;
  const leaderTerm = { nl: 'mijn chef', 'nl-BE': 'mijn ploegchef', en: 'my sergeant' };
  const saved = await admin.request('PUT', '/api/v1/settings', {
    organisationId: nlId,
    settings: { ...current, leaderTerm },
  });
  assert.is(saved.statusCode, 200, saved.body);

  const wave = await waveOf(officer);
  assert.equal(wave.leaderTerm, leaderTerm);
  assert.equal(Object.keys(wave).sort(), [
    'closesOn',
    'leaderTerm',
    'opensOn',
    'programmeId',
    'programmeName',
    'sequence',
    'waveId',
  ]);
  // The officer reads the word through the results, never the settings themselves.
  expectRefused(await officer.get(`/api/v1/settings?organisationId=${nlId}`), 403, 'forbidden');
});

test.run();
