/**
 * The exact attacker of anonymity.md section 7 on what a real close published: every published
 * node's count is a sum over the hidden per-cell counts of its subtree; exact Gaussian
 * elimination shows no group of 1..D-1 respondents follows from them (A4, A5, A8).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { PublishedNode } from '@teamspiegel/contracts';
import { derivableSmallGroups, type PublishedGroup } from '../../../packages/core/test/attacker.ts';
import { withTestApp } from './helpers.ts';
import { openWave } from './pulse-support.ts';
import { answerAsTeam } from './results-support.ts';

const attack = suite('results: the exact attacker on a closed wave');
const t = withTestApp(attack);

/** Published, suppressed and small groups side by side under one basisteam. */
const PLAN: Record<string, number> = {
  'NL-NH-KEN-HLM-WIJK': 10,
  'NL-NH-KEN-HLM-NHA': 6,
  'NL-NH-KEN-HLM-INT': 4,
  'NL-NH-KEN-HLM-OPS': 2,
  'NL-NH-KEN-VLS-NHA': 5,
  'NL-NH-KEN-VLS-INT': 3,
};

let waveId = '';
const cellNode = new Map<string, string>();
const respondents = new Map<string, number>();
let rows: { node_id: string; parent_node_id: string | null; payload: string | null }[] = [];

attack.before(async () => {
  waveId = await openWave(t, { rootCode: 'NL-NH-KEN', commentQuestion: false });
  for (const [code, count] of Object.entries(PLAN)) {
    await answerAsTeam(t, waveId, code, count, (index, i) => (index * i) % 5);
  }
  await t.app.waves.close(waveId, null);

  const cells = await t.db
    .selectFrom('wave_cell')
    .leftJoin('wave_cell_tally', 'wave_cell_tally.cell_id', 'wave_cell.id')
    .select(['wave_cell.id', 'wave_cell.unit_id', 'wave_cell.kind', 'wave_cell_tally.respondents'])
    .where('wave_cell.wave_id', '=', waveId)
    .execute();
  for (const c of cells) {
    cellNode.set(c.id, c.kind === 'team' ? c.unit_id : `${c.unit_id}~${c.kind}`);
    respondents.set(c.id, c.respondents ?? 0);
  }
  rows = await t.db
    .selectFrom('published_node')
    .select(['node_id', 'parent_node_id', 'payload'])
    .where('wave_id', '=', waveId)
    .where('period', '=', 'wave')
    .execute();
});

/** The cells (atoms) below a node: the cells whose node has it as itself or an ancestor. */
function atomsOf(nodeId: string): string[] {
  const parent = new Map(rows.map((r) => [r.node_id, r.parent_node_id]));
  const below = (start: string) => {
    for (let at: string | null | undefined = start; at; at = parent.get(at)) {
      if (at === nodeId) return true;
    }
    return false;
  };
  return [...cellNode].filter(([, node]) => below(node)).map(([cell]) => cell);
}

/** Every published node of a class as the sum over its cells. */
function published(shows: (payload: PublishedNode) => boolean): PublishedGroup[] {
  return rows.flatMap((r) => {
    const payload = r.payload ? (JSON.parse(r.payload) as PublishedNode) : null;
    return payload && shows(payload) ? [{ label: r.node_id, atoms: atomsOf(r.node_id) }] : [];
  });
}

attack('no group of 1..4 respondents follows from the published counts and scores', () => {
  const groups = published(() => true);
  assert.ok(groups.length >= 3, `${groups.length} published nodes`);
  assert.equal(derivableSmallGroups({ groups, respondents, d: 5 }), []);
});

attack('no group of 1..9 follows from the published distributions', () => {
  const groups = published((p) => p.items.some((item) => 'favourablePct' in item));
  assert.ok(groups.length >= 1, 'some distribution is published');
  assert.equal(derivableSmallGroups({ groups, respondents, d: 10 }), []);
});

attack('the attacker is not vacuous: one suppressed team published as well is caught', () => {
  const groups = published(() => true);
  const small = [...cellNode].find(([cell]) => (respondents.get(cell) ?? 0) === 4)![0];
  const found = derivableSmallGroups({
    groups: [...groups, { label: 'leaked', atoms: [small] }],
    respondents,
    d: 5,
  });
  assert.ok(found.length > 0);
});

attack.run();
