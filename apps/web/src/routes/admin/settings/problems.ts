import { THRESHOLD_KEYS, type ThresholdKey } from '@teamspiegel/contracts';
import type { MessageKey } from '$lib/i18n';

/** The highest threshold the server accepts (core's THRESHOLD_MAXIMUM). */
export const THRESHOLD_MAXIMUM = 1000;

export interface ThresholdProblem {
  key: ThresholdKey;
  message: MessageKey;
  /** The threshold's label is added by the page; these are the numbers its message names. */
  params: { floor: number; current: number; value: string; maximum: number };
}

/**
 * Why the server refuses these thresholds, worked out from the page's own data (the stored
 * values, the value in force and the floors) so the page can say it in the reader's language
 * and mark the field. The same rules as core's validateSettingsChange: whole numbers up to the
 * maximum, never below the floor, never below the stored value.
 */
export function thresholdProblems(options: {
  /** As the inputs hold them: a number input bound in Svelte gives a number, or null when empty. */
  entered: Readonly<Record<ThresholdKey, string | number | null>>;
  stored: Readonly<Record<ThresholdKey, number>>;
  inForce: (key: ThresholdKey) => number;
  floors: Readonly<Record<ThresholdKey, number>>;
}): ThresholdProblem[] {
  const problems: ThresholdProblem[] = [];
  for (const key of THRESHOLD_KEYS) {
    const text = String(options.entered[key] ?? '').trim();
    const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    const params = {
      floor: options.floors[key],
      current: options.inForce(key),
      value: text,
      maximum: THRESHOLD_MAXIMUM,
    };
    let message: MessageKey | null = null;
    if (!Number.isInteger(value) || value > THRESHOLD_MAXIMUM)
      message = 'settings.problem.wholeNumber';
    else if (value < options.floors[key]) message = 'settings.problem.belowFloor';
    else if (value < options.stored[key]) message = 'settings.problem.lowered';
    if (message) problems.push({ key, message, params });
  }
  return problems;
}
