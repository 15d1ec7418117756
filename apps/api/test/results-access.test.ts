import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { NodeResult, ResultsOverview } from '@teamspiegel/contracts';
import { loadActor } from '../src/access.repository.ts';
import { loadNodesAccess, loadWaveAccess, viewerOf } from '../src/results/access.ts';
import { TODAY, withTestApp } from './helpers.ts';
import {
  closedWaves,
  membersOf,
  nodeIdOf,
  placeAtOpen,
  publishTree,
  published,
  storedResult,
  type Entry,
} from './results-support.ts';
import {
  auditEvents,
  browserAs,
  expectRefused,
  freshAccount,
  personIdByUsername,
  unitIdByCode,
  type Browser,
} from './support.ts';

const t = withTestApp(test);

const ZAA = 'NL-NH-ZW-ZAA';
const TEAM = `${ZAA}-NHB`;
const SIBLING = `${ZAA}-NHA`;

/** Wave 1: the demo team has its own node; its sibling is suppressed. */
const WAVE_1: Entry[] = [
  ['NL', published(400)],
  ['NL-NH', published(200)],
  ['NL-NH-KEN', published(80)],
  ['NL-NH-KEN-HLM', published(60)],
  ['NL-NH-KEN-HLM-NHA', published(20)],
  ['NL-NH-ZW', published(100)],
  [ZAA, published(60)],
  [SIBLING, null],
  [TEAM, published(12)],
  [`${ZAA}~remainder`, published(11)],
  [`${ZAA}~leadership`, null],
  ['NL-OB', published(150)],
];
/** Wave 2: the demo team answered inside its basisteam's remainder group (INV-11). */
const WAVE_2: Entry[] = [
  ['NL', published(390)],
  ['NL-NH', published(190)],
  ['NL-NH-ZW', published(95)],
  [ZAA, published(55)],
  [`${ZAA}~remainder`, published(20)],
];
/** Wave 2's quarter: the demo team pooled over three waves has a node again. */
const QUARTER_2: Entry[] = [
  ['NL', published(900)],
  ['NL-NH', published(450)],
  ['NL-NH-ZW', published(250)],
  [ZAA, published(150)],
  [TEAM, published(30)],
];

let wave1 = '';
let wave2 = '';
const id: Record<string, string> = {};
const browsers: Record<string, Browser> = {};

test.before(async () => {
  [wave1, wave2] = (await closedWaves(t, 2)) as [string, string];
  await publishTree(t.db, wave1, 'wave', WAVE_1);
  await publishTree(t.db, wave2, 'wave', WAVE_2);
  await publishTree(t.db, wave2, 'quarter', QUARTER_2);
  for (const [key] of WAVE_1) id[key] = await nodeIdOf(t.db, key);
  // The roster snapshots: the demo team in its own cell in wave 1, merged into its
  // basisteam's remainder group in wave 2.
  const team = await membersOf(t.db, TEAM);
  await placeAtOpen(t.db, wave1, TEAM, team);
  await placeAtOpen(t.db, wave2, `${ZAA}~remainder`, team);
  // An administrator of the corps with no membership and no viewing role.
  const admin = await freshAccount(t.db, 'results-admin');
  await t.db
    .insertInto('role_assignment')
    .values({
      id: crypto.randomUUID(),
      person_id: admin.personId,
      role: 'admin',
      unit_id: await unitIdByCode(t.db, 'NL'),
      created_at: '2026-11-01T08:00:00.000Z',
    })
    .execute();
  for (const user of [
    'demo-officer',
    'demo-lead',
    'demo-chief',
    'demo-hr',
    'demo-council',
    'results-admin',
  ]) {
    browsers[user] = await browserAs(t.app, user);
  }
});

/** Every value in `part` is in `whole` at the same place (arrays position by position). */
function isPartOf(part: unknown, whole: unknown): boolean {
  if (part === null || typeof part !== 'object') return Object.is(part, whole);
  if (whole === null || typeof whole !== 'object') return false;
  if (Array.isArray(part) !== Array.isArray(whole)) return false;
  const w = whole as Record<string, unknown>;
  return Object.entries(part).every(([k, v]) => k in w && isPartOf(v, w[k]));
}

const as = (user: string) => browsers[user]!;
const nodeUrl = (waveId: string, nodeId: string, period = 'wave') =>
  `/api/v1/results/waves/${waveId}/nodes/${encodeURIComponent(nodeId)}?period=${period}`;
const ids = (...keys: string[]) => keys.map((k) => id[k]!);

