/**
 * What a respondent sees: an item's text in their language with the lead filled in, and the
 * labels of its answer scale.
 */
import { LEAD_PLACEHOLDER, type Item, type Language, type Scale } from '@teamspiegel/contracts';

/**
 * The item's text for `language` (nl-BE falls back to nl) with every {lead} replaced by the
 * organisation's term. The first letter is upper-cased, because the term ("mijn teamchef",
 * "my team lead") is lower case and may open the sentence.
 */
export function itemText(item: Item, language: Language, leaderTerm: string): string {
  const template =
    language === 'nl-BE' ? (item.texts['nl-BE'] ?? item.texts.nl) : item.texts[language];
  const filled = template.replaceAll(LEAD_PLACEHOLDER, leaderTerm.trim());
  return filled.charAt(0).toLocaleUpperCase(language) + filled.slice(1);
}

export interface ScaleOption {
  value: number;
  label: string;
}

type Labels = Record<'nl' | 'en', readonly string[]> & { 'nl-BE'?: readonly string[] };

const zeroToTen = (low: string, high: string): string[] =>
  Array.from({ length: 11 }, (_, v) =>
    v === 0 ? `0 – ${low}` : v === 10 ? `10 – ${high}` : String(v),
  );

// Labels from the lowest value up. No Flemish variants: these words are the same in Flanders.
const SCALE_LABELS: Record<Scale, { first: number; labels: Labels }> = {
  agree5: {
    first: 1,
    labels: {
      nl: ['Helemaal oneens', 'Oneens', 'Niet eens, niet oneens', 'Eens', 'Helemaal eens'],
      en: [
        'Strongly disagree',
        'Disagree',
        'Neither agree nor disagree',
        'Agree',
        'Strongly agree',
      ],
    },
  },
  frequency5: {
    first: 1,
    labels: {
      nl: ['Nooit', 'Zelden', 'Soms', 'Vaak', 'Heel vaak'],
      en: ['Never', 'Rarely', 'Sometimes', 'Often', 'Very often'],
    },
  },
  zero_to_ten: {
    first: 0,
    labels: {
      nl: zeroToTen('heel onwaarschijnlijk', 'heel waarschijnlijk'),
      en: zeroToTen('not at all likely', 'extremely likely'),
    },
  },
};

/** The answers of a scale in order, lowest value first, labelled in `language`. */
export function scaleOptions(scale: Scale, language: Language): ScaleOption[] {
  const { first, labels } = SCALE_LABELS[scale];
  const list = language === 'nl-BE' ? (labels['nl-BE'] ?? labels.nl) : labels[language];
  return list.map((label, k) => ({ value: first + k, label }));
}

/** The "don't know / not applicable" answer: a code of its own, outside the scale. */
export const DONT_KNOW_LABEL: Record<Language, string> = {
  nl: 'Weet ik niet / niet van toepassing',
  'nl-BE': 'Weet ik niet / niet van toepassing',
  en: "Don't know / not applicable",
};
