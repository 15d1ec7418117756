/**
 * CSV helpers shared by every file the server writes or reads: the results export, the audit
 * export and the HR import's rejected rows.
 *
 * One format for every file the server hands out, so Dutch and Belgian Excel opens it in
 * columns with a double click: UTF-8 with a byte order mark (else Excel reads it as Windows-1252
 * and breaks "é"), `;` between cells (the list separator of a Dutch locale; a comma is its
 * decimal sign), CRLF between records, RFC 4180 quoting, and every cell neutralised.
 */
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import type { FastifyReply } from 'fastify';

export type CsvCell = string | number | boolean | null | undefined;

/** The byte order mark that starts every CSV file the server writes. */
export const CSV_BOM = '\uFEFF';
export const CSV_DELIMITER = ';';
export const CSV_RECORD_DELIMITER = '\r\n';
export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';

/**
 * A cell a spreadsheet would run as a formula (OWASP "CSV injection"): starting with =, +, -,
 * @, tab or carriage return. Prefixing a single quote makes it plain text.
 */
export function neutralise(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/**
 * Records as CSV text in the server's format, every cell neutralised, each record ending in
 * CRLF. No byte order mark: that starts the file once (see csvDocument, sendCsv), so a file
 * written in chunks calls this for each chunk.
 */
export function csvRecords(records: readonly (readonly CsvCell[])[]): string {
  if (records.length === 0) return '';
  return stringify(
    records.map((record) => record.map(neutralise)),
    {
      delimiter: CSV_DELIMITER,
      record_delimiter: CSV_RECORD_DELIMITER,
      // A lone line feed or carriage return in a cell is quoted too, or Excel starts a new row.
      quoted_match: /[\r\n]/,
    },
  );
}

/** A whole file: byte order mark, header, records. */
export function csvDocument(
  header: readonly string[],
  records: readonly (readonly CsvCell[])[],
): string {
  return CSV_BOM + csvRecords([header, ...records]);
}

/** A file name safe inside the Content-Disposition header's quotes. */
export function csvFilename(name: string): string {
  const base = name.replace(/\.csv$/i, '').replace(/[^A-Za-z0-9._-]+/g, '-');
  return `${base || 'teamspiegel'}.csv`;
}

async function* withBom(chunks: AsyncIterable<string>): AsyncGenerator<string> {
  yield CSV_BOM;
  yield* chunks;
}

/**
 * Sends a CSV download: the content type with its charset and an attachment file name. A
 * string (csvDocument's text) is sent whole; chunks (csvRecords' text, header first) are
 * streamed. Either way the file starts with exactly one byte order mark.
 */
export function sendCsv(
  reply: FastifyReply,
  filename: string,
  body: string | AsyncIterable<string>,
): FastifyReply {
  reply
    .header('content-type', CSV_CONTENT_TYPE)
    .header('content-disposition', `attachment; filename="${csvFilename(filename)}"`);
  if (typeof body === 'string') return reply.send(body.startsWith(CSV_BOM) ? body : CSV_BOM + body);
  return reply.send(Readable.from(withBom(body)));
}
