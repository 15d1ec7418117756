/**
 * From a closed wave's counts to the numbers of its published results (content.md "Scoring",
 * anonymity.md INV-8 and INV-10, docs/scoring.md). The disclosure engine decides which classes
 * of statistic a node may show; this module only computes what was decided, and additionally
 * hides an item or theme whose own valid n is under the class threshold (don't know and the
 * two-thirds rule make it smaller than R). Pure: counts in, plain values out.
 */
import {
  SCALE_RANGE,
  THEMES,
  type Change,
  type Comparison,
  type ItemResult,
  type Item,
  type PublishedNode,
  type ReportingLevel,
  type Theme,
  type ThemeResult,
  type ThemeScore,
} from '@teamspiegel/contracts';
import type { HiddenStatistics } from './derivable.ts';
import { RECOMMENDATION_MIN_RESPONDENTS, type StatisticClass } from './publication.ts';
import {
  changeVerdict,
  interpretWithCare,
  meanInterval,
  participationBand,
  recommendationScore,
  roundTo,
  sizeBand,
  welchDifference,
  wilsonInterval,
  type Moments,
} from './statistics.ts';
import { DONT_KNOW_OPTION, pomp, recode, type CellTally, type TallyItem } from './tally.ts';
import { effectiveThresholds, type Thresholds } from './thresholds.ts';

/** An item of the wave as results need it: how it was counted, plus where it may be reported. */
export interface ResultItem extends TallyItem {
  theme: Theme;
  reportingLevel: ReportingLevel;
}

/**
 * A content item as results need it. Incident and recommendation items are reported on their
 * own and make no theme score (the same rule as counting at close).
 */
export function toResultItem(item: Item): ResultItem {
  const { min, max } = SCALE_RANGE[item.scale];
  return {
    id: item.id,
    theme: item.theme,
    min,
    max,
    reverseKeyed: item.reverseKeyed,
    dontKnow: item.dontKnow,
    scored: item.reportingLevel !== 'incident' && item.theme !== 'recommendation',
    reportingLevel: item.reportingLevel,
  };
}

/** The numeric part of a published node; the API adds ids, the node, trendAllowed and comments. */
export type NodeSummary = Pick<
  PublishedNode,
  | 'respondents'
  | 'eligibleBand'
  | 'participationBand'
  | 'interpretWithCare'
  | 'themes'
  | 'items'
  | 'recommendation'
>;

/** A node's counts in one period together with what the engine let it publish. */
export interface PublishedTally {
  tally: CellTally;
  classes: ReadonlySet<StatisticClass>;
  /** The thresholds in force for that period; defaults to the current ones. */
  thresholds?: Thresholds;
  /** What the period hid on top of its classes (derivableHidden); a hidden theme has no change. */
  hidden?: HiddenStatistics;
}

export interface SummariseNodeOptions {
  /** The wave's items in the wave's order. */
  items: readonly ResultItem[];
  anchorItemIds: Iterable<string>;
  tally: CellTally;
  /** E: eligible members of the node at open. */
  eligible: number;
  /** What the disclosure engine decided for this node (absent from the publication = none). */
  classes: ReadonlySet<StatisticClass>;
  thresholds: Thresholds;
  /** The same node's previous wave (or quarter), or null when there is none. */
  previous: PublishedTally | null;
  /** False when the node's roster changed by 1..D-1 people since then (INV-8). */
  trendAllowed: boolean;
  /** What this node must additionally hide (derivableHidden: INV-2 on valid n). */
  hidden?: HiddenStatistics;
}

type ThemeComparison = Comparison['themes'][number];

const ONE_DECIMAL = 1;
const WHOLE = 0;
const PERCENT_SCALE = { min: 0, max: 100 } as const;

const clamp = (value: number, { min, max }: { min: number; max: number }) =>
  Math.min(max, Math.max(min, value));

