/**
 * Token issuance and spending under attack (anonymity.md 4.1-4.3, "Wire formats"): one key per
 * cell (A17), races, replays, forged and rebound tokens (A18), CSRF on issuance (A28), and who
 * may take a token at all (the roster snapshot).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { MyWave, MyWaves, WaveManifest } from '@teamspiegel/contracts';
import { TODAY, withTestApp } from './helpers.ts';
import {
  answersFor,
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
import {
  Browser,
  browserAs,
  expectRefused,
  freshAccount,
  personIdByUsername,
  unitPath,
} from './support.ts';

const tokens = suite('collection: tokens under attack');
const t = withTestApp(tokens);

/** Wave A asks a comment; wave B (another programme of the same corps) does not. */
let waveA = '';
let waveB = '';
let officerId = '';
let officerCell = '';
let members: string[] = [];
let nextMember = 0;

/** A member of demo-officer's cell who has not taken a token yet. */
const freshMember = () => {
  const id = members[nextMember++];
  if (!id) throw new Error('out of cell members');
  return id;
};

async function tokenFor(
  personId: string,
  waveId = waveA,
): Promise<{ browser: Browser; wave: MyWave; token: Token }> {
  const browser = await browserForPerson(t.app, t.db, personId);
  const wave = await myWave(browser, waveId);
  const { token, response } = await takeToken(browser, wave);
  assert.is(response.statusCode, 200, response.body);
  assert.ok(token);
  return { browser, wave, token };
}

/** A syntactically valid blinded message, for requests that must be refused before signing. */
const someBlindedMessage = () => randomBytes(256).toString('base64url');

tokens.before(async () => {
  waveA = await openWave(t, { name: 'Wave A' });
  waveB = await openWave(t, { name: 'Wave B', commentQuestion: false });
  officerId = await personIdByUsername(t.db, 'demo-officer');
  officerCell = await cellOf(t.db, waveA, officerId);
  members = (await cellMembers(t.db, waveA, officerCell)).filter((id) => id !== officerId);
});

tokens('A17: every officer of a cell gets the same key id and public key', async () => {
  const officer = await myWave(await browserAs(t.app, 'demo-officer'), waveA);
  assert.is(officer.cellId, officerCell);
  for (const personId of members.slice(-3)) {
    const colleague = await myWave(await browserForPerson(t.app, t.db, personId), waveA);
    assert.is(colleague.cellId, officer.cellId);
    assert.is(colleague.keyId, officer.keyId);
    assert.is(colleague.publicKey, officer.publicKey);
  }
  // A lead answers in a leadership cell (INV-9): another cell, so another key.
  const lead = await myWave(await browserAs(t.app, 'demo-lead'), waveA);
  assert.is.not(lead.cellId, officer.cellId);
  assert.is.not(lead.keyId, officer.keyId);
});

tokens('A17: the manifest lists exactly one key per cell, unique across cells', async () => {
  const officer = await browserAs(t.app, 'demo-officer');
  for (const waveId of [waveA, waveB]) {
    const response = await officer.get(`/api/v1/waves/${waveId}/manifest`);
    assert.is(response.statusCode, 200, response.body);
    const manifest = response.json<WaveManifest>();
    const cells = await t.db
      .selectFrom('wave_cell')
      .select(['id', 'key_id', 'public_key'])
      .where('wave_id', '=', waveId)
      .execute();
    assert.equal(manifest.cells.map((c) => c.cellId).sort(), cells.map((c) => c.id).sort());
    assert.is(new Set(manifest.cells.map((c) => c.keyId)).size, cells.length, 'unique key ids');
    assert.is(new Set(manifest.cells.map((c) => c.publicKey)).size, cells.length);
    for (const cell of manifest.cells) {
      // keyId = first 16 bytes of SHA-256 over the SPKI DER ("Wire formats").
      const spki = Buffer.from(cell.publicKey, 'base64url');
      const keyId = createHash('sha256').update(spki).digest().subarray(0, 16);
      assert.is(cell.keyId, keyId.toString('base64url'), cell.cellId);
    }
    const mine = await myWave(officer, waveId);
    const listed = manifest.cells.find((c) => c.cellId === mine.cellId);
    assert.is(listed?.keyId, mine.keyId);
    assert.is(listed?.publicKey, mine.publicKey);
  }
  // No key serves two waves either.
  const keys = await t.db.selectFrom('wave_cell').select('key_id').execute();
  assert.is(new Set(keys.map((k) => k.key_id)).size, keys.length);
});

