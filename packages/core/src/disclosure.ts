/**
 * The disclosure-control engine (anonymity.md section 3; docs/anonymity.md "Publication classes
 * and the disclosure engine"). Pure functions over the tree of cells and units of a wave: they
 * see structure, E, R and thresholds only, never an answer (INV-4), and decide one publication
 * for every role at once (INV-5).
 */
import {
  RECOMMENDATION_MIN_RESPONDENTS,
  STATISTIC_CLASSES,
  type DisclosureNode,
  type Publication,
  type StatisticClass,
} from './publication.ts';
import { effectiveThresholds, type Thresholds } from './thresholds.ts';

/** What a statistic class needs: its primary threshold on R, its subtraction minimum D, and
 * whether it is shown at unit level only. */
export interface ClassRule {
  primary: number;
  d: number;
  unitOnly: boolean;
}

/** INV-1 and INV-2 parameters of one class (docs/anonymity.md "Publication classes"). */
export function classRule(cls: StatisticClass, thresholds: Thresholds): ClassRule {
  const t = effectiveThresholds(thresholds);
  switch (cls) {
    case 'score':
      return { primary: t.k, d: t.d, unitOnly: false };
    case 'distribution':
      return { primary: t.kDist, d: Math.max(t.d, t.kDist), unitOnly: false };
    case 'unit_score':
      return { primary: t.k, d: t.d, unitOnly: true };
    case 'recommendation':
      // The score is a %-minus-% distribution statistic: a distribution's D.
      return {
        primary: Math.max(RECOMMENDATION_MIN_RESPONDENTS, t.kDist),
        d: Math.max(t.d, t.kDist),
        unitOnly: true,
      };
    case 'incident':
      return { primary: t.kSens, d: Math.max(t.d, 10), unitOnly: true };
    case 'comment':
      return { primary: t.kComment, d: t.kComment, unitOnly: false };
  }
}

export interface DecidePublicationOptions {
  nodes: readonly DisclosureNode[];
  thresholds: Thresholds;
}

/** A checked forest: children sorted by id, post-order (children before parents, by id). */
interface Forest {
  byId: ReadonlyMap<string, DisclosureNode>;
  children: ReadonlyMap<string, readonly string[]>;
  postOrder: readonly string[];
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function isCount(value: number): boolean {
  return Number.isInteger(value) && value >= 0;
}

/** Builds and checks the tree; a malformed tree is a programming error, so it throws. */
function buildForest(nodes: readonly DisclosureNode[]): Forest {
  const byId = new Map<string, DisclosureNode>();
  for (const node of nodes) {
    if (byId.has(node.id)) throw new Error(`disclosure: duplicate node id ${node.id}`);
    if (!isCount(node.eligible) || !isCount(node.respondents)) {
      throw new Error(`disclosure: E and R of ${node.id} must be whole numbers >= 0`);
    }
    byId.set(node.id, node);
  }
  const children = new Map<string, string[]>();
  const roots: string[] = [];
  for (const node of byId.values()) {
    children.set(node.id, children.get(node.id) ?? []);
    if (node.parentId === null) {
      roots.push(node.id);
      continue;
    }
    const parent = byId.get(node.parentId);
    if (!parent) throw new Error(`disclosure: ${node.id} has unknown parent ${node.parentId}`);
    if (parent.level === 'cell') throw new Error(`disclosure: cell ${parent.id} has a child`);
    const list = children.get(parent.id) ?? [];
    list.push(node.id);
    children.set(parent.id, list);
  }
  for (const list of children.values()) list.sort(byText);
  roots.sort(byText);

  const postOrder: string[] = [];
  const stack: { id: string; expanded: boolean }[] = roots
    .slice()
    .reverse()
    .map((id) => ({ id, expanded: false }));
  while (stack.length > 0) {
    const top = stack.pop()!;
    if (top.expanded) {
      postOrder.push(top.id);
      continue;
    }
    stack.push({ id: top.id, expanded: true });
    const kids = children.get(top.id)!;
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ id: kids[i]!, expanded: false });
  }
  // Nodes never reached from a root sit on a cycle.
  if (postOrder.length !== byId.size) throw new Error('disclosure: the parent links form a cycle');

  for (const id of postOrder) {
    const node = byId.get(id)!;
    const kids = children.get(id)!;
    if (node.level === 'cell') continue;
    let e = 0;
    let r = 0;
    for (const kid of kids) {
      e += byId.get(kid)!.eligible;
      r += byId.get(kid)!.respondents;
    }
    if (e !== node.eligible || r !== node.respondents) {
      throw new Error(`disclosure: E and R of unit ${id} must be the sums over its children`);
    }
  }
  return { byId, children, postOrder };
}

