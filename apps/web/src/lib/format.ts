import type { Language } from '@teamspiegel/contracts';

const INTL_LOCALE: Record<Language, string> = { nl: 'nl-NL', 'nl-BE': 'nl-BE', en: 'en-GB' };

/** A calendar date (YYYY-MM-DD) shown in the reader's language, without time-zone shifts. */
export function formatDate(language: Language, date: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  if (!match) return date;
  const [, y, m, d] = match;
  const utc = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  return new Intl.DateTimeFormat(INTL_LOCALE[language], {
    dateStyle: 'medium',
    timeZone: 'UTC',
  }).format(utc);
}

/** An instant shown in the reader's language and time zone. */
export function formatDateTime(language: Language, instant: string, timeZone?: string): string {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return instant;
  return new Intl.DateTimeFormat(INTL_LOCALE[language], {
    dateStyle: 'medium',
    timeStyle: 'short',
    ...(timeZone ? { timeZone } : {}),
  }).format(date);
}

/** Today's date in the local calendar as YYYY-MM-DD (what a date input expects). */
export function localIsoDate(now: Date = new Date()): string {
  const y = String(now.getFullYear()).padStart(4, '0');
  const m = String(now.getMonth() + 1).padStart(2, '0');
  const d = String(now.getDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}

/** Start of a local calendar day as an ISO instant, for "from" filters. */
export function startOfDayInstant(date: string): string {
  return new Date(`${date}T00:00:00`).toISOString();
}

/** End of a local calendar day as an ISO instant, for inclusive "to" filters. */
export function endOfDayInstant(date: string): string {
  return new Date(`${date}T23:59:59.999`).toISOString();
}

export function fullName(person: { givenName: string; familyName: string }): string {
  return `${person.givenName} ${person.familyName}`.trim();
}

export function pageCount(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / Math.max(1, pageSize)));
}

/** Parses a positive page number from a query string value, defaulting to 1. */
export function parsePage(value: string | null): number {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 ? n : 1;
}
