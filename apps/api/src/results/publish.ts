/**
 * Frozen published results (anonymity.md section 3, content.md "Scoring"): computed at close
 * from the wave's tallies, before the single write transaction that stores tallies and results
 * together, so a crash leaves neither (the wave stays 'closing' and closes again). Published
 * rows are never changed afterwards (INV-7): later waves and quarters read them back as the
 * frozen decision.
 *
 * For the wave: the tree of cells and units (tree.ts), one publication for all roles (INV-5),
 * every node summarised from the merged tallies of its cells, comments shown where allowed or
 * moved up, and the change against the previous closed wave of the programme unless the node's
 * roster changed by 1..D-1 people (INV-8). For the quarter, once three waves have closed: the
 * same tree over the cells of the last three waves, decided with the three single-wave
 * publications as frozen parts, and summarised from the pooled tallies.
 */
import { randomInt } from 'node:crypto';
import type { NodeRef, Period, PublishedNode } from '@teamspiegel/contracts';
import {
  decidePublication,
  decideQuarterPublication,
  effectiveThresholds,
  derivableHiddenSteps,
  mergeTallies,
  summariseNode,
  toResultItem,
  trendAllowed as rosterAllowsTrend,
  type ResultItem,
  type CellTally,
  type QuarterWave,
  type HiddenStatistics,
  type QuarterWaveTallies,
  type Publication,
  type StatisticClass,
  type Thresholds,
} from '@teamspiegel/core';
import type { Db, NewPublishedNode, Wave } from '@teamspiegel/db';
import { allItems } from '../collection/catalogue.ts';
import { parseJsonArray } from '../collection/waves.repository.ts';
import {
  buildResultTree,
  placeComments,
  type CellKind,
  type CommentsField,
  type ResultNode,
  type TreeCell,
  type TreeUnit,
} from './tree.ts';

/** Waves pooled in a quarter: a 12-week module cycle at the default 4-week cadence. */
export const QUARTER_WAVES = 3;
/** Nodes summarised between turns given back to the event loop. */
const YIELD_EVERY = 50;
/** Stored rows read back between turns. */
const ROW_YIELD_EVERY = 5000;
/** Rows per page when reading a roster snapshot back. */
const PAGE_ROWS = 5000;
/** Cells per page when reading tallies back (well under SQLite's limit of bound variables). */
const PAGE_CELLS = 250;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Runs a pure computation that pauses between steps, giving the event loop a turn at each. */
async function stepByStep<T>(steps: Generator<void, T>): Promise<T> {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await yieldToEventLoop();
  }
}

export interface ClosingCell {
  id: string;
  unitId: string;
  kind: CellKind;
  eligible: number;
}

export interface PublishInput {
  wave: Wave;
  cells: readonly ClosingCell[];
  /** The tallies just counted, per cell id. */
  tallies: ReadonlyMap<string, CellTally>;
  /** The scrubbed comments just collected, per cell id. */
  comments: ReadonlyMap<string, readonly string[]>;
}

/** A closed wave as later waves and quarters read it back. */
interface ClosedWave {
  id: string;
  cells: TreeCell[];
  tallies: Map<string, CellTally>;
  /** Person ids per cell, from the roster snapshot at open (roster data, no answers). */
  rosters: Map<string, string[]>;
  /** The frozen decision per node id, for the given period. */
  classes: Map<string, Set<StatisticClass>>;
  /** Each unit's parent at that close (from its stored nodes), over today's units; null = today's. */
  units: Map<string, TreeUnit> | null;
}

interface Context {
  waveId: string;
  units: Map<string, TreeUnit>;
  rootUnitId: string;
  thresholds: Thresholds;
  items: ResultItem[];
  anchorItemIds: string[];
}

const EMPTY: ReadonlySet<StatisticClass> = new Set();

