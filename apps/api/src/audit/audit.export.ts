/**
 * The audit log as CSV for the works council: one row per event, the same filters as the page.
 * Every cell goes through the formula neutraliser, since names, unit names and details are
 * typed by people and a spreadsheet would run "=..." as a formula.
 */
import { stringify } from 'csv-stringify/sync';
import type { AuditEvent, AuditExportQuery } from '@teamspiegel/contracts';
import type { Db } from '@teamspiegel/db';
import { neutralise } from '../csv.ts';
import { auditBatches } from './audit.repository.ts';

export const AUDIT_CSV_COLUMNS = [
  'at',
  'action',
  'actor_id',
  'actor_name',
  'target_type',
  'target_id',
  'details',
] as const;

function row(event: AuditEvent): string[] {
  return [
    event.at,
    event.action,
    event.actorId,
    event.actorName,
    event.targetType,
    event.targetId,
    Object.keys(event.details).length ? JSON.stringify(event.details) : '',
  ].map(neutralise);
}

/** The CSV text, header first, one chunk per batch of events. */
export async function* auditCsv(
  db: Db,
  query: AuditExportQuery & { scope: readonly string[] },
): AsyncGenerator<string> {
  yield stringify([[...AUDIT_CSV_COLUMNS]]);
  for await (const batch of auditBatches(db, query)) yield stringify(batch.map(row));
}
