import { Type, type Static } from 'typebox';
import { Id, Instant, Page, PagingQuery } from './common.ts';
import { UnitKindSchema } from './org.ts';

/**
 * HR import (journey 4): org units, people and dated memberships from the CSV files an HR system
 * exports. POST creates a dry run with its report; nothing changes until POST /apply.
 */

export const IMPORT_FILE_KINDS = ['units', 'people', 'memberships'] as const;
export type ImportFileKind = (typeof IMPORT_FILE_KINDS)[number];
export const ImportFileKindSchema = Type.Enum(IMPORT_FILE_KINDS);

export const IMPORT_RUN_STATES = [
  'dry_run',
  'applied',
  'pending_approval',
  'rejected',
  'discarded',
  'failed',
] as const;
export type ImportRunState = (typeof IMPORT_RUN_STATES)[number];
export const ImportRunStateSchema = Type.Enum(IMPORT_RUN_STATES);

/**
 * Why a row was rejected. The `reason` text beside it says it in English words with the values
 * involved (for logs and API clients); a screen words the code with its params in its own language.
 */
export const IMPORT_REJECTION_CODES = [
  'missing_field',
  'unknown_kind',
  'unknown_role',
  'unknown_language',
  'invalid_email',
  'invalid_code',
  'invalid_date',
  'end_before_start',
  'formula_cell',
  'duplicate_unit_code',
  'duplicate_employee_number',
  'duplicate_membership',
  'unknown_parent',
  'kind_not_allowed',
  'unit_cycle',
  'second_root',
  'root_mismatch',
  'unknown_team',
  'unknown_person',
  'lead_of_unknown_team',
  'membership_overlap',
  'too_long',
  'other_organisation',
  'inactive_person',
  'archived_unit',
  /** A membership of a person whose row in the people file was rejected (params.lines). */
  'person_rejected',
  /** A membership in a unit whose row in the units file was rejected (params.lines). */
  'unit_rejected',
] as const;
export type ImportRejectionCode = (typeof IMPORT_REJECTION_CODES)[number];
export const ImportRejectionCodeSchema = Type.Enum(IMPORT_REJECTION_CODES);

/**
 * Value-free facts about a rejection, for a screen to word it in its own language: never a cell
 * value of the row (those stay in the English text and in rejected.csv).
 */
export const ImportRejectionParams = Type.Object(
  {
    /**
     * The other lines involved: the other rows with the same key (duplicates), the row it overlaps,
     * or the rejected row of the person or unit it names (in `inFile`).
     */
    lines: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }))),
    /** The file `lines` are in, when it is another file than the rejected row's. */
    inFile: Type.Optional(ImportFileKindSchema),
    /** too_long: the most characters the column holds. */
    maxLength: Type.Optional(Type.Integer({ minimum: 1 })),
    /** kind_not_allowed: the row's unit kind and the kind of its parent. */
    kind: Type.Optional(UnitKindSchema),
    parentKind: Type.Optional(UnitKindSchema),
  },
  { additionalProperties: false },
);
export type ImportRejectionParams = Static<typeof ImportRejectionParams>;

