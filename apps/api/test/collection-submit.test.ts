/**
 * /submit against bad input: every refusal is a 4xx `{ code, message }` and stores nothing
 * (anonymity.md 4.3, "Wire formats"); and coercion (A27): the last submission counts.
 */
import { randomUUID } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_COMMENT_LENGTH } from '@teamspiegel/contracts';
import { withTestApp } from './helpers.ts';
import {
  answersFor,
  browserForPerson,
  cellMembers,
  cellOf,
  myWave,
  openWave,
  responseRows,
  submit,
  takeToken,
  type Token,
} from './pulse-support.ts';
import { browserAs, expectRefused, personIdByUsername } from './support.ts';
import type { MyWave } from '@teamspiegel/contracts';

const submission = suite('collection: /submit refuses bad input');
const t = withTestApp(submission);

let waveA = '';
let waveB = '';
let members: string[] = [];
let next = 0;
/** One good token per wave, reused by every refusal (a refused token stays usable). */
let tokenA: Token;
let waveViewA: MyWave;
let tokenB: Token;
let waveViewB: MyWave;

async function tokenFor(waveId: string): Promise<{ wave: MyWave; token: Token }> {
  const personId = members[next++];
  if (!personId) throw new Error('out of cell members');
  const browser = await browserForPerson(t.app, t.db, personId);
  const wave = await myWave(browser, waveId);
  const { token, response } = await takeToken(browser, wave);
  assert.is(response.statusCode, 200, response.body);
  assert.ok(token);
  return { wave, token };
}

/** Every response row of both waves, to show a refusal stored nothing. */
const allResponses = async () => [
  ...(await responseRows(t.db, waveA)),
  ...(await responseRows(t.db, waveB)),
];

async function refused(
  label: string,
  send: () => ReturnType<typeof submit>,
  status: number,
  code: string,
) {
  const before = await allResponses();
  const response = await send();
  expectRefused(response, status, code, `${label}: ${response.body}`);
  assert.is(response.headers['set-cookie'], undefined, label);
  assert.equal(await allResponses(), before, `${label}: something was stored`);
}

submission.before(async () => {
  waveA = await openWave(t, { name: 'With comments' });
  waveB = await openWave(t, { name: 'Without comments', commentQuestion: false });
  const officer = await personIdByUsername(t.db, 'demo-officer');
  members = (await cellMembers(t.db, waveA, await cellOf(t.db, waveA, officer))).filter(
    (id) => id !== officer,
  );
  ({ wave: waveViewA, token: tokenA } = await tokenFor(waveA));
  ({ wave: waveViewB, token: tokenB } = await tokenFor(waveB));
});

submission('an unknown wave is refused', async () => {
  await refused(
    'unknown wave',
    () => submit(t.app, { ...tokenA, waveId: randomUUID() }, answersFor(waveViewA)),
    400,
    'invalid_token',
  );
});

submission('a cell of another wave is refused', async () => {
  await refused(
    'cell of wave B with wave A',
    () => submit(t.app, { ...tokenA, cellId: tokenB.cellId }, answersFor(waveViewA)),
    400,
    'invalid_token',
  );
  await refused(
    'unknown cell',
    () => submit(t.app, { ...tokenA, cellId: randomUUID() }, answersFor(waveViewA)),
    400,
    'invalid_token',
  );
});

submission('a key id that is not the cell key is refused', async () => {
  const flipped = Buffer.from(tokenA.keyId, 'base64url');
  flipped[15] = flipped[15]! ^ 0x80;
  await refused(
    'keyId mismatch',
    () => submit(t.app, { ...tokenA, keyId: flipped.toString('base64url') }, answersFor(waveViewA)),
    400,
    'invalid_token',
  );
});