/** INV-1 for one node and class: level, E >= K_E and R >= the class's primary threshold. */
function passesPrimary(
  node: { level: 'cell' | 'unit'; eligible: number; respondents: number },
  rule: ClassRule,
  kE: number,
  cells: number,
): boolean {
  // A unit with fewer than two cells below it is exactly that team: cell level here.
  if (rule.unitOnly && (node.level !== 'unit' || cells < 2)) return false;
  return node.eligible >= kE && node.respondents >= rule.primary;
}

/** The number of cells with respondents at or below each node (an empty cell adds no one). */
function cellCounts(forest: Forest): Map<string, number> {
  const counts = new Map<string, number>();
  for (const id of forest.postOrder) {
    const node = forest.byId.get(id)!;
    counts.set(
      id,
      node.level === 'cell'
        ? Math.min(1, node.respondents)
        : forest.children.get(id)!.reduce((sum, kid) => sum + counts.get(kid)!, 0),
    );
  }
  return counts;
}

/** The published nodes strictly below `id` that no other published node below `id` contains. */
function maximalPublishedBelow(
  forest: Forest,
  published: ReadonlySet<string>,
  id: string,
): string[] {
  const found: string[] = [];
  const stack = [...forest.children.get(id)!];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (published.has(next)) found.push(next);
    else stack.push(...forest.children.get(next)!);
  }
  return found;
}

const smallestFirst =
  (respondents: (id: string) => number) =>
  (a: string, b: string): number =>
    respondents(a) - respondents(b) || byText(a, b);

/**
 * INV-2 repair to a fixed point, children before parents: a published z whose residual
 * (R(z) minus the R of its maximal published descendants) is in 1..D-1 loses its maximal
 * published descendant with the smallest R (ties by id), whose own maximal published
 * descendants take its place, until the residual is 0 or >= D; with none left, z goes.
 * Repairing z changes nothing below it and nothing above it but through z, so one pass in
 * post-order reaches the fixed point.
 */
function repairSubtraction(forest: Forest, published: Set<string>, d: number): void {
  const r = (id: string) => forest.byId.get(id)!.respondents;
  const order = smallestFirst(r);
  for (const z of forest.postOrder) {
    if (!published.has(z)) continue;
    const below = maximalPublishedBelow(forest, published, z);
    let residual = r(z) - below.reduce((sum, id) => sum + r(id), 0);
    while (residual > 0 && residual < d) {
      if (below.length === 0) {
        published.delete(z);
        break;
      }
      below.sort(order);
      const dropped = below.shift()!;
      published.delete(dropped);
      const exposed = maximalPublishedBelow(forest, published, dropped);
      below.push(...exposed);
      residual += r(dropped) - exposed.reduce((sum, id) => sum + r(id), 0);
    }
  }
}

function toPublication(
  ids: readonly string[],
  sets: ReadonlyMap<StatisticClass, ReadonlySet<string>>,
): Publication {
  const result = new Map<string, Set<StatisticClass>>();
  for (const id of [...ids].sort(byText)) {
    const classes = new Set<StatisticClass>();
    for (const cls of STATISTIC_CLASSES) if (sets.get(cls)!.has(id)) classes.add(cls);
    if (classes.size > 0) result.set(id, classes);
  }
  return result;
}

/**
 * The publication of one wave (INV-1 primary thresholds and levels, INV-2 derivable groups,
 * INV-4 value independence, INV-5 one publication for all roles). Thresholds below the floors
 * are raised to the floors (A13). Distribution is decided after score, from score's final set.
 */
export function decidePublication({ nodes, thresholds }: DecidePublicationOptions): Publication {
  const t = effectiveThresholds(thresholds);
  const forest = buildForest(nodes);
  const cells = cellCounts(forest);
  const sets = new Map<StatisticClass, Set<string>>();
  for (const cls of STATISTIC_CLASSES) {
    const rule = classRule(cls, t);
    const eligible = (id: string) =>
      passesPrimary(forest.byId.get(id)!, rule, t.kE, cells.get(id)!) &&
      (cls !== 'distribution' || sets.get('score')!.has(id));
    const published = new Set(forest.postOrder.filter(eligible));
    repairSubtraction(forest, published, rule.d);
    sets.set(cls, published);
  }
  return toPublication(forest.postOrder, sets);
}

