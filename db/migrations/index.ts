import type { Migration } from 'kysely';
import * as foundation from './2026-11-23-01-foundation.ts';
import * as collection from './2026-11-23-02-collection.ts';
import * as results from './2026-11-28-03-results.ts';
import * as eligibilityByCell from './2026-11-28-04-eligibility-by-cell.ts';

/** Static index: migrations run in key order. Add new ones below, never edit old ones. */
export const migrations: Record<string, Migration> = {
  '2026-11-23-01-foundation': foundation,
  '2026-11-23-02-collection': collection,
  '2026-11-28-03-results': results,
  '2026-11-28-04-eligibility-by-cell': eligibilityByCell,
};
