/**
 * Pure helpers for the results screens: number formatting, the change wording, the heatmap's
 * colour scale, chart data and tree walking. No Svelte, no fetch, so they are unit-tested.
 * Everything here only rearranges what the API published; it never derives a new number from
 * two published ones (a difference of published values could itself reveal a small group).
 */
import type {
  ChangeVerdict,
  Heatmap,
  ItemResult,
  ItemScore,
  Language,
  NodeRef,
  NodeResult,
  PublishedNode,
  ResultWave,
  TeamAction,
  ThemeResult,
  ThemeScore,
  Trend,
} from '@teamspiegel/contracts';

/** One row of a heatmap: a node with its published themes, or suppressed. */
export type HeatmapRow = Heatmap['rows'][number];

const INTL_LOCALE: Record<Language, string> = { nl: 'nl-NL', 'nl-BE': 'nl-BE', en: 'en-GB' };

export function isPublished(result: NodeResult): result is PublishedNode {
  return !('suppressed' in result);
}

export function isThemeScore(theme: ThemeResult): theme is ThemeScore {
  return !('suppressed' in theme);
}

export function isItemScore(item: ItemResult): item is ItemScore {
  return !('suppressed' in item);
}

/** A published score (0-100 scale or item mean) to one decimal, as INV-10 presents it. */
export function formatScore(language: Language, value: number): string {
  return new Intl.NumberFormat(INTL_LOCALE[language], {
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  }).format(value);
}

/** A difference with its sign always shown ("+4.3", "−2.1", "0.0"). */
export function formatSigned(language: Language, value: number): string {
  const text = formatScore(language, Math.abs(value));
  if (value > 0) return `+${text}`;
  if (value < 0) return `−${text}`;
  return text;
}

/** A 95% interval as "low – high", one decimal. */
export function formatInterval(language: Language, low: number, high: number): string {
  return `${formatScore(language, low)} – ${formatScore(language, high)}`;
}

/** The message key of a change verdict (content.md), or null when no change may be shown. */
export function changeKey(
  verdict: ChangeVerdict,
): 'results.change.better' | 'results.change.worse' | 'results.change.none' | null {
  switch (verdict) {
    case 'better':
      return 'results.change.better';
    case 'worse':
      return 'results.change.worse';
    case 'no_clear_change':
      return 'results.change.none';
    case 'none':
      return null;
  }
}

/** The message key of a comparison verdict between two units (a minus b). */
export function compareKey(
  verdict: ChangeVerdict,
): 'results.compare.higher' | 'results.compare.lower' | 'results.compare.noClear' | null {
  switch (verdict) {
    case 'better':
      return 'results.compare.higher';
    case 'worse':
      return 'results.compare.lower';
    case 'no_clear_change':
      return 'results.compare.noClear';
    case 'none':
      return null;
  }
}

/**
 * The heatmap's five colour steps on the 0-100 scale. Each step is a background light enough for
 * body text (the number is always printed in the cell: colour is never the only signal).
 */
export const HEAT_STEPS = [
  { level: 1, from: 0 },
  { level: 2, from: 50 },
  { level: 3, from: 60 },
  { level: 4, from: 70 },
  { level: 5, from: 80 },
] as const;
export type HeatLevel = (typeof HEAT_STEPS)[number]['level'];

export function heatLevel(score: number): HeatLevel {
  let level: HeatLevel = 1;
  for (const step of HEAT_STEPS) if (score >= step.from) level = step.level;
  return level;
}

/** Waves newest first (by closing date, then opening date, then sequence), for the wave picker. */
export function wavesNewestFirst(waves: readonly ResultWave[]): ResultWave[] {
  return [...waves].sort(
    (a, b) =>
      b.closesOn.localeCompare(a.closesOn) ||
      b.opensOn.localeCompare(a.opensOn) ||
      b.sequence - a.sequence,
  );
}

/** The latest closed wave, where the results screens start. */
export function latestWave(waves: readonly ResultWave[]): ResultWave | undefined {
  return wavesNewestFirst(waves)[0];
}

/** The calendar quarter of a date as YYYY-Qn (the key of a team's agreed action). */
export function quarterOf(date: string): string {
  const match = /^(\d{4})-(\d{2})/.exec(date);
  if (!match) throw new Error(`not a date: ${date}`);
  const month = Number(match[2]);
  return `${match[1]}-Q${Math.floor((month - 1) / 3) + 1}`;
}

/** The ancestors of a node the viewer may open, nearest first, from the overview's node list. */
export function ancestorsOf(nodes: readonly NodeRef[], nodeId: string): NodeRef[] {
  const byId = new Map(nodes.map((n) => [n.nodeId, n]));
  const chain: NodeRef[] = [];
  const seen = new Set<string>([nodeId]);
  let parentId = byId.get(nodeId)?.parentNodeId ?? null;
  while (parentId !== null && !seen.has(parentId)) {
    seen.add(parentId);
    const parent = byId.get(parentId);
    if (!parent) break;
    chain.push(parent);
    parentId = parent.parentNodeId;
  }
  return chain;
}

/** The nodes directly below `nodeId` that the viewer may open. */
export function childrenOf(nodes: readonly NodeRef[], nodeId: string): NodeRef[] {
  return nodes.filter((n) => n.parentNodeId === nodeId);
}

/**
 * The groups offered in the picker of a node's page: the viewer's own groups, the way up from
 * the current node and one level down. Never the whole organisation (thousands of teams for HR);
 * the heatmap is the way across. Tree order of `nodes` is kept.
 */
