/**
 * Publishing at close (anonymity.md section 3 and 5): frozen results for every node of the
 * wave's tree, written in the close transaction, suppressed nodes without any count, no
 * derivable small group (A4, A5) on real data, comments moved up, nothing rewritten afterwards
 * (INV-7), a crash leaving nothing half-published, and the quarter after three waves.
 */
import { sql } from 'kysely';
import { Value } from 'typebox/value';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PublishedNode } from '@teamspiegel/contracts';
import type { Db } from '@teamspiegel/db';
import { derivableSmallGroups, type PublishedGroup } from '../../../packages/core/test/attacker.ts';
import { withTestApp } from './helpers.ts';
import { browserForPerson, cellMembers, openNextWave, openWave } from './pulse-support.ts';
import { answerAsTeam, teamCellOf } from './results-support.ts';
import { unitIdByCode, type Browser } from './support.ts';

const publishing = suite('results: publishing at close');
const t = withTestApp(publishing);

const DISTRICT = 'NL-NH-KEN';
/** Respondents per team: one published team with comments, three small groups below K. */
const PLAN: Record<string, number> = {
  'NL-NH-KEN-HLM-WIJK': 10,
  'NL-NH-KEN-HLM-INT': 4,
  'NL-NH-KEN-HLM-OPS': 3,
  'NL-NH-KEN-HLM-NHA': 3,
};

async function rejects(run: () => Promise<unknown>): Promise<void> {
  let failed = false;
  try {
    await run();
  } catch {
    failed = true;
  }
  assert.ok(failed, 'expected a refusal');
}

const browsers = new Map<string, Browser>();
const waveIds: string[] = [];
/** The comments written per team code in the first wave. */
const written = new Map<string, string[]>();

interface Row {
  wave_id: string;
  period: string;
  node_id: string;
  unit_id: string;
  kind: string;
  parent_node_id: string | null;
  name: string;
  position: number;
  payload: string | null;
  classes: string;
}

const rowsOf = (db: Db, waveId: string, period = 'wave'): Promise<Row[]> =>
  db
    .selectFrom('published_node')
    .selectAll()
    .where('wave_id', '=', waveId)
    .where('period', '=', period)
    .orderBy('position')
    .execute();

const payloadOf = (row: Row | undefined): PublishedNode | null =>
  row?.payload ? (JSON.parse(row.payload) as PublishedNode) : null;

/** A person's browser, logged in once and kept for the later waves. */
async function browserOf(personId: string): Promise<Browser> {
  let browser = browsers.get(personId);
  if (!browser) {
    browser = await browserForPerson(t.app, t.db, personId);
    browsers.set(personId, browser);
  }
  return browser;
}

async function answerPlan(waveId: string, withComments: boolean) {
  for (const [code, count] of Object.entries(PLAN)) {
    const comments = withComments
      ? Array.from(
          { length: count },
          (_, i) => `Opmerking groep ${written.size + 1} nummer ${i + 1}`,
        )
      : [];
    if (withComments) written.set(code, comments);
    await answerAsTeam(t, waveId, code, count, (index, i) => (index + i) % 5, {
      comments,
      browserOf,
    });
  }
}

publishing.before(async () => {
  const waveId = await openWave(t, { rootCode: DISTRICT, commentQuestion: true });
  waveIds.push(waveId);
  await answerPlan(waveId, true);
  await t.app.waves.close(waveId, null);
});

