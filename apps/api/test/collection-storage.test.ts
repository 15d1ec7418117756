/**
 * What a database reader (T4) and a server operator (T5) can see of anonymous collection:
 * table shapes, row order, logs, cookies and raw copies of the SQLite file and its WAL
 * (anonymity.md 4.3, 4.4, 4.5; attacks A14, A15, A16, A19, A23).
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { sql } from 'kysely';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { LightMyRequestResponse } from 'fastify';
import { withTestApp } from './helpers.ts';
import {
  openWave,
  answersFor,
  browserForPerson,
  cellMembers,
  cellOf,
  myWave,
  rawDatabaseFiles,
  responseRows,
  submit,
  takeToken,
  type Token,
} from './pulse-support.ts';
import { Browser, browserAs, expectRefused, personIdByUsername } from './support.ts';

const storage = suite('collection: storage, logs and cookies');

// The operator's view (T5): every line the logger writes. pino writes to process.stdout itself
// when stdout.write has been replaced before the app is built, so the app is built with the
// capture in place and an 'info' level, as in production.
const logLines: string[] = [];
const originalWrite = process.stdout.write.bind(process.stdout);
storage.before(() => {
  process.stdout.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (text.startsWith('{"level"')) {
      logLines.push(...text.split('\n').filter(Boolean));
      return true;
    }
    return (originalWrite as (...args: unknown[]) => boolean)(chunk, ...rest);
  };
});
const t = withTestApp(storage, { LOG_LEVEL: 'info' });
storage.after(() => {
  process.stdout.write = originalWrite;
});

const ANON_TABLES = ['response', 'participation', 'wave_comment'] as const;
const TIME_LIKE = /(^|_)(at|on|time|date|day|created|updated|seen|seq|sequence|ts|order)($|_)/i;

let waveId = '';
let cellId = '';
let members: string[] = [];
const dbFile = () => join(t.config.dataDir, 'teamspiegel.sqlite');

async function tokenFor(personId: string): Promise<{ browser: Browser; token: Token }> {
  const browser = await browserForPerson(t.app, t.db, personId);
  const { token, response } = await takeToken(browser, await myWave(browser, waveId));
  assert.is(response.statusCode, 200, response.body);
  assert.ok(token);
  return { browser, token };
}

/** The spent-token key the wire format derives from a token's nonce. */
function tokenKeyOf(token: Token): string {
  const message = Buffer.from(token.message, 'base64url').subarray(32).toString('utf8');
  const nonce = Buffer.from(message.split('|')[4]!, 'base64url');
  assert.is(nonce.length, 32);
  return createHash('sha256').update(nonce).digest().subarray(0, 16).toString('base64url');
}

/** Response headers but the clock and the global rate-limit counter, which move between calls. */
const headersOf = (response: LightMyRequestResponse) =>
  Object.fromEntries(
    Object.entries(response.headers).filter(
      ([name]) => name !== 'date' && name !== 'x-ratelimit-remaining',
    ),
  );

storage.before(async () => {
  waveId = await openWave(t);
  cellId = await cellOf(t.db, waveId, await personIdByUsername(t.db, 'demo-officer'));
  const officer = await personIdByUsername(t.db, 'demo-officer');
  members = (await cellMembers(t.db, waveId, cellId)).filter((id) => id !== officer);
  assert.ok(members.length >= 12, `${members.length} members besides demo-officer`);
});

