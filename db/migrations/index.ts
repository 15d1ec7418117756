import type { Migration } from 'kysely';
import * as foundation from './2026-11-23-01-foundation.ts';
import * as collection from './2026-11-23-02-collection.ts';
import * as results from './2026-11-28-03-results.ts';
import * as eligibilityByCell from './2026-11-28-04-eligibility-by-cell.ts';
import * as rosterChange from './2026-11-28-05-roster-change.ts';
import * as importRun from './2026-11-28-06-import-run.ts';
import * as settings from './2026-11-28-07-settings.ts';

/** Static index: migrations run in key order. Add new ones below, never edit old ones. */
export const migrations: Record<string, Migration> = {
  '2026-11-23-01-foundation': foundation,
  '2026-11-23-02-collection': collection,
  '2026-11-28-03-results': results,
  '2026-11-28-04-eligibility-by-cell': eligibilityByCell,
  '2026-11-28-05-roster-change': rosterChange,
  '2026-11-28-06-import-run': importRun,
  '2026-11-28-07-settings': settings,
};
