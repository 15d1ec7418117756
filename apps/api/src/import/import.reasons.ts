import type {
  ImportFileKind,
  ImportRejectionCode,
  ImportRejectionParams,
  Language,
  UnitKind,
} from '@teamspiegel/contracts';

/**
 * A rejected row's reason in the words of the person who downloads the rejected rows: the code
 * and its value-free params, worded in Dutch or English (the web words them itself, from the
 * same code and params). No cell value of the row is quoted: the row's own cells stand beside it.
 */
type Words = {
  reasons: Record<ImportRejectionCode, string>;
  lines: (lines: number[], inFile?: ImportFileKind) => string;
  maxLength: (n: number) => string;
  kinds: Record<UnitKind, string>;
  kindNotAllowed: (kind: string, parent: string) => string;
  header: { line: string; reason: string };
};

const NL: Words = {
  reasons: {
    missing_field: 'Verplicht veld is leeg',
    unknown_kind: 'Onbekende soort eenheid',
    unknown_role: 'Onbekende rol (gebruik lid of leidinggevende)',
    unknown_language: 'Onbekende taal (gebruik nl, nl-BE of en)',
    invalid_email: 'Ongeldig e-mailadres',
    invalid_code: 'Ongeldige code (alleen letters, cijfers, punt, streepje en liggend streepje)',
    invalid_date: 'Ongeldige datum (dd-mm-jjjj of jjjj-mm-dd)',
    end_before_start: 'Einddatum ligt vóór de begindatum',
    formula_cell: 'Cel begint als een formule (=, +, -, @): de regel is niet gelezen',
    duplicate_unit_code: 'Eenheidscode komt dubbel voor',
    duplicate_employee_number: 'Personeelsnummer komt dubbel voor',
    duplicate_membership: 'Lidmaatschap komt dubbel voor',
    unknown_parent: 'Bovenliggende eenheid staat niet in het bestand of is afgekeurd',
    kind_not_allowed: 'Deze soort eenheid mag niet onder die bovenliggende eenheid staan',
    unit_cycle: 'Eenheden verwijzen in een kring naar elkaar',
    second_root: 'Eenheid zonder bovenliggende eenheid die niet de bovenste eenheid is',
    root_mismatch: 'Regel wijkt af van de bovenste eenheid; een import wijzigt die niet',
    unknown_team: 'Eenheid bestaat niet',
    unknown_person: 'Onbekend personeelsnummer',
    lead_of_unknown_team: 'Leidinggevende van een eenheid die niet bestaat',
    membership_overlap: 'Overlapt een ander lidmaatschap van deze persoon in deze eenheid',
    too_long: 'Waarde is te lang',
    other_organisation: 'Hoort bij een andere organisatie',
    inactive_person: 'Persoon is uit dienst',
    archived_unit: 'Eenheid is gearchiveerd',
    person_rejected: 'De regel van deze persoon in het personenbestand is afgekeurd',
    unit_rejected: 'De regel van deze eenheid in het eenhedenbestand is afgekeurd',
  },
  lines: (lines, inFile) =>
    `${lines.length > 1 ? 'regels' : 'regel'} ${lines.join(', ')}${inFile ? ` van het ${{ units: 'eenhedenbestand', people: 'personenbestand', memberships: 'lidmaatschappenbestand' }[inFile]}` : ''}`,
  maxLength: (n) => `ten hoogste ${n} tekens`,
  kinds: {
    corps: 'korps',
    zone: 'zone',
    regional_unit: 'regionale eenheid',
    district: 'district',
    basisteam: 'basisteam',
    service: 'dienst',
    team: 'team',
  },
  kindNotAllowed: (kind, parent) => `een ${kind} mag niet onder een ${parent} staan`,
  header: { line: 'regel', reason: 'reden' },
};

const EN: Words = {
  reasons: {
    missing_field: 'A required cell is empty',
    unknown_kind: 'Unknown unit kind',
    unknown_role: 'Unknown role (use member or lead)',
    unknown_language: 'Unknown language (use nl, nl-BE or en)',
    invalid_email: 'Not an e-mail address',
    invalid_code: 'Not a valid code (letters, digits, dot, hyphen and underscore only)',
    invalid_date: 'Not a date (dd-mm-yyyy or yyyy-mm-dd)',
    end_before_start: 'The end date lies before the start date',
    formula_cell: 'A cell starts like a formula (=, +, -, @): the row was not read',
    duplicate_unit_code: 'The unit code occurs more than once',
    duplicate_employee_number: 'The employee number occurs more than once',
    duplicate_membership: 'The membership occurs more than once',
    unknown_parent: 'The parent unit is not in the file or was rejected',
    kind_not_allowed: 'This kind of unit may not sit under that parent',
    unit_cycle: 'Units refer to each other in a circle',
    second_root: 'A unit without parent that is not the top unit',
    root_mismatch: 'The row differs from the top unit; an import does not change it',
    unknown_team: 'The unit does not exist',
    unknown_person: 'Unknown employee number',
    lead_of_unknown_team: 'Lead of a unit that does not exist',
    membership_overlap: "Overlaps another of the person's memberships in this unit",
    too_long: 'The value is too long',
    other_organisation: 'Belongs to another organisation',
    inactive_person: 'The person has left',
    archived_unit: 'The unit is archived',
    person_rejected: "The person's row in the people file was rejected",
    unit_rejected: "The unit's row in the units file was rejected",
  },
  lines: (lines, inFile) =>
    `${lines.length > 1 ? 'lines' : 'line'} ${lines.join(', ')}${inFile ? ` of the ${inFile} file` : ''}`,
  maxLength: (n) => `at most ${n} characters`,
  kinds: {
    corps: 'corps',
    zone: 'zone',
    regional_unit: 'regional unit',
    district: 'district',
    basisteam: 'basic team',
    service: 'service',
    team: 'team',
  },
  kindNotAllowed: (kind, parent) => `a ${kind} may not sit under a ${parent}`,
  header: { line: 'line', reason: 'reason' },
};

const wordsFor = (language: Language): Words => (language === 'en' ? EN : NL);

/** The names of the two columns a rejected-rows CSV adds after the file's own. */
export function rejectedColumns(language: Language): { line: string; reason: string } {
  return wordsFor(language).header;
}

/** A rejection's reason in the given language, with its params (never a cell value). */
export function reasonText(
  language: Language,
  code: ImportRejectionCode,
  params: ImportRejectionParams | undefined,
  column: string | null | undefined,
): string {
  const w = wordsFor(language);
  const details: string[] = [];
  if (column) details.push(column);
  if (params?.kind && params.parentKind)
    details.push(w.kindNotAllowed(w.kinds[params.kind], w.kinds[params.parentKind]));
  if (params?.maxLength) details.push(w.maxLength(params.maxLength));
  if (params?.lines?.length) details.push(w.lines(params.lines, params.inFile));
  const base = w.reasons[code] ?? code;
  return details.length ? `${base} (${details.join(' · ')})` : base;
}
