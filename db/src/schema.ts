/**
 * Hand-written table types (house style 7). Table names are singular snake_case.
 * Instants are ISO 8601 UTC text, calendar dates are YYYY-MM-DD text: both sort correctly
 * as text and map to portable column types on SQLite and PostgreSQL.
 */
import type { ColumnType, Insertable, Selectable, Updateable } from 'kysely';

export interface UnitTable {
  id: string;
  parent_id: string | null;
  code: string;
  name: string;
  kind: string;
  /** Materialised path of ids from the root, '/a/b/c/', for subtree checks in one index range. */
  path: string;
  archived_at: string | null;
  created_at: ColumnType<string, string, never>;
}

export interface PersonTable {
  id: string;
  employee_number: string;
  given_name: string;
  family_name: string;
  email: string;
  language: string;
  deactivated_at: string | null;
  created_at: ColumnType<string, string, never>;
}

/** Local login for a person. Other login methods (OIDC) get their own table keyed by person. */
export interface AccountTable {
  person_id: string;
  username: string;
  password_hash: string;
  must_change_password: number;
  password_changed_at: string;
}

export interface MembershipTable {
  id: string;
  person_id: string;
  unit_id: string;
  kind: string;
  joined_on: string;
  /** First day the person is no longer a member; null while current. */
  left_on: string | null;
}

export interface RoleAssignmentTable {
  id: string;
  person_id: string;
  role: string;
  unit_id: string;
  created_at: ColumnType<string, string, never>;
}

export interface SessionTable {
  sid: string;
  /** Whose session, so a password change or deactivation can end all of them. */
  person_id: string | null;
  expires_at: string;
  data: string;
}

export interface LoginThrottleTable {
  key: string;
  failures: number;
  last_failure_at: string;
}

export interface AuditEventTable {
  id: string;
  at: string;
  actor_person_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  /** The organisation (root unit path, '/id/') the event concerns; null when none is known. */
  organisation_path: string | null;
  details: string;
}

export interface ContentPackTable {
  id: string;
  title: string;
  /** The validated pack as JSON. */
  pack: string;
  imported_at: string;
}

export interface ProgrammeTable {
  id: string;
  root_unit_id: string;
  name: string;
  cadence_days: number;
  window_days: number;
  /** JSON array of item ids asked in every wave. */
  anchor_item_ids: string;
  /** JSON array of arrays: the rotating modules, one per wave in turn. */
  modules: string;
  comment_question: number;
  first_opens_on: string;
  created_at: ColumnType<string, string, never>;
  archived_at: string | null;
}

export interface WaveTable {
  id: string;
  programme_id: string;
  sequence: number;
  /** planned, preparing, open, closing, closed */
  state: string;
  opens_on: string;
  closes_on: string;
  /** JSON array of the item ids of this wave, fixed when the wave is planned. */
  item_ids: string;
  comment_question: number;
  /** JSON of the thresholds in force, fixed at open. */
  thresholds: string | null;
  keys_total: number;
  keys_done: number;
  unplaced: number;
  opened_at: string | null;
  closed_at: string | null;
  created_at: ColumnType<string, string, never>;
}

export interface WaveCellTable {
  id: string;
  wave_id: string;
  unit_id: string;
  /** team, remainder or leadership */
  kind: string;
  eligible: number;
  key_id: string | null;
  /** SPKI DER, base64url. */
  public_key: string | null;
  /** '<30%', '30-60%' or '>60%'; recomputed at most daily (INV-6). */
  participation_band: string | null;
  band_computed_on: string | null;
}

export interface WaveEligibilityTable {
  wave_id: string;
  person_id: string;
  cell_id: string;
}

export interface ParticipationTable {
  wave_id: string;
  person_id: string;
}

/** A spent token and its sealed answers. No time, no person, random key. */
export interface ResponseTable {
  token_key: string;
  wave_id: string;
  cell_id: string;
  sealed: string;
}

export interface WaveCommentTable {
  id: string;
  wave_id: string;
  cell_id: string;
  text: string;
}

