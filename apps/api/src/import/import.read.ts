import { createHash } from 'node:crypto';
import { parse } from 'csv-parse';
import type { ImportFile, ImportFileKind } from '@teamspiegel/contracts';
import {
  mapHeader,
  detectDelimiter,
  isFormulaLike,
  membershipPairKey,
  readMembershipRow,
  readPersonRow,
  readUnitRow,
  type HeaderMap,
  type MembershipRow,
  type PersonRow,
  type RawRow,
  type Rejection,
  type UnitRow,
} from '@teamspiegel/core';
import { AppError, badRequest } from '../errors.ts';
import { turn } from './import.apply.ts';

type ParsedRecord = { record: string[]; info: { lines: number } };

/**
 * Parses CSV text as a stream, a slice at a time with a turn of the event loop between slices:
 * a 65,000-row file parsed in one go would hold every other request for a few hundred ms. Each
 * record goes to `onRecord` as it is read and is not kept here: holding all 137,000 records of
 * an import until the last one is read cost tens of MB for the whole request.
 */
async function parseCsv(
  text: string,
  delimiter: string,
  onRecord: (record: string[], line: number) => void,
): Promise<void> {
  const parser = parse({
    delimiter,
    info: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
  });
  let failure: { error: unknown } | undefined;
  parser.on('readable', () => {
    let read: ParsedRecord | null;
    try {
      while ((read = parser.read() as ParsedRecord | null) !== null)
        onRecord(read.record, read.info.lines);
    } catch (error) {
      // A refusal of the reader itself (an AppError), passed on as it is.
      failure ??= { error };
    }
  });
  const done = new Promise<void>((resolve) => {
    parser.once('end', resolve);
    parser.once('error', (error: Error) => {
      failure ??= { error: new CsvError(error) };
      resolve();
    });
  });
  const SLICE = 128 * 1024;
  for (let i = 0; i < text.length && failure === undefined; i += SLICE) {
    parser.write(text.slice(i, i + SLICE));
    await turn();
  }
  if (failure === undefined) parser.end();
  else parser.destroy();
  if (failure === undefined) await done;
  if (failure !== undefined) throw failure.error;
}

/** csv-parse's refusal of the text (a quote not closed), told apart from the reader's own. */
class CsvError extends Error {
  constructor(readonly original: Error) {
    super(original.message);
  }
}

/** What a row's cells are kept as until the run is stored: one string, the cells joined. */
const CELL_SEPARATOR = '\u0000';

/**
 * The cells of a line as read, for the rejected rows' CSV. Kept joined in one string per line
 * (decoding refuses a text with a zero byte, so the separator is in no cell): an array of five
 * strings for each of 137,000 rows costs several times as much.
 */
export function cellsOf(file: ReadFile | undefined, line: number): string[] {
  const joined = file?.cellsByLine.get(line);
  return joined === undefined ? [] : joined.split(CELL_SEPARATOR);
}

/** The first line holding more than white space, without splitting the whole text. */
function firstLineOf(text: string): string {
  let start = 0;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end === -1 ? text.length : end).trim();
    if (line !== '') return line;
    if (end === -1) break;
    start = end + 1;
  }
  return '';
}

/** A row rejected while reading, with the keys that protect what it names from removal. */
export type ReadRejection = Rejection & { key?: string; pairKey?: string };

export interface ReadFile {
  meta: ImportFile & { sha256: string };
  units?: UnitRow[];
  people?: PersonRow[];
  memberships?: MembershipRow[];
  readRejections: ReadRejection[];
  /** Cells per line, joined (read them with cellsOf), to show rejected rows as they were. */
  cellsByLine: Map<number, string>;
  /** The header as written in the file: the rejected rows' CSV of this file repeats it. */
  header: string[];
  /** The header name per field read, to name the column a planned rejection is about. */
  columnNames: Record<string, string>;
}

const FILE_NAMES: Record<ImportFileKind, string> = {
  units: 'units',
  people: 'people',
  memberships: 'memberships',
};

/**
 * Which encoding bytes that are not UTF-8 probably are, for a message a person can act on:
 * UTF-16 (byte order mark or many zero bytes), else the Windows-1252 Excel writes by default.
 */
function guessEncoding(bytes: Buffer): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return 'UTF-16 (little-endian)';
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return 'UTF-16 (big-endian)';
  const sample = bytes.subarray(0, 4096);
  let zeros = 0;
  for (const b of sample) if (b === 0) zeros++;
  if (zeros > sample.length / 8) return 'UTF-16';
  return 'Windows-1252 (or ISO-8859-1)';
}

/** Decodes strictly as UTF-8; anything else is a 400 saying what it looks like and what to do. */
export function decodeUtf8(kind: ImportFileKind, bytes: Buffer): { text: string; hadBom: boolean } {
  const hadBom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const looksUtf16 =
    bytes.length >= 2 &&
    ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
  let text: string;
  try {
    if (looksUtf16) throw new Error('UTF-16 byte order mark');
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    if (text.includes('\u0000')) throw new Error('zero bytes');
  } catch {
    throw badRequest(
      'import_not_utf8',
      `The ${FILE_NAMES[kind]} file is not UTF-8: it looks like ${guessEncoding(bytes)}. Save it again as UTF-8: in Excel choose "Save as" > "CSV UTF-8 (comma delimited)"; in LibreOffice tick "Edit filter settings" and choose "Unicode (UTF-8)".`,
    );
  }
  return { text, hadBom };
}

const DUTCH: Record<string, string> = {
  unit_code: 'eenheidscode',
  name: 'naam',
  kind: 'soort',
  parent_code: 'bovenliggende_eenheid',
  employee_number: 'personeelsnummer',
  given_name: 'voornaam',
  family_name: 'achternaam',
  email: 'e-mail',
  role: 'rol',
  start: 'begindatum',
};