export function pickerNodes(
  nodes: readonly NodeRef[],
  home: readonly string[],
  currentId: string,
): NodeRef[] {
  const wanted = new Set<string>([...home, currentId]);
  for (const n of ancestorsOf(nodes, currentId)) wanted.add(n.nodeId);
  for (const n of childrenOf(nodes, currentId)) wanted.add(n.nodeId);
  return nodes.filter((n) => wanted.has(n.nodeId));
}

/**
 * The nodes to compare a node with: its parent and the root of its tree (the corps or zone),
 * without duplicates and without the node itself.
 */
export function comparisonNodes(
  nodes: readonly NodeRef[],
  node: Pick<NodeRef, 'nodeId' | 'parentNodeId'>,
): NodeRef[] {
  const chain = ancestorsOf(nodes, node.nodeId);
  if (chain.length === 0 && node.parentNodeId !== null) {
    // The viewer's list may not hold the node itself (a merged team); follow its parent id.
    const parent = nodes.find((n) => n.nodeId === node.parentNodeId);
    if (parent) chain.push(parent, ...ancestorsOf(nodes, parent.nodeId));
  }
  const picked: NodeRef[] = [];
  const parent = chain[0];
  const root = chain[chain.length - 1];
  if (parent) picked.push(parent);
  if (root && root !== parent) picked.push(root);
  return picked;
}

/** The action to show: the latest quarter, and within it the last one saved. */
export function currentAction(actions: readonly TeamAction[]): TeamAction | undefined {
  return [...actions].sort(
    (a, b) => b.quarter.localeCompare(a.quarter) || b.updatedAt.localeCompare(a.updatedAt),
  )[0];
}

export interface TrendSeries {
  /** An item id (anchors) or a theme. */
  key: string;
  /** One value per wave (0-100), null where the wave's value was not published. */
  values: (number | null)[];
}

export interface TrendData {
  /** The waves' opening dates, oldest first. */
  dates: string[];
  /**
   * Per wave, whether it starts a new group composition (INV-8: its roster changed by 1..D-1
   * people since the wave before): no line runs into it from the wave before.
   */
  newGroup: boolean[];
  series: TrendSeries[];
}

type TrendPoint = Trend['points'][number];
const oldestFirst = (trend: Trend): TrendPoint[] =>
  [...trend.points].sort((a, b) => a.opensOn.localeCompare(b.opensOn));
/** The first wave has nothing before it to break from. */
const newGroups = (points: readonly TrendPoint[]): boolean[] =>
  points.map((p, i) => i > 0 && !p.trendAllowed);

/**
 * The chart's labels and lines with a break before every new group composition: an empty
 * column whose values are all null, so Chart.js (spanGaps off) draws no line across it.
 */
export function chartLines(
  data: TrendData,
  labels: readonly string[],
): { labels: string[]; series: TrendSeries[] } {
  const columns: number[] = [];
  const out: string[] = [];
  labels.forEach((label, i) => {
    if (data.newGroup[i]) {
      columns.push(-1);
      out.push('');
    }
    columns.push(i);
    out.push(label);
  });
  return {
    labels: out,
    series: data.series.map((s) => ({
      key: s.key,
      values: columns.map((i) => (i === -1 ? null : (s.values[i] ?? null))),
    })),
  };
}

/**
 * The anchor items over waves, oldest first, for the chart and its table. A suppressed wave or
 * item becomes a gap (null), never a zero, so the line breaks instead of dropping.
 */
export function trendData(trend: Trend, anchorIds: readonly string[]): TrendData {
  const points = oldestFirst(trend);
  const ids = [...anchorIds];
  for (const point of points) {
    if ('suppressed' in point.result) continue;
    for (const item of point.result.anchors) if (!ids.includes(item.itemId)) ids.push(item.itemId);
  }
  const series = ids.map((key) => ({
    key,
    values: points.map((point) => {
      if ('suppressed' in point.result) return null;
      const item = point.result.anchors.find((a) => a.itemId === key);
      return item && isItemScore(item) ? item.pomp : null;
    }),
  }));
  return {
    dates: points.map((p) => p.opensOn),
    newGroup: newGroups(points),
    series: series.filter((s) => s.values.some((v) => v !== null) || anchorIds.includes(s.key)),
  };
}

/**
 * Theme scores over waves, oldest first, in the given theme order; a theme never published in
 * the period is left out, a wave where it was withheld is a gap.
 */
export function themeTrendData(trend: Trend, order: readonly string[]): TrendData {
  const points = oldestFirst(trend);
  const series = order.map((key) => ({
    key,
    values: points.map((point) => {
      if ('suppressed' in point.result) return null;
      const theme = point.result.themes.find((x) => x.theme === key);
      return theme && isThemeScore(theme) ? theme.score : null;
    }),
  }));
  return {
    dates: points.map((p) => p.opensOn),
    newGroup: newGroups(points),
    series: series.filter((s) => s.values.some((v) => v !== null)),
  };
}

/** Whether any value of the trend was published (else the chart is not drawn at all). */
export function hasTrendValues(data: TrendData): boolean {
  return data.series.some((s) => s.values.some((v) => v !== null));
}

/** The themes in a fixed order for tables and cards (the order of THEMES), the rest after. */
export function themeOrder<T extends { theme: string }>(
  themes: readonly T[],
  order: readonly string[],
): T[] {
  const rank = (theme: string) => {
    const i = order.indexOf(theme);
    return i === -1 ? order.length : i;
  };
  return [...themes].sort((a, b) => rank(a.theme) - rank(b.theme));
}

/** The CSV export of exactly the published table the viewer is looking at. */
export function exportUrl(waveId: string, nodeId: string | null, period: 'wave' | 'quarter') {
  const params = new URLSearchParams();
  if (nodeId) params.set('nodeId', nodeId);
  params.set('period', period);
  return `/api/v1/results/waves/${encodeURIComponent(waveId)}/export.csv?${params.toString()}`;
}