/** The class an item's mean needs (content.md: team items everywhere, others unit level up). */
export function itemStatisticClass(
  item: Pick<ResultItem, 'theme' | 'reportingLevel'>,
): StatisticClass {
  if (item.theme === 'recommendation') return 'recommendation';
  switch (item.reportingLevel) {
    case 'team':
      return 'score';
    case 'unit':
      return 'unit_score';
    case 'incident':
      return 'incident';
  }
}

const RESTRICTIVENESS: readonly StatisticClass[] = ['score', 'unit_score', 'incident'];

/**
 * The class a theme score needs: the most restrictive class among the theme's scored items, so
 * a theme with one unit-level item is never shown for a single team.
 */
export function themeStatisticClass(themeItems: readonly ResultItem[]): StatisticClass {
  let rank = 0;
  for (const item of themeItems) {
    rank = Math.max(rank, RESTRICTIVENESS.indexOf(itemStatisticClass(item)));
  }
  return RESTRICTIVENESS[rank]!;
}

/** Valid answers a statistic of this class needs, on top of the engine's decision on R. */
export function minimumN(cls: StatisticClass, t: Thresholds): number {
  switch (cls) {
    case 'score':
    case 'unit_score':
    case 'comment':
      return t.k;
    case 'distribution':
      return t.kDist;
    case 'incident':
      return Math.max(t.k, t.kSens);
    case 'recommendation':
      return Math.max(t.k, t.kDist, RECOMMENDATION_MIN_RESPONDENTS);
  }
}

/**
 * The classes and counts under which an item's distribution and % favourable are shown: a
 * team-level item needs 'distribution' too; unit-level and incident items their own class.
 */
export function distributionShown(
  cls: StatisticClass,
  classes: ReadonlySet<StatisticClass>,
  n: number,
  t: Thresholds,
): boolean {
  if (!classes.has(cls)) return false;
  if (cls === 'score' && !classes.has('distribution')) return false;
  return n >= Math.max(t.kDist, minimumN(cls, t));
}

/** Sums cells' tallies: a unit's tally is the sum of the tallies of the cells below it. */
export function mergeTallies(tallies: readonly CellTally[]): CellTally {
  const merged: CellTally = { respondents: 0, items: new Map(), themes: new Map() };
  for (const tally of tallies) {
    merged.respondents += tally.respondents;
    for (const [itemId, counts] of tally.items) {
      const target = merged.items.get(itemId) ?? new Map<string, number>();
      for (const [option, count] of counts) target.set(option, (target.get(option) ?? 0) + count);
      merged.items.set(itemId, target);
    }
    for (const [theme, { n, sum, sumSq }] of tally.themes) {
      const target = merged.themes.get(theme) ?? { n: 0, sum: 0, sumSq: 0 };
      target.n += n;
      target.sum += sum;
      target.sumSq += sumSq;
      merged.themes.set(theme, target);
    }
  }
  return merged;
}

/** An item's counts split into raw scale values (index value - min) and "don't know". */
export function itemCounts(
  item: ResultItem,
  counts: ReadonlyMap<string, number> | undefined,
): { raw: number[]; dontKnow: number; valid: number } {
  const raw = new Array<number>(item.max - item.min + 1).fill(0);
  let dontKnow = 0;
  for (const [option, count] of counts ?? []) {
    if (option === DONT_KNOW_OPTION) {
      dontKnow += count;
      continue;
    }
    const value = Number(option);
    if (
      !Number.isInteger(value) ||
      value < item.min ||
      value > item.max ||
      String(value) !== option
    ) {
      throw new Error(`item ${item.id}: option ${option} is not on its scale`);
    }
    raw[value - item.min]! += count;
  }
  return { raw, dontKnow, valid: raw.reduce((a, b) => a + b, 0) };
}

/**
 * Favourable and unfavourable answers on the recoded scale: the top two and bottom two points
 * of a five-point scale; on 0-10, 9-10 and 0-6 (the recommendation question's own cuts).
 */
export function favourableCut(item: Pick<TallyItem, 'min' | 'max'>): {
  favourableFrom: number;
  unfavourableTo: number;
} {
  if (item.max - item.min === 10)
    return { favourableFrom: item.max - 1, unfavourableTo: item.min + 6 };
  return { favourableFrom: item.max - 1, unfavourableTo: item.min + 1 };
}