submission('padded or non-canonical base64url is refused', async () => {
  const answers = answersFor(waveViewA);
  // Schema level: padding or foreign characters in the fixed-length fields.
  await refused(
    'padded signature',
    () => submit(t.app, { ...tokenA, signature: `${tokenA.signature.slice(0, -2)}==` }, answers),
    400,
    'validation_failed',
  );
  await refused(
    'standard base64 signature',
    () => submit(t.app, { ...tokenA, signature: `+/${tokenA.signature.slice(2)}` }, answers),
    400,
    'validation_failed',
  );
  await refused(
    'padded message',
    () => submit(t.app, { ...tokenA, message: `${tokenA.message}=` }, answers),
    400,
    'validation_failed',
  );
  await refused(
    'padded key id',
    () => submit(t.app, { ...tokenA, keyId: `${tokenA.keyId.slice(0, -2)}==` }, answers),
    400,
    'validation_failed',
  );
  // Strict decoding: the same bytes spelled with non-zero unused bits ("AB" for "AA").
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const respell = (text: string) => {
    const last = alphabet.indexOf(text.at(-1)!);
    return text.slice(0, -1) + alphabet[last ^ 1];
  };
  assert.equal(
    Buffer.from(respell(tokenA.signature), 'base64url'),
    Buffer.from(tokenA.signature, 'base64url'),
    'the lenient decoder reads both spellings alike',
  );
  await refused(
    'non-canonical signature',
    () => submit(t.app, { ...tokenA, signature: respell(tokenA.signature) }, answers),
    400,
    'invalid_token',
  );
  if (tokenA.message.length % 4 !== 0) {
    await refused(
      'non-canonical message',
      () => submit(t.app, { ...tokenA, message: respell(tokenA.message) }, answers),
      400,
      'invalid_token',
    );
  }
  // Truncated: a valid spelling of fewer bytes.
  await refused(
    'short message',
    () => submit(t.app, { ...tokenA, message: tokenA.message.slice(0, -4) }, answers),
    400,
    'invalid_token',
  );
});

submission('answers that do not fit the wave are refused', async () => {
  const answers = answersFor(waveViewA);
  const first = waveViewA.items[0]!;
  const max = Math.max(...first.options.map((o) => o.value));
  const min = Math.min(...first.options.map((o) => o.value));
  const noDontKnow = waveViewA.items.find((item) => item.dontKnowLabel === null);
  assert.ok(noDontKnow, 'the wave has an item without "don\'t know"');
  const notAsked = ['soc.exp_any', 'no.such_item'];
  for (const itemId of notAsked) {
    await refused(
      `unknown item ${itemId}`,
      () => submit(t.app, tokenA, [...answers, { itemId, value: 1 }]),
      400,
      'invalid_answers',
    );
  }
  for (const value of [max + 1, min - 1, 0, -1, 1000]) {
    if (value >= min && value <= max) continue;
    await refused(
      `out of range ${value}`,
      () => submit(t.app, tokenA, [{ itemId: first.id, value }]),
      400,
      'invalid_answers',
    );
  }
  await refused(
    'a fraction',
    () => submit(t.app, tokenA, [{ itemId: first.id, value: 2.5 }]),
    400,
    'validation_failed',
  );
  await refused(
    'null without "don\'t know"',
    () => submit(t.app, tokenA, [{ itemId: noDontKnow.id, value: null }]),
    400,
    'invalid_answers',
  );
  await refused(
    'the same item twice',
    () => submit(t.app, tokenA, [answers[0]!, { ...answers[0]!, value: min }]),
    400,
    'invalid_answers',
  );
  await refused(
    'an answer with an extra field',
    () =>
      t.app.inject({
        method: 'POST',
        url: '/submit/v1/responses',
        payload: { ...tokenA, answers: [{ ...answers[0], at: '2026-11-23T09:00:00Z' }] },
      }),
    400,
    'validation_failed',
  );
  await refused(
    'a time stamp beside the answers',
    () =>
      t.app.inject({
        method: 'POST',
        url: '/submit/v1/responses',
        payload: { ...tokenA, answers, submittedAt: '2026-11-23T09:00:00Z' },
      }),
    400,
    'validation_failed',
  );
});

