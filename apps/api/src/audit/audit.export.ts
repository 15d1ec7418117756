/**
 * The audit log as CSV for the works council: one row per event, the same filters as the page.
 * Written in the server's one CSV format (csv.ts): every cell goes through the formula
 * neutraliser, since names, unit names and details are typed by people and a spreadsheet
 * would run "=..." as a formula.
 */
import type { AuditEvent } from '@teamspiegel/contracts';
import type { Db } from '@teamspiegel/db';
import { csvRecords, type CsvCell } from '../csv.ts';
import { auditBatches, type AuditFilterQuery } from './audit.repository.ts';

export const AUDIT_CSV_COLUMNS = [
  'at',
  'action',
  'actor_id',
  'actor_name',
  'target_type',
  'target_id',
  'target_label',
  'details',
] as const;

function row(event: AuditEvent): CsvCell[] {
  return [
    event.at,
    event.action,
    event.actorId,
    event.actorName,
    event.targetType,
    event.targetId,
    event.targetLabel,
    Object.keys(event.details).length ? JSON.stringify(event.details) : '',
  ];
}

/** The CSV records (no byte order mark: sendCsv adds it), header first, one chunk per batch. */
export async function* auditCsv(db: Db, query: AuditFilterQuery): AsyncGenerator<string> {
  yield csvRecords([[...AUDIT_CSV_COLUMNS]]);
  for await (const batch of auditBatches(db, query)) yield csvRecords(batch.map(row));
}