/** A node of a tree with the count of one statistic (valid n of an item, n of a theme). */
export interface CountNode {
  id: string;
  parentId: string | null;
  level: 'cell' | 'unit';
  /** The statistic's own count; a unit's is the sum over its children. */
  count: number;
}

export interface RepairDerivableCountsOptions {
  nodes: readonly CountNode[];
  /** The nodes where the statistic would be shown. */
  shown: ReadonlySet<string>;
  /** The subtraction minimum of the statistic. */
  d: number;
}

/**
 * INV-2 on a statistic's own count rather than on R: don't know, skips and the two-thirds rule
 * drop people, so a node's valid n minus the valid n of the published nodes inside it can be
 * 1..D-1 although R's remainder is not. The same repair as on R (smallest count first, ties by
 * id, else the node itself); returns the nodes where the statistic may still be shown. It only
 * ever hides (docs/anonymity.md).
 */
export function repairDerivableCounts({
  nodes,
  shown,
  d,
}: RepairDerivableCountsOptions): Set<string> {
  const forest = buildForest(
    nodes.map((n) => ({
      id: n.id,
      parentId: n.parentId,
      level: n.level,
      eligible: n.count,
      respondents: n.count,
    })),
  );
  const published = new Set([...shown].filter((id) => forest.byId.has(id)));
  repairSubtraction(forest, published, d);
  return published;
}

// ---------------------------------------------------------------------------------------------
// The quarter: pooled waves beside their frozen single-wave publications (INV-7).

/** One closed wave pooled into a quarter: its tree and its frozen publication. */
export interface QuarterWave {
  waveId: string;
  nodes: readonly DisclosureNode[];
  publication: Publication;
}

export interface DecideQuarterPublicationOptions {
  /** The last (up to) three closed waves of the programme, in any order. */
  waves: readonly QuarterWave[];
  /** The thresholds in force for the quarter (pass the latest wave's). */
  thresholds: Thresholds;
}

interface PooledNode {
  id: string;
  parentId: string | null;
  level: 'cell' | 'unit';
  /** The smallest E of the node in any pooled wave: each wave's group had at least this many. */
  eligible: number;
  /** Person-waves: the sum of R over the pooled waves. */
  respondents: number;
}

/** The pooled tree, or null when a node sits under different parents (or levels) in different
 * waves, so pooled groups would overlap instead of nest. */
function poolWaves(forests: readonly Forest[]): Forest | null {
  const pooled = new Map<string, PooledNode>();
  for (const forest of forests) {
    for (const node of forest.byId.values()) {
      const seen = pooled.get(node.id);
      if (!seen) {
        pooled.set(node.id, {
          id: node.id,
          parentId: node.parentId,
          level: node.level,
          eligible: node.eligible,
          respondents: node.respondents,
        });
        continue;
      }
      if (seen.parentId !== node.parentId || seen.level !== node.level) return null;
      seen.eligible = Math.min(seen.eligible, node.eligible);
      seen.respondents += node.respondents;
    }
  }
  const children = new Map<string, string[]>();
  for (const forest of forests) {
    for (const [id, kids] of forest.children) {
      const list = children.get(id) ?? [];
      for (const kid of kids) if (!list.includes(kid)) list.push(kid);
      children.set(id, list);
    }
  }
  for (const list of children.values()) list.sort(byText);
  const depth = (id: string): number => {
    let n = 0;
    for (let at = pooled.get(id)!.parentId; at !== null; at = pooled.get(at)!.parentId) n++;
    return n;
  };
  // Post-order of the union tree: deeper nodes first, then by id (children before parents).
  const postOrder = [...pooled.keys()]
    .map((id) => ({ id, depth: depth(id) }))
    .sort((a, b) => b.depth - a.depth || byText(a.id, b.id))
    .map((x) => x.id);
  return { byId: pooled, children, postOrder };
}

