import { randomUUID } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'csv-parse/sync';
import type { AuditPage, CreateAccountResponse, PersonDetail } from '@teamspiegel/contracts';
import { TODAY, withTestApp } from './helpers.ts';
import {
  auditCount,
  auditEvents,
  Browser,
  browserAs,
  expectRefused,
  MINUTE,
  personIdByUsername,
  unitIdByCode,
} from './support.ts';

/**
 * The works council checks the promises in the audit log: filters by action group, actor,
 * target and time, and a CSV export with the same filters that no spreadsheet runs as code.
 */
const exportSuite = suite('audit filters and export');
const t = withTestApp(exportSuite);
let admin: Browser;
let council: Browser;
let teamId: string;
let formulaPersonId: string;
const FORMULA_NAME = '=HYPERLINK("http://evil.example","klik")';

exportSuite.before(async () => {
  admin = await browserAs(t.app, 'demo-admin');
  teamId = await unitIdByCode(t.db, 'NL-NH-ZW-ZAA-NHB');
  for (const name of ['Noodhulp C1', 'Noodhulp C2']) {
    t.clock.advance(MINUTE);
    assert.is((await admin.patch(`/api/v1/units/${teamId}`, { name })).statusCode, 200);
  }
  // A person whose name a spreadsheet would run as a formula, who then logs in.
  t.clock.advance(MINUTE);
  const person = (
    await admin.post('/api/v1/people', {
      employeeNumber: 'AUD-CSV',
      givenName: FORMULA_NAME,
      familyName: '+Mulder',
      email: 'formula@politie.example',
      language: 'nl',
    })
  ).json<PersonDetail>();
  formulaPersonId = person.id;
  // A member of a team, so their own events are filed under the organisation.
  const joined = await admin.post(`/api/v1/people/${person.id}/memberships`, {
    unitId: teamId,
    kind: 'member',
    joinedOn: TODAY,
  });
  assert.is(joined.statusCode, 201, joined.body);
  const account = (
    await admin.post(`/api/v1/people/${person.id}/account`, { username: 'formula.person' })
  ).json<CreateAccountResponse>();
  await new Browser(t.app).login('formula.person', account.temporaryPassword);
  t.clock.advance(MINUTE);
  council = await browserAs(t.app, 'demo-council');
});

const read = async (browser: Browser, query: string) => {
  const response = await browser.get(`/api/v1/audit?${query}`);
  assert.is(response.statusCode, 200, response.body);
  return response.json<AuditPage>();
};

async function exportCsv(browser: Browser, query = '') {
  const response = await browser.get(`/api/v1/audit/export.csv${query ? `?${query}` : ''}`);
  assert.is(response.statusCode, 200, response.body);
  assert.match(String(response.headers['content-type']), /^text\/csv/);
  assert.match(String(response.headers['content-disposition']), /attachment; filename=".+\.csv"/);
  // Dutch and Belgian Excel open it in columns: one byte order mark, `;` between cells, CRLF.
  const body = response.body;
  assert.ok(body.startsWith('\uFEFF'), 'the file starts with a UTF-8 byte order mark');
  assert.not.ok(body.slice(1).includes('\uFEFF'), 'one byte order mark, not one per batch');
  assert.ok(body.startsWith('\uFEFFat;action;actor_id;'), body.slice(0, 40));
  assert.not.match(body, /[^\r]\n/, 'every record ends in CRLF');
  const rows: string[][] = parse(body.slice(1), { delimiter: ';', record_delimiter: '\r\n' });
  return { header: rows[0]!, rows: rows.slice(1) };
}

exportSuite('the group filter returns every action of the group and no other', async () => {
  const units = await read(admin, 'group=unit&pageSize=100');
  assert.ok(units.total >= 2);
  assert.ok(units.items.every((e) => e.action.startsWith('unit.')));
  assert.ok(units.items.some((e) => e.action === 'unit.renamed'));
  const auth = await read(admin, 'group=auth&pageSize=100');
  assert.ok(auth.items.some((e) => e.action === 'auth.login'));
  assert.ok(auth.items.every((e) => e.action.startsWith('auth.')));
  expectRefused(await admin.get('/api/v1/audit?group=answers'), 400, 'validation_failed');
});

exportSuite('the actor and target filters narrow to that actor and that object', async () => {
  const sanne = await read(admin, 'actorName=sanne%20de&pageSize=100');
  assert.ok(sanne.total >= 3);
  assert.ok(sanne.items.every((e) => e.actorName === 'Sanne de Wit'));
  // A wildcard typed by the reader is a plain character.
  assert.is((await read(admin, 'actorName=%25')).total, 0);
  const target = await read(admin, `targetType=unit&targetId=${teamId}&pageSize=100`);
  assert.equal(
    target.items.map((e) => e.details.to),
    ['Noodhulp C2', 'Noodhulp C1'],
  );
});

