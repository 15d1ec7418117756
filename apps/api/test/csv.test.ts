import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'csv-parse/sync';
import { csvDocument, csvFilename, csvRecords, neutralise } from '../src/csv.ts';

/**
 * Every CSV file the server writes has one format, so Dutch and Belgian Excel opens it in
 * columns: a UTF-8 byte order mark, `;` between cells, CRLF between records, no live formulas.
 */

test('a document starts with a byte order mark and splits cells by ; and records by CRLF', () => {
  const text = csvDocument(['naam', 'score'], [['Zaanstad; Noord', 7.5]]);
  assert.ok(text.startsWith('\uFEFFnaam;score\r\n'), JSON.stringify(text));
  assert.is(text, '\uFEFFnaam;score\r\n"Zaanstad; Noord";7.5\r\n');
});

test('a cell with quotes, semicolons or line breaks comes back as written', () => {
  const cells = ['Team "Oost"', 'a;b', 'regel 1\nregel 2', 'regel 1\rregel 2', 'Élodie', ''];
  const text = csvDocument(['a', 'b', 'c', 'd', 'e', 'f'], [cells]);
  const rows: string[][] = parse(text, { delimiter: ';', bom: true });
  assert.equal(rows[1], cells);
});

test('formula-like cells are neutralised, in documents and in streamed records', () => {
  for (const value of ['=1+1', '+31', '-3', '@SUM(A1)', '\tx', '\rx']) {
    assert.is(neutralise(value), `'${value}`);
    const rows: string[][] = parse(csvRecords([[value, 'next']]), { delimiter: ';' });
    assert.equal(rows, [[`'${value}`, 'next']], 'one record, the cell whole');
  }
  assert.is(neutralise(null), '');
  assert.is(neutralise(-2), "'-2", 'a negative number is text in the export, not a formula');
  assert.is(csvRecords([]), '');
  assert.not.ok(csvRecords([['x']]).includes('\uFEFF'), 'chunks carry no byte order mark');
});

test('a file name cannot break out of the Content-Disposition quotes', () => {
  assert.is(csvFilename('teamspiegel-audit-2026-11-28.csv'), 'teamspiegel-audit-2026-11-28.csv');
  assert.is(csvFilename('a"b\r\nc'), 'a-b-c.csv');
  assert.is(csvFilename(''), 'teamspiegel.csv');
});

test.run();