/**
 * The quarter's publication (INV-1 on the pooled sums, INV-2 across waves, INV-7 freeze). A
 * pooled node p(x) is x summed over the waves given (R: person-waves; E: the smallest E of x in
 * any of them). The single-wave publications are frozen and visible beside it, and an attacker
 * may combine both, so the rule is checked where they meet, wave by wave: in each wave w the
 * frozen groups z@w and the wave-w parts y@w of the published pooled groups p(y) form one
 * nested family, and every member of it minus the union of its maximal members inside has
 * R = 0 or R >= D. Every derivable group is then a union of such remainders (nested families
 * leave nothing finer to compute), so none has 1..D-1 respondents; the weaker check on the
 * pooled sums alone (p(x) minus everything published inside it) lets p(x) - x@w - p(y) single
 * out a small part of one wave (docs/anonymity.md has the example). Repair only suppresses
 * pooled nodes, never a frozen one: the pooled group with the smallest R among the failing
 * member's maximal members inside, ties by id; with none left, the failing pooled node itself.
 * Repeats to a fixed point. Nodes under different parents (or of different levels) in
 * different waves cannot be pooled into one tree: nothing is published then.
 */
export function decideQuarterPublication({
  waves,
  thresholds,
}: DecideQuarterPublicationOptions): Publication {
  const t = effectiveThresholds(thresholds);
  const seenWaves = new Set<string>();
  for (const wave of waves) {
    if (seenWaves.has(wave.waveId)) throw new Error(`disclosure: wave ${wave.waveId} given twice`);
    seenWaves.add(wave.waveId);
  }
  const ordered = [...waves].sort((a, b) => byText(a.waveId, b.waveId));
  const forests = ordered.map((w) => buildForest(w.nodes));
  ordered.forEach((wave, i) => {
    for (const id of wave.publication.keys()) {
      if (!forests[i]!.byId.has(id)) {
        throw new Error(`disclosure: wave ${wave.waveId} publishes unknown node ${id}`);
      }
    }
  });
  const pooled = poolWaves(forests);
  if (pooled === null) return new Map();
  // Cells below a pooled node: the fewest in any wave that has it (one team in a wave is that team).
  const perWave = forests.map(cellCounts);
  const cells = (id: string) =>
    Math.min(...perWave.filter((c) => c.has(id)).map((c) => c.get(id)!));

  const sets = new Map<StatisticClass, Set<string>>();
  for (const cls of STATISTIC_CLASSES) {
    const rule = classRule(cls, t);
    const frozen = ordered.map(
      (wave) => new Set([...wave.publication].filter(([, c]) => c.has(cls)).map(([id]) => id)),
    );
    const eligible = (id: string) =>
      passesPrimary(pooled.byId.get(id)!, rule, t.kE, cells(id)) &&
      (cls !== 'distribution' || sets.get('score')!.has(id));
    const published = new Set(pooled.postOrder.filter(eligible));
    repairQuarter(pooled, forests, frozen, published, rule.d);
    sets.set(cls, published);
  }
  return toPublication(pooled.postOrder, sets);
}

function repairQuarter(
  pooled: Forest,
  forests: readonly Forest[],
  frozen: readonly ReadonlySet<string>[],
  published: Set<string>,
  d: number,
): void {
  const r = (id: string) => pooled.byId.get(id)!.respondents;
  const order = smallestFirst(r);
  const members = frozen.map((f) => new Set([...f, ...published]));

  /** x's failing wave, if any: the pooled parts it may lose and whether x itself may go. */
  const check = (x: string): { candidates: string[]; self: string | null } | null => {
    for (let w = 0; w < forests.length; w++) {
      const forest = forests[w]!;
      const isFrozen = frozen[w]!.has(x);
      if (!forest.byId.has(x) || !members[w]!.has(x)) continue;
      const parts = maximalPublishedBelow(forest, members[w]!, x);
      const residual =
        forest.byId.get(x)!.respondents -
        parts.reduce((sum, id) => sum + forest.byId.get(id)!.respondents, 0);
      if (residual <= 0 || residual >= d) continue;
      const candidates = parts.filter((id) => !frozen[w]!.has(id) && published.has(id));
      // A frozen member failing with frozen parts only cannot be repaired here (and the
      // wave's own INV-2 excludes it): nothing pooled is involved, so nothing to suppress.
      if (candidates.length === 0 && isFrozen) continue;
      return { candidates, self: isFrozen ? null : x };
    }
    return null;
  };

  // Always repair the first failing node in post-order. A suppression changes only the
  // remainders of the suppressed node's ancestors, so only they are checked again.
  const index = new Map(pooled.postOrder.map((id, i) => [id, i]));
  const queue = new MinQueue(pooled.postOrder.length);
  pooled.postOrder.forEach((_, i) => queue.push(i));
  for (let i = queue.pop(); i !== undefined; i = queue.pop()) {
    const x = pooled.postOrder[i]!;
    const violation = check(x);
    if (!violation) continue;
    const [first] = [...violation.candidates].sort(order);
    const gone = first ?? violation.self!;
    published.delete(gone);
    forests.forEach((_, w) => {
      if (!frozen[w]!.has(gone)) members[w]!.delete(gone);
    });
    queue.push(i);
    for (
      let at = pooled.byId.get(gone)!.parentId;
      at !== null;
      at = pooled.byId.get(at)!.parentId
    ) {
      queue.push(index.get(at)!);
    }
  }
}

