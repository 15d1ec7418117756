/**
 * Disclosure thresholds (anonymity.md section 3). These are floors in code: an organisation
 * may raise them, never lower them, and a raise applies from the next wave on.
 */
export interface Thresholds {
  /** Respondents for a score (mean, index). */
  k: number;
  /** Eligible members for a team to be its own collection cell (INV-11). */
  kE: number;
  /** Respondents for a distribution or % favourable. */
  kDist: number;
  /** Respondents for incident items, never at team level. */
  kSens: number;
  /** Respondents in a group before its comments are shown. */
  kComment: number;
  /** Minimum size of any group obtainable by subtraction; in force never below k. */
  d: number;
}

export const THRESHOLD_FLOORS: Readonly<Thresholds> = Object.freeze({
  k: 5,
  kE: 5,
  kDist: 10,
  kSens: 20,
  kComment: 10,
  d: 5,
});

/**
 * The thresholds in force: each one the organisation's value when higher, else the floor;
 * and d never below k.
 */
export function effectiveThresholds(raised: Partial<Thresholds> = {}): Thresholds {
  const result = { ...THRESHOLD_FLOORS };
  for (const key of Object.keys(THRESHOLD_FLOORS) as (keyof Thresholds)[]) {
    const value = raised[key];
    if (typeof value === 'number' && Number.isInteger(value) && value > result[key]) {
      result[key] = value;
    }
  }
  // Rule: D's floor is K (anonymity.md section 3), so raising K raises D with it.
  result.d = Math.max(result.d, result.k);
  return result;
}