tokens('A18: fifty parallel token requests for one officer: exactly one succeeds', async () => {
  const officer = await browserAs(t.app, 'demo-officer');
  const wave = await myWave(officer, waveA);
  const results = await Promise.all(Array.from({ length: 50 }, () => takeToken(officer, wave)));
  const ok = results.filter((r) => r.response.statusCode === 200);
  assert.is(ok.length, 1, results.map((r) => r.response.statusCode).join(','));
  for (const r of results.filter((x) => x.response.statusCode !== 200)) {
    expectRefused(r.response, 409, 'token_already_taken');
  }
  const rows = await t.db
    .selectFrom('participation')
    .selectAll()
    .where('wave_id', '=', waveA)
    .where('person_id', '=', officerId)
    .execute();
  assert.is(rows.length, 1);
  // The one token works.
  const accepted = await submit(t.app, ok[0]!.token!, answersFor(wave), 'Eerste token');
  assert.is(accepted.statusCode, 202, accepted.body);
  // And once more later, sequentially, still refused.
  expectRefused((await takeToken(officer, wave)).response, 409, 'token_already_taken');
});

tokens('A18: a blinded message the key cannot sign is refused and takes no token', async () => {
  const personId = freshMember();
  const browser = await browserForPerson(t.app, t.db, personId);
  const wave = await myWave(browser, waveA);
  const before = await participationCount(t.db, waveA);
  // All ones is larger than any 2048-bit modulus: not a valid message representative.
  const response = await browser.post(`/api/v1/waves/${waveA}/tokens`, {
    cellId: wave.cellId,
    blindedMessage: Buffer.alloc(256, 0xff).toString('base64url'),
  });
  expectRefused(response, 400, 'invalid_token');
  assert.is(await participationCount(t.db, waveA), before, 'the transaction was rolled back');
  // The officer can still take their one token.
  const { response: retry } = await takeToken(browser, wave);
  assert.is(retry.statusCode, 200, retry.body);
});

tokens('A18: a forged signature is refused with nothing stored', async () => {
  const { wave, token } = await tokenFor(freshMember());
  const before = await responseRows(t.db, waveA);
  for (const signature of [randomBytes(256), Buffer.alloc(256)]) {
    const forged = { ...token, signature: signature.toString('base64url') };
    expectRefused(await submit(t.app, forged, answersFor(wave)), 400, 'invalid_token');
  }
  // A valid signature over another message: the message is what the signature binds.
  const other = Buffer.from(token.message, 'base64url');
  other[0] = other[0]! ^ 1;
  const tampered = { ...token, message: other.toString('base64url') };
  expectRefused(await submit(t.app, tampered, answersFor(wave)), 400, 'invalid_token');
  assert.equal(await responseRows(t.db, waveA), before);
});

