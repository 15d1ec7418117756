/**
 * Helpers for the integration tests beside helpers.ts: the browser-like client, small database
 * look-ups and the checks every refusal shares.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import * as assert from 'uvu/assert';
import type { Db } from '@teamspiegel/db';
import { hashPassword } from '../src/auth/passwords.ts';
import { DEMO_PASSWORD, ORIGIN, type TestApp } from './helpers.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface BrowserOptions {
  /** Sent as Origin on state-changing requests. */
  origin?: string;
  /** The client's address as the server sees it (login throttling per address). */
  remoteAddress?: string;
  /** Headers sent with every request (e.g. x-forwarded-proto behind a TLS proxy). */
  headers?: Record<string, string>;
}

/**
 * Behaves like the web app in a browser: keeps the session cookie, fetches and sends the CSRF
 * token and sends Origin on state-changing requests. Origin, client address and every
 * request part can be changed to play an attacker.
 */
export class Browser {
  cookie: string | undefined;
  csrf: string | undefined;
  readonly origin: string;
  constructor(
    private readonly app: FastifyInstance,
    private readonly options: BrowserOptions = {},
  ) {
    this.origin = options.origin ?? ORIGIN;
  }

  private remember(response: LightMyRequestResponse) {
    const setCookie = response.headers['set-cookie'];
    const all = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
    // A cleared cookie (empty value) is forgotten like a browser would.
    for (const line of all) {
      const pair = line.split(';')[0] ?? '';
      const value = pair.slice(pair.indexOf('=') + 1);
      this.cookie = value ? pair : undefined;
    }
  }

  async csrfToken(): Promise<string> {
    const response = await this.request('GET', '/api/v1/auth/csrf');
    this.csrf = response.json<{ token: string }>().token;
    return this.csrf;
  }

  async request(
    method: Method,
    url: string,
    body?: unknown,
    headers: Record<string, string | undefined> = {},
    raw?: { payload: string; contentType?: string },
  ): Promise<LightMyRequestResponse> {
    const changes = method !== 'GET';
    if (changes && this.csrf === undefined) await this.csrfToken();
    const merged: Record<string, string | undefined> = {
      ...this.options.headers,
      ...(this.cookie ? { cookie: this.cookie } : {}),
      ...(changes ? { origin: this.origin, 'x-csrf-token': this.csrf ?? '' } : {}),
      ...(raw?.contentType ? { 'content-type': raw.contentType } : {}),
      ...headers,
    };
    // `undefined` in `headers` removes a header entirely.
    const sent = Object.fromEntries(
      Object.entries(merged).filter((e): e is [string, string] => e[1] !== undefined),
    );
    const response = await this.app.inject({
      method,
      url,
      headers: sent,
      ...(this.options.remoteAddress ? { remoteAddress: this.options.remoteAddress } : {}),
      ...(raw
        ? { payload: raw.payload }
        : body === undefined
          ? {}
          : { payload: body as Record<string, unknown> }),
    });
    this.remember(response);
    return response;
  }

  async login(username: string, password = DEMO_PASSWORD): Promise<LightMyRequestResponse> {
    await this.csrfToken();
    const response = await this.request('POST', '/api/v1/auth/login', { username, password });
    if (response.statusCode === 200) await this.csrfToken();
    return response;
  }

  get = (url: string) => this.request('GET', url);
  post = (url: string, body?: unknown) => this.request('POST', url, body ?? {});
  patch = (url: string, body: unknown) => this.request('PATCH', url, body);
  delete = (url: string) => this.request('DELETE', url);
}

export async function browserAs(
  app: FastifyInstance,
  username: string,
  password = DEMO_PASSWORD,
  options: BrowserOptions = {},
): Promise<Browser> {
  const browser = new Browser(app, options);
  const response = await browser.login(username, password);
  if (response.statusCode !== 200) throw new Error(`login as ${username} failed: ${response.body}`);
  return browser;
}

/** The demo users who hold no admin role anywhere. */
export const DEMO_NON_ADMINS = [
  'demo-officer',
  'demo-lead',
  'demo-hr',
  'demo-chief',
  'demo-council',
] as const;

/** A logged-in browser for each username, paired with it. */
function browsersOf(
  app: FastifyInstance,
  usernames: readonly string[],
): Promise<(readonly [string, Browser])[]> {
  return Promise.all(usernames.map(async (u) => [u, await browserAs(app, u)] as const));
}

/** Number of rows in a table. */
export async function rowCount(
  db: Db,
  table:
    | 'unit'
    | 'person'
    | 'account'
    | 'membership'
    | 'role_assignment'
    | 'session'
    | 'audit_event'
    | 'login_throttle',
): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export const auditCount = (db: Db): Promise<number> => rowCount(db, 'audit_event');

/** A fingerprint of a whole table, to show that a refused request changed nothing in it. */
export type SnapshotTable =
  'unit' | 'person' | 'account' | 'membership' | 'role_assignment' | 'audit_event';

export async function tableSnapshot(db: Db, table: SnapshotTable): Promise<string> {
  const rows = await db.selectFrom(table).selectAll().execute();
  return JSON.stringify(rows.map((r) => JSON.stringify(r)).sort());
}

export interface AuditRow {
  id: string;
  at: string;
  actor_person_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  details: string;
}

/** Audit events of one action, newest first. */
export async function auditEvents(db: Db, action: string): Promise<AuditRow[]> {
  return db
    .selectFrom('audit_event')
    .selectAll()
    .where('action', '=', action)
    .orderBy('at', 'desc')
    .execute();
}

