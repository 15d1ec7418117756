import type { ActionStatus, Item, Language, Period } from '@teamspiegel/contracts';
// The item bank alone (types-only imports), not the package index: that would pull TypeBox and
// the content validation into the bundle. Items of imported packs are not in it and show by id.
import { ANCHOR_ITEM_IDS, ITEM_BANK } from '../../../../../packages/core/src/content/item-bank.ts';

export { ANCHOR_ITEM_IDS };

const BY_ID = new Map<string, Item>(ITEM_BANK.map((item) => [item.id, item]));

/** The organisation's word for a team lead per language, as the results overview sends it per wave. */
export type LeaderTerm = Readonly<Record<Language, string>>;

/**
 * An item's wording as it was asked, in the reader's language, with the organisation's word for
 * the lead; the id when it is not in the bank.
 */
export function itemLabel(itemId: string, language: Language, leaderTerm: LeaderTerm): string {
  const item = BY_ID.get(itemId);
  if (!item) return itemId;
  const template =
    language === 'nl-BE' ? (item.texts['nl-BE'] ?? item.texts.nl) : item.texts[language];
  const filled = template.replaceAll('{lead}', leaderTerm[language].trim());
  return filled.charAt(0).toLocaleUpperCase(language) + filled.slice(1);
}

/** Answer options of an item's scale, lowest first (for the distribution's column count). */
export function scaleSize(itemId: string): number | null {
  const item = BY_ID.get(itemId);
  if (!item) return null;
  return item.scale === 'zero_to_ten' ? 11 : 5;
}

const statuses: Record<ActionStatus, true> = { planned: true, in_progress: true, done: true };
export const ACTION_STATUS_LIST = Object.keys(statuses) as ActionStatus[];

const periods: Record<Period, true> = { wave: true, quarter: true };
export const PERIOD_LIST = Object.keys(periods) as Period[];

export function parsePeriod(value: string | null): Period {
  return value === 'quarter' ? 'quarter' : 'wave';
}

/** The theme an item measures, for short chart labels; null when it is not in the bank. */
export function itemTheme(itemId: string): Item['theme'] | null {
  return BY_ID.get(itemId)?.theme ?? null;
}
