import type { Language } from '@teamspiegel/contracts';
import { nl, type MessageKey, type Messages } from './nl.ts';
import { nlBe } from './nl-be.ts';
import { en } from './en.ts';
import { errorsEn, errorsNl, errorsNlBe, type AnyErrorCode, type ErrorMessages } from './errors.ts';

export type { MessageKey } from './nl.ts';
export type Params = Record<string, string | number>;

export const SUPPORTED_LANGUAGES: readonly Language[] = ['nl', 'nl-BE', 'en'];

const messages: Record<Language, Partial<Messages>> = { nl, 'nl-BE': nlBe, en };
const errorMessages: Record<Language, Partial<ErrorMessages>> = {
  nl: errorsNl,
  'nl-BE': errorsNlBe,
  en: errorsEn,
};

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (SUPPORTED_LANGUAGES as readonly string[]).includes(value);
}

/** `one|other` templates pick by `count`; Dutch and English both have just these two forms. */
function pluralise(template: string, params?: Params): string {
  const [one, other] = template.split('|');
  if (other === undefined || typeof params?.count !== 'number') return template;
  return params.count === 1 ? (one ?? other) : other;
}

function interpolate(template: string, params?: Params): string {
  if (!params) return template;
  return pluralise(template, params).replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

/** Looks a key up in the language, then in Dutch (nl-BE only overrides what differs). */
export function translate(language: Language, key: MessageKey, params?: Params): string {
  return interpolate(messages[language][key] ?? nl[key], params);
}

function isKnownErrorCode(code: string): code is AnyErrorCode {
  return Object.prototype.hasOwnProperty.call(errorsNl, code);
}

/** A readable message for an API error code; unknown codes get a generic message, never the raw code. */
export function translateError(language: Language, code: string): string {
  const known: AnyErrorCode = isKnownErrorCode(code) ? code : 'unknown_error';
  const table = language === 'en' ? errorsEn : errorsNl;
  return errorMessages[language][known] ?? table[known];
}
