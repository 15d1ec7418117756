import {
  CELL_KINDS,
  TRANSPARENCY_SIZE_BANDS,
  type CellBandCount,
  type CellKind,
  type KeyStatus,
  type TransparencyCell,
  type TransparencySizeBand,
  type TransparencyThresholds,
  type TransparencyWave,
  type WaveState,
} from '@teamspiegel/contracts';
import { effectiveThresholds, organisationOf, type Thresholds } from '@teamspiegel/core';
import type { Db } from '@teamspiegel/db';

/**
 * A cell's eligible size as a band (the transparency page's bands, finer above 50 than the
 * manifest's): the exact count would invite subtraction between cells and waves.
 */
export function transparencyBand(eligible: number): TransparencySizeBand {
  if (eligible < 10) return '5-9';
  if (eligible < 20) return '10-19';
  if (eligible < 50) return '20-49';
  if (eligible < 100) return '50-99';
  return '100+';
}

/**
 * The thresholds fixed in the wave when it was prepared; a row from before they were stored
 * gets the floors, which is what such a wave ran with.
 */
export function waveThresholds(stored: string | null): TransparencyThresholds {
  let raised: Partial<Thresholds> = {};
  if (stored) {
    try {
      raised = JSON.parse(stored) as Partial<Thresholds>;
    } catch {
      raised = {};
    }
  }
  const t = effectiveThresholds(raised);
  return { k: t.k, kE: t.kE, kDist: t.kDist, kSens: t.kSens, kComment: t.kComment, d: t.d };
}

/** Keys are made while preparing, held while collecting, destroyed when the wave closes. */
export function keyStatusOf(state: WaveState): KeyStatus {
  switch (state) {
    case 'planned':
    case 'preparing':
      return 'being_made';
    case 'open':
    case 'closing':
      return 'held';
    case 'closed':
      return 'destroyed';
  }
}

/** The organisations (root unit paths) a person belongs to through any role or membership. */
export function organisationsOf(grants: readonly { unitPath: string }[]): Set<string> {
  return new Set(grants.map((g) => organisationOf(g.unitPath)));
}

const waveColumns = [
  'wave.id',
  'wave.sequence',
  'wave.state',
  'wave.opens_on',
  'wave.closes_on',
  'wave.thresholds',
  'programme.name as programmeName',
  'unit.name as rootUnitName',
  'unit.path as rootPath',
] as const;

function wavesQuery(db: Db) {
  return db
    .selectFrom('wave')
    .innerJoin('programme', 'programme.id', 'wave.programme_id')
    .innerJoin('unit', 'unit.id', 'programme.root_unit_id')
    .select(waveColumns)
    .where('wave.state', '!=', 'planned');
}

type WaveRow = Awaited<ReturnType<ReturnType<typeof wavesQuery>['executeTakeFirstOrThrow']>>;

export function toTransparencyWave(row: WaveRow): TransparencyWave {
  return {
    id: row.id,
    programmeName: row.programmeName,
    rootUnitName: row.rootUnitName,
    sequence: row.sequence,
    state: row.state as WaveState,
    opensOn: row.opens_on,
    closesOn: row.closes_on,
  };
}

/**
 * A prepared wave whose programme lies in one of the person's organisations; undefined for
 * a wave of another organisation, so that it looks like one that does not exist.
 */
export async function findTransparentWave(
  db: Db,
  waveId: string,
  organisations: ReadonlySet<string>,
): Promise<WaveRow | undefined> {
  const row = await wavesQuery(db).where('wave.id', '=', waveId).executeTakeFirst();
  if (!row || !organisations.has(organisationOf(row.rootPath))) return undefined;
  return row;
}

/** The prepared waves of the person's organisations, newest first. */
export async function listTransparentWaves(
  db: Db,
  organisations: ReadonlySet<string>,
): Promise<TransparencyWave[]> {
  if (organisations.size === 0) return [];
  // A root path is '/<uuid>/': no LIKE wildcard in it, so the prefix match is exact.
  const rows = await wavesQuery(db)
    .where((eb) => eb.or([...organisations].map((org) => eb('unit.path', 'like', `${org}%`))))
    .orderBy('wave.opens_on', 'desc')
    .orderBy('wave.sequence', 'desc')
    .limit(500)
    .execute();
  return rows.map(toTransparencyWave);
}

/**
 * The wave's cell plan: counts per kind and band over all cells, and one page of cells in
 * unit-tree order. Only bands leave this function, never an eligible count.
 */
export async function cellPlan(
  db: Db,
  waveId: string,
  paging: { page: number; pageSize: number },
): Promise<{ totalCells: number; counts: CellBandCount[]; cells: TransparencyCell[] }> {
  const sizes = await db
    .selectFrom('wave_cell')
    .select(['kind', 'eligible'])
    .where('wave_id', '=', waveId)
    .execute();
  const tally = new Map<string, CellBandCount>();
  for (const cell of sizes) {
    const kind = cell.kind as CellKind;
    const band = transparencyBand(cell.eligible);
    const key = `${kind}|${band}`;
    const entry = tally.get(key) ?? { kind, band, cells: 0 };
    entry.cells += 1;
    tally.set(key, entry);
  }
  const counts = [...tally.values()].sort(
    (a, b) =>
      CELL_KINDS.indexOf(a.kind) - CELL_KINDS.indexOf(b.kind) ||
      TRANSPARENCY_SIZE_BANDS.indexOf(a.band) - TRANSPARENCY_SIZE_BANDS.indexOf(b.band),
  );

  const rows = await db
    .selectFrom('wave_cell')
    .innerJoin('unit', 'unit.id', 'wave_cell.unit_id')
    .leftJoin('unit as parent', 'parent.id', 'unit.parent_id')
    .select([
      'wave_cell.id',
      'wave_cell.kind',
      'wave_cell.eligible',
      'wave_cell.key_id',
      'unit.name',
      'parent.name as parentName',
    ])
    .where('wave_cell.wave_id', '=', waveId)
    .orderBy('unit.path')
    .orderBy('wave_cell.kind')
    .orderBy('wave_cell.id')
    .limit(paging.pageSize)
    .offset((paging.page - 1) * paging.pageSize)
    .execute();
  return {
    totalCells: sizes.length,
    counts,
    cells: rows.map((r) => ({
      cellId: r.id,
      unitName: r.name,
      parentUnitName: r.parentName,
      kind: r.kind as CellKind,
      eligibleBand: transparencyBand(r.eligible),
      keyId: r.key_id,
    })),
  };
}