function meanOnScale(interval: { mean: number; low: number; high: number }) {
  return {
    score: roundTo(interval.mean, ONE_DECIMAL),
    low: roundTo(clamp(interval.low, PERCENT_SCALE), ONE_DECIMAL),
    high: roundTo(clamp(interval.high, PERCENT_SCALE), ONE_DECIMAL),
  };
}

const pct = (part: number, whole: number) => roundTo((100 * part) / whole, WHOLE);

/** One item's published entry, or `{ itemId, anchor, suppressed }` (INV-10: nothing else). */
function summariseItem(
  item: ResultItem,
  anchor: boolean,
  counts: ReadonlyMap<string, number> | undefined,
  classes: ReadonlySet<StatisticClass>,
  t: Thresholds,
  hidden: HiddenStatistics | undefined,
): ItemResult {
  const cls = itemStatisticClass(item);
  const { raw, dontKnow, valid } = itemCounts(item, counts);
  if (!classes.has(cls) || valid < minimumN(cls, t) || hidden?.items.has(item.id)) {
    return { itemId: item.id, anchor, suppressed: true };
  }
  // Reverse keying first (content.md), then the POMP moments of the recoded answers.
  let recodedSum = 0;
  const moments: Moments = { n: valid, sum: 0, sumSq: 0 };
  const recoded = new Array<number>(raw.length).fill(0);
  for (let index = 0; index < raw.length; index++) {
    const count = raw[index]!;
    const value = recode(item, item.min + index);
    const p = pomp(item, value);
    recoded[value - item.min]! += count;
    recodedSum += count * value;
    moments.sum += count * p;
    moments.sumSq += count * p * p;
  }
  const interval = meanOnScale(meanInterval(moments));
  const mean = roundTo(recodedSum / valid, ONE_DECIMAL);
  const { score, low, high } = interval;
  // % don't know is a count per option like the distribution: shown only with it.
  if (!distributionShown(cls, classes, valid, t) || hidden?.distributions.has(item.id)) {
    return { itemId: item.id, anchor, n: valid, mean, pomp: score, low, high };
  }
  const dontKnowPct = pct(dontKnow, valid + dontKnow);
  const { favourableFrom, unfavourableTo } = favourableCut(item);
  let favourable = 0;
  let unfavourable = 0;
  for (let index = 0; index < recoded.length; index++) {
    const value = item.min + index;
    if (value >= favourableFrom) favourable += recoded[index]!;
    if (value <= unfavourableTo) unfavourable += recoded[index]!;
  }
  const wilson = wilsonInterval(favourable, valid);
  return {
    itemId: item.id,
    anchor,
    n: valid,
    mean,
    pomp: score,
    low,
    high,
    dontKnowPct,
    favourablePct: pct(favourable, valid),
    favourableLow: roundTo(100 * wilson.low, WHOLE),
    favourableHigh: roundTo(100 * wilson.high, WHOLE),
    unfavourablePct: pct(unfavourable, valid),
    distribution: raw.map((count) => pct(count, valid)),
  };
}

/** The wave's scored themes in THEMES order, each with its items and the class it needs. */
export function scoredThemes(
  items: readonly ResultItem[],
): { theme: Theme; cls: StatisticClass }[] {
  return THEMES.flatMap((theme) => {
    const themeItems = items.filter((item) => item.scored && item.theme === theme);
    return themeItems.length === 0 ? [] : [{ theme, cls: themeStatisticClass(themeItems) }];
  });
}

/** A theme's respondent scores when the period may show them, else null. */
function shownTheme(
  theme: Theme,
  cls: StatisticClass,
  period: PublishedTally,
  fallback: Thresholds,
): Moments | null {
  const moments = period.tally.themes.get(theme);
  const t = effectiveThresholds(period.thresholds ?? fallback);
  if (!moments || !period.classes.has(cls) || moments.n < minimumN(cls, t)) return null;
  if (period.hidden?.themes.has(theme)) return null;
  return moments;
}