tokens('A18: a valid token re-used for another cell is refused', async () => {
  const { wave, token } = await tokenFor(freshMember());
  const other = await t.db
    .selectFrom('wave_cell')
    .select(['id', 'key_id'])
    .where('wave_id', '=', waveA)
    .where('id', '!=', token.cellId)
    .executeTakeFirstOrThrow();
  const before = await responseRows(t.db, waveA);
  // Another cell, this cell's key id (key mismatch) and that cell's key id (message mismatch).
  expectRefused(
    await submit(t.app, { ...token, cellId: other.id }, answersFor(wave)),
    400,
    'invalid_token',
  );
  expectRefused(
    await submit(t.app, { ...token, cellId: other.id, keyId: other.key_id! }, answersFor(wave)),
    400,
    'invalid_token',
  );
  // This cell with another cell's key id.
  expectRefused(
    await submit(t.app, { ...token, keyId: other.key_id! }, answersFor(wave)),
    400,
    'invalid_token',
  );
  assert.equal(await responseRows(t.db, waveA), before);
  // The token itself is fine where it belongs.
  assert.is((await submit(t.app, token, answersFor(wave))).statusCode, 202);
});

tokens('A18: a token of wave A submitted to wave B is refused', async () => {
  const { wave, token } = await tokenFor(freshMember());
  const cellB = await cellOf(t.db, waveB, officerId);
  const keyB = await t.db
    .selectFrom('wave_cell')
    .select('key_id')
    .where('id', '=', cellB)
    .executeTakeFirstOrThrow();
  const beforeA = await responseRows(t.db, waveA);
  const beforeB = await responseRows(t.db, waveB);
  const items = answersFor(wave);
  for (const rebound of [
    { ...token, waveId: waveB },
    { ...token, waveId: waveB, cellId: cellB },
    { ...token, waveId: waveB, cellId: cellB, keyId: keyB.key_id! },
  ]) {
    expectRefused(await submit(t.app, rebound, items), 400, 'invalid_token');
  }
  assert.equal(await responseRows(t.db, waveA), beforeA);
  assert.equal(await responseRows(t.db, waveB), beforeB);
});

tokens('A18: a repeated submission with the same token replaces, one row', async () => {
  const { wave, token } = await tokenFor(freshMember());
  const before = (await responseRows(t.db, waveA)).length;
  const bodies = new Set<string>();
  for (let i = 0; i < 3; i += 1) {
    const response = await submit(
      t.app,
      token,
      answersFor(wave, () => i),
    );
    assert.is(response.statusCode, 202, response.body);
    bodies.add(response.body);
  }
  // Replays in parallel as well.
  const parallel = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      submit(
        t.app,
        token,
        answersFor(wave, () => i % 5),
      ),
    ),
  );
  for (const response of parallel) bodies.add(`${response.statusCode} ${response.body}`);
  assert.equal([...bodies], ['{"status":"received"}', '202 {"status":"received"}']);
  assert.is((await responseRows(t.db, waveA)).length, before + 1);
});

tokens(
  'A28: token issuance without CSRF token, from a foreign Origin or without session',
  async () => {
    const personId = freshMember();
    const browser = await browserForPerson(t.app, t.db, personId);
    const wave = await myWave(browser, waveA);
    const url = `/api/v1/waves/${waveA}/tokens`;
    const body = { cellId: wave.cellId, blindedMessage: someBlindedMessage() };
    const before = await participationCount(t.db, waveA);

    expectRefused(
      await browser.request('POST', url, body, { 'x-csrf-token': undefined }),
      403,
      'csrf_invalid',
    );
    expectRefused(
      await browser.request('POST', url, body, { 'x-csrf-token': 'not-the-token' }),
      403,
      'csrf_invalid',
    );
    expectRefused(
      await browser.request('POST', url, body, { origin: 'https://evil.example' }),
      403,
      'origin_mismatch',
    );
    expectRefused(
      await browser.request('POST', url, body, { origin: undefined }),
      403,
      'origin_mismatch',
    );
    const anonymous = new Browser(t.app);
    expectRefused(await anonymous.post(url, body), 401, 'unauthenticated');
    // A cookie-less request with a stolen CSRF token is no better.
    expectRefused(
      await anonymous.request('POST', url, body, { 'x-csrf-token': browser.csrf }),
      401,
      'unauthenticated',
    );
    assert.is(await participationCount(t.db, waveA), before, 'no participation row');
    assert.is((await myWave(browser, waveA)).tokenTaken, false);
    // The same officer, asking properly, still gets their token.
    assert.is((await takeToken(browser, wave)).response.statusCode, 200);
  },
);

