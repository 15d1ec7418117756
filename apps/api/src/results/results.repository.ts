/**
 * Reads of the frozen publication (published_node) and of the team actions. Nothing here
 * computes a result: every number the API sends was decided and stored at close (INV-5, INV-7).
 */
import { randomUUID } from 'node:crypto';
import type { NodeKind, Period, SaveTeamActionBody } from '@teamspiegel/contracts';
import type { StatisticClass } from '@teamspiegel/core';
import type { Db, TeamActionRow } from '@teamspiegel/db';
import { sql } from 'kysely';

export type CellKind = 'team' | 'remainder' | 'leadership';

/** The node a collection cell is published at (the publisher's naming, contracts NodeId). */
export function cellNodeId(cell: { unitId: string; kind: CellKind }): string {
  return cell.kind === 'team' ? cell.unitId : `${cell.unitId}~${cell.kind}`;
}

/** One node of a published tree without its payload: enough to decide who may open it. */
export interface TreeRow {
  nodeId: string;
  unitId: string;
  kind: NodeKind;
  name: string;
  parentNodeId: string | null;
  position: number;
  /** The unit's materialised path now ('/root/.../unit/'), for scope checks. */
  unitPath: string;
  suppressed: boolean;
}

export interface ClosedWave {
  id: string;
  programmeId: string;
  programmeName: string;
  sequence: number;
  opensOn: string;
  closesOn: string;
  /** JSON array of the wave's item ids. */
  itemIds: string;
  /** JSON of the thresholds in force, fixed at open. */
  thresholds: string | null;
}

const waveColumns = [
  'wave.id',
  'wave.programme_id as programmeId',
  'programme.name as programmeName',
  'wave.sequence',
  'wave.opens_on as opensOn',
  'wave.closes_on as closesOn',
  'wave.item_ids as itemIds',
  'wave.thresholds',
] as const;

/** A closed wave with a publication, or undefined (open, planned, unknown or not yet published). */
export async function findClosedWave(db: Db, waveId: string): Promise<ClosedWave | undefined> {
  return db
    .selectFrom('wave')
    .innerJoin('programme', 'programme.id', 'wave.programme_id')
    .select(waveColumns)
    .where('wave.id', '=', waveId)
    .where('wave.state', '=', 'closed')
    .where((eb) =>
      eb.exists(
        eb.selectFrom('published_node').select('node_id').whereRef('wave_id', '=', 'wave.id'),
      ),
    )
    .executeTakeFirst();
}