exportSuite('the works council exports the filtered log as CSV, one row per event', async () => {
  const page = await read(council, 'action=unit.renamed&pageSize=100');
  const csv = await exportCsv(council, 'action=unit.renamed');
  assert.equal(csv.header, [
    'at',
    'action',
    'actor_id',
    'actor_name',
    'target_type',
    'target_id',
    'target_label',
    'details',
  ]);
  assert.is(csv.rows.length, page.total);
  assert.equal(
    csv.rows.map((r) => [r[0], r[1], r[3], r[5], r[6]]),
    page.items.map((e) => [e.at, e.action, e.actorName, e.targetId, e.targetLabel]),
  );
  // The unit is named by its name today, whatever it was called when the event happened.
  assert.equal(
    csv.rows.map((r) => r[6]),
    ['Noodhulp C2', 'Noodhulp C2'],
  );
  assert.equal(JSON.parse(csv.rows[0]![7]!), { from: 'Noodhulp C1', to: 'Noodhulp C2' });
});

exportSuite('a person target is named for an admin, not for the works council', async () => {
  // A login's target is the person who logged in; the council sees actors, not people as such.
  const query = `action=auth.login&targetId=${formulaPersonId}`;
  const forAdmin = await read(admin, query);
  assert.is(forAdmin.total, 1);
  assert.is(forAdmin.items[0]!.targetLabel, `${FORMULA_NAME} +Mulder`);
  const forCouncil = await read(council, query);
  assert.is(forCouncil.total, 1, 'the council sees the event itself');
  assert.is(forCouncil.items[0]!.targetType, 'person');
  assert.is(forCouncil.items[0]!.targetLabel, null);
  // The same in the export, where the admin's label is neutralised like any typed name.
  assert.equal(
    (await exportCsv(admin, query)).rows.map((r) => r[6]),
    [`'${FORMULA_NAME} +Mulder`],
  );
  assert.equal(
    (await exportCsv(council, query)).rows.map((r) => r[6]),
    [''],
  );
});

exportSuite('a name that reads as a formula is exported as plain text', async () => {
  const csv = await exportCsv(council, 'action=auth.login');
  const cell = csv.rows.map((r) => r[3]).find((name) => name?.includes('HYPERLINK'));
  assert.is(cell, `'${FORMULA_NAME} +Mulder`);
  for (const row of csv.rows)
    for (const value of row) assert.not.match(value, /^[=+\-@\t\r]/, `a live formula: ${value}`);
});

exportSuite('an export is itself audited with its filters', async () => {
  t.clock.advance(1_000);
  const before = await auditCount(t.db);
  await exportCsv(council, 'group=wave&from=2026-01-01T00:00:00.000Z');
  assert.is(await auditCount(t.db), before + 1);
  const exported = (await auditEvents(t.db, 'audit.exported'))[0];
  assert.ok(exported);
  assert.is(exported.actor_person_id, await personIdByUsername(t.db, 'demo-council'));
  assert.equal(JSON.parse(exported.details), {
    action: null,
    from: '2026-01-01T00:00:00.000Z',
    to: null,
    group: 'wave',
  });
});

exportSuite('officers, team leads, HR and chiefs may not export the audit log', async () => {
  for (const username of ['demo-officer', 'demo-lead', 'demo-hr', 'demo-chief']) {
    const browser = await browserAs(t.app, username);
    const before = await auditCount(t.db);
    expectRefused(await browser.get('/api/v1/audit/export.csv'), 403, 'forbidden', username);
    assert.is(await auditCount(t.db), before, 'a refused export is recorded');
  }
  assert.is((await new Browser(t.app).get('/api/v1/audit/export.csv')).statusCode, 401);
});

exportSuite(
  'a log larger than one batch exports every event once, even at one instant',
  async () => {
    // 2,500 events at the same instant: the export reads in batches across that tie.
    const at = new Date(t.clock.now().getTime() + MINUTE).toISOString();
    const organisation = (
      await t.db
        .selectFrom('unit')
        .select('path')
        .where('code', '=', 'NL')
        .executeTakeFirstOrThrow()
    ).path;
    const ids: string[] = [];
    for (let i = 0; i < 2500; i += 250) {
      const rows = Array.from({ length: 250 }, () => {
        const id = randomUUID();
        ids.push(id);
        return {
          id,
          at,
          actor_person_id: null,
          action: 'content.pack_imported',
          target_type: 'bulk',
          target_id: id,
          organisation_path: organisation,
          details: '{}',
        };
      });
      await t.db.insertInto('audit_event').values(rows).execute();
    }
    const csv = await exportCsv(council, 'targetType=bulk');
    const exported = csv.rows.map((r) => r[5]!);
    assert.is(exported.length, 2500);
    assert.is(new Set(exported).size, 2500, 'an event exported twice');
    assert.equal([...exported].sort(), [...ids].sort());
  },
);

exportSuite.run();
