import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { sql } from 'kysely';
import type {
  AuditEvent,
  AuditPage,
  CreateAccountResponse,
  PersonDetail,
} from '@teamspiegel/contracts';
import { DEMO_PASSWORD, withTestApp } from './helpers.ts';
import {
  auditCount,
  Browser,
  browserAs,
  expectRefused,
  MINUTE,
  personIdByUsername,
  tableSnapshot,
  unitIdByCode,
  zoneAdminAccount,
} from './support.ts';

const audit = suite('audit');
const t = withTestApp(audit);
let admin: Browser;
let adminId: string;
/** Instants bracketing the renames made in before(), for the from/to filter. */
let windowFrom: string;
let windowTo: string;
const secrets: string[] = [];

audit.before(async () => {
  admin = await browserAs(t.app, 'demo-admin');
  adminId = await personIdByUsername(t.db, 'demo-admin');

  // A history to read: a failed login (with the demo password against another user), changes
  // spread over time, an account with a temporary password and a password change.
  await new Browser(t.app).login('demo-officer', `${DEMO_PASSWORD}-typo`);
  await new Browser(t.app).login('nobody', DEMO_PASSWORD);
  secrets.push(`${DEMO_PASSWORD}-typo`, DEMO_PASSWORD);
  const team = await unitIdByCode(t.db, 'NL-NH-ZW-ZAA-NHB');
  t.clock.advance(5 * MINUTE);
  windowFrom = t.clock.now().toISOString();
  for (const name of ['Noodhulp B1', 'Noodhulp B2', 'Noodhulp B3']) {
    t.clock.advance(MINUTE);
    assert.is((await admin.patch(`/api/v1/units/${team}`, { name })).statusCode, 200);
  }
  t.clock.advance(MINUTE);
  windowTo = t.clock.now().toISOString();
  t.clock.advance(5 * MINUTE);

  const person = (
    await admin.post('/api/v1/people', {
      employeeNumber: 'AUD-1',
      givenName: 'Joost',
      familyName: 'Mulder',
      email: 'joost.mulder@politie.example',
      language: 'nl',
    })
  ).json<PersonDetail>();
  const account = (
    await admin.post(`/api/v1/people/${person.id}/account`, { username: 'joost.mulder' })
  ).json<CreateAccountResponse>();
  secrets.push(account.temporaryPassword);
  const joost = new Browser(t.app);
  await joost.login('joost.mulder', account.temporaryPassword);
  const newPassword = 'mijn-eigen-geheime-zin';
  secrets.push(newPassword);
  assert.is(
    (
      await joost.post('/api/v1/auth/password', {
        currentPassword: account.temporaryPassword,
        newPassword,
      })
    ).statusCode,
    204,
  );
  // Re-login: the admin session is about 20 minutes old; keep it fresh for the tests.
  admin = await browserAs(t.app, 'demo-admin');
});

const read = async (browser: Browser, query = '') => {
  const response = await browser.get(`/api/v1/audit${query ? `?${query}` : ''}`);
  assert.is(response.statusCode, 200, response.body);
  return response.json<AuditPage>();
};

audit('an admin reads the audit log, newest first, with actor names', async () => {
  const page = await read(admin, 'pageSize=100');
  assert.ok(page.total >= 10);
  assert.is(page.page, 1);
  const times = page.items.map((e) => e.at);
  assert.equal(times, [...times].sort().reverse());
  const rename = page.items.find((e) => e.action === 'unit.renamed');
  assert.is(rename?.actorId, adminId);
  assert.is(rename?.actorName, 'Sanne de Wit');
  const failed = page.items.find((e) => e.action === 'auth.login_failed');
  assert.is(failed?.actorId, null);
  assert.is(failed?.actorName, null);
});

audit('the audit log pages with a stable total', async () => {
  const first = await read(admin, 'pageSize=3&page=1');
  const second = await read(admin, 'pageSize=3&page=2');
  assert.is(first.items.length, 3);
  assert.is(second.items.length, 3);
  // Reading page 1 added one event (audit.viewed) at the top, so the total grows by exactly one.
  assert.is(second.total, first.total + 1);
  const ids = new Set(first.items.map((e) => e.id));
  assert.ok(second.items.some((e) => !ids.has(e.id)));
  const bad = await admin.get('/api/v1/audit?pageSize=101');
  expectRefused(bad, 400, 'validation_failed');
});

audit('the action filter returns only that action', async () => {
  const page = await read(admin, 'action=unit.renamed&pageSize=100');
  assert.is(page.total, 3);
  assert.ok(page.items.every((e) => e.action === 'unit.renamed'));
  assert.equal(
    page.items.map((e) => e.details.to),
    ['Noodhulp B3', 'Noodhulp B2', 'Noodhulp B1'],
  );
  const unknown = await admin.get('/api/v1/audit?action=results.deleted');
  expectRefused(unknown, 400, 'validation_failed');
});

