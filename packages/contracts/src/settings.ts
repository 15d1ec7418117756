import { Type, type Static } from 'typebox';
import { Id, Instant, Page, PagingQuery } from './common.ts';

/**
 * Organisation settings (A13 design, anonymity.md section 3): the thresholds an organisation
 * has raised above the floors, its word for a team lead, where an officer finds the
 * confidential adviser and the complaints route, programme defaults and retention periods.
 * The schema checks shape; the raise-only and link rules are in core (settings.ts), so a
 * refusal names the threshold and its current value.
 */
export const ThresholdsSchema = Type.Object(
  {
    k: Type.Integer({ minimum: 1, maximum: 1000 }),
    kE: Type.Integer({ minimum: 1, maximum: 1000 }),
    kDist: Type.Integer({ minimum: 1, maximum: 1000 }),
    kSens: Type.Integer({ minimum: 1, maximum: 1000 }),
    kComment: Type.Integer({ minimum: 1, maximum: 1000 }),
    d: Type.Integer({ minimum: 1, maximum: 1000 }),
  },
  { additionalProperties: false },
);
export type ThresholdsDto = Static<typeof ThresholdsSchema>;
export const THRESHOLD_KEYS = ['k', 'kE', 'kDist', 'kSens', 'kComment', 'd'] as const;
export type ThresholdKey = (typeof THRESHOLD_KEYS)[number];

const LeaderWord = Type.String({ minLength: 1, maxLength: 60 });
/** An https URL or a mailto: address; null when the organisation has not set one. */
const Link = Type.Union([Type.String({ minLength: 1, maxLength: 500 }), Type.Null()]);

export const OrganisationSettings = Type.Object(
  {
    thresholds: ThresholdsSchema,
    /** The organisation's word for a team lead, filled into `{lead}` in item texts. */
    leaderTerm: Type.Object(
      { nl: LeaderWord, 'nl-BE': LeaderWord, en: LeaderWord },
      { additionalProperties: false },
    ),
    links: Type.Object(
      { confidentialAdviser: Link, complaints: Link },
      { additionalProperties: false },
    ),
    /** Used as the defaults when an administrator creates a programme. */
    programmeDefaults: Type.Object(
      {
        cadenceDays: Type.Integer({ minimum: 7, maximum: 91 }),
        windowDays: Type.Integer({ minimum: 3, maximum: 28 }),
        commentQuestion: Type.Boolean(),
      },
      { additionalProperties: false },
    ),
    retention: Type.Object(
      {
        /** Published results are kept this many years. */
        resultsYears: Type.Integer({ minimum: 1, maximum: 50 }),
        /** Comments are kept this many months. */
        commentsMonths: Type.Integer({ minimum: 1, maximum: 600 }),
      },
      { additionalProperties: false },
    ),
    /**
     * Roster freeze (anonymity.md 4.1): changes to the units of a programme whose next wave
     * opens within this many days (or is running) need a second administrator.
     */
    roster: Type.Object(
      { freezeWindowDays: Type.Integer({ minimum: 0, maximum: 91 }) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type OrganisationSettings = Static<typeof OrganisationSettings>;

export const SettingsQuery = Type.Object(
  { organisationId: Type.Optional(Id) },
  { additionalProperties: false },
);
export type SettingsQuery = Static<typeof SettingsQuery>;

export const SettingsView = Type.Object(
  {
    organisationId: Id,
    organisationName: Type.String(),
    /** Every organisation the reader may read the settings of, to switch between them. */
    organisations: Type.Array(
      Type.Object({ id: Id, name: Type.String() }, { additionalProperties: false }),
    ),
    settings: OrganisationSettings,
    /** The floors in code: no organisation goes below them. */
    floors: ThresholdsSchema,
    /** Whether the reader may change them (administrators); the works council reads. */
    canManage: Type.Boolean(),
    updatedAt: Type.Union([Instant, Type.Null()]),
  },
  { additionalProperties: false },
);
export type SettingsView = Static<typeof SettingsView>;

/** The whole settings object, as the page holds it; the server works out what changed. */
export const UpdateSettingsBody = Type.Object(
  { organisationId: Type.Optional(Id), settings: OrganisationSettings },
  { additionalProperties: false },
);
export type UpdateSettingsBody = Static<typeof UpdateSettingsBody>;

export const SettingValue = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]);
export type SettingValue = Static<typeof SettingValue>;

export const EFFECTIVE_FROM = ['next wave', 'now'] as const;
export type EffectiveFrom = (typeof EFFECTIVE_FROM)[number];

export const SettingChange = Type.Object(
  {
    id: Id,
    at: Instant,
    actorId: Type.Union([Id, Type.Null()]),
    actorName: Type.Union([Type.String(), Type.Null()]),
    /** Dotted key: 'thresholds.k', 'leaderTerm.nl', 'links.complaints'. */
    key: Type.String(),
    oldValue: SettingValue,
    newValue: SettingValue,
    effectiveFrom: Type.Enum(EFFECTIVE_FROM),
  },
  { additionalProperties: false },
);
export type SettingChange = Static<typeof SettingChange>;

export const SettingsHistoryQuery = Type.Object(
  { organisationId: Type.Optional(Id), ...PagingQuery },
  { additionalProperties: false },
);
export type SettingsHistoryQuery = Static<typeof SettingsHistoryQuery>;

export const SettingsHistory = Page(SettingChange);
export type SettingsHistory = Static<typeof SettingsHistory>;

/** What an officer sees next to the comment box: where to go with something serious. */
export const SupportLinks = Type.Object(
  { confidentialAdviser: Link, complaints: Link },
  { additionalProperties: false },
);
export type SupportLinks = Static<typeof SupportLinks>;
