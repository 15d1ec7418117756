import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ImportChangesPage, ImportRun } from '@teamspiegel/contracts';
import { withTestApp } from './helpers.ts';
import { openWave } from './pulse-support.ts';
import {
  auditEvents,
  browserAs,
  type Browser,
  personIdByUsername,
  tableSnapshot,
  unitIdByCode,
} from './support.ts';

type Files = Partial<Record<string, string | Buffer>>;

const BOUNDARY = '----teamspiegel-import-test';

/** A multipart/form-data body with one file per field, as a browser's form upload sends it. */
function multipart(files: Files): Buffer {
  const parts: Buffer[] = [];
  for (const [field, content] of Object.entries(files)) {
    if (content === undefined) continue;
    parts.push(
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${field}"; filename="${field}.csv"\r\nContent-Type: text/csv\r\n\r\n`,
      ),
      Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8'),
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(parts);
}

function headersOf(b: Browser): Record<string, string> {
  return {
    cookie: b.cookie ?? '',
    origin: b.origin,
    'x-csrf-token': b.csrf ?? '',
    'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
  };
}

/** An upload into the demo corps (demo-admin administers the zone too, so it names the corps). */
async function upload(
  t: { app: import('fastify').FastifyInstance; db: import('@teamspiegel/db').Db },
  b: Browser,
  files: Files,
) {
  return t.app.inject({
    method: 'POST',
    url: `/api/v1/imports?organisationId=${await unitIdByCode(t.db, 'NL')}`,
    headers: headersOf(b),
    payload: multipart(files),
  });
}

const UNITS = `\uFEFFeenheidscode;naam;soort;bovenliggende_eenheid
IMP-D;District Import;district;NL
IMP-B;Basisteam Import;basisteam;IMP-D
IMP-T1;Team Import 1;team;IMP-B
IMP-T2;Team Import 2;team;IMP-B
`;
const PEOPLE = (admin: string) => `personeelsnummer,voornaam,achternaam,e-mail,taal
${admin}
I001,Anna,Jansen,anna.jansen@politie.nl,nl
I002,Bram,de Vries,bram.devries@politie.nl,en
I003,Chris,Peeters,chris.peeters@politie.nl,nl-BE
`;
const MEMBERSHIPS = `personeelsnummer;eenheidscode;rol;begindatum;einddatum
I001;IMP-T1;lid;01-01-2026;
I002;IMP-T1;leidinggevende;1-1-2026;
I003;IMP-T2;lid;2026-01-01;31.12.2026
`;

async function adminRow(t: { db: import('@teamspiegel/db').Db }): Promise<string> {
  const p = await t.db
    .selectFrom('person')
    .innerJoin('account', 'account.person_id', 'person.id')
    .select(['employee_number', 'given_name', 'family_name', 'email', 'language'])
    // demo-admin also administers the zone: another organisation's person, whom no corps
    // import may change; the corps' own second administrator stands in the people file.
    .where('account.username', '=', 'demo-admin-2')
    .executeTakeFirstOrThrow();
  return [p.employee_number, p.given_name, p.family_name, p.email, p.language].join(',');
}

const roster = async (db: import('@teamspiegel/db').Db) =>
  [
    await tableSnapshot(db, 'unit'),
    await tableSnapshot(db, 'person'),
    await tableSnapshot(db, 'membership'),
  ].join('|');

const flow = suite('import: dry run, apply, second run');
const t = withTestApp(flow);

flow('a dry run changes nothing; apply creates; the same files again change nothing', async () => {
  const admin = await browserAs(t.app, 'demo-admin');
  const before = await roster(t.db);
  const files = { units: UNITS, people: PEOPLE(await adminRow(t)), memberships: MEMBERSHIPS };
  const dry = await upload(t, admin, files);
  assert.is(dry.statusCode, 201, dry.body);
  const run = dry.json<ImportRun>();
  assert.is(run.state, 'dry_run');
  assert.equal(run.rejected.total, 0, JSON.stringify(run.rejected.rows));
  assert.is(run.summary.units.create, 4);
  assert.is(run.summary.people.create, 3);
  assert.is(run.summary.memberships.add, 3);
  assert.ok(
    run.summary.people.deactivate > 0,
    'demo people missing from the file are to be deactivated',
  );
  assert.equal(
    run.files.map((f) => [f.kind, f.delimiter, f.hadBom, f.rows]),
    [
      ['units', ';', true, 4],
      ['people', ',', false, 4],
      ['memberships', ';', false, 3],
    ],
  );
  assert.is(await roster(t.db), before, 'a dry run writes nothing to the roster');

  const changes = await admin.get(`/api/v1/imports/${run.id}/changes?kind=unit&pageSize=100`);
  const page = changes.json<ImportChangesPage>();
  assert.ok(page.items.some((c) => c.action === 'create' && c.key === 'IMP-T1'));

  const applied = await admin.post(`/api/v1/imports/${run.id}/apply`, {});
  assert.is(applied.statusCode, 200, applied.body);
  assert.is(applied.json<ImportRun>().state, 'applied');
  const t1 = await unitIdByCode(t.db, 'IMP-T1');
  const members = await t.db
    .selectFrom('membership')
    .selectAll()
    .where('unit_id', '=', t1)
    .execute();
  assert.is(members.length, 2);
  const ended = await t.db
    .selectFrom('membership')
    .innerJoin('person', 'person.id', 'membership.person_id')
    .select('membership.left_on')
    .where('person.employee_number', '=', 'I003')
    .executeTakeFirstOrThrow();
  assert.is(ended.left_on, '2027-01-01', 'the end date in the file is the last day as a member');

  // Applied runs keep no row contents.
  const stored = await t.db
    .selectFrom('import_run')
    .select('input')
    .where('id', '=', run.id)
    .executeTakeFirstOrThrow();
  assert.is(stored.input, null);
  const again = await admin.post(`/api/v1/imports/${run.id}/apply`, {});
  assert.is(again.json<{ code: string }>().code, 'import_state_conflict');

  const second = (await upload(t, admin, files)).json<ImportRun>();
  assert.equal(second.summary, {
    units: { create: 0, change: 0, move: 0, archive: 0, unchanged: 4 },
    people: { create: 0, change: 0, deactivate: 0, unchanged: 4 },
    memberships: { add: 0, end: 0, change: 0, unchanged: 3 },
  });

  const audits = await auditEvents(t.db, 'import.applied');
  assert.is(audits.length, 1);
  const details = audits[0]!.details;
  assert.match(details, /units:units.csv/);
  assert.match(details, /[0-9a-f]{64}/);
  assert.not.match(
    details,
    /Jansen|anna\.jansen/,
    'the audit holds counts, names of files and hashes, no rows',
  );
  assert.is((await auditEvents(t.db, 'import.dry_run')).length, 2);
  // The second dry run discarded nothing (the first was applied); a third discards the second.
  assert.is((await auditEvents(t.db, 'import.discarded')).length, 0);
  await upload(t, admin, files);
  const discarded = await auditEvents(t.db, 'import.discarded');
  assert.is(discarded.length, 1);
  assert.is(discarded[0]!.target_id, second.id);
  const cleared = await t.db
    .selectFrom('import_run')
    .select(['state', 'input'])
    .where('id', '=', second.id)
    .executeTakeFirstOrThrow();
  assert.equal(cleared, { state: 'discarded', input: null });

  const history = await admin.get('/api/v1/imports');
  assert.is(history.json<{ total: number }>().total, 3);
});

flow.run();

const rejections = suite('import: rejected rows and file-level errors');
const r = withTestApp(rejections);

rejections(
  'every rejected row is listed with its line and reason; apply needs acceptValidPart',
  async () => {
    const admin = await browserAs(r.app, 'demo-admin');
    const units = `unit_code;name;kind;parent_code
X-D;District X;district;NL
X-T;Team X;team;X-D
X-T;Team X again;team;X-D
X-A;Loop A;district;X-B
X-B;Loop B;district;X-A
X-F;=HYPERLINK("http://evil");team;X-D
X-K;Kind;peloton;X-D
`;
    const people = `employee_number;given_name;family_name;email;language
${(await adminRow(r)).replaceAll(',', ';')}
R1;Ria;Bos;ria.bos@politie.nl;nl
R2;Rob;Bos;not-an-email;nl
R3;Rik;Bos;rik@politie.nl;fr
R4;;Bos;r4@politie.nl;nl
R5;Roos;Bos;r5@politie.nl;nl
R5;Roos;Bos;r5b@politie.nl;nl
`;
    const memberships = `employee_number;unit_code;role;start;end
R1;X-D;member;01-01-2026;
R1;NOPE;member;01-01-2026;
R1;GONE;lead;01-01-2026;
R1;X-D;boss;01-01-2026;
R1;X-D;member;31-02-2026;
R1;X-D;member;01-03-2026;28-02-2026
=CMD()|X-D;X-D;member;01-01-2026;
`;
    const before = await roster(r.db);
    const response = await upload(r, admin, { units, people, memberships });
    assert.is(response.statusCode, 201, response.body);
    const run = response.json<ImportRun>();
    const got = run.rejected.rows.map((x) => `${x.file}:${x.line}:${x.reason.code}`);
    assert.equal(got, [
      'units:3:duplicate_unit_code',
      'units:4:duplicate_unit_code',
      'units:5:unit_cycle',
      'units:6:unit_cycle',
      'units:7:formula_cell',
      'units:8:unknown_kind',
      'people:4:invalid_email',
      'people:5:unknown_language',
      'people:6:missing_field',
      'people:7:duplicate_employee_number',
      'people:8:duplicate_employee_number',
      'memberships:3:unknown_team',
      'memberships:4:lead_of_unknown_team',
      'memberships:5:unknown_role',
      'memberships:6:invalid_date',
      'memberships:7:end_before_start',
      'memberships:8:formula_cell',
    ]);
    const stored = await r.db
      .selectFrom('import_run')
      .select('input')
      .where('id', '=', run.id)
      .executeTakeFirstOrThrow();
    assert.not.match(stored.input ?? '', /CMD|HYPERLINK/, 'no formula in the stored rows or keys');
    assert.is(run.rejected.total, got.length);

    const refused = await admin.post(`/api/v1/imports/${run.id}/apply`, {});
    assert.is(refused.statusCode, 409);
    assert.is(refused.json<{ code: string }>().code, 'import_has_rejections');
    assert.is(await roster(r.db), before);

    const csv = await admin.get(`/api/v1/imports/${run.id}/rejected.csv`);
    assert.is(csv.statusCode, 200);
    assert.match(csv.headers['content-type'] as string, /text\/csv/);
    assert.match(csv.body, /'=HYPERLINK/, 'the formula cell is shown neutralised');
    assert.not.match(csv.body, /;=HYPERLINK/);
    // Without ?file the first file with rejections: the units file in its own columns.
    assert.match(csv.body, /^\uFEFFunit_code;name;kind;parent_code;regel;reden\r?\n/);
    assert.match(csv.body, /\nX-F;"?'=HYPERLINK[^\n]*;7;/);
    const exported = await auditEvents(r.db, 'import.rejected_exported');
    assert.is(exported.length, 1, 'downloading HR rows is audited');
    assert.is(exported[0]!.target_id, run.id);

    const applied = await admin.post(`/api/v1/imports/${run.id}/apply`, { acceptValidPart: true });
    assert.is(applied.statusCode, 200, applied.body);
    assert.ok(await unitIdByCode(r.db, 'X-D'));
    // Once applied, the rejected rows keep their line and reason, no longer the values.
    const kept = (await admin.get(`/api/v1/imports/${run.id}`)).json<ImportRun>();
    assert.is(kept.rejected.total, got.length);
    assert.not.match(JSON.stringify(kept.rejected.rows), /not-an-email|HYPERLINK/);
    assert.not.match(
      (await admin.get(`/api/v1/imports/${run.id}/rejected.csv`)).body,
      /not-an-email|HYPERLINK/,
    );
    const formula = await r.db
      .selectFrom('unit')
      .select('id')
      .where('name', 'like', '%HYPERLINK%')
      .execute();
    assert.is(formula.length, 0, 'a formula is never stored');
  },
);

rejections('a roster changed since the dry run is refused as stale', async () => {
  const admin = await browserAs(r.app, 'demo-admin');
  const run = (await upload(r, admin, { units: UNITS })).json<ImportRun>();
  await r.db
    .updateTable('unit')
    .set({ name: 'Renamed meanwhile' })
    .where('code', '=', 'X-D')
    .execute();
  assert.is(run.state, 'dry_run', JSON.stringify(run));
  const response = await admin.post(`/api/v1/imports/${run.id}/apply`, { acceptValidPart: true });
  assert.is(response.statusCode, 409, response.body);
  assert.is(response.json<{ code: string }>().code, 'import_stale');
});

rejections('file-level problems are a 4xx with a code and a message, never a crash', async () => {
  const admin = await browserAs(r.app, 'demo-admin');
  const cases: [Files, number, string, RegExp][] = [
    [{}, 400, 'import_no_files', /at least one file/],
    [{ units: '' }, 400, 'import_empty_file', /empty/],
    [{ units: 'unit_code;name;kind;parent_code\n' }, 400, 'import_empty_file', /no rows/],
    [
      { people: Buffer.from('\uFEFFpersoneelsnummer;voornaam\nP1;Anna\n', 'utf16le') },
      400,
      'import_not_utf8',
      /UTF-16/,
    ],
    [
      {
        people: Buffer.from(
          'personeelsnummer;voornaam;achternaam;e-mail\nP1;Ren\xe9;M\xfcller;a@b.nl\n',
          'latin1',
        ),
      },
      400,
      'import_not_utf8',
      /Windows-1252.*UTF-8/,
    ],
    [
      { memberships: 'personeelsnummer;einddatum\nP1;01-01-2026\n' },
      400,
      'import_missing_columns',
      /unit_code \(eenheidscode\), role \(rol\), start \(begindatum\)/,
    ],
    [
      { units: 'unit_code\tname\tkind\tparent_code\nA\tB\tteam\tNL\n' },
      400,
      'import_unknown_delimiter',
      /semicolon or comma/,
    ],
    [{ teams: 'a;b\n1;2\n' }, 400, 'import_unexpected_field', /units, people and memberships/],
  ];
  for (const [files, status, code, message] of cases) {
    const response = await upload(r, admin, files);
    assert.is(response.statusCode, status, `${code}: ${response.body}`);
    const body = response.json<{ code: string; message: string }>();
    assert.is(body.code, code);
    assert.match(body.message, message);
  }
});

rejections(
  'a 200 MB upload gets 413 with a message; the server stops reading at the limit',
  async () => {
    const admin = await browserAs(r.app, 'demo-admin');
    const corps = await unitIdByCode(r.db, 'NL');
    // A real socket: the client streams until the server answers, as a browser would.
    await r.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = r.app.server.address() as AddressInfo;
    const total = 200 * 1024 * 1024;
    const chunk = Buffer.from('P1;Anna;Jansen;anna@politie.nl;nl\n'.repeat(4000));
    let sent = 0;
    let answered = false;
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: `/api/v1/imports?organisationId=${corps}`,
          headers: headersOf(admin),
        },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, body });
            req.destroy();
          });
        },
      );
      req.on('error', (e) => reject(e));
      req.write(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="people"; filename="people.csv"\r\n\r\npersoneelsnummer;voornaam;achternaam;e-mail;taal\n`,
      );
      const pump = () => {
        while (sent < total && !answered) {
          sent += chunk.length;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
        if (!answered) req.end(`\r\n--${BOUNDARY}--\r\n`);
      };
      req.on('response', () => {
        answered = true;
      });
      pump();
    });
    // The refused upload's connection is not kept for another request.
    r.app.server.closeAllConnections();
    assert.is(answer.status, 413);
    const error = JSON.parse(answer.body) as { code: string; message: string };
    assert.is(error.code, 'import_too_large');
    assert.match(error.message, /50 MB/);
    assert.ok(
      sent < total,
      `the answer came before the whole upload was sent (${sent} of ${total} bytes)`,
    );
  },
);

rejections.run();

const frozen = suite('import: a frozen roster goes to four eyes');
const f = withTestApp(frozen);

frozen(
  'an import touching an open wave waits for a second administrator, whose approval applies it',
  async () => {
    await openWave(f);
    const admin = await browserAs(f.app, 'demo-admin');
    const units = await f.db
      .selectFrom('unit as u')
      .leftJoin('unit as p', 'p.id', 'u.parent_id')
      .select(['u.code', 'u.name', 'u.kind', 'p.code as parent'])
      .where('u.path', 'like', `/${await unitIdByCode(f.db, 'NL')}/%`)
      .where('u.archived_at', 'is', null)
      .execute();
    const parentOfNew = units.find((u) => u.kind === 'basisteam')!.code;
    const csv = [
      'unit_code;name;kind;parent_code',
      ...units.map((u) => [u.code, u.name, u.kind, u.parent ?? ''].join(';')),
      `F-NEW;Nieuw team;team;${parentOfNew}`,
    ].join('\n');
    const run = (await upload(f, admin, { units: csv })).json<ImportRun>();
    assert.equal(run.rejected.rows, []);
    assert.is(run.summary.units.create, 1);
    assert.ok(run.touchesFrozen);
    const proposed = await admin.post(`/api/v1/imports/${run.id}/apply`, {});
    assert.is(proposed.statusCode, 202, proposed.body);
    const pending = proposed.json<ImportRun>();
    assert.is(pending.state, 'pending_approval');
    assert.ok(pending.rosterChangeId);
    assert.is(
      (await f.db.selectFrom('unit').select('id').where('code', '=', 'F-NEW').execute()).length,
      0,
    );

    const second = await browserAs(f.app, 'demo-admin-2');
    const approved = await second.post(
      `/api/v1/roster-changes/${pending.rosterChangeId}/approve`,
      {},
    );
    assert.is(approved.statusCode, 200, approved.body);
    assert.ok(await unitIdByCode(f.db, 'F-NEW'));
    const done = (await admin.get(`/api/v1/imports/${run.id}`)).json<ImportRun>();
    assert.is(done.state, 'applied');
    assert.is(done.createdBy.id, await personIdByUsername(f.db, 'demo-admin'));
    assert.is(
      done.appliedBy?.id,
      await personIdByUsername(f.db, 'demo-admin-2'),
      'the approver applied it',
    );
    assert.is((await auditEvents(f.db, 'import.proposed')).length, 1);
    assert.is((await auditEvents(f.db, 'import.applied')).length, 1);
  },
);

frozen(
  'a proposed import the second administrator rejects is rejected, its rows cleared',
  async () => {
    const admin = await browserAs(f.app, 'demo-admin');
    const units = await f.db
      .selectFrom('unit as u')
      .leftJoin('unit as p', 'p.id', 'u.parent_id')
      .select(['u.code', 'u.name', 'u.kind', 'p.code as parent'])
      .where('u.path', 'like', `/${await unitIdByCode(f.db, 'NL')}/%`)
      .where('u.archived_at', 'is', null)
      .execute();
    const csv = [
      'unit_code;name;kind;parent_code',
      ...units.map((u) =>
        [u.code, u.code === 'F-NEW' ? 'Hernoemd team' : u.name, u.kind, u.parent ?? ''].join(';'),
      ),
    ].join('\n');
    const run = (await upload(f, admin, { units: csv })).json<ImportRun>();
    assert.is(run.summary.units.change, 1);
    const pending = (await admin.post(`/api/v1/imports/${run.id}/apply`, {})).json<ImportRun>();
    assert.is(pending.state, 'pending_approval');
    const second = await browserAs(f.app, 'demo-admin-2');
    const rejected = await second.post(
      `/api/v1/roster-changes/${pending.rosterChangeId}/reject`,
      {},
    );
    assert.is(rejected.statusCode, 200, rejected.body);
    // Cleared by the decision itself, before anyone opens the run again.
    const decided = await f.db
      .selectFrom('import_run')
      .select(['state', 'input'])
      .where('id', '=', run.id)
      .executeTakeFirstOrThrow();
    assert.equal(decided, { state: 'rejected', input: null });
    const after = (await admin.get(`/api/v1/imports/${run.id}`)).json<ImportRun>();
    assert.is(after.state, 'rejected');
    const stored = await f.db
      .selectFrom('import_run')
      .select('input')
      .where('id', '=', run.id)
      .executeTakeFirstOrThrow();
    assert.is(stored.input, null);
    const unit = await f.db
      .selectFrom('unit')
      .select('name')
      .where('code', '=', 'F-NEW')
      .executeTakeFirstOrThrow();
    assert.is(unit.name, 'Nieuw team');
  },
);

frozen.run();

const perm = suite('import: permissions');
const p = withTestApp(perm);

perm('only administrators of the whole organisation may import', async () => {
  for (const username of ['demo-hr', 'demo-lead', 'demo-officer']) {
    const b = await browserAs(p.app, username);
    const response = await upload(p, b, { units: UNITS });
    assert.is(response.statusCode, 403, username);
    assert.is((await b.get('/api/v1/imports')).statusCode, 403, username);
  }
});

perm.run();

const examples = suite('import: the example files in docs');
const e = withTestApp(examples);
const example = (set: string, file: string) =>
  readFileSync(new URL(`../../../docs/examples/import/${set}/${file}.csv`, import.meta.url));

examples(
  'the valid example imports without a rejected row; the other rejects each kind once',
  async () => {
    const admin = await browserAs(e.app, 'demo-admin');
    const valid = (
      await upload(e, admin, {
        units: example('valid', 'units'),
        people: example('valid', 'people'),
        memberships: example('valid', 'memberships'),
      })
    ).json<ImportRun>();
    assert.equal(valid.rejected.rows, []);
    assert.is(valid.summary.units.create, 4);
    assert.is(valid.summary.people.create, 4);
    assert.is(valid.summary.memberships.add, 4);
    const bad = (
      await upload(e, admin, {
        units: example('rejected', 'units'),
        people: example('rejected', 'people'),
        memberships: example('rejected', 'memberships'),
      })
    ).json<ImportRun>();
    const codes = new Set(bad.rejected.rows.map((x) => x.reason.code));
    for (const code of [
      'duplicate_unit_code',
      'unit_cycle',
      'unknown_parent',
      'unknown_kind',
      'kind_not_allowed',
      'formula_cell',
      'second_root',
      'missing_field',
      'invalid_email',
      'unknown_language',
      'duplicate_employee_number',
      'unknown_team',
      'lead_of_unknown_team',
      'unknown_role',
      'invalid_date',
      'end_before_start',
      'unknown_person',
      'membership_overlap',
      'duplicate_membership',
    ]) {
      assert.ok(codes.has(code as never), `${code} in ${[...codes].join(', ')}`);
    }
  },
);

examples.run();