function roundedDifference(a: Moments, b: Moments) {
  const d = welchDifference(a, b);
  const range = { min: -100, max: 100 };
  // The verdict is taken on the numbers as shown, so the screen never contradicts itself.
  const shown = {
    difference: roundTo(d.difference, ONE_DECIMAL),
    low: roundTo(clamp(d.low, range), ONE_DECIMAL),
    high: roundTo(clamp(d.high, range), ONE_DECIMAL),
  };
  return { ...shown, verdict: changeVerdict(shown) };
}

/**
 * The numbers of one published node (content.md "Scoring"; INV-8 for change, INV-10 for
 * presentation). Anything not shown is `{ suppressed: true }` with its key only.
 */
export function summariseNode(options: SummariseNodeOptions): NodeSummary {
  const { items, tally, eligible, classes, previous, trendAllowed, hidden } = options;
  const t = effectiveThresholds(options.thresholds);
  const anchors = new Set(options.anchorItemIds);
  const current: PublishedTally = { tally, classes, thresholds: t, hidden };

  const themes = scoredThemes(items).map(({ theme, cls }): ThemeResult => {
    const moments = shownTheme(theme, cls, current, t);
    if (!moments) return { theme, suppressed: true };
    const before = previous && trendAllowed ? shownTheme(theme, cls, previous, t) : null;
    let change: Change = { verdict: 'none' };
    if (before) {
      const { difference, low, high, verdict } = roundedDifference(moments, before);
      change = { verdict, difference, low, high };
    }
    const { score, low, high } = meanOnScale(meanInterval(moments));
    const result: ThemeScore = { theme, score, low, high, n: moments.n, change };
    return result;
  });

  const recommendationItem = items.find((item) => item.theme === 'recommendation');
  let recommendation: NodeSummary['recommendation'] = { suppressed: true };
  if (recommendationItem && classes.has('recommendation') && !hidden?.recommendation) {
    const { raw, valid } = itemCounts(recommendationItem, tally.items.get(recommendationItem.id));
    if (valid >= minimumN('recommendation', t)) {
      const byValue = new Map<number, number>();
      raw.forEach((count, index) => {
        const value = recode(recommendationItem, recommendationItem.min + index);
        byValue.set(value, (byValue.get(value) ?? 0) + count);
      });
      const { score, n } = recommendationScore(byValue);
      recommendation = { score: roundTo(score, WHOLE), n };
    }
  }

  return {
    respondents: tally.respondents,
    eligibleBand: sizeBand(eligible),
    participationBand: participationBand(tally.respondents, eligible),
    interpretWithCare: interpretWithCare(tally.respondents, eligible),
    themes,
    items: items
      .filter((item) => item.theme !== 'recommendation')
      .map((item) =>
        summariseItem(item, anchors.has(item.id), tally.items.get(item.id), classes, t, hidden),
      ),
    recommendation,
  };
}

export interface CompareThemesOptions {
  /** The wave's items (for its themes and the class each theme needs). */
  items: readonly ResultItem[];
  a: PublishedTally;
  b: PublishedTally;
  thresholds: Thresholds;
}

/**
 * Two published nodes of one wave side by side: per theme a - b with Welch's 95% interval and
 * the same verdict rule as a change; suppressed unless both sides show that theme.
 */
export function compareThemes({
  items,
  a,
  b,
  thresholds,
}: CompareThemesOptions): ThemeComparison[] {
  const t = effectiveThresholds(thresholds);
  return scoredThemes(items).map(({ theme, cls }): ThemeComparison => {
    const left = shownTheme(theme, cls, a, t);
    const right = shownTheme(theme, cls, b, t);
    if (!left || !right) return { theme, suppressed: true };
    const { difference, low, high, verdict } = roundedDifference(left, right);
    return {
      theme,
      a: roundTo(left.sum / left.n, ONE_DECIMAL),
      b: roundTo(right.sum / right.n, ONE_DECIMAL),
      difference,
      low,
      high,
      verdict,
    };
  });
}
