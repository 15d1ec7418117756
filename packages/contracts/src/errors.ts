import { Type, type Static } from 'typebox';

/**
 * Every stable error code the API can answer with. The web app translates each one;
 * adding a code here without a translation fails svelte-check there.
 */
export const ERROR_CODES = [
  'bad_request',
  'validation_failed',
  'malformed_json',
  'unsupported_media_type',
  'payload_too_large',
  'unauthenticated',
  'session_expired',
  'forbidden',
  'csrf_invalid',
  'origin_mismatch',
  'not_found',
  'conflict',
  'invalid_credentials',
  'login_throttled',
  'rate_limited',
  'password_too_weak',
  'password_reused',
  'password_change_required',
  'employee_number_taken',
  'username_taken',
  'unit_code_taken',
  'unit_cycle',
  'unit_archived',
  'unit_has_active_children',
  'unit_has_members',
  'unit_kind_not_allowed',
  'root_unit_immutable',
  'person_inactive',
  'membership_overlap',
  'membership_dates_invalid',
  'role_scope_invalid',
  'role_already_assigned',
  'programme_root_invalid',
  'wave_state_conflict',
  'wave_not_open',
  'not_eligible',
  'token_already_taken',
  'invalid_token',
  'invalid_answers',
  'content_pack_invalid',
  // --- issue 6: roster freeze ---
  'four_eyes_required',
  'four_eyes_related',
  'roster_change_not_pending',
  'roster_change_failed',
  'wave_open_early_roster_changed',
  // --- issue 6: import ---
  'import_no_files',
  'import_unexpected_field',
  'import_empty_file',
  'import_not_utf8',
  'import_too_large',
  'import_missing_columns',
  'import_unknown_delimiter',
  'import_has_rejections',
  'import_stale',
  'import_state_conflict',
  'import_organisation_required',
  // --- issue 6: settings ---
  'threshold_lowering_refused',
  'settings_invalid',
  // --- issue 6: transparency ---
  // --- issue 6: operations ---
  'internal_error',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const ErrorBody = Type.Object(
  {
    code: Type.Enum(ERROR_CODES),
    message: Type.String(),
  },
  { additionalProperties: false },
);
export type ErrorBody = Static<typeof ErrorBody>;