publishing('a closed wave has one published row for every node of its tree', async () => {
  const [waveId] = waveIds as [string];
  const rows = await rowsOf(t.db, waveId);
  const cells = await t.db
    .selectFrom('wave_cell')
    .select(['unit_id', 'kind'])
    .where('wave_id', '=', waveId)
    .execute();
  const expected = new Set<string>();
  for (const cell of cells) {
    expected.add(cell.kind === 'team' ? cell.unit_id : `${cell.unit_id}~${cell.kind}`);
  }
  for (const code of [DISTRICT, 'NL-NH-KEN-HLM', 'NL-NH-KEN-VLS']) {
    expected.add(await unitIdByCode(t.db, code));
  }
  assert.equal(new Set(rows.map((r) => r.node_id)), expected);
  assert.is(rows.length, expected.size, 'each node once');
  assert.equal(
    rows.map((r) => r.position),
    rows.map((_, i) => i),
    'positions in tree order',
  );
  const root = rows[0]!;
  assert.is(root.node_id, await unitIdByCode(t.db, DISTRICT));
  assert.is(root.parent_node_id, null);
  const byId = new Map(rows.map((r) => [r.node_id, r]));
  for (const row of rows.slice(1)) {
    const parent = byId.get(row.parent_node_id!);
    assert.ok(parent, `${row.node_id} has its parent in the tree`);
    assert.ok(parent.position < row.position, 'parents before children');
  }
  for (const row of rows) {
    const payload = payloadOf(row);
    if (!payload) continue;
    assert.ok(Value.Check(PublishedNode, payload), `${row.node_id} fits the published shape`);
    assert.is(payload.waveId, waveId);
    assert.is(payload.nodeId, row.node_id);
    assert.is(payload.period, 'wave');
  }
  const team = payloadOf(byId.get(await unitIdByCode(t.db, 'NL-NH-KEN-HLM-WIJK')));
  assert.ok(team, 'the team with ten respondents is published');
  assert.is(team.respondents, 10);
  assert.ok(
    team.themes.some((theme) => !('suppressed' in theme)),
    'with theme scores',
  );
  assert.ok(team.trendAllowed);
  for (const theme of team.themes) {
    if (!('suppressed' in theme))
      assert.equal(theme.change, { verdict: 'none' }, 'no earlier wave');
  }
});

publishing('A1: a team below K respondents is suppressed, with no count in its row', async () => {
  const [waveId] = waveIds as [string];
  const rows = await rowsOf(t.db, waveId);
  for (const code of ['NL-NH-KEN-HLM-INT', 'NL-NH-KEN-HLM-OPS', 'NL-NH-KEN-HLM-NHA']) {
    const unitId = await unitIdByCode(t.db, code);
    const row = rows.find((r) => r.node_id === unitId)!;
    assert.is(row.payload, null, code);
    assert.is(row.classes, '[]', code);
    const name = await t.db
      .selectFrom('unit')
      .select('name')
      .where('id', '=', unitId)
      .executeTakeFirstOrThrow();
    // Nothing but the node's place in the tree: ids, kind, name and position.
    assert.equal(Object.keys(row).sort(), [
      'classes',
      'kind',
      'name',
      'node_id',
      'parent_node_id',
      'payload',
      'period',
      'position',
      'unit_id',
      'wave_id',
    ]);
    assert.is(row.name, name.name);
  }
});

publishing('A4, A5: no published node minus its published descendants leaves 1..D-1', async () => {
  const [waveId] = waveIds as [string];
  const rows = await rowsOf(t.db, waveId);
  const byId = new Map(rows.map((r) => [r.node_id, r]));
  const children = new Map<string, string[]>();
  for (const r of rows) {
    if (r.parent_node_id)
      children.set(r.parent_node_id, [...(children.get(r.parent_node_id) ?? []), r.node_id]);
  }
  /** Respondents of the maximal published descendants of a node: what an attacker subtracts. */
  const publishedBelow = (id: string): number =>
    (children.get(id) ?? []).reduce((sum, child) => {
      const p = payloadOf(byId.get(child));
      return sum + (p ? p.respondents : publishedBelow(child));
    }, 0);
  let checked = 0;
  for (const row of rows) {
    const payload = payloadOf(row);
    if (!payload) continue;
    const residual = payload.respondents - publishedBelow(row.node_id);
    assert.ok(residual === 0 || residual >= 5, `${row.node_id} leaves ${residual}`);
    checked += 1;
  }
  assert.ok(checked >= 3, 'team, basisteam and district published');
  // The basisteam is published and its small teams' 10 respondents stay together.
  const hlm = payloadOf(byId.get(await unitIdByCode(t.db, 'NL-NH-KEN-HLM')));
  assert.ok(hlm);
  assert.is(hlm.respondents - publishedBelow(hlm.nodeId), 10);
});