/** Whether a wave has a publication for a period (a quarter exists from the third wave on). */
export async function hasPeriod(db: Db, waveId: string, period: Period): Promise<boolean> {
  const row = await db
    .selectFrom('published_node')
    .select('node_id')
    .where('wave_id', '=', waveId)
    .where('period', '=', period)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Every closed wave with a publication, oldest first per programme. */
export async function listClosedWaves(db: Db): Promise<ClosedWave[]> {
  return db
    .selectFrom('wave')
    .innerJoin('programme', 'programme.id', 'wave.programme_id')
    .select(waveColumns)
    .where('wave.state', '=', 'closed')
    .where((eb) =>
      eb.exists(
        eb.selectFrom('published_node').select('node_id').whereRef('wave_id', '=', 'wave.id'),
      ),
    )
    .orderBy('programme.name')
    .orderBy('wave.programme_id')
    .orderBy('wave.sequence')
    .execute();
}

/** The closed waves in which a node was published for a period, oldest first. */
export async function wavesWithNode(db: Db, nodeId: string, period: Period): Promise<ClosedWave[]> {
  return db
    .selectFrom('published_node')
    .innerJoin('wave', 'wave.id', 'published_node.wave_id')
    .innerJoin('programme', 'programme.id', 'wave.programme_id')
    .select(waveColumns)
    .where('published_node.node_id', '=', nodeId)
    .where('published_node.period', '=', period)
    .where('wave.state', '=', 'closed')
    .orderBy('wave.opens_on')
    .orderBy('wave.sequence')
    .execute();
}

/**
 * A wave's published tree for a period, in tree order, without payloads; with `nodeIds`, only
 * those nodes (any that exist).
 */
export async function loadTree(
  db: Db,
  waveId: string,
  period: Period,
  nodeIds?: readonly string[],
): Promise<TreeRow[]> {
  if (nodeIds?.length === 0) return [];
  let query = db
    .selectFrom('published_node')
    .innerJoin('unit', 'unit.id', 'published_node.unit_id')
    .select([
      'published_node.node_id as nodeId',
      'published_node.unit_id as unitId',
      'published_node.kind',
      'published_node.name',
      'published_node.parent_node_id as parentNodeId',
      'published_node.position',
      'unit.path as unitPath',
      sql<number>`published_node.payload is null`.as('suppressed'),
    ])
    .where('published_node.wave_id', '=', waveId)
    .where('published_node.period', '=', period)
    .orderBy('published_node.position');
  if (nodeIds) query = query.where('published_node.node_id', 'in', nodeIds);
  const rows = await query.execute();
  return rows.map((r) => ({
    ...r,
    kind: r.kind as NodeKind,
    suppressed: Number(r.suppressed) === 1,
  }));
}

/** The stored payloads (parsed JSON, null when suppressed) of some nodes of one wave and period. */
export async function loadPayloads(
  db: Db,
  waveId: string,
  period: Period,
  nodeIds: readonly string[],
): Promise<Map<string, unknown>> {
  const result = new Map<string, unknown>();
  if (nodeIds.length === 0) return result;
  for (let i = 0; i < nodeIds.length; i += 500) {
    const rows = await db
      .selectFrom('published_node')
      .select(['node_id', 'payload'])
      .where('wave_id', '=', waveId)
      .where('period', '=', period)
      .where('node_id', 'in', nodeIds.slice(i, i + 500))
      .execute();
    for (const row of rows) {
      result.set(row.node_id, row.payload === null ? null : (JSON.parse(row.payload) as unknown));
    }
  }
  return result;
}

/** The statistic classes the engine decided for some nodes (never sent to a client). */
export async function loadClasses(
  db: Db,
  waveId: string,
  period: Period,
  nodeIds: readonly string[],
): Promise<Map<string, StatisticClass[]>> {
  if (nodeIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('published_node')
    .select(['node_id', 'classes'])
    .where('wave_id', '=', waveId)
    .where('period', '=', period)
    .where('node_id', 'in', nodeIds)
    .execute();
  return new Map(rows.map((r) => [r.node_id, JSON.parse(r.classes) as StatisticClass[]]));
}

/** The node a person was placed in for a wave (the roster snapshot), as a cell: kind and unit. */
export async function eligibilityCell(
  db: Db,
  waveId: string,
  personId: string,
): Promise<{ unitId: string; kind: string } | undefined> {
  return db
    .selectFrom('wave_eligibility')
    .innerJoin('wave_cell', 'wave_cell.id', 'wave_eligibility.cell_id')
    .select(['wave_cell.unit_id as unitId', 'wave_cell.kind'])
    .where('wave_eligibility.wave_id', '=', waveId)
    .where('wave_eligibility.person_id', '=', personId)
    .executeTakeFirst();
}

/**
 * The closed waves a quarter view pools: the wave itself and the two closed waves of its
 * programme before it (publishing stores a quarter under its latest wave).
 */
export async function quarterWaveIds(db: Db, wave: ClosedWave): Promise<string[]> {
  const rows = await db
    .selectFrom('wave')
    .select('id')
    .where('programme_id', '=', wave.programmeId)
    .where('state', '=', 'closed')
    .where('sequence', '<=', wave.sequence)
    .orderBy('sequence', 'desc')
    .limit(3)
    .execute();
  return rows.map((r) => r.id);
}

export interface ThemeTally {
  n: number;
  sum: number;
  sumSq: number;
}

/** Theme tallies summed over some cells (wave_cell ids). */
export async function themeTallies(
  db: Db,
  waveIds: readonly string[],
  cellIds: readonly string[],
): Promise<Map<string, ThemeTally>> {
  const result = new Map<string, ThemeTally>();
  if (waveIds.length === 0 || cellIds.length === 0) return result;
  for (let i = 0; i < cellIds.length; i += 500) {
    const rows = await db
      .selectFrom('wave_theme_tally')
      .select([
        'theme',
        (eb) => eb.fn.sum<number>('n').as('n'),
        (eb) => eb.fn.sum<number>('sum').as('sum'),
        (eb) => eb.fn.sum<number>('sum_sq').as('sumSq'),
      ])
      .where('wave_id', 'in', waveIds)
      .where('cell_id', 'in', cellIds.slice(i, i + 500))
      .groupBy('theme')
      .execute();
    for (const row of rows) {
      const acc = result.get(row.theme) ?? { n: 0, sum: 0, sumSq: 0 };
      acc.n += Number(row.n);
      acc.sum += Number(row.sum);
      acc.sumSq += Number(row.sumSq);
      result.set(row.theme, acc);
    }
  }
  return result;
}

/** The cells of some waves as (id, unit, kind), to map published nodes to their cells. */
export async function cellsOf(
  db: Db,
  waveIds: readonly string[],
): Promise<{ id: string; unitId: string; kind: string }[]> {
  if (waveIds.length === 0) return [];
  return db
    .selectFrom('wave_cell')
    .select(['id', 'unit_id as unitId', 'kind'])
    .where('wave_id', 'in', waveIds)
    .execute();
}

/** A team's agreed actions, newest quarter first. */
export async function listActions(db: Db, nodeId: string): Promise<TeamActionRow[]> {
  return db
    .selectFrom('team_action')
    .selectAll()
    .where('node_id', '=', nodeId)
    .orderBy('quarter', 'desc')
    .execute();
}

export async function findAction(
  db: Db,
  nodeId: string,
  quarter: string,
): Promise<TeamActionRow | undefined> {
  return db
    .selectFrom('team_action')
    .selectAll()
    .where('node_id', '=', nodeId)
    .where('quarter', '=', quarter)
    .executeTakeFirst();
}

/** One action per node and quarter: updates the quarter's action or records a new one. */
export async function upsertAction(
  db: Db,
  options: {
    existing: TeamActionRow | undefined;
    nodeId: string;
    body: SaveTeamActionBody;
    personId: string;
    at: string;
  },
): Promise<TeamActionRow> {
  const { existing, nodeId, body, personId, at } = options;
  const values = {
    what: body.what,
    theme: body.theme,
    due: body.due,
    status: body.status,
    recorded_by: personId,
    updated_at: at,
  };
  if (existing) {
    await db.updateTable('team_action').set(values).where('id', '=', existing.id).execute();
    return { ...existing, ...values };
  }
  const row: TeamActionRow = {
    id: randomUUID(),
    node_id: nodeId,
    quarter: body.quarter,
    ...values,
  };
  await db.insertInto('team_action').values(row).execute();
  return row;
}

/**
 * Per unit, the cells the wave's roster snapshot placed the unit's ordinary members of today
 * in (one entry per member placed), to link a unit to the group it answered in that wave.
 */
export async function memberCells(
  db: Db,
  waveId: string,
  unitIds: readonly string[],
): Promise<Map<string, { unitId: string; kind: string }[]>> {
  const result = new Map<string, { unitId: string; kind: string }[]>();
  if (unitIds.length === 0) return result;
  const rows = await db
    .selectFrom('membership')
    .innerJoin('wave_eligibility', 'wave_eligibility.person_id', 'membership.person_id')
    .innerJoin('wave_cell', 'wave_cell.id', 'wave_eligibility.cell_id')
    .select(['membership.unit_id as memberOf', 'wave_cell.unit_id as unitId', 'wave_cell.kind'])
    .where('membership.unit_id', 'in', unitIds)
    .where('membership.kind', '=', 'member')
    .where('membership.left_on', 'is', null)
    .where('wave_eligibility.wave_id', '=', waveId)
    .execute();
  for (const row of rows) {
    const list = result.get(row.memberOf) ?? [];
    list.push({ unitId: row.unitId, kind: row.kind });
    result.set(row.memberOf, list);
  }
  return result;
}
