import type { OfficerItem } from '@teamspiegel/contracts';
import type { Answer } from './token.ts';

/** The radio value of "don't know / not applicable"; it travels as `value: null`. */
export const DONT_KNOW = 'dont-know';

/** The form's choices: item id to the chosen option's value (as text) or DONT_KNOW. */
export type Choices = Record<string, string | undefined>;

/** The answers to send, in item order; an item without a choice is skipped (left out). */
export function buildAnswers(items: readonly OfficerItem[], choices: Choices): Answer[] {
  const answers: Answer[] = [];
  for (const item of items) {
    const choice = choices[item.id];
    if (choice === undefined || choice === '') continue;
    if (choice === DONT_KNOW) {
      if (item.dontKnowLabel !== null) answers.push({ itemId: item.id, value: null });
      continue;
    }
    const value = Number(choice);
    if (item.options.some((option) => option.value === value)) {
      answers.push({ itemId: item.id, value });
    }
  }
  return answers;
}

/** How many items have a choice. */
export function answeredCount(items: readonly OfficerItem[], choices: Choices): number {
  return buildAnswers(items, choices).length;
}

/**
 * The last day answers are accepted: a wave is open up to, not including, its `closesOn` date.
 * Both are calendar dates (YYYY-MM-DD).
 */
export function lastAnswerDay(closesOn: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(closesOn);
  if (!match) return closesOn;
  const day = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]) - 1));
  return day.toISOString().slice(0, 10);
}
