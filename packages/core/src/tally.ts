/**
 * From submitted answers to the counts a closed wave keeps (anonymity.md 4.5, content.md
 * "Scoring"). Pure: the close step decrypts, this counts, the database stores only counts.
 */

/** What counting needs to know about an item of the wave. */
export interface TallyItem {
  id: string;
  theme: string;
  min: number;
  max: number;
  reverseKeyed: boolean;
  dontKnow: boolean;
  /** Part of its theme's score (incident and recommendation items are reported on their own). */
  scored: boolean;
}

export interface Answer {
  itemId: string;
  /** A value on the item's scale, or null for "don't know / not applicable". */
  value: number | null;
}

export type AnswerProblem =
  | { kind: 'unknown_item'; itemId: string }
  | { kind: 'duplicate_item'; itemId: string }
  | { kind: 'out_of_range'; itemId: string }
  | { kind: 'dont_know_not_offered'; itemId: string };

/** Checks a submission against the wave's items; every problem is listed. Skipped items are fine. */
export function answerProblems(
  items: readonly TallyItem[],
  answers: readonly Answer[],
): AnswerProblem[] {
  const byId = new Map(items.map((item) => [item.id, item]));
  const seen = new Set<string>();
  const problems: AnswerProblem[] = [];
  for (const { itemId, value } of answers) {
    const item = byId.get(itemId);
    if (!item) {
      problems.push({ kind: 'unknown_item', itemId });
      continue;
    }
    if (seen.has(itemId)) problems.push({ kind: 'duplicate_item', itemId });
    seen.add(itemId);
    if (value === null) {
      if (!item.dontKnow) problems.push({ kind: 'dont_know_not_offered', itemId });
    } else if (!Number.isInteger(value) || value < item.min || value > item.max) {
      problems.push({ kind: 'out_of_range', itemId });
    }
  }
  return problems;
}

/** Reverse keying: (min + max) - x, before anything else (content.md). */
export function recode(item: TallyItem, value: number): number {
  return item.reverseKeyed ? item.min + item.max - value : value;
}

/** Percent of maximum possible: 100 * (x - min) / (max - min). */
export function pomp(item: TallyItem, value: number): number {
  return (100 * (value - item.min)) / (item.max - item.min);
}

/**
 * A respondent's theme score: the mean POMP of their recoded valid items of the theme, only
 * when at least two thirds of the theme's items in the wave are valid; otherwise none.
 */
export function respondentThemeScore(
  themeItems: readonly TallyItem[],
  answers: ReadonlyMap<string, number | null>,
): number | null {
  const valid = themeItems.flatMap((item) => {
    const value = answers.get(item.id);
    return value === undefined || value === null ? [] : [pomp(item, recode(item, value))];
  });
  if (valid.length === 0 || valid.length * 3 < themeItems.length * 2) return null;
  return valid.reduce((a, b) => a + b, 0) / valid.length;
}

export const DONT_KNOW_OPTION = 'dont_know';

export interface CellTally {
  respondents: number;
  /** itemId -> option (the value as text, or 'dont_know') -> count. */
  items: Map<string, Map<string, number>>;
  /** theme -> respondents with a valid theme score, their sum and sum of squares. */
  themes: Map<string, { n: number; sum: number; sumSq: number }>;
}

/** Counts a cell's responses one at a time, so a close never needs to hold all answers at once. */
export interface CellCounter {
  add(answers: readonly Answer[]): void;
  readonly tally: CellTally;
}

/** Every response added is one respondent, even if all items were skipped. */
export function createCellCounter(items: readonly TallyItem[]): CellCounter {
  const tally: CellTally = { respondents: 0, items: new Map(), themes: new Map() };
  const scoredThemes = new Map<string, TallyItem[]>();
  for (const item of items) {
    if (!item.scored) continue;
    scoredThemes.set(item.theme, [...(scoredThemes.get(item.theme) ?? []), item]);
  }
  const add = (answers: readonly Answer[]): void => {
    tally.respondents += 1;
    const byItem = new Map<string, number | null>();
    for (const { itemId, value } of answers) {
      byItem.set(itemId, value);
      const option = value === null ? DONT_KNOW_OPTION : String(value);
      const counts = tally.items.get(itemId) ?? new Map<string, number>();
      counts.set(option, (counts.get(option) ?? 0) + 1);
      tally.items.set(itemId, counts);
    }
    for (const [theme, themeItems] of scoredThemes) {
      const score = respondentThemeScore(themeItems, byItem);
      if (score === null) continue;
      const acc = tally.themes.get(theme) ?? { n: 0, sum: 0, sumSq: 0 };
      acc.n += 1;
      acc.sum += score;
      acc.sumSq += score * score;
      tally.themes.set(theme, acc);
    }
  };
  return { add, tally };
}

/** Counts one cell's responses. Every response is one respondent, even if all items were skipped. */
export function tallyCell(
  items: readonly TallyItem[],
  responses: readonly (readonly Answer[])[],
): CellTally {
  const counter = createCellCounter(items);
  for (const answers of responses) counter.add(answers);
  return counter.tally;
}