/** Fisher-Yates with a cryptographic source: the stored order says nothing about anyone. */
export function shuffle<T>(values: T[]): T[] {
  const copy = [...values];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/** The wave's items as scoring needs them: counting rules plus the level they may be shown at. */
function summaryItems(itemIds: readonly string[]): ResultItem[] {
  const byId = new Map(allItems().map((item) => [item.id, item]));
  return itemIds.map((id) => toResultItem(byId.get(id)!));
}

/** Computes every published_node row of a closing wave (wave and, when due, quarter). */
export async function preparePublication(db: Db, input: PublishInput): Promise<NewPublishedNode[]> {
  const { wave } = input;
  const programme = await db
    .selectFrom('programme')
    .innerJoin('unit', 'unit.id', 'programme.root_unit_id')
    .select(['programme.root_unit_id', 'programme.anchor_item_ids', 'unit.path'])
    .where('programme.id', '=', wave.programme_id)
    .executeTakeFirstOrThrow();
  const unitRows = await db
    .selectFrom('unit')
    .select(['id', 'parent_id', 'name'])
    .where('path', 'like', `${programme.path}%`)
    .execute();
  const ctx: Context = {
    waveId: wave.id,
    units: new Map(unitRows.map((u) => [u.id, { id: u.id, parentId: u.parent_id, name: u.name }])),
    rootUnitId: programme.root_unit_id,
    thresholds: effectiveThresholds(
      wave.thresholds ? (JSON.parse(wave.thresholds) as Partial<Thresholds>) : {},
    ),
    items: summaryItems(parseJsonArray<string>(wave.item_ids)),
    anchorItemIds: parseJsonArray<string>(programme.anchor_item_ids),
  };

  const current: ClosedWave = {
    id: wave.id,
    cells: input.cells.map((c) => ({
      ...c,
      respondents: input.tallies.get(c.id)?.respondents ?? 0,
    })),
    tallies: new Map(input.tallies),
    rosters: await rostersOf(db, wave.id),
    classes: new Map(),
    units: null,
  };
  // Earlier closed waves of the programme, newest first: enough for the previous quarter.
  const earlier = await db
    .selectFrom('wave')
    .select('id')
    .where('programme_id', '=', wave.programme_id)
    .where('state', '=', 'closed')
    .where('sequence', '<', wave.sequence)
    .orderBy('sequence', 'desc')
    .limit(2 * QUARTER_WAVES - 1)
    .execute();
  const closed = new Map<string, ClosedWave>();
  const load = async (index: number, period: Period): Promise<ClosedWave | null> => {
    const id = earlier[index]?.id;
    if (!id) return null;
    const key = `${id}:${period}`;
    if (!closed.has(key)) {
      closed.set(
        key,
        period === 'wave'
          ? await readClosedWave(db, id, ctx.units)
          : {
              id,
              cells: [],
              tallies: new Map(),
              rosters: new Map(),
              classes: await frozenClasses(db, id, period),
              units: null,
            },
      );
    }
    return closed.get(key)!;
  };

  const rows: NewPublishedNode[] = [];

  // The wave itself.
  const tree = buildResultTree({
    units: ctx.units,
    rootUnitId: ctx.rootUnitId,
    cells: current.cells,
  });
  const publication = decidePublication({
    nodes: tree.map(toDisclosureNode),
    thresholds: ctx.thresholds,
  });
  for (const node of tree)
    current.classes.set(node.nodeId, new Set(publication.get(node.nodeId) ?? EMPTY));
  await yieldToEventLoop();
  const previous = await load(0, 'wave');
  await yieldToEventLoop();
  const comments = placeComments({
    nodes: tree,
    showsComments: (nodeId) => showsComments(publication, nodeId),
    commentsByCell: input.comments,
    shuffle,
  });
  rows.push(
    ...(await summariseTree(
      ctx,
      'wave',
      tree,
      publication,
      [current],
      previous ? [previous] : [],
      comments,
    )),
  );

  // The quarter: the last three closed waves, this one included.
  const pooled = [current];
  for (let i = 0; i < QUARTER_WAVES - 1; i++) {
    const w = await load(i, 'wave');
    if (w) pooled.push(w);
  }
  if (pooled.length === QUARTER_WAVES) {
    const quarterTree = buildResultTree({
      units: ctx.units,
      rootUnitId: ctx.rootUnitId,
      cells: pooled.flatMap((w) => w.cells),
    });
    // Each wave on its own structure at its close: after a move, the pooled tree does not
    // nest and the engine publishes nothing for the quarter.
    const parts = await quarterParts(ctx, pooled);
    await yieldToEventLoop();
    const quarter = decideQuarterPublication({ waves: parts, thresholds: ctx.thresholds });
    await yieldToEventLoop();
    const before: ClosedWave[] = [];
    for (let i = QUARTER_WAVES - 1; i < 2 * QUARTER_WAVES - 1; i++) {
      const w = await load(i, 'wave');
      if (w) before.push(w);
    }
    // The previous quarter's frozen decision was stored under its latest wave.
    const previousQuarter =
      before.length === QUARTER_WAVES ? await load(QUARTER_WAVES - 1, 'quarter') : null;
    // The previous quarter's waves with their own frozen decisions, as its close saw them.
    const previousParts = previousQuarter ? await quarterParts(ctx, before) : [];
    if (previousQuarter) before[0] = { ...before[0]!, classes: previousQuarter.classes };
    // Comments stay with their wave: a pooled group counts person-waves, not people.
    const noComments = new Map<string, CommentsField>(
      quarterTree.map((n) => [n.nodeId, { suppressed: true } as const]),
    );
    rows.push(
      ...(await summariseTree(
        ctx,
        'quarter',
        quarterTree,
        quarter,
        pooled,
        previousQuarter ? before : [],
        noComments,
        { current: parts, previous: previousParts },
      )),
    );
  }
  return rows;
}

/** Stores the rows; called inside the close transaction, next to the tallies. */
export async function insertPublication(trx: Db, rows: readonly NewPublishedNode[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    await trx
      .insertInto('published_node')
      .values(rows.slice(i, i + 200))
      .execute();
  }
}

function toDisclosureNode(node: ResultNode) {
  return {
    id: node.nodeId,
    parentId: node.parentNodeId,
    level: node.level,
    eligible: node.eligible,
    respondents: node.respondents,
  };
}

/** A node is published when its scores are; only a published node shows comments. */
function isPublished(publication: Publication, nodeId: string): boolean {
  return publication.get(nodeId)?.has('score') ?? false;
}

function showsComments(publication: Publication, nodeId: string): boolean {
  return isPublished(publication, nodeId) && (publication.get(nodeId)?.has('comment') ?? false);
}

/**
 * Summarises every node of a tree over the given waves' cells (one wave, or the pooled
 * quarter). `previous` are the waves of the previous period (empty when there is none), the
 * first of them carrying that period's frozen decision.
 */
async function summariseTree(
  ctx: Context,
  period: Period,
  tree: readonly ResultNode[],
  publication: Publication,
  waves: readonly ClosedWave[],
  previous: readonly ClosedWave[],
  comments: ReadonlyMap<string, CommentsField>,
  frozen: {
    current: readonly QuarterWaveTallies[];
    previous: readonly QuarterWaveTallies[];
  } = { current: [], previous: [] },
): Promise<NewPublishedNode[]> {
  const tallies = await nodeTallies(tree, waves);
  // INV-2 on each statistic's own count (valid n, theme n): what a node hides on top of its
  // classes (docs/anonymity.md "Publication classes and the disclosure engine"); for the
  // quarter also against the frozen single-wave nodes that showed the same statistic.
  const hidden = await stepByStep(
    derivableHiddenSteps({
      nodes: tree.map(toDisclosureNode),
      tallies,
      publication,
      items: ctx.items,
      thresholds: ctx.thresholds,
      waves: frozen.current,
    }),
  );
  let previousTree: ResultNode[] = [];
  let previousTallies = new Map<string, CellTally>();
  let previousHidden = new Map<string, HiddenStatistics>();
  let changes = new Map<string, number>();
  const previousClasses = previous[0]?.classes;
  if (previous.length) {
    // The previous period on its own structure at its close, which its frozen decision refers
    // to (not today's units: after a move that would be a group never published).
    previousTree = buildResultTree({
      units: previous[0]!.units ?? ctx.units,
      rootUnitId: ctx.rootUnitId,
      cells: previous.flatMap((w) => w.cells),
    });
    previousTallies = await nodeTallies(previousTree, previous);
    // The change never uses a theme the previous period hid (recomputed on its own counts).
    previousHidden = await stepByStep(
      derivableHiddenSteps({
        nodes: previousTree.map(toDisclosureNode),
        tallies: previousTallies,
        publication: previousClasses ?? new Map(),
        items: ctx.items,
        thresholds: ctx.thresholds,
        waves: frozen.previous,
      }),
    );
    changes = await rosterChanges(
      await personNodes(previousTree, previous),
      await personNodes(tree, waves),
    );
  }

  // A node's cells by what they stand for across waves (unit and kind); where the set differs
  // between the periods (cells moved in or out), no change is computed.
  const cellKeys = (nodes: readonly ResultNode[], ws: readonly ClosedWave[]) => {
    const keyOf = new Map<string, string>();
    for (const w of ws) for (const c of w.cells) keyOf.set(c.id, `${c.unitId}:${c.kind}`);
    return new Map(
      nodes.map((n) => [
        n.nodeId,
        [...new Set(n.cellIds.map((id) => keyOf.get(id)!))].sort().join('|'),
      ]),
    );
  };
  const currentKeys = previous.length ? cellKeys(tree, waves) : new Map<string, string>();
  const previousKeys = cellKeys(previousTree, previous);

  const rows: NewPublishedNode[] = [];
  for (const [i, node] of tree.entries()) {
    if (i % YIELD_EVERY === 0) await yieldToEventLoop();
    const ref: NodeRef = {
      nodeId: node.nodeId,
      unitId: node.unitId,
      kind: node.kind,
      name: node.name,
      parentNodeId: node.parentNodeId,
    };
    const classes = publication.get(node.nodeId) ?? EMPTY;
    const base = {
      wave_id: ctx.waveId,
      period,
      node_id: node.nodeId,
      unit_id: node.unitId,
      kind: node.kind,
      parent_node_id: node.parentNodeId,
      name: node.name,
      position: node.position,
    };
    if (!isPublished(publication, node.nodeId)) {
      rows.push({ ...base, payload: null, classes: '[]' });
      continue;
    }
    const sameCells = currentKeys.get(node.nodeId) === previousKeys.get(node.nodeId);
    const beforeTally = sameCells ? previousTallies.get(node.nodeId) : undefined;
    const beforeClasses = previousClasses?.get(node.nodeId);
    const trendAllowed =
      previous.length === 0 || rosterAllowsTrend(changes.get(node.nodeId) ?? 0, ctx.thresholds.d);
    const summary = summariseNode({
      items: ctx.items,
      anchorItemIds: ctx.anchorItemIds,
      tally: tallies.get(node.nodeId)!,
      eligible: node.eligible,
      classes,
      thresholds: ctx.thresholds,
      previous:
        beforeTally && beforeClasses
          ? {
              tally: beforeTally,
              classes: beforeClasses,
              hidden: previousHidden.get(node.nodeId),
            }
          : null,
      trendAllowed,
      hidden: hidden.get(node.nodeId),
    });
    const payload: PublishedNode = {
      waveId: ctx.waveId,
      nodeId: node.nodeId,
      period,
      node: ref,
      ...summary,
      trendAllowed,
      comments: comments.get(node.nodeId) ?? { suppressed: true },
    };
    rows.push({
      ...base,
      payload: JSON.stringify(payload),
      classes: JSON.stringify([...classes].sort()),
    });
  }
  return rows;
}

/**
 * The waves of a quarter, each on its own structure at its close, with its frozen decision
 * (on the nodes the tree still has: a moved unit's old node is not) and its node tallies, so
 * the quarter is decided and repaired against the single-wave groups already shown.
 */
async function quarterParts(
  ctx: Context,
  waves: readonly ClosedWave[],
): Promise<(QuarterWave & QuarterWaveTallies)[]> {
  const parts = [];
  for (const w of waves) {
    await yieldToEventLoop();
    const tree = buildResultTree({
      units: w.units ?? ctx.units,
      rootUnitId: ctx.rootUnitId,
      cells: w.cells,
    });
    const nodes = tree.map(toDisclosureNode);
    const known = new Set(nodes.map((n) => n.id));
    const publication = new Map(
      [...w.classes].filter(([id, classes]) => classes.size > 0 && known.has(id)),
    );
    parts.push({ waveId: w.id, nodes, publication, tallies: await nodeTallies(tree, [w]) });
  }
  return parts;
}

/** Each node's tally: its cells' tallies merged, children before parents. */
async function nodeTallies(
  tree: readonly ResultNode[],
  waves: readonly ClosedWave[],
): Promise<Map<string, CellTally>> {
  const byCell = new Map<string, CellTally>();
  for (const w of waves) for (const [cellId, tally] of w.tallies) byCell.set(cellId, tally);
  const byNode = new Map<string, CellTally>();
  for (let i = tree.length - 1; i >= 0; i--) {
    if (i % YIELD_EVERY === 0) await yieldToEventLoop();
    const node = tree[i]!;
    const parts =
      node.level === 'cell'
        ? node.cellIds.flatMap((id) => byCell.get(id) ?? [])
        : node.children.map((id) => byNode.get(id)!);
    byNode.set(node.nodeId, mergeTallies(parts));
  }
  return byNode;
}

/**
 * Per person, the nodes whose roster they are in: the path from their cell's node up to the
 * root, over all given waves. Paths are shared between the people of a cell, so memory stays
 * flat however many people a node has.
 */
async function personNodes(
  tree: readonly ResultNode[],
  waves: readonly ClosedWave[],
): Promise<Map<string, readonly string[]>> {
  const byId = new Map(tree.map((n) => [n.nodeId, n]));
  const pathOfCell = new Map<string, string[]>();
  for (const node of tree) {
    if (node.level !== 'cell') continue;
    const path: string[] = [];
    for (let at: ResultNode | undefined = node; at;) {
      path.push(at.nodeId);
      at = at.parentNodeId === null ? undefined : byId.get(at.parentNodeId);
    }
    for (const cellId of node.cellIds) pathOfCell.set(cellId, path);
  }
  const result = new Map<string, readonly string[]>();
  let seen = 0;
  for (const w of waves) {
    for (const [cellId, people] of w.rosters) {
      const path = pathOfCell.get(cellId);
      if (!path) continue;
      for (const person of people) {
        if (++seen % ROW_YIELD_EVERY === 0) await yieldToEventLoop();
        const known = result.get(person);
        if (known === undefined) result.set(person, path);
        else if (known !== path) result.set(person, [...new Set([...known, ...path])]);
      }
    }
  }
  return result;
}

/**
 * INV-8 per node: how many people joined or left its roster between two periods (the size of
 * the symmetric difference, as cellRosterChange counts it for one cell).
 */
async function rosterChanges(
  before: ReadonlyMap<string, readonly string[]>,
  now: ReadonlyMap<string, readonly string[]>,
): Promise<Map<string, number>> {
  const changes = new Map<string, number>();
  const count = (nodes: readonly string[], other: readonly string[]) => {
    for (const node of nodes) {
      if (!other.includes(node)) changes.set(node, (changes.get(node) ?? 0) + 1);
    }
  };
  let seen = 0;
  for (const [person, nodes] of now) {
    if (++seen % ROW_YIELD_EVERY === 0) await yieldToEventLoop();
    const was = before.get(person) ?? [];
    if (was !== nodes) count(nodes, was);
  }
  for (const [person, nodes] of before) {
    if (++seen % ROW_YIELD_EVERY === 0) await yieldToEventLoop();
    const is = now.get(person) ?? [];
    if (is !== nodes) count(nodes, is);
  }
  return changes;
}

/**
 * The roster snapshot per cell, read in pages along the primary key: one statement over a whole
 * wave (65,000 rows at reference scale) would hold the event loop for half a second.
 */
async function rostersOf(db: Db, waveId: string): Promise<Map<string, string[]>> {
  const result = new Map<string, string[]>();
  let after = '';
  for (;;) {
    const page = await db
      .selectFrom('wave_eligibility')
      .select(['cell_id', 'person_id'])
      .where('wave_id', '=', waveId)
      .where('person_id', '>', after)
      .orderBy('person_id')
      .limit(PAGE_ROWS)
      .execute();
    for (const row of page) {
      const list = result.get(row.cell_id) ?? [];
      list.push(row.person_id);
      result.set(row.cell_id, list);
    }
    if (page.length < PAGE_ROWS) return result;
    after = page.at(-1)!.person_id;
    await yieldToEventLoop();
  }
}

/** Reads a closed wave back: its cells, kept tallies, roster snapshot and frozen decision. */
async function readClosedWave(
  db: Db,
  waveId: string,
  today: ReadonlyMap<string, TreeUnit>,
): Promise<ClosedWave> {
  const cells = await db
    .selectFrom('wave_cell')
    .leftJoin('wave_cell_tally', (join) =>
      join
        .onRef('wave_cell_tally.cell_id', '=', 'wave_cell.id')
        .onRef('wave_cell_tally.wave_id', '=', 'wave_cell.wave_id'),
    )
    .select([
      'wave_cell.id',
      'wave_cell.unit_id',
      'wave_cell.kind',
      'wave_cell.eligible',
      'wave_cell_tally.respondents',
    ])
    .where('wave_cell.wave_id', '=', waveId)
    .execute();
  await yieldToEventLoop();
  const tallies = new Map<string, CellTally>();
  for (const cell of cells) {
    tallies.set(cell.id, {
      respondents: cell.respondents ?? 0,
      items: new Map(),
      themes: new Map(),
    });
  }
  // Tallies in pages of cells (the primary key's prefix), yielding in between.
  const ids = cells.map((c) => c.id);
  for (let i = 0; i < ids.length; i += PAGE_CELLS) {
    await yieldToEventLoop();
    const page = ids.slice(i, i + PAGE_CELLS);
    const items = await db
      .selectFrom('wave_item_tally')
      .select(['cell_id', 'item_id', 'option', 'count'])
      .where('wave_id', '=', waveId)
      .where('cell_id', 'in', page)
      .execute();
    for (const row of items) {
      const tally = tallies.get(row.cell_id)!;
      const options = tally.items.get(row.item_id) ?? new Map<string, number>();
      options.set(row.option, row.count);
      tally.items.set(row.item_id, options);
    }
    const themes = await db
      .selectFrom('wave_theme_tally')
      .select(['cell_id', 'theme', 'n', 'sum', 'sum_sq'])
      .where('wave_id', '=', waveId)
      .where('cell_id', 'in', page)
      .execute();
    for (const row of themes) {
      tallies
        .get(row.cell_id)!
        .themes.set(row.theme, { n: row.n, sum: row.sum, sumSq: row.sum_sq });
    }
  }
  const rosters = await rostersOf(db, waveId);
  const classes = await frozenClasses(db, waveId, 'wave');
  const units = await unitsAtClose(db, waveId, today);
  await yieldToEventLoop();
  return {
    id: waveId,
    cells: cells.map((c) => ({
      id: c.id,
      unitId: c.unit_id,
      kind: c.kind as CellKind,
      eligible: c.eligible,
      respondents: c.respondents ?? 0,
    })),
    tallies,
    rosters,
    classes,
    units,
  };
}

/**
 * The unit structure of a closed wave, from its stored nodes: a unit or team node's parent
 * node is its unit's parent at that close. Units it did not place keep today's parent.
 */
async function unitsAtClose(
  db: Db,
  waveId: string,
  today: ReadonlyMap<string, TreeUnit>,
): Promise<Map<string, TreeUnit>> {
  const rows = await db
    .selectFrom('published_node')
    .select(['unit_id', 'parent_node_id', 'name'])
    .where('wave_id', '=', waveId)
    .where('period', '=', 'wave')
    .where('kind', 'in', ['unit', 'team'])
    .execute();
  const units = new Map(today);
  for (const row of rows) {
    const known = today.get(row.unit_id);
    units.set(row.unit_id, {
      id: row.unit_id,
      parentId: row.parent_node_id ?? known?.parentId ?? null,
      name: known?.name ?? row.name,
    });
  }
  return units;
}

/** The frozen decision of a wave or quarter, as stored at its close (INV-7). */
async function frozenClasses(
  db: Db,
  waveId: string,
  period: Period,
): Promise<Map<string, Set<StatisticClass>>> {
  const rows = await db
    .selectFrom('published_node')
    .select(['node_id', 'classes'])
    .where('wave_id', '=', waveId)
    .where('period', '=', period)
    .execute();
  return new Map(rows.map((r) => [r.node_id, new Set(JSON.parse(r.classes) as StatisticClass[])]));
}