function columnList(fields: readonly string[]): string {
  return fields.map((f) => (DUTCH[f] ? `${f} (${DUTCH[f]})` : f)).join(', ');
}

/**
 * Reads one uploaded file: strict UTF-8 (BOM allowed), delimiter from the header line, header
 * synonyms, then each row checked on its own. File-level problems are 4xx `{ code, message }`;
 * row problems become rejected rows, never an error.
 */
export async function readImportFile(
  kind: ImportFileKind,
  name: string,
  bytes: Buffer,
): Promise<ReadFile> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const { text: decoded, hadBom } = decodeUtf8(kind, bytes);
  const text = decoded.replace(/^\uFEFF/, '');
  const firstLine = firstLineOf(text);
  if (!firstLine) throw badRequest('import_empty_file', `The ${kind} file is empty.`);
  const delimiter = detectDelimiter(firstLine);
  if (!delimiter) {
    throw badRequest(
      'import_unknown_delimiter',
      `The ${kind} file's header line has no semicolon or comma between its columns. Save it as CSV with ";" or "," as the delimiter (a tab-separated file is not read).`,
    );
  }
  let map: ReturnType<typeof mapHeader> | undefined;
  let rowCount = 0;
  const readRejections: ReadRejection[] = [];
  const cellsByLine = new Map<number, string>();
  const units: UnitRow[] = [];
  const people: PersonRow[] = [];
  const memberships: MembershipRow[] = [];
  // A key of a rejected row protects what it names from the full sync; a formula-like cell
  // names nothing that can exist, and is never stored, so it is no key.
  const cellOf = (raw: RawRow, h: HeaderMap<ImportFileKind>, field: string) => {
    const i = (h.index as Record<string, number | undefined>)[field];
    const value = i === undefined ? '' : (raw.cells[i] ?? '').trim();
    return isFormulaLike(value) ? '' : value;
  };
  const collect = <T>(
    list: T[],
    raw: RawRow,
    result: { ok: true; row: T } | { ok: false; rejection: Rejection },
    keys: Pick<ReadRejection, 'key' | 'pairKey'>,
  ) => {
    if (result.ok) {
      list.push(result.row);
      // Kept for a rejection the plan may still make; a read row holds no formula-like cell.
      cellsByLine.set(raw.line, raw.cells.join(CELL_SEPARATOR));
      return;
    }
    readRejections.push({
      ...result.rejection,
      ...(keys.key ? { key: keys.key } : {}),
      ...(keys.pairKey ? { pairKey: keys.pairKey } : {}),
    });
    // A rejected row's cells are kept for the rejected rows' CSV with each formula-like one
    // made plain text by a leading quote: no formula is stored, not even in a report.
    cellsByLine.set(
      raw.line,
      raw.cells.map((c) => (isFormulaLike(c) ? `'${c}` : c)).join(CELL_SEPARATOR),
    );
  };
  // Each record is checked as it is read (the parser turns the event loop between slices) and
  // only its checked row is kept.
  const onRecord = (record: string[], line: number) => {
    if (map === undefined) {
      map = mapHeader(kind, record);
      return;
    }
    if (!record.some((c) => c.trim() !== '')) return;
    rowCount++;
    // Missing columns are told once the file is known not to be empty (that comes first).
    if (map.missing.length) return;
    const raw: RawRow = { line, cells: record };
    if (kind === 'units') {
      collect(units, raw, readUnitRow(map as HeaderMap<'units'>, raw), {
        key: cellOf(raw, map, 'unit_code'),
      });
    } else if (kind === 'people') {
      collect(people, raw, readPersonRow(map as HeaderMap<'people'>, raw), {
        key: cellOf(raw, map, 'employee_number'),
      });
    } else {
      const number = cellOf(raw, map, 'employee_number');
      const unit = cellOf(raw, map, 'unit_code');
      collect(memberships, raw, readMembershipRow(map as HeaderMap<'memberships'>, raw), {
        ...(number && unit && { pairKey: membershipPairKey(number, unit) }),
      });
    }
  };
  try {
    await parseCsv(text, delimiter, onRecord);
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const line = (error.original as { lines?: number }).lines;
    throw badRequest(
      'bad_request',
      `The ${kind} file is not valid CSV${line ? ` near line ${line}` : ''}: a quote is not closed. Check that file in a spreadsheet and save it again.`,
    );
  }
  if (map === undefined || rowCount === 0) {
    throw badRequest('import_empty_file', `The ${kind} file has a header line but no rows.`);
  }
  if (map.missing.length) {
    throw badRequest(
      'import_missing_columns',
      `The ${kind} file lacks the column${map.missing.length > 1 ? 's' : ''} ${columnList(map.missing)}. See docs/import.md for the accepted names.`,
    );
  }
  const meta = { kind, name, bytes: bytes.length, rows: rowCount, delimiter, hadBom, sha256 };
  return {
    meta,
    readRejections,
    cellsByLine,
    header: map.cells,
    columnNames: map.names,
    ...(kind === 'units' && { units }),
    ...(kind === 'people' && { people }),
    ...(kind === 'memberships' && { memberships }),
  };
}

export const tooLarge = (kind: string, maxBytes: number) =>
  new AppError(
    413,
    'import_too_large',
    `The ${kind} file is larger than ${Math.round(maxBytes / 1024 / 1024)} MB, the limit of this server (TEAMSPIEGEL_IMPORT_MAX_BYTES). Split it or ask the operator to raise the limit.`,
  );
