import type { ImportFileKind } from '@teamspiegel/contracts';

/**
 * The columns of each import file and the header names accepted for them, in English and in
 * Dutch as HR systems write them. Headers are compared lower-case, with spaces and hyphens
 * read as underscores, so "E-mail", "e_mail" and "Begin datum" all match.
 */
export const IMPORT_COLUMNS = {
  units: {
    unit_code: ['unit_code', 'code', 'eenheidscode', 'eenheid_code', 'eenheid'],
    name: ['name', 'naam', 'unit_name', 'eenheidsnaam'],
    kind: ['kind', 'type', 'soort', 'unit_kind'],
    parent_code: [
      'parent_code',
      'parent',
      'bovenliggende_eenheid',
      'bovenliggende_code',
      'bovenliggende_eenheidscode',
    ],
  },
  people: {
    employee_number: ['employee_number', 'employee_id', 'personeelsnummer', 'personeelsnr'],
    given_name: ['given_name', 'first_name', 'voornaam', 'roepnaam'],
    family_name: ['family_name', 'last_name', 'surname', 'achternaam'],
    email: ['email', 'e_mail', 'email_address', 'e_mailadres', 'emailadres'],
    language: ['language', 'taal'],
  },
  memberships: {
    employee_number: ['employee_number', 'employee_id', 'personeelsnummer', 'personeelsnr'],
    unit_code: ['unit_code', 'code', 'eenheidscode', 'eenheid_code', 'eenheid', 'team', 'teamcode'],
    role: ['role', 'rol', 'functie_rol'],
    start: ['start', 'start_date', 'begindatum', 'startdatum', 'ingangsdatum'],
    end: ['end', 'end_date', 'einddatum'],
  },
} as const satisfies Record<ImportFileKind, Record<string, readonly string[]>>;

export type ImportField<K extends ImportFileKind> = keyof (typeof IMPORT_COLUMNS)[K] & string;

/** Columns a file must have; the others may be left out. */
export const REQUIRED_COLUMNS: { [K in ImportFileKind]: readonly ImportField<K>[] } = {
  units: ['unit_code', 'name', 'kind', 'parent_code'],
  people: ['employee_number', 'given_name', 'family_name', 'email'],
  memberships: ['employee_number', 'unit_code', 'role', 'start'],
};

export function normaliseHeader(cell: string): string {
  return cell
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

export interface HeaderMap<K extends ImportFileKind> {
  /** Column index per field, for the fields present. */
  index: Partial<Record<ImportField<K>, number>>;
  /** The header names as written in the file, per field present (for messages). */
  names: Partial<Record<ImportField<K>, string>>;
  /** Required fields with no column, by their English name. */
  missing: ImportField<K>[];
  /** Every header cell as written in the file (trimmed), read or not: names a column in messages. */
  cells: string[];
}

/** Maps a header row to fields; the first column that matches a field wins. */
export function mapHeader<K extends ImportFileKind>(
  kind: K,
  header: readonly string[],
): HeaderMap<K> {
  const columns = IMPORT_COLUMNS[kind] as Record<string, readonly string[]>;
  const index: Record<string, number> = {};
  const names: Record<string, string> = {};
  header.forEach((cell, i) => {
    const h = normaliseHeader(cell);
    for (const [field, synonyms] of Object.entries(columns)) {
      if (index[field] === undefined && synonyms.includes(h)) {
        index[field] = i;
        names[field] = cell.replace(/^\uFEFF/, '').trim();
        break;
      }
    }
  });
  const missing = (REQUIRED_COLUMNS[kind] as readonly string[]).filter(
    (f) => index[f] === undefined,
  );
  return {
    index: index as HeaderMap<K>['index'],
    names: names as HeaderMap<K>['names'],
    missing: missing as ImportField<K>[],
    cells: header.map((cell) => cell.replace(/^\uFEFF/, '').trim()),
  };
}

/**
 * The delimiter of a CSV file from its header line: semicolon (what Excel writes in Dutch and
 * Belgian locales) or comma, whichever occurs outside quotes; null when neither does.
 */
export function detectDelimiter(headerLine: string): ';' | ',' | null {
  let semicolons = 0;
  let commas = 0;
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === ';') semicolons++;
    else if (!quoted && ch === ',') commas++;
  }
  if (semicolons === 0 && commas === 0) return null;
  return semicolons >= commas ? ';' : ',';
}
