import { Type, type Static } from 'typebox';
import { DateOnly, Id } from './common.ts';
import { PARTICIPATION_BANDS, SIZE_BANDS } from './collection.ts';
import { ThemeSchema } from './content.ts';
import { OrganisationSettings } from './settings.ts';

/**
 * Published results (anonymity.md section 3, content.md "Scoring"). Everything here is frozen
 * at close; a response can never carry more than these schemas allow (A24). A suppressed value
 * is `{ suppressed: true }` with no count, mean or reason (INV-10).
 */

/**
 * A node of a wave's published tree. Stable across waves, so trends can follow it:
 * - `<unitId>` a unit (corps, zone, unit, district, basisteam) or a team with a cell of its own;
 * - `<unitId>~remainder` the remainder group of a unit (small teams, newcomers, direct members);
 * - `<unitId>~leadership` the leadership group of a unit (the leads of the units below it).
 */
export const NodeId = Type.String({
  pattern:
    '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(~remainder|~leadership)?$',
  maxLength: 60,
});
export type NodeId = Static<typeof NodeId>;

export const NODE_KINDS = ['unit', 'team', 'remainder', 'leadership'] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

export const PERIODS = ['wave', 'quarter'] as const;
export type Period = (typeof PERIODS)[number];
export const PeriodSchema = Type.Enum(PERIODS);

export const Suppressed = Type.Object(
  { suppressed: Type.Literal(true) },
  { additionalProperties: false },
);

/** "clearly better", "clearly worse" or "no clear change" (content.md); 'none' when no trend may be shown. */
export const CHANGE_VERDICTS = ['better', 'worse', 'no_clear_change', 'none'] as const;
export type ChangeVerdict = (typeof CHANGE_VERDICTS)[number];

export const Change = Type.Object(
  {
    verdict: Type.Enum(CHANGE_VERDICTS),
    /** Points on the 0-100 scale, one decimal; absent when verdict is 'none'. */
    difference: Type.Optional(Type.Number()),
    low: Type.Optional(Type.Number()),
    high: Type.Optional(Type.Number()),
  },
  { additionalProperties: false },
);
export type Change = Static<typeof Change>;

/** A theme score: mean of respondent scores (0-100, one decimal) with its 95% t-interval. */
export const ThemeScore = Type.Object(
  {
    theme: ThemeSchema,
    score: Type.Number(),
    low: Type.Number(),
    high: Type.Number(),
    /** Respondents with a valid theme score (two-thirds rule). */
    n: Type.Integer({ minimum: 0 }),
    /** Against the previous published wave (or quarter) of the same node. */
    change: Change,
  },
  { additionalProperties: false },
);
export type ThemeScore = Static<typeof ThemeScore>;

export const ThemeResult = Type.Union([
  ThemeScore,
  Type.Object(
    { theme: ThemeSchema, suppressed: Type.Literal(true) },
    { additionalProperties: false },
  ),
]);
export type ThemeResult = Static<typeof ThemeResult>;

/** Per item: from K respondents mean and interval only; from K_dist distribution and % favourable too. */
export const ItemScore = Type.Object(
  {
    itemId: Type.String(),
    anchor: Type.Boolean(),
    /** Valid answers (don't know excluded). */
    n: Type.Integer({ minimum: 0 }),
    /** Mean on the item's own scale after reverse keying, one decimal. */
    mean: Type.Number(),
    /** Mean as POMP 0-100 with its 95% t-interval, one decimal. */
    pomp: Type.Number(),
    low: Type.Number(),
    high: Type.Number(),
    /** Whole percent of respondents of the item who chose "don't know". */
    dontKnowPct: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    /** Only from K_dist respondents: whole percents, Wilson 95% interval on favourable. */
    favourablePct: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    favourableLow: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    favourableHigh: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    unfavourablePct: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    /** Whole percents per raw scale value, lowest first; only from K_dist respondents. */
    distribution: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 100 }))),
  },
  { additionalProperties: false },
);
export type ItemScore = Static<typeof ItemScore>;

export const ItemResult = Type.Union([
  ItemScore,
  Type.Object(
    { itemId: Type.String(), anchor: Type.Boolean(), suppressed: Type.Literal(true) },
    { additionalProperties: false },
  ),
]);
export type ItemResult = Static<typeof ItemResult>;

