/**
 * Publishing after a unit move (docs/anonymity.md INV-2, INV-7, INV-8): the previous wave is
 * rebuilt on the unit structure it was published with, not on today's, and a node whose cells
 * changed between the waves shows no change, so no difference singles out a moved team.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { PublishedNode } from '@teamspiegel/contracts';
import type { Db } from '@teamspiegel/db';
import { withTestApp } from './helpers.ts';
import { cellMembers, openNextWave, openWave } from './pulse-support.ts';
import { answerAsTeam, teamCellOf } from './results-support.ts';
import { unitIdByCode } from './support.ts';

const moving = suite('results: publishing after a unit move');
const t = withTestApp(moving);

const DISTRICT = 'NL-NH-KEN';
const PLAN: Record<string, number> = {
  'NL-NH-KEN-HLM-WIJK': 10,
  'NL-NH-KEN-HLM-INT': 6,
  'NL-NH-KEN-HLM-OPS': 3,
  'NL-NH-KEN-HLM-NHA': 6,
  'NL-NH-KEN-VLS-NHA': 5,
};

async function payloads(db: Db, waveId: string): Promise<Map<string, PublishedNode>> {
  const rows = await db
    .selectFrom('published_node')
    .select(['node_id', 'payload'])
    .where('wave_id', '=', waveId)
    .where('period', '=', 'wave')
    .execute();
  return new Map(
    rows.flatMap((r) => (r.payload ? [[r.node_id, JSON.parse(r.payload) as PublishedNode]] : [])),
  );
}

async function answerPlan(waveId: string, pickOffset: number) {
  for (const [code, count] of Object.entries(PLAN)) {
    await answerAsTeam(t, waveId, code, count, (index, i) => (index + i + pickOffset) % 5);
  }
}

moving('a team moved between two waves: no change for the groups it left or joined', async () => {
  const first = await openWave(t, { rootCode: DISTRICT, commentQuestion: false });
  await answerPlan(first, 0);
  await t.app.waves.close(first, null);

  const hlm = await unitIdByCode(t.db, 'NL-NH-KEN-HLM');
  const vls = await unitIdByCode(t.db, 'NL-NH-KEN-VLS');
  const ops = await unitIdByCode(t.db, 'NL-NH-KEN-HLM-OPS');
  const district = await unitIdByCode(t.db, DISTRICT);
  const before = await payloads(t.db, first);
  assert.ok(before.has(hlm), 'the basisteam (with the small team in it) is published');
  assert.not.ok(before.has(ops), 'the team of three is not');

  // The team of three moves to the other basisteam; its people stay. Five members of the
  // large team who never answered leave, so the basisteam's roster changes by at least D and
  // INV-8 alone would allow a trend there.
  await t.db.updateTable('unit').set({ parent_id: vls }).where('id', '=', ops).execute();
  const leavers: { person: string; unit: string }[] = [];
  for (const code of ['NL-NH-KEN-HLM-WIJK', 'NL-NH-KEN-HLM-INT', 'NL-NH-KEN-HLM-NHA']) {
    const unit = await unitIdByCode(t.db, code);
    const members = await cellMembers(t.db, first, await teamCellOf(t.db, first, code));
    for (const person of members.slice(PLAN[code])) leavers.push({ person, unit });
  }
  assert.ok(leavers.length >= 5, `${leavers.length} members who did not answer`);
  for (const { person, unit } of leavers.slice(0, 5)) {
    await t.db
      .updateTable('membership')
      .set({ left_on: '2026-11-23' })
      .where('person_id', '=', person)
      .where('unit_id', '=', unit)
      .execute();
  }

  const second = await openNextWave(t, first);
  await answerPlan(second, 1);
  await t.app.waves.close(second, null);
  const after = await payloads(t.db, second);
  // The basisteam's group in the first wave held the team of three; today's does not. A
  // change against the first wave's basisteam rebuilt without it would be a group never
  // published, and the difference would single out the three.
  const basisteam = after.get(hlm);
  assert.ok(basisteam, 'the basisteam is published in the second wave');
  const shown = basisteam.themes.flatMap((theme) => ('suppressed' in theme ? [] : [theme]));
  assert.ok(shown.length > 0);
  for (const theme of shown) assert.equal(theme.change, { verdict: 'none' }, theme.theme);

  // The district holds the same cells in both waves: its change is computed.
  const whole = after.get(district);
  assert.ok(whole, 'the district is published');
  const districtThemes = whole.themes.flatMap((theme) => ('suppressed' in theme ? [] : [theme]));
  assert.ok(districtThemes.some((theme) => theme.change.verdict !== 'none'));
});

moving.run();
