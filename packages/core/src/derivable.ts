/**
 * Which statistics a published node must additionally hide because their own count (valid n of
 * an item, n of a theme) would leave a derivable remainder of 1..D-1 against the other nodes
 * showing the same statistic (INV-2 on valid n; docs/anonymity.md "Publication classes and the
 * disclosure engine"). Pure: the wave's tree, merged tallies per node and the publication in,
 * per node the hidden statistics out. It only ever hides.
 */
import type { Theme } from '@teamspiegel/contracts';
import { classRule, repairDerivableCounts, type CountNode } from './disclosure.ts';
import type { DisclosureNode, Publication, StatisticClass } from './publication.ts';
import {
  distributionShown,
  itemCounts,
  itemStatisticClass,
  minimumN,
  scoredThemes,
  type ResultItem,
} from './results.ts';
import type { CellTally } from './tally.ts';
import { effectiveThresholds, type Thresholds } from './thresholds.ts';

/** What one node hides on top of the engine's decision. */
export interface HiddenStatistics {
  /** Items whose whole entry (mean and distribution) is hidden. */
  items: Set<string>;
  /** Items whose distribution, % favourable and % don't know are hidden (mean may show). */
  distributions: Set<string>;
  themes: Set<Theme>;
  recommendation: boolean;
}

export interface DerivableHiddenOptions {
  /** The wave's tree (E and R as given to the engine). */
  nodes: readonly DisclosureNode[];
  /** Each node's merged tally (a unit's is the sum of its cells'). */
  tallies: ReadonlyMap<string, CellTally>;
  publication: Publication;
  items: readonly ResultItem[];
  thresholds: Thresholds;
}

const NONE: ReadonlySet<StatisticClass> = new Set();

export function emptyHidden(): HiddenStatistics {
  return { items: new Set(), distributions: new Set(), themes: new Set(), recommendation: false };
}

/** Per node id, the statistics to hide; nodes that hide nothing extra are absent. */
export function derivableHidden({
  nodes,
  tallies,
  publication,
  items,
  thresholds,
}: DerivableHiddenOptions): Map<string, HiddenStatistics> {
  const t = effectiveThresholds(thresholds);
  const hidden = new Map<string, HiddenStatistics>();
  const entry = (id: string) => {
    let h = hidden.get(id);
    if (!h) hidden.set(id, (h = emptyHidden()));
    return h;
  };
  const classesOf = (id: string) => publication.get(id) ?? NONE;
  const countNodes = (count: (id: string) => number): CountNode[] => {
    const list: CountNode[] = nodes.map((n) => ({
      id: n.id,
      parentId: n.parentId,
      level: n.level,
      count: n.level === 'cell' ? count(n.id) : 0,
    }));
    // A unit's count is the sum over the cells below it.
    const byId = new Map(list.map((n) => [n.id, n]));
    for (const n of list) {
      if (n.level !== 'cell') continue;
      for (let at = n.parentId; at !== null; at = byId.get(at)!.parentId) {
        byId.get(at)!.count += n.count;
      }
    }
    return list;
  };
  /** The shown nodes that fail the repair on every one of the counts (run to a fixed point:
   * a node dropped for one count changes the remainders of the other). */
  const repair = (
    counts: ((id: string) => number)[],
    shown: (id: string) => boolean,
    d: number,
  ) => {
    const candidates = nodes.map((n) => n.id).filter(shown);
    const trees = counts.map(countNodes);
    let kept = new Set(candidates);
    for (let changed = true; changed;) {
      changed = false;
      for (const tree of trees) {
        const next = repairDerivableCounts({ nodes: tree, shown: kept, d });
        if (next.size !== kept.size) changed = true;
        kept = next;
      }
      if (trees.length < 2) break;
    }
    return candidates.filter((id) => !kept.has(id));
  };

  for (const item of items) {
    const counts = (id: string) => itemCounts(item, tallies.get(id)?.items.get(item.id));
    if (item.theme === 'recommendation') {
      const shown = (id: string) =>
        classesOf(id).has('recommendation') && counts(id).valid >= minimumN('recommendation', t);
      const d = Math.max(classRule('recommendation', t).d, t.kDist);
      for (const id of repair([(id) => counts(id).valid], shown, d))
        entry(id).recommendation = true;
      continue;
    }
    const cls = itemStatisticClass(item);
    const meanShown = (id: string) =>
      classesOf(id).has(cls) && counts(id).valid >= minimumN(cls, t);
    const failedMean = new Set(repair([(id) => counts(id).valid], meanShown, classRule(cls, t).d));
    for (const id of failedMean) entry(id).items.add(item.id);
    // Distribution, % favourable (over valid n) and % don't know (over valid n + don't know).
    const distShown = (id: string) =>
      !failedMean.has(id) && distributionShown(cls, classesOf(id), counts(id).valid, t);
    const dDist = Math.max(classRule(cls, t).d, t.kDist);
    const failedDist = repair(
      [(id) => counts(id).valid, (id) => counts(id).valid + counts(id).dontKnow],
      distShown,
      dDist,
    );
    for (const id of failedDist) entry(id).distributions.add(item.id);
  }

  for (const { theme, cls } of scoredThemes(items)) {
    const n = (id: string) => tallies.get(id)?.themes.get(theme)?.n ?? 0;
    const shown = (id: string) => classesOf(id).has(cls) && n(id) >= minimumN(cls, t);
    for (const id of repair([n], shown, classRule(cls, t).d)) entry(id).themes.add(theme);
  }
  return hidden;
}
