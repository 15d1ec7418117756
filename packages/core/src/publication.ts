/**
 * The shape of a wave's publication decision (anonymity.md section 3). Shared by the
 * disclosure-control engine (disclosure.ts), which decides, and the scoring summaries
 * (results.ts), which only ever compute what was decided.
 */

/**
 * Kinds of published statistic, each with its own primary threshold, subtraction minimum and
 * allowed levels (docs/anonymity.md "Publication classes"):
 * - score: item means and theme scores of team-level items (K, D; every level);
 * - distribution: distributions and % favourable (K_dist; always a subset of score);
 * - unit_score: means of unit-level items (K, D; unit level and up);
 * - recommendation: the 0-10 recommendation score (30 respondents; unit level and up);
 * - incident: incident items (K_sens, D >= 10; unit level and up, never team level);
 * - comment: free-text comments (K_comment, and K_comment for subtraction too).
 */
export const STATISTIC_CLASSES = [
  'score',
  'distribution',
  'unit_score',
  'recommendation',
  'incident',
  'comment',
] as const;
export type StatisticClass = (typeof STATISTIC_CLASSES)[number];

/** Respondents needed for a recommendation score (content.md). */
export const RECOMMENDATION_MIN_RESPONDENTS = 30;

/**
 * A node of the tree the engine decides over. Cells (team, remainder and leadership groups)
 * are leaves at team level; units above them are the sums of the cells below.
 */
export interface DisclosureNode {
  id: string;
  parentId: string | null;
  level: 'cell' | 'unit';
  /** E: eligible members in the roster snapshot at open (sum over cells for a unit). */
  eligible: number;
  /** R: respondents at close (sum over cells for a unit). */
  respondents: number;
}

/** For every node id, the statistic classes that may be published for it; absent = none. */
export type Publication = ReadonlyMap<string, ReadonlySet<StatisticClass>>;
