/**
 * Participation bands during a wave (INV-6) and what closing a wave leaves behind (anonymity.md
 * 4.5 and 5): keys destroyed, counts that add up, no theme score from incident or
 * recommendation items, scrubbed comments without time.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ANCHOR_ITEM_IDS, ITEM_BANK, MODULES } from '@teamspiegel/core';
import type { MyWave, WaveDetail } from '@teamspiegel/contracts';
import { withTestApp } from './helpers.ts';
import {
  browserForPerson,
  cellMembers,
  cellOf,
  myWave,
  openWave,
  participationCount,
  responseRows,
  submit,
  takeToken,
  type Token,
} from './pulse-support.ts';
import { browserAs, expectRefused, HOUR, personIdByUsername } from './support.ts';

const closing = suite('collection: participation bands and close');
const t = withTestApp(closing);

const SOCIAL_SAFETY = MODULES.find((m) => m.id === 'social-safety')!;
const ITEM_IDS = [...ANCHOR_ITEM_IDS, ...SOCIAL_SAFETY.itemIds];
const bankItem = (id: string) => ITEM_BANK.find((item) => item.id === id)!;
const unscored = (id: string) =>
  bankItem(id).reportingLevel === 'incident' || bankItem(id).theme === 'recommendation';

let waveId = '';
let officerCell = '';
let smallCell = '';
let submitted = 0;
const submittedPerCell = new Map<string, number>();

async function takeFor(personId: string): Promise<{ wave: MyWave; token: Token }> {
  const browser = await browserForPerson(t.app, t.db, personId);
  const wave = await myWave(browser, waveId);
  const { token, response } = await takeToken(browser, wave);
  assert.is(response.statusCode, 200, response.body);
  assert.ok(token);
  return { wave, token };
}

async function send(
  token: Token,
  answers: { itemId: string; value: number | null }[],
  comment?: string,
) {
  const response = await submit(t.app, token, answers, comment);
  assert.is(response.statusCode, 202, response.body);
  submitted += 1;
  submittedPerCell.set(token.cellId, (submittedPerCell.get(token.cellId) ?? 0) + 1);
}

/** The same answers on scored items; `unscoredValue` picks the incident/recommendation answers. */
function answers(wave: MyWave, unscoredValue: (min: number, max: number) => number) {
  return wave.items.map((item) => {
    const values = item.options.map((o) => o.value);
    const [min, max] = [Math.min(...values), Math.max(...values)];
    return { itemId: item.id, value: unscored(item.id) ? unscoredValue(min, max) : min + 1 };
  });
}

const bands = async () =>
  t.db
    .selectFrom('wave_cell')
    .select(['id', 'participation_band', 'band_computed_on'])
    .where('wave_id', '=', waveId)
    .execute();

closing.before(async () => {
  waveId = await openWave(t, { itemIds: ITEM_IDS });
  officerCell = await cellOf(t.db, waveId, await personIdByUsername(t.db, 'demo-officer'));
  const smallest = await t.db
    .selectFrom('wave_cell')
    .select(['id', 'eligible'])
    .where('wave_id', '=', waveId)
    .orderBy('eligible')
    .orderBy('id')
    .executeTakeFirstOrThrow();
  assert.ok(smallest.eligible <= 6, `smallest cell has ${smallest.eligible}`);
  smallCell = smallest.id;
});

closing('participation bands: <30% with no tokens, recomputed at most once a day', async () => {
  assert.ok(
    (await bands()).every((b) => b.participation_band === null),
    'no band before',
  );
  await t.app.waves.refreshBands();
  const first = await bands();
  for (const cell of first) {
    assert.is(cell.participation_band, '<30%', cell.id);
    assert.is(cell.band_computed_on, '2026-11-23');
  }

  // Two of at most six in the small cell take a token: a third or more.
  const small = await cellMembers(t.db, waveId, smallCell);
  const taken = [];
  for (const personId of small.slice(0, 2)) taken.push(await takeFor(personId));
  await t.app.waves.refreshBands();
  await t.app.waves.tick();
  assert.equal(await bands(), first, 'not recomputed on the same day');

  t.clock.advance(24 * HOUR);
  await t.app.waves.refreshBands();
  const next = await bands();
  for (const cell of next) {
    assert.is(cell.band_computed_on, '2026-11-24');
    assert.is(cell.participation_band, cell.id === smallCell ? '30-60%' : '<30%', cell.id);
  }
  // The administrator sees bands, never counts.
  const admin = await browserAs(t.app, 'demo-admin');
  const detail = (await admin.get(`/api/v1/waves/${waveId}`)).json<WaveDetail>();
  const shown = detail.cells.find((c) => c.id === smallCell)!;
  assert.is(shown.participationBand, '30-60%');
  assert.not.ok(JSON.stringify(detail).includes('"eligible"'), 'no eligible count');
  for (const { wave, token } of taken)
    await send(
      token,
      answers(wave, (min) => min),
    );
});