storage('A14: response, participation and wave_comment have no time column', async () => {
  const expected: Record<(typeof ANON_TABLES)[number], string[]> = {
    response: ['cell_id', 'sealed', 'token_key', 'wave_id'],
    participation: ['person_id', 'wave_id'],
    wave_comment: ['cell_id', 'id', 'text', 'wave_id'],
  };
  for (const table of ANON_TABLES) {
    const { rows } = await sql<{
      name: string;
      type: string;
      dflt_value: string | null;
    }>`SELECT name, type, dflt_value FROM pragma_table_info(${table})`.execute(t.db);
    assert.equal(rows.map((c) => c.name).sort(), expected[table], table);
    for (const column of rows) {
      assert.not.ok(TIME_LIKE.test(column.name), `${table}.${column.name} looks like a time`);
      assert.not.ok(/date|time/i.test(column.type), `${table}.${column.name} is ${column.type}`);
      assert.is(column.dflt_value, null, `${table}.${column.name} has a default`);
    }
  }
  // Nor can anything add one behind the table's back: no trigger, no index on an expression.
  const { rows: others } = await sql<{ type: string; name: string }>`
    SELECT type, name FROM sqlite_master
    WHERE tbl_name IN ('response', 'participation', 'wave_comment') AND type != 'table'
      AND sql IS NOT NULL`.execute(t.db);
  assert.equal(others, [], 'no trigger or custom index on the anonymous tables');
});

storage('A14: /submit writes no log line, accepted or refused; /api requests do', async () => {
  const { browser, token } = await tokenFor(members[0]!);
  const wave = await myWave(browser, waveId);
  const issuance = logLines.filter((line) => line.includes(`/api/v1/waves/${waveId}/tokens`));
  assert.ok(issuance.length >= 1, 'the token request is logged like any /api request');

  const before = logLines.length;
  const accepted = await submit(t.app, token, answersFor(wave), 'Zeldzaam-Log-4412');
  assert.is(accepted.statusCode, 202, accepted.body);
  const replaced = await submit(
    t.app,
    token,
    answersFor(wave, () => 2),
  );
  assert.is(replaced.statusCode, 202, replaced.body);
  const forged = await submit(t.app, { ...token, signature: 'A'.repeat(342) }, answersFor(wave));
  expectRefused(forged, 400, 'invalid_token');
  const invalid = await t.app.inject({
    method: 'POST',
    url: '/submit/v1/responses',
    payload: { nonsense: true },
  });
  assert.is(invalid.statusCode, 400);
  assert.equal(logLines.slice(before), [], 'no log line at all for /submit');

  await browser.get('/api/v1/me/waves');
  const after = logLines.slice(before);
  assert.ok(
    after.some((line) => line.includes('/api/v1/me/waves')),
    `an /api request is logged: ${after.join('\n')}`,
  );
  for (const line of logLines) {
    assert.not.ok(line.includes('/submit'), `a log line mentions /submit: ${line}`);
    assert.not.ok(line.includes('Zeldzaam-Log-4412'), 'a comment reached the log');
    assert.not.ok(line.includes(token.signature.slice(0, 40)), 'a token reached the log');
  }
});

storage('A15: the anonymous tables are WITHOUT ROWID and have no rowid to order by', async () => {
  for (const table of ANON_TABLES) {
    const row = await t.db
      .selectFrom('sqlite_master' as never)
      .select(sql<string>`sql`.as('sql'))
      .where(sql`name`, '=', table)
      .executeTakeFirstOrThrow();
    assert.match(row.sql.replace(/\s+/g, ' '), /without rowid\s*$/i, table);
    try {
      await sql`SELECT rowid FROM ${sql.table(table)}`.execute(t.db);
      assert.unreachable(`${table} still has a rowid`);
    } catch (err) {
      assert.match(String(err), /no such column: rowid/, table);
    }
  }
});