/** The nodes of wave 1 each demo role may open, and must be refused everything else. */
const VISIBLE_IN_WAVE_1: Record<string, string[]> = {
  'demo-officer': ['NL', 'NL-NH', 'NL-NH-ZW', ZAA, TEAM],
  'demo-lead': ['NL', 'NL-NH', 'NL-NH-ZW', ZAA, TEAM],
  // Chief of the district, and its lead (so its ancestors too).
  'demo-chief': [
    'NL',
    'NL-NH',
    'NL-NH-ZW',
    ZAA,
    SIBLING,
    TEAM,
    `${ZAA}~remainder`,
    `${ZAA}~leadership`,
  ],
  'demo-hr': WAVE_1.map(([key]) => key),
  // Unit level and up only; not KEN or HLM, which hold only the one team NHA below them.
  'demo-council': ['NL', 'NL-NH', 'NL-NH-ZW', ZAA, 'NL-OB'],
  'results-admin': [],
};

for (const [user, visible] of Object.entries(VISIBLE_IN_WAVE_1)) {
  test(`${user} opens exactly their nodes of a wave and gets 403 for every other one (A30)`, async () => {
    for (const [key] of WAVE_1) {
      const response = await as(user).get(nodeUrl(wave1, id[key]!));
      if (visible.includes(key)) {
        assert.is(response.statusCode, 200, `${user} ${key}: ${response.body}`);
        assert.equal(response.json(), await storedResult(t.db, wave1, 'wave', id[key]!));
      } else {
        expectRefused(response, 403, 'forbidden', `${user} ${key}`);
      }
    }
  });
}

test('the overview lists the nodes each viewer may open, in tree order, and where to start', async () => {
  const officer = (
    await as('demo-officer').get('/api/v1/results/overview')
  ).json<ResultsOverview>();
  assert.equal(
    officer.waves.map((w) => w.waveId),
    [wave2, wave1],
  );
  // The latest wave's tree: the team answered in its basisteam's remainder group.
  const remainder = `${id[ZAA]!}~remainder`;
  assert.equal(
    officer.nodes.map((n) => n.nodeId),
    [...ids('NL', 'NL-NH', 'NL-NH-ZW', ZAA), remainder],
  );
  assert.equal(officer.home, [remainder]);
  assert.is(officer.mergedInto, remainder);
  assert.equal(officer.canRecordAction, []);

  const lead = (await as('demo-lead').get('/api/v1/results/overview')).json<ResultsOverview>();
  assert.equal(lead.canRecordAction, ids(TEAM));

  const hr = (await as('demo-hr').get('/api/v1/results/overview')).json<ResultsOverview>();
  assert.is(hr.home[0], id.NL);
  assert.is(hr.mergedInto, null);
  assert.ok(hr.canExport);

  const chief = (await as('demo-chief').get('/api/v1/results/overview')).json<ResultsOverview>();
  assert.is(chief.home[0], id['NL-NH-ZW']);
});

test('an administrator without a viewing role sees no results at all', async () => {
  expectRefused(await as('results-admin').get('/api/v1/results/overview'), 403, 'forbidden');
  expectRefused(
    await as('results-admin').get(`/api/v1/results/waves/${wave1}/heatmap`),
    403,
    'forbidden',
  );
  expectRefused(
    await as('results-admin').get(`/api/v1/results/nodes/${id.NL!}/trend`),
    403,
    'forbidden',
  );
});

test('memberships decide per wave: a merged team gives the remainder group of that wave only', async () => {
  const remainder = `${id[ZAA]!}~remainder`;
  const officer = as('demo-officer');
  assert.is((await officer.get(nodeUrl(wave2, remainder))).statusCode, 200);
  expectRefused(await officer.get(nodeUrl(wave1, remainder)), 403, 'forbidden');
  // The quarter pools three waves: there the team has its own node again.
  const quarter = await officer.get(nodeUrl(wave2, id[TEAM]!, 'quarter'));
  assert.is(quarter.statusCode, 200, quarter.body);
  assert.equal(quarter.json(), await storedResult(t.db, wave2, 'quarter', id[TEAM]!));
  expectRefused(await officer.get(nodeUrl(wave2, id[TEAM]!, 'wave')), 403, 'forbidden');
  // A wave without a quarter view says so, the same for every node; an unknown wave is a 403.
  for (const nodeId of [id[TEAM]!, id[SIBLING]!]) {
    expectRefused(await officer.get(nodeUrl(wave1, nodeId, 'quarter')), 404, 'not_found');
  }
  const unknown = '00000000-0000-4000-8000-000000000000';
  expectRefused(await officer.get(nodeUrl(unknown, id[TEAM]!, 'quarter')), 403, 'forbidden');
});

test('A30: another team, a suppressed team and an unknown node are refused alike', async () => {
  const officer = as('demo-officer');
  const unknown = '00000000-0000-4000-8000-000000000000';
  const bodies = [];
  for (const nodeId of [
    id[SIBLING]!,
    id['NL-NH-KEN-HLM-NHA']!,
    unknown,
    `${id[TEAM]!}~leadership`,
  ]) {
    const response = await officer.get(nodeUrl(wave1, nodeId));
    expectRefused(response, 403, 'forbidden', nodeId);
    bodies.push(response.body);
  }
  assert.is(new Set(bodies).size, 1, 'every refusal reads the same');
  // Also an unknown or open wave.
  expectRefused(await officer.get(nodeUrl(unknown, id[TEAM]!)), 403, 'forbidden');
});