/** Recommendation question (0-10): % 9-10 minus % 0-6, unit level and up, n >= 30. */
export const Recommendation = Type.Object(
  {
    score: Type.Integer({ minimum: -100, maximum: 100 }),
    n: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);

export const NodeRef = Type.Object(
  {
    nodeId: NodeId,
    unitId: Id,
    kind: Type.Enum(NODE_KINDS),
    /** The unit's name; the web adds "remainder group" / "leadership" for those kinds. */
    name: Type.String(),
    parentNodeId: Type.Union([NodeId, Type.Null()]),
  },
  { additionalProperties: false },
);
export type NodeRef = Static<typeof NodeRef>;

export const PublishedNode = Type.Object(
  {
    waveId: Id,
    nodeId: NodeId,
    period: PeriodSchema,
    node: NodeRef,
    respondents: Type.Integer({ minimum: 0 }),
    eligibleBand: Type.Enum(SIZE_BANDS),
    participationBand: Type.Enum(PARTICIPATION_BANDS),
    /** Participation under 60%: shown as a badge, never a reason to suppress. */
    interpretWithCare: Type.Boolean(),
    /** False when the group's roster changed by 1..D-1 people since the last wave (INV-8). */
    trendAllowed: Type.Boolean(),
    themes: Type.Array(ThemeResult),
    items: Type.Array(ItemResult),
    recommendation: Type.Union([Recommendation, Suppressed]),
    /**
     * Comments only for groups with R >= K_comment; else they are shown at `movedTo`. `removed`
     * once the organisation's retention period for comments has passed (the one change a frozen
     * publication gets: a removal, never a new number).
     */
    comments: Type.Union([
      Type.Object({ texts: Type.Array(Type.String()) }, { additionalProperties: false }),
      Type.Object(
        { suppressed: Type.Literal(true), movedTo: Type.Optional(NodeId) },
        { additionalProperties: false },
      ),
      Type.Object({ removed: Type.Literal(true) }, { additionalProperties: false }),
    ]),
  },
  { additionalProperties: false },
);
export type PublishedNode = Static<typeof PublishedNode>;

export const SuppressedNode = Type.Object(
  {
    waveId: Id,
    nodeId: NodeId,
    period: PeriodSchema,
    node: NodeRef,
    suppressed: Type.Literal(true),
  },
  { additionalProperties: false },
);
export type SuppressedNode = Static<typeof SuppressedNode>;

export const NodeResult = Type.Union([PublishedNode, SuppressedNode]);
export type NodeResult = Static<typeof NodeResult>;

export const NodeResultParams = Type.Object(
  { waveId: Id, nodeId: NodeId },
  { additionalProperties: false },
);
export const PeriodQuery = Type.Object(
  { period: Type.Optional(Type.Enum(PERIODS, { default: 'wave' })) },
  { additionalProperties: false },
);

/** A closed wave whose results the viewer can open. */
export const ResultWave = Type.Object(
  {
    waveId: Id,
    programmeId: Id,
    programmeName: Type.String(),
    sequence: Type.Integer(),
    opensOn: DateOnly,
    closesOn: DateOnly,
    /**
     * The word of the wave's organisation for a team lead, per language, to fill `{lead}` in the
     * item texts as they were asked. The only setting a results viewer is sent.
     */
    leaderTerm: OrganisationSettings.properties.leaderTerm,
  },
  { additionalProperties: false },
);
export type ResultWave = Static<typeof ResultWave>;

/**
 * Where the viewer stands: closed waves, the nodes they may open (INV-5: access selects
 * subsets of one publication), and their "own" nodes to start from.
 */
export const ResultsOverview = Type.Object(
  {
    waves: Type.Array(ResultWave),
    /** Every node the viewer may open, in tree order, across the viewer's programmes. */
    nodes: Type.Array(NodeRef),
    /** Where to start: the officer's own group, the teams a lead leads, a chief's unit, HR's root. */
    home: Type.Array(NodeId),
    /** When the viewer's team answered inside another group this wave (INV-11), that group. */
    mergedInto: Type.Union([NodeId, Type.Null()]),
    canExport: Type.Boolean(),
    canRecordAction: Type.Array(NodeId),
  },
  { additionalProperties: false },
);
export type ResultsOverview = Static<typeof ResultsOverview>;

/** One wave of a node's trend: theme scores and anchor items, or suppressed. */
export const TrendPoint = Type.Object(
  {
    waveId: Id,
    opensOn: DateOnly,
    /**
     * False when the node's roster changed by 1..D-1 people since the wave before (INV-8): the
     * line must break before this point, which starts a new group composition. True for a
     * suppressed point.
     */
    trendAllowed: Type.Boolean(),
    result: Type.Union([
      Type.Object(
        {
          themes: Type.Array(ThemeResult),
          anchors: Type.Array(ItemResult),
        },
        { additionalProperties: false },
      ),
      Suppressed,
    ]),
  },
  { additionalProperties: false },
);
export const Trend = Type.Object(
  { nodeId: NodeId, period: PeriodSchema, points: Type.Array(TrendPoint) },
  { additionalProperties: false },
);
export type Trend = Static<typeof Trend>;

/** Heatmap: rows are one level of nodes (the children of `nodeId`), columns the themes. */
export const HeatmapQuery = Type.Object(
  {
    nodeId: Type.Optional(NodeId),
    period: Type.Optional(Type.Enum(PERIODS, { default: 'wave' })),
  },
  { additionalProperties: false },
);
export const HeatmapRow = Type.Object(
  {
    node: NodeRef,
    hasChildren: Type.Boolean(),
    result: Type.Union([
      Type.Object(
        {
          respondents: Type.Integer({ minimum: 0 }),
          participationBand: Type.Enum(PARTICIPATION_BANDS),
          interpretWithCare: Type.Boolean(),
          themes: Type.Array(ThemeResult),
        },
        { additionalProperties: false },
      ),
      Suppressed,
    ]),
  },
  { additionalProperties: false },
);
export const Heatmap = Type.Object(
  {
    waveId: Id,
    period: PeriodSchema,
    parent: HeatmapRow,
    rows: Type.Array(HeatmapRow),
  },
  { additionalProperties: false },
);
export type Heatmap = Static<typeof Heatmap>;

/** Two published nodes of one wave, per theme the difference a - b with its 95% interval. */
export const CompareQuery = Type.Object(
  { a: NodeId, b: NodeId, period: Type.Optional(Type.Enum(PERIODS, { default: 'wave' })) },
  { additionalProperties: false },
);
export const Comparison = Type.Object(
  {
    waveId: Id,
    a: NodeRef,
    b: NodeRef,
    themes: Type.Array(
      Type.Union([
        Type.Object(
          {
            theme: ThemeSchema,
            a: Type.Number(),
            b: Type.Number(),
            difference: Type.Number(),
            low: Type.Number(),
            high: Type.Number(),
            verdict: Type.Enum(CHANGE_VERDICTS),
          },
          { additionalProperties: false },
        ),
        Type.Object(
          { theme: ThemeSchema, suppressed: Type.Literal(true) },
          { additionalProperties: false },
        ),
      ]),
    ),
  },
  { additionalProperties: false },
);
export type Comparison = Static<typeof Comparison>;

/** "You said, we did": one action per team per quarter, agreed with the team. */
export const ACTION_STATUSES = ['planned', 'in_progress', 'done'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];
export const TeamAction = Type.Object(
  {
    id: Id,
    nodeId: NodeId,
    /** The quarter as YYYY-Qn of the wave it follows. */
    quarter: Type.String({ pattern: '^\\d{4}-Q[1-4]$' }),
    what: Type.String(),
    theme: ThemeSchema,
    due: DateOnly,
    status: Type.Enum(ACTION_STATUSES),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type TeamAction = Static<typeof TeamAction>;
export const TeamActionList = Type.Object(
  { items: Type.Array(TeamAction) },
  { additionalProperties: false },
);
export const SaveTeamActionBody = Type.Object(
  {
    quarter: Type.String({ pattern: '^\\d{4}-Q[1-4]$' }),
    /** At least three characters once trimmed (stored trimmed); whitespace alone is refused. */
    what: Type.String({ minLength: 3, maxLength: 500, pattern: '^\\s*\\S[\\s\\S]+\\S\\s*$' }),
    theme: ThemeSchema,
    due: DateOnly,
    status: Type.Enum(ACTION_STATUSES),
  },
  { additionalProperties: false },
);
export type SaveTeamActionBody = Static<typeof SaveTeamActionBody>;
export const NodeParams = Type.Object({ nodeId: NodeId }, { additionalProperties: false });