storage('A15: stored order of responses says nothing about the order they arrived in', async () => {
  const existing = new Set((await responseRows(t.db, waveId)).map((r) => r.token_key));
  const submitted: string[] = [];
  for (const personId of members.slice(1, 11)) {
    const { browser, token } = await tokenFor(personId);
    const response = await submit(t.app, token, answersFor(await myWave(browser, waveId)));
    assert.is(response.statusCode, 202, response.body);
    // The key is derived from the token's random nonce only (first 16 bytes of its SHA-256).
    submitted.push(tokenKeyOf(token));
  }
  // The physical order: a table without rowid is a B-tree on its key, read in key order.
  const stored = (
    await sql<{ token_key: string }>`SELECT token_key FROM response`.execute(t.db)
  ).rows
    .map((r) => r.token_key)
    .filter((key) => !existing.has(key));
  assert.equal([...stored].sort(), [...submitted].sort(), 'the stored keys are the derived ones');
  for (const key of stored) assert.match(key, /^[A-Za-z0-9_-]{22}$/, key);
  assert.is(new Set(stored).size, stored.length);
  // Ten submissions: the chance of stored order equal to arrival order is 1 in 3,628,800.
  assert.not.equal(stored, submitted, 'rows come back in arrival order');
  // No monotonic trace either: arrival order is not the sorted order of the keys.
  const ascending = submitted.every((key, i) => i === 0 || submitted[i - 1]! < key);
  const descending = submitted.every((key, i) => i === 0 || submitted[i - 1]! > key);
  assert.not.ok(ascending || descending, 'keys grow with arrival');
});

storage('A16: /submit with a session cookie is treated exactly like one without', async () => {
  const withCookie = await tokenFor(members[11]!);
  const withoutCookie = await tokenFor(members[12]!);
  const browser = withCookie.browser;
  assert.ok(browser.cookie, 'the officer has a session cookie');
  const wave = await myWave(browser, waveId);
  const sessionsBefore = await t.db.selectFrom('session').selectAll().orderBy('sid').execute();
  const loggedInHeaders = {
    cookie: browser.cookie,
    'x-csrf-token': browser.csrf ?? (await browser.csrfToken()),
    origin: browser.origin,
  };

  const a = await submit(t.app, withCookie.token, answersFor(wave), undefined, loggedInHeaders);
  const b = await submit(t.app, withoutCookie.token, answersFor(wave));
  assert.is(a.statusCode, 202, a.body);
  assert.is(b.statusCode, a.statusCode);
  assert.is(a.body, b.body);
  assert.equal(headersOf(a), headersOf(b), 'the same headers');

  const forged = { ...withCookie.token, signature: 'B'.repeat(342) };
  const c = await submit(t.app, forged, answersFor(wave), undefined, loggedInHeaders);
  const d = await submit(t.app, forged, answersFor(wave));
  expectRefused(c, 400, 'invalid_token');
  assert.is(c.body, d.body);
  assert.equal(headersOf(c), headersOf(d));

  for (const response of [a, b, c, d]) {
    assert.is(response.headers['set-cookie'], undefined, 'no cookie from /submit');
  }
  // The session was not read into anything, refreshed or extended.
  const sessionsAfter = await t.db.selectFrom('session').selectAll().orderBy('sid').execute();
  assert.equal(sessionsAfter, sessionsBefore, 'the session table is untouched');
});

storage('A19: token issuance sets no cookie beyond the unchanged session cookie', async () => {
  // The browser keeps finished tokens in sessionStorage only (apps/web tests cover that side);
  // here: the server never hands a token or a signature out as a cookie.
  const browser = await browserForPerson(t.app, t.db, members[13]!);
  const cookieBefore = browser.cookie;
  const sessionsBefore = await t.db.selectFrom('session').selectAll().orderBy('sid').execute();
  const { token, response } = await takeToken(browser, await myWave(browser, waveId));
  assert.is(response.statusCode, 200, response.body);
  assert.ok(token);
  const setCookie = response.headers['set-cookie'];
  const lines = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  for (const line of lines) {
    assert.is(line.split(';')[0], cookieBefore, `only the session cookie, unchanged: ${line}`);
  }
  assert.is(browser.cookie, cookieBefore);
  assert.equal(Object.keys(response.json<object>()), ['blindSignature']);
  // Nothing of the exchange lands in the session: no blinded message, no signature.
  const sessionsAfter = await t.db.selectFrom('session').selectAll().orderBy('sid').execute();
  assert.equal(sessionsAfter, sessionsBefore);
  const blindSignature = response.json<{ blindSignature: string }>().blindSignature;
  const { file, wal } = rawDatabaseFiles(dbFile());
  for (const bytes of [file, wal]) {
    assert.is(bytes.indexOf(blindSignature.slice(0, 32)), -1, 'blind signature stored as text');
    const raw = Buffer.from(blindSignature, 'base64url').subarray(0, 32);
    assert.is(bytes.indexOf(raw), -1, 'blind signature stored as bytes');
  }
});

