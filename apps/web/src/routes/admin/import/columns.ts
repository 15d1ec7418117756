import type { ImportFileKind } from '@teamspiegel/contracts';

/**
 * The header names the import reads, as docs/import.md lists them: the Dutch name an HR export
 * usually has, the English one it also accepts, and whether the column must be there.
 */
export const IMPORT_FILE_COLUMNS: Record<
  ImportFileKind,
  readonly { dutch: string; english: string; required: boolean }[]
> = {
  units: [
    { dutch: 'Eenheidscode', english: 'unit_code', required: true },
    { dutch: 'Naam', english: 'name', required: true },
    { dutch: 'Soort', english: 'kind', required: true },
    { dutch: 'Bovenliggende eenheid', english: 'parent_code', required: true },
  ],
  people: [
    { dutch: 'Personeelsnummer', english: 'employee_number', required: true },
    { dutch: 'Voornaam', english: 'given_name', required: true },
    { dutch: 'Achternaam', english: 'family_name', required: true },
    { dutch: 'E-mailadres', english: 'email', required: true },
    { dutch: 'Taal', english: 'language', required: false },
  ],
  memberships: [
    { dutch: 'Personeelsnummer', english: 'employee_number', required: true },
    { dutch: 'Eenheidscode', english: 'unit_code', required: true },
    { dutch: 'Rol', english: 'role', required: true },
    { dutch: 'Begindatum', english: 'start', required: true },
    { dutch: 'Einddatum', english: 'end', required: false },
  ],
};
