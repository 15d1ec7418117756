/**
 * The quarter against its frozen waves on valid n (anonymity.md "INV-2 on each statistic's own
 * count"): a team shown with an item in two waves must not show that item pooled when the third
 * wave's part has only a few valid answers, even though its R is large.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { PublishedNode } from '@teamspiegel/contracts';
import { withTestApp } from './helpers.ts';
import {
  browserForPerson,
  cellMembers,
  myWave,
  openNextWave,
  openWave,
  submit,
  takeToken,
} from './pulse-support.ts';
import { teamCellOf } from './results-support.ts';
import { unitIdByCode, type Browser } from './support.ts';

const quarterSuite = suite('results: the quarter against its frozen waves');
const t = withTestApp(quarterSuite);

const TEAM = 'NL-NH-KEN-HLM-WIJK';
const browsers = new Map<string, Browser>();

async function browserOf(personId: string): Promise<Browser> {
  let browser = browsers.get(personId);
  if (!browser) {
    browser = await browserForPerson(t.app, t.db, personId);
    browsers.set(personId, browser);
  }
  return browser;
}

/** Ten members answer; the first `dontKnow` of them answer "don't know" to the first item that
 * offers it. Returns that item's id. */
async function answer(waveId: string, dontKnow: number): Promise<string> {
  const members = await cellMembers(t.db, waveId, await teamCellOf(t.db, waveId, TEAM));
  let itemId = '';
  for (const [i, personId] of members.slice(0, 10).entries()) {
    const browser = await browserOf(personId);
    const wave = await myWave(browser, waveId);
    const target = wave.items.find((item) => item.dontKnowLabel !== null)!;
    itemId = target.id;
    const { token, response } = await takeToken(browser, wave);
    assert.ok(token, response.body);
    const answers = wave.items.map((item, index) => ({
      itemId: item.id,
      value:
        item.id === itemId && i < dontKnow
          ? null
          : item.options[Math.min((index + i) % 5, item.options.length - 1)]!.value,
    }));
    const sent = await submit(t.app, token, answers);
    assert.is(sent.statusCode, 202, sent.body);
  }
  return itemId;
}

async function payload(waveId: string, period: string): Promise<PublishedNode | null> {
  const teamId = await unitIdByCode(t.db, TEAM);
  const row = await t.db
    .selectFrom('published_node')
    .select('payload')
    .where('wave_id', '=', waveId)
    .where('period', '=', period)
    .where('node_id', '=', teamId)
    .executeTakeFirstOrThrow();
  return row.payload ? (JSON.parse(row.payload) as PublishedNode) : null;
}

const entry = (node: PublishedNode, itemId: string) =>
  node.items.find((i) => i.itemId === itemId) as Record<string, unknown>;

quarterSuite(
  'pooled minus two frozen waves would leave three answers of the third: the item is hidden pooled',
  async () => {
    const waves = [await openWave(t, { rootCode: 'NL-NH-KEN' })];
    const itemId = await answer(waves[0]!, 0);
    await t.app.waves.close(waves[0]!, null);
    waves.push(await openNextWave(t, waves[0]!));
    await answer(waves[1]!, 0);
    await t.app.waves.close(waves[1]!, null);
    waves.push(await openNextWave(t, waves[1]!));
    // Seven of ten answer "don't know": R is 10, valid n is 3.
    await answer(waves[2]!, 7);
    await t.app.waves.close(waves[2]!, null);

    for (const waveId of waves.slice(0, 2)) {
      const shown = entry((await payload(waveId, 'wave'))!, itemId);
      assert.is(shown.n, 10, 'the frozen waves show the item with valid n 10');
    }
    assert.ok('suppressed' in entry((await payload(waves[2]!, 'wave'))!, itemId));
    const pooled = await payload(waves[2]!, 'quarter');
    assert.ok(pooled, 'the team is published for the quarter');
    assert.is(pooled.respondents, 30);
    // Shown, its n of 23 minus 10 and 10 would be the three answers of the third wave.
    assert.ok('suppressed' in entry(pooled, itemId), 'the item is hidden in the quarter');
    // Other items answered by everyone stay shown.
    assert.ok(pooled.items.some((i) => i.itemId !== itemId && !('suppressed' in i)));
  },
);

quarterSuite.run();
