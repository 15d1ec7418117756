/**
 * Which statistics a published node must additionally hide because their own count (valid n of
 * an item, n of a theme) would leave a derivable remainder of 1..D-1 against the other nodes
 * showing the same statistic (INV-2 on valid n; docs/anonymity.md "Publication classes and the
 * disclosure engine"). Pure: the wave's tree, merged tallies per node and the publication in,
 * per node the hidden statistics out. It only ever hides.
 */
import type { Theme } from '@teamspiegel/contracts';
import {
  classRule,
  repairDerivableCounts,
  repairQuarterCounts,
  type CountNode,
} from './disclosure.ts';
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
  /**
   * For the quarter: the pooled waves, each on its own tree at its close with its node tallies
   * and its frozen publication. A statistic is then also hidden where the pooled count minus
   * the frozen single-wave nodes showing it would leave 1..D-1 of one wave (repairQuarterCounts).
   */
  waves?: readonly QuarterWaveTallies[];
}

/** One wave pooled into a quarter, as derivableHidden needs it. */
export interface QuarterWaveTallies {
  nodes: readonly DisclosureNode[];
  tallies: ReadonlyMap<string, CellTally>;
  /** The wave's frozen decision (its own derivable hiding is recomputed from it). */
  publication: Publication;
}

/** A tree with its tallies and decision: the pooled quarter, or one frozen wave of it. */
interface View {
  nodes: readonly DisclosureNode[];
  tallies: ReadonlyMap<string, CellTally>;
  classesOf: (id: string) => ReadonlySet<StatisticClass>;
  /** A frozen wave's own derivable hiding; absent for the tree being decided. */
  hidden?: ReadonlyMap<string, HiddenStatistics>;
}

const NONE: ReadonlySet<StatisticClass> = new Set();

export function emptyHidden(): HiddenStatistics {
  return { items: new Set(), distributions: new Set(), themes: new Set(), recommendation: false };
}

/** Per node id, the statistics to hide; nodes that hide nothing extra are absent. */
export function derivableHidden(options: DerivableHiddenOptions): Map<string, HiddenStatistics> {
  const steps = derivableHiddenSteps(options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * derivableHidden one statistic at a time: the generator pauses after each item, distribution,
 * theme and earlier wave, so a caller at reference scale can give the event loop a turn in
 * between (a quarter repairs against three frozen waves and would otherwise hold it for
 * seconds). Pure: it only pauses, the caller decides what happens in between.
 */
export function* derivableHiddenSteps({
  nodes,
  tallies,
  publication,
  items,
  thresholds,
  waves = [],
}: DerivableHiddenOptions): Generator<void, Map<string, HiddenStatistics>> {
  const t = effectiveThresholds(thresholds);
  const hidden = new Map<string, HiddenStatistics>();
  const entry = (id: string) => {
    let h = hidden.get(id);
    if (!h) hidden.set(id, (h = emptyHidden()));
    return h;
  };
  const self: View = { nodes, tallies, classesOf: (id) => publication.get(id) ?? NONE };
  // Each frozen wave as its publication showed it: classes less its own derivable hiding.
  const frozenViews: View[] = [];
  for (const w of waves) {
    frozenViews.push({
      nodes: w.nodes,
      tallies: w.tallies,
      classesOf: (id) => w.publication.get(id) ?? NONE,
      hidden: yield* derivableHiddenSteps({ ...w, items, thresholds }),
    });
    yield;
  }
  const countNodes = (view: View, count: (id: string) => number): CountNode[] => {
    const list: CountNode[] = view.nodes.map((n) => ({
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
  /** The shown nodes that fail the repair on every one of the counts, within the tree and,
   * for a quarter, against each frozen wave (run to a fixed point: a node dropped for one
   * count changes the remainders of the other). */
  const repair = (
    counts: (view: View) => ((id: string) => number)[],
    shown: (view: View) => (id: string) => boolean,
    d: number,
  ) => {
    const candidates = nodes.map((n) => n.id).filter(shown(self));
    const trees = counts(self).map((count) => countNodes(self, count));
    const perWave = frozenViews.map((view) => ({
      trees: counts(view).map((count) => countNodes(view, count)),
      frozen: new Set(view.nodes.map((n) => n.id).filter(shown(view))),
    }));
    let kept = new Set(candidates);
    for (let changed = true; changed;) {
      const before = kept.size;
      for (const tree of trees) kept = repairDerivableCounts({ nodes: tree, shown: kept, d });
      if (perWave.length > 0) {
        for (let k = 0; k < trees.length; k++) {
          kept = repairQuarterCounts({
            waves: perWave.map((w) => ({ nodes: w.trees[k]!, frozen: w.frozen })),
            shown: kept,
            d,
          });
        }
      }
      changed = kept.size !== before && (trees.length > 1 || perWave.length > 0);
    }
    return candidates.filter((id) => !kept.has(id));
  };

  for (const item of items) {
    yield;
    const counts = (view: View, id: string) =>
      itemCounts(item, view.tallies.get(id)?.items.get(item.id));
    const valid = (view: View) => [(id: string) => counts(view, id).valid];
    const itemHidden = (view: View, id: string) =>
      view.hidden?.get(id)?.items.has(item.id) ?? false;
    if (item.theme === 'recommendation') {
      const shown = (view: View) => (id: string) =>
        view.classesOf(id).has('recommendation') &&
        counts(view, id).valid >= minimumN('recommendation', t) &&
        !(view.hidden?.get(id)?.recommendation ?? false);
      const d = Math.max(classRule('recommendation', t).d, t.kDist);
      for (const id of repair(valid, shown, d)) entry(id).recommendation = true;
      continue;
    }
    const cls = itemStatisticClass(item);
    const meanShown = (view: View) => (id: string) =>
      view.classesOf(id).has(cls) &&
      counts(view, id).valid >= minimumN(cls, t) &&
      !itemHidden(view, id);
    const failedMean = new Set(repair(valid, meanShown, classRule(cls, t).d));
    for (const id of failedMean) entry(id).items.add(item.id);
    yield;
    // Distribution, % favourable (over valid n) and % don't know (over valid n + don't know).
    const distShown = (view: View) => (id: string) =>
      (view === self ? !failedMean.has(id) : !itemHidden(view, id)) &&
      !(view.hidden?.get(id)?.distributions.has(item.id) ?? false) &&
      distributionShown(cls, view.classesOf(id), counts(view, id).valid, t);
    const dDist = Math.max(classRule(cls, t).d, t.kDist);
    const failedDist = repair(
      (view) => [
        (id) => counts(view, id).valid,
        (id) => counts(view, id).valid + counts(view, id).dontKnow,
      ],
      distShown,
      dDist,
    );
    for (const id of failedDist) entry(id).distributions.add(item.id);
  }

  for (const { theme, cls } of scoredThemes(items)) {
    yield;
    const n = (view: View) => (id: string) => view.tallies.get(id)?.themes.get(theme)?.n ?? 0;
    const shown = (view: View) => (id: string) =>
      view.classesOf(id).has(cls) &&
      n(view)(id) >= minimumN(cls, t) &&
      !(view.hidden?.get(id)?.themes.has(theme) ?? false);
    for (const id of repair((view) => [n(view)], shown, classRule(cls, t).d))
      entry(id).themes.add(theme);
  }
  return hidden;
}