publishing(
  'comments: shown at a group of K_comment, moved up from smaller ones, each once',
  async () => {
    const [waveId] = waveIds as [string];
    const rows = await rowsOf(t.db, waveId);
    const byId = new Map(rows.map((r) => [r.node_id, r]));
    const team = payloadOf(byId.get(await unitIdByCode(t.db, 'NL-NH-KEN-HLM-WIJK')))!;
    assert.ok('texts' in team.comments, 'the team of ten shows its comments');
    assert.equal([...team.comments.texts].sort(), [...written.get('NL-NH-KEN-HLM-WIJK')!].sort());
    const hlm = payloadOf(byId.get(await unitIdByCode(t.db, 'NL-NH-KEN-HLM')))!;
    assert.ok('texts' in hlm.comments, 'the basisteam shows the comments moved up');
    const movedUp = ['NL-NH-KEN-HLM-INT', 'NL-NH-KEN-HLM-OPS', 'NL-NH-KEN-HLM-NHA'].flatMap(
      (code) => written.get(code)!,
    );
    assert.equal([...hlm.comments.texts].sort(), [...movedUp].sort());
    const shown = rows.flatMap((r) => {
      const p = payloadOf(r);
      return p && 'texts' in p.comments ? p.comments.texts : [];
    });
    assert.is(shown.length, new Set(shown).size, 'no comment shown twice');
    assert.equal(new Set(shown), new Set([...written.values()].flat()), 'every comment shown');
    // A published node without the comment class points to where its comments went.
    for (const row of rows) {
      const p = payloadOf(row);
      if (p && 'suppressed' in p.comments && p.comments.movedTo) {
        assert.ok(byId.get(p.comments.movedTo)?.payload, 'moved to a published node');
      }
    }
  },
);

publishing(
  'INV-7: a close run again or a second close does not rewrite published rows',
  async () => {
    const [waveId] = waveIds as [string];
    const before = await rowsOf(t.db, waveId);
    await t.app.waves.finishClose(waveId);
    await rejects(() => t.app.waves.close(waveId, null));
    assert.equal(await rowsOf(t.db, waveId), before);
  },
);

publishing('a crash while publishing leaves no published rows and the wave closable', async () => {
  const waveId = await openNextWave(t, waveIds[0]!);
  waveIds.push(waveId);
  await answerPlan(waveId, false);
  await sql`create trigger publish_crash before insert on published_node
            begin select raise(abort, 'simulated crash'); end`.execute(t.db);
  try {
    await rejects(() => t.app.waves.close(waveId, null));
  } finally {
    await sql`drop trigger publish_crash`.execute(t.db);
  }
  const wave = await t.db
    .selectFrom('wave')
    .select('state')
    .where('id', '=', waveId)
    .executeTakeFirstOrThrow();
  assert.is(wave.state, 'closing');
  assert.is((await rowsOf(t.db, waveId)).length, 0, 'no published rows');
  const tallies = await t.db
    .selectFrom('wave_cell_tally')
    .select('cell_id')
    .where('wave_id', '=', waveId)
    .execute();
  assert.is(tallies.length, 0, 'no tallies either: one transaction');

  await t.app.waves.finishClose(waveId);
  const closed = await t.db
    .selectFrom('wave')
    .select('state')
    .where('id', '=', waveId)
    .executeTakeFirstOrThrow();
  assert.is(closed.state, 'closed');
  assert.ok((await rowsOf(t.db, waveId)).length > 0);
  assert.is((await rowsOf(t.db, waveId, 'quarter')).length, 0, 'no quarter after two waves');
});

publishing(
  'INV-8: change against the last wave for an unchanged roster, none after a leaver',
  async () => {
    const [, second] = waveIds as [string, string];
    const teamId = await unitIdByCode(t.db, 'NL-NH-KEN-HLM-WIJK');
    const team = payloadOf((await rowsOf(t.db, second)).find((r) => r.node_id === teamId))!;
    assert.ok(team.trendAllowed, 'same roster as the first wave');
    const scored = team.themes.flatMap((theme) => ('suppressed' in theme ? [] : [theme]));
    assert.ok(scored.length > 0);
    for (const theme of scored) {
      // The same answers in both waves: a difference of zero is no clear change.
      assert.is(theme.change.verdict, 'no_clear_change', theme.theme);
      assert.is(theme.change.difference, 0);
    }
    // One member who never answered leaves before the third wave: the roster changed by 1.
    const cell = await teamCellOf(t.db, second, 'NL-NH-KEN-HLM-WIJK');
    const leaver = (await cellMembers(t.db, second, cell)).at(-1)!;
    await t.db
      .updateTable('membership')
      .set({ left_on: '2026-11-23' })
      .where('person_id', '=', leaver)
      .where('unit_id', '=', teamId)
      .execute();
  },
);