/**
 * The demo zone's functional administrator (admin on the zone root only). The seed gives them no
 * login; this creates one with a known password, as an operator would.
 */
export async function zoneAdminAccount(
  db: Db,
  username = 'zone-admin',
): Promise<{ personId: string; username: string }> {
  const row = await db
    .selectFrom('role_assignment')
    .select('person_id')
    .where('role', '=', 'admin')
    .where('unit_id', '=', await unitIdByCode(db, 'BE-SCH'))
    .where('person_id', '!=', await personIdByUsername(db, 'demo-admin'))
    .executeTakeFirstOrThrow();
  const existing = await db
    .selectFrom('account')
    .select('username')
    .where('person_id', '=', row.person_id)
    .executeTakeFirst();
  if (existing) return { personId: row.person_id, username: existing.username };
  await db
    .insertInto('account')
    .values({
      person_id: row.person_id,
      username,
      password_hash: await hashPassword(DEMO_PASSWORD),
      must_change_password: 0,
      password_changed_at: new Date('2026-11-22T08:00:00.000Z').toISOString(),
    })
    .execute();
  return { personId: row.person_id, username };
}

/** A well-known demo unit by code. */
const unitByCode = (db: Db, code: string) =>
  db.selectFrom('unit').select(['id', 'path']).where('code', '=', code).executeTakeFirstOrThrow();

export const unitIdByCode = async (db: Db, code: string): Promise<string> =>
  (await unitByCode(db, code)).id;

export const unitPath = async (db: Db, code: string): Promise<string> =>
  (await unitByCode(db, code)).path;

export async function personIdByUsername(db: Db, username: string): Promise<string> {
  const row = await db
    .selectFrom('account')
    .select('person_id')
    .where('username', '=', username)
    .executeTakeFirstOrThrow();
  return row.person_id;
}

/** The error body every refusal has: exactly `{ code, message }`. */
export function errorOf(response: LightMyRequestResponse): { code: string; message: string } {
  const body = response.json<{ code: string; message: string }>();
  const keys = Object.keys(body).sort().join(',');
  if (keys !== 'code,message') throw new Error(`not an error body: ${response.body}`);
  return body;
}

/** A refusal: that status and an error body of exactly `{ code, message }` with that code. */
export function expectRefused(
  response: LightMyRequestResponse,
  status: number,
  code: string,
  label = response.body,
): void {
  assert.is(response.statusCode, status, label);
  assert.is(errorOf(response).code, code, label);
}

/** Runs `run` and checks that the named tables and the number of audit events did not change. */
export async function expectNoChange(
  db: Db,
  tables: readonly SnapshotTable[],
  run: () => Promise<unknown>,
): Promise<void> {
  const before = await Promise.all(tables.map((name) => tableSnapshot(db, name)));
  const audit = await auditCount(db);
  await run();
  for (const [i, name] of tables.entries()) {
    assert.is(await tableSnapshot(db, name), before[i], `${name} table changed`);
  }
  assert.is(await auditCount(db), audit, 'audit log changed');
}

/**
 * The refusal checks of one test file, bound to its app and to the tables its refused requests
 * must leave alone: `unchanged(run)` around any run of refusals, and
 * `expectRefusedWithoutChange(request, status, code)` for a single refused request.
 */
export function refusalChecks(t: TestApp, tables: readonly SnapshotTable[]) {
  const unchanged = (run: () => Promise<unknown>) => expectNoChange(t.db, tables, run);
  return {
    unchanged,
    expectRefusedWithoutChange: (
      request: () => Promise<LightMyRequestResponse>,
      status: number,
      code: string,
    ) => unchanged(async () => expectRefused(await request(), status, code)),
    /**
     * Logs each user in, then, without changing anything, every request `send` makes as that
     * user (one after another) is refused with 403 forbidden.
     */
    expectForbiddenFor: async (
      usernames: readonly string[],
      send: (browser: Browser, username: string) => Promise<LightMyRequestResponse[]>,
    ) => {
      const browsers = await browsersOf(t.app, usernames);
      await unchanged(async () => {
        for (const [username, browser] of browsers) {
          for (const response of await send(browser, username)) {
            expectRefused(response, 403, 'forbidden', `${username}: ${response.body}`);
          }
        }
      });
    },
  };
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

let freshCounter = 0;
/**
 * A new person with a login (not placed in any unit, no roles), inserted straight into the
 * database: for tests that change or end an account and must not disturb the demo accounts.
 */
export async function freshAccount(
  db: Db,
  username: string,
  password = DEMO_PASSWORD,
): Promise<{ personId: string; username: string; password: string }> {
  freshCounter += 1;
  const personId = randomUUID();
  await db
    .insertInto('person')
    .values({
      id: personId,
      employee_number: `T-${Date.now().toString(36)}-${freshCounter}`.slice(0, 20),
      given_name: 'Test',
      family_name: `Person ${freshCounter}`,
      email: `${username}@test.example`,
      language: 'nl',
      deactivated_at: null,
      created_at: '2026-11-01T08:00:00.000Z',
    })
    .execute();
  await db
    .insertInto('account')
    .values({
      person_id: personId,
      username,
      password_hash: await hashPassword(password),
      must_change_password: 0,
      password_changed_at: '2026-11-01T08:00:00.000Z',
    })
    .execute();
  return { personId, username, password };
}