export const ImportFile = Type.Object(
  {
    kind: ImportFileKindSchema,
    /** The file name as uploaded. */
    name: Type.String(),
    bytes: Type.Integer({ minimum: 0 }),
    /** Data rows, without the header. */
    rows: Type.Integer({ minimum: 0 }),
    delimiter: Type.Union([Type.Literal(';'), Type.Literal(',')]),
    hadBom: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type ImportFile = Static<typeof ImportFile>;

const Count = Type.Integer({ minimum: 0 });

export const ImportSummary = Type.Object(
  {
    units: Type.Object(
      { create: Count, change: Count, move: Count, archive: Count, unchanged: Count },
      { additionalProperties: false },
    ),
    people: Type.Object(
      { create: Count, change: Count, deactivate: Count, unchanged: Count },
      { additionalProperties: false },
    ),
    memberships: Type.Object(
      { add: Count, end: Count, change: Count, unchanged: Count },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type ImportSummary = Static<typeof ImportSummary>;

export const ImportRejectedRow = Type.Object(
  {
    file: ImportFileKindSchema,
    /** Line number in the file as an editor shows it: the header is line 1. */
    line: Type.Integer({ minimum: 1 }),
    reason: Type.Object(
      {
        code: ImportRejectionCodeSchema,
        /** English, with the row's values: for logs and API clients, not for a translated screen. */
        text: Type.String(),
        params: Type.Optional(ImportRejectionParams),
      },
      { additionalProperties: false },
    ),
    /** The column (as named in the file's header) the reason is about, when it is about one. */
    column: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type ImportRejectedRow = Static<typeof ImportRejectedRow>;

/** At most this many rejected rows are listed in an ImportRun; rejected.csv holds them all. */
export const IMPORT_REJECTED_LISTED = 200;

export const ImportRun = Type.Object(
  {
    id: Id,
    state: ImportRunStateSchema,
    createdAt: Instant,
    createdBy: Type.Object({ id: Id, name: Type.String() }, { additionalProperties: false }),
    appliedAt: Type.Optional(Instant),
    /** Who applied the run: the administrator who confirmed it, or the four-eyes approver. */
    appliedBy: Type.Optional(
      Type.Object({ id: Id, name: Type.String() }, { additionalProperties: false }),
    ),
    files: Type.Array(ImportFile),
    summary: ImportSummary,
    rejected: Type.Object(
      {
        total: Count,
        /** The first IMPORT_REJECTED_LISTED rejected rows, in file order (units, people, memberships). */
        rows: Type.Array(ImportRejectedRow),
        /** Rejected rows per file: a download link for each file that has any (rejected.csv?file=). */
        perFile: Type.Optional(
          Type.Object(
            { units: Count, people: Count, memberships: Count },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false },
    ),
    /** The plan touches units of a wave being prepared, open or closing: apply goes to four-eyes approval. */
    touchesFrozen: Type.Boolean(),
    /** Set once apply handed the run to the four-eyes queue. */
    rosterChangeId: Type.Optional(Id),
  },
  { additionalProperties: false },
);
export type ImportRun = Static<typeof ImportRun>;

export const ImportRunSummary = Type.Object(
  {
    id: Id,
    state: ImportRunStateSchema,
    createdAt: Instant,
    createdBy: Type.Object({ id: Id, name: Type.String() }, { additionalProperties: false }),
    appliedAt: Type.Optional(Instant),
    /** Who applied the run: the administrator who confirmed it, or the four-eyes approver. */
    appliedBy: Type.Optional(
      Type.Object({ id: Id, name: Type.String() }, { additionalProperties: false }),
    ),
    files: Type.Array(
      Type.Object(
        { kind: ImportFileKindSchema, name: Type.String() },
        { additionalProperties: false },
      ),
    ),
    summary: ImportSummary,
    rejectedTotal: Count,
  },
  { additionalProperties: false },
);
export type ImportRunSummary = Static<typeof ImportRunSummary>;

/** An organisation an administrator may import into (org:manage and people:manage on its root). */
export const ImportOrganisation = Type.Object(
  { id: Id, name: Type.String() },
  { additionalProperties: false },
);
export type ImportOrganisation = Static<typeof ImportOrganisation>;

/**
 * Which organisation an upload is for: required when the administrator may import into more
 * than one; without it the list shows the runs of every organisation they may import into.
 */
export const ImportOrganisationQuery = Type.Object(
  { organisationId: Type.Optional(Id) },
  { additionalProperties: false },
);
export type ImportOrganisationQuery = Static<typeof ImportOrganisationQuery>;

export const ImportRunsQuery = Type.Object(
  { ...PagingQuery, organisationId: Type.Optional(Id) },
  { additionalProperties: false },
);
export type ImportRunsQuery = Static<typeof ImportRunsQuery>;

export const ImportRunsPage = Type.Object(
  {
    ...Page(ImportRunSummary).properties,
    /** The organisations the administrator may import into, by name. */
    organisations: Type.Array(ImportOrganisation),
  },
  { additionalProperties: false },
);
export type ImportRunsPage = Static<typeof ImportRunsPage>;

export const ImportParams = Type.Object({ importId: Id }, { additionalProperties: false });
export type ImportParams = Static<typeof ImportParams>;

export const IMPORT_CHANGE_KINDS = ['unit', 'person', 'membership'] as const;
export type ImportChangeKind = (typeof IMPORT_CHANGE_KINDS)[number];
export const ImportChangeKindSchema = Type.Enum(IMPORT_CHANGE_KINDS);

export const IMPORT_CHANGE_ACTIONS = [
  'create',
  'change',
  'move',
  'deactivate',
  'archive',
  'end',
  'add',
] as const;
export type ImportChangeAction = (typeof IMPORT_CHANGE_ACTIONS)[number];
export const ImportChangeActionSchema = Type.Enum(IMPORT_CHANGE_ACTIONS);

export const ImportChangeField = Type.Object(
  {
    field: Type.String(),
    from: Type.Union([Type.String(), Type.Null()]),
    to: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);
export type ImportChangeField = Static<typeof ImportChangeField>;

/**
 * One planned change. Units: create, change (name/kind), move (new parent), archive.
 * People: create, change (names, e-mail, language), move (to a new team), deactivate.
 * Memberships: add, change (dates), end.
 */
export const ImportChange = Type.Object(
  {
    kind: ImportChangeKindSchema,
    action: ImportChangeActionSchema,
    /** Unit code or employee number (memberships: employee number). */
    key: Type.String(),
    /** A readable name: the unit's name, the person's name, or "person → unit (role)". */
    label: Type.String(),
    fields: Type.Optional(Type.Array(ImportChangeField)),
  },
  { additionalProperties: false },
);
export type ImportChange = Static<typeof ImportChange>;

export const ImportChangesQuery = Type.Object(
  { kind: Type.Optional(ImportChangeKindSchema), ...PagingQuery },
  { additionalProperties: false },
);
export type ImportChangesQuery = Static<typeof ImportChangesQuery>;

export const ImportChangesPage = Page(ImportChange);
export type ImportChangesPage = Static<typeof ImportChangesPage>;

/**
 * Which file's rejected rows to download, in that file's own columns (then line and reason), so
 * HR can correct them and upload the same shape again. Without it: the first file with any.
 */
export const RejectedCsvQuery = Type.Object(
  { file: Type.Optional(ImportFileKindSchema) },
  { additionalProperties: false },
);
export type RejectedCsvQuery = Static<typeof RejectedCsvQuery>;

export const ApplyImportBody = Type.Object(
  { acceptValidPart: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export type ApplyImportBody = Static<typeof ApplyImportBody>;

/** Default upload limit per file (TEAMSPIEGEL_IMPORT_MAX_BYTES overrides it). */
export const IMPORT_MAX_BYTES_DEFAULT = 50 * 1024 * 1024;