closing('close: keys gone, tallies add up, no theme score from incident items', async () => {
  const officer = await personIdByUsername(t.db, 'demo-officer');
  const colleagues = (await cellMembers(t.db, waveId, officerCell)).filter((id) => id !== officer);
  const a = await takeFor(officer);
  const b = await takeFor(colleagues[0]!);
  // Same scored answers, opposite incident and recommendation answers.
  await send(
    a.token,
    answers(a.wave, (min) => min),
  );
  await send(
    b.token,
    answers(b.wave, (_min, max) => max),
  );

  const named = await t.db
    .selectFrom('person')
    .select(['given_name', 'family_name'])
    .where('id', '=', colleagues[1]!)
    .executeTakeFirstOrThrow();
  const c = await takeFor(colleagues[2]!);
  const comment =
    `Vraag het ${named.given_name} ${named.family_name}, mail jan.smit@politie.example, ` +
    'bel +31 6 12345678 of 0612345678, auto AB-123-C.';
  await send(
    c.token,
    answers(c.wave, (min) => min),
    comment,
  );

  const keyDir = join(t.config.keyDir, waveId);
  const cells = await t.db
    .selectFrom('wave_cell')
    .select('id')
    .where('wave_id', '=', waveId)
    .execute();
  const files = readdirSync(keyDir).sort();
  assert.ok(files.includes('data.key'));
  assert.is(files.filter((f) => f.endsWith('.key')).length, cells.length + 1);
  assert.is(await participationCount(t.db, waveId), 5);
  assert.is((await responseRows(t.db, waveId)).length, submitted);

  const admin = await browserAs(t.app, 'demo-admin');
  const closed = await admin.post(`/api/v1/waves/${waveId}/close`);
  assert.is(closed.statusCode, 202, closed.body);
  assert.is(closed.json<{ state: string }>().state, 'closed');
  assert.not.ok(existsSync(keyDir), 'the signing keys and the data key are destroyed');
  expectRefused(await admin.post(`/api/v1/waves/${waveId}/close`), 409, 'wave_state_conflict');
  // Signing is over too: a new token cannot be issued.
  const late = await browserForPerson(t.app, t.db, colleagues[3]!);
  const lateResponse = await late.post(`/api/v1/waves/${waveId}/tokens`, {
    cellId: officerCell,
    blindedMessage: Buffer.alloc(256, 1).toString('base64url'),
  });
  expectRefused(lateResponse, 409, 'wave_not_open');

  // Tallies: respondents per cell add up to the responses; each item's options to its answers.
  const tallies = await t.db
    .selectFrom('wave_cell_tally')
    .selectAll()
    .where('wave_id', '=', waveId)
    .execute();
  assert.is(tallies.length, cells.length, 'every cell has its tally row');
  assert.is(
    tallies.reduce((sum, row) => sum + row.respondents, 0),
    submitted,
  );
  for (const row of tallies) {
    assert.is(row.respondents, submittedPerCell.get(row.cell_id) ?? 0, row.cell_id);
  }
  const items = await t.db
    .selectFrom('wave_item_tally')
    .selectAll()
    .where('wave_id', '=', waveId)
    .execute();
  for (const [cellId, respondents] of submittedPerCell) {
    for (const itemId of ITEM_IDS) {
      const total = items
        .filter((r) => r.cell_id === cellId && r.item_id === itemId)
        .reduce((sum, r) => sum + r.count, 0);
      assert.is(total, respondents, `${cellId} ${itemId}`);
    }
  }

  // Incident and recommendation items are counted per option but make no theme score.
  const themes = await t.db
    .selectFrom('wave_theme_tally')
    .selectAll()
    .where('cell_id', '=', officerCell)
    .execute();
  const scoredThemes = new Set(
    ITEM_IDS.filter((id) => !unscored(id)).map((id) => bankItem(id).theme),
  );
  assert.equal(themes.map((r) => r.theme).sort(), [...scoredThemes].sort());
  assert.not.ok(themes.some((r) => r.theme === 'recommendation'));
  for (const row of themes) {
    assert.is(row.n, 3, row.theme);
    // Three respondents with equal scored answers: equal scores, though their incident and
    // recommendation answers differ (n * sumSq = sum^2 only when all scores are equal).
    assert.ok(Math.abs(row.n * row.sum_sq - row.sum * row.sum) < 1e-6, row.theme);
  }
  for (const id of ITEM_IDS.filter(unscored)) {
    const options = items.filter((r) => r.cell_id === officerCell && r.item_id === id);
    assert.is(options.length, 2, `${id}: both extremes counted`);
  }

  // Comments: scrubbed, random keys, no time column, no link to a response.
  const comments = await t.db
    .selectFrom('wave_comment')
    .selectAll()
    .where('wave_id', '=', waveId)
    .execute();
  assert.is(comments.length, 1);
  const stored = comments[0]!;
  assert.is(stored.cell_id, officerCell);
  assert.match(stored.id, /^[A-Za-z0-9_-]{22}$/);
  for (const secret of [
    named.given_name,
    named.family_name.split(' ').at(-1)!,
    'jan.smit',
    'politie.example',
    '12345678',
    '0612345678',
    'AB-123-C',
  ]) {
    assert.not.ok(stored.text.includes(secret), `"${secret}" survived: ${stored.text}`);
  }
  for (const placeholder of ['[naam]', '[e-mail]', '[telefoon]', '[kenteken]']) {
    assert.ok(stored.text.includes(placeholder), `${placeholder} in ${stored.text}`);
  }
  const { rows: columns } = await sql<{ name: string }>`
    SELECT name FROM pragma_table_info('wave_comment')`.execute(t.db);
  assert.equal(columns.map((c) => c.name).sort(), ['cell_id', 'id', 'text', 'wave_id']);

  // Only counts remain.
  assert.is((await responseRows(t.db, waveId)).length, 0);
  assert.is(await participationCount(t.db, waveId), 0);
});

closing.run();