export interface WaveCellTallyTable {
  wave_id: string;
  cell_id: string;
  respondents: number;
}

export interface WaveItemTallyTable {
  wave_id: string;
  cell_id: string;
  item_id: string;
  option: string;
  count: number;
}

export interface WaveThemeTallyTable {
  wave_id: string;
  cell_id: string;
  theme: string;
  n: number;
  sum: number;
  sum_sq: number;
}

/**
 * A node of a closed wave's published tree (anonymity.md section 3), frozen at close (INV-7).
 * `payload` is the JSON of the PublishedNode fields beyond the node itself (respondents,
 * bands, themes, items, recommendation, comments, trendAllowed...); null when suppressed.
 */
export interface PublishedNodeTable {
  wave_id: string;
  /** 'wave' or 'quarter' (the last three closed waves pooled, stored under the latest). */
  period: string;
  /** `<unitId>`, `<unitId>~remainder` or `<unitId>~leadership`. */
  node_id: string;
  unit_id: string;
  /** unit, team, remainder or leadership */
  kind: string;
  parent_node_id: string | null;
  name: string;
  /** Tree order: depth first, children by name then id. */
  position: number;
  payload: string | null;
  /**
   * JSON array of the statistic classes decided for the node ([] when suppressed), read back by
   * later waves and quarters as the frozen decision (INV-7). Internal: never sent to a client.
   */
  classes: string;
}

/** "You said, we did": one agreed action per team node and quarter. */
export interface TeamActionTable {
  id: string;
  node_id: string;
  /** YYYY-Qn */
  quarter: string;
  what: string;
  theme: string;
  /** YYYY-MM-DD */
  due: string;
  /** planned, in_progress, done */
  status: string;
  /** The person who recorded it. */
  recorded_by: string;
  updated_at: string;
}

// --- roster freeze tables (migration 05) ---

/** A change to a frozen roster, waiting for (or decided by) a second administrator. */
export interface RosterChangeTable {
  id: string;
  /** The organisation (root unit path, '/id/') the change concerns. */
  organisation_path: string;
  /** unit_create, unit_move, unit_archive, membership_add, membership_end, person_deactivate, import */
  kind: string;
  /** What the change does, in plain words (names, no answers). */
  summary: string;
  /** JSON: what the applier replays on approval. */
  payload: string;
  /** JSON array of the ids of the units the change touches. */
  unit_ids: string;
  /** pending, approved, rejected, withdrawn, failed */
  state: string;
  proposed_by: string;
  proposed_at: string;
  decided_by: string | null;
  decided_at: string | null;
  decision_note: string | null;
  /** Why an approval could no longer be applied (state failed). */
  failure: string | null;
}
export type RosterChangeRow = Selectable<RosterChangeTable>;
export type NewRosterChange = Insertable<RosterChangeTable>;

// --- import tables (migration 06) ---
/** An HR import run: a dry run with its report until applied (or handed to four-eyes approval). */
export interface ImportRunTable {
  id: string;
  /** The root unit of the organisation the import syncs. */
  organisation_id: string;
  /** dry_run, applied, pending_approval, rejected, discarded, failed */
  state: string;
  created_at: string;
  created_by: string;
  applied_at: string | null;
  /** JSON array of { kind, name, bytes, rows, delimiter, hadBom, sha256 }. */
  files: string;
  /** JSON of the ImportSummary counts. */
  summary: string;
  rejected_total: number;
  touches_frozen: number;
  /** SHA-256 of the organisation's roster as planned against; apply refuses when it differs. */
  roster_hash: string;
  roster_change_id: string | null;
  /** JSON of the valid parsed rows, kept only until the run is applied, rejected or discarded. */
  input: string | null;
}
/** A rejected row: its reason stays, its cells are cleared with the run's input. */
export interface ImportRejectedTable {
  run_id: string;
  seq: number;
  file: string;
  line: number;
  code: string;
  text: string;
  column_name: string | null;
  /** JSON array of the row's cells as read; null once cleared. */
  cells: string | null;
}
/** One planned change of a run (cleared with its input). */
export interface ImportChangeTable {
  run_id: string;
  seq: number;
  kind: string;
  action: string;
  key: string;
  label: string;
  fields: string | null;
}
export type ImportRunRow = Selectable<ImportRunTable>;

