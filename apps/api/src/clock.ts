/** The only source of "now" in the API, so tests can move time (session timeouts, throttling). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** The calendar date (UTC) of an instant, YYYY-MM-DD. */
export function dateOf(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}
