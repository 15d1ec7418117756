/**
 * The one place the collection meets the item bank: which items a wave asks, how they are
 * counted, and how an officer sees them.
 */
import { SCALE_RANGE, type Item, type Language, type OfficerItem } from '@teamspiegel/contracts';
import {
  DEFAULT_LEADER_TERM,
  DONT_KNOW_LABEL,
  ITEM_BANK,
  itemText,
  scaleOptions,
  type TallyItem,
} from '@teamspiegel/core';

/** Teamspiegel's own bank plus the items of imported packs (ids never collide: checked at import). */
const BY_ID = new Map<string, Item>(ITEM_BANK.map((item) => [item.id, item]));

export function registerPackItems(items: readonly Item[]): void {
  for (const item of items) BY_ID.set(item.id, item);
}

export function allItems(): Item[] {
  return [...BY_ID.values()];
}

export function isKnownItem(id: string): boolean {
  return BY_ID.has(id);
}

function bankItem(id: string) {
  const item = BY_ID.get(id);
  if (!item) throw new Error(`item ${id} is not in the item bank`);
  return item;
}

/** What counting needs: scale range, keying, theme; incident and recommendation items stand alone. */
export function tallyItems(itemIds: readonly string[]): TallyItem[] {
  return itemIds.map((id) => {
    const item = bankItem(id);
    const { min, max } = SCALE_RANGE[item.scale];
    return {
      id,
      theme: item.theme,
      min,
      max,
      reverseKeyed: item.reverseKeyed,
      dontKnow: item.dontKnow,
      scored: item.reportingLevel !== 'incident' && item.theme !== 'recommendation',
    };
  });
}

/**
 * The items as an officer reads them, `{lead}` filled with the organisation's word for a team
 * lead (its settings; the default word when none is given).
 */
export function officerItems(
  itemIds: readonly string[],
  language: Language,
  leaderTerm: Readonly<Record<Language, string>> = DEFAULT_LEADER_TERM,
): OfficerItem[] {
  return itemIds.map((id) => {
    const item = bankItem(id);
    return {
      id,
      text: itemText(item, language, leaderTerm[language]),
      options: scaleOptions(item.scale, language),
      dontKnowLabel: item.dontKnow ? DONT_KNOW_LABEL[language] : null,
    };
  });
}
