import {
  LANGUAGES,
  UNIT_KINDS,
  type ImportFileKind,
  type ImportRejectionCode,
  type ImportRejectionParams,
  type Language,
  type MembershipKind,
  type UnitKind,
} from '@teamspiegel/contracts';
import type { HeaderMap, ImportField } from './columns.ts';
import { parseImportDate } from './dates.ts';

/** A data row as read from a file: its line number (the header is line 1) and its cells. */
export interface RawRow {
  line: number;
  cells: string[];
}

export interface Rejection {
  file: ImportFileKind;
  line: number;
  code: ImportRejectionCode;
  /** The reason in English words with the values involved, for logs and API clients. */
  text: string;
  /** Value-free facts a screen words the reason with in its own language (other lines, limits). */
  params?: ImportRejectionParams;
  /** The column as named in the file's header, when the reason is about one. */
  column?: string;
  /**
   * The field the reason is about, when the plan (which knows no header) rejects the row: the
   * server names the column from the file's header by it.
   */
  field?: string;
}

export interface UnitRow {
  line: number;
  code: string;
  name: string;
  kind: UnitKind;
  parentCode: string | null;
}

export interface PersonRow {
  line: number;
  employeeNumber: string;
  givenName: string;
  familyName: string;
  email: string;
  language: Language;
}

export interface MembershipRow {
  line: number;
  employeeNumber: string;
  unitCode: string;
  kind: MembershipKind;
  /** First day as a member, YYYY-MM-DD. */
  joinedOn: string;
  /** Last day as a member as the file says it (inclusive), or null while current. */
  lastDay: string | null;
}

/**
 * A cell a spreadsheet would read as a formula (CWE-1236): starting with =, +, -, @, a tab or a
 * carriage return. Such a row is rejected and the value is never evaluated or stored.
 */
export function isFormulaLike(cell: string): boolean {
  return /^[=+\-@\t\r]/.test(cell) || /^[=+\-@]/.test(cell.trim());
}