publishing(
  'the quarter after three waves pools every node; earlier waves stay as they were',
  async () => {
    const firstRows = await rowsOf(t.db, waveIds[0]!);
    const waveId = await openNextWave(t, waveIds[1]!);
    waveIds.push(waveId);
    await answerPlan(waveId, false);
    await t.app.waves.close(waveId, null);

    const quarter = await rowsOf(t.db, waveId, 'quarter');
    const wave = await rowsOf(t.db, waveId);
    assert.equal(
      quarter.map((r) => r.node_id).sort(),
      wave.map((r) => r.node_id).sort(),
      'every node has a quarter row',
    );
    for (const row of quarter) {
      const payload = payloadOf(row);
      if (payload) {
        assert.ok(Value.Check(PublishedNode, payload), row.node_id);
        assert.is(payload.period, 'quarter');
      }
    }
    // Four respondents a wave: suppressed in every wave.
    const small = await unitIdByCode(t.db, 'NL-NH-KEN-HLM-INT');
    assert.is(wave.find((r) => r.node_id === small)!.payload, null);
    // The team of ten a wave: thirty person-waves in its quarter.
    const team = await unitIdByCode(t.db, 'NL-NH-KEN-HLM-WIJK');
    const pooled = payloadOf(quarter.find((r) => r.node_id === team));
    assert.ok(pooled, 'the team is published for the quarter');
    assert.is(pooled.respondents, 30);
    assert.is(pooled.nodeId, team);
    const third = payloadOf(wave.find((r) => r.node_id === team));
    assert.ok(third, 'the team is published in the third wave');
    assert.not.ok(third.trendAllowed, 'one leaver: no trend (INV-8)');
    for (const theme of third.themes) {
      if (!('suppressed' in theme)) assert.equal(theme.change, { verdict: 'none' }, theme.theme);
    }
    assert.equal(await rowsOf(t.db, waveIds[0]!), firstRows, 'the first wave is untouched (INV-7)');
  },
);

publishing('the exact attacker finds no small group in three waves and their quarter', async () => {
  const respondents = new Map<string, number>();
  /** Per wave, each cell's node and the parent of every node (the tree of that wave). */
  const trees: {
    waveId: string;
    cellNode: Map<string, string>;
    parent: Map<string, string | null>;
  }[] = [];
  for (const waveId of waveIds) {
    const cells = await t.db
      .selectFrom('wave_cell')
      .innerJoin('wave_cell_tally', 'wave_cell_tally.cell_id', 'wave_cell.id')
      .select([
        'wave_cell.id',
        'wave_cell.unit_id',
        'wave_cell.kind',
        'wave_cell_tally.respondents',
      ])
      .where('wave_cell.wave_id', '=', waveId)
      .execute();
    const cellNode = new Map<string, string>();
    for (const c of cells) {
      cellNode.set(c.id, c.kind === 'team' ? c.unit_id : `${c.unit_id}~${c.kind}`);
      respondents.set(c.id, c.respondents);
    }
    const rows = await rowsOf(t.db, waveId);
    trees.push({
      waveId,
      cellNode,
      parent: new Map(rows.map((r) => [r.node_id, r.parent_node_id])),
    });
  }
  /** The cells (of the given waves) below a node: every atom a published figure sums over. */
  const atomsOf = (nodeId: string, waves: typeof trees): string[] =>
    waves.flatMap(({ cellNode, parent }) =>
      [...cellNode]
        .filter(([, node]) => {
          for (let at: string | null | undefined = node; at; at = parent.get(at)) {
            if (at === nodeId) return true;
          }
          return false;
        })
        .map(([cell]) => cell),
    );
  const collect = async (shows: (p: PublishedNode) => boolean) => {
    const found: PublishedGroup[] = [];
    for (const tree of trees) {
      for (const row of await rowsOf(t.db, tree.waveId)) {
        const p = payloadOf(row);
        if (p && shows(p))
          found.push({ label: `${row.name}@${tree.waveId}`, atoms: atomsOf(row.node_id, [tree]) });
      }
    }
    for (const row of await rowsOf(t.db, waveIds[2]!, 'quarter')) {
      const p = payloadOf(row);
      if (p && shows(p))
        found.push({ label: `${row.name}@quarter`, atoms: atomsOf(row.node_id, trees) });
    }
    return found;
  };
  const scores = await collect(() => true);
  assert.ok(scores.length >= 9, `${scores.length} published groups`);
  assert.equal(derivableSmallGroups({ groups: scores, respondents, d: 5 }), []);
  const distributions = await collect((p) => p.items.some((item) => 'favourablePct' in item));
  assert.equal(derivableSmallGroups({ groups: distributions, respondents, d: 10 }), []);
});

publishing.run();
