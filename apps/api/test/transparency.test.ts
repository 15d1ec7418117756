import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type {
  TransparencyCell,
  TransparencyPage,
  TransparencyWaveList,
  WaveManifest,
} from '@teamspiegel/contracts';
import { defaultSettings, THRESHOLD_FLOORS } from '@teamspiegel/core';
import { transparencyBand } from '../src/transparency/transparency.repository.ts';
import { withTestApp } from './helpers.ts';
import {
  answersFor,
  browserForPerson,
  cellMembers,
  myWave,
  openWave,
  submit,
  takeToken,
} from './pulse-support.ts';
import {
  Browser,
  browserAs,
  expectRefused,
  personIdByUsername,
  zoneAdminAccount,
} from './support.ts';

const transparency = suite('transparency');
const t = withTestApp(transparency, { TEAMSPIEGEL_CODE_VERSION: 'test-commit-abc' });
let waveId: string;
let officer: Browser;

transparency.before(async () => {
  waveId = await openWave(t, { name: 'Transparantie' });
  officer = await browserAs(t.app, 'demo-officer');
});

const read = async (browser: Browser, id = waveId, query = '') => {
  const response = await browser.get(`/api/v1/waves/${id}/transparency${query}`);
  assert.is(response.statusCode, 200, response.body);
  return response.json<TransparencyPage>();
};

/** Every cell of the plan, page by page. */
async function allCells(browser: Browser, id = waveId): Promise<TransparencyCell[]> {
  const cells: TransparencyCell[] = [];
  for (let page = 1; ; page += 1) {
    const body = await read(browser, id, `?page=${page}&pageSize=7`);
    cells.push(...body.cellPlan.cells);
    if (cells.length >= body.cellPlan.totalCells || body.cellPlan.cells.length === 0) break;
  }
  return cells;
}

/** Every property name anywhere in a JSON value. */
function keysDeep(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) keysDeep(v, into);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      into.add(k);
      keysDeep(v, into);
    }
  }
  return into;
}

transparency('a size band at each boundary, never the exact size', () => {
  const cases: [number, string][] = [
    [5, '5-9'],
    [7, '5-9'],
    [9, '5-9'],
    [10, '10-19'],
    [19, '10-19'],
    [20, '20-49'],
    [49, '20-49'],
    [50, '50-99'],
    [99, '50-99'],
    [100, '100+'],
    [4000, '100+'],
  ];
  for (const [eligible, band] of cases) assert.is(transparencyBand(eligible), band, `${eligible}`);
});

transparency(
  'an officer reads their wave: thresholds, keys held, code version, retention',
  async () => {
    const body = await read(officer);
    assert.is(body.wave.id, waveId);
    assert.is(body.wave.programmeName, 'Transparantie');
    assert.is(body.wave.state, 'open');
    assert.equal(body.thresholds, { ...THRESHOLD_FLOORS });
    assert.equal(body.subtraction, { scores: 5, distributions: 10, incidents: 10 });
    assert.equal(body.keys, { status: 'held', manifestPath: `/api/v1/waves/${waveId}/manifest` });
    assert.is(body.codeVersion.commit, 'test-commit-abc');
    assert.equal(body.retention, defaultSettings().retention);
    assert.ok(body.cellPlan.totalCells > 0);
    // The counts per kind and band add up to the whole plan.
    assert.is(
      body.cellPlan.counts.reduce((sum, c) => sum + c.cells, 0),
      body.cellPlan.totalCells,
    );
  },
);

transparency('the retention periods are the organisation’s settings', async () => {
  const root = await t.db
    .selectFrom('unit')
    .select('id')
    .where('code', '=', 'NL')
    .executeTakeFirstOrThrow();
  await t.db
    .insertInto('organisation_setting')
    .values({
      organisation_id: root.id,
      settings: JSON.stringify({ retention: { resultsYears: 7, commentsMonths: 36 } }),
      updated_at: t.clock.now().toISOString(),
      updated_by: null,
    })
    .execute();
  try {
    assert.equal((await read(officer)).retention, { resultsYears: 7, commentsMonths: 36 });
  } finally {
    await t.db.deleteFrom('organisation_setting').where('organisation_id', '=', root.id).execute();
  }
});

transparency('the thresholds shown are the ones fixed in the wave, not today’s', async () => {
  const raised = { k: 7, kE: 6, kDist: 12, kSens: 25, kComment: 15, d: 8 };
  await t.db
    .updateTable('wave')
    .set({ thresholds: JSON.stringify(raised) })
    .where('id', '=', waveId)
    .execute();
  try {
    const body = await read(officer);
    assert.equal(body.thresholds, raised);
    // What subtraction can reach follows the wave's D, never below K_dist or 10 for incidents.
    assert.equal(body.subtraction, { scores: 8, distributions: 12, incidents: 10 });
  } finally {
    await t.db
      .updateTable('wave')
      .set({ thresholds: JSON.stringify(THRESHOLD_FLOORS) })
      .where('id', '=', waveId)
      .execute();
  }
  // A wave prepared before thresholds were stored ran on the floors.
  await t.db.updateTable('wave').set({ thresholds: null }).where('id', '=', waveId).execute();
  assert.equal((await read(officer)).thresholds, { ...THRESHOLD_FLOORS });
  await t.db
    .updateTable('wave')
    .set({ thresholds: JSON.stringify(THRESHOLD_FLOORS) })
    .where('id', '=', waveId)
    .execute();
});

