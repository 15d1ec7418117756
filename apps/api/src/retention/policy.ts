/**
 * How long an organisation keeps what a wave left behind, counted from the day the wave closed:
 * its published results (years) and the comments shown in them (months). Pure date rules here;
 * where the numbers come from is `retentionFor`.
 */
import type { Db } from '@teamspiegel/db';

export interface RetentionPolicy {
  /** Published results (nodes, tallies, team actions) are kept this many years. */
  resultsYears: number;
  /** Comments are kept this many months. */
  commentsMonths: number;
}

/** Until an organisation chooses otherwise (the defaults of its settings). */
export const RETENTION_DEFAULTS: Readonly<RetentionPolicy> = Object.freeze({
  resultsYears: 5,
  commentsMonths: 24,
});

/**
 * The retention periods of an organisation (its root unit id).
 *
 * The organisation settings (settings.repository.ts `settingsFor`) are being built beside this;
 * until they land every organisation has the defaults.
 */
export function retentionFor(_db: Db, _organisationId: string): Promise<RetentionPolicy> {
  return Promise.resolve({ ...RETENTION_DEFAULTS });
}

/**
 * The calendar date `months` after `date` (YYYY-MM-DD), on the same day of the month or the
 * month's last day when it has no such day (31 August + 6 months = 28 February).
 */
export function addMonths(date: string, months: number): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const first = new Date(Date.UTC(year, month - 1 + months, 1));
  const lastDay = new Date(
    Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0),
  ).getUTCDate();
  first.setUTCDate(Math.min(day, lastDay));
  return first.toISOString().slice(0, 10);
}

/** The first day a wave closed on `closedOn` no longer has its results. */
export const resultsExpireOn = (closedOn: string, policy: RetentionPolicy): string =>
  addMonths(closedOn, 12 * policy.resultsYears);

/** The first day a wave closed on `closedOn` no longer has its comments. */
export const commentsExpireOn = (closedOn: string, policy: RetentionPolicy): string =>
  addMonths(closedOn, policy.commentsMonths);

/** The first and last day of a quarter ('YYYY-Qn'). */
export function quarterDays(quarter: string): { first: string; last: string } {
  const year = Number(quarter.slice(0, 4));
  const q = Number(quarter.slice(6));
  const first = new Date(Date.UTC(year, (q - 1) * 3, 1));
  const last = new Date(Date.UTC(year, q * 3, 0));
  return { first: first.toISOString().slice(0, 10), last: last.toISOString().slice(0, 10) };
}
