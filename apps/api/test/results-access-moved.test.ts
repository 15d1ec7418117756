/**
 * A30 across organisation changes: which group an officer or lead may open in a closed wave
 * follows that wave's roster snapshot, never today's place in the tree. A team created after
 * the wave, or moved since, is not handed the remainder group it happens to sit above today.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Db } from '@teamspiegel/db';
import { withTestApp } from './helpers.ts';
import { closedWaves, nodeIdOf, placeAtOpen, publishTree, published } from './results-support.ts';
import { browserAs, expectRefused, freshAccount, unitIdByCode, type Browser } from './support.ts';

const t = withTestApp(test);

const HLM = 'NL-NH-KEN-HLM';
const ZAA = 'NL-NH-ZW-ZAA';
/** At wave open the small team MOVED sat below HLM and answered in HLM's remainder group. */
const WAVE: [string, ReturnType<typeof published>][] = [
  ['NL', published(400)],
  ['NL-NH', published(200)],
  ['NL-NH-KEN', published(80)],
  [HLM, published(60)],
  [`${HLM}~remainder`, published(14)],
  ['NL-NH-ZW', published(100)],
  [ZAA, published(60)],
  [`${ZAA}~remainder`, published(11)],
];

let wave = '';
const id: Record<string, string> = {};
const browsers: Record<string, Browser> = {};

async function addTeam(db: Db, code: string, parentCode: string): Promise<string> {
  const parentId = await unitIdByCode(db, parentCode);
  const parent = await db
    .selectFrom('unit')
    .select('path')
    .where('id', '=', parentId)
    .executeTakeFirstOrThrow();
  const unitId = crypto.randomUUID();
  await db
    .insertInto('unit')
    .values({
      id: unitId,
      parent_id: parentId,
      code,
      name: code,
      kind: 'team',
      path: `${parent.path}${unitId}/`,
      archived_at: null,
      created_at: '2026-11-01T08:00:00.000Z',
    })
    .execute();
  return unitId;
}

async function join(db: Db, personId: string, unitId: string, kind: 'member' | 'lead') {
  await db
    .insertInto('membership')
    .values({
      id: crypto.randomUUID(),
      person_id: personId,
      unit_id: unitId,
      kind,
      joined_on: '2026-11-01',
      left_on: null,
    })
    .execute();
}

test.before(async () => {
  [wave] = (await closedWaves(t, 1, 'Reorganised')) as [string];
  await publishTree(t.db, wave, 'wave', WAVE);
  for (const [key] of WAVE) id[key] = await nodeIdOf(t.db, key);
  // MOVED: today below ZAA; its members answered in HLM's remainder group at wave open.
  const moved = await addTeam(t.db, 'T-MOVED', ZAA);
  const movedMembers = [];
  for (const name of ['moved-officer', 'moved-colleague']) {
    const account = await freshAccount(t.db, name);
    await join(t.db, account.personId, moved, 'member');
    movedMembers.push(account.personId);
  }
  await placeAtOpen(t.db, wave, `${HLM}~remainder`, movedMembers);
  await join(t.db, (await freshAccount(t.db, 'moved-lead')).personId, moved, 'lead');
  // NEW: created below ZAA after the wave; nobody in it was in the wave's snapshot.
  const created = await addTeam(t.db, 'T-NEW', ZAA);
  await join(t.db, (await freshAccount(t.db, 'new-officer')).personId, created, 'member');
  await join(t.db, (await freshAccount(t.db, 'new-lead')).personId, created, 'lead');
  for (const user of ['moved-officer', 'moved-lead', 'new-officer', 'new-lead']) {
    browsers[user] = await browserAs(t.app, user);
  }
});

const nodeUrl = (nodeId: string) =>
  `/api/v1/results/waves/${wave}/nodes/${encodeURIComponent(nodeId)}?period=wave`;

/** What the snapshot placed the moved team in, with its ancestors in the wave's own tree. */
const MOVED_SEES = ['NL', 'NL-NH', 'NL-NH-KEN', HLM, `${HLM}~remainder`];

for (const user of ['moved-officer', 'moved-lead']) {
  test(`${user}: the group the team answered in at wave open, not the one it sits above today`, async () => {
    for (const [key] of WAVE) {
      const response = await browsers[user]!.get(nodeUrl(id[key]!));
      if (MOVED_SEES.includes(key)) assert.is(response.statusCode, 200, `${user} ${key}`);
      else expectRefused(response, 403, 'forbidden', `${user} ${key}`);
    }
    const overview = await browsers[user]!.get('/api/v1/results/overview');
    assert.is(overview.statusCode, 200);
    assert.is(overview.json<{ mergedInto: string | null }>().mergedInto, id[`${HLM}~remainder`]);
  });
}

for (const user of ['new-officer', 'new-lead']) {
  test(`${user}: a team created after the wave opens nothing of it`, async () => {
    for (const [key] of WAVE) {
      expectRefused(await browsers[user]!.get(nodeUrl(id[key]!)), 403, 'forbidden', key);
    }
    // No wave to show at all.
    const overview = await browsers[user]!.get('/api/v1/results/overview');
    assert.equal(overview.json<{ waves: unknown[]; nodes: unknown[] }>().waves, []);
    assert.equal(overview.json<{ waves: unknown[]; nodes: unknown[] }>().nodes, []);
  });
}

test.run();