// --- settings tables (migration 07) ---

/** One organisation's settings (its root unit), as JSON; defaults fill what is not set. */
export interface OrganisationSettingTable {
  organisation_id: string;
  settings: string;
  updated_at: string;
  updated_by: string | null;
}

/** One changed setting: who, when, the old and new value (JSON), and from when it applies. */
export interface SettingChangeTable {
  id: string;
  organisation_id: string;
  at: string;
  actor_id: string | null;
  /** Dotted key: 'thresholds.k', 'leaderTerm.nl', 'retention.resultsYears'. */
  key: string;
  old_value: string | null;
  new_value: string | null;
  /** 'next wave' (thresholds) or 'now'. */
  effective_from: string;
}

export type OrganisationSettingRow = Selectable<OrganisationSettingTable>;
export type SettingChangeRow = Selectable<SettingChangeTable>;
export type NewSettingChange = Insertable<SettingChangeTable>;

export interface Database {
  unit: UnitTable;
  person: PersonTable;
  account: AccountTable;
  membership: MembershipTable;
  role_assignment: RoleAssignmentTable;
  session: SessionTable;
  login_throttle: LoginThrottleTable;
  audit_event: AuditEventTable;
  content_pack: ContentPackTable;
  programme: ProgrammeTable;
  wave: WaveTable;
  wave_cell: WaveCellTable;
  wave_eligibility: WaveEligibilityTable;
  participation: ParticipationTable;
  response: ResponseTable;
  wave_comment: WaveCommentTable;
  wave_cell_tally: WaveCellTallyTable;
  wave_item_tally: WaveItemTallyTable;
  wave_theme_tally: WaveThemeTallyTable;
  published_node: PublishedNodeTable;
  team_action: TeamActionTable;
  // roster freeze (05)
  roster_change: RosterChangeTable;
  // import (06)
  import_run: ImportRunTable;
  import_rejected: ImportRejectedTable;
  import_change: ImportChangeTable;
  // settings (07)
  organisation_setting: OrganisationSettingTable;
  setting_change: SettingChangeTable;
}

export type Unit = Selectable<UnitTable>;
export type NewUnit = Insertable<UnitTable>;
export type UnitUpdate = Updateable<UnitTable>;
export type Person = Selectable<PersonTable>;
export type NewPerson = Insertable<PersonTable>;
export type PersonUpdate = Updateable<PersonTable>;
export type Account = Selectable<AccountTable>;
export type NewAccount = Insertable<AccountTable>;
export type Membership = Selectable<MembershipTable>;
export type NewMembership = Insertable<MembershipTable>;
export type RoleAssignment = Selectable<RoleAssignmentTable>;
export type NewRoleAssignment = Insertable<RoleAssignmentTable>;
export type AuditEvent = Selectable<AuditEventTable>;
export type NewAuditEvent = Insertable<AuditEventTable>;
export type Programme = Selectable<ProgrammeTable>;
export type NewProgramme = Insertable<ProgrammeTable>;
export type Wave = Selectable<WaveTable>;
export type NewWave = Insertable<WaveTable>;
export type WaveUpdate = Updateable<WaveTable>;
export type WaveCell = Selectable<WaveCellTable>;
export type NewWaveCell = Insertable<WaveCellTable>;
export type PublishedNodeRow = Selectable<PublishedNodeTable>;
export type NewPublishedNode = Insertable<PublishedNodeTable>;
export type TeamActionRow = Selectable<TeamActionTable>;
export type NewTeamAction = Insertable<TeamActionTable>;
export type TeamActionUpdate = Updateable<TeamActionTable>;
