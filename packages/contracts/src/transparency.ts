import { Type, type Static } from 'typebox';
import { CELL_KINDS, WaveStateSchema } from './collection.ts';
import { DateOnly, Id } from './common.ts';

/**
 * The transparency page of a wave (product.md journey 5): what anyone logged in in the wave's
 * organisation may check about the promises. It never says anything about respondents: no
 * counts, no participation, nothing beyond what the published results show.
 */

/**
 * Cell sizes on the transparency page, as bands: an exact eligible count would invite
 * subtraction between waves and between a unit and its teams.
 */
export const TRANSPARENCY_SIZE_BANDS = ['5-9', '10-19', '20-49', '50-99', '100+'] as const;
export type TransparencySizeBand = (typeof TRANSPARENCY_SIZE_BANDS)[number];
export const TransparencySizeBandSchema = Type.Enum(TRANSPARENCY_SIZE_BANDS);

/** The thresholds of anonymity.md section 3 as fixed for the wave when it was prepared. */
export const TransparencyThresholds = Type.Object(
  {
    k: Type.Integer({ minimum: 1 }),
    kE: Type.Integer({ minimum: 1 }),
    kDist: Type.Integer({ minimum: 1 }),
    kSens: Type.Integer({ minimum: 1 }),
    kComment: Type.Integer({ minimum: 1 }),
    d: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
);
export type TransparencyThresholds = Static<typeof TransparencyThresholds>;

/** Whether the wave's signing keys are still held (collecting) or destroyed at close. */
export const KEY_STATUSES = ['being_made', 'held', 'destroyed'] as const;
export type KeyStatus = (typeof KEY_STATUSES)[number];

export const TransparencyWave = Type.Object(
  {
    id: Id,
    programmeName: Type.String(),
    /** The unit the programme covers (its organisation or a part of it). */
    rootUnitName: Type.String(),
    sequence: Type.Integer({ minimum: 1 }),
    state: WaveStateSchema,
    opensOn: DateOnly,
    closesOn: DateOnly,
  },
  { additionalProperties: false },
);
export type TransparencyWave = Static<typeof TransparencyWave>;

export const TransparencyWaveList = Type.Object(
  { items: Type.Array(TransparencyWave) },
  { additionalProperties: false },
);
export type TransparencyWaveList = Static<typeof TransparencyWaveList>;

/** How many cells of a kind fall in a size band. */
export const CellBandCount = Type.Object(
  {
    kind: Type.Enum(CELL_KINDS),
    band: TransparencySizeBandSchema,
    cells: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type CellBandCount = Static<typeof CellBandCount>;

export const TransparencyCell = Type.Object(
  {
    cellId: Id,
    /** The unit the cell collects for (the team, or the unit holding a remainder or leadership group). */
    unitName: Type.String(),
    /** The unit above it, to tell teams of the same name apart; null at the root. */
    parentUnitName: Type.Union([Type.String(), Type.Null()]),
    kind: Type.Enum(CELL_KINDS),
    eligibleBand: TransparencySizeBandSchema,
    /** The key id the manifest lists for this cell; null while keys are being made. */
    keyId: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);
export type TransparencyCell = Static<typeof TransparencyCell>;

export const TransparencyQuery = Type.Object(
  {
    /** The page of the cell plan; cells are ordered by their place in the unit tree. */
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, default: 1 })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  },
  { additionalProperties: false },
);
export type TransparencyQuery = Static<typeof TransparencyQuery>;

export const TransparencyPage = Type.Object(
  {
    wave: TransparencyWave,
    /** The thresholds in force for this wave (fixed when it was prepared). */
    thresholds: TransparencyThresholds,
    /**
     * The smallest group anyone can reach by subtracting published groups, per kind of
     * statistic: D for scores, at least K_dist for distributions, at least 10 for incidents.
     */
    subtraction: Type.Object(
      {
        scores: Type.Integer({ minimum: 1 }),
        distributions: Type.Integer({ minimum: 1 }),
        incidents: Type.Integer({ minimum: 1 }),
      },
      { additionalProperties: false },
    ),
    cellPlan: Type.Object(
      {
        totalCells: Type.Integer({ minimum: 0 }),
        counts: Type.Array(CellBandCount),
        cells: Type.Array(TransparencyCell),
        page: Type.Integer({ minimum: 1 }),
        pageSize: Type.Integer({ minimum: 1 }),
      },
      { additionalProperties: false },
    ),
    keys: Type.Object(
      {
        status: Type.Enum(KEY_STATUSES),
        /** The wave manifest (every cell's public key), for checking one key per cell. */
        manifestPath: Type.String(),
      },
      { additionalProperties: false },
    ),
    codeVersion: Type.Object(
      {
        /** The version in the root package.json, when it names one. */
        version: Type.Union([Type.String(), Type.Null()]),
        /** The git commit the server runs, when known. */
        commit: Type.Union([Type.String(), Type.Null()]),
      },
      { additionalProperties: false },
    ),
    retention: Type.Object(
      {
        /** How long published results are kept. */
        resultsYears: Type.Integer({ minimum: 0 }),
        /** How long released comments are kept. */
        commentsMonths: Type.Integer({ minimum: 0 }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type TransparencyPage = Static<typeof TransparencyPage>;
