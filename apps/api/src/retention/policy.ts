/**
 * How long an organisation keeps what a wave left behind, counted from the day the wave closed:
 * its published results (years) and the comments shown in them (months), as its settings say
 * (5 years and 24 months unless it changed them). Pure date rules here, and `retentionFor`.
 */
import type { Db } from '@teamspiegel/db';
import { settingsFor } from '../settings/settings.repository.ts';

export interface RetentionPolicy {
  /** Published results (nodes, tallies, team actions) are kept this many years. */
  resultsYears: number;
  /** Comments are kept this many months. */
  commentsMonths: number;
}

/** The retention periods of an organisation (its root unit id), from its settings. */
export async function retentionFor(db: Db, organisationId: string): Promise<RetentionPolicy> {
  return (await settingsFor(db, organisationId)).retention;
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
