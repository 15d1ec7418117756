/**
 * Helpers for collection tests: a programme with an open wave on the demo organisation, and
 * an officer's browser side of the token protocol, done with the real RFC 9474 client.
 */
import { webcrypto } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RSABSSA } from '@cloudflare/blindrsa-ts';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { MyWave, MyWaves } from '@teamspiegel/contracts';
import { createDb, migrateToLatest, type Db } from '@teamspiegel/db';
import { seedDemo } from '@teamspiegel/db/seed';
import { buildApp } from '../src/app.ts';
import { hashPassword } from '../src/auth/passwords.ts';
import { createProgramme } from '../src/collection/programmes.routes.ts';
import { DEMO_PASSWORD, testConfig, TestClock, TODAY, type TestApp } from './helpers.ts';
import { browserAs, unitIdByCode, type Browser } from './support.ts';

const suite = RSABSSA.SHA384.PSS.Randomized();
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

export async function myWave(browser: Browser, waveId: string): Promise<MyWave> {
  const response = await browser.get('/api/v1/me/waves');
  const wave = response.json<MyWaves>().items.find((w) => w.waveId === waveId);
  if (!wave) throw new Error(`wave ${waveId} is not open for this person: ${response.body}`);
  return wave;
}

export interface Token {
  waveId: string;
  cellId: string;
  keyId: string;
  message: string;
  signature: string;
}

/** What the browser does: prepare and blind a token message, get it signed, finalise. */
export async function takeToken(
  browser: Browser,
  wave: MyWave,
): Promise<{ token: Token | null; response: LightMyRequestResponse }> {
  const pk = await webcrypto.subtle.importKey(
    'spki',
    Buffer.from(wave.publicKey, 'base64url'),
    { name: 'RSA-PSS', hash: 'SHA-384' },
    true,
    ['verify'],
  );
  const nonce = b64(webcrypto.getRandomValues(new Uint8Array(32)));
  const message = `teamspiegel/v1|${wave.waveId}|${wave.cellId}|${wave.keyId}|${nonce}`;
  const prepared = suite.prepare(new TextEncoder().encode(message));
  const { blindedMsg, inv } = await suite.blind(pk, prepared);
  const response = await browser.post(`/api/v1/waves/${wave.waveId}/tokens`, {
    cellId: wave.cellId,
    blindedMessage: b64(blindedMsg),
  });
  if (response.statusCode !== 200) return { token: null, response };
  const blindSignature = Buffer.from(
    response.json<{ blindSignature: string }>().blindSignature,
    'base64url',
  );
  const signature = await suite.finalize(pk, prepared, blindSignature, inv);
  return {
    token: {
      waveId: wave.waveId,
      cellId: wave.cellId,
      keyId: wave.keyId,
      message: b64(prepared),
      signature: b64(signature),
    },
    response,
  };
}

/** Anonymous submission: no cookie, no CSRF token, no Origin, as `credentials: 'omit'` sends it. */
export function submit(
  app: FastifyInstance,
  token: Token,
  answers: { itemId: string; value: number | null }[],
  comment?: string,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: '/submit/v1/responses',
    headers,
    payload: { ...token, answers, ...(comment === undefined ? {} : { comment }) },
  });
}

/**
 * Creates a programme (the corps by default) with a wave opening today, prepares it and waits
 * for its keys; with a name, a comment question or not, and optionally other items.
 */
export async function openWave(
  t: TestApp,
  options: { name?: string; commentQuestion?: boolean; rootCode?: string; itemIds?: string[] } = {},
): Promise<string> {
  const { waveId } = await createProgramme(t.db, t.clock, {
    rootUnitId: await unitIdByCode(t.db, options.rootCode ?? 'NL'),
    name: options.name ?? 'Teamspiegel attack test',
    firstOpensOn: TODAY,
    cadenceDays: 28,
    windowDays: 14,
    commentQuestion: options.commentQuestion ?? true,
  });
  if (options.itemIds) {
    await t.db
      .updateTable('wave')
      .set({ item_ids: JSON.stringify(options.itemIds) })
      .where('id', '=', waveId)
      .execute();
  }
  await t.app.waves.prepare(waveId, null);
  await t.app.waves.keysReady(waveId);
  return waveId;
}

/** The programme's next wave after `previousId` closed: planned by the runner and opened at once. */
export async function openNextWave(t: TestApp, previousId: string): Promise<string> {
  await t.app.waves.planNextWaves();
  const previous = await t.db
    .selectFrom('wave')
    .select(['programme_id', 'sequence'])
    .where('id', '=', previousId)
    .executeTakeFirstOrThrow();
  const next = await t.db
    .selectFrom('wave')
    .select('id')
    .where('programme_id', '=', previous.programme_id)
    .where('sequence', '=', previous.sequence + 1)
    .executeTakeFirstOrThrow();
  await t.app.waves.prepare(next.id, null);
  await t.app.waves.keysReady(next.id);
  return next.id;
}

