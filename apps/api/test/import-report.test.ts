import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ImportRun } from '@teamspiegel/contracts';
import { withTestApp } from './helpers.ts';
import { browserAs, type Browser, personIdByUsername, unitIdByCode } from './support.ts';

/**
 * The dry-run report as a Dutch HR administrator reads it: reasons as codes with value-free
 * params (the screen words them), columns named as the file's header does, a rejected-rows CSV
 * per file in that file's own shape that can be corrected and uploaded again, and counts that
 * add up to the rows of the files.
 */

const BOUNDARY = '----teamspiegel-import-report';

function multipart(files: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  for (const [field, content] of Object.entries(files)) {
    parts.push(
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${field}"; filename="${field}.csv"\r\nContent-Type: text/csv\r\n\r\n`,
      ),
      Buffer.from(content, 'utf8'),
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(parts);
}

const report = suite('import: the report a Dutch administrator reads');
const t = withTestApp(report);

async function upload(b: Browser, files: Record<string, string>) {
  const response = await t.app.inject({
    method: 'POST',
    url: `/api/v1/imports?organisationId=${await unitIdByCode(t.db, 'NL')}`,
    headers: {
      cookie: b.cookie ?? '',
      origin: b.origin,
      'x-csrf-token': b.csrf ?? '',
      'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
    },
    payload: multipart(files),
  });
  assert.is(response.statusCode, 201, response.body);
  return response.json<ImportRun>();
}

const PEOPLE = `Personeelsnummer;Voornaam;Achternaam;E-mailadres
RP1;Anna;Jansen;anna.rp1@politie.nl
RP2;Bram;Smit;bram.rp2@politie.nl
RP3;=HYPERLINK("x");Bos;rp3@politie.nl
RP2;Bram;Smit;bram.other@politie.nl
`;
const MEMBERSHIPS = `Personeelsnummer;Eenheidscode;Rol;Begindatum
RP2;NL;lid;01-01-2026
RP1;NL;lid;01-01-2026
`;

report('rejections carry a code with params and name columns as the file header does', async () => {
  const admin = await browserAs(t.app, 'demo-admin');
  const run = await upload(admin, { people: PEOPLE, memberships: MEMBERSHIPS });
  const rows = run.rejected.rows.map((r) => ({
    at: `${r.file}:${r.line}:${r.reason.code}`,
    column: r.column,
    params: r.reason.params,
  }));
  assert.equal(rows, [
    {
      at: 'people:3:duplicate_employee_number',
      column: 'Personeelsnummer',
      params: { lines: [5] },
    },
    { at: 'people:4:formula_cell', column: 'Voornaam', params: undefined },
    {
      at: 'people:5:duplicate_employee_number',
      column: 'Personeelsnummer',
      params: { lines: [3] },
    },
    // The number is known; its person's rows were rejected, and which ones is said.
    {
      at: 'memberships:2:person_rejected',
      column: 'Personeelsnummer',
      params: { lines: [3, 5], inFile: 'people' },
    },
  ]);
  assert.equal(run.rejected.perFile, { units: 0, people: 3, memberships: 1 });
  // The params hold no value of a row: no name, no address, no employee number.
  assert.not.match(JSON.stringify(run.rejected.rows.map((r) => r.reason.params)), /RP|@|Bram/);
});

report('rejected.csv of one file repeats its header and cells, then regel and reden', async () => {
  const admin = await browserAs(t.app, 'demo-admin');
  const run = await upload(admin, { people: PEOPLE, memberships: MEMBERSHIPS });
  const people = await admin.get(`/api/v1/imports/${run.id}/rejected.csv?file=people`);
  assert.is(people.statusCode, 200, people.body);
  assert.match(people.headers['content-disposition'] as string, /people/);
  const lines = people.body
    .replace(/^\uFEFF/, '')
    .trim()
    .split(/\r?\n/);
  assert.is(lines[0], 'Personeelsnummer;Voornaam;Achternaam;E-mailadres;regel;reden');
  assert.is(lines.length, 4, people.body);
  assert.match(
    lines[1]!,
    /^RP2;Bram;Smit;bram\.rp2@politie\.nl;3;Personeelsnummer komt dubbel voor/,
  );
  assert.match(lines[1]!, /regel 5/);
  assert.match(lines[2]!, /^RP3;"?'=HYPERLINK/, 'the formula cell is neutralised');
  assert.match(lines[2]!, /;4;"?Cel begint als een formule.*Voornaam/);

  const ms = await admin.get(`/api/v1/imports/${run.id}/rejected.csv?file=memberships`);
  const msLines = ms.body
    .replace(/^\uFEFF/, '')
    .trim()
    .split(/\r?\n/);
  assert.is(msLines[0], 'Personeelsnummer;Eenheidscode;Rol;Begindatum;regel;reden');
  assert.match(
    msLines[1]!,
    /^RP2;NL;lid;01-01-2026;2;"?De regel van deze persoon in het personenbestand is afgekeurd/,
  );
  assert.match(msLines[1]!, /regels 3, 5 van het personenbestand/);

  // In the requester's language: an English-speaking administrator gets line and reason.
  await t.db
    .updateTable('person')
    .set({ language: 'en' })
    .where('id', '=', await personIdByUsername(t.db, 'demo-admin'))
    .execute();
  try {
    const en = await admin.get(`/api/v1/imports/${run.id}/rejected.csv?file=people`);
    const first = en.body.replace(/^\uFEFF/, '').split(/\r?\n/);
    assert.is(first[0], 'Personeelsnummer;Voornaam;Achternaam;E-mailadres;line;reason');
    assert.match(
      first[1]!,
      /;3;The employee number occurs more than once \(Personeelsnummer · line 5\)/,
    );
  } finally {
    await t.db
      .updateTable('person')
      .set({ language: 'nl' })
      .where('id', '=', await personIdByUsername(t.db, 'demo-admin'))
      .execute();
  }
});

report('a corrected rejected.csv uploads again: regel and reden are ignored', async () => {
  const admin = await browserAs(t.app, 'demo-admin');
  const run = await upload(admin, { people: PEOPLE, memberships: MEMBERSHIPS });
  const csv = (await admin.get(`/api/v1/imports/${run.id}/rejected.csv?file=people`)).body;
  // HR corrects the rows: the second RP2 becomes RP4 and the formula a name.
  const corrected = csv
    .replace('bram.other@politie.nl', 'rp4@politie.nl')
    .replace(/\nRP2;Bram;Smit;rp4/, '\nRP4;Bram;Smit;rp4')
    .replace(/"?'=HYPERLINK\(""x""\)"?/, 'Rik');
  const again = await upload(admin, { people: corrected });
  assert.equal(
    again.rejected.rows.map((r) => `${r.line}:${r.reason.code}`),
    [],
    'the corrected rows read cleanly, the extra columns unread',
  );
  assert.is(again.summary.people.create, 3);
});

report('the units counts add up to the rows of the units file, the root row included', async () => {
  const admin = await browserAs(t.app, 'demo-admin');
  const root = await t.db
    .selectFrom('unit')
    .select(['code', 'name', 'kind'])
    .where('code', '=', 'NL')
    .executeTakeFirstOrThrow();
  const units = `Eenheidscode;Naam;Soort;Bovenliggende eenheid
${root.code};${root.name};${root.kind};
RU-D;District RU;district;NL
RU-B;Basisteam RU;basisteam;RU-D
`;
  const run = await upload(admin, { units });
  const u = run.summary.units;
  assert.is(run.files[0]!.rows, 3);
  assert.is(u.create, 2);
  assert.is(u.unchanged, 1, 'the root is counted, unchanged');
  assert.is(u.create + u.change + u.move + u.unchanged + run.rejected.total, run.files[0]!.rows);
});

report.run();
