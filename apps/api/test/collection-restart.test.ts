/**
 * A server restart in the middle of a wave (anonymity.md 4.4): the signing keys and the data
 * key live in the key directory, not in memory, so no submitted answer is lost and officers
 * who had not taken a token yet can still get one.
 */
import { existsSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  openWave,
  answersFor,
  browserForPerson,
  buildAppInDir,
  cellOf,
  freshDataDir,
  myWave,
  participationCount,
  submit,
  takeToken,
  type RestartableApp,
} from './pulse-support.ts';
import { browserAs, expectRefused, personIdByUsername } from './support.ts';

const restart = suite('collection: restart during a wave');

let first: RestartableApp | undefined;
let second: RestartableApp | undefined;
let dir = '';
let alias = '';

restart.after(async () => {
  await first?.stop();
  await second?.stop();
  rmSync(alias, { force: true });
  rmSync(dir, { recursive: true, force: true });
});

restart('restart: submitted answers survive, signing works from the key directory', async () => {
  dir = freshDataDir();
  first = await buildAppInDir(dir, { seed: true });
  const waveId = await openWave(first);
  const officerId = await personIdByUsername(first.db, 'demo-officer');
  const officerCell = await cellOf(first.db, waveId, officerId);

  const officer = await browserAs(first.app, 'demo-officer');
  const wave = await myWave(officer, waveId);
  const { token } = await takeToken(officer, wave);
  assert.ok(token);
  const answers = answersFor(wave, (i) => i % 5);
  const accepted = await submit(first.app, token, answers, 'Voor de herstart');
  assert.is(accepted.statusCode, 202, accepted.body);
  await first.stop();
  first = undefined;

  // The same data directory, reached through a new path: the key store's in-process cache is
  // keyed by path, so every key the new app uses is read from disk, as after a real restart.
  alias = `${dir}-restarted`;
  symlinkSync(dir, alias);
  second = await buildAppInDir(alias);
  assert.is(second.config.keyDir, join(alias, 'keys'));
  assert.ok(readdirSync(join(second.config.keyDir, waveId)).includes('data.key'));
  assert.is(await participationCount(second.db, waveId), 1, 'participation survived');

  // The officer still has their one token, and no second one.
  const again = await browserAs(second.app, 'demo-officer');
  const after = await myWave(again, waveId);
  assert.is(after.tokenTaken, true);
  assert.is(after.keyId, wave.keyId, 'the same key after restart');
  expectRefused((await takeToken(again, after)).response, 409, 'token_already_taken');

  // An officer of another cell signs and submits after the restart.
  const council = await browserAs(second.app, 'demo-council');
  const councilWave = await myWave(council, waveId);
  assert.is.not(councilWave.cellId, officerCell);
  const fresh = await takeToken(council, councilWave);
  assert.is(fresh.response.statusCode, 200, fresh.response.body);
  assert.ok(fresh.token);
  const councilAnswers = answersFor(councilWave, () => 3);
  assert.is((await submit(second.app, fresh.token, councilAnswers)).statusCode, 202);
  // The token from before the restart still replaces its own answers (data key read from disk).
  const replaced = await submit(second.app, token, answers, 'Voor de herstart');
  assert.is(replaced.statusCode, 202, replaced.body);
  // A colleague in the same cell takes and spends a token after the restart.
  const colleague = await browserForPerson(
    second.app,
    second.db,
    (
      await second.db
        .selectFrom('wave_eligibility')
        .select('person_id')
        .where('wave_id', '=', waveId)
        .where('cell_id', '=', officerCell)
        .where('person_id', '!=', officerId)
        .executeTakeFirstOrThrow()
    ).person_id,
  );
  const colleagueToken = (await takeToken(colleague, await myWave(colleague, waveId))).token;
  assert.ok(colleagueToken);
  assert.is((await submit(second.app, colleagueToken, answers)).statusCode, 202);

  const admin = await browserAs(second.app, 'demo-admin');
  const closed = await admin.post(`/api/v1/waves/${waveId}/close`);
  assert.is(closed.statusCode, 202, closed.body);
  assert.not.ok(existsSync(join(dir, 'keys', waveId)), 'keys destroyed after close');

  const tally = async (cellId: string) =>
    (
      await second!.db
        .selectFrom('wave_cell_tally')
        .select('respondents')
        .where('cell_id', '=', cellId)
        .executeTakeFirstOrThrow()
    ).respondents;
  assert.is(await tally(officerCell), 2, 'the answer from before the restart counts');
  assert.is(await tally(councilWave.cellId), 1);
  const counts = await second.db
    .selectFrom('wave_item_tally')
    .selectAll()
    .where('cell_id', '=', officerCell)
    .execute();
  for (const answer of answers) {
    const row = counts.find(
      (c) => c.item_id === answer.itemId && c.option === String(answer.value),
    );
    assert.is(row?.count, 2, answer.itemId);
  }
  const comments = await second.db
    .selectFrom('wave_comment')
    .select('text')
    .where('cell_id', '=', officerCell)
    .execute();
  assert.equal(
    comments.map((c) => c.text),
    ['Voor de herstart'],
  );
});

restart.run();
