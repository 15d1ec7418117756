/**
 * Organisation settings (anonymity.md section 3): pure rules for what a change may do.
 * Thresholds are raise-only: never below the value in force, never below the floor in code.
 * A raise applies from the next wave on (it is fixed into a wave when it starts preparing).
 */
import {
  LEAD_PLACEHOLDER,
  type Item,
  type Language,
  type OrganisationSettings,
  type SettingValue,
} from '@teamspiegel/contracts';
import {
  FOREIGN_LETTER_REASON,
  hasHiddenCharacter,
  HIDDEN_CHARACTER_REASON,
  identifyingReason,
  isOrdinaryLatinLetter,
} from './content/identifying.ts';
import { ITEM_BANK } from './content/item-bank.ts';
import { itemText } from './content/render.ts';
import { THRESHOLD_FLOORS, type Thresholds } from './thresholds.ts';

const THRESHOLD_KEYS = Object.keys(THRESHOLD_FLOORS) as (keyof Thresholds)[];

/** No threshold goes above this: a typo of 50000 would silence every result for years. */
export const THRESHOLD_MAXIMUM = 1000;

/** The organisation's word for a team lead when it has chosen none. */
export const DEFAULT_LEADER_TERM: Readonly<Record<Language, string>> = Object.freeze({
  nl: 'mijn leidinggevende',
  'nl-BE': 'mijn teamchef',
  en: 'my team lead',
});

/**
 * Words that name what identifies a person, matched inside the word for a team lead with its
 * spaces, hyphens and apostrophes taken out. A word for a lead has no reason to hold them.
 */
const IDENTIFYING_WORD =
  /naam|name|nummer|number|adres|address|postcode|woonplaats|geboort|birth|email|telefoon|phone/u;

/** The longest word for a team lead, in characters and in words ("mijn directe leidinggevende"). */
export const LEADER_TERM_MAX_LENGTH = 40;
export const LEADER_TERM_MAX_WORDS = 4;

/**
 * Why a word for a team lead cannot be used, or null when it can. The word is filled into the
 * items of open waves as officers read them, so it is held to what an item text is (A13):
 * only letters of the Latin alphabet (accents included), single spaces, hyphens and
 * apostrophes, at most LEADER_TERM_MAX_WORDS words and LEADER_TERM_MAX_LENGTH characters; not
 * itself a question about the respondent; and no item of the bank that names the lead may
 * become one with it filled in ("my team lead. How old are you? And" would otherwise turn a
 * question about the lead into one about the officer).
 */