const UNIT_CODE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const EMPLOYEE_NUMBER = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
// Deliberately plain: one @, something before it, a dotted domain after it, no spaces.
const EMAIL =
  /^[^\s@<>(),;:"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

const KIND_WORDS: Record<string, UnitKind> = {
  korps: 'corps',
  politiezone: 'zone',
  regionale_eenheid: 'regional_unit',
  dienst: 'service',
};
const LANGUAGE_WORDS: Record<string, Language> = {
  nl: 'nl',
  'nl-nl': 'nl',
  nederlands: 'nl',
  dutch: 'nl',
  'nl-be': 'nl-BE',
  vlaams: 'nl-BE',
  en: 'en',
  engels: 'en',
  english: 'en',
};
const ROLE_WORDS: Record<string, MembershipKind> = {
  member: 'member',
  lid: 'member',
  medewerker: 'member',
  lead: 'lead',
  leidinggevende: 'lead',
  teamchef: 'lead',
};

/** A unit kind from the file (English or Dutch word, any case), or null. */
export function parseUnitKind(text: string): UnitKind | null {
  const t = text
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  if ((UNIT_KINDS as readonly string[]).includes(t)) return t as UnitKind;
  return KIND_WORDS[t] ?? null;
}

export function parseLanguage(text: string): Language | null {
  const t = text.trim().toLowerCase().replace(/_/g, '-');
  if ((LANGUAGES as readonly string[]).includes(t)) return t as Language;
  return LANGUAGE_WORDS[t] ?? null;
}

export function parseRole(text: string): MembershipKind | null {
  return ROLE_WORDS[text.trim().toLowerCase()] ?? null;
}

type Result<T> = { ok: true; row: T } | { ok: false; rejection: Rejection };

/** Reads the cells of one row by field, rejecting formula-like cells and over-long values. */
class RowReader<K extends ImportFileKind> {
  rejection: Rejection | null = null;
  constructor(
    private readonly file: K,
    private readonly header: HeaderMap<K>,
    private readonly raw: RawRow,
  ) {
    // A formula anywhere in the row rejects it, even in a column the import does not read.
    const i = raw.cells.findIndex(isFormulaLike);
    if (i >= 0) {
      const name = header.cells[i] || `${i + 1}`;
      this.reject(
        'formula_cell',
        `Column ${name} starts like a spreadsheet formula (=, +, -, @, tab or CR); the row is not read.`,
        undefined,
        undefined,
        name,
      );
    }
  }
  reject(
    code: ImportRejectionCode,
    text: string,
    field?: ImportField<K>,
    params?: ImportRejectionParams,
    columnName?: string,
  ) {
    if (this.rejection) return;
    const column = columnName ?? (field ? this.header.names[field] : undefined);
    this.rejection = {
      file: this.file,
      line: this.raw.line,
      code,
      text,
      ...(params && { params }),
      ...(column && { column }),
    };
  }
  cell(field: ImportField<K>): string {
    const i = this.header.index[field];
    return i === undefined ? '' : (this.raw.cells[i] ?? '').trim();
  }
  required(field: ImportField<K>, maxLength: number): string {
    const v = this.cell(field);
    if (!v) this.reject('missing_field', `${this.header.names[field] ?? field} is empty.`, field);
    else if (v.length > maxLength)
      this.reject(
        'too_long',
        `${this.header.names[field] ?? field} is longer than ${maxLength} characters.`,
        field,
        { maxLength },
      );
    return v;
  }
  done<T>(row: T): Result<T> {
    return this.rejection ? { ok: false, rejection: this.rejection } : { ok: true, row };
  }
}

export function readUnitRow(header: HeaderMap<'units'>, raw: RawRow): Result<UnitRow> {
  const r = new RowReader('units', header, raw);
  const code = r.required('unit_code', 40);
  if (code && !UNIT_CODE.test(code))
    r.reject(
      'invalid_code',
      `Unit code "${code}" may hold only letters, digits, dot, hyphen and underscore.`,
      'unit_code',
    );
  const name = r.required('name', 120);
  const kindText = r.required('kind', 40);
  const kind = kindText ? parseUnitKind(kindText) : null;
  if (kindText && !kind)
    r.reject(
      'unknown_kind',
      `Unknown kind "${kindText}"; use one of ${UNIT_KINDS.join(', ')}.`,
      'kind',
    );
  const parentCode = r.cell('parent_code') || null;
  if (parentCode && !UNIT_CODE.test(parentCode))
    r.reject('invalid_code', `Parent code "${parentCode}" is not a unit code.`, 'parent_code');
  return r.done({ line: raw.line, code, name, kind: kind!, parentCode });
}

export function readPersonRow(header: HeaderMap<'people'>, raw: RawRow): Result<PersonRow> {
  const r = new RowReader('people', header, raw);
  const employeeNumber = r.required('employee_number', 20);
  if (employeeNumber && !EMPLOYEE_NUMBER.test(employeeNumber))
    r.reject(
      'invalid_code',
      `Employee number "${employeeNumber}" may hold only letters, digits and hyphens.`,
      'employee_number',
    );
  const givenName = r.required('given_name', 100);
  const familyName = r.required('family_name', 100);
  const email = r.required('email', 200);
  if (email && !EMAIL.test(email))
    r.reject('invalid_email', `"${email}" is not an e-mail address.`, 'email');
  const languageText = r.cell('language');
  const language = languageText ? parseLanguage(languageText) : 'nl';
  if (!language)
    r.reject(
      'unknown_language',
      `Unknown language "${languageText}"; use nl, nl-BE or en.`,
      'language',
    );
  return r.done({
    line: raw.line,
    employeeNumber,
    givenName,
    familyName,
    email,
    language: language!,
  });
}

export function readMembershipRow(
  header: HeaderMap<'memberships'>,
  raw: RawRow,
): Result<MembershipRow> {
  const r = new RowReader('memberships', header, raw);
  const employeeNumber = r.required('employee_number', 20);
  const unitCode = r.required('unit_code', 40);
  const roleText = r.required('role', 40);
  const kind = roleText ? parseRole(roleText) : null;
  if (roleText && !kind)
    r.reject(
      'unknown_role',
      `Unknown role "${roleText}"; use member (lid) or lead (leidinggevende).`,
      'role',
    );
  const startText = r.required('start', 40);
  const joinedOn = startText ? parseImportDate(startText) : null;
  if (startText && !joinedOn)
    r.reject('invalid_date', `"${startText}" is not a date (dd-mm-jjjj or jjjj-mm-dd).`, 'start');
  const endText = r.cell('end');
  const lastDay = endText ? parseImportDate(endText) : null;
  if (endText && !lastDay)
    r.reject('invalid_date', `"${endText}" is not a date (dd-mm-jjjj or jjjj-mm-dd).`, 'end');
  if (joinedOn && lastDay && lastDay < joinedOn)
    r.reject(
      'end_before_start',
      `The end date ${endText} lies before the start date ${startText}.`,
      'end',
    );
  return r.done({
    line: raw.line,
    employeeNumber,
    unitCode,
    kind: kind!,
    joinedOn: joinedOn!,
    lastDay,
  });
}
