import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { withTestApp } from './helpers.ts';
import { browserForPerson, myWave, openWave, submit, takeToken } from './pulse-support.ts';
import { browserAs, personIdByUsername } from './support.ts';

/** A whole wave through the API: open, take a token, answer, change, close, count. */
const collection = suite('collection');
const t = withTestApp(collection);

collection(
  'an officer answers, changes the answers, and the closed wave counts them once',
  async () => {
    const waveId = await openWave(t);
    const officer = await browserAs(t.app, 'demo-officer');
    const wave = await myWave(officer, waveId);
    assert.ok(wave.items.length >= 6 && wave.items.length <= 8, `${wave.items.length} items`);
    assert.is(wave.tokenTaken, false);

    const { token, response } = await takeToken(officer, wave);
    assert.is(response.statusCode, 200, response.body);
    assert.ok(token);
    assert.is((await myWave(officer, waveId)).tokenTaken, true);

    const first = wave.items.map((item) => ({ itemId: item.id, value: item.options[0]!.value }));
    const accepted = await submit(t.app, token, first, 'Goede briefing, bel Lotte op 06-12345678');
    assert.is(accepted.statusCode, 202, accepted.body);
    assert.equal(accepted.json(), { status: 'received' });
    assert.is(accepted.headers['set-cookie'], undefined);
    assert.is(accepted.headers['x-content-type-options'], 'nosniff');
    assert.is(accepted.headers['cache-control'], 'no-store');

    // Last one counts: the same token replaces the first answers.
    const last = wave.items.map((item) => ({ itemId: item.id, value: item.options.at(-1)!.value }));
    const replaced = await submit(t.app, token, last, 'Goede briefing, bel Lotte op 06-12345678');
    assert.is(replaced.statusCode, 202);
    assert.equal(replaced.json(), accepted.json(), 'the same body for every accepted outcome');
    const stored = await t.db
      .selectFrom('response')
      .select('token_key')
      .where('wave_id', '=', waveId)
      .execute();
    assert.is(stored.length, 1);

    const admin = await browserAs(t.app, 'demo-admin');
    const closed = await admin.post(`/api/v1/waves/${waveId}/close`);
    assert.is(closed.statusCode, 202, closed.body);

    const cell = await t.db
      .selectFrom('wave_eligibility')
      .select('cell_id')
      .where('wave_id', '=', waveId)
      .where('person_id', '=', await personIdByUsername(t.db, 'demo-officer'))
      .executeTakeFirstOrThrow();
    const tally = await t.db
      .selectFrom('wave_cell_tally')
      .selectAll()
      .where('cell_id', '=', cell.cell_id)
      .executeTakeFirstOrThrow();
    assert.is(tally.respondents, 1);
    const counts = await t.db
      .selectFrom('wave_item_tally')
      .selectAll()
      .where('cell_id', '=', cell.cell_id)
      .execute();
    for (const answer of last) {
      const row = counts.find((c) => c.item_id === answer.itemId);
      assert.is(row?.option, String(answer.value), answer.itemId);
      assert.is(row?.count, 1);
    }
    const comments = await t.db
      .selectFrom('wave_comment')
      .select('text')
      .where('wave_id', '=', waveId)
      .execute();
    assert.equal(
      comments.map((c) => c.text),
      ['Goede briefing, bel [naam] op [telefoon]'],
    );
    // Only counts remain: no raw answers, spent tokens or participation.
    for (const table of ['response', 'participation'] as const) {
      const rows = await t.db.selectFrom(table).selectAll().where('wave_id', '=', waveId).execute();
      assert.is(rows.length, 0, table);
    }
  },
);

collection('a second programme for the same organisation is refused', async () => {
  const admin = await browserAs(t.app, 'demo-admin');
  const root = await t.db
    .selectFrom('unit')
    .select('id')
    .where('code', '=', 'NL')
    .executeTakeFirstOrThrow();
  const existing = await t.db
    .selectFrom('programme')
    .select('id')
    .where('root_unit_id', '=', root.id)
    .execute();
  assert.ok(existing.length > 0, 'the first test created the corps programme');
  const response = await admin.post('/api/v1/programmes', {
    rootUnitId: root.id,
    name: 'Tweede programma',
    firstOpensOn: '2026-12-01',
  });
  assert.is(response.statusCode, 409);
  assert.is(response.json<{ code: string }>().code, 'conflict');
  const after = await t.db
    .selectFrom('programme')
    .select('id')
    .where('root_unit_id', '=', root.id)
    .execute();
  assert.is(after.length, existing.length);
});

collection(
  'on the close date a wave takes no more answers, even before the scheduler closes it',
  async () => {
    const waveId = await openWave(t, { rootCode: 'BE-SCH', commentQuestion: false });
    const member = await t.db
      .selectFrom('wave_eligibility')
      .select('person_id')
      .where('wave_id', '=', waveId)
      .executeTakeFirstOrThrow();
    const officer = await browserForPerson(t.app, t.db, member.person_id);
    const wave = await myWave(officer, waveId);
    const { token } = await takeToken(officer, wave);
    assert.ok(token);
    t.clock.advance(14 * 24 * 3_600_000);
    const late = await submit(t.app, token, []);
    assert.is(late.statusCode, 409);
    assert.is(late.json<{ code: string }>().code, 'wave_not_open');
    const rows = await t.db
      .selectFrom('response')
      .select('token_key')
      .where('wave_id', '=', waveId)
      .execute();
    assert.is(rows.length, 0);
  },
);

collection(
  'every answer from /submit, accepted or refused, is not sniffed, cached or given a referrer',
  async () => {
    const refused = await t.app.inject({
      method: 'POST',
      url: '/submit/v1/responses',
      payload: {},
    });
    assert.is(refused.statusCode, 400);
    for (const response of [refused]) {
      assert.is(response.headers['x-content-type-options'], 'nosniff');
      assert.is(response.headers['cache-control'], 'no-store');
      assert.is(response.headers['referrer-policy'], 'no-referrer');
      assert.is(response.headers['set-cookie'], undefined);
    }
  },
);

collection.run();
