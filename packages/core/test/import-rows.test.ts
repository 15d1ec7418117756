import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import {
  detectDelimiter,
  formatDutchDate,
  isFormulaLike,
  mapHeader,
  nextDay,
  parseImportDate,
  readMembershipRow,
  readPersonRow,
  readUnitRow,
} from '../src/index.ts';

const dates = suite('import dates');

dates('reads every Dutch format and ISO to the same calendar date', () => {
  for (const text of [
    '05-03-2026',
    '5-3-2026',
    '05/03/2026',
    '05.03.2026',
    '2026-03-05',
    ' 5-03-2026 ',
  ]) {
    assert.is(parseImportDate(text), '2026-03-05', text);
  }
});

dates('refuses impossible and ambiguous dates instead of guessing', () => {
  for (const text of [
    '31-02-2026',
    '29-02-2025',
    '2026-13-01',
    '00-01-2026',
    '1-1-26',
    '2026/03/05',
    '5-3/2026',
    'morgen',
    '',
  ]) {
    assert.is(parseImportDate(text), null, text);
  }
  assert.is(parseImportDate('29-02-2024'), '2024-02-29');
});

dates('a date written the Dutch way reads back as itself (property)', () => {
  fc.assert(
    fc.property(
      fc.date({ min: new Date('1950-01-01'), max: new Date('2100-12-31'), noInvalidDate: true }),
      (d) => {
        const iso = d.toISOString().slice(0, 10);
        assert.is(parseImportDate(formatDutchDate(iso)), iso);
        assert.is(parseImportDate(iso), iso);
        assert.ok(nextDay(iso) > iso);
      },
    ),
  );
});

const header = suite('import header');

header('maps Dutch and English headers, with a BOM, case and hyphens', () => {
  const m = mapHeader('people', [
    '\uFEFFPersoneelsnummer',
    'Voornaam',
    'Achternaam',
    'E-mail',
    'Taal',
  ]);
  assert.equal(m.missing, []);
  assert.equal(m.index, {
    employee_number: 0,
    given_name: 1,
    family_name: 2,
    email: 3,
    language: 4,
  });
  assert.is(m.names.email, 'E-mail');
  const u = mapHeader('units', ['unit_code', 'name', 'kind', 'parent_code']);
  assert.equal(u.missing, []);
  const ms = mapHeader('memberships', [
    'personeelsnummer',
    'eenheidscode',
    'rol',
    'begindatum',
    'einddatum',
  ]);
  assert.equal(ms.missing, []);
  assert.is(ms.index.end, 4);
});

header('lists every required column that is missing', () => {
  assert.equal(mapHeader('memberships', ['personeelsnummer', 'einddatum']).missing, [
    'unit_code',
    'role',
    'start',
  ]);
  assert.equal(mapHeader('people', ['voornaam', 'achternaam', 'taal']).missing, [
    'employee_number',
    'email',
  ]);
});

header('detects semicolon or comma from the header line, ignoring quoted ones', () => {
  assert.is(detectDelimiter('a;b;c'), ';');
  assert.is(detectDelimiter('a,b,c'), ',');
  assert.is(detectDelimiter('"naam, voluit";code;soort'), ';');
  assert.is(detectDelimiter('"a;b",c'), ',');
  assert.is(detectDelimiter('a\tb\tc'), null);
  assert.is(detectDelimiter('alleen'), null);
});

const rows = suite('import rows');
const unitHeader = mapHeader('units', ['unit_code', 'name', 'kind', 'parent_code']);
const peopleHeader = mapHeader('people', [
  'employee_number',
  'given_name',
  'family_name',
  'email',
  'language',
]);
const msHeader = mapHeader('memberships', ['employee_number', 'unit_code', 'role', 'start', 'end']);

rows('formula-like cells reject the row, whatever the column', () => {
  for (const bad of ['=1+1', '+31612345678', '-2', '@SUM(A1)', '\tx', '\rx', ' =HYPERLINK("x")']) {
    assert.ok(isFormulaLike(bad), JSON.stringify(bad));
    const r = readPersonRow(peopleHeader, {
      line: 7,
      cells: ['P1', bad, 'Jansen', 'a@b.nl', 'nl'],
    });
    assert.not.ok(r.ok);
    if (!r.ok) {
      assert.is(r.rejection.code, 'formula_cell');
      assert.is(r.rejection.line, 7);
    }
  }
  for (const fine of ['Jansen', 'de Vries', "O'Brien", 'a-b', ''])
    assert.not.ok(isFormulaLike(fine));
});

rows('a unit row reads kind in English or Dutch', () => {
  const r = readUnitRow(unitHeader, { line: 2, cells: ['D1', 'District Noord', 'District', 'C1'] });
  assert.equal(r, {
    ok: true,
    row: { line: 2, code: 'D1', name: 'District Noord', kind: 'district', parentCode: 'C1' },
  });
  const nl = readUnitRow(unitHeader, { line: 3, cells: ['C1', 'Korps', 'korps', ''] });
  assert.ok(nl.ok && nl.row.kind === 'corps' && nl.row.parentCode === null);
});

