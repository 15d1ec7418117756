import { Type, type Static } from 'typebox';
import { DateOnly, Id } from './common.ts';

/** A wave's life: planned from the schedule, keys prepared, open, closing, closed. */
export const WAVE_STATES = ['planned', 'preparing', 'open', 'closing', 'closed'] as const;
export type WaveState = (typeof WAVE_STATES)[number];
export const WaveStateSchema = Type.Enum(WAVE_STATES);

export const CELL_KINDS = ['team', 'remainder', 'leadership'] as const;
export type CellKind = (typeof CELL_KINDS)[number];

/** Sizes are shown as bands, never exact (a cell's size is not a secret, but a count invites subtraction). */
export const SIZE_BANDS = ['5-9', '10-19', '20-49', '50+'] as const;
export type SizeBand = (typeof SIZE_BANDS)[number];

/** Participation only as bands, for cells with E >= K_E, at most daily (INV-6). */
export const PARTICIPATION_BANDS = ['<30%', '30-60%', '>60%'] as const;
export type ParticipationBand = (typeof PARTICIPATION_BANDS)[number];

/** Binary values travel as base64url without padding (anonymity.md, wire formats). */
export const Base64Url = (bytes: number) =>
  Type.String({
    pattern: `^[A-Za-z0-9_-]{${Math.ceil((bytes * 4) / 3)}}$`,
  });

export const Programme = Type.Object(
  {
    id: Id,
    rootUnitId: Id,
    rootUnitName: Type.String(),
    name: Type.String(),
    cadenceDays: Type.Integer(),
    windowDays: Type.Integer(),
    firstOpensOn: DateOnly,
    commentQuestion: Type.Boolean(),
    anchorItemIds: Type.Array(Type.String()),
    modules: Type.Array(Type.Array(Type.String())),
  },
  { additionalProperties: false },
);
export type Programme = Static<typeof Programme>;

export const ProgrammeList = Type.Object(
  { items: Type.Array(Programme) },
  { additionalProperties: false },
);

export const CreateProgrammeBody = Type.Object(
  {
    rootUnitId: Id,
    name: Type.String({ minLength: 1, maxLength: 120 }),
    firstOpensOn: DateOnly,
    // Left out, each is the organisation's programme default (its settings).
    cadenceDays: Type.Optional(Type.Integer({ minimum: 7, maximum: 91 })),
    windowDays: Type.Optional(Type.Integer({ minimum: 3, maximum: 28 })),
    commentQuestion: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type CreateProgrammeBody = Static<typeof CreateProgrammeBody>;

export const WaveSummary = Type.Object(
  {
    id: Id,
    programmeId: Id,
    programmeName: Type.String(),
    sequence: Type.Integer({ minimum: 1 }),
    state: WaveStateSchema,
    opensOn: DateOnly,
    closesOn: DateOnly,
    itemIds: Type.Array(Type.String()),
    commentQuestion: Type.Boolean(),
    /** Signing keys generated so far, of the number needed (one per cell). */
    keysDone: Type.Integer({ minimum: 0 }),
    keysTotal: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type WaveSummary = Static<typeof WaveSummary>;

export const WaveList = Type.Object(
  { items: Type.Array(WaveSummary) },
  { additionalProperties: false },
);

export const WaveCellView = Type.Object(
  {
    id: Id,
    unitId: Id,
    unitName: Type.String(),
    kind: Type.Enum(CELL_KINDS),
    eligibleBand: Type.Enum(SIZE_BANDS),
    keyId: Type.Union([Type.String(), Type.Null()]),
    participationBand: Type.Union([Type.Enum(PARTICIPATION_BANDS), Type.Null()]),
  },
  { additionalProperties: false },
);

export const WaveDetail = Type.Object(
  {
    wave: WaveSummary,
    cells: Type.Array(WaveCellView),
    /** People the plan could not place in any cell of K_E or more, with no token this wave. */
    unplaced: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type WaveDetail = Static<typeof WaveDetail>;

/** Public for anyone logged in: one key per cell, so a key can never single out a person (A17). */
export const WaveManifest = Type.Object(
  {
    waveId: Id,
    state: WaveStateSchema,
    cells: Type.Array(
      Type.Object(
        {
          cellId: Id,
          kind: Type.Enum(CELL_KINDS),
          keyId: Type.String(),
          publicKey: Type.String(),
          eligibleBand: Type.Enum(SIZE_BANDS),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type WaveManifest = Static<typeof WaveManifest>;

export const ItemOption = Type.Object(
  { value: Type.Integer(), label: Type.String() },
  { additionalProperties: false },
);

/** An item as the officer sees it: text in their language, the scale's options. */
export const OfficerItem = Type.Object(
  {
    id: Type.String(),
    text: Type.String(),
    options: Type.Array(ItemOption),
    /** The "don't know / not applicable" label when offered, else null. */
    dontKnowLabel: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);
export type OfficerItem = Static<typeof OfficerItem>;

export const MyWave = Type.Object(
  {
    waveId: Id,
    programmeName: Type.String(),
    closesOn: DateOnly,
    cellId: Id,
    keyId: Type.String(),
    publicKey: Type.String(),
    items: Type.Array(OfficerItem),
    commentQuestion: Type.Boolean(),
    /** Whether this person already took a token; only ever shown to themselves. */
    tokenTaken: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type MyWave = Static<typeof MyWave>;

export const MyWaves = Type.Object(
  {
    items: Type.Array(MyWave),
    /**
     * Where the browser sends answers when /submit has an origin of its own (anonymity.md 4.3,
     * TEAMSPIEGEL_SUBMIT_ORIGIN); absent: the page's own origin.
     */
    submitOrigin: Type.Optional(Type.String({ pattern: '^https?://[^/]+$' })),
  },
  { additionalProperties: false },
);
export type MyWaves = Static<typeof MyWaves>;

export const TokenBody = Type.Object(
  { cellId: Id, blindedMessage: Base64Url(256) },
  { additionalProperties: false },
);
export type TokenBody = Static<typeof TokenBody>;

export const TokenResponse = Type.Object(
  { blindSignature: Base64Url(256) },
  { additionalProperties: false },
);
export type TokenResponse = Static<typeof TokenResponse>;

export const MAX_COMMENT_LENGTH = 2000;

export const SubmitBody = Type.Object(
  {
    waveId: Id,
    cellId: Id,
    keyId: Base64Url(16),
    /** The prepared message: 32 random bytes, then the token message. */
    message: Type.String({ pattern: '^[A-Za-z0-9_-]{100,400}$' }),
    signature: Base64Url(256),
    answers: Type.Array(
      Type.Object(
        {
          itemId: Type.String({ maxLength: 60 }),
          value: Type.Union([Type.Integer(), Type.Null()]),
        },
        { additionalProperties: false },
      ),
      { maxItems: 40 },
    ),
    comment: Type.Optional(Type.String({ maxLength: MAX_COMMENT_LENGTH })),
  },
  { additionalProperties: false },
);
export type SubmitBody = Static<typeof SubmitBody>;

/** The one body of every accepted submission, whatever happened (anonymity.md, wire formats). */
export const SubmitAccepted = Type.Object(
  { status: Type.Literal('received') },
  { additionalProperties: false },
);