storage(
  'A23: copies of the file and WAL before and after a submission hold no plaintext',
  async () => {
    const COMMENT = 'Zeldzaam-Woord-9731 bel 0612345678';
    const { browser, token } = await tokenFor(members[14]!);
    const wave = await myWave(browser, waveId);
    const answers = answersFor(wave, (i) => (i * 3) % 5);
    const answerJson = JSON.stringify(answers);
    const needles = [
      'Zeldzaam-Woord-9731',
      '0612345678',
      answerJson,
      JSON.stringify(answers[0]),
      '"answers"',
      // The payload's comment key as a submission writes it (published rows name the
      // 'comment' statistic class, which is no plaintext of anyone's answer).
      '"comment":"',
    ];
    const assertClean = (label: string, copies: Record<string, Buffer>) => {
      for (const [name, bytes] of Object.entries(copies)) {
        for (const needle of needles) {
          assert.is(bytes.indexOf(needle), -1, `${label}: ${name} contains ${needle}`);
          assert.is(bytes.indexOf(Buffer.from(needle, 'utf16le')), -1, `${label}: ${name} utf16`);
        }
      }
    };

    assertClean('before', rawDatabaseFiles(dbFile()));
    const accepted = await submit(t.app, token, answers, COMMENT);
    assert.is(accepted.statusCode, 202, accepted.body);
    const [row] = (await responseRows(t.db, waveId)).filter(
      (r) => r.token_key === tokenKeyOf(token),
    );
    assert.ok(row, 'the response is stored');
    assert.not.ok(row.sealed.includes('Zeldzaam'), 'the stored payload is sealed');

    // Right after the submission (the row still in the WAL), after a checkpoint (in the file),
    // and as a backup made with VACUUM INTO.
    assertClean('after submission', rawDatabaseFiles(dbFile()));
    await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(t.db);
    assertClean('after checkpoint', rawDatabaseFiles(dbFile()));
    const backup = join(t.config.dataDir, 'backup.sqlite');
    await sql`VACUUM INTO ${sql.lit(backup)}`.execute(t.db);
    assertClean('backup', rawDatabaseFiles(backup));

    // After close: the raw answers, the comment as written and even the ciphertext are gone from
    // the file and its WAL (secure delete, checkpoint, VACUUM). Only the scrubbed comment stays.
    const admin = await browserAs(t.app, 'demo-admin');
    const closed = await admin.post(`/api/v1/waves/${waveId}/close`);
    assert.is(closed.statusCode, 202, closed.body);
    const comments = await t.db
      .selectFrom('wave_comment')
      .select('text')
      .where('wave_id', '=', waveId)
      .execute();
    assert.ok(comments.some((c) => c.text === 'Zeldzaam-Woord-9731 bel [telefoon]'));
    const after = rawDatabaseFiles(dbFile());
    needles.splice(0, 1, COMMENT);
    needles.push(row.sealed.slice(0, 40), row.sealed.slice(-40), row.token_key);
    assertClean('after close', after);
    // Control: the search does see plaintext where there is some (the published comment).
    assert.ok(after.file.includes('Zeldzaam-Woord-9731 bel [telefoon]'), 'the search works');
    assert.is(after.wal.length, 0, 'the WAL is truncated after close');
  },
);

storage.run();