rows('each bad cell gives its own reason and names its column', () => {
  const cases: [string, string[], string, string | undefined][] = [
    ['units', ['', 'Naam', 'team', 'B1'], 'missing_field', 'unit_code'],
    ['units', ['T1', 'Naam', 'peloton', 'B1'], 'unknown_kind', 'kind'],
    ['units', ['T 1', 'Naam', 'team', 'B1'], 'invalid_code', 'unit_code'],
    ['units', ['T1', 'x'.repeat(121), 'team', 'B1'], 'too_long', 'name'],
    ['people', ['P1', 'Anna', 'Jansen', 'anna.jansen', 'nl'], 'invalid_email', 'email'],
    ['people', ['P1', 'Anna', 'Jansen', 'a@b.nl', 'fr'], 'unknown_language', 'language'],
    ['people', ['P1', '', 'Jansen', 'a@b.nl', 'nl'], 'missing_field', 'given_name'],
    ['memberships', ['P1', 'T1', 'chef', '01-01-2026', ''], 'unknown_role', 'role'],
    ['memberships', ['P1', 'T1', 'lid', '31-02-2026', ''], 'invalid_date', 'start'],
    ['memberships', ['P1', 'T1', 'lid', '01-03-2026', '28-02-2026'], 'end_before_start', 'end'],
    ['memberships', ['P1', 'T1', 'lid', '', ''], 'missing_field', 'start'],
  ];
  for (const [file, cells, code, column] of cases) {
    const raw = { line: 4, cells };
    const r =
      file === 'units'
        ? readUnitRow(unitHeader, raw)
        : file === 'people'
          ? readPersonRow(peopleHeader, raw)
          : readMembershipRow(msHeader, raw);
    assert.not.ok(r.ok, `${file} ${cells.join(',')}`);
    if (!r.ok) {
      assert.is(r.rejection.code, code, cells.join(','));
      assert.is(r.rejection.column, column);
      assert.is(r.rejection.line, 4);
    }
  }
});

rows('a membership reads Dutch roles and an inclusive end date', () => {
  const r = readMembershipRow(msHeader, {
    line: 2,
    cells: ['P1', 'T1', 'Leidinggevende', '1-1-2026', '31-12-2026'],
  });
  assert.equal(r, {
    ok: true,
    row: {
      line: 2,
      employeeNumber: 'P1',
      unitCode: 'T1',
      kind: 'lead',
      joinedOn: '2026-01-01',
      lastDay: '2026-12-31',
    },
  });
  const sameDay = readMembershipRow(msHeader, {
    line: 2,
    cells: ['P1', 'T1', 'lid', '1-1-2026', '1-1-2026'],
  });
  assert.ok(sameDay.ok);
});

rows('language defaults to Dutch when the column is empty', () => {
  const r = readPersonRow(peopleHeader, { line: 2, cells: ['P1', 'Anna', 'Jansen', 'a@b.nl', ''] });
  assert.ok(r.ok && r.row.language === 'nl');
  const be = readPersonRow(peopleHeader, {
    line: 2,
    cells: ['P1', 'Anna', 'Jansen', 'a@b.nl', 'NL-be'],
  });
  assert.ok(be.ok && be.row.language === 'nl-BE');
});

dates.run();
rows(
  'a formula cell names its column as the file header does, and too long gives the limit',
  () => {
    const h = mapHeader('people', [
      'Personeelsnummer',
      'Voornaam',
      'Achternaam',
      'E-mail',
      'Notitie',
    ]);
    const r = readPersonRow(h, { line: 3, cells: ['P1', '=1+1', 'Jansen', 'a@b.nl', 'x'] });
    assert.ok(!r.ok && r.rejection.column === 'Voornaam', JSON.stringify(r));
    const unread = readPersonRow(h, { line: 4, cells: ['P1', 'Anna', 'Jansen', 'a@b.nl', '@x'] });
    assert.ok(
      !unread.ok && unread.rejection.column === 'Notitie',
      'a column the import does not read',
    );
    const long = readPersonRow(h, { line: 5, cells: ['P1', 'x'.repeat(101), 'J', 'a@b.nl'] });
    assert.ok(!long.ok && long.rejection.code === 'too_long');
    if (!long.ok) {
      assert.equal(long.rejection.params, { maxLength: 100 });
      assert.is(long.rejection.column, 'Voornaam');
    }
  },
);

header(
  'the columns of a rejected-rows CSV (line, reason, regel, reden) are ignored on upload',
  () => {
    for (const extra of [
      ['line', 'reason'],
      ['regel', 'reden'],
    ]) {
      const m = mapHeader('memberships', [
        'Personeelsnummer',
        'Eenheidscode',
        'Rol',
        'Begindatum',
        ...extra,
      ]);
      assert.equal(m.missing, []);
      assert.equal(Object.values(m.index).sort(), [0, 1, 2, 3]);
    }
  },
);

header.run();
rows.run();