/** A min-priority queue of small whole numbers, each held at most once. */
class MinQueue {
  private readonly heap: number[] = [];
  private readonly queued: boolean[];
  constructor(size: number) {
    this.queued = new Array<boolean>(size).fill(false);
  }

  push(value: number): void {
    if (this.queued[value]) return;
    this.queued[value] = true;
    const heap = this.heap;
    heap.push(value);
    for (let i = heap.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (heap[parent]! <= heap[i]!) break;
      [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
      i = parent;
    }
  }

  pop(): number | undefined {
    const heap = this.heap;
    if (heap.length === 0) return undefined;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      for (let i = 0; ;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && heap[left]! < heap[smallest]!) smallest = left;
        if (right < heap.length && heap[right]! < heap[smallest]!) smallest = right;
        if (smallest === i) break;
        [heap[smallest], heap[i]] = [heap[i]!, heap[smallest]!];
        i = smallest;
      }
    }
    this.queued[top] = false;
    return top;
  }
}

/** One wave of a quarter with a statistic's own count per node and where its frozen
 * single-wave publication showed the statistic. */
export interface QuarterCountWave {
  /** The wave's tree at its close, with the statistic's count (a unit's is its children's sum). */
  nodes: readonly CountNode[];
  /** The nodes where the frozen publication of that wave showed the statistic. */
  frozen: ReadonlySet<string>;
}

export interface RepairQuarterCountsOptions {
  waves: readonly QuarterCountWave[];
  /** The pooled nodes where the quarter would show the statistic. */
  shown: ReadonlySet<string>;
  /** The subtraction minimum of the statistic. */
  d: number;
}

/**
 * INV-2 on a statistic's own count across the quarter's waves: the analogue of the R rule of
 * decideQuarterPublication on valid n (or theme n). In each wave w the nodes whose frozen
 * publication showed the statistic and the wave-w parts of the pooled nodes that would show it
 * form one nested family; every member minus its maximal members inside must count 0 or >= d.
 * Otherwise p(x) - x@1 - x@2 could single out a few answers of x@3 although its R is large.
 * Only pooled nodes are dropped (frozen ones are fixed): the pooled part with the smallest
 * pooled count, ties by id, else the failing pooled node itself; to a fixed point. Returns the
 * pooled nodes where the statistic may still be shown; it only ever hides. Waves whose trees do
 * not nest into one pooled tree leave nothing to check safely, so everything is hidden.
 */
export function repairQuarterCounts({ waves, shown, d }: RepairQuarterCountsOptions): Set<string> {
  const forests = waves.map((w) =>
    buildForest(
      w.nodes.map((n) => ({
        id: n.id,
        parentId: n.parentId,
        level: n.level,
        eligible: n.count,
        respondents: n.count,
      })),
    ),
  );
  const pooled = poolWaves(forests);
  if (pooled === null) return new Set();
  const published = new Set([...shown].filter((id) => pooled.byId.has(id)));
  const frozen = waves.map(
    (w, i) => new Set([...w.frozen].filter((id) => forests[i]!.byId.has(id))),
  );
  repairQuarter(pooled, forests, frozen, published, d);
  // A pooled node in none of the waves has no part to subtract: left as it was.
  for (const id of shown) if (!pooled.byId.has(id)) published.add(id);
  return published;
}