transparency('a cell of 7 shows 5-9, and no exact size appears anywhere', async () => {
  const cell = await t.db
    .selectFrom('wave_cell')
    .select(['id', 'eligible'])
    .where('wave_id', '=', waveId)
    .where('kind', '=', 'team')
    .orderBy('id')
    .executeTakeFirstOrThrow();
  await t.db.updateTable('wave_cell').set({ eligible: 7 }).where('id', '=', cell.id).execute();
  try {
    const cells = await allCells(officer);
    assert.is(cells.find((c) => c.cellId === cell.id)?.eligibleBand, '5-9');
    const response = await officer.get(`/api/v1/waves/${waveId}/transparency?pageSize=500`);
    const keys = keysDeep(response.json());
    for (const forbidden of ['eligible', 'size', 'members', 'E'])
      assert.not.ok(keys.has(forbidden), `the page has a "${forbidden}" field`);
    for (const c of cells) {
      assert.equal(Object.keys(c).sort(), [
        'cellId',
        'eligibleBand',
        'keyId',
        'kind',
        'parentUnitName',
        'unitName',
      ]);
    }
  } finally {
    await t.db
      .updateTable('wave_cell')
      .set({ eligible: cell.eligible })
      .where('id', '=', cell.id)
      .execute();
  }
});

transparency('the key ids are exactly the manifest’s, one per cell', async () => {
  const cells = await allCells(officer);
  const manifest = (await officer.get(`/api/v1/waves/${waveId}/manifest`)).json<WaveManifest>();
  const fromPage = new Map(cells.map((c) => [c.cellId, c.keyId]));
  assert.is(fromPage.size, cells.length, 'a cell listed twice across pages');
  assert.equal(
    new Map(manifest.cells.map((c) => [c.cellId, c.keyId])),
    fromPage,
    'the transparency page and the manifest disagree',
  );
  assert.is(new Set(cells.map((c) => c.keyId)).size, cells.length, 'two cells share a key');
});

transparency('the cell plan pages without overlap and in a stable order', async () => {
  const first = await read(officer, waveId, '?page=1&pageSize=3');
  const again = await read(officer, waveId, '?page=1&pageSize=3');
  assert.equal(first.cellPlan.cells, again.cellPlan.cells);
  assert.is(first.cellPlan.cells.length, 3);
  assert.is(first.cellPlan.pageSize, 3);
  const second = await read(officer, waveId, '?page=2&pageSize=3');
  const ids = new Set(first.cellPlan.cells.map((c) => c.cellId));
  assert.ok(second.cellPlan.cells.every((c) => !ids.has(c.cellId)));
  const tooBig = await officer.get(`/api/v1/waves/${waveId}/transparency?pageSize=501`);
  expectRefused(tooBig, 400, 'validation_failed');
});

transparency(
  'every role of the organisation reads it; another organisation’s person cannot',
  async () => {
    for (const username of ['demo-lead', 'demo-hr', 'demo-chief', 'demo-council', 'demo-admin']) {
      const browser = await browserAs(t.app, username);
      assert.is((await read(browser)).wave.id, waveId, username);
      const list = (await browser.get('/api/v1/transparency/waves')).json<TransparencyWaveList>();
      assert.ok(
        list.items.some((w) => w.id === waveId),
        username,
      );
    }
    const zone = await zoneAdminAccount(t.db);
    const foreign = await browserAs(t.app, zone.username);
    expectRefused(await foreign.get(`/api/v1/waves/${waveId}/transparency`), 404, 'not_found');
    const list = (await foreign.get('/api/v1/transparency/waves')).json<TransparencyWaveList>();
    assert.not.ok(
      list.items.some((w) => w.id === waveId),
      'another organisation lists the wave',
    );
    expectRefused(
      await officer.get('/api/v1/waves/00000000-0000-4000-8000-000000000000/transparency'),
      404,
      'not_found',
    );
    const anonymous = await new Browser(t.app).get(`/api/v1/waves/${waveId}/transparency`);
    assert.is(anonymous.statusCode, 401);
  },
);

transparency(
  'answers and the close change nothing on the page but the state and the keys',
  async () => {
    const before = await read(officer, waveId, '?pageSize=500');
    // Everyone in the officer's cell answers, so their cell is one that would publish.
    const officerId = await personIdByUsername(t.db, 'demo-officer');
    const cellId = (
      await t.db
        .selectFrom('wave_eligibility')
        .select('cell_id')
        .where('wave_id', '=', waveId)
        .where('person_id', '=', officerId)
        .executeTakeFirstOrThrow()
    ).cell_id;
    for (const personId of await cellMembers(t.db, waveId, cellId)) {
      const browser = await browserForPerson(t.app, t.db, personId);
      const wave = await myWave(browser, waveId);
      const { token } = await takeToken(browser, wave);
      assert.ok(token);
      assert.is((await submit(t.app, token, answersFor(wave))).statusCode, 202);
    }
    const during = await read(officer, waveId, '?pageSize=500');
    assert.equal(during, before, 'answering changed the transparency page');

    await t.app.waves.close(waveId, null);
    const after = await read(officer, waveId, '?pageSize=500');
    assert.is(after.wave.state, 'closed');
    assert.is(after.keys.status, 'destroyed');
    assert.equal(
      { ...after, wave: { ...after.wave, state: 'open' }, keys: before.keys },
      before,
      'the close changed the page beyond the state and keys',
    );
    const keys = keysDeep(after);
    for (const field of ['respondents', 'participation', 'participationBand', 'n', 'R'])
      assert.not.ok(keys.has(field), `the page tells "${field}"`);
  },
);

transparency.run();