submission('a comment is refused when the wave asks none; an oversize one always', async () => {
  assert.is(waveViewB.commentQuestion, false);
  await refused(
    'comment on wave B',
    () => submit(t.app, tokenB, answersFor(waveViewB), 'Toch een opmerking'),
    400,
    'invalid_answers',
  );
  await refused(
    'oversize comment',
    () => submit(t.app, tokenA, answersFor(waveViewA), 'x'.repeat(MAX_COMMENT_LENGTH + 1)),
    400,
    'validation_failed',
  );
  // An empty or blank comment on wave B is no comment.
  const blank = await submit(t.app, tokenB, answersFor(waveViewB), '   ');
  assert.is(blank.statusCode, 202, blank.body);
  // The longest allowed comment is accepted.
  const longest = await submit(
    t.app,
    tokenA,
    answersFor(waveViewA),
    'y'.repeat(MAX_COMMENT_LENGTH),
  );
  assert.is(longest.statusCode, 202, longest.body);
});

submission('a body that is not a submission is refused', async () => {
  const cases: [string, unknown, number, string][] = [
    ['an empty object', {}, 400, 'validation_failed'],
    ['an array', [tokenA], 400, 'validation_failed'],
    ['answers as a string', { ...tokenA, answers: 'alles goed' }, 400, 'validation_failed'],
  ];
  for (const [label, payload, status, code] of cases) {
    await refused(
      label,
      () =>
        t.app.inject({
          method: 'POST',
          url: '/submit/v1/responses',
          payload: payload as object,
        }),
      status,
      code,
    );
  }
  await refused(
    'not JSON',
    () =>
      t.app.inject({
        method: 'POST',
        url: '/submit/v1/responses',
        headers: { 'content-type': 'application/json' },
        payload: '{"waveId":',
      }),
    400,
    'malformed_json',
  );
});

submission('A27: answers v1 then v2 with one token: the closed tallies show only v2', async () => {
  const { wave, token } = await tokenFor(waveA);
  const cellId = token.cellId;
  // Responses already in this cell (the longest-comment test above): known answers.
  const v1 = answersFor(wave, () => 0);
  const v2 = answersFor(wave, () => 4);
  for (const [answers, comment] of [
    [v1, 'Onder druk ingevuld'],
    [v2, 'Wat ik echt vind'],
  ] as const) {
    const response = await submit(t.app, token, answers, comment);
    assert.is(response.statusCode, 202, response.body);
  }
  const rows = (await responseRows(t.db, waveA)).filter((r) => r.cell_id === cellId);
  assert.is(rows.length, 2, 'tokenA and this token');

  const admin = await browserAs(t.app, 'demo-admin');
  const closed = await admin.post(`/api/v1/waves/${waveA}/close`);
  assert.is(closed.statusCode, 202, closed.body);
  const respondents = await t.db
    .selectFrom('wave_cell_tally')
    .select('respondents')
    .where('cell_id', '=', cellId)
    .executeTakeFirstOrThrow();
  assert.is(respondents.respondents, 2);
  const counts = await t.db
    .selectFrom('wave_item_tally')
    .selectAll()
    .where('cell_id', '=', cellId)
    .execute();
  // tokenA answered option 0 everywhere (answersFor default); this token's v1 did too, v2 did not.
  for (const answer of v2) {
    const v1Value = v1.find((a) => a.itemId === answer.itemId)!.value;
    const of = (option: number | null) =>
      counts.find((c) => c.item_id === answer.itemId && c.option === String(option))?.count ?? 0;
    assert.is(of(answer.value), answer.value === v1Value ? 2 : 1, `${answer.itemId} v2`);
    if (answer.value !== v1Value) assert.is(of(v1Value), 1, `${answer.itemId} v1 not counted`);
  }
  const comments = await t.db
    .selectFrom('wave_comment')
    .select('text')
    .where('cell_id', '=', cellId)
    .execute();
  assert.equal(comments.map((c) => c.text).sort(), [
    'Wat ik echt vind',
    'y'.repeat(MAX_COMMENT_LENGTH),
  ]);
});

submission('a submission after close is refused with 409 wave_not_open', async () => {
  await refused(
    'after close',
    () => submit(t.app, tokenA, answersFor(waveViewA)),
    409,
    'wave_not_open',
  );
  // Wave B is still open and still takes its token.
  assert.is((await submit(t.app, tokenB, answersFor(waveViewB))).statusCode, 202);
});

submission.run();