/** The cell a person was placed in at wave open (the roster snapshot). */
export async function cellOf(db: Db, waveId: string, personId: string): Promise<string> {
  const row = await db
    .selectFrom('wave_eligibility')
    .select('cell_id')
    .where('wave_id', '=', waveId)
    .where('person_id', '=', personId)
    .executeTakeFirstOrThrow();
  return row.cell_id;
}

/** Everyone placed in a cell, in a stable order. */
export async function cellMembers(db: Db, waveId: string, cellId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('wave_eligibility')
    .select('person_id')
    .where('wave_id', '=', waveId)
    .where('cell_id', '=', cellId)
    .orderBy('person_id')
    .execute();
  return rows.map((r) => r.person_id);
}

let personAccounts = 0;
/** A login for an existing (seeded) person, as an operator would create one. */
export async function accountForPerson(db: Db, personId: string): Promise<string> {
  const existing = await db
    .selectFrom('account')
    .select('username')
    .where('person_id', '=', personId)
    .executeTakeFirst();
  if (existing) return existing.username;
  personAccounts += 1;
  const username = `pulse-${personAccounts}-${personId.slice(0, 8)}`;
  await db
    .insertInto('account')
    .values({
      person_id: personId,
      username,
      password_hash: await hashPassword(DEMO_PASSWORD),
      must_change_password: 0,
      password_changed_at: '2026-11-01T08:00:00.000Z',
    })
    .execute();
  return username;
}

/** Answers for every item of a wave: `pick` chooses an option index (clamped to the scale). */
export function answersFor(
  wave: MyWave,
  pick: (index: number) => number = () => 0,
): { itemId: string; value: number | null }[] {
  return wave.items.map((item, i) => {
    const options = item.options;
    const at = Math.min(Math.max(pick(i), 0), options.length - 1);
    return { itemId: item.id, value: options[at]!.value };
  });
}

/** Rows of the response table for a wave. */
export async function responseRows(db: Db, waveId: string) {
  return db.selectFrom('response').selectAll().where('wave_id', '=', waveId).execute();
}

/** Participation rows for a wave. */
export async function participationCount(db: Db, waveId: string): Promise<number> {
  const row = await db
    .selectFrom('participation')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('wave_id', '=', waveId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface RestartableApp extends TestApp {
  /** The data directory (database file and key directory). */
  dir: string;
  /** Closes the app and the database, keeping the data directory as a stopped server would. */
  stop(): Promise<void>;
}

/**
 * Like buildTestApp, but on a data directory that may already hold a database and keys (a
 * restart): migrated, seeded only when `seed` is set. `close()` stops and removes `removeDir`
 * (the directory itself by default); `stop()` leaves everything in place.
 */
export async function buildAppInDir(
  dir: string,
  options: { seed?: boolean; env?: Record<string, string>; removeDir?: string } = {},
): Promise<RestartableApp> {
  const config = testConfig(dir, options.env);
  const db = createDb(join(dir, 'teamspiegel.sqlite'));
  await migrateToLatest(db);
  const clock = new TestClock();
  if (options.seed) {
    await seedDemo(db, { today: TODAY, hashPassword, demoPassword: DEMO_PASSWORD });
  }
  const app = await buildApp({ db, config, clock });
  await app.ready();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await app.close();
    await db.destroy();
  };
  return {
    app,
    db,
    clock,
    config,
    dir,
    stop,
    async close() {
      await stop();
      rmSync(options.removeDir ?? dir, { recursive: true, force: true });
    },
  };
}

/** A fresh temporary data directory. */
export const freshDataDir = (): string => mkdtempSync(join(tmpdir(), 'teamspiegel-test-'));

/** A logged-in browser for a seeded person, creating their login first if needed. */
export async function browserForPerson(
  app: FastifyInstance,
  db: Db,
  personId: string,
): Promise<Browser> {
  return browserAs(app, await accountForPerson(db, personId));
}

/** The raw bytes a database reader copies (T4): the SQLite file and its WAL, as they are now. */
export function rawDatabaseFiles(dbFile: string): { file: Buffer; wal: Buffer } {
  const read = (path: string) => (existsSync(path) ? readFileSync(path) : Buffer.alloc(0));
  return { file: read(dbFile), wal: read(`${dbFile}-wal`) };
}