export function leaderTermProblem(
  word: string,
  language: Language,
  items: readonly Item[] = ITEM_BANK,
): string | null {
  const term = word.trim();
  if (term === '') return 'The word for a team lead is empty.';
  if (term.length > LEADER_TERM_MAX_LENGTH) {
    return `The word for a team lead is at most ${LEADER_TERM_MAX_LENGTH} characters.`;
  }
  if (hasHiddenCharacter(term)) return `The word for a team lead ${HIDDEN_CHARACTER_REASON}.`;
  const letters = term.normalize('NFC');
  if ([...letters.matchAll(/\p{L}/gu)].some(([letter]) => !isOrdinaryLatinLetter(letter))) {
    return `The word for a team lead ${FOREIGN_LETTER_REASON}.`;
  }
  if (!/^\p{L}+(?:(?: |-|'|’)\p{L}+)*$/u.test(letters)) {
    return 'The word for a team lead holds only letters, single spaces, hyphens and apostrophes: no punctuation, digits or other signs.';
  }
  if (term.split(' ').length > LEADER_TERM_MAX_WORDS) {
    return `The word for a team lead is at most ${LEADER_TERM_MAX_WORDS} words.`;
  }
  const own = identifyingReason(term, 'team');
  if (own) return `The word for a team lead ${own}; Teamspiegel never asks who someone is (A13).`;
  // Spaced or hyphenated ("n a a m", "stam-nummer") reads the same to an officer.
  const compact = term.toLowerCase().replace(/[\s'’-]+/gu, '');
  if (IDENTIFYING_WORD.test(compact)) {
    return 'The word for a team lead names something that identifies a person (a name, number or address); Teamspiegel never asks who someone is (A13).';
  }
  for (const item of items) {
    const template =
      language === 'nl-BE' ? (item.texts['nl-BE'] ?? item.texts.nl) : item.texts[language];
    if (!template?.includes(LEAD_PLACEHOLDER)) continue;
    const reason = identifyingReason(itemText(item, language, term), item.reportingLevel);
    if (reason) {
      return `With this word for a team lead the item ${item.id} ${reason}; Teamspiegel never asks who someone is (A13).`;
    }
  }
  return null;
}

/** What an organisation has until it changes something. */
export function defaultSettings(): OrganisationSettings {
  return {
    thresholds: { ...THRESHOLD_FLOORS },
    leaderTerm: { ...DEFAULT_LEADER_TERM },
    links: { confidentialAdviser: null, complaints: null },
    programmeDefaults: { cadenceDays: 28, windowDays: 14, commentQuestion: true },
    retention: { resultsYears: 5, commentsMonths: 24 },
    roster: { freezeWindowDays: DEFAULT_FREEZE_WINDOW_DAYS },
  };
}

/** Days before a wave opens from which its programme's roster is frozen (anonymity.md 4.1). */
export const DEFAULT_FREEZE_WINDOW_DAYS = 14;
export const FREEZE_WINDOW_MAXIMUM_DAYS = 91;

const isFreezeWindow = (days: unknown): days is number =>
  Number.isInteger(days) && (days as number) >= 0 && (days as number) <= FREEZE_WINDOW_MAXIMUM_DAYS;

/**
 * Stored settings over the defaults, section by section, so a key added in a later release
 * has its default; thresholds never come out below the floors and a word for a lead that
 * the rules refuse never comes out at all, whatever was stored.
 */
export function withDefaults(stored: unknown): OrganisationSettings {
  const base = defaultSettings();
  if (!isRecord(stored)) return base;
  const section = <K extends keyof OrganisationSettings>(key: K): OrganisationSettings[K] => {
    const value = stored[key];
    return isRecord(value) ? { ...base[key], ...value } : base[key];
  };
  const thresholds = section('thresholds');
  for (const key of THRESHOLD_KEYS) {
    const value = thresholds[key];
    if (!Number.isInteger(value) || value < THRESHOLD_FLOORS[key]) {
      thresholds[key] = THRESHOLD_FLOORS[key];
    }
  }
  // A word stored before the A13 rules on it were this strict is read as the default word,
  // never filled into an item as it is.
  const leaderTerm = section('leaderTerm');
  for (const language of Object.keys(base.leaderTerm) as Language[]) {
    const word = leaderTerm[language];
    if (typeof word !== 'string' || leaderTermProblem(word, language) !== null) {
      leaderTerm[language] = base.leaderTerm[language];
    }
  }
  return {
    thresholds,
    leaderTerm,
    links: section('links'),
    programmeDefaults: section('programmeDefaults'),
    retention: section('retention'),
    roster: isFreezeWindow(section('roster').freezeWindowDays) ? section('roster') : base.roster,
  };
}

export type EffectiveFrom = 'next wave' | 'now';

export interface SettingChangeEntry {
  /** Dotted key: 'thresholds.k', 'leaderTerm.nl', 'links.complaints'. */
  key: string;
  oldValue: SettingValue;
  newValue: SettingValue;
  effectiveFrom: EffectiveFrom;
}

export interface SettingProblem {
  key: string;
  code: 'threshold_lowering_refused' | 'settings_invalid';
  message: string;
}

export type SettingsValidation =
  { ok: true; changes: SettingChangeEntry[] } | { ok: false; problems: SettingProblem[] };

/** A link an officer can follow safely: https (with a host) or mailto. */
export function isSupportLink(value: string): boolean {
  if (/\s/.test(value)) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol === 'https:') return url.hostname !== '' && url.username === '';
  if (url.protocol === 'mailto:') return /^[^@\s/]+@[^@\s/]+\.[^@\s/]+$/.test(url.pathname);
  return false;
}

/**
 * Checks a whole new settings object against the current one and lists what changed.
 * Thresholds are raise-only (never below the value in force, never below the floor, whole
 * numbers up to THRESHOLD_MAXIMUM); links are https or mailto; retention at least one year
 * of results and one month of comments. Every problem is listed, not only the first.
 */
export function validateSettingsChange(options: {
  current: OrganisationSettings;
  next: OrganisationSettings;
  /** The items a word for a team lead is filled into: the bank and the imported packs. */
  items?: readonly Item[];
}): SettingsValidation {
  const { current, next, items = ITEM_BANK } = options;
  const problems: SettingProblem[] = [];

  for (const key of THRESHOLD_KEYS) {
    const value = next.thresholds[key];
    const now = current.thresholds[key];
    const floor = THRESHOLD_FLOORS[key];
    const path = `thresholds.${key}`;
    // D's floor is K (effectiveThresholds): say so wherever d is refused.
    const follows = key === 'd' ? ' d follows K: in force it is never below K.' : '';
    if (!Number.isInteger(value) || value > THRESHOLD_MAXIMUM) {
      problems.push({
        key: path,
        code: 'settings_invalid',
        message: `${key} must be a whole number from ${floor} to ${THRESHOLD_MAXIMUM}.${follows}`,
      });
    } else if (value < floor) {
      problems.push({
        key: path,
        code: 'threshold_lowering_refused',
        message: `${key} cannot go below its floor of ${floor} (it is now ${now}): thresholds can only be raised.${follows}`,
      });
    } else if (value < now) {
      problems.push({
        key: path,
        code: 'threshold_lowering_refused',
        message: `${key} is ${now} and cannot be lowered to ${value}: thresholds can only be raised.${follows}`,
      });
    }
  }

  for (const [language, word] of Object.entries(next.leaderTerm) as [Language, string][]) {
    const problem = leaderTermProblem(word, language, items);
    if (problem) {
      problems.push({ key: `leaderTerm.${language}`, code: 'settings_invalid', message: problem });
    }
  }

  for (const [name, link] of Object.entries(next.links)) {
    if (link !== null && !isSupportLink(link)) {
      problems.push({
        key: `links.${name}`,
        code: 'settings_invalid',
        message: 'A link must be an https:// address or a mailto: address.',
      });
    }
  }

  const { resultsYears, commentsMonths } = next.retention;
  if (!Number.isInteger(resultsYears) || resultsYears < 1) {
    problems.push({
      key: 'retention.resultsYears',
      code: 'settings_invalid',
      message: 'Published results are kept for at least one year.',
    });
  }
  if (!Number.isInteger(commentsMonths) || commentsMonths < 1) {
    problems.push({
      key: 'retention.commentsMonths',
      code: 'settings_invalid',
      message: 'Comments are kept for at least one month.',
    });
  }

  if (!isFreezeWindow(next.roster.freezeWindowDays)) {
    problems.push({
      key: 'roster.freezeWindowDays',
      code: 'settings_invalid',
      message: `The roster freeze starts a whole number of days from 0 to ${FREEZE_WINDOW_MAXIMUM_DAYS} before a wave opens.`,
    });
  }

  if (problems.length > 0) {
    // A refused lowering is the message an administrator needs first.
    problems.sort(
      (a, b) =>
        Number(b.code === 'threshold_lowering_refused') -
        Number(a.code === 'threshold_lowering_refused'),
    );
    return { ok: false, problems };
  }
  return { ok: true, changes: diffSettings(current, next) };
}

/** Every leaf that differs, as dotted keys; thresholds apply from the next wave, the rest now. */
export function diffSettings(
  current: OrganisationSettings,
  next: OrganisationSettings,
): SettingChangeEntry[] {
  const changes: SettingChangeEntry[] = [];
  for (const section of Object.keys(next) as (keyof OrganisationSettings)[]) {
    const before = current[section] as Record<string, SettingValue>;
    const after = next[section] as Record<string, SettingValue>;
    for (const leaf of Object.keys(after)) {
      const oldValue = before[leaf] ?? null;
      const newValue = after[leaf] ?? null;
      if (oldValue === newValue) continue;
      changes.push({
        key: `${section}.${leaf}`,
        oldValue,
        newValue,
        effectiveFrom: section === 'thresholds' ? 'next wave' : 'now',
      });
    }
  }
  return changes;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
