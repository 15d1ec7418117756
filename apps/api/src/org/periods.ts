import { sql } from 'kysely';

/**
 * SQL for "this membership is current on `date`": joined on or before it and not yet left
 * (left_on is the first day no longer a member). The one definition of a roster on a date;
 * `isCurrentOn` in packages/core is the same rule over plain values.
 */
export function currentOn(date: string, table = 'membership') {
  const joined = sql.ref(`${table}.joined_on`);
  const left = sql.ref(`${table}.left_on`);
  return sql<boolean>`(${joined} <= ${date} and (${left} is null or ${left} > ${date}))`;
}

/** SQL for "this membership has not ended by `date`": current, or booked to start later. */
export function notEndedBy(date: string, table = 'membership') {
  const left = sql.ref(`${table}.left_on`);
  return sql<boolean>`(${left} is null or ${left} > ${date})`;
}