test('a suppressed node is exactly { waveId, nodeId, period, node, suppressed: true }', async () => {
  const response = await as('demo-chief').get(nodeUrl(wave1, id[SIBLING]!));
  const body = response.json<Record<string, unknown>>();
  assert.equal(Object.keys(body).sort(), ['node', 'nodeId', 'period', 'suppressed', 'waveId']);
  assert.is(body.suppressed, true);
  assert.equal(Object.keys(body.node as object).sort(), [
    'kind',
    'name',
    'nodeId',
    'parentNodeId',
    'unitId',
  ]);
});

test('A24: fields a stored payload holds beyond the schema never leave the API', async () => {
  const [wave] = await closedWaves(t, 1, 'Extra fields');
  const leaky = {
    ...published(14),
    secretCount: 3,
    cellIds: ['c1'],
    themes: [{ ...published(14).themes[0]!, sum: 873.5, sumSq: 54000 }],
  };
  await publishTree(t.db, wave!, 'wave', [
    ['NL', published(300)],
    ['NL-NH', published(150)],
    ['NL-NH-ZW', published(90)],
    [ZAA, published(50)],
    [TEAM, leaky],
  ]);
  const response = await as('demo-lead').get(nodeUrl(wave!, id[TEAM]!));
  assert.is(response.statusCode, 200, response.body);
  for (const word of ['secretCount', 'cellIds', 'sumSq', '873.5']) {
    assert.not.ok(response.body.includes(word), `${word} leaked`);
  }
  const body = response.json<NodeResult>();
  assert.equal(body, {
    ...published(14),
    themes: [published(14).themes[0]],
    waveId: wave!,
    nodeId: id[TEAM]!,
    period: 'wave',
    node: (await storedResult(t.db, wave!, 'wave', id[TEAM]!)).node,
  });
});

test('A8: what HR and a lead see together is nothing but stored rows of the one publication', async () => {
  const seen = new Map<string, string>();
  for (const user of ['demo-hr', 'demo-lead']) {
    const overview = (await as(user).get('/api/v1/results/overview')).json<ResultsOverview>();
    for (const waveId of overview.waves.map((w) => w.waveId)) {
      for (const [key] of WAVE_1) {
        const response = await as(user).get(nodeUrl(waveId, id[key]!));
        if (response.statusCode !== 200) continue;
        const stored = await storedResult(t.db, waveId, 'wave', id[key]!);
        // Each answer is part of the stored row, and the same whoever asks (INV-5).
        assert.ok(isPartOf(response.json(), stored), `${user} ${key}: ${response.body}`);
        const earlier = seen.get(`${waveId}/${key}`);
        if (earlier !== undefined) assert.is(response.body, earlier, `${key} differs by role`);
        seen.set(`${waveId}/${key}`, response.body);
      }
    }
  }
  assert.ok(seen.size >= WAVE_1.length, 'HR saw the whole tree');
});

test('every report view is in the audit log with wave, node and period, never a number', async () => {
  const before = (await auditEvents(t.db, 'results.viewed')).length;
  await as('demo-lead').get(nodeUrl(wave1, id[TEAM]!));
  const events = await auditEvents(t.db, 'results.viewed');
  assert.is(events.length, before + 1);
  const leadId = (
    await t.db
      .selectFrom('account')
      .select('person_id')
      .where('username', '=', 'demo-lead')
      .executeTakeFirstOrThrow()
  ).person_id;
  const event = events.find((e) => e.actor_person_id === leadId && e.target_id === id[TEAM])!;
  assert.ok(event);
  assert.equal(JSON.parse(event.details), {
    view: 'node',
    waveId: wave1,
    nodeId: id[TEAM],
    period: 'wave',
  });
  // A refused request records nothing.
  await as('demo-officer').get(nodeUrl(wave1, id[SIBLING]!));
  assert.is((await auditEvents(t.db, 'results.viewed')).length, before + 1);
});

test('reading a few nodes decides exactly as reading the whole tree', async () => {
  for (const user of Object.keys(VISIBLE_IN_WAVE_1)) {
    const actor = (await loadActor(t.db, await personIdByUsername(t.db, user), TODAY))!;
    const viewer = viewerOf(actor);
    for (const [waveId, period] of [
      [wave1, 'wave'],
      [wave2, 'wave'],
      [wave2, 'quarter'],
    ] as const) {
      const whole = await loadWaveAccess(t.db, viewer, waveId, period);
      for (const row of whole.tree) {
        const part = await loadNodesAccess(t.db, viewer, waveId, period, [row.nodeId]);
        assert.is(
          part.allowed.has(row.nodeId),
          whole.allowed.has(row.nodeId),
          `${user} ${period} ${row.name}`,
        );
      }
    }
  }
});

test.run();