audit('the from/to filter returns only events in that time window', async () => {
  const page = await read(
    admin,
    `from=${encodeURIComponent(windowFrom)}&to=${encodeURIComponent(windowTo)}&pageSize=100`,
  );
  assert.equal(
    page.items.map((e) => e.action),
    ['unit.renamed', 'unit.renamed', 'unit.renamed'],
  );
  for (const e of page.items) assert.ok(e.at >= windowFrom && e.at < windowTo, e.at);
  const bad = await admin.get('/api/v1/audit?from=yesterday');
  assert.is(bad.statusCode, 400);
});

audit('the works council reads the audit log too', async () => {
  const council = await browserAs(t.app, 'demo-council');
  const page = await read(council, 'action=auth.login');
  assert.ok(page.total >= 1);
  assert.ok(page.items.every((e) => e.action === 'auth.login'));
});

audit('officers, team leads, HR and chiefs may not read the audit log', async () => {
  for (const username of ['demo-officer', 'demo-lead', 'demo-hr', 'demo-chief']) {
    const browser = await browserAs(t.app, username);
    const before = await auditCount(t.db);
    const response = await browser.get('/api/v1/audit');
    expectRefused(response, 403, 'forbidden', username);
    assert.is(await auditCount(t.db), before, 'a refused read is not recorded as a view');
  }
  const anonymous = await new Browser(t.app).get('/api/v1/audit');
  assert.is(anonymous.statusCode, 401);
});

audit('no audit entry holds a password, in the database or through the API', async () => {
  const rows = await t.db.selectFrom('audit_event').selectAll().execute();
  assert.ok(rows.length > 10);
  for (const row of rows) {
    const text = JSON.stringify(row);
    for (const secret of secrets)
      assert.not.ok(text.includes(secret), `${row.action} holds a password`);
    assert.not.match(row.details, /password|argon2/i, `${row.action} details mention a password`);
  }
  const page = await read(admin, 'pageSize=100');
  for (const event of page.items) {
    const text = JSON.stringify(event.details);
    for (const secret of secrets) assert.not.ok(text.includes(secret));
    assert.not.match(text, /password|argon2/i);
  }
});

audit('reading page 1 is itself audited with the filters; later pages are not', async () => {
  t.clock.advance(1_000); // its own instant, so it is the newest audit.viewed
  const before = await auditCount(t.db);
  await read(admin, `action=unit.renamed&from=${encodeURIComponent(windowFrom)}`);
  assert.is(await auditCount(t.db), before + 1);
  const page = await read(admin, 'action=audit.viewed&pageSize=1');
  const viewed: AuditEvent | undefined = page.items[0];
  assert.is(viewed?.actorId, adminId);
  assert.equal(viewed?.details, { action: 'unit.renamed', from: windowFrom, to: null });

  const afterFirst = await auditCount(t.db);
  await read(admin, 'page=2&pageSize=5');
  assert.is(await auditCount(t.db), afterFirst);
});

audit('the database refuses to update or delete audit events', async () => {
  const snapshot = await tableSnapshot(t.db, 'audit_event');
  let deleteError: unknown;
  try {
    await sql`DELETE FROM audit_event`.execute(t.db);
  } catch (err) {
    deleteError = err;
  }
  assert.instance(deleteError, Error);
  assert.match(String(deleteError), /append-only/);

  let updateError: unknown;
  try {
    await t.db
      .updateTable('audit_event')
      .set({ details: '{}' })
      .where('action', '=', 'unit.renamed')
      .execute();
  } catch (err) {
    updateError = err;
  }
  assert.instance(updateError, Error);
  assert.match(String(updateError), /append-only/);
  assert.is(await tableSnapshot(t.db, 'audit_event'), snapshot);
});

audit('an admin of the zone only does not read the corps audit trail', async () => {
  const zone = await zoneAdminAccount(t.db);
  const zoneAdmin = await browserAs(t.app, zone.username);
  const renames = await read(zoneAdmin, 'action=unit.renamed&pageSize=100');
  // The three renames were of a Dutch team, by a corps admin.
  assert.is(renames.total, 0, 'the zone admin reads corps unit changes');
  const failed = await read(zoneAdmin, 'action=auth.login_failed&pageSize=100');
  assert.not.ok(
    failed.items.some((e) => e.details.username === 'demo-officer'),
    'the zone admin reads failed logins of corps officers',
  );
});

audit.run();
