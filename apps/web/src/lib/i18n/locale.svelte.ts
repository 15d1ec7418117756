import type { Language } from '@teamspiegel/contracts';
import {
  isLanguage,
  translate,
  translateError,
  type MessageKey,
  type Params,
} from './translate.ts';

const STORAGE_KEY = 'teamspiegel.language';

function initialLanguage(): Language {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (isLanguage(stored)) return stored;
  } catch {
    // Storage can be blocked; Dutch is the default.
  }
  return 'nl';
}

let current = $state<Language>(initialLanguage());

export const locale = {
  get current(): Language {
    return current;
  },
  /** Switches the interface language; `remember` keeps a choice made before login. */
  set(language: Language, remember = false): void {
    current = language;
    document.documentElement.lang = language;
    if (remember) {
      try {
        localStorage.setItem(STORAGE_KEY, language);
      } catch {
        // Not being able to remember the choice is harmless.
      }
    }
  },
};

export function t(key: MessageKey, params?: Params): string {
  return translate(current, key, params);
}

/** The user-facing message for anything thrown by the API client (or anything else). */
export function errorText(error: unknown): string {
  if (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'string'
  ) {
    return translateError(current, error.code);
  }
  return translateError(current, 'unknown_error');
}