tokens('not eligible: a zone member gets 403 not_eligible for a corps wave', async () => {
  const zonePath = await unitPath(t.db, 'BE-SCH');
  const member = await t.db
    .selectFrom('membership')
    .innerJoin('unit', 'unit.id', 'membership.unit_id')
    .select('membership.person_id')
    .where('unit.path', 'like', `${zonePath}%`)
    .where('membership.kind', '=', 'member')
    .where('membership.left_on', 'is', null)
    .executeTakeFirstOrThrow();
  const browser = await browserForPerson(t.app, t.db, member.person_id);
  const mine = (await browser.get('/api/v1/me/waves')).json<MyWaves>();
  assert.not.ok(
    mine.items.some((w) => w.waveId === waveA || w.waveId === waveB),
    'no corps wave offered',
  );
  const before = await participationCount(t.db, waveA);
  for (const cellId of [officerCell, randomUUID()]) {
    expectRefused(
      await browser.post(`/api/v1/waves/${waveA}/tokens`, {
        cellId,
        blindedMessage: someBlindedMessage(),
      }),
      403,
      'not_eligible',
    );
  }
  assert.is(await participationCount(t.db, waveA), before);
});

tokens('not eligible: a person who joined after open is not in the snapshot', async () => {
  const joiner = await freshAccount(t.db, 'pulse-joiner');
  const unit = await t.db
    .selectFrom('membership')
    .select('unit_id')
    .where('person_id', '=', officerId)
    .where('left_on', 'is', null)
    .executeTakeFirstOrThrow();
  await t.db
    .insertInto('membership')
    .values({
      id: randomUUID(),
      person_id: joiner.personId,
      unit_id: unit.unit_id,
      kind: 'member',
      joined_on: TODAY,
      left_on: null,
    })
    .execute();
  const eligible = await t.db
    .selectFrom('wave_eligibility')
    .select('cell_id')
    .where('person_id', '=', joiner.personId)
    .execute();
  assert.equal(eligible, [], 'not in any snapshot');
  const browser = await browserAs(t.app, joiner.username);
  const mine = (await browser.get('/api/v1/me/waves')).json<MyWaves>();
  assert.equal(mine.items, []);
  const before = await participationCount(t.db, waveA);
  expectRefused(
    await browser.post(`/api/v1/waves/${waveA}/tokens`, {
      cellId: officerCell,
      blindedMessage: someBlindedMessage(),
    }),
    403,
    'not_eligible',
  );
  assert.is(await participationCount(t.db, waveA), before);
  // The officer's own cell id with their own unit, and another programme's wave: the same.
  expectRefused(
    await browser.post(`/api/v1/waves/${waveB}/tokens`, {
      cellId: await cellOf(t.db, waveB, officerId),
      blindedMessage: someBlindedMessage(),
    }),
    403,
    'not_eligible',
  );
});

tokens('A18: after close, the replaced submissions count once each', async () => {
  const tokensTaken = await participationCount(t.db, waveA);
  const stored = (await responseRows(t.db, waveA)).length;
  const admin = await browserAs(t.app, 'demo-admin');
  const closed = await admin.post(`/api/v1/waves/${waveA}/close`);
  assert.is(closed.statusCode, 202, closed.body);
  const tally = await t.db
    .selectFrom('wave_cell_tally')
    .select('respondents')
    .where('cell_id', '=', officerCell)
    .executeTakeFirstOrThrow();
  // Submitted in this cell: the race winner's token, the cross-cell token, the replayed one.
  assert.is(stored, 3);
  assert.is(tally.respondents, 3);
  assert.ok(tokensTaken >= tally.respondents);
});

tokens.run();
