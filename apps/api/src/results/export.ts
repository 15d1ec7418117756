/**
 * The CSV export: exactly the published tables (themes and items) of the nodes the viewer may
 * open, one row per published value. A suppressed node or value is a row with the marker
 * "suppressed" and empty numbers, never a count (INV-10). Comments are not exported.
 */
import type { NodeRef, Period, PublishedNode } from '@teamspiegel/contracts';
import { csvDocument, neutralise, type CsvCell } from '../csv.ts';

// Kept here too for the modules that import it from the results export.
export { neutralise };

export const CSV_COLUMNS = [
  'wave_id',
  'period',
  'node_id',
  'node_name',
  'node_kind',
  'parent_node_id',
  'table',
  'key',
  'status',
  'respondents',
  'participation_band',
  'n',
  'score',
  'low',
  'high',
  'change',
  'favourable_pct',
  'dont_know_pct',
] as const;
type Column = (typeof CSV_COLUMNS)[number];
type Cell = CsvCell;
type Row = Partial<Record<Column, Cell>>;

export interface ExportNode {
  node: NodeRef;
  /** The published node, or null when suppressed. */
  published: PublishedNode | null;
}

function rowsOf(waveId: string, period: Period, entry: ExportNode): Row[] {
  const { node, published } = entry;
  const base: Row = {
    wave_id: waveId,
    period,
    node_id: node.nodeId,
    node_name: node.name,
    node_kind: node.kind,
    parent_node_id: node.parentNodeId,
  };
  if (!published) return [{ ...base, table: 'node', status: 'suppressed' }];
  const rows: Row[] = [
    {
      ...base,
      table: 'node',
      status: 'published',
      respondents: published.respondents,
      participation_band: published.participationBand,
    },
  ];
  for (const theme of published.themes) {
    rows.push(
      'suppressed' in theme
        ? { ...base, table: 'theme', key: theme.theme, status: 'suppressed' }
        : {
            ...base,
            table: 'theme',
            key: theme.theme,
            status: 'published',
            n: theme.n,
            score: theme.score,
            low: theme.low,
            high: theme.high,
            change: theme.change.verdict,
          },
    );
  }
  for (const item of published.items) {
    rows.push(
      'suppressed' in item
        ? { ...base, table: 'item', key: item.itemId, status: 'suppressed' }
        : {
            ...base,
            table: 'item',
            key: item.itemId,
            status: 'published',
            n: item.n,
            score: item.pomp,
            low: item.low,
            high: item.high,
            favourable_pct: item.favourablePct,
            dont_know_pct: item.dontKnowPct,
          },
    );
  }
  return rows;
}

/** The export as a whole CSV file in the server's format (csv.ts), every cell neutralised. */
export function resultsCsv(options: {
  waveId: string;
  period: Period;
  nodes: readonly ExportNode[];
}): string {
  const records = options.nodes.flatMap((entry) =>
    rowsOf(options.waveId, options.period, entry).map((row) =>
      CSV_COLUMNS.map((column) => row[column]),
    ),
  );
  return csvDocument(CSV_COLUMNS, records);
}
